//! More leaves under an existing CA (ParaQ's "friend" joining later, a device's CSR): one
//! leaf request or CSR + an [`ImportedCa`] in, a small [`Kit`] out (the leaf's files, the CA
//! certificate, README and manifest — never the CA key).

use crate::error::{Error, ErrorKind, Problems};
use crate::import::{Csr, ImportedCa};
use crate::issue::{self, Issued, Options};
use crate::keys::KeyAlgorithm;
use crate::kit::{self, Kit};
use crate::names::{self, SanName};
use crate::spec::{DEFAULT_LEAF_DAYS, KeyEncryption};
use crate::validate::{self, Plan, Planned, Role};
use serde::{Deserialize, Serialize};
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
    /// Devices: also EKU serverAuth.
    pub server_auth: bool,
    /// PKCS#12 password (required unless signing a CSR, which yields no key).
    pub p12_password: String,
    /// Passphrase for the key file.
    pub key_password: Option<String>,
    /// Key encryption scheme.
    pub key_encryption: KeyEncryption,
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
            p12_password: String::new(),
            key_password: None,
            key_encryption: KeyEncryption::default(),
        }
    }
}

fn plan_leaf(
    leaf: &LeafSpec,
    csr: Option<&Csr>,
    ca: &ImportedCa,
    now: time::OffsetDateTime,
) -> Result<Planned, Error> {
    let mut p = Problems::default();
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
    let mut sans: Vec<SanName> = Vec::new();
    let raw_names: Vec<String> = if leaf.names.is_empty() {
        csr.map(|c| {
            c.sans
                .iter()
                .filter_map(|s| match s {
                    SanName::Dns(d) => Some(d.clone()),
                    SanName::Ip(ip) => Some(ip.to_string()),
                    SanName::Email(_) => None,
                })
                .collect()
        })
        .unwrap_or_default()
    } else {
        leaf.names.clone()
    };
    for (j, n) in raw_names.iter().enumerate() {
        match names::parse_server_name(n, &format!("names[{j}]")) {
            Ok(s) if !sans.contains(&s) => sans.push(s),
            Ok(_) => {}
            Err(e) => p.0.push(e),
        }
    }
    let email = leaf.email.clone().or_else(|| {
        csr.and_then(|c| {
            c.sans.iter().find_map(|s| {
                if let SanName::Email(e) = s {
                    Some(e.clone())
                } else {
                    None
                }
            })
        })
    });
    if let Some(e) = &email {
        match names::check_email(e, "email") {
            Ok(e) => sans.push(SanName::Email(e)),
            Err(e) => p.0.push(e),
        }
    }
    let server_auth = leaf.role == Role::Server || (leaf.role == Role::Device && leaf.server_auth);
    if leaf.role == Role::Server && !sans.iter().any(|s| !matches!(s, SanName::Email(_))) {
        p.push(
            "names",
            ErrorKind::Missing,
            "a server certificate needs at least one host name or address",
            "give the names clients connect to, e.g. `localhost,127.0.0.1`",
        );
    }
    let cn = if !leaf.common_name.trim().is_empty() {
        leaf.common_name.trim().to_string()
    } else if let Some(cn) = csr.and_then(|c| c.common_name.clone()) {
        cn
    } else {
        sans.iter()
            .find_map(|s| {
                if let SanName::Dns(d) = s {
                    Some(d.clone())
                } else {
                    None
                }
            })
            .unwrap_or_default()
    };
    validate::check_cn(&mut p, "common_name".into(), &cn);
    if leaf.role == Role::Device
        && leaf.server_auth
        && !sans.iter().any(|s| matches!(s, SanName::Dns(_)))
    {
        match names::check_dns_name(&cn, "common_name") {
            Ok(d) => sans.push(SanName::Dns(d)),
            Err(e) => p.0.push(e),
        }
    }
    let name = if leaf.name.is_empty() {
        cn.clone()
    } else {
        leaf.name.clone()
    };
    if !name.is_empty()
        && (name.len() > 64
            || name.starts_with('.')
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        p.push(
            "name",
            ErrorKind::BadFileName,
            format!("`{name}` cannot be used as a file name"),
            "give --name with letters, digits, `.`, `_` or `-`",
        );
    }
    if leaf.days == 0 || leaf.days > validate::MAX_DAYS {
        p.push(
            "days",
            ErrorKind::InvalidValidity,
            format!("{} days is not a usable validity", leaf.days),
            "give 1 to 36525 days",
        );
    } else if now + Duration::days(i64::from(leaf.days)) > ca.not_after {
        let left = (ca.not_after - now).whole_days();
        p.push(
            "days",
            ErrorKind::OutlivesIssuer,
            format!(
                "{} days would outlive the CA `{}`, which expires in {left} days",
                leaf.days, ca.common_name
            ),
            format!("give at most {left} days"),
        );
    }
    if csr.is_none() && leaf.p12_password.is_empty() {
        p.push(
            "p12_password",
            ErrorKind::EmptyPassword,
            "the PKCS#12 password is empty",
            "set a password: iOS and macOS refuse a .p12 with an empty one",
        );
    }
    if leaf.key_password.as_deref() == Some("") {
        p.push(
            "key_password",
            ErrorKind::EmptyPassword,
            "the key passphrase is empty",
            "set a passphrase or none at all",
        );
    }
    for s in &sans {
        if !names::permitted(&ca.constraints, s) {
            let allowed: Vec<String> = ca.constraints.iter().map(|t| t.to_string()).collect();
            p.push(
                "names",
                ErrorKind::OutsideConstraints,
                format!(
                    "{s} is outside the name constraints of CA `{}` ({})",
                    ca.common_name,
                    allowed.join(", ")
                ),
                "use a name the CA permits, or a CA without constraints",
            );
        }
    }
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
        client_auth: leaf.role != Role::Server,
        field: String::new(),
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
    let planned = plan_leaf(leaf, csr, ca, now)?;
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
    // The CA (and any issuers given with it) become key-less entries, so the chain files and
    // the manifest are written by the same code as a fresh kit.
    let mut issued = Vec::new();
    let mut identities = Vec::new();
    for (i, der) in ca.chain.iter().enumerate() {
        let info = crate::inspect::CertInfo::from_der(der)?;
        let last = i + 1 == ca.chain.len();
        let role = if last && info.self_signed {
            Role::RootCa
        } else {
            Role::IntermediateCa
        };
        let name = if i == 0 {
            "ca".to_string()
        } else {
            format!("ca-{i}")
        };
        let planned_ca = Planned {
            stem: name.clone(),
            name,
            role,
            common_name: info.common_name.clone().unwrap_or(info.subject.clone()),
            sans: Vec::new(),
            key: KeyAlgorithm::default(),
            days: 0,
            issuer: if last { None } else { Some(i + 1) },
            constraints: Vec::new(),
            server_auth: false,
            client_auth: false,
            field: "ca_cert".into(),
        };
        identities.push(planned_ca.clone());
        issued.push(Issued {
            planned: planned_ca,
            cert_der: der.clone(),
            key: None,
            serial: hex::decode(&info.serial).unwrap_or_default(),
            not_before: info.not_before_t,
            not_after: info.not_after_t,
        });
    }
    // The manifest shows the imported CA's key algorithm.
    if let Some(first) = issued.first_mut() {
        first.planned.key = ca.key.algorithm();
    }
    identities.push(planned);
    issued.push(leaf_issued);
    let plan = Plan {
        identities,
        organization: String::new(),
        p12_password: leaf.p12_password.clone(),
        p12_flavours: crate::spec::P12Flavours::Both,
        key_password: leaf.key_password.clone(),
        key_encryption: leaf.key_encryption,
    };
    kit::assemble(&plan, &issued, now)
}
