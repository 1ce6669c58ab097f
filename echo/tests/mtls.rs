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

/// Waits for refusal number `n` (counting from 1) and returns the log line that says so:
/// each refusal is logged exactly once.
fn refusal(server: &Server, n: usize) -> String {
    assert!(
        server.wait_count(
            "TLS handshake failed",
            n,
            std::time::Duration::from_secs(10)
        ),
        "refusal {n} not logged:\n{}",
        server.log()
    );
    let log = server.log();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("TLS handshake failed"))
        .collect();
    assert_eq!(lines.len(), n, "logged more than once:\n{log}");
    assert!(!log.contains("panicked"), "{log}");
    lines[n - 1].to_string()
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
    let same = same_name_ca(&kit);
    let same_file = |f: &str| same.path().join(f).display().to_string();
    let server = serve_mtls(&kit, &[]);
    let port = server.port();
    let url = format!("wss://localhost:{port}/");
    alice_ok(&kit, &server);

    // No certificate: refused (exit 3: the server refused us with a TLS alert).
    let (out, r) = probe(&url, &["--ca", &kit.p("ca.crt")]);
    assert_eq!(out.code, Some(3), "{}", out.all());
    assert_eq!(r["verification"], "verified", "the server itself was fine");
    let line = refusal(&server, 1);
    assert!(
        line.contains("peer sent no certificates")
            && line.contains("no client certificate was sent")
            && line.contains("trusted client CAs: O=certlab lab PKI, OU=kit ")
            && line.contains(", CN=certlab Root CA"),
        "{line}"
    );

    // A client certificate from another CA with the same name (made by openssl): the issuer
    // is found by name, its signature does not match.
    let (out, _) = probe(
        &url,
        &[
            "--ca",
            &kit.p("ca.crt"),
            "--cert",
            &same_file("alice.fullchain.pem"),
            "--key",
            &same_file("alice.key"),
        ],
    );
    assert_eq!(out.code, Some(3), "{}", out.all());
    assert!(
        out.stdout.contains("refused our client certificate"),
        "{}",
        out.stdout
    );
    let line = refusal(&server, 2);
    assert!(
        line.contains("BadSignature")
            && line.contains("check=\"issuer\"")
            && line.contains("another CA with the same name"),
        "{line}"
    );

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
    assert_eq!(out.code, Some(3), "{}", out.all());
    let line = refusal(&server, 3);
    assert!(
        line.contains("UnknownIssuer")
            && line.contains("check=\"issuer\"")
            && line.contains("issued by \"O=certlab lab PKI, OU=kit ")
            && line.contains(", CN=other lab Root CA\"")
            && line.contains("trusted: O=certlab lab PKI, OU=kit "),
        "{line}"
    );

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
    assert_eq!(out.code, Some(3), "{}", out.all());
    let line = refusal(&server, 4);
    assert!(
        line.contains("extended key usage for client authentication")
            && line.contains("check=\"extended key usage\"")
            && line.contains("has extended key usage serverAuth; it lacks clientAuth"),
        "{line}"
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
    refusal(&server, 5);

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
    refusal(&server, 6);

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
    assert_eq!(count(&server.log(), "TLS handshake failed"), 6);
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
    assert_eq!(out.code, Some(3));
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
    assert_eq!(out.code, Some(3), "{}", out.all());
    let line = refusal(&server, 1);
    assert!(
        line.contains("certificate expired")
            && line.contains("check=\"validity\"")
            && line.contains("has expired: not after"),
        "{line}"
    );
}

#[test]
fn not_yet_valid_client_certificate_is_refused() {
    // The server's own identity is valid now; the client kit is issued two days ahead.
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    let opts = certlab::Options {
        now: Some(time::OffsetDateTime::now_utc() + time::Duration::days(2)),
        ..certlab::Options::default()
    };
    let spec = certlab::Preset::Mtls.spec(KeyAlgorithm::EcdsaP256);
    let future = write_kit(certlab::generate_with(&spec, &opts, &mut |_| {}).expect("future kit"));
    let server = Server::start(&[
        "--cert",
        &kit.p("server.fullchain.pem"),
        "--key",
        &kit.p("server.key"),
        "--client-ca",
        &future.p("ca.crt"),
        "--client-auth",
        "optional",
        "--listen",
        "127.0.0.1:0",
    ]);
    let url = format!("wss://localhost:{}/", server.port());
    let (out, _) = probe(
        &url,
        &[
            "--ca",
            &kit.p("ca.crt"),
            "--cert",
            &future.p("alice.fullchain.pem"),
            "--key",
            &future.p("alice.key"),
        ],
    );
    assert_eq!(out.code, Some(3), "{}", out.all());
    let line = refusal(&server, 1);
    assert!(
        line.contains("check=\"validity\"") && line.contains("is not valid yet: not before"),
        "{line}"
    );
    // Still serving (optional mode: a client without a certificate is greeted).
    let (out, r) = probe(&url, &["--ca", &kit.p("ca.crt")]);
    assert!(out.ok, "{}", out.all());
    assert_eq!(r["greeting"]["verdict"], "no client certificate");
}

#[test]
fn p12_identities_compatible_and_modern() {
    for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Rsa2048] {
        let kit = mtls_kit(alg);
        let server = serve_mtls(&kit, &[]);
        let url = format!("wss://localhost:{}/", server.port());
        let id = kit.kit.identity("alice").expect("alice");
        for file in ["alice.p12", "alice.modern.p12"] {
            let (out, r) = probe(
                &url,
                &[
                    "--ca",
                    &kit.p("ca.crt"),
                    "--p12",
                    &kit.p(file),
                    "--password",
                    "changeit",
                ],
            );
            assert!(out.ok, "{alg:?} {file}:\n{}\n{}", out.all(), server.log());
            assert_eq!(
                r["greeting"]["client_certificate"]["sha256"],
                id.sha256.as_str()
            );
        }
        let (out, r) = probe(
            &url,
            &[
                "--ca",
                &kit.p("ca.crt"),
                "--p12",
                &kit.p("alice.p12"),
                "--password",
                "wrong",
            ],
        );
        assert_eq!(out.code, Some(2));
        assert!(
            r["error"]
                .as_str()
                .unwrap_or_default()
                .contains("--password: the .p12 password is wrong"),
            "{}",
            out.stdout
        );
    }
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
