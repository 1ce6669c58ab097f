//! Issuing: the certificate profile of each role, and signing a [`Plan`] into certificates.

use crate::error::{Error, ErrorKind};
use crate::keys::{KeyAlgorithm, KeyPair, PublicKey};
use crate::names::{SanName, Subtree};
use crate::oid;
use crate::rng;
use crate::role::Role;
use crate::spec::SubjectFields;
use crate::validate::{Plan, Planned};
use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, KeyIdMethod, KeyUsagePurpose, SanType,
    SerialNumber,
};
use std::collections::BTreeMap;
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::ParsedExtension;

/// How far notBefore is set in the past, so a client whose clock is a little behind does not
/// reject a certificate made a moment ago ("not yet valid"). Let's Encrypt uses the same hour.
pub const CLOCK_SKEW: Duration = Duration::hours(1);

/// Knobs for a generation run that are not part of the spec.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The time to issue at; `None` = the current time (the browser's clock in wasm).
    pub now: Option<OffsetDateTime>,
    /// Keys made elsewhere, by identity name: unencrypted PKCS#8 DER (e.g. from WebCrypto's
    /// `exportKey('pkcs8')`). Each must be of the algorithm the spec asks for.
    pub keys: BTreeMap<String, Vec<u8>>,
}

/// Reported before each identity is made, so a UI can show progress.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// 0-based index of the identity being made.
    pub index: usize,
    /// Number of identities in the run.
    pub total: usize,
    /// Its name.
    pub name: &'a str,
    /// Its role.
    pub role: Role,
    /// Its key algorithm.
    pub key: KeyAlgorithm,
}

/// A certificate made by the engine, with its key.
#[derive(Debug)]
pub(crate) struct Issued {
    /// What was asked for.
    pub planned: Planned,
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
    /// Its private key; `None` for an imported CA or a CSR's subject (key held elsewhere).
    pub key: Option<KeyPair>,
    /// Serial number bytes (big-endian, positive).
    pub serial: Vec<u8>,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
}

/// The current time, truncated to whole seconds (X.509 has no finer resolution).
pub fn now_utc() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

/// Validity window for `days` from `now`.
pub(crate) fn window(now: OffsetDateTime, days: u32) -> (OffsetDateTime, OffsetDateTime) {
    (now - CLOCK_SKEW, now + Duration::days(i64::from(days)))
}

fn ia5(s: &str, field: &str) -> Result<rcgen::string::Ia5String, Error> {
    rcgen::string::Ia5String::try_from(s.to_string()).map_err(|_| {
        Error::field(
            field,
            ErrorKind::InvalidDnsName,
            format!("`{s}` is not plain ASCII"),
            "use ASCII characters only",
        )
    })
}

/// The rcgen form of a set of subjectAltNames.
pub(crate) fn san_types(sans: &[SanName], field: &str) -> Result<Vec<SanType>, Error> {
    sans.iter()
        .map(|s| {
            Ok(match s {
                SanName::Dns(d) => SanType::DnsName(ia5(d, field)?),
                SanName::Ip(ip) => SanType::IpAddress(*ip),
                SanName::Email(e) => SanType::Rfc822Name(ia5(e, field)?),
            })
        })
        .collect()
}

/// What a certificate says about its subject, before signing.
pub(crate) struct Profile<'a> {
    pub role: Role,
    pub common_name: &'a str,
    /// C, ST, L, O and OU besides the CN.
    pub subject: &'a SubjectFields,
    /// OU that tells this kit's CAs from every other kit's (see [`kit_unit`]); a CA's only OU.
    pub unit: Option<&'a str>,
    pub sans: &'a [SanName],
    pub key: KeyAlgorithm,
    pub server_auth: bool,
    pub client_auth: bool,
    pub constraints: &'a [Subtree],
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub serial: &'a [u8],
    pub key_id: Vec<u8>,
}

/// Builds the X.509 parameters of a certificate from its profile.
pub(crate) fn params(p: &Profile<'_>, field: &str) -> Result<CertificateParams, Error> {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    // The usual order, most general first (C, ST, L, O, OU, CN), as openssl and lab guides
    // write them.
    let s = p.subject;
    for (ty, value) in [
        (DnType::CountryName, &s.country),
        (DnType::StateOrProvinceName, &s.state),
        (DnType::LocalityName, &s.locality),
        (DnType::OrganizationName, &s.organization),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            dn.push(ty, v);
        }
    }
    match (p.unit, s.organizational_unit.as_deref()) {
        (Some(unit), _) => dn.push(DnType::OrganizationalUnitName, unit),
        (None, Some(ou)) if !ou.is_empty() => dn.push(DnType::OrganizationalUnitName, ou),
        _ => {}
    }
    // Always a CN: iOS does not list a root without one in Certificate Trust Settings
    // (mkcert #47), and people read the CN in every certificate viewer.
    dn.push(DnType::CommonName, p.common_name);
    params.distinguished_name = dn;
    params.not_before = p.not_before;
    params.not_after = p.not_after;
    // ≥ 64 random bits from the CSPRNG (CA/B Forum BR 7.1); rcgen's default would hash the
    // public key and repeat when a key is re-certified.
    params.serial_number = Some(SerialNumber::from_slice(p.serial));
    // SKI (and the AKI of what this CA signs): SHA-256 of the SPKI, first 20 bytes.
    params.key_identifier_method = KeyIdMethod::PreSpecified(p.key_id.clone());
    params.use_authority_key_identifier_extension = p.role != Role::RootCa;
    params.subject_alt_names = san_types(p.sans, field)?;
    match p.role {
        Role::RootCa | Role::IntermediateCa => {
            // basicConstraints critical CA:TRUE; an intermediate may not sign further CAs
            // (pathLen 0), so a leaked intermediate key cannot mint a sub-CA.
            params.is_ca = IsCa::Ca(if p.role == Role::IntermediateCa {
                BasicConstraints::Constrained(0)
            } else {
                BasicConstraints::Unconstrained
            });
            // keyUsage critical keyCertSign + cRLSign: what RFC 5280 §4.2.1.3 asks of a CA.
            params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            if !p.constraints.is_empty() {
                params.name_constraints = Some(rcgen::NameConstraints {
                    permitted_subtrees: p
                        .constraints
                        .iter()
                        .map(|t| match t {
                            Subtree::Dns(d) => GeneralSubtree::DnsName(d.clone()),
                            Subtree::Ip(ip, prefix) => GeneralSubtree::IpAddress(
                                CidrSubnet::from_addr_prefix(*ip, *prefix),
                            ),
                            Subtree::Email(e) => GeneralSubtree::Rfc822Name(e.clone()),
                        })
                        .collect(),
                    excluded_subtrees: Vec::new(),
                });
            }
        }
        Role::Server | Role::Client | Role::Device => {
            // basicConstraints CA:FALSE written explicitly: a leaf must never act as a CA.
            params.is_ca = IsCa::ExplicitNoCa;
            params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
            // RSA key exchange (TLS 1.2 RSA kx suites) needs keyEncipherment on RSA server
            // keys; some older clients refuse an RSA server certificate without it.
            if p.key.is_rsa() && p.server_auth {
                params.key_usages.push(KeyUsagePurpose::KeyEncipherment);
            }
            // EKU always present: Apple requires serverAuth on TLS server leaves
            // (HT210176), and servers such as rustls refuse a client certificate without
            // clientAuth.
            if p.server_auth {
                params
                    .extended_key_usages
                    .push(ExtendedKeyUsagePurpose::ServerAuth);
            }
            if p.client_auth {
                params
                    .extended_key_usages
                    .push(ExtendedKeyUsagePurpose::ClientAuth);
            }
        }
    }
    Ok(params)
}

/// Gets the key for an identity: the one handed in, or a fresh one.
fn key_for(planned: &Planned, opts: &Options) -> Result<KeyPair, Error> {
    match opts.keys.get(&planned.name) {
        Some(der) => {
            let key = KeyPair::from_pkcs8_der(der)
                .map_err(|e| e.in_field(&format!("keys.{}", planned.name)))?;
            if key.algorithm() != planned.key {
                return Err(Error::field(
                    format!("keys.{}", planned.name),
                    ErrorKind::KeyMismatch,
                    format!(
                        "the key handed in for `{}` is {} but the spec asks for {}",
                        planned.name,
                        key.algorithm(),
                        planned.key
                    ),
                    "hand in a key of the requested algorithm, or change the identity's key type",
                ));
            }
            Ok(key)
        }
        None => KeyPair::generate(planned.key),
    }
}

/// A random OU for the CAs of one kit, e.g. `kit 3f9a1c07` (32 random bits). Without it every
/// kit's root would be named `O=certlab lab PKI, CN=certlab Root CA`: a browser that trusts
/// two kits' roots then sees two issuers with one name, and Chromium offers a client
/// certificate from any of them to a server that asks for that name (it picks client
/// certificates by issuer name). mkcert does the same with `OU=user@host`.
fn kit_unit() -> Result<String, Error> {
    Ok(format!("kit {}", hex::encode(rng::bytes::<4>()?)))
}

/// Signs a plan's identities one at a time, issuers first, holding on only to the CAs: a
/// fleet's devices are made, written and dropped one by one.
pub(crate) struct Signer<'a> {
    plan: &'a Plan,
    opts: &'a Options,
    now: OffsetDateTime,
    unit: String,
    /// The parameters of the CAs signed so far (rcgen's issuer needs them), by plan index.
    params: BTreeMap<usize, CertificateParams>,
    /// The CAs handed back with [`Signer::keep`], by plan index.
    cas: BTreeMap<usize, Issued>,
}

impl<'a> Signer<'a> {
    pub(crate) fn new(plan: &'a Plan, opts: &'a Options) -> Result<Self, Error> {
        Ok(Signer {
            plan,
            opts,
            now: opts.now.unwrap_or_else(now_utc),
            unit: kit_unit()?,
            params: BTreeMap::new(),
            cas: BTreeMap::new(),
        })
    }

    /// Signs identity `index` of the plan; its issuer must have been signed and kept.
    pub(crate) fn sign(&mut self, index: usize) -> Result<Issued, Error> {
        let planned = &self.plan.identities[index];
        let key = key_for(planned, self.opts)?;
        let (not_before, not_after) = window(self.now, planned.days);
        let serial = rng::serial()?;
        let profile = Profile {
            role: planned.role,
            common_name: &planned.common_name,
            subject: &planned.subject,
            unit: planned.role.is_ca().then_some(self.unit.as_str()),
            sans: &planned.sans,
            key: planned.key,
            server_auth: planned.server_auth,
            client_auth: planned.client_auth,
            constraints: &planned.constraints,
            not_before,
            not_after,
            serial: &serial,
            key_id: key.key_id(),
        };
        let params = params(&profile, &planned.field)?;
        let cert = match planned.issuer {
            None => params.self_signed(&key)?,
            Some(i) => {
                let (
                    Some(ip),
                    Some(Issued {
                        key: Some(issuer_key),
                        ..
                    }),
                ) = (self.params.get(&i), self.cas.get(&i))
                else {
                    return Err(Error::Internal(format!(
                        "issuer of `{}` was not made first",
                        planned.name
                    )));
                };
                params.signed_by(&key, &rcgen::Issuer::from_params(ip, issuer_key))?
            }
        };
        if planned.role.is_ca() {
            self.params.insert(index, params);
        }
        Ok(Issued {
            planned: planned.clone(),
            cert_der: cert.der().to_vec(),
            key: Some(key),
            serial: serial.to_vec(),
            not_before,
            not_after,
        })
    }

    /// Keeps CA `index`, once its files are written, to sign what it issues.
    pub(crate) fn keep(&mut self, index: usize, ca: Issued) {
        self.cas.insert(index, ca);
    }

    /// The CA kept at `index`.
    pub(crate) fn kept(&self, index: usize) -> Option<&Issued> {
        self.cas.get(&index)
    }
}

/// Signs one leaf under an existing CA (imported certificate + key). `public_key` is the
/// subject's key when it comes from a CSR; otherwise a key is made (or taken from `opts`).
pub(crate) fn issue_under(
    ca_cert_der: &[u8],
    ca_key: &KeyPair,
    planned: &Planned,
    public_key: Option<&PublicKey>,
    opts: &Options,
) -> Result<Issued, Error> {
    let now = opts.now.unwrap_or_else(now_utc);
    let (not_before, not_after) = window(now, planned.days);
    let serial = rng::serial()?;
    let (key, key_id) = match public_key {
        Some(pk) => (
            None,
            crate::keys::key_id_of_spki(&rcgen::PublicKeyData::subject_public_key_info(pk)),
        ),
        None => {
            let k = key_for(planned, opts)?;
            let id = k.key_id();
            (Some(k), id)
        }
    };
    let profile = Profile {
        role: planned.role,
        common_name: &planned.common_name,
        subject: &planned.subject,
        unit: None,
        sans: &planned.sans,
        key: public_key.map(|p| p.algorithm()).unwrap_or(planned.key),
        server_auth: planned.server_auth,
        client_auth: planned.client_auth,
        constraints: &[],
        not_before,
        not_after,
        serial: &serial,
        key_id,
    };
    let params = params(&profile, &planned.field)?;
    let issuer = rcgen::Issuer::new(issuer_params(ca_cert_der)?, ca_key);
    let cert = match (public_key, &key) {
        (Some(pk), _) => params.signed_by(pk, &issuer)?,
        (None, Some(k)) => params.signed_by(k, &issuer)?,
        (None, None) => return Err(Error::Internal("no key to certify".into())),
    };
    let der = cert.der().to_vec();
    check_issuer_name(&der, ca_cert_der)?;
    Ok(Issued {
        planned: planned.clone(),
        cert_der: der,
        key,
        serial: serial.to_vec(),
        not_before,
        not_after,
    })
}

/// The issuer-side parameters rcgen needs to sign under an existing CA certificate: its
/// subject, its SKI (for the leaf's AKI) and key usages.
pub(crate) fn issuer_params(ca_der: &[u8]) -> Result<CertificateParams, Error> {
    let c = crate::decode::parse_x509(ca_der, "ca_cert")?;
    let mut dn = DistinguishedName::new();
    for attr in c.subject().iter_attributes() {
        let ty = dn_type(attr.attr_type()).ok_or_else(|| {
            Error::field(
                "ca_cert",
                ErrorKind::BadDer,
                format!(
                    "the CA subject has an attribute type certlab cannot write again (OID {})",
                    attr.attr_type().to_id_string()
                ),
                "use a CA whose subject uses ordinary attribute types (CN, O, OU, C, ST, L…)",
            )
        })?;
        let text = attr.as_str().map_err(|_| {
            Error::field(
                "ca_cert",
                ErrorKind::BadDer,
                "the CA subject has a value that is not text",
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
pub(crate) fn check_issuer_name(leaf_der: &[u8], ca_der: &[u8]) -> Result<(), Error> {
    let leaf = crate::decode::parse_x509(leaf_der, "leaf")?;
    let ca = crate::decode::parse_x509(ca_der, "ca_cert")?;
    if leaf.issuer().as_raw() != ca.subject().as_raw() {
        return Err(Error::field(
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

/// The rcgen attribute type of a DN attribute OID; `None` for one rcgen cannot encode (an arc
/// past 64 bits, or fewer than two arcs: rcgen's encoder would panic on it).
fn dn_type(o: &x509_parser::der_parser::oid::Oid<'_>) -> Option<DnType> {
    const TABLE: [(oid::ObjectIdentifier, DnType); 6] = [
        (oid::CN, DnType::CommonName),
        (oid::C, DnType::CountryName),
        (oid::L, DnType::LocalityName),
        (oid::ST, DnType::StateOrProvinceName),
        (oid::O, DnType::OrganizationName),
        (oid::OU, DnType::OrganizationalUnitName),
    ];
    if let Some((_, t)) = TABLE.iter().find(|(id, _)| oid::is(o, *id)) {
        return Some(t.clone());
    }
    let arcs: Vec<u64> = o.iter()?.collect();
    (arcs.len() >= 2).then_some(DnType::CustomDnType(arcs))
}
