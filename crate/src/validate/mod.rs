//! Validation: turns a [`Spec`] into a [`Plan`] — every identity with its issuer, names and
//! constraints resolved — or returns every problem found, each naming its field. Runs before
//! any key is made. One function per section of the spec; the field checks they share with
//! leaf planning ([`crate::leaf`]) live in [`checks`].

mod checks;
mod constraints;
mod device_list;
mod devices;

pub(crate) use checks::{
    check_cn, check_days, check_secrets, check_stem, check_subject, default_server_cn, device_dns,
    email_san, is_safe_stem, server_names,
};
pub use device_list::device_list_text;
pub use devices::expand_pattern;

use crate::error::{Error, ErrorKind, Problems};
use crate::keys::KeyAlgorithm;
use crate::names::{SanName, Subtree};
use crate::role::Role;
use crate::spec::{CaSpec, KeyEncryption, P12Flavours, Spec, SubjectFields};
use std::collections::HashSet;

/// Longest validity accepted, in days (100 years).
pub const MAX_DAYS: u32 = 36_525;
/// Most devices in a kit held in memory ([`crate::generate`]: the page, the JS package).
pub const MAX_DEVICES: u32 = 10_000;
/// Most devices in a kit written as it is made ([`crate::generate_into`]: the CLI).
pub const MAX_STREAMED_DEVICES: u32 = 1_000_000;
/// X.520 upper bound of a common name.
pub const MAX_CN_LEN: usize = 64;

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
    /// Subject fields besides the CN, resolved (a CA's OU is the kit's, added when issuing).
    pub subject: SubjectFields,
    /// The spec field it came from (for error messages).
    pub field: String,
}

/// A validated spec: identities in issuing order (issuers first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Identities, issuers before the certificates they sign.
    pub identities: Vec<Planned>,
    /// PKCS#12 password (non-empty).
    pub p12_password: String,
    /// Which PKCS#12 flavours to write.
    pub p12_flavours: P12Flavours,
    /// Passphrase for encrypted key files, if any.
    pub key_password: Option<String>,
    /// Key-file encryption scheme.
    pub key_encryption: KeyEncryption,
    /// Devices get their own random secrets (see [`Spec::per_device_secrets`]).
    pub per_device_secrets: bool,
}

/// Identities planned so far and the problems found, with the names already taken.
#[derive(Default)]
pub(crate) struct Planner {
    pub(crate) p: Problems,
    pub(crate) ids: Vec<Planned>,
    pub(crate) seen: HashSet<String>,
    /// The subject fields every CA gets (the kit's, with its organisation).
    pub(crate) ca_subject: SubjectFields,
    /// Most devices the kit may hold.
    pub(crate) max_devices: u32,
}

impl Planner {
    fn kit_wide(&mut self, spec: &Spec) {
        let p = &mut self.p;
        check_secrets(p, Some(&spec.p12_password), spec.key_password.as_deref());
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
        for (field, fields) in std::iter::once(("subject".to_string(), &spec.subject))
            .chain(
                spec.servers
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (format!("servers[{i}].subject"), &s.subject)),
            )
            .chain(
                spec.clients
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (format!("clients[{i}].subject"), &c.subject)),
            )
            .chain(
                spec.devices
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (format!("devices[{i}].subject"), &d.subject)),
            )
        {
            check_subject(p, &field, fields);
        }
        self.ca_subject = SubjectFields {
            organizational_unit: None,
            ..spec.subject.or(&SubjectFields {
                organization: Some(spec.organization.clone()),
                ..SubjectFields::default()
            })
        };
        if spec.organization.chars().count() > MAX_CN_LEN {
            p.push(
                "organization",
                ErrorKind::TooLong,
                "the organisation is longer than 64 characters",
                "shorten it",
            );
        }
    }

    fn ca(&mut self, field: &str, c: &CaSpec, role: Role, issuer: Option<usize>) -> usize {
        check_stem(
            &mut self.p,
            format!("{field}.name"),
            &c.name,
            &mut self.seen,
        );
        check_cn(&mut self.p, format!("{field}.common_name"), &c.common_name);
        check_days(&mut self.p, format!("{field}.days"), c.days);
        self.ids.push(Planned {
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
            subject: self.ca_subject.clone(),
            field: field.to_string(),
        });
        self.ids.len() - 1
    }

    fn servers(&mut self, spec: &Spec, issuer: usize) {
        for (i, s) in spec.servers.iter().enumerate() {
            let f = format!("servers[{i}]");
            let p = &mut self.p;
            check_stem(p, format!("{f}.name"), &s.name, &mut self.seen);
            check_days(p, format!("{f}.days"), s.days);
            if s.names.is_empty() {
                p.push(format!("{f}.names"), ErrorKind::Missing, "the server has no names", "list the host names and addresses clients will connect to, e.g. `localhost,127.0.0.1,::1`");
            }
            let sans = server_names(p, &format!("{f}.names"), &s.names);
            let cn = match &s.common_name {
                Some(cn) => cn.trim().to_string(),
                None => default_server_cn(&sans),
            };
            if s.common_name.is_some() || !sans.is_empty() {
                check_cn(p, format!("{f}.common_name"), &cn);
            }
            self.ids.push(Planned {
                name: s.name.clone(),
                stem: s.name.clone(),
                role: Role::Server,
                common_name: cn,
                sans,
                key: s.key,
                days: s.days,
                issuer: Some(issuer),
                constraints: Vec::new(),
                server_auth: true,
                client_auth: s.client_auth,
                subject: s.subject.or(&spec.subject),
                field: f,
            });
        }
    }

    fn clients(&mut self, spec: &Spec, issuer: usize) {
        for (i, c) in spec.clients.iter().enumerate() {
            let f = format!("clients[{i}]");
            let p = &mut self.p;
            let name = if c.name.is_empty() {
                checks::stem_from(&c.common_name)
            } else {
                c.name.clone()
            };
            check_cn(p, format!("{f}.common_name"), &c.common_name);
            if c.name.is_empty() && !c.common_name.trim().is_empty() && !is_safe_stem(&name) {
                p.push(
                    format!("{f}.name"),
                    ErrorKind::BadFileName,
                    format!("no file name can be made from the CN `{}`: it has no ASCII letter or digit", c.common_name.trim()),
                    "give the client a file name (`name` in a spec, File name on the page), or a CN with ASCII letters",
                );
            } else if !c.common_name.trim().is_empty() {
                check_stem(p, format!("{f}.name"), &name, &mut self.seen);
            }
            check_days(p, format!("{f}.days"), c.days);
            let mut sans = server_names(p, &format!("{f}.names"), &c.names);
            if c.server_auth && c.names.is_empty() {
                p.push(
                    format!("{f}.names"),
                    ErrorKind::Missing,
                    "a client that also serves needs the names it is reached at",
                    "list its host names and addresses, e.g. `localhost,127.0.0.1`",
                );
            }
            sans.extend(email_san(p, &format!("{f}.email"), c.email.as_deref()));
            self.ids.push(Planned {
                name: name.clone(),
                stem: name,
                role: Role::Client,
                common_name: c.common_name.trim().to_string(),
                sans,
                key: c.key,
                days: c.days,
                issuer: Some(issuer),
                constraints: Vec::new(),
                server_auth: c.server_auth,
                client_auth: true,
                subject: c.subject.or(&spec.subject),
                field: f,
            });
        }
    }
}

/// Checks a spec and resolves it into a plan, for a kit held in memory (at most
/// [`MAX_DEVICES`] devices).
pub fn plan(spec: &Spec) -> Result<Plan, Error> {
    plan_up_to(spec, MAX_DEVICES)
}

/// Checks a spec and resolves it into a plan of at most `max_devices` devices.
pub(crate) fn plan_up_to(spec: &Spec, max_devices: u32) -> Result<Plan, Error> {
    let mut pl = Planner {
        max_devices,
        ..Planner::default()
    };
    pl.kit_wide(spec);
    let root = pl.ca("root", &spec.root, Role::RootCa, None);
    let inter = spec
        .intermediate
        .as_ref()
        .map(|c| pl.ca("intermediate", c, Role::IntermediateCa, Some(root)));
    let client_ca = spec
        .client_ca
        .as_ref()
        .map(|c| pl.ca("client_ca", c, Role::RootCa, None));
    let leaf_issuer = inter.unwrap_or(root);
    pl.servers(spec, leaf_issuer);
    pl.clients(spec, client_ca.unwrap_or(leaf_issuer));
    devices::plan_devices(&mut pl, spec, leaf_issuer);
    let Planner { mut p, mut ids, .. } = pl;
    constraints::check_lifetimes(&ids, &mut p);
    constraints::resolve_constraints(spec, &mut ids, &mut p);
    p.into_result()?;
    Ok(Plan {
        identities: ids,
        p12_password: spec.p12_password.clone(),
        p12_flavours: spec.p12_flavours,
        key_password: spec.key_password.clone(),
        per_device_secrets: spec.per_device_secrets,
        key_encryption: spec.key_encryption,
    })
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
