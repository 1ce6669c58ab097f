//! More leaves under an existing CA (ParaQ's "friend" joining later, a device's CSR): one
//! leaf request or CSR + an [`ImportedCa`] in, a small [`Kit`] out (the leaf's files, the CA
//! certificate, README and manifest — never the CA key).

use crate::decode::{Cert, Csr};
use crate::error::{Error, ErrorKind, Problems};
use crate::import::ImportedCa;
use crate::issue::{self, Issued, Options};
use crate::keys::KeyAlgorithm;
use crate::kit::Kit;
use crate::names::{self, SanName};
use crate::role::Role;
use crate::spec::{DEFAULT_LEAF_DAYS, KeyEncryption, P12Flavours, SubjectFields};
use crate::validate::{self as v, Plan, Planned};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use time::Duration;

/// One leaf to issue under an imported CA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LeafSpec {
    /// `server`, `client` or `device`.
    pub role: Role,
    /// File stem; defaults to the CN.
    pub name: String,
    /// Subject CN; for servers defaults to the first name.
    pub common_name: String,
    /// Server names (DNS / IP); for devices acting as servers, added as DNS SAN.
    pub names: Vec<String>,
    /// Client e-mail (rfc822Name SAN).
    pub email: Option<String>,
    /// Key algorithm (ignored for a CSR, whose key is the device's).
    pub key: KeyAlgorithm,
    /// Validity in days.
    pub days: u32,
    /// Clients and devices: also a TLS server (EKU serverAuth). A client needs `names` for
    /// it; a device without names gets its CN as DNS name.
    pub server_auth: bool,
    /// Servers: also a TLS client (EKU clientAuth), for reverse connections.
    pub client_auth: bool,
    /// Subject fields besides the CN (C, ST, L, O, OU).
    pub subject: SubjectFields,
    /// PKCS#12 password (required unless signing a CSR, which yields no key).
    pub p12_password: String,
    /// Passphrase for the key file.
    pub key_password: Option<String>,
    /// Key encryption scheme.
    pub key_encryption: KeyEncryption,
    /// Which PKCS#12 files to write.
    pub p12_flavours: P12Flavours,
}

impl Default for LeafSpec {
    fn default() -> Self {
        LeafSpec {
            role: Role::Client,
            name: String::new(),
            common_name: String::new(),
            names: Vec::new(),
            email: None,
            key: KeyAlgorithm::default(),
            days: DEFAULT_LEAF_DAYS,
            server_auth: false,
            client_auth: false,
            subject: SubjectFields::default(),
            p12_password: String::new(),
            key_password: None,
            key_encryption: KeyEncryption::default(),
            p12_flavours: P12Flavours::default(),
        }
    }
}

/// The names a leaf gets: those asked for, else the CSR's; the e-mail likewise.
fn leaf_sans(p: &mut Problems, leaf: &LeafSpec, csr: Option<&Csr>) -> Vec<SanName> {
    let requested: Vec<String> = match csr {
        Some(c) if leaf.names.is_empty() => c
            .sans
            .iter()
            .filter_map(|s| match s {
                SanName::Dns(d) => Some(d.clone()),
                SanName::Ip(ip) => Some(ip.to_string()),
                SanName::Email(_) => None,
            })
            .collect(),
        _ => leaf.names.clone(),
    };
    let mut sans = v::server_names(p, "names", &requested);
    let csr_email = csr.and_then(|c| {
        c.sans.iter().find_map(|s| match s {
            SanName::Email(e) => Some(e.as_str()),
            _ => None,
        })
    });
    sans.extend(v::email_san(
        p,
        "email",
        leaf.email.as_deref().or(csr_email),
    ));
    sans
}

/// The leaf's common name: the one asked for, else the CSR's, else its first DNS name, else
/// (a server named by addresses only, as `kit` allows) its first name.
fn leaf_cn(leaf: &LeafSpec, csr: Option<&Csr>, sans: &[SanName]) -> String {
    if !leaf.common_name.trim().is_empty() {
        return leaf.common_name.trim().to_string();
    }
    if let Some(cn) = csr.and_then(|c| c.common_name.clone()) {
        return cn;
    }
    let first_dns = sans.iter().find_map(|s| match s {
        SanName::Dns(d) => Some(d.clone()),
        _ => None,
    });
    match first_dns {
        Some(d) => d,
        None if leaf.role == Role::Server => v::default_server_cn(sans),
        None => String::new(),
    }
}

/// What only a leaf under an imported CA is checked for: a leaf role, a lifetime inside the
/// CA's remaining one, and names inside the CA's constraints.
fn check_under_ca(
    p: &mut Problems,
    leaf: &LeafSpec,
    sans: &[SanName],
    ca: &Cert,
    now: time::OffsetDateTime,
) {
    if leaf.role.is_ca() {
        // A CSR or request never turns into a CA here: signing sub-CAs from a lab tool is how
        // a constrained root gets bypassed.
        p.push(
            "role",
            ErrorKind::Inconsistent,
            "certlab issues only leaves under an imported CA",
            "choose server, client or device",
        );
    }
    if leaf.role == Role::Server && !sans.iter().any(|s| !matches!(s, SanName::Email(_))) {
        p.push(
            "names",
            ErrorKind::Missing,
            "a server certificate needs at least one host name or address",
            "give the names clients connect to, e.g. `localhost,127.0.0.1`",
        );
    }
    if (1..=v::MAX_DAYS).contains(&leaf.days)
        && now + Duration::days(i64::from(leaf.days)) > ca.not_after
    {
        let left = (ca.not_after - now).whole_days();
        p.push(
            "days",
            ErrorKind::OutlivesIssuer,
            format!(
                "{} days would outlive the CA `{}`, which expires in {left} days",
                leaf.days,
                ca.name()
            ),
            if left >= 1 {
                format!("give at most {left} days")
            } else {
                "the CA has less than a day left: make a new CA and issue under it".to_string()
            },
        );
    }
    for s in sans {
        if !names::permitted(&ca.constraints, s) {
            let allowed: Vec<String> = ca.constraints.iter().map(|t| t.to_string()).collect();
            p.push(
                "names",
                ErrorKind::OutsideConstraints,
                format!(
                    "{s} is outside the name constraints of CA `{}` ({})",
                    ca.name(),
                    allowed.join(", ")
                ),
                "use a name the CA permits, or a CA without constraints",
            );
        }
    }
}

/// Plans one leaf with the validator's own field checks ([`crate::validate`]), then the
/// checks that only a leaf under an imported CA needs.
fn plan_leaf(
    leaf: &LeafSpec,
    csr: Option<&Csr>,
    ca: &Cert,
    now: time::OffsetDateTime,
) -> Result<Planned, Error> {
    let mut p = Problems::default();
    let mut sans = leaf_sans(&mut p, leaf, csr);
    let cn = leaf_cn(leaf, csr, &sans);
    v::check_cn(&mut p, "common_name".into(), &cn);
    let server_auth = leaf.role == Role::Server || leaf.server_auth;
    if leaf.role == Role::Client
        && leaf.server_auth
        && !sans.iter().any(|s| !matches!(s, SanName::Email(_)))
    {
        p.push(
            "names",
            ErrorKind::Missing,
            "a client that also serves needs the names it is reached at",
            "give its host names and addresses, e.g. `localhost,127.0.0.1`",
        );
    }
    if leaf.role == Role::Device
        && leaf.server_auth
        && !sans.iter().any(|s| matches!(s, SanName::Dns(_)))
    {
        sans.extend(v::device_dns(&mut p, "common_name", &cn));
    }
    let name = if leaf.name.is_empty() {
        cn.clone()
    } else {
        leaf.name.clone()
    };
    if !name.is_empty() {
        v::check_stem(&mut p, "name".into(), &name, &mut HashSet::new());
    }
    v::check_days(&mut p, "days".into(), leaf.days);
    v::check_subject(&mut p, "subject", &leaf.subject);
    let p12_password = csr.is_none().then_some(leaf.p12_password.as_str());
    v::check_secrets(&mut p, p12_password, leaf.key_password.as_deref());
    check_under_ca(&mut p, leaf, &sans, ca, now);
    p.into_result()?;
    Ok(Planned {
        stem: name.clone(),
        name,
        role: leaf.role,
        common_name: cn,
        sans,
        key: csr.map(|c| c.public_key.algorithm()).unwrap_or(leaf.key),
        days: leaf.days,
        issuer: Some(0),
        constraints: Vec::new(),
        server_auth,
        client_auth: leaf.role != Role::Server || leaf.client_auth,
        subject: leaf.subject.or(&SubjectFields::default()),
        field: String::new(),
    })
}

/// The imported CA (and any issuers given with it) as key-less entries, so the chain files
/// and the manifest are written by the same code as a fresh kit.
fn ca_entries(ca: &ImportedCa) -> Result<Vec<Issued>, Error> {
    let mut issued = Vec::new();
    for (i, der) in ca.chain.iter().enumerate() {
        let c = Cert::from_der(der, "ca_cert")?;
        let last = i + 1 == ca.chain.len();
        let role = if last && c.self_signed {
            Role::RootCa
        } else {
            Role::IntermediateCa
        };
        let name = if i == 0 {
            "ca".to_string()
        } else {
            format!("ca-{i}")
        };
        issued.push(Issued {
            planned: Planned {
                stem: name.clone(),
                name,
                role,
                common_name: c.name().to_string(),
                sans: Vec::new(),
                // The manifest shows the imported CA's key algorithm.
                key: if i == 0 {
                    ca.key.algorithm()
                } else {
                    KeyAlgorithm::default()
                },
                days: 0,
                issuer: if last { None } else { Some(i + 1) },
                constraints: Vec::new(),
                server_auth: false,
                client_auth: false,
                subject: SubjectFields::default(),
                field: "ca_cert".into(),
            },
            cert_der: der.clone(),
            key: None,
            serial: c.serial.clone(),
            not_before: c.not_before,
            not_after: c.not_after,
        });
    }
    Ok(issued)
}

/// The validity a leaf under `ca` gets when none is asked for: [`crate::DEFAULT_LEAF_DAYS`],
/// or the whole days the CA has left at `now` when that is less (a leaf may not outlive its
/// CA; 0 when the CA has less than a day).
pub fn leaf_days_under(ca: &ImportedCa, now: time::OffsetDateTime) -> u32 {
    let left = (ca.cert.not_after - now).whole_days().max(0);
    u32::try_from(left).map_or(crate::DEFAULT_LEAF_DAYS, |l| {
        l.min(crate::DEFAULT_LEAF_DAYS)
    })
}

/// Issues one leaf (a fresh key, or the key of `csr`) under `ca`.
pub fn issue_leaf(
    ca: &ImportedCa,
    leaf: &LeafSpec,
    csr: Option<&Csr>,
    opts: &Options,
) -> Result<Kit, Error> {
    let now = opts.now.unwrap_or_else(issue::now_utc);
    let planned = plan_leaf(leaf, csr, &ca.cert, now)?;
    let ca_der = ca
        .chain
        .first()
        .ok_or_else(|| Error::Internal("empty CA chain".into()))?;
    let opts_now = Options {
        now: Some(now),
        keys: opts.keys.clone(),
    };
    let leaf_issued = issue::issue_under(
        ca_der,
        &ca.key,
        &planned,
        csr.map(|c| &c.public_key),
        &opts_now,
    )?;
    let mut issued = ca_entries(ca)?;
    issued.push(leaf_issued);
    let plan = Plan {
        identities: issued.iter().map(|i| i.planned.clone()).collect(),
        p12_password: leaf.p12_password.clone(),
        p12_flavours: leaf.p12_flavours,
        key_password: leaf.key_password.clone(),
        key_encryption: leaf.key_encryption,
        per_device_secrets: false,
    };
    crate::stream::assemble(&plan, &issued, now)
}
