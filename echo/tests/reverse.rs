//! Reverse mode: `dial` (the echo side, TLS client with clientAuth) connects out to
//! `probe --listen` (TLS server with serverAuth, websocket client). The listener starts
//! after the dialer, restarts, and a listener from another CA is refused.

mod common;

use certlab::KeyAlgorithm;
use common::*;
use std::process::Command;
use std::time::{Duration, Instant};

const RETRY: Duration = Duration::from_millis(700);

fn dialer(kit: &KitDir, port: u16, cert: &str, key: &str) -> Proc {
    Proc::spawn(Command::new(BIN).args([
        "dial",
        &format!("wss://localhost:{port}/"),
        "--cert",
        &kit.p(cert),
        "--key",
        &kit.p(key),
        "--ca",
        &kit.p("ca.crt"),
        "--retry",
        &format!("{}ms", RETRY.as_millis()),
    ]))
}

/// `probe --listen` on `port` with `home`'s identity from `listener_kit`, trusting `ca_kit`.
fn listen(listener_kit: &KitDir, ca_kit: &KitDir, port: u16) -> Proc {
    listen_as(listener_kit, ca_kit, port, "home")
}

/// `probe --listen` on `port` with identity `who` of `listener_kit`, trusting `ca_kit`.
fn listen_as(listener_kit: &KitDir, ca_kit: &KitDir, port: u16, who: &str) -> Proc {
    Proc::spawn(Command::new(BIN).args([
        "probe",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--cert",
        &listener_kit.p(&format!("{who}.fullchain.pem")),
        "--key",
        &listener_kit.p(&format!("{who}.key")),
        "--ca",
        &ca_kit.p("ca.crt"),
        "--send",
        "phoned home",
        "--wait",
        "20s",
        "--json",
    ]))
}

/// Waits for the listening probe to finish; returns (exit code, report, time taken).
fn finish(mut p: Proc) -> (Option<i32>, serde_json::Value, Duration) {
    let started = Instant::now();
    let code = p.wait_exit(Duration::from_secs(30));
    let took = started.elapsed();
    let out = p.stdout_until_exit(Duration::from_secs(2));
    let report = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("no JSON report ({e}):\n{out}\n{}", p.log()));
    (code, report, took)
}

fn assert_session(code: Option<i32>, r: &serde_json::Value, took: Duration, dialer: &Proc) {
    assert_eq!(code, Some(0), "{r:#}\n{}", dialer.log());
    // Within the listener's --wait (20 s); no bound tighter than that, since CI machines are
    // slow and busy (the retry interval is checked by the log, not the clock).
    assert!(
        took < Duration::from_secs(30),
        "the dialer took {took:?} (retry {RETRY:?})"
    );
    assert_eq!(r["mode"], "listen");
    assert_eq!(r["verification"], "verified");
    assert_eq!(r["echo"], "phoned home");
    // The dialer presented the kit's server certificate as TLS client …
    assert!(
        r["client_chain"][0]
            .as_str()
            .unwrap_or_default()
            .contains("CN=localhost"),
        "{r:#}"
    );
    // … and greeted us with what it saw of us: our (listener's) server certificate.
    let g = &r["greeting"];
    assert_eq!(g["mode"], "dial");
    assert_eq!(g["sni"], "localhost");
    assert_eq!(g["verdict"], "verified");
    assert_eq!(g["server_certificate"]["common_name"], "home");
    assert_eq!(g["server_certificate"]["eku"][0], "serverAuth");
}

#[test]
fn dialer_finds_a_late_listener_reconnects_and_refuses_a_stranger() {
    let kit = reverse_kit(KeyAlgorithm::EcdsaP256, "certlab Root CA");
    let stranger = reverse_kit(KeyAlgorithm::EcdsaP256, "stranger Root CA");
    let port = free_port();
    let mut dial = dialer(&kit, port, "server.fullchain.pem", "server.key");
    assert!(
        dial.wait_log("unreachable"),
        "the dialer tries while nobody listens:\n{}",
        dial.log()
    );

    // The listener starts after the dialer: connected within two retry intervals.
    let (code, r, took) = finish(listen(&kit, &kit, port));
    assert_session(code, &r, took, &dial);

    // The listener restarts: the dialer comes back.
    let (code, r, took) = finish(listen(&kit, &kit, port));
    assert_session(code, &r, took, &dial);
    assert_eq!(count(&dial.log(), "listener verified"), 2);

    // A listener whose certificate comes from another CA: the dialer refuses it, says why,
    // and keeps retrying; the probe reports the failure.
    let (code, r, _) = finish(listen(&stranger, &kit, port));
    assert_eq!(code, Some(3), "{r:#}");
    assert_eq!(r["ok"], false);
    assert!(
        r["error"]
            .as_str()
            .is_some_and(|e| e.contains("TLS handshake")),
        "{r:#}"
    );
    assert!(
        dial.wait_log("its certificate fails the issuer check"),
        "{}",
        dial.log()
    );
    assert!(
        dial.log().contains(", CN=stranger Root CA"),
        "{}",
        dial.log()
    );
    assert!(dial.alive(), "{}", dial.log());

    // Still dialling: a proper listener is served again.
    let (code, r, took) = finish(listen(&kit, &kit, port));
    assert_session(code, &r, took, &dial);

    dial.signal("-TERM");
    assert_eq!(
        dial.wait_exit(Duration::from_secs(10)),
        Some(0),
        "{}",
        dial.log()
    );
    assert!(!dial.log().contains("panicked"));
}

#[test]
fn each_side_refuses_the_wrong_certificate_clearly() {
    let kit = reverse_kit(KeyAlgorithm::Ed25519, "certlab Root CA");
    let plain = mtls_kit(KeyAlgorithm::Ed25519); // its server has serverAuth only

    // A dialer certificate without clientAuth: a clear start-up error.
    let out = run(
        Command::new(BIN).args([
            "dial",
            "wss://localhost:9/",
            "--cert",
            &plain.p("server.fullchain.pem"),
            "--key",
            &plain.p("server.key"),
            "--ca",
            &plain.p("ca.crt"),
        ]),
        None,
    );
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(
        out.stderr.contains("not clientAuth") && out.stderr.contains("client_auth: true"),
        "{}",
        out.stderr
    );

    // A listener certificate without serverAuth (a client's): refused up front too.
    let out = run(
        Command::new(BIN).args([
            "probe",
            "--listen",
            "127.0.0.1:0",
            "--cert",
            &kit.p("alice.fullchain.pem"),
            "--key",
            &kit.p("alice.key"),
            "--ca",
            &kit.p("ca.crt"),
            "--json",
        ]),
        None,
    );
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(out.stdout.contains("not serverAuth"), "{}", out.stdout);

    // A client identity works as a dialer (it has clientAuth).
    let port = free_port();
    let listener = listen(&kit, &kit, port);
    let dial = dialer(&kit, port, "alice.fullchain.pem", "alice.key");
    let (code, r, _) = finish(listener);
    assert_eq!(code, Some(0), "{r:#}\n{}", dial.log());
    assert!(
        r["client_chain"][0]
            .as_str()
            .unwrap_or_default()
            .contains("CN=alice")
    );
    drop(dial);

    // The listener refuses a dialer from another CA (the dialer itself trusts the listener).
    let stranger = reverse_kit(KeyAlgorithm::Ed25519, "stranger Root CA");
    let port = free_port();
    let listener = listen(&kit, &kit, port);
    let dial = Proc::spawn(Command::new(BIN).args([
        "dial",
        &format!("wss://localhost:{port}/"),
        "--cert",
        &stranger.p("server.fullchain.pem"),
        "--key",
        &stranger.p("server.key"),
        "--ca",
        &kit.p("ca.crt"),
        "--retry",
        "700ms",
    ]));
    let (code, r, _) = finish(listener);
    assert_eq!(code, Some(1), "{r:#}");
    assert!(
        r["why"]
            .as_str()
            .unwrap_or_default()
            .contains("stranger Root CA"),
        "{r:#}"
    );
    assert!(
        dial.wait_log("refused our client certificate"),
        "{}",
        dial.log()
    );

    // openssl s_client as a dialer with a serverAuth-only certificate: the listener says
    // exactly what is missing.
    let port = free_port();
    let listener = listen(&kit, &kit, port);
    std::thread::sleep(Duration::from_millis(300));
    let mut s_client = None;
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let out = run(
            Command::new("openssl").args([
                "s_client",
                "-connect",
                &format!("127.0.0.1:{port}"),
                "-servername",
                "localhost",
                "-CAfile",
                &kit.p("ca.crt"),
                "-cert",
                &plain.p("server.crt"),
                "-key",
                &plain.p("server.key"),
            ]),
            Some(b""),
        );
        if !out.all().contains("Connection refused") {
            s_client = Some(out);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(s_client.is_some(), "the listener never came up");
    let (code, r, _) = finish(listener);
    assert_eq!(code, Some(1), "{r:#}");
    let why = r["why"].as_str().unwrap_or_default();
    assert!(why.contains("lacks clientAuth"), "{r:#}");
}

/// ParaQ's arrangement exactly: the server dials out with its *server* identity (made
/// dual-purpose: clientAuth too) and the client listens with its *client* identity (made
/// dual-purpose: serverAuth too, for the names it is reached at).
#[test]
fn paraq_server_dials_with_its_server_identity_and_the_client_listens_with_its_own() {
    let mut spec = certlab::Preset::Mtls.spec(KeyAlgorithm::EcdsaP256);
    spec.servers[0].client_auth = true;
    spec.clients[0].server_auth = true;
    spec.clients[0].names = vec!["localhost".into(), "127.0.0.1".into()];
    let kit = write_kit(certlab::generate(&spec).expect("dual-purpose kit"));
    let port = free_port();
    let listener = listen_as(&kit, &kit, port, "alice");
    let dial = dialer(&kit, port, "server.fullchain.pem", "server.key");
    let (code, r, _) = finish(listener);
    assert_eq!(code, Some(0), "{r:#}\n{}", dial.log());
    assert_eq!(r["verification"], "verified", "{r:#}");
    assert_eq!(r["echo"], "phoned home");
    assert!(
        r["client_chain"][0]
            .as_str()
            .unwrap_or_default()
            .contains("CN=localhost"),
        "the dialer presented the server identity: {r:#}"
    );
    let seen = &r["greeting"]["server_certificate"];
    assert_eq!(seen["common_name"], "alice", "{r:#}");
    let eku = seen["eku"].to_string();
    assert!(
        eku.contains("serverAuth") && eku.contains("clientAuth"),
        "{eku}"
    );
}
