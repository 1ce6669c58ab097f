//! Validation: turns a [`Spec`] into a [`Plan`] — every identity with its issuer, names and
//! constraints resolved — or returns every problem found, each naming its field. Runs before
//! any key is made.

use crate::error::{Error, ErrorKind, Problems};
use crate::keys::KeyAlgorithm;
use crate::names::{self, SanName, Subtree};
use crate::spec::{KeyEncryption, NameConstraints, P12Flavours, Spec};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashSet};

/// Longest validity accepted, in days (100 years).
pub const MAX_DAYS: u32 = 36_525;
/// Most devices in one kit.
pub const MAX_DEVICES: u32 = 10_000;
/// X.520 upper bound of a common name.
pub const MAX_CN_LEN: usize = 64;

/// What an identity is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[derive(Default)]
pub enum Role {
    /// Self-signed root CA.
    RootCa,
    /// Intermediate CA (pathLen 0).
    IntermediateCa,
    /// TLS server leaf.
    Server,
    /// TLS client leaf for a person.
    #[default]
    Client,
    /// IoT device leaf.
    Device,
}

impl Role {
    /// True for root and intermediate CAs.
    pub fn is_ca(self) -> bool {
        matches!(self, Role::RootCa | Role::IntermediateCa)
    }

    /// The manifest's spelling (`root-ca`, `server`, …).
    pub fn id(self) -> &'static str {
        match self {
            Role::RootCa => "root-ca",
            Role::IntermediateCa => "intermediate-ca",
            Role::Server => "server",
            Role::Client => "client",
            Role::Device => "device",
        }
    }
}

/// One identity to make, fully resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// Unique name; also the file stem (devices live under `devices/`).
    pub name: String,
    /// Path of its files relative to the kit, without extension.
    pub stem: String,
    /// What it is for.
    pub role: Role,
    /// Subject CN.
    pub common_name: String,
    /// subjectAltName entries.
    pub sans: Vec<SanName>,
    /// Key algorithm.
    pub key: KeyAlgorithm,
    /// Validity in days.
    pub days: u32,
    /// Index of the issuer in the plan; `None` for roots.
    pub issuer: Option<usize>,
    /// Permitted subtrees (CAs only; empty = no name constraints).
    pub constraints: Vec<Subtree>,
    /// EKU serverAuth.
    pub server_auth: bool,
    /// EKU clientAuth.
    pub client_auth: bool,
    /// The spec field it came from (for error messages).
    pub field: String,
}

/// A validated spec: identities in issuing order (issuers first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Identities, issuers before the certificates they sign.
    pub identities: Vec<Planned>,
    /// Organisation for CA subjects.
    pub organization: String,
    /// PKCS#12 password (non-empty).
    pub p12_password: String,
    /// Which PKCS#12 flavours to write.
    pub p12_flavours: P12Flavours,
    /// Passphrase for encrypted key files, if any.
    pub key_password: Option<String>,
    /// Key-file encryption scheme.
    pub key_encryption: KeyEncryption,
}

fn check_days(p: &mut Problems, field: String, days: u32) {
    if days == 0 {
        p.push(
            field,
            ErrorKind::InvalidValidity,
            "the validity is 0 days",
            "give a validity of at least 1 day",
        );
    } else if days > MAX_DAYS {
        p.push(
            field,
            ErrorKind::InvalidValidity,
            format!("the validity of {days} days is over 100 years"),
            format!("give at most {MAX_DAYS} days"),
        );
    }
}

pub(crate) fn check_cn(p: &mut Problems, field: String, cn: &str) {
    if cn.trim().is_empty() {
        p.push(
            field,
            ErrorKind::Missing,
            "the common name is empty",
            "give a name (for a root, iOS hides CAs without one)",
        );
    } else if cn.chars().count() > MAX_CN_LEN {
        p.push(
            field,
            ErrorKind::TooLong,
            format!("the common name is {} characters long", cn.chars().count()),
            format!("shorten it to at most {MAX_CN_LEN} characters (X.520 limit)"),
        );
    } else if cn.chars().any(|c| c.is_control()) {
        p.push(
            field,
            ErrorKind::InvalidDnsName,
            "the common name contains control characters",
            "use printable characters only",
        );
    }
}

fn check_stem(p: &mut Problems, field: String, name: &str, seen: &mut HashSet<String>) {
    if name.is_empty() {
        p.push(
            field,
            ErrorKind::Missing,
            "the identity name is empty",
            "give a short file name such as `server` or `alice`",
        );
        return;
    }
    if name.len() > 64
        || name.starts_with('.')
        || name.starts_with('-')
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        p.push(
            field,
            ErrorKind::BadFileName,
            format!("`{name}` cannot be used as a file name"),
            "use at most 64 letters, digits, `.`, `_` or `-`, not starting with `.` or `-`",
        );
        return;
    }
    if !seen.insert(name.to_ascii_lowercase()) {
        p.push(
            field,
            ErrorKind::DuplicateName,
            format!("the name `{name}` is used twice"),
            "give every identity its own name: files would overwrite each other",
        );
    }
}

/// Expands a device pattern such as `sensor-{n:04}` for number `n`.
pub fn expand_pattern(pattern: &str, n: u32) -> Result<String, String> {
    let Some(open) = pattern.find('{') else {
        return Err("it has no `{n}` placeholder, so every device would get the same name".into());
    };
    let Some(close_rel) = pattern[open..].find('}') else {
        return Err("`{` is not closed by `}`".into());
    };
    let close = open + close_rel;
    let inner = &pattern[open + 1..close];
    let rest = &pattern[close + 1..];
    if rest.contains('{') || rest.contains('}') || pattern[..open].contains('}') {
        return Err("only one `{n}` placeholder is allowed".into());
    }
    let num = match inner {
        "n" => n.to_string(),
        _ => {
            let width = inner
                .strip_prefix("n:0")
                .and_then(|w| w.parse::<usize>().ok())
                .filter(|w| (1..=10).contains(w))
                .ok_or_else(|| {
                    format!(
                        "`{{{inner}}}` is not `{{n}}` or `{{n:0W}}` with a width W from 1 to 10"
                    )
                })?;
            format!("{n:0width$}")
        }
    };
    Ok(format!("{}{}{}", &pattern[..open], num, rest))
}

/// Checks a spec and resolves it into a plan.
pub fn plan(spec: &Spec) -> Result<Plan, Error> {
    let mut p = Problems::default();
    let mut seen = HashSet::new();
    let mut ids: Vec<Planned> = Vec::new();

    if spec.p12_password.is_empty() {
        p.push(
            "p12_password",
            ErrorKind::EmptyPassword,
            "the PKCS#12 password is empty",
            "set a password: iOS and macOS refuse to import a .p12 with an empty one",
        );
    }
    if spec.key_password.as_deref() == Some("") {
        p.push(
            "key_password",
            ErrorKind::EmptyPassword,
            "the key passphrase is empty",
            "set a passphrase, or leave keys unencrypted by not setting one",
        );
    }
    if let KeyEncryption::Pbkdf2 { iterations } = spec.key_encryption
        && !(10_000..=10_000_000).contains(&iterations)
    {
        p.push(
            "key_encryption.iterations",
            ErrorKind::BadCount,
            format!("{iterations} PBKDF2 iterations is outside 10,000–10,000,000"),
            "use 100,000 (the default) or more for keys that leave the lab",
        );
    }
    if spec.organization.chars().count() > MAX_CN_LEN {
        p.push(
            "organization",
            ErrorKind::TooLong,
            "the organisation is longer than 64 characters",
            "shorten it",
        );
    }

    let mut ca = |p: &mut Problems,
                  ids: &mut Vec<Planned>,
                  field: &str,
                  c: &crate::spec::CaSpec,
                  role,
                  issuer| {
        check_stem(p, format!("{field}.name"), &c.name, &mut seen);
        check_cn(p, format!("{field}.common_name"), &c.common_name);
        check_days(p, format!("{field}.days"), c.days);
        ids.push(Planned {
            name: c.name.clone(),
            stem: c.name.clone(),
            role,
            common_name: c.common_name.trim().to_string(),
            sans: Vec::new(),
            key: c.key,
            days: c.days,
            issuer,
            constraints: Vec::new(),
            server_auth: false,
            client_auth: false,
            field: field.to_string(),
        });
        ids.len() - 1
    };
    let root = ca(&mut p, &mut ids, "root", &spec.root, Role::RootCa, None);
    let inter = spec.intermediate.as_ref().map(|c| {
        ca(
            &mut p,
            &mut ids,
            "intermediate",
            c,
            Role::IntermediateCa,
            Some(root),
        )
    });
    let client_ca = spec
        .client_ca
        .as_ref()
        .map(|c| ca(&mut p, &mut ids, "client_ca", c, Role::RootCa, None));
    let leaf_issuer = inter.unwrap_or(root);
    let client_issuer = client_ca.unwrap_or(leaf_issuer);

    for (i, s) in spec.servers.iter().enumerate() {
        let f = format!("servers[{i}]");
        check_stem(&mut p, format!("{f}.name"), &s.name, &mut seen);
        check_days(&mut p, format!("{f}.days"), s.days);
        let mut sans = BTreeSet::new();
        let mut ordered = Vec::new();
        if s.names.is_empty() {
            p.push(format!("{f}.names"), ErrorKind::Missing, "the server has no names", "list the host names and addresses clients will connect to, e.g. `localhost,127.0.0.1,::1`");
        }
        for (j, n) in s.names.iter().enumerate() {
            match names::parse_server_name(n, &format!("{f}.names[{j}]")) {
                Ok(san) => {
                    if sans.insert(san.clone()) {
                        ordered.push(san);
                    }
                }
                Err(e) => p.0.push(e),
            }
        }
        let cn = match &s.common_name {
            Some(cn) => cn.trim().to_string(),
            None => ordered
                .first()
                .map(|n| match n {
                    SanName::Dns(d) => d.clone(),
                    SanName::Ip(ip) => ip.to_string(),
                    SanName::Email(e) => e.clone(),
                })
                .unwrap_or_default(),
        };
        if s.common_name.is_some() || !ordered.is_empty() {
            check_cn(&mut p, format!("{f}.common_name"), &cn);
        }
        ids.push(Planned {
            name: s.name.clone(),
            stem: s.name.clone(),
            role: Role::Server,
            common_name: cn,
            sans: ordered,
            key: s.key,
            days: s.days,
            issuer: Some(leaf_issuer),
            constraints: Vec::new(),
            server_auth: true,
            client_auth: s.client_auth,
            field: f,
        });
    }

    for (i, c) in spec.clients.iter().enumerate() {
        let f = format!("clients[{i}]");
        let name = if c.name.is_empty() {
            c.common_name.trim().to_string()
        } else {
            c.name.clone()
        };
        check_cn(&mut p, format!("{f}.common_name"), &c.common_name);
        if !c.common_name.trim().is_empty() {
            check_stem(&mut p, format!("{f}.name"), &name, &mut seen);
        }
        check_days(&mut p, format!("{f}.days"), c.days);
        let mut sans = Vec::new();
        if let Some(e) = &c.email {
            match names::check_email(e, &format!("{f}.email")) {
                Ok(e) => sans.push(SanName::Email(e)),
                Err(e) => p.0.push(e),
            }
        }
        ids.push(Planned {
            name: name.clone(),
            stem: name,
            role: Role::Client,
            common_name: c.common_name.trim().to_string(),
            sans,
            key: c.key,
            days: c.days,
            issuer: Some(client_issuer),
            constraints: Vec::new(),
            server_auth: false,
            client_auth: true,
            field: f,
        });
    }

    let mut total_devices: u64 = 0;
    for (i, d) in spec.devices.iter().enumerate() {
        let f = format!("devices[{i}]");
        check_days(&mut p, format!("{f}.days"), d.days);
        total_devices += u64::from(d.count);
        if d.count == 0 {
            p.push(
                format!("{f}.count"),
                ErrorKind::BadCount,
                "the device count is 0",
                "give a count from 1 to 10,000, or remove the batch",
            );
            continue;
        }
        if total_devices > u64::from(MAX_DEVICES) {
            p.push(format!("{f}.count"), ErrorKind::BadCount, format!("the kit would hold {total_devices} devices"), format!("make at most {MAX_DEVICES} devices per kit; split larger fleets into several kits under an imported CA"));
            continue;
        }
        let Some(last) = d.start.checked_add(d.count - 1) else {
            p.push(
                format!("{f}.start"),
                ErrorKind::BadCount,
                "the device numbers overflow",
                "start from a smaller number",
            );
            continue;
        };
        if let Err(why) = expand_pattern(&d.pattern, d.start) {
            p.push(
                format!("{f}.pattern"),
                ErrorKind::BadPattern,
                format!("the pattern `{}` is not usable: {why}", d.pattern),
                "write a pattern such as `sensor-{n:04}`",
            );
            continue;
        }
        for n in d.start..=last {
            let cn = expand_pattern(&d.pattern, n).unwrap_or_default();
            let before = p.0.len();
            check_cn(&mut p, format!("{f}.pattern"), &cn);
            check_stem(&mut p, format!("{f}.pattern"), &cn, &mut seen);
            let mut sans = Vec::new();
            if d.server_auth {
                match names::check_dns_name(&cn, &format!("{f}.pattern")) {
                    Ok(dns) => sans.push(SanName::Dns(dns)),
                    Err(mut e) => {
                        e.problem = format!(
                            "device `{cn}` must be a host name to act as a server: {}",
                            e.problem
                        );
                        p.0.push(e);
                    }
                }
            }
            if p.0.len() > before {
                break; // one bad name in a pattern makes them all bad: report it once
            }
            ids.push(Planned {
                name: cn.clone(),
                stem: format!("devices/{cn}"),
                role: Role::Device,
                common_name: cn,
                sans,
                key: d.key,
                days: d.days,
                issuer: Some(leaf_issuer),
                constraints: Vec::new(),
                server_auth: d.server_auth,
                client_auth: true,
                field: f.clone(),
            });
        }
    }

    // A certificate must not outlive its issuer: clients reject the part of its life after the
    // CA expired, which surprises users months later.
    for id in &ids {
        if let Some(i) = id.issuer {
            let issuer = &ids[i];
            if id.days > issuer.days {
                p.push(
                    format!("{}.days", id.field),
                    ErrorKind::OutlivesIssuer,
                    format!(
                        "`{}` would be valid for {} days but its issuer `{}` only for {}",
                        id.name, id.days, issuer.name, issuer.days
                    ),
                    format!(
                        "give `{}` at most {} days, or make the CA last longer",
                        id.name, issuer.days
                    ),
                );
            }
        }
    }

    resolve_constraints(spec, &mut ids, &mut p);
    p.into_result()?;
    Ok(Plan {
        identities: ids,
        organization: spec.organization.trim().to_string(),
        p12_password: spec.p12_password.clone(),
        p12_flavours: spec.p12_flavours,
        key_password: spec.key_password.clone(),
        key_encryption: spec.key_encryption,
    })
}

fn issuers_of(ids: &[Planned], mut i: usize) -> Vec<usize> {
    let mut out = Vec::new();
    while let Some(up) = ids[i].issuer {
        out.push(up);
        i = up;
    }
    out
}

fn resolve_constraints(spec: &Spec, ids: &mut [Planned], p: &mut Problems) {
    match &spec.name_constraints {
        NameConstraints::None => {}
        NameConstraints::Auto => {
            let mut per_ca: Vec<BTreeSet<Subtree>> = vec![BTreeSet::new(); ids.len()];
            for i in 0..ids.len() {
                if ids[i].role.is_ca() {
                    continue;
                }
                for ca in issuers_of(ids, i) {
                    per_ca[ca].extend(ids[i].sans.iter().filter_map(names::auto_subtree));
                }
            }
            for (i, trees) in per_ca.into_iter().enumerate() {
                ids[i].constraints = minimise(trees);
            }
        }
        NameConstraints::Permitted(list) => {
            let mut trees = BTreeSet::new();
            for (j, raw) in list.iter().enumerate() {
                match names::parse_subtree(raw, &format!("name_constraints.permitted[{j}]")) {
                    Ok(t) => {
                        trees.insert(t);
                    }
                    Err(e) => p.0.push(e),
                }
            }
            if list.is_empty() {
                p.push(
                    "name_constraints.permitted",
                    ErrorKind::Missing,
                    "the list of permitted names is empty",
                    "list at least one name or range, or choose `auto` or `none`",
                );
            }
            let trees: Vec<Subtree> = trees.into_iter().collect();
            for id in ids.iter_mut().filter(|id| id.role.is_ca()) {
                id.constraints = trees.clone();
            }
        }
    }
    for i in 0..ids.len() {
        for ca in issuers_of(ids, i) {
            for san in &ids[i].sans {
                if !names::permitted(&ids[ca].constraints, san) {
                    let allowed: Vec<String> =
                        ids[ca].constraints.iter().map(|t| t.to_string()).collect();
                    p.push(ids[i].field.clone(), ErrorKind::OutsideConstraints, format!("{san} of `{}` is outside the name constraints of CA `{}` ({})", ids[i].name, ids[ca].name, allowed.join(", ")), "add the name's domain or range to the permitted list, or use `auto` name constraints");
                }
            }
        }
    }
}

/// Drops subtrees already covered by a broader one (`a.lab` under `lab`).
fn minimise(trees: BTreeSet<Subtree>) -> Vec<Subtree> {
    let all: Vec<Subtree> = trees.into_iter().collect();
    all.iter()
        .filter(|t| {
            !all.iter().any(|o| {
                o != *t
                    && match (o, t) {
                        (Subtree::Dns(b), Subtree::Dns(n)) => n.ends_with(&format!(".{b}")),
                        (Subtree::Ip(b, bp), Subtree::Ip(n, np)) => {
                            bp < np && b.is_ipv4() == n.is_ipv4() && names::mask(*n, *bp) == *b
                        }
                        _ => false,
                    }
            })
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert_eq!(
            expand_pattern("sensor-{n:04}", 7).as_deref(),
            Ok("sensor-0007")
        );
        assert_eq!(
            expand_pattern("{n}.cam.lab", 12).as_deref(),
            Ok("12.cam.lab")
        );
        for bad in ["sensor", "s-{n", "s-{m}", "{n}-{n}", "s-{n:0}", "s-{n:011}"] {
            assert!(expand_pattern(bad, 1).is_err(), "{bad}");
        }
    }

    #[test]
    fn auto_constraints_cover_the_kit_and_are_minimal() {
        let mut spec = crate::Preset::Iot.spec(crate::KeyAlgorithm::EcdsaP256);
        spec.devices[0].server_auth = true;
        spec.devices[0].pattern = "s{n}.dev.lab".into();
        let plan = plan(&spec).expect("plan");
        let root: Vec<String> = plan.identities[0]
            .constraints
            .iter()
            .map(|t| t.to_string())
            .collect();
        assert_eq!(
            root,
            ["DNS:lab", "DNS:localhost", "IP:127.0.0.0/8", "IP:::1/128"]
        );
    }
}
