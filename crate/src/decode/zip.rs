//! Reading one file out of a zip (a gallery or a kit someone sent): the central directory,
//! stored or deflated entries, sizes bounded. What certlab's own writer (`export::zip`) makes
//! and what common zip tools make (no encryption, no multi-disk archives).

use super::MAX_INPUT_BYTES;
use crate::error::{Error, ErrorKind};
use std::io::Read;

fn bad(problem: impl Into<String>) -> Error {
    Error::field(
        "zip",
        ErrorKind::BadDer,
        problem,
        "choose the zip certlab wrote (or unpack it and choose the file itself)",
    )
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Whether `bytes` start like a zip.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The contents of the first entry whose name is `name` or ends with `/name`.
pub fn zip_entry(bytes: &[u8], name: &str) -> Result<Vec<u8>, Error> {
    // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
    let start = bytes.len().saturating_sub(65_557);
    let eocd = (start..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))
        .ok_or_else(|| bad("this is not a whole zip file (no central directory: cut off?)"))?;
    let count = u16_at(bytes, eocd + 10).unwrap_or(0);
    let mut at = u32_at(bytes, eocd + 16).map_or(usize::MAX, |o| o as usize);
    let suffix = format!("/{name}");
    for _ in 0..count {
        if u32_at(bytes, at) != Some(0x0201_4b50) {
            return Err(bad("the zip's central directory is damaged"));
        }
        let field = |o: usize| u16_at(bytes, at + o).map_or(0, usize::from);
        let (method, flags) = (field(10), field(8));
        let (size, raw) = (
            u32_at(bytes, at + 20).unwrap_or(0) as usize,
            u32_at(bytes, at + 24).unwrap_or(0) as u64,
        );
        let (n, e, c) = (field(28), field(30), field(32));
        let local = u32_at(bytes, at + 42).map_or(usize::MAX, |o| o as usize);
        let entry = bytes
            .get(at + 46..at + 46 + n)
            .map(String::from_utf8_lossy)
            .ok_or_else(|| bad("the zip's central directory is damaged"))?;
        if entry == name || entry.ends_with(&suffix) {
            if flags & 1 != 0 {
                return Err(bad(format!("{entry} is encrypted in the zip")));
            }
            if raw > MAX_INPUT_BYTES {
                return Err(bad(format!(
                    "{entry} is larger than {} MiB",
                    MAX_INPUT_BYTES >> 20
                )));
            }
            let data_at = local
                + 30
                + u16_at(bytes, local + 26).map_or(0, usize::from)
                + u16_at(bytes, local + 28).map_or(0, usize::from);
            let data = bytes
                .get(data_at..data_at.saturating_add(size))
                .filter(|_| u32_at(bytes, local) == Some(0x0403_4b50))
                .ok_or_else(|| bad(format!("{entry} is cut off in the zip")))?;
            return match method {
                0 => Ok(data.to_vec()),
                8 => {
                    let mut out = Vec::new();
                    flate2::read::DeflateDecoder::new(data)
                        .take(raw)
                        .read_to_end(&mut out)
                        .map_err(|_| bad(format!("{entry} does not unpack (damaged zip)")))?;
                    Ok(out)
                }
                m => Err(bad(format!(
                    "{entry} is packed with method {m}, which certlab does not read (only stored and deflate)"
                ))),
            };
        }
        at += 46 + n + e + c;
    }
    Err(bad(format!("the zip holds no {name}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_what_the_writer_wrote_and_names_what_is_wrong() {
        let mut z =
            crate::export::zip::ZipStream::new(Vec::new(), "g", time::OffsetDateTime::UNIX_EPOCH);
        z.add("a.txt", b"stored", false, false).unwrap();
        z.add("dir/gallery.json", &b"{\"x\": 1}".repeat(100), false, true)
            .unwrap();
        let bytes = z.finish().unwrap();
        assert!(is_zip(&bytes));
        assert_eq!(zip_entry(&bytes, "a.txt").unwrap(), b"stored");
        assert_eq!(
            zip_entry(&bytes, "gallery.json").unwrap(),
            b"{\"x\": 1}".repeat(100)
        );
        let e = zip_entry(&bytes, "nope.json").unwrap_err().to_string();
        assert!(e.contains("holds no nope.json"), "{e}");
        let e = zip_entry(&bytes[..bytes.len() / 2], "a.txt")
            .unwrap_err()
            .to_string();
        assert!(e.contains("cut off") || e.contains("damaged"), "{e}");
        for n in 0..bytes.len() {
            let _ = zip_entry(&bytes[..n], "gallery.json");
        }
    }
}
