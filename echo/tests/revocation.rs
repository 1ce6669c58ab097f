//! Revocation: `serve --crl` (flag and config file) refuses a revoked client certificate and
//! logs why; `probe --crl` refuses a revoked server; bad CRL inputs are start-up errors.
//! The CRLs come from the engine's `certlab::revoke`, as `certlab revoke` writes them.

mod common;

use certlab::{KeyAlgorithm, Revocation, RevokeTarget};
use common::*;
use std::time::Duration;

/// Writes `file`: the kit root's CRL with `leaves` revoked.
fn revoked_crl(kit: &KitDir, leaves: &[&str], file: &str) {
    let ca = certlab::import_ca(
        &std::fs::read(kit.path("ca.crt")).unwrap(),
        &std::fs::read(kit.path("ca.key")).unwrap(),
        None,
        certlab::now_utc(),
    )
    .expect("import the kit's CA");
    let mut crl = std::fs::read(kit.path("ca.crl")).expect("the kit's empty CRL");
    for leaf in leaves {
        let cert = std::fs::read(kit.path(&format!("{leaf}.crt"))).unwrap();
        match certlab::revoke(
            &ca,
            Some(&crl),
            RevokeTarget::Cert(&cert),
            None,
            certlab::now_utc(),
        )
        .expect("revoke")
        {
            Revocation::Revoked { crl: new, .. } => crl = new.pem().into_bytes(),
            Revocation::AlreadyRevoked(r) => panic!("{leaf} already revoked: {r:?}"),
        }
    }
    std::fs::write(kit.path(file), crl).unwrap();
}

fn client(kit: &KitDir, name: &str) -> Vec<String> {
    [
        "--ca",
        &kit.p("ca.crt"),
        "--cert",
        &kit.p(&format!("{name}.fullchain.pem")),
        "--key",
        &kit.p(&format!("{name}.key")),
    ]
    .map(str::to_string)
    .to_vec()
}

fn probe_as(server: &Server, args: &[String]) -> (Out, serde_json::Value) {
    let url = format!("wss://localhost:{}/", server.port());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    probe(&url, &refs)
}

/// A revoked client is refused in the handshake, the log says it was revoked, the probe's
/// report says the server refused it as revoked; a good client is greeted as verified.
fn refuses_alice_accepts_bob(kit: &KitDir, server: &Server) {
    let (out, r) = probe_as(server, &client(kit, "bob"));
    assert!(out.ok, "bob refused:\n{}\n{}", out.all(), server.log());
    assert_eq!(r["greeting"]["verdict"], "verified");
    let (out, r) = probe_as(server, &client(kit, "alice"));
    assert!(!out.ok, "revoked alice accepted:\n{}", out.all());
    assert_eq!(out.code, Some(3), "a refusal by the peer: {}", out.all());
    let error = r["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("revoked"),
        "the probe must say why: {}",
        out.all()
    );
    assert!(
        server.wait_log_for("was revoked", Duration::from_secs(60)),
        "the server must log the revocation:\n{}",
        server.log()
    );
    let log = server.log();
    let line = log.lines().find(|l| l.contains("was revoked")).unwrap();
    assert!(
        line.contains("alice") && line.contains("TLS handshake failed"),
        "{line}"
    );
    assert!(!log.contains("panicked"), "{log}");
}

#[test]
fn serve_crl_refuses_a_revoked_client() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    revoked_crl(&kit, &["alice"], "revoked.crl");
    let server = Server::start(&[
        "--cert",
        &kit.p("server.fullchain.pem"),
        "--key",
        &kit.p("server.key"),
        "--client-ca",
        &kit.p("ca.crt"),
        "--crl",
        &kit.p("revoked.crl"),
        "--listen",
        "127.0.0.1:0",
    ]);
    refuses_alice_accepts_bob(&kit, &server);
    // With the kit's own (empty) CRL alice is welcome.
    let server = Server::start(&[
        "--cert",
        &kit.p("server.fullchain.pem"),
        "--key",
        &kit.p("server.key"),
        "--client-ca",
        &kit.p("ca.crt"),
        "--crl",
        &kit.p("ca.crl"),
        "--listen",
        "127.0.0.1:0",
    ]);
    let (out, _) = probe_as(&server, &client(&kit, "alice"));
    assert!(out.ok, "{}\n{}", out.all(), server.log());
}

#[test]
fn serve_crl_from_the_config_file() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    revoked_crl(&kit, &["alice"], "revoked.crl");
    std::fs::write(
        kit.path("echo.toml"),
        "cert = \"server.fullchain.pem\"\nkey = \"server.key\"\nclient-ca = [\"ca.crt\"]\n\
         crl = [\"revoked.crl\"]\nlisten = [\"127.0.0.1:0\"]\n",
    )
    .unwrap();
    let server = Server::start(&["--config", &kit.p("echo.toml")]);
    refuses_alice_accepts_bob(&kit, &server);
}

#[test]
fn probe_crl_refuses_a_revoked_server() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    revoked_crl(&kit, &["server"], "server-revoked.crl");
    let server = Server::start(&[
        "--cert",
        &kit.p("server.fullchain.pem"),
        "--key",
        &kit.p("server.key"),
        "--listen",
        "127.0.0.1:0",
    ]);
    let with = |crl: &str| {
        let args = [
            "--ca".to_string(),
            kit.p("ca.crt"),
            "--crl".into(),
            kit.p(crl),
        ];
        probe_as(&server, &args)
    };
    let (out, r) = with("ca.crl");
    assert!(out.ok, "{}", out.all());
    assert_eq!(r["verification"], "verified", "{r}");
    assert!(
        r["checked"].as_str().unwrap_or_default().contains("ca.crl"),
        "{r}"
    );
    let (out, r) = with("server-revoked.crl");
    assert!(!out.ok, "a revoked server was accepted:\n{}", out.all());
    assert_eq!(out.code, Some(1), "our own check failed: {}", out.all());
    let why = r["why"].as_str().unwrap_or_default();
    assert!(
        why.contains("was revoked") && why.contains("localhost"),
        "{r}"
    );
    assert!(
        r["verification"]
            .as_str()
            .unwrap_or_default()
            .starts_with("FAILED"),
        "{r}"
    );
    // Without --crl the probe does not know.
    let (out, _) = probe_as(&server, &["--ca".into(), kit.p("ca.crt")]);
    assert!(out.ok, "{}", out.all());
}

#[test]
fn bad_crl_inputs_are_refused_at_start() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    std::fs::write(kit.path("garbage.crl"), b"not a CRL").unwrap();
    let serve = |extra: &[&str]| {
        let mut args = vec![
            "serve".to_string(),
            "--cert".into(),
            kit.p("server.fullchain.pem"),
            "--key".into(),
            kit.p("server.key"),
            "--listen".into(),
            "127.0.0.1:0".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        run(std::process::Command::new(BIN).args(&args), None)
    };
    for (extra, needle) in [
        (
            vec!["--crl", &kit.p("ca.crl")][..].to_vec(),
            "--crl needs --client-ca",
        ),
        (
            vec![
                "--client-ca",
                &kit.p("ca.crt"),
                "--crl",
                &kit.p("garbage.crl"),
            ],
            "--crl",
        ),
        (
            vec!["--client-ca", &kit.p("ca.crt"), "--crl", &kit.p("ca.crt")],
            "no X509 CRL",
        ),
    ] {
        let out = serve(&extra);
        assert_eq!(out.code, Some(2), "{extra:?}: {}", out.all());
        assert!(out.all().contains(needle), "{extra:?}: {}", out.all());
        assert!(!out.all().contains("panicked"), "{}", out.all());
    }
}
