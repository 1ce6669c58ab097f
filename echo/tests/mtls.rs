//! Mutual TLS: required and optional client certificates, refusals in the handshake, and a
//! server that keeps serving after each refusal.

mod common;

use certlab::KeyAlgorithm;
use common::*;

fn serve_mtls(kit: &KitDir, extra: &[&str]) -> Server {
    let mut args = vec![
        "--cert".to_string(),
        kit.p("server.fullchain.pem"),
        "--key".into(),
        kit.p("server.key"),
        "--client-ca".into(),
        kit.p("ca.crt"),
        "--listen".into(),
        "127.0.0.1:0".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start(&refs)
}

fn alice_ok(kit: &KitDir, server: &Server) {
    let url = format!("wss://localhost:{}/", server.port());
    let (out, r) = probe(
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
    assert!(out.ok, "alice refused:\n{}\n{}", out.all(), server.log());
    let g = &r["greeting"];
    assert_eq!(g["verdict"], "verified");
    assert_eq!(g["client_certificate"]["common_name"], "alice");
    assert_eq!(g["client_chain_len"], 2);
    let id = kit.kit.identity("alice").expect("alice in manifest");
    assert_eq!(g["client_certificate"]["sha256"], id.sha256.as_str());
    assert_eq!(g["client_certificate"]["serial"], id.serial.as_str());
    assert_eq!(g["client_certificate"]["not_after"], id.not_after.as_str());
    assert!(
        g["client_certificate"]["issuer"]
            .as_str()
            .unwrap_or_default()
            .contains("certlab Root CA")
    );
}

#[test]
fn required_client_certificates() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    let other = mtls_kit(KeyAlgorithm::EcdsaP256);
    let server = serve_mtls(&kit, &[]);
    let port = server.port();
    let url = format!("wss://localhost:{port}/");
    alice_ok(&kit, &server);

    // No certificate: refused.
    let (out, r) = probe(&url, &["--ca", &kit.p("ca.crt")]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert_eq!(r["verification"], "verified", "the server itself was fine");
    assert!(
        server.wait_log("peer sent no certificates"),
        "{}",
        server.log()
    );

    // A client certificate from another kit's CA with the same name: the issuer is found by
    // name, its signature does not match.
    let (out, _) = probe(
        &url,
        &[
            "--ca",
            &kit.p("ca.crt"),
            "--cert",
            &other.p("alice.fullchain.pem"),
            "--key",
            &other.p("alice.key"),
        ],
    );
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stdout.contains("refused our client certificate"),
        "{}",
        out.stdout
    );
    assert!(server.wait_log("BadSignature"), "{}", server.log());

    // From a differently named CA: unknown issuer.
    let mut spec = certlab::Preset::Mtls.spec(KeyAlgorithm::EcdsaP256);
    spec.root.common_name = "other lab Root CA".into();
    let stranger = write_kit(certlab::generate(&spec).expect("kit"));
    let (out, _) = probe(
        &url,
        &[
            "--ca",
            &kit.p("ca.crt"),
            "--cert",
            &stranger.p("alice.fullchain.pem"),
            "--key",
            &stranger.p("alice.key"),
        ],
    );
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(server.wait_log("UnknownIssuer"), "{}", server.log());

    // The server certificate has no clientAuth EKU: refused.
    let (out, _) = probe(
        &url,
        &[
            "--ca",
            &kit.p("ca.crt"),
            "--cert",
            &kit.p("server.fullchain.pem"),
            "--key",
            &kit.p("server.key"),
        ],
    );
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        server.wait_log("extended key usage for client authentication"),
        "{}",
        server.log()
    );

    // openssl s_client: with alice, the request is answered; without, it is not.
    let with = s_client(
        port,
        &kit.path("ca.crt"),
        &["-cert", &kit.p("alice.crt"), "-key", &kit.p("alice.key")],
    );
    assert!(
        with.stdout.contains("\"verdict\": \"verified\""),
        "{}",
        with.all()
    );
    assert!(with.stdout.contains("\"common_name\": \"alice\""));
    let without = s_client(port, &kit.path("ca.crt"), &[]);
    assert!(!without.stdout.contains("\"verdict\""), "{}", without.all());
    assert!(
        without
            .all()
            .to_lowercase()
            .contains("certificate required"),
        "{}",
        without.all()
    );

    // curl: the same.
    let c = curl(
        port,
        &kit.path("ca.crt"),
        "/info",
        &["--cert", &kit.p("alice.crt"), "--key", &kit.p("alice.key")],
    );
    assert!(c.ok, "{}", c.all());
    let info: serde_json::Value = serde_json::from_str(&c.stdout).expect("json");
    assert_eq!(info["client_certificate"]["common_name"], "alice");
    let c = curl(port, &kit.path("ca.crt"), "/info", &[]);
    assert!(
        !c.ok,
        "curl without a client certificate got an answer: {}",
        c.all()
    );

    // Bob (and alice again) are still served after all those refusals.
    let (out, r) = probe(
        &url,
        &[
            "--ca",
            &kit.p("ca.crt"),
            "--cert",
            &kit.p("bob.fullchain.pem"),
            "--key",
            &kit.p("bob.key"),
        ],
    );
    assert!(out.ok, "{}", out.all());
    assert_eq!(r["greeting"]["client_certificate"]["common_name"], "bob");
    alice_ok(&kit, &server);
    assert!(!server.log().contains("panicked"));
}

#[test]
fn optional_client_certificates() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP384);
    let other = mtls_kit(KeyAlgorithm::EcdsaP256);
    let server = serve_mtls(&kit, &["--client-auth", "optional"]);
    let url = format!("wss://localhost:{}/", server.port());
    let (out, r) = probe(&url, &["--ca", &kit.p("ca.crt")]);
    assert!(out.ok, "{}", out.all());
    assert_eq!(r["greeting"]["verdict"], "no client certificate");
    alice_ok(&kit, &server);
    // A certificate that is sent is still verified.
    let (out, _) = probe(
        &url,
        &[
            "--ca",
            &kit.p("ca.crt"),
            "--cert",
            &other.p("alice.fullchain.pem"),
            "--key",
            &other.p("alice.key"),
        ],
    );
    assert_eq!(out.code, Some(1));
}

#[test]
fn expired_client_certificate_is_refused() {
    let mut spec = certlab::Preset::Mtls.spec(KeyAlgorithm::EcdsaP256);
    spec.servers[0].days = 800;
    for c in &mut spec.clients {
        c.days = 1;
    }
    let opts = certlab::Options {
        now: Some(time::OffsetDateTime::now_utc() - time::Duration::days(30)),
        ..certlab::Options::default()
    };
    let kit = write_kit(
        certlab::generate_with(&spec, &opts, &mut |_| {}).expect("kit issued in the past"),
    );
    let server = serve_mtls(&kit, &[]);
    let url = format!("wss://localhost:{}/", server.port());
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
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(server.wait_log("certificate expired"), "{}", server.log());
}

#[test]
fn encrypted_key_and_password_file() {
    let mut spec = certlab::Preset::Mtls.spec(KeyAlgorithm::EcdsaP256);
    spec.key_password = Some("s3cret pass".into());
    let kit = write_kit(certlab::generate(&spec).expect("kit"));
    std::fs::write(kit.path("pw.txt"), "s3cret pass\n").expect("write pw");
    let server = serve_mtls(&kit, &["--key-password-file", &kit.p("pw.txt")]);
    let url = format!("wss://localhost:{}/", server.port());
    let (out, r) = probe(
        &url,
        &[
            "--ca",
            &kit.p("ca.crt"),
            "--cert",
            &kit.p("alice.fullchain.pem"),
            "--key",
            &kit.p("alice.key"),
            "--key-password",
            "s3cret pass",
        ],
    );
    assert!(out.ok, "{}", out.all());
    assert_eq!(r["greeting"]["client_certificate"]["common_name"], "alice");

    // A wrong password is a clear start-up error, not a panic.
    let bad = run(
        std::process::Command::new(BIN).args([
            "serve",
            "--cert",
            &kit.p("server.fullchain.pem"),
            "--key",
            &kit.p("server.key"),
            "--key-password",
            "wrong",
            "--listen",
            "127.0.0.1:0",
        ]),
        None,
    );
    assert!(!bad.ok);
    assert!(
        bad.stderr.contains("--key") && !bad.stderr.contains("panicked"),
        "{}",
        bad.stderr
    );
}
