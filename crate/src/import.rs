//! Reading keys made elsewhere (PKCS#8 plain or encrypted, SEC1, PKCS#1) and an existing CA
//! (certificate + key) to issue more leaves under. Certificates and CSRs are decoded below,
//! in [`crate::decode`].

use crate::decode::{Cert, KeyUsage, certificates, is_pem, pem_blocks};
use crate::error::{Error, ErrorKind};
use crate::keys::KeyPair;
use ::time::OffsetDateTime;

fn bad(field: &str, kind: ErrorKind, problem: String, fix: &str) -> Error {
    Error::field(field, kind, problem, fix)
}

/// Reads a private key: PEM (`PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, `EC PRIVATE KEY`,
/// `RSA PRIVATE KEY`) or DER (PKCS#8, encrypted PKCS#8, SEC1, PKCS#1).
pub fn private_key(bytes: &[u8], passphrase: Option<&str>, field: &str) -> Result<KeyPair, Error> {
    if is_pem(bytes) {
        let text = String::from_utf8_lossy(bytes);
        if text.contains("Proc-Type: 4,ENCRYPTED") {
            return Err(bad(
                field,
                ErrorKind::BadPem,
                "the key uses OpenSSL's legacy PEM encryption (Proc-Type: 4,ENCRYPTED)".into(),
                "convert it to PKCS#8: `openssl pkcs8 -topk8 -in old.key -out new.key` (add -nocrypt for no passphrase)",
            ));
        }
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
            let enc = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der).map_err(|e| damaged(&e))?;
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
pub fn import_ca(
    cert: &[u8],
    key: &[u8],
    passphrase: Option<&str>,
    now: OffsetDateTime,
) -> Result<ImportedCa, Error> {
    let chain = certificates(cert, "ca_cert")?;
    let key = private_key(key, passphrase, "ca_key")?;
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
