//! `certlab-echo probe tls://HOST:PORT` (and `--tls-only` with a wss:// URL): the TLS
//! handshake only — chain, verdict, reason — against certlab-echo requiring client
//! certificates (mosquitto's listener is probed in mqtt.rs). A refusal the server sends after
//! a TLS 1.3 handshake is waited for (`--settle`) and reported; bad URLs are bad input.

mod common;

use certlab::KeyAlgorithm;
use common::*;

#[test]
fn probe_tls_only_reports_the_handshake() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    let server = Server::start(&[
        "--cert",
        &kit.p("server.fullchain.pem"),
        "--key",
        &kit.p("server.key"),
        "--client-ca",
        &kit.p("ca.crt"),
        "--client-auth",
        "required",
        "--listen",
        "127.0.0.1:0",
    ]);
    let url = format!("tls://localhost:{}", server.port());
    let (ca, alice, key) = (
        kit.p("ca.crt"),
        kit.p("alice.fullchain.pem"),
        kit.p("alice.key"),
    );

    let (out, r) = probe(&url, &["--ca", &ca, "--cert", &alice, "--key", &key]);
    assert!(out.ok, "{}", out.all());
    assert_eq!(r["mode"], "tls");
    assert_eq!(r["verification"], "verified");
    assert_eq!(r["server_chain"][0], "CN=localhost");
    assert!(r["greeting"].is_null() && r["echo"].is_null(), "{r}");
    // The same with --tls-only on the wss:// URL, as text.
    let text = run(
        std::process::Command::new(BIN).args([
            "probe",
            &format!("wss://localhost:{}/", server.port()),
            "--tls-only",
            "--ca",
            &ca,
            "--cert",
            &alice,
            "--key",
            &key,
        ]),
        None,
    );
    assert!(text.ok, "{}", text.all());
    assert!(text.stdout.contains("handshake only") && text.stdout.ends_with("OK\n"));

    // No client certificate: the server's late refusal (TLS 1.3) ends the wait, exit 3.
    let (out, r) = probe(&url, &["--ca", &ca, "--settle", "60s"]);
    assert_eq!(out.code, Some(3), "{}", out.all());
    assert_eq!(
        r["verification"], "verified",
        "our side accepted the server"
    );
    assert!(
        r["error"]
            .as_str()
            .unwrap_or_default()
            .contains("CertificateRequired"),
        "{r}"
    );
    // Trusting another root: our verifier refuses the server, exit 1, with the reason.
    let other = dev_kit(KeyAlgorithm::EcdsaP256);
    let (out, r) = probe(&url, &["--ca", &other.p("ca.crt")]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        r["why"]
            .as_str()
            .unwrap_or_default()
            .contains("not a trusted CA"),
        "{r}"
    );

    for (bad, says) in [
        ("tls://localhost".to_string(), "tls:// needs a port"),
        (
            format!("ws://localhost:{}/", server.port()),
            "--tls-only needs TLS",
        ),
    ] {
        let (out, r) = probe(&bad, &["--tls-only"]);
        assert_eq!(out.code, Some(2), "{bad}: {}", out.all());
        assert!(
            r["error"].as_str().unwrap_or_default().contains(says),
            "{bad}: {r}"
        );
    }
}
