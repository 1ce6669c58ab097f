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
    /// The CA certificate (PEM or DER; may be followed by its issuers).
    #[arg(long)]
    pub(crate) ca_cert: PathBuf,
    /// The CA private key (PKCS#8, SEC1 or PKCS#1; PEM or DER; maybe encrypted).
    #[arg(long)]
    pub(crate) ca_key: PathBuf,
    /// Passphrase of an encrypted CA key.
    #[arg(long)]
    pub(crate) ca_key_password: Option<String>,
    /// A server for these comma-separated names.
    #[arg(long, group = "what")]
    pub(crate) server: Option<String>,
    /// A client with this CN.
    #[arg(long, group = "what")]
    pub(crate) client: Option<String>,
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
    /// Validity in days.
    #[arg(long, default_value_t = 397)]
    pub(crate) days: u32,
    #[command(flatten)]
    pub(crate) keys: KeyFlags,
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
fn leaf_spec(a: &IssueArgs, csr: Option<&Csr>) -> Result<LeafSpec, Fail> {
    let mut leaf = LeafSpec {
        key: key_alg(&a.keys.key, "--key")?,
        days: a.days,
        p12_password: a.keys.p12_password.clone(),
        p12_flavours: a.keys.p12.into(),
        key_password: a.keys.key_password.clone(),
        email: a.email.clone(),
        name: a.name.clone().unwrap_or_default(),
        ..LeafSpec::default()
    };
    if let Some(names) = &a.server {
        leaf.role = Role::Server;
        leaf.names = split_list(names);
    } else if let Some(cn) = &a.client {
        leaf.role = Role::Client;
        leaf.common_name = cn.clone();
    } else if let Some(cn) = &a.device {
        leaf.role = Role::Device;
        leaf.common_name = cn.clone();
    } else if let Some(c) = csr {
        leaf.role = csr_role(c, a.profile);
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
    Ok(leaf)
}

/// Runs `certlab issue`.
pub(crate) fn run(a: IssueArgs) -> Result<(), Fail> {
    let now = certlab::now_utc();
    let ca = certlab::import_ca(
        &files::read(&a.ca_cert, "--ca-cert")?,
        &files::read(&a.ca_key, "--ca-key")?,
        a.ca_key_password.as_deref(),
        now,
    )
    .map_err(|e| rename_fields(e, &[("ca_cert", "--ca-cert"), ("ca_key", "--ca-key")]))?;
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
    let leaf = leaf_spec(&a, csr.as_ref())?;
    let opts = Options {
        now: Some(now),
        ..Options::default()
    };
    let kit = certlab::issue_leaf(&ca, &leaf, csr.as_ref(), &opts).map_err(|e| {
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
    kit_dir::add(&kit, &a.out)?;
    show::kit_summary(&kit, &a.out);
    Ok(())
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
