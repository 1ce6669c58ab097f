//! Files named on the command line or in the config file, read with the engine's bound on any
//! input ([`certlab::MAX_INPUT_BYTES`]): a certificate, key, .p12, password or config file is
//! small, and `/dev/zero` or a disk image must not be read until memory runs out.

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// Reads `path` (at most [`certlab::MAX_INPUT_BYTES`]); `what` names the flag in errors.
pub fn read(path: &Path, what: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(certlab::MAX_INPUT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::File(format!("{what} {}: {}", path.display(), why(&e))))?;
    if bytes.len() as u64 > certlab::MAX_INPUT_BYTES {
        return Err(Error::File(format!(
            "{what} {}: larger than {} MiB; give the file itself",
            path.display(),
            certlab::MAX_INPUT_BYTES >> 20
        )));
    }
    Ok(bytes)
}

/// What went wrong reading a file, with the fix.
fn why(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => {
            "no such file: check the path (a relative one starts from the current folder)".into()
        }
        PermissionDenied => "permission denied: give a copy this user may read".into(),
        IsADirectory => "is a folder: give the file in it".into(),
        _ => format!("cannot be read ({e})"),
    }
}

/// Reads a text file the same way.
pub fn read_text(path: &Path, what: &str) -> Result<String> {
    String::from_utf8(read(path, what)?)
        .map_err(|_| Error::File(format!("{what} {}: not UTF-8 text", path.display())))
}
