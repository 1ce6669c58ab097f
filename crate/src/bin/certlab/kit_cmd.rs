//! `certlab kit`: a whole kit from a preset and flags, or from a spec file.

use crate::{Fail, KeyFlags, files, key_alg, kit_dir, kit_stream, show, split_list};
use certlab::{
    CaSpec, ClientSpec, DeviceBatch, KeyEncryption, NameConstraints, Preset, ServerSpec, Spec,
};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum PresetArg {
    Dev,
    Mtls,
    Iot,
}

/// The flags of `certlab kit`.
#[derive(Args)]
pub(crate) struct KitArgs {
    /// Folder to write the kit into (refused if it already holds a kit, unless --force).
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// dev = root + server for localhost; mtls = dev + clients alice, bob; iot = root +
    /// intermediate + broker + 10 devices.
    #[arg(long, value_enum, default_value = "dev")]
    pub(crate) preset: PresetArg,
    #[command(flatten)]
    pub(crate) keys: KeyFlags,
    #[command(flatten)]
    pub(crate) subject: crate::SubjectFlags,
    /// Use scrypt instead of PBKDF2 for --key-password.
    #[arg(long)]
    pub(crate) scrypt: bool,
    /// Server names, comma-separated (DNS, *.wildcard, IPv4, IPv6): replaces the preset's.
    #[arg(long)]
    pub(crate) server: Option<String>,
    /// A client CN (repeatable): replaces the preset's clients.
    #[arg(long)]
    pub(crate) client: Vec<String>,
    /// Device CN pattern, e.g. `sensor-{n:04}` (with --count).
    #[arg(long)]
    pub(crate) devices: Option<String>,
    /// Number of devices (default 10): of --devices, or of the iot preset's.
    #[arg(long, conflicts_with = "devices_from")]
    pub(crate) count: Option<u32>,
    /// Devices from a list instead of a pattern: one name per line (serial number, MAC
    /// address, host name), or CSV with a header `name,names,email,o,ou,c,st,l`.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["devices", "spec"])]
    pub(crate) devices_from: Option<PathBuf>,
    /// Devices may also act as TLS servers (the iot preset's, or those of --devices or
    /// --devices-from).
    #[arg(long)]
    pub(crate) device_server_auth: bool,
    /// Each device gets its own random .p12 password (and key passphrase with
    /// --key-password), listed in devices.csv (a secret file).
    #[arg(long)]
    pub(crate) per_device_secrets: bool,
    /// Servers are also TLS clients (EKU clientAuth): for reverse connections, where the
    /// server dials out with its own identity.
    #[arg(long)]
    pub(crate) servers_also_client: bool,
    /// Clients are also TLS servers (EKU serverAuth) reached at these comma-separated names:
    /// for reverse connections, where a client listens with its client identity.
    #[arg(long, value_name = "NAMES")]
    pub(crate) clients_also_server: Option<String>,
    /// Add an intermediate CA that signs the leaves.
    #[arg(long)]
    pub(crate) intermediate: bool,
    /// Sign clients with a second, separate root.
    #[arg(long)]
    pub(crate) separate_client_ca: bool,
    /// Validity of the leaves in days (default 397).
    #[arg(long)]
    pub(crate) days: Option<u32>,
    /// Validity of the root in days (default 3650).
    #[arg(long)]
    pub(crate) ca_days: Option<u32>,
    /// Root CA common name.
    #[arg(long)]
    pub(crate) ca_name: Option<String>,
    /// auto (default), none, or a comma-separated list (`lab,127.0.0.0/8,fd00::/8`).
    #[arg(long, default_value = "auto")]
    pub(crate) name_constraints: String,
    /// Also write the whole kit as a zip.
    #[arg(long)]
    pub(crate) zip: Option<PathBuf>,
    /// Read the spec from a JSON file instead (the flags above are then ignored).
    #[arg(long)]
    pub(crate) spec: Option<PathBuf>,
    /// Overwrite an existing kit in --out.
    #[arg(long)]
    pub(crate) force: bool,
    /// Print the kit's manifest.json to stdout (and nothing else there), for scripts.
    #[arg(long)]
    pub(crate) json: bool,
}

fn read_spec(path: &std::path::Path) -> Result<Spec, Fail> {
    Ok(Spec::from_json(&files::read(path, "--spec")?, "--spec")?)
}

/// The preset's spec with the identities the flags name.
fn identities(a: &KitArgs, spec: &mut Spec, key: certlab::KeyAlgorithm) -> Result<(), Fail> {
    if let Some(names) = &a.server {
        let mut s = spec.servers.first().cloned().unwrap_or(ServerSpec {
            key,
            ..ServerSpec::default()
        });
        s.names = split_list(names);
        spec.servers = vec![s];
    }
    if !a.client.is_empty() {
        spec.clients = a
            .client
            .iter()
            .map(|cn| ClientSpec {
                name: String::new(),
                common_name: cn.clone(),
                key,
                ..ClientSpec::default()
            })
            .collect();
    }
    if a.servers_also_client {
        spec.servers.iter_mut().for_each(|s| s.client_auth = true);
    }
    if let Some(names) = &a.clients_also_server {
        for c in &mut spec.clients {
            c.server_auth = true;
            c.names = split_list(names);
        }
    }
    // --count and --device-server-auth change the preset's devices when no others are named;
    // a kit without devices has nothing for them to change.
    if (a.count.is_some() || a.device_server_auth)
        && a.devices.is_none()
        && a.devices_from.is_none()
    {
        if spec.devices.is_empty() {
            let flag = if a.count.is_some() {
                "--count"
            } else {
                "--device-server-auth"
            };
            return Err(files::refused(
                flag,
                "this kit has no devices for it to apply to".into(),
                "name the devices with --devices PATTERN or --devices-from FILE, or use --preset iot",
            ));
        }
        for b in &mut spec.devices {
            b.count = a.count.unwrap_or(b.count);
            b.server_auth |= a.device_server_auth;
        }
    }
    if let Some(pattern) = &a.devices {
        spec.devices = vec![DeviceBatch {
            pattern: pattern.clone(),
            count: a.count.unwrap_or(10),
            key,
            server_auth: a.device_server_auth,
            ..DeviceBatch::default()
        }];
    }
    if let Some(path) = &a.devices_from {
        spec.devices = vec![DeviceBatch {
            list: Some(files::read_list(path, "--devices-from")?),
            key,
            server_auth: a.device_server_auth,
            ..DeviceBatch::default()
        }];
    }
    if a.intermediate && spec.intermediate.is_none() {
        spec.intermediate = Some(CaSpec::intermediate(key));
    }
    if a.separate_client_ca {
        spec.client_ca = Some(CaSpec::client_ca(key));
    }
    Ok(())
}

/// The spec the flags describe.
fn spec_from_flags(a: KitArgs) -> Result<Spec, Fail> {
    let key = key_alg(&a.keys.key, "--key")?;
    let mut spec = match a.preset {
        PresetArg::Dev => Preset::Dev,
        PresetArg::Mtls => Preset::Mtls,
        PresetArg::Iot => Preset::Iot,
    }
    .spec(key);
    identities(&a, &mut spec, key)?;
    spec.subject = a.subject.into();
    spec.per_device_secrets = a.per_device_secrets;
    spec.p12_password = a.keys.p12_password;
    spec.p12_flavours = a.keys.p12.into();
    spec.key_password = a.keys.key_password;
    if a.scrypt {
        spec.key_encryption = KeyEncryption::Scrypt;
    }
    if let Some(cn) = a.ca_name {
        spec.root.common_name = cn;
    }
    if let Some(d) = a.ca_days {
        spec.root.days = d;
    }
    if let Some(d) = a.days {
        spec.servers.iter_mut().for_each(|s| s.days = d);
        spec.clients.iter_mut().for_each(|c| c.days = d);
        spec.devices.iter_mut().for_each(|b| b.days = d);
    }
    spec.name_constraints = match a.name_constraints.as_str() {
        "auto" => NameConstraints::Auto,
        "none" => NameConstraints::None,
        list => NameConstraints::Permitted(split_list(list)),
    };
    Ok(spec)
}

/// A kit made from flags: errors name the flag the user typed (`--client`, `--days`), not the
/// spec field it filled (`clients[0].name`, `servers[0].days`); `subject.country` is
/// `--country`, the device list is `--devices-from FILE`.
fn flag_fields(e: certlab::Error, devices_from: Option<&std::path::Path>) -> certlab::Error {
    match e {
        certlab::Error::Invalid(v) => certlab::Error::Invalid(
            v.into_iter()
                .map(|mut fe| {
                    if fe.field.starts_with("subject.")
                        && let Some(flag) = crate::subject_flag(&fe.field)
                    {
                        fe.field = flag.to_string();
                    } else if let (Some(path), "devices[0].list") =
                        (devices_from, fe.field.as_str())
                    {
                        fe.field = format!("--devices-from {}", path.display());
                    } else if let Some(flag) = flag_of(&fe.field) {
                        fe.field = flag.to_string();
                    }
                    fe
                })
                .collect(),
        ),
        other => other,
    }
}

/// The `certlab kit` flag that fills a spec field, if one does (indices dropped:
/// `servers[0].names[1]` is `--server`).
fn flag_of(field: &str) -> Option<&'static str> {
    let mut base = String::new();
    let mut depth = 0;
    for c in field.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            c if depth == 0 => base.push(c),
            _ => {}
        }
    }
    Some(match base.as_str() {
        "clients.name" | "clients.common_name" => "--client",
        "clients.names" => "--clients-also-server",
        "servers.names" => "--server",
        "servers.days" | "clients.days" | "devices.days" => "--days",
        "root.days" => "--ca-days",
        "root.common_name" => "--ca-name",
        "devices.pattern" => "--devices",
        "devices.count" => "--count",
        "name_constraints" => "--name-constraints",
        "key_password" => "--key-password",
        "p12_password" => "--p12-password",
        _ => return None,
    })
}

/// Runs `certlab kit`.
pub(crate) fn run(mut a: KitArgs) -> Result<(), Fail> {
    let (out, zip, force, json) = (a.out.clone(), a.zip.take(), a.force, a.json);
    let from_flags = a.spec.is_none();
    let devices_from = a.devices_from.clone();
    let spec = match a.spec.take() {
        Some(path) => read_spec(&path)?,
        None => spec_from_flags(a)?,
    };

    for f in certlab::lint_spec(&spec) {
        show::finding(&f);
    }
    kit_dir::check_new(&out, force)?;
    if let Some(z) = &zip {
        files::check_zip(z, &out, force)?;
    }
    let mut progress = crate::ui::KitProgress::default();
    // Written as it is made: a fleet's files go to disk (and the zip) one identity at a time.
    let streamed = kit_stream::write(
        &spec,
        &mut |p| progress.step(&p),
        &out,
        force,
        zip.as_deref(),
    )
    .map_err(|e| match e {
        Fail::Engine(e) if from_flags => Fail::Engine(flag_fields(e, devices_from.as_deref())),
        other => other,
    })?;
    drop(progress);
    if json {
        show::manifest_json(&out.join("manifest.json"))?;
    } else {
        show::kit_summary(
            &streamed.manifest,
            streamed.files,
            streamed.more_devices,
            &out,
        );
    }
    Ok(())
}
