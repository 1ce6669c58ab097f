//! `certlab`: the command line over the engine. It only parses arguments, reads and writes
//! files; everything else is the library. Exit codes: 0 ok, 2 bad input (the message names
//! the field), 1 any other failure (and `lint` finding an error).
#![forbid(unsafe_code)]

mod files;
mod show;

use certlab::issue::Options;
use certlab::leaf::LeafSpec;
use certlab::spec::{CaSpec, ClientSpec, DeviceBatch, NameConstraints, Preset, ServerSpec};
use certlab::{Error, ErrorKind, KeyAlgorithm, Role};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "certlab",
    version,
    about = "A private CA for labs: root, intermediate, servers, mTLS clients and IoT devices in one command."
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Clone, Copy, ValueEnum)]
enum PresetArg {
    Dev,
    Mtls,
    Iot,
}

#[derive(Clone, Copy, ValueEnum)]
enum P12Arg {
    Both,
    Compatible,
    Modern,
}

#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    Server,
    Client,
    Device,
}

#[derive(Subcommand)]
enum Cmd {
    /// Make a whole kit: CA(s), leaves, PKCS#12 files, README.txt and manifest.json.
    Kit {
        /// Folder to write the kit into (refused if it already holds a kit, unless --force).
        #[arg(long)]
        out: PathBuf,
        /// dev = root + server for localhost; mtls = dev + clients alice, bob; iot = root +
        /// intermediate + broker + 10 devices.
        #[arg(long, value_enum, default_value = "dev")]
        preset: PresetArg,
        /// Key type for every identity: ecdsa-p256, ecdsa-p384, ed25519, rsa2048, rsa3072, rsa4096.
        #[arg(long, default_value = "ecdsa-p256")]
        key: String,
        /// PKCS#12 password (non-empty; iOS/macOS refuse empty ones).
        #[arg(long, default_value = "changeit")]
        p12_password: String,
        /// Which .p12 files each leaf gets: both (default), compatible (NAME.p12: 3DES, SHA-1
        /// MAC; macOS, iOS, Android) or modern (NAME.modern.p12: AES-256, SHA-256 MAC).
        #[arg(long, value_enum, default_value = "both")]
        p12: P12Arg,
        /// Encrypt every .key file with this passphrase (PBES2 AES-256-CBC).
        #[arg(long)]
        key_password: Option<String>,
        /// Use scrypt instead of PBKDF2 for --key-password.
        #[arg(long)]
        scrypt: bool,
        /// Server names, comma-separated (DNS, *.wildcard, IPv4, IPv6): replaces the preset's.
        #[arg(long)]
        server: Option<String>,
        /// A client CN (repeatable): replaces the preset's clients.
        #[arg(long)]
        client: Vec<String>,
        /// Device CN pattern, e.g. `sensor-{n:04}` (with --count).
        #[arg(long)]
        devices: Option<String>,
        /// Number of devices.
        #[arg(long, default_value_t = 10)]
        count: u32,
        /// Devices may also act as TLS servers.
        #[arg(long)]
        device_server_auth: bool,
        /// Add an intermediate CA that signs the leaves.
        #[arg(long)]
        intermediate: bool,
        /// Sign clients with a second, separate root.
        #[arg(long)]
        separate_client_ca: bool,
        /// Validity of the leaves in days (default 397).
        #[arg(long)]
        days: Option<u32>,
        /// Validity of the root in days (default 3650).
        #[arg(long)]
        ca_days: Option<u32>,
        /// Root CA common name.
        #[arg(long)]
        ca_name: Option<String>,
        /// auto (default), none, or a comma-separated list (`lab,127.0.0.0/8,fd00::/8`).
        #[arg(long, default_value = "auto")]
        name_constraints: String,
        /// Also write the whole kit as a zip.
        #[arg(long)]
        zip: Option<PathBuf>,
        /// Read the spec from a JSON file instead (the flags above are then ignored).
        #[arg(long)]
        spec: Option<PathBuf>,
        /// Overwrite an existing kit in --out.
        #[arg(long)]
        force: bool,
    },
    /// Issue one more leaf under an existing CA, or sign a CSR.
    Issue {
        /// The CA certificate (PEM or DER; may be followed by its issuers).
        #[arg(long)]
        ca_cert: PathBuf,
        /// The CA private key (PKCS#8, SEC1 or PKCS#1; PEM or DER; maybe encrypted).
        #[arg(long)]
        ca_key: PathBuf,
        /// Passphrase of an encrypted CA key.
        #[arg(long)]
        ca_key_password: Option<String>,
        /// A server for these comma-separated names.
        #[arg(long, group = "what")]
        server: Option<String>,
        /// A client with this CN.
        #[arg(long, group = "what")]
        client: Option<String>,
        /// A device with this CN.
        #[arg(long, group = "what")]
        device: Option<String>,
        /// Sign this CSR (PEM or DER).
        #[arg(long, group = "what")]
        csr: Option<PathBuf>,
        /// Profile for --csr (default: server if it names hosts, else client).
        #[arg(long, value_enum)]
        profile: Option<ProfileArg>,
        /// E-mail SAN for a client.
        #[arg(long)]
        email: Option<String>,
        /// File stem (default: the CN).
        #[arg(long)]
        name: Option<String>,
        /// Key type of the new key.
        #[arg(long, default_value = "ecdsa-p256")]
        key: String,
        /// Validity in days.
        #[arg(long, default_value_t = 397)]
        days: u32,
        /// PKCS#12 password.
        #[arg(long, default_value = "changeit")]
        p12_password: String,
        /// Encrypt the new key with this passphrase.
        #[arg(long)]
        key_password: Option<String>,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// Explain certificates, chains, CSRs, keys and .p12 files, with lint findings.
    Inspect {
        /// Files to inspect.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Password of a .p12 or passphrase of an encrypted key.
        #[arg(long)]
        password: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Only the lint findings; exit 1 if any finding is an error.
    Lint {
        /// Files to lint.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Password of a .p12.
        #[arg(long)]
        password: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// A failure, with the exit code it maps to.
pub(crate) enum Fail {
    Engine(Error),
    Io(String),
    Lint,
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Engine(e)
    }
}

fn key_alg(s: &str, field: &str) -> Result<KeyAlgorithm, Error> {
    KeyAlgorithm::from_id(s).ok_or_else(|| {
        Error::field(
            field,
            ErrorKind::UnsupportedAlgorithm,
            format!("`{s}` is not a key type certlab knows"),
            "use one of ecdsa-p256, ecdsa-p384, ed25519, rsa2048, rsa3072, rsa4096",
        )
    })
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn run(cli: Cli) -> Result<(), Fail> {
    match cli.cmd {
        Cmd::Kit {
            out,
            preset,
            key,
            p12_password,
            p12,
            key_password,
            scrypt,
            server,
            client,
            devices,
            count,
            device_server_auth,
            intermediate,
            separate_client_ca,
            days,
            ca_days,
            ca_name,
            name_constraints,
            zip,
            spec,
            force,
        } => {
            let spec = match spec {
                Some(path) => {
                    let text = files::read(&path, "--spec")?;
                    serde_json::from_slice(&text).map_err(|e| {
                        Error::field(
                            "--spec",
                            ErrorKind::Inconsistent,
                            format!("the spec JSON is not valid: {e}"),
                            "fix the JSON (see README for the fields)",
                        )
                    })?
                }
                None => {
                    let key = key_alg(&key, "--key")?;
                    let mut spec = match preset {
                        PresetArg::Dev => Preset::Dev,
                        PresetArg::Mtls => Preset::Mtls,
                        PresetArg::Iot => Preset::Iot,
                    }
                    .spec(key);
                    spec.p12_password = p12_password;
                    spec.p12_flavours = match p12 {
                        P12Arg::Both => certlab::P12Flavours::Both,
                        P12Arg::Compatible => certlab::P12Flavours::Compatible,
                        P12Arg::Modern => certlab::P12Flavours::Modern,
                    };
                    spec.key_password = key_password;
                    if scrypt {
                        spec.key_encryption = certlab::spec::KeyEncryption::Scrypt;
                    }
                    if let Some(cn) = ca_name {
                        spec.root.common_name = cn;
                    }
                    if let Some(d) = ca_days {
                        spec.root.days = d;
                    }
                    if let Some(names) = server {
                        let mut s = spec.servers.first().cloned().unwrap_or(ServerSpec {
                            key,
                            ..ServerSpec::default()
                        });
                        s.names = split_list(&names);
                        spec.servers = vec![s];
                    }
                    if !client.is_empty() {
                        spec.clients = client
                            .iter()
                            .map(|cn| ClientSpec {
                                name: String::new(),
                                common_name: cn.clone(),
                                key,
                                ..ClientSpec::default()
                            })
                            .collect();
                    }
                    if let Some(pattern) = devices {
                        spec.devices = vec![DeviceBatch {
                            pattern,
                            count,
                            key,
                            server_auth: device_server_auth,
                            ..DeviceBatch::default()
                        }];
                    }
                    if intermediate && spec.intermediate.is_none() {
                        spec.intermediate = Some(CaSpec {
                            key,
                            ..CaSpec::named(
                                "inter",
                                "certlab Intermediate CA",
                                certlab::spec::DEFAULT_INTERMEDIATE_DAYS,
                            )
                        });
                    }
                    if separate_client_ca {
                        spec.client_ca = Some(CaSpec {
                            key,
                            ..CaSpec::named(
                                "client-ca",
                                "certlab Client CA",
                                certlab::spec::DEFAULT_ROOT_DAYS,
                            )
                        });
                    }
                    if let Some(d) = days {
                        spec.servers.iter_mut().for_each(|s| s.days = d);
                        spec.clients.iter_mut().for_each(|c| c.days = d);
                        spec.devices.iter_mut().for_each(|b| b.days = d);
                    }
                    spec.name_constraints = match name_constraints.as_str() {
                        "auto" => NameConstraints::Auto,
                        "none" => NameConstraints::None,
                        list => NameConstraints::Permitted(split_list(list)),
                    };
                    spec
                }
            };
            for f in certlab::lint::lint_spec(&spec) {
                show::finding(&f);
            }
            files::refuse_overwrite(&out, force)?;
            let mut last = String::new();
            let kit = certlab::generate_with(&spec, &Options::default(), &mut |p| {
                if p.key.is_rsa() && p.name != last {
                    eprintln!(
                        "  making {} ({}, {}/{})…",
                        p.name,
                        p.key,
                        p.index + 1,
                        p.total
                    );
                    last = p.name.to_string();
                }
            })?;
            files::write_kit(&kit, &out)?;
            if let Some(z) = zip {
                files::write_file(&z, &kit.zip("certlab-kit")?, false)?;
            }
            show::kit_summary(&kit, &out);
            Ok(())
        }
        Cmd::Issue {
            ca_cert,
            ca_key,
            ca_key_password,
            server,
            client,
            device,
            csr,
            profile,
            email,
            name,
            key,
            days,
            p12_password,
            key_password,
            out,
        } => {
            let now = certlab::issue::now_utc();
            let ca = certlab::import::import_ca(
                &files::read(&ca_cert, "--ca-cert")?,
                &files::read(&ca_key, "--ca-key")?,
                ca_key_password.as_deref(),
                now,
            )
            .map_err(|e| rename_fields(e, &[("ca_cert", "--ca-cert"), ("ca_key", "--ca-key")]))?;
            for f in &ca.findings {
                show::finding(f);
            }
            let csr = match &csr {
                Some(p) => Some(
                    certlab::import::parse_csr(&files::read(p, "--csr")?)
                        .map_err(|e| rename_fields(e, &[("csr", "--csr")]))?,
                ),
                None => None,
            };
            let mut leaf = LeafSpec {
                key: key_alg(&key, "--key")?,
                days,
                p12_password,
                key_password,
                email,
                name: name.unwrap_or_default(),
                ..LeafSpec::default()
            };
            if let Some(names) = server {
                leaf.role = Role::Server;
                leaf.names = split_list(&names);
            } else if let Some(cn) = client {
                leaf.role = Role::Client;
                leaf.common_name = cn;
            } else if let Some(cn) = device {
                leaf.role = Role::Device;
                leaf.common_name = cn;
            } else if let Some(c) = &csr {
                leaf.role = match profile {
                    Some(ProfileArg::Server) => Role::Server,
                    Some(ProfileArg::Client) => Role::Client,
                    Some(ProfileArg::Device) => Role::Device,
                    None if c
                        .sans
                        .iter()
                        .any(|s| !matches!(s, certlab::names::SanName::Email(_))) =>
                    {
                        Role::Server
                    }
                    None => Role::Client,
                };
                if c.requested_ca {
                    eprintln!(
                        "note: the CSR asks for CA:TRUE; certlab never grants that and issues a leaf"
                    );
                }
            } else {
                return Err(Error::field(
                    "--server/--client/--device/--csr",
                    ErrorKind::Missing,
                    "nothing to issue was named",
                    "give one of --server NAMES, --client CN, --device CN or --csr FILE",
                )
                .into());
            }
            let kit = certlab::leaf::issue_leaf(
                &ca,
                &leaf,
                csr.as_ref(),
                &Options {
                    now: Some(now),
                    ..Options::default()
                },
            )
            .map_err(|e| {
                rename_fields(
                    e,
                    &[
                        ("names", "--server"),
                        ("common_name", "--client/--device"),
                        ("days", "--days"),
                        ("p12_password", "--p12-password"),
                        ("key_password", "--key-password"),
                        ("email", "--email"),
                        ("name", "--name"),
                    ],
                )
            })?;
            files::write_kit(&kit, &out)?;
            show::kit_summary(&kit, &out);
            Ok(())
        }
        Cmd::Inspect {
            files: paths,
            password,
            json,
        } => show::inspect(&paths, password.as_deref(), json, false),
        Cmd::Lint {
            files: paths,
            password,
            json,
        } => show::inspect(&paths, password.as_deref(), json, true),
    }
}

/// Renames engine field paths to the CLI flags the user typed.
fn rename_fields(e: Error, map: &[(&str, &str)]) -> Error {
    match e {
        Error::Invalid(v) => Error::Invalid(
            v.into_iter()
                .map(|mut fe| {
                    for (from, to) in map {
                        if fe.field == *from
                            || fe.field.starts_with(&format!("{from}["))
                            || fe.field.starts_with(&format!("{from}:"))
                        {
                            fe.field = fe.field.replacen(from, to, 1);
                        }
                    }
                    fe
                })
                .collect(),
        ),
        other => other,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail::Engine(e)) => {
            eprintln!(
                "certlab: {}",
                if e.is_input_error() {
                    "the input is not usable:"
                } else {
                    "failed:"
                }
            );
            for line in e.to_string().lines() {
                eprintln!("  {line}");
            }
            ExitCode::from(if e.is_input_error() { 2 } else { 1 })
        }
        Err(Fail::Io(m)) => {
            eprintln!("certlab: {m}");
            ExitCode::from(1)
        }
        Err(Fail::Lint) => ExitCode::from(1),
    }
}
