//! Plain listeners, echo of text/binary/ping, limits, config file and graceful shutdown.

mod common;

use certlab::KeyAlgorithm;
use common::*;
use futures_util::{SinkExt, StreamExt};
use std::io::Read;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

fn base_args(kit: &KitDir) -> Vec<String> {
    vec![
        "--cert".into(),
        kit.p("server.fullchain.pem"),
        "--key".into(),
        kit.p("server.key"),
        "--listen".into(),
        "127.0.0.1:0".into(),
        "--plain-listen".into(),
        "127.0.0.1:0".into(),
    ]
}

fn start(kit: &KitDir, extra: &[&str]) -> Server {
    let mut args = base_args(kit);
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start(&refs)
}

async fn next(
    ws: &mut (impl StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin),
) -> Message {
    tokio::time::timeout(Duration::from_secs(10), ws.next())
        .await
        .expect("message in time")
        .expect("stream open")
        .expect("no error")
}

#[tokio::test]
async fn plain_echo_ping_and_graceful_shutdown() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    let mut server = start(&kit, &[]);
    assert_eq!(server.wss.len(), 1);
    let ws_port = server.ws[0];

    // The probe works over ws:// too.
    let (out, r) = probe(&format!("ws://127.0.0.1:{ws_port}/"), &[]);
    assert!(out.ok, "{}", out.all());
    assert_eq!(r["greeting"]["tls_version"], serde_json::Value::Null);

    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", ws_port))
        .await
        .expect("connect");
    let (mut ws, _) = tokio_tungstenite::client_async(format!("ws://127.0.0.1:{ws_port}/"), tcp)
        .await
        .expect("ws handshake");
    let greeting = next(&mut ws).await;
    let g: serde_json::Value =
        serde_json::from_str(greeting.to_text().expect("text greeting")).expect("json");
    assert_eq!(g["verdict"], "no client certificate");

    ws.send(Message::text("héllo ☃")).await.expect("send text");
    assert_eq!(next(&mut ws).await, Message::text("héllo ☃"));
    let blob: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    ws.send(Message::binary(blob.clone()))
        .await
        .expect("send binary");
    assert_eq!(next(&mut ws).await, Message::binary(blob));
    ws.send(Message::Ping(b"are you there".to_vec().into()))
        .await
        .expect("ping");
    assert_eq!(
        next(&mut ws).await,
        Message::Pong(b"are you there".to_vec().into())
    );

    // SIGTERM: the open websocket gets a close frame, the process exits 0.
    server.sigterm();
    match next(&mut ws).await {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Away),
        other => panic!("expected a close frame, got {other:?}"),
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
    assert_eq!(
        server.wait_exit(Duration::from_secs(15)),
        Some(0),
        "{}",
        server.log()
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", server.port())).is_err(),
        "still accepting after shutdown"
    );
}

#[test]
fn limits_handshake_timeout_message_size_and_connections() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    let server = start(
        &kit,
        &[
            "--handshake-timeout",
            "1s",
            "--max-message-size",
            "1KiB",
            "--idle-timeout",
            "2s",
        ],
    );
    let ca = kit.p("ca.crt");

    // A client that never starts the TLS handshake is dropped after --handshake-timeout.
    let started = Instant::now();
    let mut idle = std::net::TcpStream::connect(("127.0.0.1", server.port())).expect("connect");
    // Upper bounds are generous (CI runs on 2 busy cores); what matters is that the timeout,
    // not the client's read timeout, ends it.
    idle.set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let mut buf = [0u8; 16];
    let n = idle.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(45),
        "{waited:?}"
    );
    assert!(server.wait_log("no handshake within"), "{}", server.log());

    // Messages over --max-message-size close the websocket; smaller ones echo.
    let url = format!("wss://localhost:{}/", server.port());
    let (out, _) = probe(&url, &["--ca", &ca, "--send", &"x".repeat(1000)]);
    assert!(out.ok, "{}", out.all());
    let (out, r) = probe(&url, &["--ca", &ca, "--send", &"x".repeat(2000)]);
    assert_eq!(out.code, Some(1));
    assert!(
        r["error"].as_str().unwrap_or_default().contains("1009"),
        "{}",
        out.stdout
    );
    assert!(server.wait_log("max-message-size"), "{}", server.log());

    // Still serving.
    let (out, _) = probe(&url, &["--ca", &ca]);
    assert!(out.ok, "{}", out.all());

    // --max-connections 1: a second connection is closed while the first is open.
    let one = start(&kit, &["--max-connections", "1"]);
    let _hold = std::net::TcpStream::connect(("127.0.0.1", one.ws[0])).expect("first");
    std::thread::sleep(Duration::from_millis(200));
    let (out, _) = probe(
        &format!("ws://127.0.0.1:{}/", one.ws[0]),
        &["--timeout", "5s"],
    );
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(one.wait_log("max-connections"), "{}", one.log());
}

#[tokio::test]
async fn idle_websocket_is_closed() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    let server = start(&kit, &["--idle-timeout", "1s"]);
    let port = server.ws[0];
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let (mut ws, _) = tokio_tungstenite::client_async(format!("ws://127.0.0.1:{port}/"), tcp)
        .await
        .expect("ws handshake");
    let _greeting = next(&mut ws).await;
    match next(&mut ws).await {
        Message::Close(Some(frame)) => assert_eq!(frame.reason.as_str(), "idle timeout"),
        other => panic!("expected close, got {other:?}"),
    }
}

#[test]
fn config_file_and_bad_flags() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    std::fs::write(
        kit.path("echo.toml"),
        "cert = \"server.fullchain.pem\"\nkey = \"server.key\"\nclient-ca = [\"ca.crt\"]\nlisten = [\"127.0.0.1:0\"]\n",
    )
    .expect("write config");
    let server = Server::start(&["--config", &kit.p("echo.toml")]);
    let url = format!("wss://localhost:{}/", server.port());
    let (out, _) = probe(&url, &["--ca", &kit.p("ca.crt")]);
    assert_eq!(
        out.code,
        Some(3),
        "client CA from the file is enforced: {}",
        out.all()
    );
    let (out, _) = probe(
        &url,
        &[
            "--ca",
            &kit.p("ca.crt"),
            "--cert",
            &kit.p("alice.fullchain.pem"),
            "--key",
            &kit.p("alice.key"),
        ],
    );
    assert!(out.ok, "{}", out.all());

    let (server_chain, alice_key) = (kit.p("server.fullchain.pem"), kit.p("alice.key"));
    let (server_key, server_der, ca) = (kit.p("server.key"), kit.p("server.der"), kit.p("ca.crt"));
    for (args, needle) in [
        (vec!["serve", "--key", "k"], "--cert"),
        (
            vec![
                "serve",
                "--cert",
                "c",
                "--key",
                "k",
                "--client-auth",
                "optional",
            ],
            "--client-ca",
        ),
        (
            vec!["serve", "--cert", "c", "--key", "k", "--listen", "nowhere"],
            "--listen",
        ),
        (
            vec!["serve", "--cert", "c", "--key", "k", "--idle-timeout", "5y"],
            "--idle-timeout",
        ),
        (
            vec!["serve", "--cert", "/nonexistent/c", "--key", "k"],
            "/nonexistent/c: no such file: check the path",
        ),
        // A key that is not the certificate's: named, with the fix (not rustls's KeyMismatch).
        (
            vec![
                "serve",
                "--cert",
                &server_chain,
                "--key",
                &alice_key,
                "--listen",
                "127.0.0.1:0",
            ],
            "--key is not the private key of the --cert certificate",
        ),
        // A certificate given as --crl: the file is named, with the fix.
        (
            vec![
                "serve",
                "--cert",
                &server_chain,
                "--key",
                &server_key,
                "--client-ca",
                &ca,
                "--crl",
                &server_der,
                "--listen",
                "127.0.0.1:0",
            ],
            "server.der: not a certificate revocation list",
        ),
        (vec!["probe", "https://x/"], "wss://"),
        // Inputs are bounded as in the engine: /dev/zero is refused, not read forever.
        (
            vec![
                "serve",
                "--cert",
                "/dev/zero",
                "--key",
                "/dev/zero",
                "--listen",
                "127.0.0.1:0",
            ],
            "larger than 16 MiB",
        ),
    ] {
        let out = run(std::process::Command::new(BIN).args(&args), None);
        assert!(!out.ok, "{args:?}");
        assert_eq!(out.code, Some(2), "bad input: {args:?}: {}", out.all());
        assert!(out.all().contains(needle), "{args:?}: {}", out.all());
        assert!(!out.all().contains("panicked"), "{args:?}: {}", out.all());
    }

    // A port another program holds, and a probe of a port nothing listens on: each says why
    // and what to do, not only the OS's words.
    let held = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = held.local_addr().expect("addr").port();
    let (cert, key) = (kit.p("server.fullchain.pem"), kit.p("server.key"));
    let listen = format!("127.0.0.1:{port}");
    let out = run(
        std::process::Command::new(BIN)
            .args(["serve", "--cert", &cert, "--key", &key, "--listen", &listen]),
        None,
    );
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.all().contains("another program already listens there"),
        "{}",
        out.all()
    );
    drop(held);
    let closed = free_port();
    let (out, _) = probe(
        &format!("wss://localhost:{closed}/"),
        &["--ca", &kit.p("ca.crt")],
    );
    assert_eq!(out.code, Some(3), "{}", out.all());
    assert!(
        out.all()
            .contains("nothing listens there: is the server running"),
        "{}",
        out.all()
    );
}

#[test]
fn named_listeners_each_with_own_identity_and_auth() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    let other = dev_kit(KeyAlgorithm::Ed25519);
    std::fs::write(
        kit.path("echo.toml"),
        format!(
            "cert = \"server.fullchain.pem\"\nkey = \"server.key\"\n\
             [listener.public]\naddr = \"127.0.0.1:0\"\n\
             [listener.mtls]\naddr = \"127.0.0.1:0\"\nclient-ca = [\"ca.crt\"]\nclient-auth = \"required\"\n\
             [listener.edge]\naddr = \"127.0.0.1:0\"\ncert = \"{}\"\nkey = \"{}\"\n\
             [listener.plain]\naddr = \"127.0.0.1:0\"\nplain = true\n",
            other.p("server.fullchain.pem"),
            other.p("server.key")
        ),
    )
    .expect("write config");
    let server = Server::start_expect(&["--config", &kit.p("echo.toml")], 4);
    // BTreeMap order: edge, mtls, plain, public.
    assert_eq!(server.wss.len(), 3);
    assert_eq!(server.ws.len(), 1);
    let (edge, mtls, public) = (server.wss[0], server.wss[1], server.wss[2]);
    let ca = kit.p("ca.crt");
    let alice = [
        "--cert",
        &kit.p("alice.fullchain.pem"),
        "--key",
        &kit.p("alice.key"),
    ];

    let (out, r) = probe(&format!("wss://localhost:{public}/"), &["--ca", &ca]);
    assert!(out.ok, "{}\n{}", out.all(), server.log());
    assert_eq!(r["greeting"]["listener"], "public");

    let url = format!("wss://localhost:{mtls}/");
    let (out, _) = probe(&url, &["--ca", &ca]);
    assert_eq!(out.code, Some(3), "mtls listener demands a certificate");
    let mut args = vec!["--ca", ca.as_str()];
    args.extend(alice);
    let (out, r) = probe(&url, &args);
    assert!(out.ok, "{}", out.all());
    assert_eq!(r["greeting"]["listener"], "mtls");
    assert_eq!(r["greeting"]["client_certificate"]["common_name"], "alice");

    // The edge listener has its own (Ed25519, other CA) identity.
    let url = format!("wss://localhost:{edge}/");
    let (out, _) = probe(&url, &["--ca", &ca]);
    assert_eq!(out.code, Some(1));
    let (out, r) = probe(&url, &["--ca", &other.p("ca.crt")]);
    assert!(out.ok, "{}", out.all());
    assert_eq!(r["greeting"]["listener"], "edge");

    let (out, r) = probe(&format!("ws://127.0.0.1:{}/", server.ws[0]), &[]);
    assert!(out.ok, "{}", out.all());
    assert_eq!(r["greeting"]["listener"], "plain");
    assert!(
        server.log().contains("listener=\"mtls\""),
        "{}",
        server.log()
    );
}

#[test]
fn encrypted_key_prompts_on_a_terminal() {
    let mut spec = certlab::Preset::Dev.spec(KeyAlgorithm::EcdsaP256);
    spec.key_password = Some("tty pass 7".into());
    let kit = write_kit(certlab::generate(&spec).expect("kit"));
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/tty_prompt.py");
    let out = run(
        std::process::Command::new(python())
            .arg(script)
            .arg("tty pass 7")
            .arg(BIN)
            .args([
                "serve",
                "--cert",
                &kit.p("server.fullchain.pem"),
                "--key",
                &kit.p("server.key"),
                "--listen",
                "127.0.0.1:0",
            ]),
        None,
    );
    let r: serde_json::Value = serde_json::from_str(out.stdout.trim())
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}", out.all()));
    assert_eq!(r["prompted"], true, "{r}");
    assert_eq!(r["echoed"], false, "the password was echoed: {r}");
    assert_eq!(r["listening"], true, "{r}");

    // Without a terminal: a clear error naming the three ways to give the password.
    let bad = run(
        std::process::Command::new(BIN).args([
            "serve",
            "--cert",
            &kit.p("server.fullchain.pem"),
            "--key",
            &kit.p("server.key"),
            "--listen",
            "127.0.0.1:0",
        ]),
        None,
    );
    assert_eq!(bad.code, Some(2), "{}", bad.all());
    assert!(
        bad.stderr.contains("encrypted") && bad.stderr.contains("--key-password-file"),
        "{}",
        bad.stderr
    );
}
