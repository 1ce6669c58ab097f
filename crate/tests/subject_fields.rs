//! Subject fields on every certificate (issue 12 §4): C, ST, L, O, OU kit-wide and per
//! identity, from flags, spec JSON and `issue`, read back by openssl; CAs keep the kit's
//! random OU; RFC 5280's bounds and two-letter countries are enforced with the flag named.

mod common;

use common::certlab;

use std::path::Path;

fn subject(d: &Path, cert: &str) -> String {
    common::openssl(
        d,
        &[
            "x509", "-in", cert, "-noout", "-subject", "-nameopt", "RFC2253",
        ],
    )
}

#[test]
fn subject_fields_from_flags_spec_and_issue() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let fields = [
        "--country",
        "FR",
        "--state",
        "Bretagne",
        "--locality",
        "Brest",
        "--org",
        "ENIB",
        "--ou",
        "Lab 3",
    ];
    let (code, text) = certlab(
        &[&["kit", "--preset", "mtls", "--out", "k"][..], &fields].concat(),
        d,
    );
    assert_eq!(code, 0, "{text}");
    let alice = subject(d, "k/alice.crt");
    assert!(
        alice.contains("CN=alice,OU=Lab 3,O=ENIB,L=Brest,ST=Bretagne,C=FR"),
        "{alice}"
    );
    let ca = subject(d, "k/ca.crt");
    assert!(
        ca.contains("O=ENIB,L=Brest,ST=Bretagne,C=FR") && !ca.contains("Lab 3"),
        "the CA keeps its own OU: {ca}"
    );
    common::openssl(
        d,
        &[
            "verify",
            "-purpose",
            "sslclient",
            "-CAfile",
            "k/ca.crt",
            "k/alice.crt",
        ],
    );
    let manifest = std::fs::read_to_string(d.join("k/manifest.json")).unwrap();
    assert!(
        manifest.contains(r#""subject": "C=FR, ST=Bretagne, L=Brest, O=ENIB, OU=Lab 3, CN=alice""#),
        "{manifest}"
    );

    // Per identity in a spec: alice's own organisation, bob the kit's.
    let spec = r#"{"p12_password": "changeit", "subject": {"country": "FR", "organization": "ENIB"},
        "clients": [{"common_name": "alice", "subject": {"organization": "Cute", "locality": "Brest"}},
                    {"common_name": "bob"}]}"#;
    std::fs::write(d.join("spec.json"), spec).unwrap();
    let (code, text) = certlab(&["kit", "--spec", "spec.json", "--out", "s"], d);
    assert_eq!(code, 0, "{text}");
    assert!(subject(d, "s/alice.crt").contains("CN=alice,O=Cute,L=Brest,C=FR"));
    assert!(subject(d, "s/bob.crt").contains("CN=bob,O=ENIB,C=FR"));

    // A leaf issued later carries its own.
    let ca = [
        "issue",
        "--ca-cert",
        "k/ca.crt",
        "--ca-key",
        "k/ca.key",
        "--client",
        "carol",
    ];
    let (code, text) = certlab(
        &[&ca[..], &["--country", "DE", "--org", "Uni", "--out", "i"]].concat(),
        d,
    );
    assert_eq!(code, 0, "{text}");
    assert!(subject(d, "i/carol.crt").contains("CN=carol,O=Uni,C=DE"));
}

#[test]
fn subject_fields_outside_rfc_5280_are_refused_naming_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let long = "x".repeat(65);
    for (flag, value, says) in [
        ("--country", "France", "two-letter"),
        ("--country", "fr", "two-letter"),
        ("--org", long.as_str(), "at most 64"),
        ("--locality", &"y".repeat(129), "at most 128"),
    ] {
        let (code, text) = certlab(&["kit", "--out", "k", flag, value], d);
        assert_eq!(code, 2, "{flag} {value}: {text}");
        assert!(
            text.contains(&format!("{flag}:")) && text.contains(says),
            "{flag}: {text}"
        );
        assert!(!d.join("k").exists());
    }
    let spec = r#"{"p12_password": "x", "clients": [{"common_name": "a", "subject": {"country": "FRA"}}]}"#;
    std::fs::write(d.join("spec.json"), spec).unwrap();
    let (code, text) = certlab(&["kit", "--spec", "spec.json", "--out", "k"], d);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("clients[0].subject.country"), "{text}");
}
