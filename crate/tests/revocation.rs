//! Revocation (issue 15 §3): a kit's empty CRLs and `certlab revoke`, checked by openssl
//! (`crl -CAfile`, `verify -crl_check`) and by Python's ssl module with
//! VERIFY_CRL_CHECK_LEAF; bad inputs refused with the flag named and nothing written.

mod common;

use common::{certlab, openssl, openssl_fails, run};
use std::fs;
use std::path::Path;

fn ok(args: &[&str], dir: &Path) -> String {
    let (code, text) = certlab(args, dir);
    assert_eq!(code, 0, "certlab {} failed:\n{text}", args.join(" "));
    text
}

/// `certlab revoke` with the kit's root `ca` and these extra flags.
fn revoke(dir: &Path, kit: &str, extra: &[&str]) -> (i32, String) {
    let (cert, key) = (format!("{kit}/ca.crt"), format!("{kit}/ca.key"));
    let args = [&["revoke", "--ca-cert", &cert, "--ca-key", &key][..], extra].concat();
    certlab(&args, dir)
}

/// The serial of a certificate as openssl prints it (upper-case hex).
fn serial(dir: &Path, cert: &str) -> String {
    let out = openssl(dir, &["x509", "-in", cert, "-noout", "-serial"]);
    out.trim().trim_start_matches("serial=").to_string()
}

fn crl_number(text: &str) -> String {
    let after = text.split("X509v3 CRL Number:").nth(1).expect("CRL number");
    after.split_whitespace().next().expect("number").to_string()
}

#[test]
fn kit_crls_verify_and_revoke_keeps_entries() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(
        &["kit", "--preset", "mtls", "--intermediate", "--out", "lab"],
        d,
    );
    let lab = d.join("lab");
    // Every CA has an empty CRL that openssl accepts as signed by it.
    fs::write(
        lab.join("both.pem"),
        [
            fs::read(lab.join("ca.crt")).unwrap(),
            fs::read(lab.join("inter.crt")).unwrap(),
        ]
        .concat(),
    )
    .unwrap();
    for crl in ["ca.crl", "inter.crl"] {
        let out = openssl(
            &lab,
            &["crl", "-in", crl, "-CAfile", "both.pem", "-noout", "-text"],
        );
        assert!(out.contains("verify OK"), "{crl}: {out}");
        assert!(out.contains("No Revoked Certificates"), "{crl}: {out}");
        assert!(out.contains("Authority Key Identifier"), "{crl}: {out}");
        assert_eq!(crl_number(&out), "1", "{crl}: {out}");
    }
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(lab.join("manifest.json")).unwrap()).unwrap();
    let crls: Vec<&str> = m["identities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["files"]["crl"].as_str())
        .collect();
    assert_eq!(crls, ["ca.crl", "inter.crl"]);
    assert!(
        fs::read_to_string(lab.join("README.txt"))
            .unwrap()
            .contains("REVOKE")
    );
    // Leaves are under the intermediate: its CRL is the one that lists them.
    let check = |leaf: &'static str| {
        [
            "verify",
            "-crl_check",
            "-CRLfile",
            "inter.crl",
            "-CAfile",
            "ca.crt",
            "-untrusted",
            "inter.crt",
            leaf,
        ]
    };
    openssl(&lab, &check("alice.crt"));
    let inter = [
        "revoke",
        "--ca-cert",
        "lab/inter.crt",
        "--ca-key",
        "lab/inter.key",
    ];
    let out = ok(
        &[
            &inter[..],
            &[
                "--cert",
                "lab/alice.crt",
                "--crl",
                "lab/inter.crl",
                "--out",
                "lab/inter.crl",
            ],
        ]
        .concat(),
        d,
    );
    assert!(out.contains("CRL number 2,"), "{out}");
    let refused = openssl_fails(&lab, &check("alice.crt"));
    assert!(refused.contains("certificate revoked"), "{refused}");
    openssl(&lab, &check("bob.crt"));
    // Bob by serial, with a reason: alice's entry stays.
    let bob = serial(&lab, "bob.crt");
    ok(
        &[
            &inter[..],
            &[
                "--serial",
                &bob,
                "--reason",
                "superseded",
                "--crl",
                "lab/inter.crl",
                "--out",
                "lab/inter.crl",
            ],
        ]
        .concat(),
        d,
    );
    let text = openssl(
        &lab,
        &[
            "crl",
            "-in",
            "inter.crl",
            "-CAfile",
            "both.pem",
            "-noout",
            "-text",
        ],
    );
    assert!(text.contains(&serial(&lab, "alice.crt")), "{text}");
    assert!(text.contains(&bob) && text.contains("Superseded"), "{text}");
    assert_eq!(crl_number(&text), "3", "{text}");
    assert!(openssl_fails(&lab, &check("bob.crt")).contains("certificate revoked"));
    // Revoking alice again: said, exit 0, the CRL untouched.
    let before = fs::read(lab.join("inter.crl")).unwrap();
    let out = ok(
        &[
            &inter[..],
            &[
                "--cert",
                "lab/alice.crt",
                "--crl",
                "lab/inter.crl",
                "--out",
                "lab/inter.crl",
            ],
        ]
        .concat(),
        d,
    );
    assert!(out.contains("already revoked"), "{out}");
    assert_eq!(fs::read(lab.join("inter.crl")).unwrap(), before);
}

#[test]
fn python_ssl_refuses_a_revoked_client_and_accepts_a_good_one() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(&["kit", "--preset", "mtls", "--out", "lab"], d);
    let (code, out) = revoke(
        d,
        "lab",
        &[
            "--cert",
            "lab/alice.crt",
            "--crl",
            "lab/ca.crl",
            "--out",
            "lab/ca.crl",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let python = std::env::var("CERTLAB_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = format!("{}/tests/py/crl_check.py", env!("CARGO_MANIFEST_DIR"));
    let (ran, text) = run(d, &python, &[&script, "lab", "alice", "bob"]);
    assert!(ran, "crl_check.py failed:\n{text}");
    let v: serde_json::Value = serde_json::from_str(text.trim()).expect(&text);
    assert_eq!(v["bob"], "accepted", "{text}");
    let alice = v["alice"].as_str().unwrap_or_default();
    assert!(alice.starts_with("refused"), "{text}");
    let server = v["_server"].to_string();
    assert!(
        server.contains("certificate revoked"),
        "the server must refuse alice as revoked: {text}"
    );
}

#[test]
fn bad_revocations_are_refused_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(&["kit", "--preset", "mtls", "--out", "lab"], d);
    ok(&["kit", "--preset", "mtls", "--out", "other"], d);
    let refused = |extra: &[&str], flag: &str, says: &str| {
        let (code, text) = revoke(d, "lab", extra);
        assert_eq!(code, 2, "{extra:?}: {text}");
        assert!(
            text.contains(flag) && text.contains(says),
            "{extra:?}: {text}"
        );
        assert!(!d.join("new.crl").exists(), "{extra:?} wrote new.crl");
    };
    refused(
        &["--cert", "other/alice.crt", "--out", "new.crl"],
        "--cert",
        "was not issued by the CA",
    );
    fs::write(d.join("garbage.crl"), b"not a CRL at all").unwrap();
    refused(
        &[
            "--cert",
            "lab/alice.crt",
            "--crl",
            "garbage.crl",
            "--out",
            "new.crl",
        ],
        "--crl",
        "does not parse",
    );
    refused(
        &[
            "--cert",
            "lab/alice.crt",
            "--crl",
            "lab/ca.crt",
            "--out",
            "new.crl",
        ],
        "--crl",
        "no X509 CRL",
    );
    refused(
        &[
            "--cert",
            "lab/alice.crt",
            "--crl",
            "other/ca.crl",
            "--out",
            "new.crl",
        ],
        "--crl",
        "not by the CA",
    );
    // This CA's CRL with one bit of its signature changed.
    let mut der = common::pem_der(&d.join("lab/ca.crl"));
    let last = der.len() - 1;
    der[last] ^= 1;
    fs::write(d.join("forged.crl"), der).unwrap();
    refused(
        &[
            "--cert",
            "lab/alice.crt",
            "--crl",
            "forged.crl",
            "--out",
            "new.crl",
        ],
        "--crl",
        "signature does not verify",
    );
    refused(
        &["--serial", "12zz", "--out", "new.crl"],
        "--serial",
        "is not hex",
    );
    refused(&["--serial", "", "--out", "new.crl"], "--serial", "empty");
    refused(
        &[
            "--cert",
            "lab/alice.crt",
            "--reason",
            "boredom",
            "--out",
            "new.crl",
        ],
        "--reason",
        "keyCompromise",
    );
    // An existing --out that is not the CRL being updated is never replaced.
    fs::write(d.join("keep.txt"), b"mine").unwrap();
    let (code, text) = revoke(
        d,
        "lab",
        &[
            "--cert",
            "lab/alice.crt",
            "--crl",
            "lab/ca.crl",
            "--out",
            "keep.txt",
        ],
    );
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("--out") && text.contains("already exists"),
        "{text}"
    );
    assert_eq!(fs::read(d.join("keep.txt")).unwrap(), b"mine");
    // A new --out beside the current CRL: the current one is left as it was.
    let before = fs::read(d.join("lab/ca.crl")).unwrap();
    let (code, text) = revoke(
        d,
        "lab",
        &[
            "--cert",
            "lab/alice.crt",
            "--crl",
            "lab/ca.crl",
            "--out",
            "new.crl",
        ],
    );
    assert_eq!(code, 0, "{text}");
    assert_eq!(fs::read(d.join("lab/ca.crl")).unwrap(), before);
    let text = openssl(
        d,
        &[
            "crl",
            "-in",
            "new.crl",
            "-CAfile",
            "lab/ca.crt",
            "-noout",
            "-text",
        ],
    );
    assert!(text.contains(&serial(d, "lab/alice.crt")), "{text}");
    let leftovers: Vec<_> = fs::read_dir(d)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}
