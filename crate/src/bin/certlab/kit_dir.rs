//! Writing a kit folder so that nothing is ever lost (issue 13 §2):
//!
//! * **A new kit** (`certlab kit`, or `issue` into a new or empty folder) is written whole into
//!   a temporary sibling folder, then renamed into place. A full disk or an error half-way
//!   leaves no half-written kit: the temporary folder is removed and `--out` is untouched.
//! * **`--force`** replaces a folder only if it holds a certlab kit and nothing else; the old
//!   kit is moved aside, the new one renamed in, the old one removed. A file the manifest does
//!   not list (notes, a key of the user's) stops it.
//! * **Adding** (`certlab issue` into a kit folder) creates only files no earlier one has;
//!   certificates, keys and .p12 files already there never change, and `README.txt` and
//!   `manifest.json` are replaced atomically to describe every identity
//!   ([`certlab::add_to_kit`]).
//! * Files are created new, so a symlink planted in the folder is never followed.

use crate::Fail;
use crate::files::{create, io, occupied, refused, replace, temp_sibling};
use certlab::{Kit, Manifest};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// What `--out` holds now.
pub enum Existing {
    /// Nothing: the folder does not exist or is empty.
    Nothing,
    /// A certlab kit, described by its manifest.
    Kit(Manifest),
}

/// Looks at `--out` (following a symlink to a folder, as the user named it): a file, a folder
/// of other things, or a manifest that does not parse is refused.
pub fn existing(out: &Path) -> Result<Existing, Fail> {
    let Ok(meta) = fs::metadata(out) else {
        if occupied(out) {
            return Err(refused(
                "--out",
                format!("`{}` is a broken symbolic link", out.display()),
                "remove it or choose another folder",
            ));
        }
        return Ok(Existing::Nothing);
    };
    if !meta.is_dir() {
        return Err(refused(
            "--out",
            format!("`{}` is a file, not a folder", out.display()),
            "give a folder for the kit (it is made if it does not exist)",
        ));
    }
    let manifest = out.join("manifest.json");
    let is_file = fs::symlink_metadata(&manifest).is_ok_and(|m| m.is_file());
    if is_file {
        let bytes = crate::files::read(&manifest, "--out")?;
        return serde_json::from_slice(&bytes)
            .map(Existing::Kit)
            .map_err(|_| {
                refused(
                    "--out",
                    format!("`{}` is not a certlab manifest", manifest.display()),
                    "choose a new or empty folder",
                )
            });
    }
    if fs::read_dir(out).map_err(io(out))?.next().is_some() {
        return Err(refused(
            "--out",
            format!(
                "`{}` holds other files and no certlab kit (no manifest.json)",
                out.display()
            ),
            "choose a new or empty folder: certlab does not write among other files",
        ));
    }
    Ok(Existing::Nothing)
}

/// Refuses, before any key is made, to write a new kit where one exists without `--force`.
pub fn check_new(out: &Path, force: bool) -> Result<(), Fail> {
    match existing(out)? {
        Existing::Nothing => Ok(()),
        Existing::Kit(m) if force => foreign_file(out, &m),
        Existing::Kit(_) => Err(refused(
            "--out",
            format!("`{}` already holds a kit", out.display()),
            "choose another folder, or add --force to replace it (roots imported from the old kit stop working)",
        )),
    }
}

/// Every path a manifest accounts for (files and the folders holding them).
fn listed(m: &Manifest) -> BTreeSet<PathBuf> {
    let files = ["README.txt", "manifest.json"]
        .into_iter()
        .map(str::to_string)
        .chain(m.device_secrets.iter().cloned())
        .chain(
            m.identities
                .iter()
                .flat_map(|i| i.files.paths().map(str::to_string)),
        );
    with_folders(files)
}

/// `files` (relative paths) and every folder holding them.
pub(crate) fn with_folders(files: impl IntoIterator<Item = String>) -> BTreeSet<PathBuf> {
    let mut set = BTreeSet::new();
    for p in files {
        let p = PathBuf::from(p);
        set.extend(
            p.ancestors()
                .skip(1)
                .filter(|a| !a.as_os_str().is_empty())
                .map(Path::to_path_buf),
        );
        set.insert(p);
    }
    set
}

/// Refuses `--force` over a folder holding anything its manifest does not list (symlinks and
/// folders included), naming the first such entry.
fn foreign_file(out: &Path, m: &Manifest) -> Result<(), Fail> {
    foreign_entry(out, &listed(m), "kit")
}

/// Refuses `--force` over `out` when it holds anything not in `listed` (symlinks included):
/// `--force` replaces a `what` (kit, gallery), never the user's own files beside it.
pub(crate) fn foreign_entry(
    out: &Path,
    listed: &BTreeSet<PathBuf>,
    what: &str,
) -> Result<(), Fail> {
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in fs::read_dir(out.join(&rel)).map_err(io(out))? {
            let entry = entry.map_err(io(out))?;
            let path = rel.join(entry.file_name());
            let kind = entry.file_type().map_err(io(out))?;
            if !listed.contains(&path) || kind.is_symlink() {
                return Err(refused(
                    "--out",
                    format!(
                        "`{}` is not part of the {what} there",
                        out.join(&path).display()
                    ),
                    &format!(
                        "--force replaces only a {what}: move that file out first, or choose another folder"
                    ),
                ));
            }
            if kind.is_dir() {
                stack.push(path);
            }
        }
    }
    Ok(())
}

/// Checks that a new kit may go to `out` and makes the temporary folder it is written in
/// first; gives back where it goes (`out` resolved) and that folder.
pub fn prepare(out: &Path, force: bool) -> Result<(PathBuf, PathBuf), Fail> {
    check_new(out, force)?;
    // The folder the user named, even through a symlink: the kit replaces what it points to.
    let out = fs::canonicalize(out).unwrap_or_else(|_| out.to_path_buf());
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let tmp = crate::files::temp_dir_beside(&out)?;
    Ok((out, tmp))
}

/// Writes `kit` as a new kit at `out`, whole or not at all (see the module documentation).
pub fn write_new(kit: &Kit, out: &Path, force: bool) -> Result<(), Fail> {
    let (out, tmp) = prepare(out, force)?;
    let written = write_all(kit, &tmp).and_then(|()| swap_in(&tmp, &out));
    if written.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    written
}

/// Creates every file of `kit` under `dir`, a folder certlab just made.
fn write_all(kit: &Kit, dir: &Path) -> Result<(), Fail> {
    for a in &kit.artifacts {
        let path = dir.join(&a.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        create(&path, &a.bytes, a.secret)?;
    }
    Ok(())
}

/// Puts the finished folder `tmp` at `out`: into a free or empty place, or over an old kit
/// (already checked) that is moved aside first and removed last.
pub fn swap_in(tmp: &Path, out: &Path) -> Result<(), Fail> {
    let unusable = |e: std::io::Error| crate::files::out_unusable(out, &e);
    if fs::symlink_metadata(out).is_err() || fs::remove_dir(out).is_ok() {
        return fs::rename(tmp, out).map_err(unusable);
    }
    let old = temp_sibling(out, "old");
    fs::rename(out, &old).map_err(unusable)?;
    if let Err(e) = fs::rename(tmp, out) {
        let _ = fs::rename(&old, out);
        return Err(unusable(e));
    }
    fs::remove_dir_all(&old).map_err(io(&old))
}

/// Adds the identities of `kit` (a leaf issued under a CA) to the kit in `out`, or writes it
/// as a new kit when `out` is new or empty.
pub fn add(kit: &Kit, out: &Path) -> Result<(), Fail> {
    let m = match existing(out)? {
        Existing::Nothing => return write_new(kit, out, false),
        Existing::Kit(m) => m,
    };
    let files = certlab::add_to_kit(&m, kit)?;
    let (index, new): (Vec<_>, Vec<_>) = files
        .artifacts
        .iter()
        .partition(|a| matches!(a.path.as_str(), "README.txt" | "manifest.json"));
    for a in &new {
        let path = out.join(&a.path);
        if occupied(&path) || !parents_are_folders(out, &a.path) {
            return Err(refused(
                "name",
                format!("`{}` already exists in the kit", path.display()),
                "choose another name with --name: earlier files are never replaced",
            ));
        }
    }
    for a in &index {
        if fs::symlink_metadata(out.join(&a.path)).is_ok_and(|m| !m.is_file()) {
            return Err(refused(
                "--out",
                format!("`{}` is not a plain file", out.join(&a.path).display()),
                "replace it by the kit's own file, or choose another folder",
            ));
        }
    }
    let mut made = Vec::new();
    let result = new.iter().try_for_each(|a| {
        let path = out.join(&a.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        create(&path, &a.bytes, a.secret)?;
        made.push(path);
        Ok(())
    });
    let result = result.and_then(|()| {
        index
            .iter()
            .try_for_each(|a| replace(&out.join(&a.path), &a.bytes, false))
    });
    if result.is_err() {
        for p in made {
            let _ = fs::remove_file(p);
        }
    }
    result
}

/// True when every folder between `out` and `rel` is a real folder (or absent), never a
/// symlink that would lead the write elsewhere.
fn parents_are_folders(out: &Path, rel: &str) -> bool {
    let rel = Path::new(rel);
    rel.ancestors()
        .skip(1)
        .filter(|a| !a.as_os_str().is_empty())
        .all(|a| fs::symlink_metadata(out.join(a)).map_or(true, |m| m.is_dir()))
}
