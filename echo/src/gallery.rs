//! `certlab-echo gallery DIR`: serves every case of a gallery made by `certlab gallery`,
//! each on its own loopback port (the listeners of `DIR/echo.toml`), and prints where to
//! point a browser or a tool.

use crate::config::{ServeArgs, Settings};
use crate::error::{Error, Result};
use clap::Args;
use std::path::PathBuf;

/// `certlab-echo gallery` flags.
#[derive(Debug, Args)]
pub struct GalleryArgs {
    /// The folder `certlab gallery --out DIR` wrote.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// Reads the gallery's index, prints its cases and serves them until SIGINT/SIGTERM.
pub fn settings(args: &GalleryArgs) -> Result<Settings> {
    let json = args.dir.join("gallery.json");
    let text = crate::input::read_text(&json, "gallery")?;
    let index: certlab::GalleryIndex = serde_json::from_str(&text).map_err(|e| {
        Error::Input(format!(
            "gallery {}: not a gallery index ({e}); make one with `certlab gallery --out DIR`",
            json.display()
        ))
    })?;
    let config = args.dir.join(&index.echo_config);
    eprintln!(
        "gallery: {} cases; trust {} (never {}) in the client you test",
        index.cases.len(),
        args.dir.join(&index.ca).display(),
        index.stranger_ca
    );
    for c in &index.cases {
        eprintln!("  {:<22} {:<48} {}", c.name, c.url, c.title);
    }
    Settings::resolve(ServeArgs::from_config(config))
}
