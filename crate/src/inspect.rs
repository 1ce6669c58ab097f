//! Inspect: decode any certificate, chain, CSR, private key or .p12 into a structured view
//! (what `openssl x509 -text` shows, in plain words) with the lint findings.

use crate::decode::{self, Cert, KeyType};
use crate::error::{Error, ErrorKind};
use crate::import;
use crate::lint::{self, Finding, Trust};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate, X509CertificationRequest};

/// A decoded certificate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CertInfo {
    /// Subject, RFC 4514 style.
    pub subject: String,
    /// Subject CN.
    pub common_name: Option<String>,
    /// Issuer.
    pub issuer: String,
    /// Serial, lower-case hex.
    pub serial: String,
    /// Start of validity, RFC 3339.
    pub not_before: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
    /// Whole days between the two.
    pub validity_days: i64,
    /// `ECDSA P-256`, `RSA 2048`, `Ed25519`, ….
    pub key_algorithm: String,
    /// RSA modulus size.
    pub rsa_bits: Option<u32>,
    /// `ecdsa-with-SHA256`, `sha256WithRSAEncryption`, ….
    pub signature_algorithm: String,
    /// basicConstraints CA:TRUE.
    pub is_ca: bool,
    /// pathLenConstraint.
    pub path_len: Option<u32>,
    /// keyUsage bits.
    pub key_usage: Vec<String>,
    /// extendedKeyUsage purposes.
    pub extended_key_usage: Vec<String>,
    /// subjectAltNames.
    pub sans: Vec<String>,
    /// Permitted name-constraint subtrees.
    pub name_constraints: Vec<String>,
    /// Subject key identifier, hex.
    pub subject_key_id: Option<String>,
    /// Authority key identifier, hex.
    pub authority_key_id: Option<String>,
    /// SHA-256 fingerprint of the DER, hex.
    pub sha256: String,
    /// Subject == issuer.
    pub self_signed: bool,
    /// Plain-words explanation of each field.
    pub explained: Vec<String>,
}

impl CertInfo {
    /// Decodes a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        Ok(Self::of(&Cert::from_der(der, "certificate")?))
    }

    /// The explained view of decoded facts.
    pub fn of(c: &Cert) -> Self {
        let mut info = CertInfo {
            subject: c.subject.clone(),
            common_name: c.common_name.clone(),
            issuer: c.issuer.clone(),
            serial: c.serial_hex(),
            not_before: c.not_before_rfc3339(),
            not_after: c.not_after_rfc3339(),
            validity_days: c.validity_days(),
            key_algorithm: c.key.to_string(),
            rsa_bits: match c.key {
                KeyType::Rsa(bits) => Some(bits),
                _ => None,
            },
            signature_algorithm: c.signature.to_string(),
            is_ca: c.is_ca,
            path_len: c.path_len,
            key_usage: c
                .key_usage
                .iter()
                .flatten()
                .map(|k| k.name().to_string())
                .collect(),
            extended_key_usage: c.eku.iter().map(|e| e.to_string()).collect(),
            sans: c.san_strings(),
            name_constraints: c.constraints.iter().map(|t| t.to_string()).collect(),
            subject_key_id: c.subject_key_id.as_ref().map(hex::encode),
            authority_key_id: c.authority_key_id.as_ref().map(hex::encode),
            sha256: c.sha256_hex(),
            self_signed: c.self_signed,
            explained: Vec::new(),
        };
        info.explained = explain(&info);
        info
    }
}

fn explain(c: &CertInfo) -> Vec<String> {
    let mut v = vec![
        format!(
            "Subject `{}`: who this certificate is about. Browsers ignore the common name for host names and read the SAN instead.",
            c.subject
        ),
        if c.self_signed {
            "Self-signed: issuer and subject are the same, so this is a root. It is trusted only where you import it.".to_string()
        } else {
            format!(
                "Issued by `{}`: the CA whose signature makes this certificate trusted.",
                c.issuer
            )
        },
        format!(
            "Valid from {} to {} ({} days). Clients refuse it outside this window.",
            c.not_before, c.not_after, c.validity_days
        ),
        format!(
            "Key: {}; signature: {}.",
            c.key_algorithm, c.signature_algorithm
        ),
    ];
    if c.is_ca {
        v.push(format!(
            "CA:TRUE — it may sign other certificates{}.",
            c.path_len
                .map(|p| format!(", with at most {p} CA(s) below it"))
                .unwrap_or_default()
        ));
    } else {
        v.push(
            "CA:FALSE — an end-entity (leaf) certificate; it cannot sign other certificates."
                .into(),
        );
    }
    if !c.sans.is_empty() {
        v.push(format!("Subject Alternative Names {}: the only names and addresses a client accepts this certificate for.", c.sans.join(", ")));
    }
    if !c.extended_key_usage.is_empty() {
        v.push(format!("Extended key usage {}: serverAuth lets it identify a TLS server, clientAuth a TLS client (mutual TLS).", c.extended_key_usage.join(", ")));
    }
    if !c.name_constraints.is_empty() {
        v.push(format!("Name constraints {}: certificates it signs are valid only for these names, so a leaked key cannot impersonate other sites.", c.name_constraints.join(", ")));
    }
    v.push(format!(
        "SHA-256 fingerprint {}: compare it when you import the certificate elsewhere.",
        c.sha256
    ));
    v
}

/// A decoded certificate signing request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CsrInfo {
    /// Subject CN.
    pub common_name: Option<String>,
    /// Requested SANs.
    pub sans: Vec<String>,
    /// Key algorithm.
    pub key_algorithm: String,
    /// Signature algorithm.
    pub signature_algorithm: String,
    /// Whether it asks to be a CA (certlab never grants it).
    pub requests_ca: bool,
    /// The signature verified (always true: a bad one is an error).
    pub signature_valid: bool,
}

/// A decoded private key (never its secret).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyInfo {
    /// Algorithm.
    pub key_algorithm: String,
    /// Key identifier (SHA-256 of the SPKI, 20 bytes), to match with a certificate's SKI.
    pub key_id: String,
}

/// One thing found in the input.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Item {
    /// A certificate.
    Certificate(Box<CertInfo>),
    /// A CSR.
    Csr(CsrInfo),
    /// A private key.
    PrivateKey(KeyInfo),
}

/// The result of inspecting some bytes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Inspection {
    /// `PEM`, `DER` or `PKCS#12`.
    pub format: String,
    /// What was found, in order.
    pub items: Vec<Item>,
    /// Lint findings for all certificates (each checked against the next one as its issuer).
    pub findings: Vec<Finding>,
}

/// What was read so far: the view items, and the decoded certificates in the same order
/// (lint reads those).
#[derive(Default)]
struct Found {
    items: Vec<Item>,
    certs: Vec<Cert>,
    findings: Vec<Finding>,
}

impl Found {
    fn cert(&mut self, der: &[u8]) -> Result<(), Error> {
        let c = Cert::from_der(der, "certificate")?;
        self.items
            .push(Item::Certificate(Box::new(CertInfo::of(&c))));
        self.certs.push(c);
        Ok(())
    }

    fn key(&mut self, bytes: &[u8], password: Option<&str>) -> Result<(), Error> {
        let k = import::private_key(bytes, password, "input")?;
        self.items.push(Item::PrivateKey(KeyInfo {
            key_algorithm: k.algorithm().to_string(),
            key_id: hex::encode(k.key_id()),
        }));
        Ok(())
    }

    fn pem(&mut self, bytes: &[u8], password: Option<&str>) -> Result<(), Error> {
        for b in decode::pem_blocks(bytes, "input")? {
            match b.tag() {
                t if decode::CERT_TAGS.contains(&t) => self.cert(b.contents())?,
                t if decode::CSR_TAGS.contains(&t) => self.items.push(csr_item(b.contents())?),
                t if t.ends_with("PRIVATE KEY") => {
                    self.key(::pem::encode(&b).as_bytes(), password)?
                }
                other => {
                    return Err(Error::field(
                        "input",
                        ErrorKind::BadPem,
                        format!("`{other}` blocks are not something certlab inspects"),
                        "give certificates, requests, private keys or a .p12",
                    ));
                }
            }
        }
        Ok(())
    }

    fn pkcs12(&mut self, bytes: &[u8], password: Option<&str>) -> Result<(), Error> {
        let pw = password.unwrap_or("");
        if pw.is_empty() {
            self.findings.push(lint::lint_empty_p12());
        }
        let p12 = decode::read_p12(bytes, pw, "input", "password")?;
        for (key, certs) in &p12.keys {
            self.key(key, None)?;
            for c in certs {
                self.cert(c)?;
            }
        }
        for c in &p12.certs {
            self.cert(c)?;
        }
        Ok(())
    }
}

/// Inspects PEM (any mix of certificates, CSRs, keys), a DER certificate or CSR, or a
/// PKCS#12 file (which needs `password`).
pub fn inspect(
    bytes: &[u8],
    password: Option<&str>,
    now: OffsetDateTime,
) -> Result<Inspection, Error> {
    inspect_with(bytes, password, now, &Trust::default())
}

/// Like [`inspect`], and lints the certificates in the order given (a chain as a server sends
/// it) as the client in `trust` sees them: host name, purpose, trusted roots, CRLs.
pub fn inspect_with(
    bytes: &[u8],
    password: Option<&str>,
    now: OffsetDateTime,
    trust: &Trust,
) -> Result<Inspection, Error> {
    let mut found = Found::default();
    let format = if decode::is_pem(bytes) {
        found.pem(bytes, password)?;
        "PEM"
    } else if X509Certificate::from_der(bytes).is_ok() {
        found.cert(bytes)?;
        "DER"
    } else if X509CertificationRequest::from_der(bytes).is_ok() {
        found.items.push(csr_item(bytes)?);
        "DER"
    } else if decode::looks_like_pkcs12(bytes) {
        found.pkcs12(bytes, password)?;
        "PKCS#12"
    } else {
        return Err(Error::field(
            "input",
            ErrorKind::BadDer,
            "the data is not PEM, a DER certificate or CSR, or a PKCS#12 file (it may be truncated)",
            "give a .crt/.pem/.der/.csr/.p12 file",
        ));
    };
    let Found {
        items,
        certs,
        mut findings,
    } = found;
    for (i, c) in certs.iter().enumerate() {
        let issuer = certs.get(i + 1).filter(|n| n.subject == c.issuer);
        findings.extend(lint::lint_cert(c, issuer, now));
    }
    findings.extend(lint::lint_path(&certs, trust));
    Ok(Inspection {
        format: format.into(),
        items,
        findings,
    })
}

fn csr_item(der: &[u8]) -> Result<Item, Error> {
    let csr = decode::parse_csr(der)?;
    Ok(Item::Csr(CsrInfo {
        common_name: csr.common_name,
        sans: csr.sans.iter().map(|s| s.to_string()).collect(),
        key_algorithm: csr.public_key.algorithm().to_string(),
        signature_algorithm: csr.signature_algorithm.to_string(),
        requests_ca: csr.requested_ca,
        signature_valid: true,
    }))
}
