//! `certlab gallery`: the teaching gallery (certificates broken on purpose) into a new
//! folder, whole or not at all, like a kit.

use crate::Fail;
use crate::files::{create, io, refused};
use crate::kit_dir::swap_in;
use crate::out::outln;
use clap::Args;
use std::fs;
use std::path::{Path, PathBuf};

/// `certlab gallery` flags.
#[derive(Args, Debug)]
pub struct GalleryArgs {
    /// Folder to write (new or empty; an old gallery only with --force).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// First port: case i listens on 127.0.0.1:PORT+i (20 ports).
    #[arg(long, default_value_t = certlab::GALLERY_PORT)]
    pub port: u16,
    /// Also write the whole gallery as a zip (what students open in the page's Lab panel).
    #[arg(long, value_name = "FILE")]
    pub zip: Option<PathBuf>,
    /// Replace the gallery already in --out (and the --zip file).
    #[arg(long)]
    pub force: bool,
}

/// Refuses a file, a folder of other things, or an old gallery without `--force`.
fn check_out(out: &Path, force: bool) -> Result<(), Fail> {
    let Ok(meta) = fs::metadata(out) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Err(refused(
            "--out",
            format!("`{}` is a file, not a folder", out.display()),
            "give a folder for the gallery (it is made if it does not exist)",
        ));
    }
    if fs::read_dir(out).map_err(io(out))?.next().is_none() {
        return Ok(());
    }
    match (out.join("gallery.json").is_file(), force) {
        (true, true) => Ok(()),
        (true, false) => Err(refused(
            "--out",
            format!("`{}` already holds a gallery", out.display()),
            "choose another folder, or add --force to replace it (its root stops working)",
        )),
        (false, _) => Err(refused(
            "--out",
            format!(
                "`{}` holds other files and no gallery (no gallery.json)",
                out.display()
            ),
            "choose a new or empty folder: certlab does not write among other files",
        )),
    }
}

/// Makes the gallery and writes it to `--out`.
pub fn run(args: GalleryArgs) -> Result<(), Fail> {
    check_out(&args.out, args.force)?;
    if let Some(z) = &args.zip {
        crate::files::check_zip(z, &args.out, args.force)?;
    }
    let g = certlab::gallery(&certlab::GalleryOptions {
        port: args.port,
        now: None,
    })?;
    // --force replaces a gallery, not what the user keeps beside it (notes, captures): every
    // entry of the old folder must be one a gallery writes.
    if args.force && args.out.join("gallery.json").is_file() {
        let listed = crate::kit_dir::with_folders(g.files.iter().map(|f| f.path.clone()));
        crate::kit_dir::foreign_entry(&args.out, &listed, "gallery")?;
    }
    // Made before anything is written: a failure leaves the old gallery and zip as they were.
    let zip_bytes = match &args.zip {
        Some(_) => Some(g.zip()?),
        None => None,
    };
    let out = fs::canonicalize(&args.out).unwrap_or_else(|_| args.out.clone());
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let tmp = crate::files::temp_dir_beside(&out)?;
    let written = g
        .files
        .iter()
        .try_for_each(|f| {
            let path = tmp.join(&f.path);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(io(parent))?;
            }
            create(&path, &f.bytes, f.secret)
        })
        .and_then(|()| swap_in(&tmp, &out));
    if written.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    written?;
    if let (Some(z), Some(bytes)) = (&args.zip, &zip_bytes) {
        crate::files::replace(z, bytes, false)?;
    }
    if !crate::ui::ui().quiet() {
        let dir = args.out.display();
        outln!("wrote a gallery of {} cases to {dir}", g.index.cases.len());
        for c in &g.index.cases {
            outln!("  {:<22} {}", c.name, c.url);
        }
        outln!("trust {dir}/ca.crt, then serve every case: certlab-echo gallery {dir}");
    }
    Ok(())
}
