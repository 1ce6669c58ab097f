//! certlab's .p12 reader against the files `openssl pkcs12 -export` writes in each of its
//! encodings: OpenSSL 3's default (PBES2/AES-256, HMAC-SHA256), `-legacy` (RC2-40 and 3DES),
//! the PKCS#12 PBEs one by one, no MAC, no encryption, SHA-2 MACs, certificates alone; and
//! what it refuses (RC4), each with the field and the reason.

mod common;

use certlab::{ErrorKind, KeyAlgorithm, KeyPair, Preset};
use std::path::Path;

/// An mtls kit on disk: alice's key and certificate, the root.
fn kit() -> (tempfile::TempDir, std::path::PathBuf) {
    common::write_kit(&certlab::generate(&Preset::Mtls.spec(KeyAlgorithm::EcdsaP256)).expect("kit"))
}

/// `openssl pkcs12 -export` of alice with the root, password `pw`, and `extra` options.
fn export(d: &Path, out: &str, extra: &[&str]) -> Vec<u8> {
    let base = [
        "pkcs12",
        "-export",
        "-inkey",
        "alice.key",
        "-in",
        "alice.crt",
        "-certfile",
        "ca.crt",
        "-passout",
        "pass:pw",
        "-out",
        out,
    ];
    common::openssl(d, &[&base[..], extra].concat());
    std::fs::read(d.join(out)).expect(out)
}

#[test]
fn every_encoding_openssl_writes_opens_with_the_key_its_certificate_and_the_root() {
    let (_t, d) = kit();
    let (cert, root) = (
        common::pem_der(&d.join("alice.crt")),
        common::pem_der(&d.join("ca.crt")),
    );
    let spki = certlab::Cert::from_der(&cert, "alice")
        .expect("cert")
        .spki_der;
    let cases: [(&str, &[&str]); 10] = [
        ("default", &[]),
        (
            "pbes2-3des",
            &["-certpbe", "DES-EDE3-CBC", "-keypbe", "DES-EDE3-CBC"],
        ),
        ("legacy", &["-legacy"]),
        (
            "3des",
            &[
                "-certpbe",
                "PBE-SHA1-3DES",
                "-keypbe",
                "PBE-SHA1-3DES",
                "-macalg",
                "sha1",
            ],
        ),
        (
            "2des",
            &[
                "-certpbe",
                "PBE-SHA1-2DES",
                "-keypbe",
                "PBE-SHA1-2DES",
                "-macalg",
                "sha224",
            ],
        ),
        (
            "rc2-128",
            &[
                "-legacy",
                "-certpbe",
                "PBE-SHA1-RC2-128",
                "-keypbe",
                "PBE-SHA1-RC2-128",
            ],
        ),
        ("nomac", &["-nomac", "-certpbe", "PBE-SHA1-3DES"]),
        ("plain", &["-certpbe", "NONE", "-keypbe", "NONE"]),
        ("sha512", &["-macalg", "sha512", "-certpbe", "AES-128-CBC"]),
        ("sha384", &["-macalg", "sha384", "-iter", "5000"]),
    ];
    for (name, extra) in cases {
        let p12 = export(&d, &format!("{name}.p12"), extra);
        let got = certlab::read_p12(&p12, "pw", "p12", "password")
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got.keys.len(), 1, "{name}");
        let (key, chain) = &got.keys[0];
        let key = KeyPair::from_pkcs8_der(key).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(key.spki_der(), spki, "{name}: the key is alice's");
        assert_eq!(chain, &vec![cert.clone(), root.clone()], "{name}");
        assert!(got.certs.is_empty(), "{name}");
        // The same file under a wrong password: said of the password, never of the file.
        let e = certlab::read_p12(&p12, "PW", "p12", "password").expect_err(name);
        let f = &e.field_errors()[0];
        assert_eq!(
            (f.kind, f.field.as_str()),
            (ErrorKind::WrongPassword, "password"),
            "{name}: {e}"
        );
    }
}

#[test]
fn certificates_alone_and_a_cipher_certlab_does_not_read() {
    let (_t, d) = kit();
    let (cert, root) = (
        common::pem_der(&d.join("alice.crt")),
        common::pem_der(&d.join("ca.crt")),
    );
    let p12 = export(&d, "nokeys.p12", &["-nokeys"]);
    let got = certlab::read_p12(&p12, "pw", "p12", "password").expect("nokeys");
    assert!(got.keys.is_empty());
    assert_eq!(got.certs, vec![cert, root]);
    // `certlab inspect` shows both certificates of it.
    let (code, text) = common::certlab(&["inspect", "nokeys.p12", "--password", "pw"], &d);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("CN=alice") && text.matches("CN=").count() >= 2,
        "{text}"
    );

    let p12 = export(&d, "rc4.p12", &["-legacy", "-certpbe", "PBE-SHA1-RC4-128"]);
    let e = certlab::read_p12(&p12, "pw", "p12", "password").expect_err("rc4");
    let f = &e.field_errors()[0];
    assert_eq!(
        (f.kind, f.field.as_str()),
        (ErrorKind::UnsupportedAlgorithm, "p12"),
        "{e}"
    );
    assert!(
        f.problem.contains("RC4") && f.fix.contains("openssl pkcs12"),
        "{e}"
    );
}
