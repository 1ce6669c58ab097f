//! A certificate's typed facts: what lint checks, inspect explains, import verifies and the
//! echo server reports about a peer.

use super::name;
use crate::error::{Error, ErrorKind};
use crate::names::{SanName, Subtree};
use crate::oid;
use sha2::{Digest, Sha256};
use std::fmt;
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, ParsedExtension, X509Certificate};

/// Parses one DER certificate with x509-parser, mapping failures to a field error.
pub(crate) fn parse_x509<'a>(der: &'a [u8], field: &str) -> Result<X509Certificate<'a>, Error> {
    match X509Certificate::from_der(der) {
        Ok(([], c)) => Ok(c),
        Ok(_) => Err(Error::field(
            field,
            ErrorKind::BadDer,
            "the certificate has trailing bytes after it",
            "give one complete certificate per block",
        )),
        Err(e) => Err(Error::field(
            field,
            ErrorKind::BadDer,
            format!(
                "the certificate does not parse ({e}); the file may be truncated or not a certificate"
            ),
            "export the certificate again (PEM or DER)",
        )),
    }
}

/// An elliptic curve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Curve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384.
    P384,
    /// NIST P-521.
    P521,
    /// Another curve (dotted OID), or none named.
    Other(Option<String>),
}

/// The kind and size of a public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyType {
    /// RSA with this modulus size in bits.
    Rsa(u32),
    /// ECDSA on a curve.
    Ecdsa(Curve),
    /// Ed25519.
    Ed25519,
    /// Anything else (dotted OID of the algorithm).
    Other(String),
}

impl KeyType {
    /// Reads a SubjectPublicKeyInfo.
    pub(crate) fn of(spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> KeyType {
        use x509_parser::public_key::PublicKey as P;
        let alg = &spki.algorithm.algorithm;
        if oid::is(alg, oid::ED25519) {
            return KeyType::Ed25519;
        }
        match spki.parsed() {
            Ok(P::RSA(r)) => KeyType::Rsa(r.key_size() as u32),
            Ok(P::EC(_)) => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.as_oid().ok());
                KeyType::Ecdsa(match curve {
                    Some(c) if oid::is(&c, oid::P256) => Curve::P256,
                    Some(c) if oid::is(&c, oid::P384) => Curve::P384,
                    Some(c) if oid::is(&c, oid::P521) => Curve::P521,
                    c => Curve::Other(c.map(|c| c.to_id_string())),
                })
            }
            _ => KeyType::Other(alg.to_id_string()),
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyType::Rsa(bits) => write!(f, "RSA {bits}"),
            KeyType::Ecdsa(Curve::P256) => f.write_str("ECDSA P-256"),
            KeyType::Ecdsa(Curve::P384) => f.write_str("ECDSA P-384"),
            KeyType::Ecdsa(Curve::P521) => f.write_str("ECDSA P-521"),
            KeyType::Ecdsa(Curve::Other(Some(o))) => write!(f, "EC {o}"),
            KeyType::Ecdsa(Curve::Other(None)) => f.write_str("EC"),
            KeyType::Ed25519 => f.write_str("Ed25519"),
            KeyType::Other(o) => f.write_str(o),
        }
    }
}

/// A signature algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum SignatureAlgorithm {
    EcdsaSha1,
    EcdsaSha256,
    EcdsaSha384,
    EcdsaSha512,
    RsaMd5,
    RsaSha1,
    RsaSha256,
    RsaSha384,
    RsaSha512,
    RsaPss,
    Ed25519,
    /// Anything else (dotted OID).
    Other(String),
}

impl SignatureAlgorithm {
    /// Reads an AlgorithmIdentifier's OID.
    pub(crate) fn of(o: &x509_parser::der_parser::oid::Oid<'_>) -> Self {
        use SignatureAlgorithm as S;
        const TABLE: [(oid::ObjectIdentifier, SignatureAlgorithm); 11] = [
            (oid::ECDSA_SHA1, S::EcdsaSha1),
            (oid::ECDSA_SHA256, S::EcdsaSha256),
            (oid::ECDSA_SHA384, S::EcdsaSha384),
            (oid::ECDSA_SHA512, S::EcdsaSha512),
            (oid::RSA_MD5, S::RsaMd5),
            (oid::RSA_SHA1, S::RsaSha1),
            (oid::RSA_SHA256, S::RsaSha256),
            (oid::RSA_SHA384, S::RsaSha384),
            (oid::RSA_SHA512, S::RsaSha512),
            (oid::RSA_PSS, S::RsaPss),
            (oid::ED25519, S::Ed25519),
        ];
        TABLE
            .iter()
            .find(|(id, _)| oid::is(o, *id))
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| S::Other(o.to_id_string()))
    }

    /// True for the SHA-1 signatures clients have refused since 2017.
    pub fn is_sha1(&self) -> bool {
        matches!(
            self,
            SignatureAlgorithm::EcdsaSha1 | SignatureAlgorithm::RsaSha1
        )
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SignatureAlgorithm as S;
        f.write_str(match self {
            S::EcdsaSha1 => "ecdsa-with-SHA1",
            S::EcdsaSha256 => "ecdsa-with-SHA256",
            S::EcdsaSha384 => "ecdsa-with-SHA384",
            S::EcdsaSha512 => "ecdsa-with-SHA512",
            S::RsaMd5 => "md5WithRSAEncryption",
            S::RsaSha1 => "sha1WithRSAEncryption (SHA1)",
            S::RsaSha256 => "sha256WithRSAEncryption",
            S::RsaSha384 => "sha384WithRSAEncryption",
            S::RsaSha512 => "sha512WithRSAEncryption",
            S::RsaPss => "RSASSA-PSS",
            S::Ed25519 => "Ed25519",
            S::Other(o) => o,
        })
    }
}

/// A keyUsage bit (RFC 5280 §4.2.1.3), named as openssl and x509-parser name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum KeyUsage {
    DigitalSignature,
    NonRepudiation,
    KeyEncipherment,
    DataEncipherment,
    KeyAgreement,
    KeyCertSign,
    CrlSign,
    EncipherOnly,
    DecipherOnly,
}

impl KeyUsage {
    /// Every bit, in the order of the BIT STRING.
    pub const ALL: [KeyUsage; 9] = [
        KeyUsage::DigitalSignature,
        KeyUsage::NonRepudiation,
        KeyUsage::KeyEncipherment,
        KeyUsage::DataEncipherment,
        KeyUsage::KeyAgreement,
        KeyUsage::KeyCertSign,
        KeyUsage::CrlSign,
        KeyUsage::EncipherOnly,
        KeyUsage::DecipherOnly,
    ];

    /// The usual name, e.g. `Key Cert Sign`.
    pub fn name(self) -> &'static str {
        [
            "Digital Signature",
            "Non Repudiation",
            "Key Encipherment",
            "Data Encipherment",
            "Key Agreement",
            "Key Cert Sign",
            "CRL Sign",
            "Encipher Only",
            "Decipher Only",
        ][self as usize]
    }
}

/// An extendedKeyUsage purpose (RFC 5280 §4.2.1.12).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Eku {
    ServerAuth,
    ClientAuth,
    CodeSigning,
    EmailProtection,
    TimeStamping,
    OcspSigning,
    Any,
    /// Another purpose (dotted OID).
    Other(String),
}

impl fmt::Display for Eku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Eku::ServerAuth => "serverAuth",
            Eku::ClientAuth => "clientAuth",
            Eku::CodeSigning => "codeSigning",
            Eku::EmailProtection => "emailProtection",
            Eku::TimeStamping => "timeStamping",
            Eku::OcspSigning => "OCSPSigning",
            Eku::Any => "anyExtendedKeyUsage",
            Eku::Other(o) => o,
        })
    }
}

/// The decoded facts of one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cert {
    /// Subject, RFC 4514 style.
    pub subject: String,
    /// Subject CN.
    pub common_name: Option<String>,
    /// Issuer, RFC 4514 style.
    pub issuer: String,
    /// Serial number bytes as encoded.
    pub serial: Vec<u8>,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
    /// The subject's public key.
    pub key: KeyType,
    /// The issuer's signature algorithm.
    pub signature: SignatureAlgorithm,
    /// basicConstraints CA:TRUE.
    pub is_ca: bool,
    /// pathLenConstraint.
    pub path_len: Option<u32>,
    /// keyUsage bits; `None` when the extension is absent.
    pub key_usage: Option<Vec<KeyUsage>>,
    /// extendedKeyUsage purposes (empty when the extension is absent).
    pub eku: Vec<Eku>,
    /// DNS (lower-cased), IP and e-mail subjectAltNames.
    pub sans: Vec<SanName>,
    /// Other subjectAltNames as text (`URI:…`).
    pub other_sans: Vec<String>,
    /// Permitted name-constraint subtrees (empty = unconstrained).
    pub constraints: Vec<Subtree>,
    /// Subject key identifier.
    pub subject_key_id: Option<Vec<u8>>,
    /// Authority key identifier.
    pub authority_key_id: Option<Vec<u8>>,
    /// SHA-256 of the DER.
    pub sha256: [u8; 32],
    /// Subject and issuer are the same name (a root, or a self-signed leaf).
    pub self_signed: bool,
    /// The SubjectPublicKeyInfo, DER.
    pub spki_der: Vec<u8>,
}

impl Cert {
    /// Decodes a DER certificate; errors name `field`.
    pub fn from_der(der: &[u8], field: &str) -> Result<Cert, Error> {
        Ok(Cert::from_x509(&parse_x509(der, field)?, der))
    }

    fn from_x509(c: &X509Certificate<'_>, der: &[u8]) -> Cert {
        let mut cert = Cert {
            subject: name::dn(c.subject()),
            common_name: name::common_name(c.subject()),
            issuer: name::dn(c.issuer()),
            serial: c.raw_serial().to_vec(),
            not_before: c.validity().not_before.to_datetime(),
            not_after: c.validity().not_after.to_datetime(),
            key: KeyType::of(c.public_key()),
            signature: SignatureAlgorithm::of(&c.signature_algorithm.algorithm),
            is_ca: c.is_ca(),
            path_len: None,
            key_usage: None,
            eku: Vec::new(),
            sans: Vec::new(),
            other_sans: Vec::new(),
            constraints: Vec::new(),
            subject_key_id: None,
            authority_key_id: None,
            sha256: Sha256::digest(der).into(),
            self_signed: c.subject().as_raw() == c.issuer().as_raw(),
            spki_der: c.public_key().raw.to_vec(),
        };
        for ext in c.iter_extensions() {
            cert.read_extension(ext.parsed_extension());
        }
        cert
    }

    fn read_extension(&mut self, ext: &ParsedExtension<'_>) {
        match ext {
            ParsedExtension::BasicConstraints(bc) => self.path_len = bc.path_len_constraint,
            ParsedExtension::KeyUsage(ku) => {
                self.key_usage = Some(
                    KeyUsage::ALL
                        .into_iter()
                        .filter(|k| ku.flags >> (*k as u16) & 1 != 0)
                        .collect(),
                )
            }
            ParsedExtension::ExtendedKeyUsage(e) => {
                for (on, purpose) in [
                    (e.server_auth, Eku::ServerAuth),
                    (e.client_auth, Eku::ClientAuth),
                    (e.code_signing, Eku::CodeSigning),
                    (e.email_protection, Eku::EmailProtection),
                    (e.time_stamping, Eku::TimeStamping),
                    (e.ocsp_signing, Eku::OcspSigning),
                    (e.any, Eku::Any),
                ] {
                    if on {
                        self.eku.push(purpose);
                    }
                }
                self.eku
                    .extend(e.other.iter().map(|o| Eku::Other(o.to_id_string())));
            }
            ParsedExtension::SubjectAlternativeName(san) => {
                for g in &san.general_names {
                    match name::san(g) {
                        Ok(n) => self.sans.push(n),
                        Err(text) => self.other_sans.push(text),
                    }
                }
            }
            ParsedExtension::NameConstraints(nc) => {
                self.constraints = nc
                    .permitted_subtrees
                    .iter()
                    .flatten()
                    .filter_map(|t| name::subtree(&t.base))
                    .collect();
            }
            ParsedExtension::SubjectKeyIdentifier(k) => self.subject_key_id = Some(k.0.to_vec()),
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                self.authority_key_id = a.key_identifier.as_ref().map(|k| k.0.to_vec())
            }
            _ => {}
        }
    }

    /// The CN, or the whole subject when it has none.
    pub fn name(&self) -> &str {
        self.common_name.as_deref().unwrap_or(&self.subject)
    }

    /// Whether the certificate names this extended key usage.
    pub fn has_eku(&self, purpose: &Eku) -> bool {
        self.eku.contains(purpose)
    }

    /// Whole days between notBefore and notAfter.
    pub fn validity_days(&self) -> i64 {
        (self.not_after - self.not_before).whole_days()
    }

    /// Every subjectAltName as text (`DNS:…`, `IP:…`, `email:…`, then `URI:…` and others).
    pub fn san_strings(&self) -> Vec<String> {
        self.sans
            .iter()
            .map(|s| s.to_string())
            .chain(self.other_sans.iter().cloned())
            .collect()
    }

    /// Serial, lower-case hex.
    pub fn serial_hex(&self) -> String {
        hex::encode(&self.serial)
    }

    /// SHA-256 fingerprint, lower-case hex.
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }

    /// notBefore, RFC 3339.
    pub fn not_before_rfc3339(&self) -> String {
        name::rfc3339(self.not_before)
    }

    /// notAfter, RFC 3339.
    pub fn not_after_rfc3339(&self) -> String {
        name::rfc3339(self.not_after)
    }
}
