//! `certlab issue`: one more leaf under an existing CA, or a CSR signed by it.

use crate::{Fail, KeyFlags, files, key_alg, kit_dir, show, split_list};
use certlab::{Csr, Error, ErrorKind, LeafSpec, Options, Role, SanName};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ProfileArg {
    Server,
    Client,
    Device,
}

/// The flags of `certlab issue`.
#[derive(Args)]
pub(crate) struct IssueArgs {
    #[command(flatten)]
    pub(crate) ca: crate::ca_flags::CaFlags,
    /// A server for these comma-separated names.
    #[arg(long, group = "what")]
    pub(crate) server: Option<String>,
    /// A client with this CN.
    #[arg(long, group = "what")]
    pub(crate) client: Option<String>,
    /// With --server: the server is also a TLS client (EKU clientAuth), for reverse
    /// connections where it dials out with this identity.
    #[arg(long, requires = "server")]
    pub(crate) also_client: bool,
    /// With --client: the client is also a TLS server (EKU serverAuth) reached at these
    /// comma-separated names, for reverse connections where it listens.
    #[arg(long, value_name = "NAMES", requires = "client")]
    pub(crate) also_server: Option<String>,
    /// A device with this CN.
    #[arg(long, group = "what")]
    pub(crate) device: Option<String>,
    /// Sign this CSR (PEM or DER).
    #[arg(long, group = "what")]
    pub(crate) csr: Option<PathBuf>,
    /// Profile for --csr (default: server if it names hosts, else client).
    #[arg(long, value_enum)]
    pub(crate) profile: Option<ProfileArg>,
    /// E-mail SAN for a client.
    #[arg(long)]
    pub(crate) email: Option<String>,
    /// File stem (default: the CN).
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// Validity in days (default 397, or what the CA has left when that is less).
    #[arg(long)]
    pub(crate) days: Option<u32>,
    #[command(flatten)]
    pub(crate) keys: KeyFlags,
    #[command(flatten)]
    pub(crate) subject: crate::SubjectFlags,
    /// Output folder: a new or empty one gets a kit; a kit folder gets the new identity added
    /// (no earlier file changes; manifest.json and README.txt then list every identity).
    #[arg(long)]
    pub(crate) out: PathBuf,
}

/// The role a CSR gets without --profile: a server if it names hosts, else a client.
fn csr_role(c: &Csr, profile: Option<ProfileArg>) -> Role {
    match profile {
        Some(ProfileArg::Server) => Role::Server,
        Some(ProfileArg::Client) => Role::Client,
        Some(ProfileArg::Device) => Role::Device,
        None if c.sans.iter().any(|s| !matches!(s, SanName::Email(_))) => Role::Server,
        None => Role::Client,
    }
}

/// The leaf the flags ask for.
fn leaf_spec(a: &IssueArgs, csr: Option<&Csr>, days: u32) -> Result<LeafSpec, Fail> {
    let mut leaf = LeafSpec {
        key: key_alg(&a.keys.key, "--key")?,
        days,
        p12_password: a.keys.p12_password.clone(),
        p12_flavours: a.keys.p12.into(),
        key_password: a.keys.key_password.clone(),
        email: a.email.clone(),
        name: a.name.clone().unwrap_or_default(),
        subject: a.subject.clone().into(),
        ..LeafSpec::default()
    };
    if let Some(names) = &a.server {
        leaf.role = Role::Server;
        leaf.names = split_list(names);
        leaf.client_auth = a.also_client;
    } else if let Some(cn) = &a.client {
        leaf.role = Role::Client;
        leaf.common_name = cn.clone();
        if let Some(names) = &a.also_server {
            leaf.server_auth = true;
            leaf.names = split_list(names);
        }
    } else if let Some(cn) = &a.device {
        leaf.role = Role::Device;
        leaf.common_name = cn.clone();
    } else if let Some(c) = csr {
        leaf.role = csr_role(c, a.profile);
        if c.requested_ca && !crate::ui::ui().quiet() {
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
    Ok(leaf)
}

/// Runs `certlab issue`.
pub(crate) fn run(a: IssueArgs) -> Result<(), Fail> {
    let now = certlab::now_utc();
    let ca = a.ca.import(now)?;
    for f in &ca.findings {
        show::finding(f);
    }
    let csr = match &a.csr {
        Some(p) => Some(
            certlab::parse_csr(&files::read(p, "--csr")?)
                .map_err(|e| rename_fields(e, &[("csr", "--csr")]))?,
        ),
        None => None,
    };
    let days = match a.days {
        Some(d) => d,
        None => {
            let d = certlab::leaf_days_under(&ca, now);
            if d > 0 && d < certlab::DEFAULT_LEAF_DAYS && !crate::ui::ui().quiet() {
                eprintln!(
                    "note: the CA ends on {}, so the leaf is valid for {d} days, not {}; give --days to choose",
                    ca.cert.not_after_rfc3339(),
                    certlab::DEFAULT_LEAF_DAYS
                );
            }
            d
        }
    };
    let leaf = leaf_spec(&a, csr.as_ref(), days)?;
    let opts = Options {
        now: Some(now),
        ..Options::default()
    };
    // A CSR brings its own key: only a key made here (RSA-3072/4096) is slow.
    let busy = (csr.is_none() && crate::ui::takes_a_while(1, leaf.key))
        .then(|| crate::ui::ui().spinner(&format!("making the {} key", leaf.key)));
    // With only --csr, the names and the CN come from the CSR: errors about them name it.
    let from_csr = a.server.is_none() && a.client.is_none() && a.device.is_none();
    let kit = certlab::issue_leaf(&ca, &leaf, csr.as_ref(), &opts).map_err(|e| {
        rename_fields(
            e,
            &[
                (
                    "names",
                    if from_csr {
                        "--csr (its names)"
                    } else if a.also_server.is_some() {
                        "--also-server"
                    } else {
                        "--server"
                    },
                ),
                (
                    "common_name",
                    if from_csr {
                        "--csr (its CN)"
                    } else {
                        "--client/--device"
                    },
                ),
                ("ca_cert", "--ca-cert"),
                ("days", "--days"),
                ("p12_password", "--p12-password"),
                ("key_password", "--key-password"),
                ("email", "--email"),
                ("name", "--name"),
            ],
        )
    })?;
    drop(busy);
    kit_dir::add(&kit, &a.out)?;
    show::kit_summary(&kit.manifest, kit.artifacts.len(), 0, &a.out);
    Ok(())
}

/// Renames engine field paths to the CLI flags the user typed.
pub(crate) fn rename_fields(e: Error, map: &[(&str, &str)]) -> Error {
    match e {
        Error::Invalid(v) => Error::Invalid(
            v.into_iter()
                .map(|mut fe| {
                    if let Some(flag) = crate::subject_flag(&fe.field) {
                        fe.field = flag.to_string();
                    }
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
