//! `certlab guide`: the import guide of a kit on disk — the same text as its README.txt and
//! the page's "Import it" tabs (the engine renders all three), with the kit's folder in the
//! paths. `./scripts/run` prints it; `--commands` prints only one platform's shell lines and
//! `--file` one file it has you write (the end-to-end tests run and write exactly those).

use crate::out::out;
use crate::{Fail, files};
use certlab::{Error, ErrorKind, GuideOptions, Manifest, Platform, Step};
use clap::Args;
use std::path::PathBuf;

/// The flags of `certlab guide`.
#[derive(Args)]
pub(crate) struct GuideArgs {
    /// The kit's folder (it holds manifest.json); commands name its files through it.
    pub(crate) kit: PathBuf,
    /// Only this platform (repeatable): windows, macos, linux, firefox, ios, android, hosts.
    #[arg(long = "platform", value_parser = parse_platform)]
    pub(crate) platforms: Vec<Platform>,
    /// Print only the shell lines of the one --platform given, ready to run.
    #[arg(long)]
    pub(crate) commands: bool,
    /// Print only the content of the file of this name the one --platform given has you
    /// write (e.g. `--platform firefox --file policies.json`).
    #[arg(long, conflicts_with = "commands")]
    pub(crate) file: Option<String>,
    /// Show this PKCS#12 password in the commands (pk12util -W) instead of having them ask.
    #[arg(long)]
    pub(crate) p12_password: Option<String>,
}

fn parse_platform(s: &str) -> Result<Platform, String> {
    Platform::from_id(s).ok_or_else(|| {
        let ids: Vec<&str> = Platform::ALL.iter().map(|p| p.id()).collect();
        format!("`{s}` is not a platform; use one of {}", ids.join(", "))
    })
}

/// The manifest.json of the kit folder `kit` (for `guide` and `snippets`).
pub(crate) fn read_manifest(kit: &std::path::Path) -> Result<Manifest, Fail> {
    let bytes = files::read(&kit.join("manifest.json"), "kit")?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Fail::Engine(Error::field(
            "kit",
            ErrorKind::Inconsistent,
            format!(
                "{} is not a certlab manifest (line {}, column {})",
                kit.join("manifest.json").display(),
                e.line(),
                e.column()
            ),
            "give the folder `certlab kit --out` wrote, or the unpacked zip of the page",
        ))
    })
}

/// Prints the guide.
pub(crate) fn run(a: GuideArgs) -> Result<(), Fail> {
    let manifest = read_manifest(&a.kit)?;
    let opts = GuideOptions {
        // `certlab guide .` names the files as README.txt does.
        dir: (a.kit != std::path::Path::new(".")).then(|| a.kit.display().to_string()),
        p12_password: a.p12_password,
    };
    let guide = certlab::guide(&manifest, &opts);
    if !a.commands && a.file.is_none() {
        out!("{}", guide.text(&a.platforms));
        return Ok(());
    }
    let flag = if a.commands { "--commands" } else { "--file" };
    let [p] = a.platforms[..] else {
        return Err(Fail::Engine(Error::field(
            flag,
            ErrorKind::Inconsistent,
            format!("{flag} prints from one platform's steps"),
            "add exactly one --platform, e.g. --platform linux",
        )));
    };
    match &a.file {
        None => out!("{}", guide.commands(p)),
        Some(name) => {
            let content = guide.section(p).and_then(|s| {
                s.steps.iter().find_map(|step| match step {
                    Step::File {
                        name: n, content, ..
                    } if n == name => Some(content),
                    _ => None,
                })
            });
            let Some(content) = content else {
                return Err(Fail::Engine(Error::field(
                    "--file",
                    ErrorKind::Missing,
                    format!("the {} steps write no file named `{name}`", p.id()),
                    "see `certlab guide KIT --platform PLATFORM` for the files it names",
                )));
            };
            out!("{content}");
        }
    }
    Ok(())
}
