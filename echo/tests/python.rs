//! Python's `websockets` with an `ssl` context as an independent client (echo/tests/py/
//! ws_client.py): every key type, one-way and mutual TLS, and a refusal. The test fails (it
//! is never skipped) when Python `websockets` is missing: ./scripts/test installs it.

mod common;

use certlab::KeyAlgorithm;
use common::*;

fn start(kit: &KitDir, mtls: bool) -> Server {
    let mut args = vec![
        "--cert".to_string(),
        kit.p("server.fullchain.pem"),
        "--key".into(),
        kit.p("server.key"),
        "--listen".into(),
        "127.0.0.1:0".into(),
    ];
    if mtls {
        args.extend(["--client-ca".to_string(), kit.p("ca.crt")]);
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start(&refs)
}

#[test]
fn python_websockets_every_key_type_one_way_and_mutual() {
    python(); // fail early and clearly when websockets is missing
    for alg in [
        KeyAlgorithm::EcdsaP256,
        KeyAlgorithm::EcdsaP384,
        KeyAlgorithm::Ed25519,
        KeyAlgorithm::Rsa2048,
    ] {
        let kit = mtls_kit(alg);
        let ca = kit.p("ca.crt");

        let one_way = start(&kit, false);
        let url = format!("wss://127.0.0.1:{}/", one_way.port());
        let (out, r) = py_client(&url, &["--ca", &ca]);
        assert!(out.ok, "{alg:?} one-way:\n{}\n{}", out.all(), one_way.log());
        assert_eq!(r["tls_version"], "TLSv1.3");
        assert_eq!(r["greeting"]["verdict"], "no client certificate");
        assert_eq!(r["greeting"]["sni"], "localhost");
        assert_eq!(r["text_echo"], true);
        assert_eq!(r["binary_echo"], true);

        let mutual = start(&kit, true);
        let url = format!("wss://127.0.0.1:{}/", mutual.port());
        let (out, r) = py_client(
            &url,
            &[
                "--ca",
                &ca,
                "--cert",
                &kit.p("alice.fullchain.pem"),
                "--key",
                &kit.p("alice.key"),
            ],
        );
        assert!(out.ok, "{alg:?} mTLS:\n{}\n{}", out.all(), mutual.log());
        let client = &r["greeting"]["client_certificate"];
        assert_eq!(r["greeting"]["verdict"], "verified");
        assert_eq!(client["common_name"], "alice");
        assert_eq!(client["eku"][0], "clientAuth");
        let id = kit.kit.identity("alice").expect("alice");
        assert_eq!(client["sha256"], id.sha256.as_str());

        if alg == KeyAlgorithm::EcdsaP256 {
            // Refused without a certificate (in TLS 1.3 Python sees it after its handshake).
            let (out, r) = py_client(&url, &["--ca", &ca]);
            assert!(!out.ok, "{}", out.all());
            assert!(r["error"].as_str().is_some_and(|e| !e.is_empty()), "{r}");
            assert!(
                mutual.wait_log("no client certificate was sent"),
                "{}",
                mutual.log()
            );
            // Refused: the server certificate has no clientAuth.
            let (out, _) = py_client(
                &url,
                &[
                    "--ca",
                    &ca,
                    "--cert",
                    &kit.p("server.fullchain.pem"),
                    "--key",
                    &kit.p("server.key"),
                ],
            );
            assert!(!out.ok, "{}", out.all());
            assert!(mutual.wait_log("lacks clientAuth"), "{}", mutual.log());
            // Python against the wrong CA refuses the server.
            let other = dev_kit(KeyAlgorithm::EcdsaP256);
            let (out, r) = py_client(&url, &["--ca", &other.p("ca.crt")]);
            assert!(!out.ok);
            assert!(
                r["error"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("CERTIFICATE_VERIFY_FAILED"),
                "{r}"
            );
            // Still serving.
            let (out, _) = py_client(
                &url,
                &[
                    "--ca",
                    &ca,
                    "--cert",
                    &kit.p("bob.fullchain.pem"),
                    "--key",
                    &kit.p("bob.key"),
                ],
            );
            assert!(out.ok, "{}", out.all());
        }
    }
}
