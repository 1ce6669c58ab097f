//! Every key type × role, checked by real verifiers: `openssl verify -purpose`, `openssl x509
//! -text`, `openssl pkcs12 -info` (both flavours, no -legacy), `openssl pkey -passin`, and
//! rustls-webpki for usage and names.

mod common;

use certlab::KeyAlgorithm;
use common::{full_spec, openssl, openssl_fails, pem_der, write_kit};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use std::path::Path;

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
    chains_verify(d, client_root);
    extensions(d, alg);
    p12_flavours(d, separate_client_ca);
    encrypted_keys(d);
    // DER is the same certificate.
    assert_eq!(
        std::fs::read(d.join("server.der")).expect("der"),
        pem_der(&d.join("server.crt"))
    );
}

/// `openssl verify -purpose PURPOSE -CAfile ROOT -untrusted LEAF.chain.pem [extra] LEAF.crt`.
fn verify_args<'a>(
    purpose: &'a str,
    root: &'a str,
    chain: &'a str,
    extra: &[&'a str],
    leaf: &'a str,
) -> Vec<&'a str> {
    let mut args = vec![
        "verify",
        "-purpose",
        purpose,
        "-CAfile",
        root,
        "-untrusted",
        chain,
    ];
    args.extend_from_slice(extra);
    args.push(leaf);
    args
}

/// Chains verify for their purpose (openssl and webpki), and only for it.
fn chains_verify(d: &Path, client_root: &str) {
    let server = |extra: &[&str]| {
        openssl(
            d,
            &verify_args(
                "sslserver",
                "ca.crt",
                "server.chain.pem",
                extra,
                "server.crt",
            ),
        );
    };
    server(&[]);
    server(&["-verify_hostname", "x.dev.lab"]);
    server(&["-verify_ip", "::1"]);
    for c in ["alice", "bob"] {
        let (crt, chain) = (format!("{c}.crt"), format!("{c}.chain.pem"));
        openssl(d, &verify_args("sslclient", client_root, &chain, &[], &crt));
        webpki_verify(d, &crt, &chain, client_root, false, &[]);
    }
    for dev in ["devices/sensor-01.lab", "devices/sensor-02.lab"] {
        let (crt, chain) = (format!("{dev}.crt"), format!("{dev}.chain.pem"));
        openssl(d, &verify_args("sslclient", "ca.crt", &chain, &[], &crt));
        openssl(d, &verify_args("sslserver", "ca.crt", &chain, &[], &crt));
        webpki_verify(d, &crt, &chain, "ca.crt", false, &[]);
    }
    // A server is not a client, a client is not a server.
    openssl_fails(
        d,
        &verify_args("sslclient", "ca.crt", "server.chain.pem", &[], "server.crt"),
    );
    openssl_fails(
        d,
        &verify_args(
            "sslserver",
            client_root,
            "alice.chain.pem",
            &[],
            "alice.crt",
        ),
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
}

/// Extensions, names and signature algorithms as promised (`openssl x509 -text`).
fn extensions(d: &Path, alg: KeyAlgorithm) {
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
}

/// Both PKCS#12 flavours open without -legacy, hold key + leaf + issuers, and use the
/// promised algorithms.
fn p12_flavours(d: &Path, separate_client_ca: bool) {
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
}

/// Encrypted keys open with the passphrase, and belong to their certificates.
fn encrypted_keys(d: &Path) {
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
