//! Reading what was made elsewhere: certificates (PEM or DER), private keys (PKCS#8 plain or
//! encrypted, SEC1, PKCS#1), an existing CA to issue more leaves under, and CSRs.

use crate::error::{Error, ErrorKind};
use crate::keys::{KeyPair, PublicKey};
use crate::names::{self, SanName, Subtree};
use ::time::OffsetDateTime;
use rcgen::{CertificateParams, DistinguishedName, DnType, DnValue, KeyIdMethod, KeyUsagePurpose};
use x509_parser::prelude::{
    FromDer, GeneralName, ParsedExtension, X509Certificate, X509CertificationRequest,
};

fn bad(field: &str, kind: ErrorKind, problem: String, fix: &str) -> Error {
    Error::field(field, kind, problem, fix)
}

/// True when `bytes` look like PEM text.
pub fn is_pem(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|s| s.contains("-----BEGIN "))
}

/// All PEM blocks in `bytes`, or an error naming `field`.
pub fn pem_blocks(bytes: &[u8], field: &str) -> Result<Vec<::pem::Pem>, Error> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        bad(
            field,
            ErrorKind::BadPem,
            "the file is neither PEM text nor DER".into(),
            "give a .crt/.pem file starting with -----BEGIN, or a DER file",
        )
    })?;
    let blocks = ::pem::parse_many(text).map_err(|e| {
        bad(
            field,
            ErrorKind::BadPem,
            format!("the PEM text is damaged ({e})"),
            "check that the -----BEGIN/-----END lines are intact and nothing was cut",
        )
    })?;
    if blocks.is_empty() {
        return Err(bad(
            field,
            ErrorKind::BadPem,
            "no PEM block was found".into(),
            "paste the whole file including the -----BEGIN and -----END lines",
        ));
    }
    Ok(blocks)
}

/// Certificates in PEM (one or more `CERTIFICATE` blocks) or DER, each checked to parse.
pub fn certificates(bytes: &[u8], field: &str) -> Result<Vec<Vec<u8>>, Error> {
    let ders = if is_pem(bytes) {
        let blocks = pem_blocks(bytes, field)?;
        let certs: Vec<Vec<u8>> = blocks
            .iter()
            .filter(|b| {
                b.tag() == "CERTIFICATE"
                    || b.tag() == "X509 CERTIFICATE"
                    || b.tag() == "TRUSTED CERTIFICATE"
            })
            .map(|b| b.contents().to_vec())
            .collect();
        if certs.is_empty() {
            let tags: Vec<&str> = blocks.iter().map(|b| b.tag()).collect();
            return Err(bad(
                field,
                ErrorKind::BadPem,
                format!("the PEM holds {} but no CERTIFICATE", tags.join(", ")),
                "give the certificate file (.crt), not a key or request",
            ));
        }
        certs
    } else {
        vec![bytes.to_vec()]
    };
    for d in &ders {
        parse_cert(d, field)?;
    }
    Ok(ders)
}

/// Parses one DER certificate, mapping failures to a field error.
pub fn parse_cert<'a>(der: &'a [u8], field: &str) -> Result<X509Certificate<'a>, Error> {
    match X509Certificate::from_der(der) {
        Ok(([], c)) => Ok(c),
        Ok(_) => Err(bad(
            field,
            ErrorKind::BadDer,
            "the certificate has trailing bytes after it".into(),
            "give one complete certificate per block",
        )),
        Err(e) => Err(bad(
            field,
            ErrorKind::BadDer,
            format!(
                "the certificate does not parse ({e}); the file may be truncated or not a certificate"
            ),
            "export the certificate again (PEM or DER)",
        )),
    }
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
            let key = if curve == Some(crate::keys::OID_P384) {
                p384::SecretKey::from_sec1_der(der)
                    .map_err(|e| damaged(&e))?
                    .to_pkcs8_der()
            } else if curve == Some(crate::keys::OID_P256) || curve.is_none() {
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
    /// Its private key.
    pub key: KeyPair,
    /// Subject CN (or the whole subject if it has none).
    pub common_name: String,
    /// Whether it is self-signed.
    pub self_signed: bool,
    /// End of validity.
    pub not_after: OffsetDateTime,
    /// Its permitted name-constraint subtrees (empty = unconstrained).
    pub constraints: Vec<Subtree>,
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
    let c = parse_cert(&chain[0], "ca_cert")?;
    if !c.is_ca() {
        return Err(bad(
            "ca_cert",
            ErrorKind::NotACa,
            format!(
                "`{}` is not a CA certificate (basicConstraints CA:TRUE is missing)",
                c.subject()
            ),
            "give the CA's certificate, not a server or client certificate",
        ));
    }
    if let Ok(Some(ku)) = c.key_usage()
        && !ku.value.key_cert_sign()
    {
        return Err(bad(
            "ca_cert",
            ErrorKind::NotACa,
            format!(
                "`{}` may not sign certificates (keyUsage lacks keyCertSign)",
                c.subject()
            ),
            "use a CA certificate whose keyUsage includes keyCertSign",
        ));
    }
    if c.public_key().raw != key.spki_der().as_slice() {
        return Err(bad(
            "ca_key",
            ErrorKind::KeyMismatch,
            format!(
                "the key does not belong to `{}` (the public keys differ)",
                c.subject()
            ),
            "give the private key that was made together with this CA certificate",
        ));
    }
    let not_after = c.validity().not_after.to_datetime();
    let not_before = c.validity().not_before.to_datetime();
    if not_after <= now {
        return Err(bad(
            "ca_cert",
            ErrorKind::Expired,
            format!("the CA expired on {}", crate::kit::rfc3339(not_after)),
            "make a new CA; certificates issued under an expired CA are refused everywhere",
        ));
    }
    if not_before > now {
        return Err(bad(
            "ca_cert",
            ErrorKind::Expired,
            format!(
                "the CA is not valid before {}",
                crate::kit::rfc3339(not_before)
            ),
            "check this machine's clock",
        ));
    }
    let common_name = c
        .subject()
        .iter_common_name()
        .next()
        .and_then(|a| a.as_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| c.subject().to_string());
    let constraints = permitted_subtrees(&c);
    let self_signed = c.subject().as_raw() == c.issuer().as_raw();
    let findings =
        crate::lint::lint_cert(&crate::inspect::CertInfo::from_der(&chain[0])?, None, now);
    Ok(ImportedCa {
        findings,
        chain,
        key,
        common_name,
        self_signed,
        not_after,
        constraints,
    })
}

/// The permitted DNS, IP and e-mail subtrees of a CA certificate's name constraints.
pub fn permitted_subtrees(c: &X509Certificate<'_>) -> Vec<Subtree> {
    let Ok(Some(nc)) = c.name_constraints() else {
        return Vec::new();
    };
    let Some(trees) = &nc.value.permitted_subtrees else {
        return Vec::new();
    };
    trees
        .iter()
        .filter_map(|t| match &t.base {
            GeneralName::DNSName(d) => {
                Some(Subtree::Dns(d.trim_start_matches('.').to_ascii_lowercase()))
            }
            GeneralName::RFC822Name(e) => Some(Subtree::Email(
                e.trim_start_matches(['.', '@']).to_ascii_lowercase(),
            )),
            GeneralName::IPAddress(b) => ip_subtree(b),
            _ => None,
        })
        .collect()
}

fn ip_subtree(b: &[u8]) -> Option<Subtree> {
    let (addr, mask) = b.split_at(b.len() / 2);
    let prefix = mask.iter().map(|m| m.count_ones()).sum::<u32>() as u8;
    let ip = match addr.len() {
        4 => std::net::IpAddr::from(<[u8; 4]>::try_from(addr).ok()?),
        16 => std::net::IpAddr::from(<[u8; 16]>::try_from(addr).ok()?),
        _ => return None,
    };
    Some(Subtree::Ip(names::mask(ip, prefix), prefix))
}

/// The issuer-side parameters rcgen needs to sign under an existing CA certificate: its
/// subject, its SKI (for the leaf's AKI) and key usages.
pub fn issuer_params(ca_der: &[u8]) -> Result<CertificateParams, Error> {
    let c = parse_cert(ca_der, "ca_cert")?;
    let mut dn = DistinguishedName::new();
    for attr in c.subject().iter_attributes() {
        let oid: Vec<u64> = attr
            .attr_type()
            .iter()
            .map(|i| i.collect())
            .unwrap_or_default();
        let ty = match oid.as_slice() {
            [2, 5, 4, 3] => DnType::CommonName,
            [2, 5, 4, 6] => DnType::CountryName,
            [2, 5, 4, 7] => DnType::LocalityName,
            [2, 5, 4, 8] => DnType::StateOrProvinceName,
            [2, 5, 4, 10] => DnType::OrganizationName,
            [2, 5, 4, 11] => DnType::OrganizationalUnitName,
            _ => DnType::CustomDnType(oid),
        };
        let text = attr.as_str().map_err(|_| {
            bad(
                "ca_cert",
                ErrorKind::BadDer,
                "the CA subject has a value that is not text".into(),
                "use a CA whose subject holds only text attributes",
            )
        })?;
        let value = match attr.attr_value().tag().0 {
            19 => rcgen::string::PrintableString::try_from(text)
                .map(DnValue::PrintableString)
                .unwrap_or_else(|_| DnValue::Utf8String(text.into())),
            22 => rcgen::string::Ia5String::try_from(text)
                .map(DnValue::Ia5String)
                .unwrap_or_else(|_| DnValue::Utf8String(text.into())),
            _ => DnValue::Utf8String(text.into()),
        };
        dn.push(ty, value);
    }
    let ski = c
        .iter_extensions()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
            _ => None,
        });
    let mut p = CertificateParams::default();
    p.distinguished_name = dn;
    p.key_identifier_method = KeyIdMethod::PreSpecified(
        ski.unwrap_or_else(|| crate::keys::key_id_of_spki(c.public_key().raw)),
    );
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    Ok(p)
}

/// Checks that a certificate's issuer name is byte-identical to the CA's subject (strict
/// verifiers such as webpki compare the bytes).
pub fn check_issuer_name(leaf_der: &[u8], ca_der: &[u8]) -> Result<(), Error> {
    let leaf = parse_cert(leaf_der, "leaf")?;
    let ca = parse_cert(ca_der, "ca_cert")?;
    if leaf.issuer().as_raw() != ca.subject().as_raw() {
        return Err(bad(
            "ca_cert",
            ErrorKind::NotACa,
            format!(
                "the CA subject `{}` uses an encoding certlab cannot reproduce exactly (repeated or multi-valued attributes)",
                ca.subject()
            ),
            "use a CA whose subject has each attribute once",
        ));
    }
    Ok(())
}

/// A checked certificate signing request.
#[derive(Debug, Clone)]
pub struct Csr {
    /// Subject CN, if any.
    pub common_name: Option<String>,
    /// Requested subjectAltNames that parse (DNS, IP, e-mail).
    pub sans: Vec<SanName>,
    /// The subject's public key.
    pub public_key: PublicKey,
    /// Whether the request asks for CA:TRUE (never granted).
    pub requested_ca: bool,
    /// Signature algorithm OID of the request.
    pub signature_algorithm: String,
}

/// Parses a CSR (PEM `CERTIFICATE REQUEST` or DER) and verifies its self-signature.
pub fn parse_csr(bytes: &[u8]) -> Result<Csr, Error> {
    const F: &str = "csr";
    let der = if is_pem(bytes) {
        let blocks = pem_blocks(bytes, F)?;
        let Some(b) = blocks
            .iter()
            .find(|b| b.tag() == "CERTIFICATE REQUEST" || b.tag() == "NEW CERTIFICATE REQUEST")
        else {
            return Err(bad(
                F,
                ErrorKind::BadPem,
                "no CERTIFICATE REQUEST block was found".into(),
                "give the .csr file made on the device",
            ));
        };
        b.contents().to_vec()
    } else {
        bytes.to_vec()
    };
    let csr = match X509CertificationRequest::from_der(&der) {
        Ok(([], c)) => c,
        Ok(_) => {
            return Err(bad(
                F,
                ErrorKind::BadDer,
                "the request has trailing bytes".into(),
                "give exactly one request",
            ));
        }
        Err(e) => {
            return Err(bad(
                F,
                ErrorKind::BadDer,
                format!("the request does not parse ({e})"),
                "make the request again (`openssl req -new …`)",
            ));
        }
    };
    let info = &csr.certification_request_info;
    let sig_alg = csr.signature_algorithm.algorithm.to_id_string();
    crate::verify::verify(
        info.subject_pki.raw,
        &sig_alg,
        info.raw,
        &csr.signature_value.data,
    )
    .map_err(|e| {
        bad(
            F,
            ErrorKind::BadSignature,
            format!("the request's signature does not verify: {e}"),
            "the request was altered or damaged: make it again on the device",
        )
    })?;
    let public_key = PublicKey::from_spki_der(info.subject_pki.raw).map_err(|e| e.in_field(F))?;
    let common_name = info
        .subject
        .iter_common_name()
        .next()
        .and_then(|a| a.as_str().ok())
        .map(str::to_string);
    let mut sans = Vec::new();
    let mut requested_ca = false;
    if let Some(exts) = csr.requested_extensions() {
        for e in exts {
            match e {
                ParsedExtension::SubjectAlternativeName(san) => {
                    for g in &san.general_names {
                        match g {
                            GeneralName::DNSName(d) => {
                                sans.push(SanName::Dns(d.to_ascii_lowercase()))
                            }
                            GeneralName::RFC822Name(m) => sans.push(SanName::Email(m.to_string())),
                            GeneralName::IPAddress(b) if b.len() == 4 || b.len() == 16 => {
                                if let Some(Subtree::Ip(ip, _)) =
                                    ip_subtree(&[*b, &vec![0xff; b.len()][..]].concat())
                                {
                                    sans.push(SanName::Ip(ip));
                                }
                            }
                            _ => {}
                        }
                    }
                }
                ParsedExtension::BasicConstraints(bc) => requested_ca |= bc.ca,
                _ => {}
            }
        }
    }
    Ok(Csr {
        common_name,
        sans,
        public_key,
        requested_ca,
        signature_algorithm: sig_alg,
    })
}
