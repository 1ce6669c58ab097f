//! `certlab kit` written as it is made (issue 16 §4): each identity's files go to the new
//! kit's temporary folder, and to the zip, as soon as the engine makes them, so memory stays
//! flat whatever the fleet's size — only the CAs, the plan and the zip's central directory
//! (about 80 bytes a file) are held. `manifest.json` is written piece by piece. The kit is
//! still whole or nothing: it is renamed into place at the end, and an error on the way
//! removes the temporary folder and zip.

use crate::Fail;
use crate::files::{create, io, temp_sibling};
use crate::kit_dir;
use certlab::{Artifact, Crc32, KitSink, Options, Progress, Spec, Streamed, ZipStream};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Where a streamed kit goes: a folder being made, and a zip being made.
struct DiskSink {
    dir: PathBuf,
    zip: Option<ZipStream<BufWriter<File>>>,
    manifest: BufWriter<File>,
    /// CRC-32 and length of manifest.json so far, for its zip entry.
    manifest_crc: Crc32,
    /// The first I/O failure, reported after the engine stops.
    failed: Option<Fail>,
}

impl DiskSink {
    fn fail(&mut self, f: Fail) -> certlab::Error {
        self.failed.get_or_insert(f);
        certlab::Error::Internal("writing the kit failed".into())
    }
}

impl KitSink for DiskSink {
    fn file(&mut self, a: Artifact) -> Result<(), certlab::Error> {
        let path = self.dir.join(&a.path);
        let made = match path.parent() {
            Some(parent) if !parent.exists() => fs::create_dir_all(parent).map_err(io(parent)),
            _ => Ok(()),
        }
        .and_then(|()| create(&path, &a.bytes, a.secret));
        if let Err(f) = made {
            return Err(self.fail(f));
        }
        if let Some(z) = &mut self.zip
            && let Err(e) = z.add(&a.path, &a.bytes, a.secret, certlab::zip_deflates(a.kind))
        {
            return Err(self.fail(Fail::Io(format!("cannot write the zip: {e}"))));
        }
        Ok(())
    }

    fn manifest_piece(&mut self, bytes: &[u8]) -> Result<(), certlab::Error> {
        self.manifest_crc.update(bytes);
        if let Err(e) = self.manifest.write_all(bytes) {
            return Err(self.fail(Fail::Io(format!("cannot write manifest.json: {e}"))));
        }
        Ok(())
    }
}

/// Makes the kit `spec` describes into `out` (and `zip`), as it is made.
pub fn write(
    spec: &Spec,
    progress: &mut dyn FnMut(Progress<'_>),
    out: &Path,
    force: bool,
    zip: Option<&Path>,
) -> Result<Streamed, Fail> {
    let (out, tmp) = kit_dir::prepare(out, force)?;
    let zip_tmp = zip.map(|z| temp_sibling(z, "new"));
    let result = fill(spec, progress, &tmp, zip_tmp.as_deref());
    // The folder first: if it cannot be put in place, the old zip (with --force) still matches
    // the old folder. The zip last: a failure there leaves the new kit whole, and says so.
    let done = result.and_then(|streamed| {
        kit_dir::swap_in(&tmp, &out)?;
        if let (Some(z), Some(zt)) = (zip, &zip_tmp) {
            fs::rename(zt, z).map_err(|e| {
                Fail::Io(format!(
                    "the kit is written to `{}`, but its zip could not be put at `{}`: {e}",
                    out.display(),
                    z.display()
                ))
            })?;
        }
        Ok(streamed)
    });
    if done.is_err() {
        let _ = fs::remove_dir_all(&tmp);
        if let Some(zt) = &zip_tmp {
            let _ = fs::remove_file(zt);
        }
    }
    done
}

/// Streams the kit into the folder `tmp` and the zip `zip_tmp`.
fn fill(
    spec: &Spec,
    progress: &mut dyn FnMut(Progress<'_>),
    tmp: &Path,
    zip_tmp: Option<&Path>,
) -> Result<Streamed, Fail> {
    let now = certlab::now_utc();
    let manifest_path = tmp.join("manifest.json");
    let manifest = File::create_new(&manifest_path).map_err(io(&manifest_path))?;
    let zip = match zip_tmp {
        Some(z) => {
            if let Some(dir) = z.parent().filter(|d| !d.as_os_str().is_empty()) {
                fs::create_dir_all(dir).map_err(io(dir))?;
            }
            let f = secret_file(z)?;
            Some(ZipStream::new(BufWriter::new(f), "certlab-kit", now))
        }
        None => None,
    };
    let mut sink = DiskSink {
        dir: tmp.to_path_buf(),
        zip,
        manifest: BufWriter::new(manifest),
        manifest_crc: Crc32::new(),
        failed: None,
    };
    let opts = Options {
        now: Some(now),
        ..Options::default()
    };
    let streamed = certlab::generate_into(spec, &opts, progress, &mut sink);
    if let Some(f) = sink.failed.take() {
        return Err(f);
    }
    let streamed = streamed?;
    sink.manifest.flush().map_err(io(&manifest_path))?;
    drop(sink.manifest);
    if let Some(mut z) = sink.zip.take() {
        let zip_path = zip_tmp.unwrap_or(tmp);
        let fail =
            |e: std::io::Error| Fail::Io(format!("cannot write `{}`: {e}", zip_path.display()));
        let mut body = File::open(&manifest_path).map_err(io(&manifest_path))?;
        z.add_stream(
            "manifest.json",
            sink.manifest_crc.amount(),
            sink.manifest_crc.sum(),
            &mut body,
        )
        .map_err(fail)?;
        z.finish()
            .map_err(fail)?
            .into_inner()
            .map_err(|e| fail(e.into_error()))?;
    }
    Ok(streamed)
}

/// A new file with mode 0600 from the start (the zip holds private keys).
fn secret_file(path: &Path) -> Result<File, Fail> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path).map_err(io(path))
}
