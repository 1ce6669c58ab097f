//! One-way TLS: every key type, checked by the probe, openssl s_client and curl.

mod common;

use certlab::KeyAlgorithm;
use common::*;

fn serve_one_way(kit: &KitDir) -> Server {
    Server::start(&[
        "--cert",
        &kit.p("server.fullchain.pem"),
        "--key",
        &kit.p("server.key"),
        "--listen",
        "127.0.0.1:0",
    ])
}

#[test]
fn every_key_type_one_way() {
    for alg in [
        KeyAlgorithm::EcdsaP256,
        KeyAlgorithm::EcdsaP384,
        KeyAlgorithm::Ed25519,
        KeyAlgorithm::Rsa2048,
    ] {
        let kit = mtls_kit(alg);
        let server = serve_one_way(&kit);
        let port = server.port();
        for host in ["localhost", "127.0.0.1"] {
            let url = format!("wss://{host}:{port}/");
            let (out, r) = probe(&url, &["--ca", &kit.p("ca.crt")]);
            assert!(
                out.ok,
                "{alg:?} {host}: probe failed:\n{}\n{}",
                out.all(),
                server.log()
            );
            assert_eq!(r["verification"], "verified");
            assert_eq!(r["echo"], "hello certlab");
            assert_eq!(r["greeting"]["verdict"], "no client certificate");
            assert_eq!(r["greeting"]["client_certificate"], serde_json::Value::Null);
            assert_eq!(r["greeting"]["alpn"], "http/1.1");
            assert_eq!(r["greeting"]["tls_version"], "TLSv1_3");
            assert_eq!(r["server_chain"].as_array().map(Vec::len), Some(2));
        }
        // localhost was sent as SNI; an IP address is never sent as SNI.
        let (_, r) = probe(
            &format!("wss://localhost:{port}/"),
            &["--ca", &kit.p("ca.crt")],
        );
        assert_eq!(r["greeting"]["sni"], "localhost");

        let s = s_client(port, &kit.path("ca.crt"), &[]);
        assert!(
            s.stdout.contains("Verify return code: 0 (ok)"),
            "{alg:?}: s_client:\n{}",
            s.all()
        );
        assert!(
            s.stdout.contains("\"verdict\": \"no client certificate\""),
            "{alg:?}: s_client:\n{}",
            s.all()
        );

        if alg != KeyAlgorithm::Ed25519 || curl_has_ed25519() {
            let c = curl(port, &kit.path("ca.crt"), "/info", &[]);
            assert!(c.ok, "{alg:?}: curl /info:\n{}", c.all());
            let info: serde_json::Value = serde_json::from_str(&c.stdout).expect("json from /info");
            assert_eq!(info["sni"], "localhost");
            assert_eq!(info["verdict"], "no client certificate");
        }
    }
}

/// curl is built on OpenSSL here, which verifies Ed25519 chains; kept as a switch should
/// another TLS backend appear.
fn curl_has_ed25519() -> bool {
    true
}

#[test]
fn http_page_info_and_404() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    let server = serve_one_way(&kit);
    let port = server.port();
    let ca = kit.path("ca.crt");
    let page = curl(port, &ca, "/", &["-i"]);
    assert!(page.ok, "{}", page.all());
    assert!(page.stdout.starts_with("HTTP/1.1 200"), "{}", page.stdout);
    assert!(page.stdout.contains("text/html"));
    assert!(
        page.stdout.contains("<td>localhost</td>"),
        "SNI shown on the page:\n{}",
        page.stdout
    );
    assert!(page.stdout.contains("no client certificate"));
    let code = curl(
        port,
        &ca,
        "/nope",
        &["-o", "/dev/null", "-w", "%{http_code}"],
    );
    assert_eq!(code.stdout, "404");
    let post = curl(
        port,
        &ca,
        "/info",
        &["-X", "POST", "-o", "/dev/null", "-w", "%{http_code}"],
    );
    assert_eq!(post.stdout, "405");
}

#[test]
fn untrusted_server_is_reported() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    let mut spec = certlab::Preset::Mtls.spec(KeyAlgorithm::EcdsaP256);
    spec.root.common_name = "other lab Root CA".into();
    let other = write_kit(certlab::generate(&spec).expect("kit"));
    let server = serve_one_way(&kit);
    let url = format!("wss://localhost:{}/", server.port());

    // Another CA with the same name (kits never share one; openssl makes it): found by
    // name, wrong signature.
    let twin = same_name_ca(&kit);
    let twin_ca = twin.path().join("ca.crt").display().to_string();
    let (out, r) = probe(&url, &["--ca", &twin_ca]);
    assert_eq!(out.code, Some(1));
    assert!(
        r["verification"]
            .as_str()
            .unwrap_or_default()
            .contains("BadSignature"),
        "{}",
        out.stdout
    );

    let (out, r) = probe(&url, &["--ca", &other.p("ca.crt")]);
    assert!(!out.ok);
    assert_eq!(out.code, Some(1));
    let verification = r["verification"].as_str().unwrap_or_default();
    assert!(verification.contains("UnknownIssuer"), "{}", out.stdout);
    let checked = r["checked"].as_str().unwrap_or_default();
    assert!(
        checked.contains("\"localhost\"") && checked.contains("other lab Root CA"),
        "{checked}"
    );
    assert_eq!(
        r["server_chain"].as_array().map(Vec::len),
        Some(2),
        "chain shown even on failure"
    );

    let (out, r) = probe(&url, &[]);
    assert_eq!(out.code, Some(1));
    assert!(r["checked"].as_str().unwrap_or_default().contains("no CA"));

    // A name the certificate does not hold.
    let elsewhere = Server::start(&[
        "--cert",
        &kit.p("server.fullchain.pem"),
        "--key",
        &kit.p("server.key"),
        "--listen",
        "127.0.0.2:0",
    ]);
    let (out, r) = probe(
        &format!("wss://127.0.0.2:{}/", elsewhere.port()),
        &["--ca", &kit.p("ca.crt")],
    );
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        r["verification"]
            .as_str()
            .unwrap_or_default()
            .contains("not valid for name"),
        "{}",
        out.stdout
    );

    // The text output names the same facts.
    let text = run(
        std::process::Command::new(BIN).args(["probe", &url, "--ca", &other.p("ca.crt")]),
        None,
    );
    assert!(!text.ok);
    assert!(
        text.stdout.contains("server chain:") && text.stdout.contains("FAILED"),
        "{}",
        text.stdout
    );

    // And the server is still fine.
    let (out, _) = probe(&url, &["--ca", &kit.p("ca.crt")]);
    assert!(out.ok, "{}", out.all());
}

#[test]
fn rsa_3072_and_4096_one_way() {
    for alg in [KeyAlgorithm::Rsa3072, KeyAlgorithm::Rsa4096] {
        let kit = dev_kit(alg);
        let server = serve_one_way(&kit);
        let port = server.port();
        let (out, r) = probe(
            &format!("wss://localhost:{port}/"),
            &["--ca", &kit.p("ca.crt")],
        );
        assert!(out.ok, "{alg:?}:\n{}\n{}", out.all(), server.log());
        assert_eq!(r["verification"], "verified");
        let s = s_client(port, &kit.path("ca.crt"), &[]);
        assert!(
            s.stdout.contains("Verify return code: 0 (ok)"),
            "{alg:?}: s_client:\n{}",
            s.all()
        );
        let (out, r) = py_client(
            &format!("wss://127.0.0.1:{port}/"),
            &["--ca", &kit.p("ca.crt")],
        );
        assert!(out.ok, "{alg:?}: python:\n{}", out.all());
        assert_eq!(r["greeting"]["verdict"], "no client certificate");
    }
}

/// Keys as openssl users have them (issue 12 §2): the server's key re-encrypted by openssl in
/// its traditional PEM form and as PKCS#8 with DES-EDE3 (`genrsa -des3`'s scheme), given with
/// --key-password; the probe connects and verifies.
#[test]
fn server_keys_openssl_encrypted_the_old_ways() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    let dir = kit.path("");
    for (name, args) in [
        ("trad.key", &["ec", "-aes256"][..]),
        ("des3.key", &["pkcs8", "-topk8", "-v2", "des3"][..]),
    ] {
        let out = std::process::Command::new("openssl")
            .args(args)
            .args([
                "-in",
                "server.key",
                "-passout",
                "pass:old school",
                "-out",
                name,
            ])
            .current_dir(&dir)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let server = Server::start(&[
            "--cert",
            &kit.p("server.fullchain.pem"),
            "--key",
            &kit.p(name),
            "--key-password",
            "old school",
            "--listen",
            "127.0.0.1:0",
        ]);
        let url = format!("wss://localhost:{}/", server.port());
        let (out, r) = probe(&url, &["--ca", &kit.p("ca.crt")]);
        assert!(out.ok, "{name}: {}\n{}", out.all(), server.log());
        assert_eq!(r["verification"], "verified", "{name}");
    }
}
