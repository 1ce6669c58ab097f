//! Every key type × role, checked by real verifiers: `openssl verify -purpose`, `openssl x509
//! -text`, `openssl pkcs12 -info` (both flavours, no -legacy), `openssl pkey -passin`, and
//! rustls-webpki for usage and names.

mod common;

use certlab::{CaSpec, DeviceBatch, KeyEncryption};
use certlab::{KeyAlgorithm, Preset, Spec};
use common::{openssl, openssl_fails, pem_der, write_kit};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use std::path::Path;

/// A kit with every role: root, intermediate, server, two clients, two devices (one batch
/// acting also as servers), optionally with a separate client CA.
fn full_spec(alg: KeyAlgorithm, separate_client_ca: bool) -> Spec {
    let mut spec = Preset::Mtls.spec(alg);
    spec.intermediate = Some(CaSpec {
        key: alg,
        ..CaSpec::named("inter", "certlab Test Intermediate", 1825)
    });
    if separate_client_ca {
        spec.client_ca = Some(CaSpec {
            key: alg,
            ..CaSpec::named("client-ca", "certlab Test Client CA", 3650)
        });
    }
    spec.servers[0].names = vec![
        "localhost".into(),
        "*.dev.lab".into(),
        "127.0.0.1".into(),
        "::1".into(),
    ];
    spec.clients[0].email = Some("alice@lab.test".into());
    spec.devices = vec![DeviceBatch {
        pattern: "sensor-{n:02}.lab".into(),
        count: 2,
        key: alg,
        server_auth: true,
        ..DeviceBatch::default()
    }];
    spec.key_password = Some("key pass".into());
    spec
}

fn webpki_verify(dir: &Path, leaf: &str, chain: &str, root: &str, server: bool, names: &[&str]) {
    let root_der = CertificateDer::from(pem_der(&dir.join(root)));
    let anchor = webpki::anchor_from_trusted_cert(&root_der).expect("trust anchor");
    let chain_text = std::fs::read_to_string(dir.join(chain)).expect("chain");
    let inter: Vec<CertificateDer<'static>> = pem::parse_many(chain_text)
        .expect("pem")
        .iter()
        .map(|p| CertificateDer::from(p.contents().to_vec()))
        .collect();
    let leaf_der = CertificateDer::from(pem_der(&dir.join(leaf)));
    let ee = webpki::EndEntityCert::try_from(&leaf_der).expect("end entity");
    let usage = if server {
        webpki::KeyUsage::server_auth()
    } else {
        webpki::KeyUsage::client_auth()
    };
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &[anchor],
        &inter,
        UnixTime::now(),
        usage,
        None,
        None,
    )
    .unwrap_or_else(|e| {
        panic!(
            "webpki refused {leaf} for {}: {e:?}",
            if server { "serverAuth" } else { "clientAuth" }
        )
    });
    for n in names {
        let sn = ServerName::try_from(*n).expect("server name");
        ee.verify_is_valid_for_subject_name(&sn)
            .unwrap_or_else(|e| panic!("webpki: {leaf} not valid for {n}: {e:?}"));
    }
}

fn check_kit(alg: KeyAlgorithm, separate_client_ca: bool) {
    let kit = certlab::generate(&full_spec(alg, separate_client_ca)).expect("kit");
    let (_tmp, dir) = write_kit(&kit);
    let d = dir.as_path();
    let client_root = if separate_client_ca {
        "client-ca.crt"
    } else {
        "ca.crt"
    };

    // Chains verify for their purpose.
    openssl(
        d,
        &[
            "verify",
            "-purpose",
            "sslserver",
            "-CAfile",
            "ca.crt",
            "-untrusted",
            "server.chain.pem",
            "server.crt",
        ],
    );
    openssl(
        d,
        &[
            "verify",
            "-purpose",
            "sslserver",
            "-CAfile",
            "ca.crt",
            "-untrusted",
            "server.chain.pem",
            "-verify_hostname",
            "x.dev.lab",
            "server.crt",
        ],
    );
    openssl(
        d,
        &[
            "verify",
            "-purpose",
            "sslserver",
            "-CAfile",
            "ca.crt",
            "-untrusted",
            "server.chain.pem",
            "-verify_ip",
            "::1",
            "server.crt",
        ],
    );
    for c in ["alice", "bob"] {
        openssl(
            d,
            &[
                "verify",
                "-purpose",
                "sslclient",
                "-CAfile",
                client_root,
                "-untrusted",
                &format!("{c}.chain.pem"),
                &format!("{c}.crt"),
            ],
        );
        webpki_verify(
            d,
            &format!("{c}.crt"),
            &format!("{c}.chain.pem"),
            client_root,
            false,
            &[],
        );
    }
    for dev in ["devices/sensor-01.lab", "devices/sensor-02.lab"] {
        openssl(
            d,
            &[
                "verify",
                "-purpose",
                "sslclient",
                "-CAfile",
                "ca.crt",
                "-untrusted",
                &format!("{dev}.chain.pem"),
                &format!("{dev}.crt"),
            ],
        );
        openssl(
            d,
            &[
                "verify",
                "-purpose",
                "sslserver",
                "-CAfile",
                "ca.crt",
                "-untrusted",
                &format!("{dev}.chain.pem"),
                &format!("{dev}.crt"),
            ],
        );
        webpki_verify(
            d,
            &format!("{dev}.crt"),
            &format!("{dev}.chain.pem"),
            "ca.crt",
            false,
            &[],
        );
    }
    // A server is not a client, a client is not a server.
    openssl_fails(
        d,
        &[
            "verify",
            "-purpose",
            "sslclient",
            "-CAfile",
            "ca.crt",
            "-untrusted",
            "server.chain.pem",
            "server.crt",
        ],
    );
    openssl_fails(
        d,
        &[
            "verify",
            "-purpose",
            "sslserver",
            "-CAfile",
            client_root,
            "-untrusted",
            "alice.chain.pem",
            "alice.crt",
        ],
    );
    webpki_verify(
        d,
        "server.crt",
        "server.chain.pem",
        "ca.crt",
        true,
        &["localhost", "api.dev.lab", "127.0.0.1", "::1"],
    );
    webpki_verify(
        d,
        "devices/sensor-01.lab.crt",
        "devices/sensor-01.lab.chain.pem",
        "ca.crt",
        true,
        &["sensor-01.lab"],
    );

    // Extensions as promised.
    let root = openssl(d, &["x509", "-in", "ca.crt", "-noout", "-text"]);
    assert!(
        root.contains("X509v3 Basic Constraints: critical") && root.contains("CA:TRUE"),
        "{root}"
    );
    assert!(
        root.contains("X509v3 Key Usage: critical") && root.contains("Certificate Sign, CRL Sign"),
        "{root}"
    );
    assert!(root.contains("X509v3 Subject Key Identifier"), "{root}");
    assert!(
        root.contains("X509v3 Name Constraints: critical")
            && root.contains("DNS:localhost")
            && root.contains("DNS:lab"),
        "{root}"
    );
    assert!(
        root.contains("Subject: O = certlab lab PKI, OU = kit ")
            && root.contains(", CN = certlab Root CA"),
        "{root}"
    );
    let inter = openssl(d, &["x509", "-in", "inter.crt", "-noout", "-text"]);
    assert!(
        inter.contains("CA:TRUE, pathlen:0") && inter.contains("X509v3 Authority Key Identifier"),
        "{inter}"
    );
    let server = openssl(d, &["x509", "-in", "server.crt", "-noout", "-text"]);
    assert!(
        server.contains("CA:FALSE") && server.contains("TLS Web Server Authentication"),
        "{server}"
    );
    assert!(
        server.contains(
            "DNS:localhost, DNS:*.dev.lab, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"
        ),
        "{server}"
    );
    assert_eq!(
        server.contains("Key Encipherment"),
        alg.is_rsa(),
        "keyEncipherment only for RSA servers:\n{server}"
    );
    assert!(server.contains("Digital Signature"), "{server}");
    let alice = openssl(d, &["x509", "-in", "alice.crt", "-noout", "-text"]);
    assert!(
        alice.contains("TLS Web Client Authentication") && !alice.contains("Server Authentication"),
        "{alice}"
    );
    assert!(
        alice.contains("email:alice@lab.test") && alice.contains("CN = alice"),
        "{alice}"
    );
    let sig = match alg {
        KeyAlgorithm::EcdsaP256 => "ecdsa-with-SHA256",
        KeyAlgorithm::EcdsaP384 => "ecdsa-with-SHA384",
        KeyAlgorithm::Ed25519 => "ED25519",
        _ => "sha256WithRSAEncryption",
    };
    assert!(
        server.contains(&format!("Signature Algorithm: {sig}")),
        "{server}"
    );

    // Both PKCS#12 flavours open without -legacy, hold key + leaf + issuers, and use the
    // promised algorithms.
    for who in ["server", "alice", "devices/sensor-01.lab"] {
        let compat = openssl(
            d,
            &[
                "pkcs12",
                "-in",
                &format!("{who}.p12"),
                "-info",
                "-noout",
                "-passin",
                "pass:changeit",
            ],
        );
        assert!(
            compat.contains("MAC: sha1")
                && compat.matches("pbeWithSHA1And3-KeyTripleDES-CBC").count() == 2,
            "{compat}"
        );
        assert!(!compat.contains("RC2"), "{compat}");
        let modern = openssl(
            d,
            &[
                "pkcs12",
                "-in",
                &format!("{who}.modern.p12"),
                "-info",
                "-noout",
                "-passin",
                "pass:changeit",
            ],
        );
        assert!(
            modern.contains("MAC: sha256")
                && modern.matches("PBES2, PBKDF2, AES-256-CBC").count() == 2,
            "{modern}"
        );
        let certs = openssl(
            d,
            &[
                "pkcs12",
                "-in",
                &format!("{who}.p12"),
                "-nokeys",
                "-passin",
                "pass:changeit",
            ],
        );
        assert_eq!(
            certs.matches("BEGIN CERTIFICATE").count(),
            if who == "alice" && separate_client_ca {
                2
            } else {
                3
            },
            "{certs}"
        );
        openssl_fails(
            d,
            &[
                "pkcs12",
                "-in",
                &format!("{who}.p12"),
                "-info",
                "-noout",
                "-passin",
                "pass:wrong",
            ],
        );
    }

    // Encrypted keys open with the passphrase, and belong to their certificates.
    for who in ["ca", "inter", "server", "alice", "devices/sensor-02.lab"] {
        let key = std::fs::read_to_string(d.join(format!("{who}.key"))).expect("key");
        assert!(
            key.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
            "{key}"
        );
        let from_key = openssl(
            d,
            &[
                "pkey",
                "-in",
                &format!("{who}.key"),
                "-passin",
                "pass:key pass",
                "-pubout",
            ],
        );
        let from_cert = openssl(
            d,
            &["x509", "-in", &format!("{who}.crt"), "-noout", "-pubkey"],
        );
        assert_eq!(from_key, from_cert, "{who}.key does not match {who}.crt");
        openssl_fails(
            d,
            &[
                "pkey",
                "-in",
                &format!("{who}.key"),
                "-passin",
                "pass:nope",
                "-noout",
            ],
        );
    }
    // DER is the same certificate.
    assert_eq!(
        std::fs::read(d.join("server.der")).expect("der"),
        pem_der(&d.join("server.crt"))
    );
}

#[test]
fn ecdsa_p256_every_role() {
    check_kit(KeyAlgorithm::EcdsaP256, false);
    check_kit(KeyAlgorithm::EcdsaP256, true);
}

#[test]
fn ecdsa_p384_every_role() {
    check_kit(KeyAlgorithm::EcdsaP384, true);
}

#[test]
fn ed25519_every_role() {
    check_kit(KeyAlgorithm::Ed25519, false);
}

#[test]
fn rsa2048_every_role() {
    check_kit(KeyAlgorithm::Rsa2048, true);
}

#[test]
fn rsa3072_every_role() {
    check_kit(KeyAlgorithm::Rsa3072, false);
}

#[test]
fn rsa4096_every_role() {
    check_kit(KeyAlgorithm::Rsa4096, false);
}

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
    openssl(
        tmp.path(),
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "k.pem",
        ],
    );
    openssl(
        tmp.path(),
        &[
            "pkcs8", "-topk8", "-nocrypt", "-in", "k.pem", "-outform", "DER", "-out", "k.der",
        ],
    );
    let der = std::fs::read(tmp.path().join("k.der")).expect("der");
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
