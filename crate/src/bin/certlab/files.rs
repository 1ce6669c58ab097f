//! Reading inputs and writing a kit to disk (private keys with mode 0600).

use crate::Fail;
use certlab::{Error, ErrorKind, Kit};
use std::path::Path;

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
    std::fs::File::open(path)
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

/// Refuses to overwrite a folder that already holds a kit: a new root would invalidate every
/// certificate and import made from the old one.
pub fn refuse_overwrite(out: &Path, force: bool) -> Result<(), Fail> {
    if !force && out.join("manifest.json").exists() {
        return Err(Fail::Engine(Error::field(
            "--out",
            ErrorKind::Inconsistent,
            format!("`{}` already holds a kit", out.display()),
            "choose another folder, or add --force to replace it (roots imported from the old kit stop working)",
        )));
    }
    Ok(())
}

/// Writes one file, creating folders; `secret` files get mode 0600.
pub fn write_file(path: &Path, bytes: &[u8], secret: bool) -> Result<(), Fail> {
    let _ = secret; // used for permissions on unix only
    let io = |e: std::io::Error| Fail::Io(format!("cannot write `{}`: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(if secret { 0o600 } else { 0o644 });
    }
    use std::io::Write;
    let mut f = opts.open(path).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    Ok(())
}

/// Writes every artifact of the kit under `out`.
pub fn write_kit(kit: &Kit, out: &Path) -> Result<(), Fail> {
    if out.exists() && !out.is_dir() {
        return Err(Fail::Engine(Error::field(
            "--out",
            ErrorKind::Inconsistent,
            format!("`{}` is a file, not a folder", out.display()),
            "give a folder for the kit (it is made if it does not exist)",
        )));
    }
    for a in &kit.artifacts {
        write_file(&out.join(&a.path), &a.bytes, a.secret)?;
    }
    Ok(())
}
