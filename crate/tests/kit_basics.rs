//! What every kit is, checked with openssl: key encodings (PKCS#8 v1 Ed25519, scrypt),
//! serial numbers, validity and clock skew, the zip's contents and modes, and keys made
//! elsewhere (as the page's WebCrypto keys are). Split from `interop.rs`, which checks each
//! key type × role with the verifiers.

mod common;

use certlab::{KeyAlgorithm, KeyEncryption, Preset};
use common::{full_spec, openssl, openssl_rsa_pkcs8, write_kit};

#[test]
fn ed25519_keys_are_pkcs8_v1_and_unencrypted_keys_read() {
    let mut spec = Preset::Dev.spec(KeyAlgorithm::Ed25519);
    spec.key_password = None;
    let kit = certlab::generate(&spec).expect("kit");
    let (_t, dir) = write_kit(&kit);
    let asn1 = openssl(&dir, &["asn1parse", "-in", "server.key"]);
    // PKCS#8 v1: version INTEGER 0 and no [1] public key.
    assert!(
        asn1.contains("INTEGER           :00") && !asn1.contains("cont [ 1 ]"),
        "{asn1}"
    );
    openssl(&dir, &["pkey", "-in", "server.key", "-noout"]);
}

#[test]
fn scrypt_keys_open_with_openssl() {
    let mut spec = Preset::Dev.spec(KeyAlgorithm::EcdsaP256);
    spec.key_password = Some("s3cret".into());
    spec.key_encryption = KeyEncryption::Scrypt;
    let kit = certlab::generate(&spec).expect("kit");
    let (_t, dir) = write_kit(&kit);
    let text = openssl(&dir, &["asn1parse", "-in", "server.key"]);
    assert!(
        text.contains(":scrypt") && text.contains("aes-256-cbc"),
        "{text}"
    );
    openssl(
        &dir,
        &[
            "pkey",
            "-in",
            "server.key",
            "-passin",
            "pass:s3cret",
            "-noout",
        ],
    );
}

#[test]
fn serials_are_random_positive_and_unique() {
    let kit = certlab::generate(&full_spec(KeyAlgorithm::EcdsaP256, true)).expect("kit");
    let serials: std::collections::HashSet<&str> = kit
        .manifest
        .identities
        .iter()
        .map(|i| i.serial.as_str())
        .collect();
    assert_eq!(
        serials.len(),
        kit.manifest.identities.len(),
        "serials repeat"
    );
    for s in serials {
        assert_eq!(s.len(), 32, "16-byte serial expected: {s}");
        let first = u8::from_str_radix(&s[..2], 16).expect("hex");
        assert!(
            first & 0x80 == 0 && first & 0x40 != 0,
            "serial must be positive with fixed length: {s}"
        );
    }
    let again = certlab::generate(&full_spec(KeyAlgorithm::EcdsaP256, true)).expect("kit");
    assert_ne!(
        kit.manifest.identities[0].serial,
        again.manifest.identities[0].serial
    );
}

#[test]
fn validity_defaults_and_clock_skew() {
    let now = time::OffsetDateTime::now_utc();
    let kit = certlab::generate(&Preset::Mtls.spec(KeyAlgorithm::EcdsaP256)).expect("kit");
    let parse = |s: &str| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .expect("rfc3339")
    };
    for i in &kit.manifest.identities {
        let nb = parse(&i.not_before);
        let na = parse(&i.not_after);
        let skew = (now - nb).whole_minutes();
        assert!(
            (55..=65).contains(&skew),
            "notBefore should be ~1 h in the past, is {skew} min"
        );
        let days = (na - now).whole_days();
        let expect = if i.role.is_ca() { 3649 } else { 396 };
        assert!(
            days == expect || days == expect + 1,
            "{}: {days} days",
            i.name
        );
    }
}

#[test]
fn zip_holds_every_file_with_private_modes() {
    let kit = certlab::generate(&Preset::Iot.spec(KeyAlgorithm::EcdsaP256)).expect("kit");
    let bytes = kit.zip("certlab-kit").expect("zip");
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("kit.zip");
    std::fs::write(&path, &bytes).expect("write");
    let script = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nfor i in z.infolist(): print(i.filename, oct(i.external_attr >> 16 & 0o777))";
    let (ok, listing) = common::run(
        tmp.path(),
        "python3",
        &["-c", script, path.to_str().expect("utf8")],
    );
    assert!(ok, "{listing}");
    for a in &kit.artifacts {
        let mode = if a.secret { "0o600" } else { "0o644" };
        assert!(
            listing.contains(&format!("certlab-kit/{} {mode}", a.path)),
            "{} missing or wrong mode in\n{listing}",
            a.path
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&kit.get("manifest.json").expect("manifest").bytes).expect("json");
    let ids = manifest["identities"].as_array().expect("identities");
    assert_eq!(ids.len(), 13);
    let broker = ids.iter().find(|i| i["name"] == "broker").expect("broker");
    assert_eq!(broker["role"], "server");
    assert_eq!(broker["issuer"], "inter");
    assert_eq!(broker["files"]["p12_compat"], "broker.p12");
    assert_eq!(ids[0]["role"], "root-ca");
    assert!(
        ids[0]["files"].get("p12_compat").is_none(),
        "CAs list only the files they have"
    );
    let readme =
        String::from_utf8(kit.get("README.txt").expect("readme").bytes.clone()).expect("utf8");
    assert!(
        readme.contains("certlab-echo serve --cert broker.fullchain.pem --key broker.key"),
        "{readme}"
    );
    assert!(readme.contains("openssl verify -purpose sslclient -CAfile ca.crt -untrusted devices/sensor-0001.chain.pem devices/sensor-0001.crt"), "{readme}");
}

#[test]
fn keys_made_elsewhere_are_used() {
    // What the page does with WebCrypto: a PKCS#8 key made outside the engine.
    let tmp = tempfile::tempdir().expect("tmp");
    let der = openssl_rsa_pkcs8(tmp.path(), 2048);
    let mut spec = Preset::Dev.spec(KeyAlgorithm::Rsa2048);
    spec.root.key = KeyAlgorithm::EcdsaP256;
    let opts = certlab::Options {
        keys: [("server".to_string(), der)].into(),
        ..Default::default()
    };
    let kit = certlab::generate_with(&spec, &opts, &mut |_| {}).expect("kit");
    let (_t, dir) = write_kit(&kit);
    openssl(
        &dir,
        &[
            "verify",
            "-purpose",
            "sslserver",
            "-CAfile",
            "ca.crt",
            "server.crt",
        ],
    );
    let from_cert = openssl(&dir, &["x509", "-in", "server.crt", "-noout", "-pubkey"]);
    let from_given = openssl(
        tmp.path(),
        &["pkey", "-in", "k.der", "-inform", "DER", "-pubout"],
    );
    assert_eq!(from_cert, from_given);
}
