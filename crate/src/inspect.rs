//! Inspect: decode any certificate, chain, CSR, private key or .p12 into a structured view
//! (what `openssl x509 -text` shows, in plain words) with the lint findings.

use crate::error::{Error, ErrorKind};
use crate::import;
use crate::lint::{self, Finding};
use crate::names::{SanName, Subtree};
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, GeneralName, ParsedExtension, X509Certificate};

/// A decoded certificate.
#[derive(Debug, Clone, Serialize)]
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
    #[serde(skip)]
    pub(crate) not_before_t: OffsetDateTime,
    #[serde(skip)]
    pub(crate) not_after_t: OffsetDateTime,
    #[serde(skip)]
    pub(crate) san_names: Vec<SanName>,
    #[serde(skip)]
    pub(crate) constraints: Vec<Subtree>,
}

fn sig_name(oid: &str) -> String {
    match oid {
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption (SHA1)",
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS",
        "1.3.101.112" => "Ed25519",
        other => return other.to_string(),
    }
    .to_string()
}

fn key_name(spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> (String, Option<u32>) {
    use x509_parser::public_key::PublicKey as P;
    match spki.parsed() {
        Ok(P::RSA(r)) => {
            let bits = (r.key_size()) as u32;
            (format!("RSA {bits}"), Some(bits))
        }
        Ok(P::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string());
            let name = match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => "ECDSA P-256".to_string(),
                Some("1.3.132.0.34") => "ECDSA P-384".to_string(),
                Some("1.3.132.0.35") => "ECDSA P-521".to_string(),
                Some(o) => format!("EC {o}"),
                None => "EC".to_string(),
            };
            (name, None)
        }
        _ if spki.algorithm.algorithm.to_id_string() == "1.3.101.112" => ("Ed25519".into(), None),
        _ => (spki.algorithm.algorithm.to_id_string(), None),
    }
}

impl CertInfo {
    /// Decodes a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let c = import::parse_cert(der, "certificate")?;
        Ok(Self::from_parsed(&c, der))
    }

    fn from_parsed(c: &X509Certificate<'_>, der: &[u8]) -> Self {
        let nb = c.validity().not_before.to_datetime();
        let na = c.validity().not_after.to_datetime();
        let (key_algorithm, rsa_bits) = key_name(c.public_key());
        let mut info = CertInfo {
            subject: c.subject().to_string(),
            common_name: c
                .subject()
                .iter_common_name()
                .next()
                .and_then(|a| a.as_str().ok())
                .map(str::to_string),
            issuer: c.issuer().to_string(),
            serial: hex::encode(c.raw_serial()),
            not_before: crate::kit::rfc3339(nb),
            not_after: crate::kit::rfc3339(na),
            validity_days: (na - nb).whole_days(),
            key_algorithm,
            rsa_bits,
            signature_algorithm: sig_name(&c.signature_algorithm.algorithm.to_id_string()),
            is_ca: c.is_ca(),
            path_len: None,
            key_usage: Vec::new(),
            extended_key_usage: Vec::new(),
            sans: Vec::new(),
            name_constraints: Vec::new(),
            subject_key_id: None,
            authority_key_id: None,
            sha256: hex::encode(Sha256::digest(der)),
            self_signed: c.subject().as_raw() == c.issuer().as_raw(),
            explained: Vec::new(),
            not_before_t: nb,
            not_after_t: na,
            san_names: Vec::new(),
            constraints: import::permitted_subtrees(c),
        };
        for ext in c.iter_extensions() {
            match ext.parsed_extension() {
                ParsedExtension::BasicConstraints(bc) => info.path_len = bc.path_len_constraint,
                ParsedExtension::KeyUsage(ku) => {
                    info.key_usage = ku
                        .to_string()
                        .split(", ")
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                }
                ParsedExtension::ExtendedKeyUsage(eku) => {
                    let mut v = Vec::new();
                    if eku.server_auth {
                        v.push("serverAuth".to_string())
                    }
                    if eku.client_auth {
                        v.push("clientAuth".to_string())
                    }
                    if eku.code_signing {
                        v.push("codeSigning".to_string())
                    }
                    if eku.email_protection {
                        v.push("emailProtection".to_string())
                    }
                    if eku.any {
                        v.push("anyExtendedKeyUsage".to_string())
                    }
                    v.extend(eku.other.iter().map(|o| o.to_id_string()));
                    info.extended_key_usage = v;
                }
                ParsedExtension::SubjectAlternativeName(san) => {
                    for g in &san.general_names {
                        match g {
                            GeneralName::DNSName(d) => {
                                info.sans.push(format!("DNS:{d}"));
                                info.san_names.push(SanName::Dns(d.to_ascii_lowercase()));
                            }
                            GeneralName::IPAddress(b) => {
                                let ip = match b.len() {
                                    4 => <[u8; 4]>::try_from(*b).ok().map(std::net::IpAddr::from),
                                    16 => <[u8; 16]>::try_from(*b).ok().map(std::net::IpAddr::from),
                                    _ => None,
                                };
                                if let Some(ip) = ip {
                                    info.sans.push(format!("IP:{ip}"));
                                    info.san_names.push(SanName::Ip(ip));
                                }
                            }
                            GeneralName::RFC822Name(e) => {
                                info.sans.push(format!("email:{e}"));
                                info.san_names.push(SanName::Email(e.to_string()));
                            }
                            other => info.sans.push(format!("{other}")),
                        }
                    }
                }
                ParsedExtension::SubjectKeyIdentifier(k) => {
                    info.subject_key_id = Some(hex::encode(k.0))
                }
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    info.authority_key_id = a.key_identifier.as_ref().map(|k| hex::encode(k.0))
                }
                _ => {}
            }
        }
        info.name_constraints = info.constraints.iter().map(|t| t.to_string()).collect();
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
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    /// Algorithm.
    pub key_algorithm: String,
    /// Key identifier (SHA-256 of the SPKI, 20 bytes), to match with a certificate's SKI.
    pub key_id: String,
}

/// One thing found in the input.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// `PEM`, `DER` or `PKCS#12`.
    pub format: String,
    /// What was found, in order.
    pub items: Vec<Item>,
    /// Lint findings for all certificates (each checked against the next one as its issuer).
    pub findings: Vec<Finding>,
}

/// Inspects PEM (any mix of certificates, CSRs, keys), a DER certificate or CSR, or a
/// PKCS#12 file (which needs `password`).
pub fn inspect(
    bytes: &[u8],
    password: Option<&str>,
    now: OffsetDateTime,
) -> Result<Inspection, Error> {
    let mut items = Vec::new();
    let format;
    let mut p12_findings = Vec::new();
    if import::is_pem(bytes) {
        format = "PEM";
        for b in import::pem_blocks(bytes, "input")? {
            match b.tag() {
                "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => items.push(
                    Item::Certificate(Box::new(CertInfo::from_der(b.contents())?)),
                ),
                "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
                    items.push(csr_item(b.contents())?)
                }
                t if t.ends_with("PRIVATE KEY") => {
                    let k = import::private_key(::pem::encode(&b).as_bytes(), password, "input")?;
                    items.push(Item::PrivateKey(KeyInfo {
                        key_algorithm: k.algorithm().to_string(),
                        key_id: hex::encode(k.key_id()),
                    }));
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
    } else if X509Certificate::from_der(bytes).is_ok() {
        format = "DER";
        items.push(Item::Certificate(Box::new(CertInfo::from_der(bytes)?)));
    } else if x509_parser::prelude::X509CertificationRequest::from_der(bytes).is_ok() {
        format = "DER";
        items.push(csr_item(bytes)?);
    } else if looks_like_pkcs12(bytes) {
        format = "PKCS#12";
        let pw = password.unwrap_or("");
        if pw.is_empty() {
            p12_findings.push(lint::lint_empty_p12());
        }
        let store = p12_keystore::KeyStore::from_pkcs12(
            bytes,
            pw,
            p12_keystore::Pkcs12ImportPolicy::Relaxed,
        )
        .map_err(|_| {
            Error::field(
                "password",
                ErrorKind::WrongPassword,
                "the .p12 password is wrong (or the file is damaged)",
                "give the password the .p12 was exported with",
            )
        })?;
        for (_, entry) in store.entries() {
            match entry {
                p12_keystore::KeyStoreEntry::PrivateKeyChain(ch) => {
                    let k = import::private_key(ch.key().as_der(), None, "input")?;
                    items.push(Item::PrivateKey(KeyInfo {
                        key_algorithm: k.algorithm().to_string(),
                        key_id: hex::encode(k.key_id()),
                    }));
                    for c in ch.certs() {
                        items.push(Item::Certificate(Box::new(CertInfo::from_der(c.as_der())?)));
                    }
                }
                p12_keystore::KeyStoreEntry::Certificate(c) => {
                    items.push(Item::Certificate(Box::new(CertInfo::from_der(c.as_der())?)))
                }
                p12_keystore::KeyStoreEntry::Secret(_) => {}
            }
        }
    } else {
        return Err(Error::field(
            "input",
            ErrorKind::BadDer,
            "the data is not PEM, a DER certificate or CSR, or a PKCS#12 file (it may be truncated)",
            "give a .crt/.pem/.der/.csr/.p12 file",
        ));
    }
    let certs: Vec<&CertInfo> = items
        .iter()
        .filter_map(|i| {
            if let Item::Certificate(c) = i {
                Some(c.as_ref())
            } else {
                None
            }
        })
        .collect();
    let mut findings = p12_findings;
    for (i, c) in certs.iter().enumerate() {
        let issuer = certs.get(i + 1).copied().filter(|n| n.subject == c.issuer);
        findings.extend(lint::lint_cert(c, issuer, now));
    }
    Ok(Inspection {
        format: format.into(),
        items,
        findings,
    })
}

fn csr_item(der: &[u8]) -> Result<Item, Error> {
    let csr = import::parse_csr(der)?;
    Ok(Item::Csr(CsrInfo {
        common_name: csr.common_name,
        sans: csr.sans.iter().map(|s| s.to_string()).collect(),
        key_algorithm: csr.public_key.algorithm().to_string(),
        signature_algorithm: sig_name(&csr.signature_algorithm),
        requests_ca: csr.requested_ca,
        signature_valid: true,
    }))
}

/// A PFX is a DER SEQUENCE starting with INTEGER 3 (version).
fn looks_like_pkcs12(b: &[u8]) -> bool {
    if b.len() < 8 || b[0] != 0x30 {
        return false;
    }
    let skip = match b[1] {
        l if l < 0x80 => 2,
        0x81 => 3,
        0x82 => 4,
        0x83 => 5,
        _ => return false,
    };
    b.get(skip..skip + 3) == Some(&[0x02, 0x01, 0x03])
}
