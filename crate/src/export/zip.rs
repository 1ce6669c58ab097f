//! The whole kit as one .zip, every file under a top folder. The timestamp is set from the
//! kit's issue time, so nothing reads a clock (wasm has none for zip), and private keys get
//! mode 0600.
//!
//! Only `README.txt` and `manifest.json` are deflated (to a tenth of their size). Certificates
//! and keys are random bytes — raw, encrypted, or base64 — that deflate shrinks by a fifth at
//! best, and each deflated entry costs a fresh compressor (hundreds of KB to allocate and
//! clear): for a batch of 1,000 devices that was half the time of the whole kit.

use crate::error::Error;
use crate::kit::{ArtifactKind, Kit};
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

impl Kit {
    /// The whole kit as a zip, every file under `folder/`.
    pub fn zip(&self, folder: &str) -> Result<Vec<u8>, Error> {
        write(self, folder)
    }
}

/// Zips every artifact of the kit under `folder/`.
fn write(kit: &Kit, folder: &str) -> Result<Vec<u8>, Error> {
    let fail = |e: &dyn std::fmt::Display| Error::Internal(format!("zip encoding failed: {e}"));
    let t = kit.issued_at;
    let stamp = zip::DateTime::from_date_and_time(
        u16::try_from(t.year()).unwrap_or(1980).clamp(1980, 2107),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
    .map_err(|e| fail(&e))?;
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for a in &kit.artifacts {
        let method = match a.kind {
            ArtifactKind::Readme | ArtifactKind::Manifest | ArtifactKind::CHeader => {
                zip::CompressionMethod::Deflated
            }
            _ => zip::CompressionMethod::Stored,
        };
        let opts = SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(stamp)
            .unix_permissions(if a.secret { 0o600 } else { 0o644 });
        w.start_file(format!("{folder}/{}", a.path), opts)
            .map_err(|e| fail(&e))?;
        w.write_all(&a.bytes).map_err(|e| fail(&e))?;
    }
    Ok(w.finish().map_err(|e| fail(&e))?.into_inner())
}
