//! The teaching gallery, live: `certlab-echo gallery DIR` serves every case of a gallery the
//! engine made, and openssl s_client and Python `ssl` (echo/tests/gallery/clients.py, which
//! reads gallery.json) connect to each. Every observed outcome must equal the case's
//! `expect`, and every refusal must be for the case's reason (the client's own words).
//! The engine's lint must name each case's finding with the client's view (`Trust`).

mod common;

use certlab::{Outcome, Purpose, Trust};
use common::*;
use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

/// A first port with the gallery's 20 ports free after it.
fn free_range(n: u16) -> u16 {
    for _ in 0..200 {
        let base = free_port();
        if base > 65535 - n {
            continue;
        }
        let all_free =
            (base..base + n).all(|p| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok());
        if all_free {
            return base;
        }
    }
    panic!("no {n} consecutive free loopback ports");
}

/// The words each client uses for each refusal: the case was refused for its reason.
fn reason(case: &str) -> Option<(&'static str, &'static str)> {
    Some(match case {
        "expired" => ("certificate has expired", "certificate has expired"),
        "not-yet-valid" => (
            "certificate is not yet valid",
            "certificate is not yet valid",
        ),
        "wrong-host" => ("hostname mismatch", "Hostname mismatch"),
        "self-signed" => ("self-signed certificate", "self-signed certificate"),
        "unknown-ca" => (
            "self-signed certificate in certificate chain",
            "self-signed certificate in certificate chain",
        ),
        "missing-intermediate" => (
            "unable to get local issuer certificate",
            "unable to get local issuer certificate",
        ),
        "wrong-eku" => (
            "unsuitable certificate purpose",
            "unsuitable certificate purpose",
        ),
        "name-constraints" => ("permitted subtree violation", "permitted subtree violation"),
        "rsa-1024" => ("key too weak", "key too weak"),
        "revoked" => ("certificate revoked", "certificate revoked"),
        "mtls-missing" => ("certificate required", "CERTIFICATE_REQUIRED"),
        "mtls-stranger" => ("unknown ca", "UNKNOWN_CA"),
        "mtls-expired" => ("certificate expired", "CERTIFICATE_EXPIRED"),
        "mtls-revoked" => ("certificate revoked", "CERTIFICATE_REVOKED"),
        "mtls-no-clientauth" => ("unsupported certificate", "UNSUPPORTED_CERTIFICATE"),
        _ => return None,
    })
}

fn word(o: Option<Outcome>) -> &'static str {
    match o {
        Some(Outcome::Accept) => "accept",
        Some(Outcome::Reject) => "reject",
        None => "-",
    }
}

#[test]
fn every_case_is_served_and_openssl_and_python_agree_with_expect() {
    let port = free_range(20);
    let g = certlab::gallery(&certlab::GalleryOptions { port, now: None }).expect("gallery");
    let dir = tempfile::tempdir().expect("tempdir");
    for f in &g.files {
        let path = dir.path().join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &f.bytes).unwrap();
    }
    let server = Proc::spawn(Command::new(BIN).arg("gallery").arg(dir.path()));
    let mut listening = 0;
    while listening < g.index.cases.len() {
        match server.lines.recv_timeout(Duration::from_secs(120)) {
            Ok(l) if l.starts_with("listening wss://") => listening += 1,
            Ok(_) => {}
            Err(_) => panic!(
                "certlab-echo gallery did not list every case; log:\n{}",
                server.log()
            ),
        }
    }
    assert!(
        server.log().contains("gallery: 20 cases"),
        "{}",
        server.log()
    );

    let out = run(
        Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/gallery/clients.py"
            ))
            .arg(dir.path()),
        None,
    );
    assert!(out.ok, "clients.py failed:\n{}", out.all());
    let seen: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(&out.stdout).expect("clients.py prints JSON");
    let mut wrong = Vec::new();
    for c in &g.index.cases {
        let s = &seen[&c.name];
        for (client, want, said_key, i) in [
            ("openssl", c.expect.openssl, "openssl_said", 0),
            ("python", c.expect.python, "python_said", 1),
        ] {
            let got = s[client].as_str().unwrap_or("?");
            let said = s[said_key].as_str().unwrap_or("");
            if got != word(want) {
                wrong.push(format!(
                    "{}: {client} {got}, expected {} ({said})",
                    c.name,
                    word(want)
                ));
            } else if got == "reject"
                && let Some(r) = reason(&c.name)
            {
                let phrase = if i == 0 { r.0 } else { r.1 };
                if !said.contains(phrase) {
                    wrong.push(format!(
                        "{}: {client} refused, but not for its reason `{phrase}`: {said}",
                        c.name
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "observed ≠ expect:\n{}\nserver log:\n{}",
        wrong.join("\n"),
        server.log()
    );
    // The server logged the mutual-TLS refusals with their reasons.
    let log = server.log();
    for needle in ["client certificate refused", "revoked"] {
        assert!(log.contains(needle), "server log lacks `{needle}`:\n{log}");
    }
}

#[test]
fn lint_names_every_broken_case_and_nothing_on_the_controls() {
    let g = certlab::gallery(&certlab::GalleryOptions::default()).expect("gallery");
    let file = |p: &str| {
        g.files
            .iter()
            .find(|f| f.path == p)
            .unwrap_or_else(|| panic!("{p}"))
            .bytes
            .clone()
    };
    let root_der = certlab::certificates(&file(&g.index.ca), "ca")
        .unwrap()
        .remove(0);
    let root = certlab::Cert::from_der(&root_der, "ca").unwrap();
    let crl = certlab::read_crl(&file(&g.index.crl), &root_der).expect("the gallery CRL");
    assert_eq!(
        crl.revoked.len(),
        2,
        "the revoked server and the revoked client"
    );
    let now = certlab::now_utc();
    for c in &g.index.cases {
        let (bytes, purpose, host) = match &c.client_cert {
            Some(cc) => (file(cc), Purpose::Client, None),
            None if c.name == "mtls-missing" => continue,
            None => (file(&c.cert), Purpose::Server, Some(c.sni.clone())),
        };
        let trust = Trust {
            host,
            purpose: Some(purpose),
            anchors: vec![root.clone()],
            crls: vec![(root.subject.clone(), crl.clone())],
        };
        let found = certlab::inspect_with(&bytes, None, now, &trust).expect("inspect");
        let rules: Vec<String> = found
            .findings
            .iter()
            .map(|f| {
                serde_json::to_value(f.rule)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        for want in &c.lint {
            assert!(
                rules.contains(want),
                "{}: lint should name `{want}`, found {rules:?}",
                c.name
            );
        }
        if c.lint.is_empty() {
            assert!(
                rules.is_empty(),
                "{}: a control case has findings {rules:?}",
                c.name
            );
        }
    }
}
