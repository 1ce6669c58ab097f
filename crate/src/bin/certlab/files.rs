//! Reading inputs and writing a kit to disk (private keys with mode 0600).

use crate::Fail;
use certlab::{Error, ErrorKind, Kit};
use std::path::Path;

/// Reads a file named by a flag; a missing file is an input error naming the flag.
pub fn read(path: &Path, flag: &str) -> Result<Vec<u8>, Fail> {
    std::fs::read(path).map_err(|e| {
        Fail::Engine(Error::field(
            flag,
            ErrorKind::Missing,
            format!("cannot read `{}`: {e}", path.display()),
            "check the path",
        ))
    })
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
    for a in &kit.artifacts {
        write_file(&out.join(&a.path), &a.bytes, a.secret)?;
    }
    Ok(())
}
