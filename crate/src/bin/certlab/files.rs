//! Reading inputs, and the file operations kits are written with: files created new (never
//! through a symlink, never over an existing file), private ones with mode 0600 from the
//! start, and temporary names beside the target that a rename makes final.

use crate::Fail;
use certlab::{Error, ErrorKind};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Reads a file named by a flag, at most [`certlab::MAX_INPUT_BYTES`]; a missing file or a
/// larger one is an input error naming the flag.
pub fn read(path: &Path, flag: &str) -> Result<Vec<u8>, Fail> {
    use std::io::Read;
    let cannot = |e: std::io::Error| {
        Fail::Engine(Error::field(
            flag,
            ErrorKind::Missing,
            format!("cannot read `{}`: {e}", path.display()),
            "check the path",
        ))
    };
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(certlab::MAX_INPUT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() as u64 > certlab::MAX_INPUT_BYTES {
        return Err(Fail::Engine(Error::field(
            flag,
            ErrorKind::TooCostly,
            format!(
                "`{}` is larger than {} MiB, more than any certificate, key, CSR, .p12 or spec",
                path.display(),
                certlab::MAX_INPUT_BYTES >> 20
            ),
            "give the file itself, not a disk image or a device such as /dev/zero",
        )));
    }
    Ok(bytes)
}

/// Reads a device list named by a flag (as [`read`]), decoded by the engine's rules.
pub fn read_list(path: &Path, flag: &str) -> Result<String, Fail> {
    let field = format!("{flag} {}", path.display());
    Ok(certlab::device_list_text(&read(path, flag)?, &field)?)
}

/// An I/O failure naming the path.
pub fn io(path: &Path) -> impl Fn(std::io::Error) -> Fail + '_ {
    move |e| Fail::Io(format!("cannot write `{}`: {e}", path.display()))
}

/// Makes the new folder a kit or gallery is written in before it is renamed to `out`: beside
/// `out`, so the rename stays on one file system. Refused under `--out` when the parent
/// folder cannot take it (read-only, not ours).
pub fn temp_dir_beside(out: &Path) -> Result<PathBuf, Fail> {
    let tmp = temp_sibling(out, "new");
    fs::create_dir(&tmp).map_err(|e| out_unusable(out, &e))?;
    Ok(tmp)
}

/// Why `--out` cannot receive the finished folder (certlab writes beside it, then renames),
/// with the fix; other errors as [`io`].
pub fn out_unusable(out: &Path, e: &std::io::Error) -> Fail {
    use std::io::ErrorKind::*;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let why = match e.kind() {
        PermissionDenied | ReadOnlyFilesystem => format!(
            "certlab writes into a new folder beside `{}` and renames it in, and `{}` does not let it ({e})",
            out.display(),
            parent.display()
        ),
        ResourceBusy | CrossesDevices => format!(
            "`{}` is a mount point or in use, so the finished folder cannot be renamed to it ({e})",
            out.display()
        ),
        _ => return Fail::Io(format!("cannot write `{}`: {e}", out.display())),
    };
    refused(
        "--out",
        why,
        &format!(
            "give a folder inside it, whose parent you may write to: e.g. --out {}",
            out.join("kit").display()
        ),
    )
}

/// An input error about `--out` (or another flag naming where to write).
pub fn refused(flag: &str, problem: String, fix: &str) -> Fail {
    Fail::Engine(Error::field(flag, ErrorKind::Inconsistent, problem, fix))
}

/// Creates `path`, which must not exist (a symlink there counts as existing and is never
/// followed), with mode 0600 for `secret` files from the first byte, and writes `bytes`.
pub fn create(path: &Path, bytes: &[u8], secret: bool) -> Result<(), Fail> {
    let _ = secret; // permissions exist on unix only
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(if secret { 0o600 } else { 0o644 });
    }
    let mut f = opts.open(path).map_err(io(path))?;
    f.write_all(bytes).map_err(io(path))
}

/// A name for a temporary sibling of `path` (same folder, so a rename is atomic), hidden and
/// unlikely to exist; [`create`] and `create_dir` refuse it if it does.
pub fn temp_sibling(path: &Path, what: &str) -> PathBuf {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let stem = path
        .file_name()
        .map_or("kit".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(
        ".{stem}.certlab-{what}-{}-{nanos:08x}",
        std::process::id()
    ))
}

/// Writes `bytes` to `path` through a temporary sibling and a rename: readers see the old
/// file or the new one, never half of one. The caller has decided that `path` may be replaced.
pub fn replace(path: &Path, bytes: &[u8], secret: bool) -> Result<(), Fail> {
    let tmp = temp_sibling(path, "tmp");
    create(&tmp, bytes, secret)
        .and_then(|()| fs::rename(&tmp, path).map_err(io(path)))
        .inspect_err(|_| {
            let _ = fs::remove_file(&tmp);
        })
}

/// True when something (a file, folder or symlink, even a dangling one) is at `path`.
pub fn occupied(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// `p` as an absolute path with symlinks resolved, for a path that may not exist yet: its
/// nearest existing ancestor resolved, the rest appended.
fn absolute(p: &Path) -> Option<PathBuf> {
    let p = std::path::absolute(p).ok()?;
    let mut rest = Vec::new();
    for a in p.ancestors() {
        if let Ok(c) = fs::canonicalize(a) {
            return Some(rest.iter().rev().fold(c, |acc: PathBuf, n| acc.join(n)));
        }
        rest.push(a.file_name()?.to_os_string());
    }
    None
}

/// Checks where `--zip` goes before anything is written: not inside the kit folder, and an
/// existing file only with `--force` and only if it is a zip.
pub fn check_zip(zip: &Path, out: &Path, force: bool) -> Result<(), Fail> {
    if let (Some(z), Some(o)) = (absolute(zip), absolute(out))
        && z.starts_with(&o)
    {
        return Err(refused(
            "--zip",
            format!("`{}` is inside the kit folder", zip.display()),
            "put the zip beside the kit folder, e.g. --zip kit.zip",
        ));
    }
    let Ok(meta) = fs::symlink_metadata(zip) else {
        return Ok(());
    };
    if !force {
        return Err(refused(
            "--zip",
            format!("`{}` already exists", zip.display()),
            "choose another name, or add --force to replace it",
        ));
    }
    let is_zip = meta.is_file()
        && fs::read(zip)
            .map(|b| b.is_empty() || b.starts_with(b"PK\x03\x04"))
            .unwrap_or(false);
    if !is_zip {
        return Err(refused(
            "--zip",
            format!(
                "`{}` is not a zip file, so --force does not replace it",
                zip.display()
            ),
            "choose another name for the zip",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Error as IoError, ErrorKind as Kind};

    /// The errors of writing beside `--out` and renaming in name `--out`, why, and a folder
    /// inside it to give instead (checked here: as root, the tests cannot make a folder
    /// refuse writes, nor mount one).
    #[test]
    fn an_unusable_out_is_named_with_a_folder_inside_it() {
        let out = Path::new("/mnt/usb");
        for (kind, why) in [
            (Kind::ResourceBusy, "mount point or in use"),
            (Kind::PermissionDenied, "does not let it"),
            (Kind::ReadOnlyFilesystem, "does not let it"),
        ] {
            let Fail::Engine(e) = out_unusable(out, &IoError::from(kind)) else {
                panic!("{kind:?}: not an input error");
            };
            let text = e.to_string();
            assert!(text.starts_with("--out: "), "{text}");
            assert!(
                text.contains(why) && text.contains("--out /mnt/usb/kit"),
                "{text}"
            );
        }
        assert!(matches!(
            out_unusable(out, &IoError::from(Kind::StorageFull)),
            Fail::Io(_)
        ));
    }
}
