//! `certlab gallery` and the client-side lint flags, through the CLI: the gallery folder is
//! written whole (or refused, losing nothing), every certificate in it is what its case says
//! (checked with `openssl verify`), and `certlab lint --host --purpose --ca --crl` names each
//! case's finding — the "certlab predicted this" of the page's Lab panel.

mod common;

use common::{certlab, openssl, openssl_fails};
use std::path::Path;

fn index(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("gallery.json")).expect("gallery.json"))
        .expect("json")
}

fn make(tmp: &Path) -> std::path::PathBuf {
    let (code, out) = certlab(
        &["gallery", "--out", "g", "--zip", "g.zip", "--port", "30001"],
        tmp,
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("certlab-echo gallery g"), "{out}");
    tmp.join("g")
}

#[test]
fn the_gallery_is_written_and_each_certificate_breaks_what_its_case_says() {
    let tmp = tempfile::tempdir().unwrap();
    let g = make(tmp.path());
    let idx = index(&g);
    let cases = idx["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 20);
    assert_eq!(cases[0]["connect"], "127.0.0.1:30001");
    assert_eq!(cases[19]["connect"], "127.0.0.1:30020");
    for f in [
        "ca.crt",
        "ca.crl",
        "stranger-ca.crt",
        "echo.toml",
        "README.txt",
    ] {
        assert!(g.join(f).is_file(), "{f}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(g.join("cases/good.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "keys are private to the user");
    }
    // The zip holds the same folder (Python's zipfile reads it back).
    let (ok, listed) = common::run(tmp.path(), "python3", &["-m", "zipfile", "-l", "g.zip"]);
    assert!(
        ok && listed.contains("gallery/gallery.json") && listed.contains("gallery/cases/good.key"),
        "{listed}"
    );
    let (ok, json) = common::run(
        tmp.path(),
        "python3",
        &[
            "-c",
            "import zipfile,sys; sys.stdout.write(zipfile.ZipFile('g.zip').read('gallery/gallery.json').decode())",
        ],
    );
    assert!(ok, "{json}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&json).unwrap(),
        idx
    );
    // openssl's own verdict on the files, without any network: each fault is in the file.
    let verify = |case: &str, extra: &[&str]| -> (bool, String) {
        let cert = format!("cases/{case}.pem");
        let mut args = vec!["verify", "-CAfile", "ca.crt", "-purpose", "sslserver"];
        args.extend_from_slice(extra);
        args.extend(["-untrusted", &cert, &cert]);
        let (ok, out) = common::run(&g, "openssl", &args);
        (ok, out)
    };
    assert!(verify("good", &[]).0, "{}", verify("good", &[]).1);
    for (case, extra, says) in [
        ("expired", &[][..], "has expired"),
        ("not-yet-valid", &[], "not yet valid"),
        ("wrong-eku", &[], "unsuitable certificate purpose"),
        ("name-constraints", &[], "permitted subtree violation"),
        ("rsa-1024", &["-auth_level", "2"][..], "key too weak"),
        (
            "revoked",
            &["-crl_check", "-CRLfile", "ca.crl"][..],
            "revoked",
        ),
        (
            "missing-intermediate",
            &[],
            "unable to get local issuer certificate",
        ),
    ] {
        let (ok, out) = verify(case, extra);
        assert!(!ok && out.contains(says), "{case}: {out}");
    }
    let subject = openssl(
        &g,
        &[
            "x509",
            "-in",
            "cases/cn-only.pem",
            "-noout",
            "-ext",
            "subjectAltName",
        ],
    );
    assert!(!subject.contains("DNS:"), "cn-only has no SAN: {subject}");
    let text = openssl(&g, &["x509", "-in", "cases/ed25519.pem", "-noout", "-text"]);
    assert!(text.contains("ED25519"), "{text}");
    let days = openssl(
        &g,
        &["x509", "-in", "cases/over-825-days.pem", "-noout", "-dates"],
    );
    assert!(days.contains("notAfter"), "{days}");
    // The stranger's client cannot be verified under the gallery root.
    openssl_fails(
        &g,
        &["verify", "-CAfile", "ca.crt", "clients/mtls-stranger.pem"],
    );
}

#[test]
fn lint_with_the_clients_view_names_every_case() {
    let tmp = tempfile::tempdir().unwrap();
    let g = make(tmp.path());
    let idx = index(&g);
    for c in idx["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let (file, mut args) = match c["client_cert"].as_str() {
            Some(cc) => (cc.to_string(), vec!["--purpose", "client"]),
            None if name == "mtls-missing" => continue,
            None => (
                c["cert"].as_str().unwrap().to_string(),
                vec!["--purpose", "server", "--host", c["sni"].as_str().unwrap()],
            ),
        };
        args.extend(["--ca", "ca.crt", "--crl", "ca.crl", "--json"]);
        let mut all = vec!["lint"];
        all.extend(args);
        all.push(&file);
        let (code, out) = certlab(&all, &g);
        let json: serde_json::Value =
            serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{name}: {e}: {out}"));
        let rules: Vec<&str> = json[0]["inspection"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        let want: Vec<&str> = c["lint"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        for w in &want {
            assert!(rules.contains(w), "{name}: lint should name {w}: {rules:?}");
        }
        if want.is_empty() {
            assert_eq!((code, rules.len()), (0, 0), "{name}: {out}");
        } else {
            let errors = json[0]["inspection"]["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["severity"] == "error");
            assert_eq!(
                code,
                i32::from(errors),
                "{name}: exit 1 exactly when a finding is an error ({out})"
            );
        }
    }
}

#[test]
fn the_gallery_refuses_to_overwrite_and_bad_flags_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let g = make(tmp.path());
    let before = std::fs::read(g.join("ca.crt")).unwrap();
    let (code, out) = certlab(&["gallery", "--out", "g"], tmp.path());
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("already holds a gallery") && out.contains("--force"),
        "{out}"
    );
    assert_eq!(
        std::fs::read(g.join("ca.crt")).unwrap(),
        before,
        "nothing was lost"
    );
    let (code, out) = certlab(&["gallery", "--out", "g", "--force"], tmp.path());
    assert_eq!(code, 0, "{out}");
    assert_ne!(
        std::fs::read(g.join("ca.crt")).unwrap(),
        before,
        "a new root"
    );
    // --force replaces a gallery, never a file of the user's beside it: refused, all kept.
    std::fs::write(g.join("notes.md"), "mine").unwrap();
    let kept = std::fs::read(g.join("ca.crt")).unwrap();
    let (code, out) = certlab(&["gallery", "--out", "g", "--force"], tmp.path());
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("notes.md") && out.contains("not part of the gallery"),
        "{out}"
    );
    assert_eq!(std::fs::read(g.join("notes.md")).unwrap(), b"mine");
    assert_eq!(std::fs::read(g.join("ca.crt")).unwrap(), kept);
    // A folder of other things is not written into.
    std::fs::create_dir(tmp.path().join("other")).unwrap();
    std::fs::write(tmp.path().join("other/notes.txt"), "mine").unwrap();
    let (code, out) = certlab(&["gallery", "--out", "other"], tmp.path());
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no gallery.json"), "{out}");
    assert_eq!(
        std::fs::read_dir(tmp.path().join("other")).unwrap().count(),
        1
    );
    // Ports past 65535.
    let (code, out) = certlab(&["gallery", "--out", "high", "--port", "65530"], tmp.path());
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("port") && out.contains("65516"), "{out}");
    assert!(!tmp.path().join("high").exists());
    // --crl without --ca, and a CRL from another CA.
    let (code, out) = certlab(
        &["lint", "--crl", "g/ca.crl", "g/cases/good.pem"],
        tmp.path(),
    );
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("--crl") && out.contains("--ca"), "{out}");
    let (code, out) = certlab(
        &[
            "lint",
            "--ca",
            "g/stranger-ca.crt",
            "--crl",
            "g/ca.crl",
            "g/cases/good.pem",
        ],
        tmp.path(),
    );
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("--crl"), "{out}");
    assert!(!out.contains("panicked"), "{out}");
}
