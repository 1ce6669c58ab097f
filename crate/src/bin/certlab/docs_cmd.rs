//! `certlab completions SHELL` (clap_complete) and `certlab man` (clap_mangen): both made
//! from the same clap definition as the parser, so they never disagree with it.

use crate::{Fail, files};
use clap::{Args, Command};
use clap_complete::Shell;
use std::path::{Path, PathBuf};

/// The flags of `certlab completions`.
#[derive(Args)]
pub(crate) struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell.
    pub(crate) shell: Shell,
}

/// The flags of `certlab man`.
#[derive(Args)]
pub(crate) struct ManArgs {
    /// Write certlab.1 and one page per subcommand (certlab-kit.1, …) into this folder,
    /// replacing pages of those names, instead of printing certlab.1 to stdout.
    #[arg(long, value_name = "DIR")]
    pub(crate) out_dir: Option<PathBuf>,
}

/// Prints the completion script of `shell` for `cmd` to stdout.
pub(crate) fn completions(a: &CompletionsArgs, mut cmd: Command) -> Result<(), Fail> {
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "certlab", &mut script);
    crate::out::bytes(&script);
    Ok(())
}

/// Prints the man page of `cmd` or writes one per command into `--out-dir`.
pub(crate) fn man(a: &ManArgs, cmd: Command) -> Result<(), Fail> {
    let cmd = cmd.name("certlab");
    match &a.out_dir {
        None => {
            crate::out::bytes(&render(cmd.clone())?);
            Ok(())
        }
        Some(dir) => write_pages(dir, cmd),
    }
}

/// Every page is rendered in memory first; each is then written through a temporary file and
/// a rename, so a failure leaves no half-written page.
fn write_pages(dir: &Path, mut cmd: Command) -> Result<(), Fail> {
    if !dir.is_dir() {
        return Err(files::refused(
            "--out-dir",
            format!("`{}` is not a folder", dir.display()),
            "create it first (e.g. mkdir -p ~/.local/share/man/man1)",
        ));
    }
    cmd.build();
    let mut pages = vec![("certlab.1".to_string(), render(cmd.clone())?)];
    // After build(), a subcommand's display name is `certlab-kit` (the page's title) and its
    // bin name `certlab kit` (its synopsis).
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = sub
            .get_display_name()
            .map_or_else(|| format!("certlab-{}", sub.get_name()), str::to_string);
        pages.push((format!("{name}.1"), render(sub.clone())?));
    }
    for (file, bytes) in &pages {
        files::replace(&dir.join(file), bytes, false)?;
    }
    if !crate::ui::ui().quiet() {
        eprintln!("wrote {} man pages to {}", pages.len(), dir.display());
    }
    Ok(())
}

fn render(cmd: Command) -> Result<Vec<u8>, Fail> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd)
        .source(format!("certlab {}", env!("CARGO_PKG_VERSION")))
        .render(&mut page)
        .map_err(|e| Fail::Io(format!("cannot render the man page: {e}")))?;
    Ok(page)
}
