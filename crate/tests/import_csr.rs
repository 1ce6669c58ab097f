//! Bringing an existing CA (made by openssl, in every key format) and signing CSRs made on a
//! device: `openssl req -verify` accepts the requests, certlab verifies them itself, and the
//! certificates it issues verify with openssl and webpki.

mod common;

use certlab::{ErrorKind, KeyAlgorithm, Options, Preset, Role};
use certlab::{LeafSpec, issue_leaf};
use common::{openssl, write_kit};
use std::path::Path;

fn now() -> time::OffsetDateTime {
    certlab::now_utc()
}

/// Makes an openssl CA with subject C/O/CN and SKI, key written as `ca.key` in `key_format`.
fn openssl_ca(dir: &Path, keyopt: &[&str], key_format: &str) {
    let mut args = vec![
        "req",
        "-x509",
        "-new",
        "-nodes",
        "-days",
        "3650",
        "-subj",
        "/C=US/O=Lab Inc/CN=Lab Root",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout",
        "ca.p8.key",
        "-out",
        "ca.crt",
    ];
    args.extend_from_slice(keyopt);
    openssl(dir, &args);
    match key_format {
        "pkcs8" => {
            std::fs::copy(dir.join("ca.p8.key"), dir.join("ca.key")).expect("copy");
        }
        "traditional" => {
            openssl(
                dir,
                &["pkey", "-in", "ca.p8.key", "-traditional", "-out", "ca.key"],
            );
        }
        "encrypted" => {
            openssl(
                dir,
                &[
                    "pkcs8",
                    "-topk8",
                    "-v2",
                    "aes-256-cbc",
                    "-in",
                    "ca.p8.key",
                    "-passout",
                    "pass:capass",
                    "-out",
                    "ca.key",
                ],
            );
        }
        "der" => {
            openssl(
                dir,
                &[
                    "pkey",
                    "-in",
                    "ca.p8.key",
                    "-outform",
                    "DER",
                    "-out",
                    "ca.key",
                ],
            );
        }
        other => panic!("{other}"),
    }
}

fn leaf(role: Role, cn: &str, names: &[&str]) -> LeafSpec {
    LeafSpec {
        role,
        common_name: cn.into(),
        names: names.iter().map(|s| s.to_string()).collect(),
        p12_password: "pw".into(),
        ..LeafSpec::default()
    }
}

#[test]
fn openssl_made_cas_issue_leaves_in_every_key_format() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
            "traditional",
        ),
        (
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            "der",
        ),
        (&["-newkey", "rsa:3072"], "traditional"),
        (&["-newkey", "rsa:2048"], "encrypted"),
        (&["-newkey", "ed25519"], "pkcs8"),
    ];
    for (keyopt, fmt) in cases {
        let tmp = tempfile::tempdir().expect("tmp");
        let d = tmp.path();
        openssl_ca(d, keyopt, fmt);
        let pass = (*fmt == "encrypted").then_some("capass");
        let ca = certlab::import_ca(
            &std::fs::read(d.join("ca.crt")).expect("crt"),
            &std::fs::read(d.join("ca.key")).expect("key"),
            pass,
            now(),
        )
        .unwrap_or_else(|e| panic!("{keyopt:?} {fmt}: {e}"));
        assert_eq!(ca.cert.name(), "Lab Root");
        for spec in [
            leaf(Role::Server, "", &["api.lab", "10.0.0.7"]),
            leaf(Role::Client, "carol", &[]),
        ] {
            let kit = issue_leaf(&ca, &spec, None, &Options::default())
                .unwrap_or_else(|e| panic!("{keyopt:?}: {e}"));
            let (_t, out) = write_kit(&kit);
            let name = if spec.role == Role::Server {
                "api.lab"
            } else {
                "carol"
            };
            let purpose = if spec.role == Role::Server {
                "sslserver"
            } else {
                "sslclient"
            };
            std::fs::copy(d.join("ca.crt"), out.join("openssl-ca.crt")).expect("copy");
            openssl(
                &out,
                &[
                    "verify",
                    "-purpose",
                    purpose,
                    "-CAfile",
                    "openssl-ca.crt",
                    &format!("{name}.crt"),
                ],
            );
            let text = openssl(
                &out,
                &[
                    "x509",
                    "-in",
                    &format!("{name}.crt"),
                    "-noout",
                    "-text",
                    "-nameopt",
                    "RFC2253",
                ],
            );
            assert!(
                text.contains("Issuer: CN=Lab Root,O=Lab Inc,C=US"),
                "{text}"
            );
            // The AKI of the leaf is the SKI of the openssl CA.
            let ca_text = openssl(
                d,
                &[
                    "x509",
                    "-in",
                    "ca.crt",
                    "-noout",
                    "-ext",
                    "subjectKeyIdentifier",
                ],
            );
            let ski = ca_text.lines().nth(1).expect("ski").trim().to_string();
            assert!(text.contains(&ski), "AKI {ski} missing in\n{text}");
            openssl(
                &out,
                &[
                    "pkcs12",
                    "-in",
                    &format!("{name}.p12"),
                    "-info",
                    "-noout",
                    "-passin",
                    "pass:pw",
                ],
            );
            assert!(
                !out.join("ca.key").exists(),
                "the CA key must never be written by issue"
            );
        }
    }
}

#[test]
fn csrs_of_every_key_type_are_verified_and_signed() {
    let kit = certlab::generate(&Preset::Dev.spec(KeyAlgorithm::EcdsaP256)).expect("kit");
    let (_t, kd) = write_kit(&kit);
    let ca = certlab::import_ca(
        &std::fs::read(kd.join("ca.crt")).expect("crt"),
        &std::fs::read(kd.join("ca.key")).expect("key"),
        None,
        now(),
    )
    .expect("ca");
    let keys: &[(&str, &[&str])] = &[
        (
            "p256",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        ),
        (
            "p384",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
        ),
        ("ed25519", &["-newkey", "ed25519"]),
        ("rsa", &["-newkey", "rsa:2048"]),
    ];
    for (name, opts) in keys {
        let tmp = tempfile::tempdir().expect("tmp");
        let d = tmp.path();
        let mut args = vec![
            "req",
            "-new",
            "-nodes",
            "-keyout",
            "dev.key",
            "-out",
            "dev.csr",
            "-subj",
            "/CN=dev-1",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        ];
        args.extend_from_slice(opts);
        openssl(d, &args);
        openssl(d, &["req", "-in", "dev.csr", "-verify", "-noout"]);
        let csr = certlab::parse_csr(&std::fs::read(d.join("dev.csr")).expect("csr"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(csr.requested_ca, "the CSR asked for CA:TRUE");
        assert_eq!(csr.common_name.as_deref(), Some("dev-1"));
        let spec = LeafSpec {
            role: Role::Server,
            ..LeafSpec::default()
        };
        let out_kit = issue_leaf(&ca, &spec, Some(&csr), &Options::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            out_kit.artifacts.iter().all(|a| !a.secret),
            "no key or p12 may be written for a CSR"
        );
        let (_t2, out) = write_kit(&out_kit);
        std::fs::copy(kd.join("ca.crt"), out.join("root.crt")).expect("copy");
        openssl(
            &out,
            &[
                "verify",
                "-purpose",
                "sslserver",
                "-CAfile",
                "root.crt",
                "dev-1.crt",
            ],
        );
        let text = openssl(&out, &["x509", "-in", "dev-1.crt", "-noout", "-text"]);
        assert!(
            text.contains("CA:FALSE") && !text.contains("CA:TRUE"),
            "a CSR's CA:TRUE must never be honoured:\n{text}"
        );
        assert!(
            text.contains("DNS:localhost, IP Address:127.0.0.1"),
            "{text}"
        );
        // Same public key as the CSR.
        let from_cert = openssl(&out, &["x509", "-in", "dev-1.crt", "-noout", "-pubkey"]);
        let from_key = openssl(d, &["pkey", "-in", "dev.key", "-pubout"]);
        assert_eq!(from_cert, from_key, "{name}");
    }
}

#[test]
fn tampered_csr_is_refused_with_bad_signature() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    openssl(
        d,
        &[
            "req",
            "-new",
            "-nodes",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-keyout",
            "k",
            "-subj",
            "/CN=victim",
            "-outform",
            "DER",
            "-out",
            "r.der",
        ],
    );
    let mut der = std::fs::read(d.join("r.der")).expect("der");
    let pos = der.windows(6).position(|w| w == b"victim").expect("cn");
    der[pos] = b'V';
    let err = certlab::parse_csr(&der).expect_err("tampered");
    assert_eq!(err.field_errors()[0].kind, ErrorKind::BadSignature);
    assert_eq!(err.field_errors()[0].field, "csr");
}

#[test]
fn inspect_explains_every_kind_of_file() {
    let mut spec = Preset::Mtls.spec(KeyAlgorithm::EcdsaP256);
    spec.key_password = Some("kp".into());
    let kit = certlab::generate(&spec).expect("kit");
    for path in [
        "ca.crt",
        "ca.der",
        "server.fullchain.pem",
        "alice.p12",
        "alice.modern.p12",
        "alice.key",
    ] {
        let bytes = &kit.get(path).expect(path).bytes;
        let pw = if path.ends_with(".p12") {
            Some("changeit")
        } else {
            Some("kp")
        };
        let r = certlab::inspect(bytes, pw, now()).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(!r.items.is_empty(), "{path}");
        let errors: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.severity == certlab::Severity::Error)
            .collect();
        assert!(
            errors.is_empty(),
            "{path}: a fresh kit must lint clean: {errors:?}"
        );
    }
    let full = certlab::inspect(
        &kit.get("server.fullchain.pem").expect("fc").bytes,
        None,
        now(),
    )
    .expect("fc");
    assert_eq!(full.items.len(), 2);
    let wrong = certlab::inspect(
        &kit.get("alice.p12").expect("p12").bytes,
        Some("nope"),
        now(),
    )
    .expect_err("wrong password");
    assert_eq!(wrong.field_errors()[0].kind, ErrorKind::WrongPassword);
}

#[test]
fn lint_catches_what_clients_reject() {
    // The classic broken dev certificate: CN only, no SAN, no EKU, CA:TRUE, 10 years.
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-new",
            "-nodes",
            "-newkey",
            "rsa:2048",
            "-keyout",
            "k",
            "-out",
            "bad.crt",
            "-days",
            "3650",
            "-subj",
            "/CN=localhost",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "extendedKeyUsage=serverAuth",
            "-addext",
            "subjectAltName=DNS:*.com,DNS:127.0.0.1",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-new",
            "-nodes",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-keyout",
            "k2",
            "-out",
            "nosan.crt",
            "-days",
            "1000",
            "-subj",
            "/CN=app.example.test",
            "-addext",
            "basicConstraints=CA:FALSE",
            "-addext",
            "extendedKeyUsage=serverAuth",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-new",
            "-nodes",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-keyout",
            "k3",
            "-out",
            "noeku.crt",
            "-days",
            "30",
            "-subj",
            "/O=NoName",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        ],
    );
    let rules = |file: &str| -> Vec<certlab::Rule> {
        let r = certlab::inspect(&std::fs::read(d.join(file)).expect("read"), None, now())
            .expect("inspect");
        r.findings.iter().map(|f| f.rule).collect()
    };
    use certlab::Rule::*;
    let bad = rules("bad.crt");
    for r in [AppleValidity825, BadWildcard, IpAsDnsName, CaAsLeaf] {
        assert!(bad.contains(&r), "{r:?} missing: {bad:?}");
    }
    let nosan = rules("nosan.crt");
    assert!(
        nosan.contains(&MissingSan) && nosan.contains(&AppleValidity825),
        "{nosan:?}"
    );
    assert!(rules("noeku.crt").contains(&RootWithoutCn));
    // RSA-1024 and SHA-1, signed by a CA so the SHA-1 signature counts.
    let (ok, _) = common::run(
        d,
        "openssl",
        &[
            "req",
            "-x509",
            "-new",
            "-nodes",
            "-newkey",
            "rsa:1024",
            "-keyout",
            "k4",
            "-out",
            "weak.crt",
            "-days",
            "30",
            "-subj",
            "/CN=weak",
            "-sha1",
            "-addext",
            "subjectAltName=DNS:weak.lab",
        ],
    );
    if ok {
        let weak = rules("weak.crt");
        assert!(weak.contains(&RsaTooSmall), "{weak:?}");
    }
    let spec_findings: Vec<_> = {
        let mut s = Preset::Dev.spec(KeyAlgorithm::Ed25519);
        s.servers[0].days = 900;
        s.p12_password.clear();
        certlab::lint_spec(&s).into_iter().map(|f| f.rule).collect()
    };
    for r in [AppleValidity825, Ed25519NotForBrowsers, EmptyP12Password] {
        assert!(
            spec_findings.contains(&r),
            "{r:?} missing: {spec_findings:?}"
        );
    }
}
