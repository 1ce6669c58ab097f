//! Reading keys made elsewhere (PKCS#8 plain or encrypted, SEC1, PKCS#1) and an existing CA
//! (certificate + key) to issue more leaves under. Certificates and CSRs are decoded below,
//! in [`crate::decode`].

use crate::decode::{Cert, KeyUsage, certificates, is_pem, pem_blocks};
use crate::error::{Error, ErrorKind};
use crate::keys::KeyPair;
use ::time::OffsetDateTime;

mod legacy;

fn bad(field: &str, kind: ErrorKind, problem: String, fix: &str) -> Error {
    Error::field(field, kind, problem, fix)
}

/// Reads a private key: PEM (`PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, `EC PRIVATE KEY`,
/// `RSA PRIVATE KEY`, the last two also with OpenSSL's traditional `Proc-Type: 4,ENCRYPTED`)
/// or DER (PKCS#8, encrypted PKCS#8, SEC1, PKCS#1). Encrypted PKCS#8 is PBES2 with PBKDF2 or
/// scrypt and AES-128/192/256-CBC or DES-EDE3-CBC (what `openssl genrsa -des3` writes).
pub fn private_key(bytes: &[u8], passphrase: Option<&str>, field: &str) -> Result<KeyPair, Error> {
    if is_pem(bytes) {
        let blocks = pem_blocks(bytes, field)?;
        let Some(b) = blocks.iter().find(|b| b.tag().ends_with("PRIVATE KEY")) else {
            let tags: Vec<&str> = blocks.iter().map(|b| b.tag()).collect();
            return Err(bad(
                field,
                ErrorKind::BadPem,
                format!("the PEM holds {} but no private key", tags.join(", ")),
                "give the .key file",
            ));
        };
        let h = b.headers();
        if h.get("Proc-Type").is_some_and(|p| p.contains("ENCRYPTED")) {
            let der = legacy::decrypt(
                h.get("DEK-Info").unwrap_or(""),
                b.contents(),
                passphrase,
                field,
            )?;
            return key_der(b.tag(), &der, None, field).map_err(|e| {
                match e.field_errors().first().map(|f| f.kind) {
                    Some(ErrorKind::BadDer) => legacy::wrong_passphrase(field)(),
                    _ => e,
                }
            });
        }
        return key_der(b.tag(), b.contents(), passphrase, field);
    }
    // DER: try each encoding in turn.
    if pkcs8::PrivateKeyInfoRef::try_from(bytes).is_ok() {
        return key_der("PRIVATE KEY", bytes, passphrase, field);
    }
    if pkcs8::EncryptedPrivateKeyInfoRef::try_from(bytes).is_ok() {
        return key_der("ENCRYPTED PRIVATE KEY", bytes, passphrase, field);
    }
    if sec1::EcPrivateKey::try_from(bytes).is_ok() {
        return key_der("EC PRIVATE KEY", bytes, passphrase, field);
    }
    key_der("RSA PRIVATE KEY", bytes, passphrase, field)
}

fn key_der(tag: &str, der: &[u8], passphrase: Option<&str>, field: &str) -> Result<KeyPair, Error> {
    let damaged = |e: &dyn std::fmt::Display| {
        bad(
            field,
            ErrorKind::BadDer,
            format!("the private key does not parse ({e})"),
            "export the key again; it may be truncated",
        )
    };
    match tag {
        "PRIVATE KEY" => KeyPair::from_pkcs8_der(der).map_err(|e| e.in_field(field)),
        "ENCRYPTED PRIVATE KEY" => {
            let Some(pw) = passphrase.filter(|p| !p.is_empty()) else {
                return Err(bad(
                    field,
                    ErrorKind::WrongPassword,
                    "the key is encrypted and no passphrase was given".into(),
                    "give the key's passphrase",
                ));
            };
            let enc = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der).map_err(|e| {
                match (scheme_oid(der), &e) {
                    // Well-formed, in a scheme the decoder does not know (PBES1, RC2, …).
                    (Some(o), _) if o != pkcs5::pbes2::PBES2_OID => {
                        unsupported_encryption(field, &scheme_name(o))
                    }
                    (Some(_), pkcs8::Error::Asn1(d))
                        if matches!(d.kind(), der::ErrorKind::OidUnknown { .. }) =>
                    {
                        let what = match d.kind() {
                            der::ErrorKind::OidUnknown { oid } => {
                                format!("PBES2 with cipher {oid}")
                            }
                            _ => "PBES2 with an unknown cipher".into(),
                        };
                        unsupported_encryption(field, &what)
                    }
                    _ => damaged(&e),
                }
            })?;
            check_kdf(&enc.encryption_algorithm, field)?;
            let doc = enc.decrypt(pw).map_err(|_| {
                bad(
                    field,
                    ErrorKind::WrongPassword,
                    "the passphrase does not decrypt the key".into(),
                    "check the passphrase (it is case-sensitive)",
                )
            })?;
            KeyPair::from_pkcs8_der(doc.as_bytes()).map_err(|e| e.in_field(field))
        }
        "EC PRIVATE KEY" => {
            let ec = sec1::EcPrivateKey::try_from(der).map_err(|e| damaged(&e))?;
            let curve = ec.parameters.and_then(|p| p.named_curve());
            let key = if curve == Some(crate::oid::P384) {
                p384::SecretKey::from_sec1_der(der)
                    .map_err(|e| damaged(&e))?
                    .to_pkcs8_der()
            } else if curve == Some(crate::oid::P256) || curve.is_none() {
                p256::SecretKey::from_sec1_der(der)
                    .map_err(|e| damaged(&e))?
                    .to_pkcs8_der()
            } else {
                return Err(bad(
                    field,
                    ErrorKind::UnsupportedAlgorithm,
                    format!(
                        "the EC key is on curve {}",
                        curve.map(|c| c.to_string()).unwrap_or_default()
                    ),
                    "use a P-256 or P-384 key",
                ));
            };
            use pkcs8::EncodePrivateKey as _;
            let key = key.map_err(|e| damaged(&e))?;
            KeyPair::from_pkcs8_der(key.as_bytes()).map_err(|e| e.in_field(field))
        }
        "RSA PRIVATE KEY" => {
            use pkcs1::DecodeRsaPrivateKey;
            let k = rsa::RsaPrivateKey::from_pkcs1_der(der).map_err(|_| {
                bad(
                    field,
                    ErrorKind::BadDer,
                    "the key is not a PKCS#8, SEC1 or PKCS#1 private key".into(),
                    "give a PEM or DER private key file",
                )
            })?;
            KeyPair::from_rsa(k).map_err(|e| e.in_field(field))
        }
        other => Err(bad(
            field,
            ErrorKind::BadPem,
            format!("`{other}` keys are not supported"),
            "give a PKCS#8, SEC1 or PKCS#1 key",
        )),
    }
}

pub use crate::decode::MAX_INPUT_BYTES;

pub use crate::decode::{MAX_PBKDF2_ITERATIONS, MAX_SCRYPT_MEMORY, MAX_SCRYPT_N, MAX_SCRYPT_RP};

/// Checks the key-derivation parameters of an encrypted key before any derivation (the limits
/// are the decoding layer's: [`crate::decode::check_pbes2`]).
fn check_kdf(scheme: &pkcs5::EncryptionScheme, field: &str) -> Result<(), Error> {
    let pkcs5::EncryptionScheme::Pbes2(params) = scheme else {
        return Err(unsupported_encryption(field, "PBES1"));
    };
    crate::decode::check_pbes2(
        params,
        field,
        "export the key again with usual settings: `openssl pkcs8 -topk8 -v2 aes-256-cbc -in old.key -out new.key`",
    )
}

/// The encryption scheme OID of an `EncryptedPrivateKeyInfo`, read without knowing the scheme.
fn scheme_oid(der: &[u8]) -> Option<der::asn1::ObjectIdentifier> {
    use der::{Decode, Reader};
    let outer = der::asn1::AnyRef::from_der(der).ok()?;
    let mut r = der::SliceReader::new(outer.value()).ok()?;
    let alg: pkcs8::spki::AlgorithmIdentifierRef<'_> = r.decode().ok()?;
    Some(alg.oid)
}

/// A readable name for an encryption scheme certlab does not read.
fn scheme_name(o: der::asn1::ObjectIdentifier) -> String {
    let dotted = o.to_string();
    if dotted.starts_with("1.2.840.113549.1.12.1.") {
        format!("PKCS#12 password-based encryption (PBES1, {dotted})")
    } else if dotted.starts_with("1.2.840.113549.1.5.") {
        format!("PBES1 ({dotted})")
    } else {
        dotted
    }
}

/// An encrypted key in a scheme certlab does not read (`what`: PBES1, RC2, …), with the
/// command that re-encrypts it in one it does.
fn unsupported_encryption(field: &str, what: &str) -> Error {
    Error::field(
        field,
        ErrorKind::UnsupportedAlgorithm,
        format!(
            "the key is encrypted with {what}, which certlab does not read (it reads PBES2 with AES or DES-EDE3)"
        ),
        "re-encrypt it: `openssl pkcs8 -topk8 -v2 aes-256-cbc -in old.key -out new.key`",
    )
}

/// The chain and key of a CA exported as a .p12: exactly one key, its certificate first (or
/// the certificates in `cert` when given).
fn ca_from_p12(
    cert: &[u8],
    p12: &[u8],
    passphrase: Option<&str>,
) -> Result<(Vec<Vec<u8>>, KeyPair), Error> {
    let contents =
        crate::decode::read_p12(p12, passphrase.unwrap_or(""), "ca_key", "ca_key_password")?;
    let [(key_der, certs)] = &contents.keys[..] else {
        return Err(bad(
            "ca_key",
            ErrorKind::Inconsistent,
            format!(
                "the .p12 holds {} private keys, not one",
                contents.keys.len()
            ),
            "export the CA alone (its certificate and key) to a .p12",
        ));
    };
    let key = KeyPair::from_pkcs8_der(key_der).map_err(|e| e.in_field("ca_key"))?;
    let mut chain = if cert.iter().all(u8::is_ascii_whitespace) {
        certs.iter().chain(&contents.certs).cloned().collect()
    } else {
        certificates(cert, "ca_cert")?
    };
    // The key's own certificate first, whatever order the exporter chose.
    if let Some(i) = chain
        .iter()
        .position(|c| Cert::from_der(c, "ca_key").is_ok_and(|c| c.spki_der == key.spki_der()))
    {
        let own = chain.remove(i);
        chain.insert(0, own);
    }
    if chain.is_empty() {
        return Err(bad(
            "ca_key",
            ErrorKind::Missing,
            "the .p12 holds a key but no certificate".into(),
            "export the CA with its certificate, or give the certificate with --ca-cert",
        ));
    }
    Ok((chain, key))
}

/// An existing CA, checked and ready to sign.
#[derive(Debug)]
pub struct ImportedCa {
    /// The CA certificate, then any issuers given with it.
    pub chain: Vec<Vec<u8>>,
    /// The decoded facts of the CA certificate (`chain[0]`).
    pub cert: Cert,
    /// Its private key.
    pub key: KeyPair,
    /// Lint findings on the CA certificate (e.g. no CN, SHA-1, weak RSA, no constraints).
    pub findings: Vec<crate::lint::Finding>,
}

/// Reads a CA certificate and its key and checks that they belong together, that the
/// certificate is a CA allowed to sign certificates, and that it is valid at `now`.
///
/// `key` may also be a .p12/.pfx bundle holding the CA's key and certificate (as XCA, Windows
/// and KeyStore Explorer export a CA), opened with `passphrase`; `cert` may then be empty, and
/// the bundle's certificates (the CA's own first) are the chain.
pub fn import_ca(
    cert: &[u8],
    key: &[u8],
    passphrase: Option<&str>,
    now: OffsetDateTime,
) -> Result<ImportedCa, Error> {
    let (chain, key) = if crate::decode::looks_like_pkcs12(key) {
        ca_from_p12(cert, key, passphrase)?
    } else if cert.iter().all(u8::is_ascii_whitespace) {
        return Err(bad(
            "ca_cert",
            ErrorKind::Missing,
            "no CA certificate was given".into(),
            "give the CA's certificate (ca.crt), or a .p12 holding the CA's key and certificate as the key",
        ));
    } else {
        (
            certificates(cert, "ca_cert")?,
            private_key(key, passphrase, "ca_key")?,
        )
    };
    let c = Cert::from_der(&chain[0], "ca_cert")?;
    if !c.is_ca {
        return Err(bad(
            "ca_cert",
            ErrorKind::NotACa,
            format!(
                "`{}` is not a CA certificate (basicConstraints CA:TRUE is missing)",
                c.subject
            ),
            "give the CA's certificate, not a server or client certificate",
        ));
    }
    if let Some(ku) = &c.key_usage
        && !ku.contains(&KeyUsage::KeyCertSign)
    {
        return Err(bad(
            "ca_cert",
            ErrorKind::NotACa,
            format!(
                "`{}` may not sign certificates (keyUsage lacks keyCertSign)",
                c.subject
            ),
            "use a CA certificate whose keyUsage includes keyCertSign",
        ));
    }
    if c.spki_der != key.spki_der() {
        return Err(bad(
            "ca_key",
            ErrorKind::KeyMismatch,
            format!(
                "the key does not belong to `{}` (the public keys differ)",
                c.subject
            ),
            "give the private key that was made together with this CA certificate",
        ));
    }
    if c.not_after <= now {
        return Err(bad(
            "ca_cert",
            ErrorKind::Expired,
            format!("the CA expired on {}", c.not_after_rfc3339()),
            "make a new CA; certificates issued under an expired CA are refused everywhere",
        ));
    }
    if c.not_before > now {
        return Err(bad(
            "ca_cert",
            ErrorKind::Expired,
            format!("the CA is not valid before {}", c.not_before_rfc3339()),
            "check this machine's clock",
        ));
    }
    let findings = crate::lint::lint_cert(&c, None, now);
    Ok(ImportedCa {
        chain,
        cert: c,
        key,
        findings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;
    use pkcs5::pbes2::{self, Kdf, Pbkdf2Params, Pbkdf2Prf, Salt, ScryptParams};

    /// An encrypted PKCS#8 key whose KDF is `kdf` (the ciphertext is never reached).
    fn encrypted_with(kdf: Kdf) -> Vec<u8> {
        let params = pbes2::Parameters {
            kdf,
            encryption: pbes2::EncryptionScheme::Aes256Cbc { iv: [7; 16] },
        };
        let info = pkcs8::EncryptedPrivateKeyInfoRef {
            encryption_algorithm: pkcs5::EncryptionScheme::Pbes2(params),
            encrypted_data: der::asn1::OctetStringRef::new(&[0u8; 48]).expect("octets"),
        };
        info.to_der().expect("der")
    }

    fn salt() -> Salt {
        Salt::new([1u8; 16]).expect("salt")
    }

    fn pbkdf2(iteration_count: u32) -> Kdf {
        Kdf::Pbkdf2(Pbkdf2Params {
            salt: salt(),
            iteration_count,
            key_length: None,
            prf: Pbkdf2Prf::HmacWithSha256,
        })
    }

    fn scrypt(n: u64, r: u16, p: u16) -> Kdf {
        Kdf::Scrypt(ScryptParams {
            salt: salt(),
            cost_parameter: n,
            block_size: r,
            parallelization: p,
            key_length: Some(32),
        })
    }

    fn refused(kdf: Kdf, says: &str) {
        let e = private_key(&encrypted_with(kdf), Some("pw"), "ca_key").expect_err("refused");
        let f = &e.field_errors()[0];
        assert_eq!(
            (f.field.as_str(), f.kind),
            ("ca_key", ErrorKind::TooCostly),
            "{e}"
        );
        assert!(f.problem.contains(says), "{e}");
    }

    #[test]
    fn hostile_kdf_parameters_are_refused_before_deriving() {
        // Each of these panicked (N = 0), aborted on allocation (N = 2^32, 2^40) or ran for
        // minutes (PBKDF2 2^32 - 1) before the bounds.
        refused(scrypt(0, 8, 1), "scrypt N = 0");
        refused(scrypt(1 << 32, 8, 1), "scrypt N = 4294967296");
        refused(scrypt(1 << 40, 8, 1), "scrypt N");
        refused(scrypt(1000, 8, 1), "power of two");
        refused(scrypt(1 << 20, 16, 1), "MiB of scrypt memory");
        refused(scrypt(1 << 14, 0, 1), "r = 0");
        refused(scrypt(1 << 14, 8, 9), "r·p");
        refused(pbkdf2(u32::MAX), "4294967295 PBKDF2 iterations");
        refused(pbkdf2(0), "0 PBKDF2 iterations");
    }

    #[test]
    fn usual_kdf_parameters_reach_the_passphrase_check() {
        // Within bounds, the (garbage) ciphertext is tried and the passphrase reported wrong.
        for kdf in [scrypt(1 << 14, 8, 1), pbkdf2(2048)] {
            let e = private_key(&encrypted_with(kdf), Some("pw"), "key").expect_err("garbage");
            assert_eq!(e.field_errors()[0].kind, ErrorKind::WrongPassword, "{e}");
        }
    }
}
