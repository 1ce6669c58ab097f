//! `certlab`: the command line over the engine. It only parses arguments, reads and writes
//! files; everything else is the library. Exit codes: 0 ok, 2 bad input (the message names
//! the field), 1 any other failure (and `lint` finding an error).
#![forbid(unsafe_code)]

mod ca_flags;
mod docs_cmd;
mod files;
mod gallery_cmd;
mod guide_cmd;
mod issue_cmd;
mod kit_cmd;
mod kit_dir;
mod kit_stream;
mod out;
mod revoke_cmd;
mod show;
mod snippets_cmd;
mod ui;

use certlab::{Error, ErrorKind, KeyAlgorithm, P12Flavours};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "certlab",
    version,
    about = "A private CA for labs: root, intermediate, servers, mTLS clients and IoT devices in one command."
)]
struct Cli {
    /// Print nothing but errors and what was asked for (--json, inspect, guide): no
    /// progress, notes, warnings or summaries.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

/// The key and secret flags `kit` and `issue` share.
#[derive(Args)]
pub(crate) struct KeyFlags {
    /// Key type of new keys: ecdsa-p256, ecdsa-p384, ed25519, rsa2048, rsa3072, rsa4096.
    #[arg(long, default_value = "ecdsa-p256")]
    pub(crate) key: String,
    /// PKCS#12 password (non-empty; iOS/macOS refuse empty ones).
    #[arg(long, default_value = "changeit")]
    pub(crate) p12_password: String,
    /// Which .p12 files each leaf gets: both (default), compatible (NAME.p12: 3DES, SHA-1
    /// MAC; macOS, iOS, Android) or modern (NAME.modern.p12: AES-256, SHA-256 MAC).
    #[arg(long, value_enum, default_value = "both")]
    pub(crate) p12: P12Arg,
    /// Encrypt new .key files with this passphrase (PBES2 AES-256-CBC).
    #[arg(long)]
    pub(crate) key_password: Option<String>,
}

/// Subject fields besides the CN, shared by `kit` (every identity; CAs keep their own OU)
/// and `issue` (the leaf).
#[derive(Args, Clone)]
pub(crate) struct SubjectFlags {
    /// Organisation (O=), e.g. "ENIB".
    #[arg(long)]
    pub(crate) org: Option<String>,
    /// Organisational unit (OU=) of the leaves.
    #[arg(long)]
    pub(crate) ou: Option<String>,
    /// Country (C=), two capitals, e.g. FR.
    #[arg(long)]
    pub(crate) country: Option<String>,
    /// State or province (ST=).
    #[arg(long)]
    pub(crate) state: Option<String>,
    /// Locality (L=).
    #[arg(long)]
    pub(crate) locality: Option<String>,
}

impl From<SubjectFlags> for certlab::SubjectFields {
    fn from(f: SubjectFlags) -> Self {
        certlab::SubjectFields {
            organization: f.org,
            organizational_unit: f.ou,
            country: f.country,
            state: f.state,
            locality: f.locality,
        }
    }
}

/// Renames the engine's `subject.*` fields to the flags that set them.
pub(crate) fn subject_flag(field: &str) -> Option<&'static str> {
    [
        ("organization", "--org"),
        ("organizational_unit", "--ou"),
        ("country", "--country"),
        ("state", "--state"),
        ("locality", "--locality"),
    ]
    .iter()
    .find(|(name, _)| field.ends_with(&format!("subject.{name}")) || field == *name)
    .map(|(_, flag)| *flag)
}

/// `--p12`: which PKCS#12 files a leaf gets.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum P12Arg {
    Both,
    Compatible,
    Modern,
}

impl From<P12Arg> for P12Flavours {
    fn from(a: P12Arg) -> Self {
        match a {
            P12Arg::Both => P12Flavours::Both,
            P12Arg::Compatible => P12Flavours::Compatible,
            P12Arg::Modern => P12Flavours::Modern,
        }
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// Make a whole kit: CA(s), leaves, PKCS#12 files, README.txt and manifest.json.
    Kit(kit_cmd::KitArgs),
    /// Issue one more leaf under an existing CA, or sign a CSR.
    Issue(issue_cmd::IssueArgs),
    /// Revoke a leaf (or a serial): a new CRL signed by its CA, earlier entries kept.
    Revoke(revoke_cmd::RevokeArgs),
    /// Make the teaching gallery: certificates broken on purpose, one per lesson, to serve
    /// with `certlab-echo gallery DIR`.
    Gallery(gallery_cmd::GalleryArgs),
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
        /// The client's side: host, purpose, trusted roots, CRLs.
        #[command(flatten)]
        trust: show::TrustArgs,
    },
    /// Print a kit's import guide (what its README.txt says), with its folder in the paths.
    Guide(guide_cmd::GuideArgs),
    /// Print a kit's server and client snippets (README.txt's CONNECT IT), for any host/ports.
    Snippets(snippets_cmd::SnippetsArgs),
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
        /// The client's side: host, purpose, trusted roots, CRLs.
        #[command(flatten)]
        trust: show::TrustArgs,
    },
    /// Print a shell completion script: `source <(certlab completions bash)`.
    Completions(docs_cmd::CompletionsArgs),
    /// Print the man page (roff): `certlab man | man -l -`, or --out-dir for one per command.
    Man(docs_cmd::ManArgs),
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

pub(crate) fn key_alg(s: &str, field: &str) -> Result<KeyAlgorithm, Error> {
    KeyAlgorithm::from_id(s).ok_or_else(|| {
        Error::field(
            field,
            ErrorKind::UnsupportedAlgorithm,
            format!("`{s}` is not a key type certlab knows"),
            "use one of ecdsa-p256, ecdsa-p384, ed25519, rsa2048, rsa3072, rsa4096",
        )
    })
}

pub(crate) fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn run(cli: Cli) -> Result<(), Fail> {
    match cli.cmd {
        Cmd::Kit(args) => kit_cmd::run(args),
        Cmd::Issue(args) => issue_cmd::run(args),
        Cmd::Guide(args) => guide_cmd::run(args),
        Cmd::Snippets(args) => snippets_cmd::run(args),
        Cmd::Revoke(args) => revoke_cmd::run(args),
        Cmd::Gallery(args) => gallery_cmd::run(args),
        Cmd::Inspect {
            files: paths,
            password,
            json,
            trust,
        } => show::inspect(&paths, password.as_deref(), json, false, &trust),
        Cmd::Lint {
            files: paths,
            password,
            json,
            trust,
        } => show::inspect(&paths, password.as_deref(), json, true, &trust),
        Cmd::Completions(a) => docs_cmd::completions(&a, Cli::command()),
        Cmd::Man(a) => docs_cmd::man(&a, Cli::command()),
    }
}

fn main() -> ExitCode {
    // NO_COLOR also turns off clap's colour (help, usage errors).
    let matches = Cli::command().color(ui::clap_color()).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    ui::Ui::detect(cli.quiet).install();
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
            eprintln!("certlab: {}", certlab::escape_control(&m));
            ExitCode::from(1)
        }
        Err(Fail::Lint) => ExitCode::from(1),
    }
}
