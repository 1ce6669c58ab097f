//! Output that cannot be forged: what a peer controls (a client certificate's common name
//! with a newline, a server certificate's with an ESC sequence, a greeting, an echo and a
//! close reason full of control characters) is escaped in the server's log and in the probe's
//! report, as openssl's esc_ctrl does, so it can neither forge a log line nor drive the
//! terminal.

mod common;

use certlab::{KeyAlgorithm, KeyPair};
use common::*;
use futures_util::{SinkExt, StreamExt};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyUsagePurpose, SerialNumber,
};
use std::process::Command;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// The example: a common name that would add a line `verdict=verified peer="admin"`.
const FORGED_CN: &str = "x\"\nverdict=verified peer=\"admin";
/// An OSC sequence that sets the terminal's title, and a right-to-left override.
const ESC_CN: &str = "evil\u{1b}]0;owned\u{7}\u{202e}server";

/// Characters that must never reach the log or the terminal raw.
const RAW: [char; 5] = ['\u{1b}', '\u{7}', '\u{202e}', '\u{9b}', '\r'];

/// A CA made with rcgen (the engine refuses such names) and, under it, a client `client`
/// with [`FORGED_CN`] and a server `server` for localhost/127.0.0.1 with [`ESC_CN`]: files
/// `ca.crt`, `client.pem`, `client.key`, `server.pem`, `server.key` (keys as PKCS#8 DER).
fn evil_pki() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let ca_key = KeyPair::generate(KeyAlgorithm::EcdsaP256).expect("key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.distinguished_name
        .push(DnType::CommonName, "evil test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.serial_number = Some(SerialNumber::from(1));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_pem = ca.self_signed(&ca_key).expect("CA").pem();
    let issuer = Issuer::new(ca, &ca_key);
    let write = |serial: u64, name: &str, cn: &str, names: Vec<String>, eku| {
        let key = KeyPair::generate(KeyAlgorithm::EcdsaP256).expect("key");
        let mut p = CertificateParams::new(names).expect("params");
        p.distinguished_name.push(DnType::CommonName, cn);
        p.serial_number = Some(SerialNumber::from(serial));
        p.extended_key_usages = vec![eku];
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let cert = p.signed_by(&key, &issuer).expect("sign");
        std::fs::write(dir.path().join(format!("{name}.pem")), cert.pem() + &ca_pem)
            .expect("write");
        std::fs::write(dir.path().join(format!("{name}.key")), key.pkcs8_der()).expect("write");
    };
    write(
        2,
        "client",
        FORGED_CN,
        vec![],
        ExtendedKeyUsagePurpose::ClientAuth,
    );
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    write(
        3,
        "server",
        ESC_CN,
        names,
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    std::fs::write(dir.path().join("ca.crt"), ca_pem).expect("write");
    dir
}

fn p(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).display().to_string()
}

/// Every line of the log is an event of its own (it starts with the timestamp), no line
/// starts with `verdict=`, and nothing raw from [`RAW`] is in it.
fn assert_unforged(log: &str) {
    for line in log.lines().filter(|l| !l.is_empty()) {
        assert!(
            line.starts_with(|c: char| c.is_ascii_digit()),
            "a line that is no event of its own: {line:?}\n{log}"
        );
        assert!(!line.trim_start().starts_with("verdict="), "{log}");
    }
    assert!(
        !log.contains(RAW),
        "raw control characters in the log:\n{log:?}"
    );
}

fn serve(cert: &str, key: &str, client_ca: &str) -> Server {
    Server::start(&[
        "--cert",
        cert,
        "--key",
        key,
        "--client-ca",
        client_ca,
        "--listen",
        "127.0.0.1:0",
    ])
}

#[test]
fn a_client_name_with_a_newline_forges_no_log_line() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    let evil = evil_pki();
    let (cert, key) = (p(&evil, "client.pem"), p(&evil, "client.key"));
    let client = ["--ca", &kit.p("ca.crt"), "--cert", &cert, "--key", &key];

    // Trusted (the server trusts the evil CA): the name is logged when the websocket opens.
    let server = serve(
        &kit.p("server.fullchain.pem"),
        &kit.p("server.key"),
        &p(&evil, "ca.crt"),
    );
    let url = format!("wss://localhost:{}/", server.port());
    let (out, r) = probe(&url, &client);
    assert!(out.ok, "{}\n{}", out.all(), server.log());
    assert_eq!(
        r["greeting"]["client_certificate"]["common_name"],
        "x\"\\x0averdict=verified peer=\"admin"
    );
    assert!(server.wait_log("websocket open"), "{}", server.log());
    let log = server.log();
    assert!(log.contains("\\x0a"), "{log}");
    assert_unforged(&log);

    // Refused (another CA): the name is in the refusal line.
    let server = serve(
        &kit.p("server.fullchain.pem"),
        &kit.p("server.key"),
        &kit.p("ca.crt"),
    );
    let url = format!("wss://localhost:{}/", server.port());
    let (out, _) = probe(&url, &client);
    assert_eq!(out.code, Some(3), "{}", out.all());
    assert!(server.wait_log("TLS handshake failed"), "{}", server.log());
    let log = server.log();
    assert!(log.contains("x\"\\x0averdict=verified"), "{log}");
    assert_unforged(&log);
}

#[test]
fn an_esc_sequence_in_a_server_name_reaches_no_terminal() {
    let evil = evil_pki();
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    let server = serve(
        &p(&evil, "server.pem"),
        &p(&evil, "server.key"),
        &p(&evil, "ca.crt"),
    );
    let url = format!("wss://localhost:{}/", server.port());
    let (cert, key) = (p(&evil, "client.pem"), p(&evil, "client.key"));
    let client = ["--cert", &cert, "--key", &key];
    for (ca, ok) in [(p(&evil, "ca.crt"), true), (kit.p("ca.crt"), false)] {
        for json in [false, true] {
            let mut cmd = Command::new(BIN);
            cmd.args(["probe", &url, "--ca", &ca]).args(client);
            if json {
                cmd.arg("--json");
            }
            let out = run(&mut cmd, None);
            assert_eq!(out.ok, ok, "{}\n{}", out.all(), server.log());
            let all = out.all();
            // In JSON the backslashes of the escapes are doubled.
            assert!(all.contains("x1b]0;owned") && all.contains("x07"), "{all}");
            assert!(!all.contains(RAW), "raw control characters:\n{all:?}");
            if !json {
                assert!(!all.lines().any(|l| l.starts_with("verdict=")), "{all}");
            }
        }
    }
    assert_unforged(&server.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_server_sends_is_escaped_in_the_probe_report() {
    const EVIL: &str = "\u{1b}]0;owned\u{7}\nOK\n\u{202e}\u{9b}31m";
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                let _ = ws.send(Message::text(EVIL)).await;
                if let Some(Ok(_)) = ws.next().await {
                    let _ = ws.send(Message::text(EVIL.repeat(1000))).await;
                }
                let reason = EVIL.into();
                let _ = ws
                    .close(Some(CloseFrame {
                        code: CloseCode::Normal,
                        reason,
                    }))
                    .await;
            });
        }
    });
    for json in [false, true] {
        let url = format!("ws://127.0.0.1:{port}/");
        let out = tokio::task::spawn_blocking(move || {
            let mut cmd = Command::new(BIN);
            cmd.args(["probe", &url]);
            if json {
                cmd.arg("--json");
            }
            run(&mut cmd, None)
        })
        .await
        .expect("probe");
        assert!(!out.ok, "the echo differs: {}", out.all());
        let all = out.all();
        assert!(!all.contains(RAW), "raw control characters:\n{all:?}");
        assert!(all.contains("x1b]0;owned"), "{all}");
        assert!(
            all.contains("characters in all)"),
            "the long echo is cut: {all}"
        );
        assert!(all.len() < 20_000, "{} bytes printed", all.len());
        if !json {
            assert!(!all.lines().any(|l| l == "OK"), "a forged OK line: {all}");
        }
    }
}
