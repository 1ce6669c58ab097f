//! The kit as one .zip, written as a stream: each file goes out as soon as it is made, and
//! only the central directory (about 80 bytes a file) is held until the end — a fleet of
//! 100,000 devices is 800,000 files. ZIP64 records are added when the kit needs them (more
//! than 65,535 files, or past 4 GiB), as APPNOTE 6.3 §4.3.14–4.3.16 has them.
//!
//! The timestamp is the kit's issue time, so nothing reads a clock (wasm has none for zip),
//! and private keys get mode 0600. Only `README.txt`, `manifest.json` and C headers are
//! deflated: certificates and keys are random bytes — raw, encrypted, or base64 — that
//! deflate shrinks by a fifth at best, and a compressor per entry costs time.

use crate::error::Error;
use crate::kit::{ArtifactKind, Kit};
use flate2::Compression;
use flate2::write::DeflateEncoder;
use std::io::{self, Write};
use time::OffsetDateTime;

/// CRC-32 (ISO-HDLC, the one zip uses), a byte at a time from a 1 KB table made at compile
/// time. flate2's `Crc` (crc32fast) reads 16 bytes at a time from a 16 KB table that gzip
/// cannot shrink: 2% of the page's wasm download for a checksum that is a small part of a
/// kit's time (the entries are stored, not deflated, and PBKDF dominates).
#[derive(Debug, Clone, Default)]
pub struct Crc32 {
    state: u32,
    amount: u32,
}

const CRC32_TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
};

impl Crc32 {
    /// A checksum of nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `bytes` to the checksum.
    pub fn update(&mut self, bytes: &[u8]) {
        let mut c = !self.state;
        for &b in bytes {
            c = CRC32_TABLE[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
        }
        self.state = !c;
        self.amount = self.amount.wrapping_add(bytes.len() as u32);
    }

    /// The CRC-32 of everything added.
    pub fn sum(&self) -> u32 {
        self.state
    }

    /// How many bytes were added (modulo 2^32, as flate2's `Crc` counts).
    pub fn amount(&self) -> u32 {
        self.amount
    }
}

impl Kit {
    /// The whole kit as a zip, every file under `folder/`.
    pub fn zip(&self, folder: &str) -> Result<Vec<u8>, Error> {
        let fail = |e: io::Error| Error::Internal(format!("zip encoding failed: {e}"));
        let mut z = ZipStream::new(Vec::new(), folder, self.issued_at);
        for a in &self.artifacts {
            z.add(&a.path, &a.bytes, a.secret, zip_deflates(a.kind))
                .map_err(fail)?;
        }
        z.finish().map_err(fail)
    }
}

/// Whether a kit file of this kind is worth deflating.
pub fn zip_deflates(kind: ArtifactKind) -> bool {
    matches!(
        kind,
        ArtifactKind::Readme
            | ArtifactKind::Manifest
            | ArtifactKind::CHeader
            | ArtifactKind::DeviceSecrets
    )
}

const LOCAL: u32 = 0x0403_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const END: u32 = 0x0605_4b50;
const END64: u32 = 0x0606_4b50;
const LOCATOR64: u32 = 0x0706_4b50;
/// Version 4.5: ZIP64. Made by Unix (3), so the permission bits are read.
const VERSION: u16 = 45;
const MADE_BY: u16 = (3 << 8) | VERSION;
/// General-purpose flag bit 11: names are UTF-8.
const UTF8: u16 = 1 << 11;

/// A zip being written to `W`, entry by entry.
pub struct ZipStream<W: Write> {
    out: W,
    folder: String,
    /// Bytes written so far: the next entry's offset.
    offset: u64,
    /// Central directory records, written out by [`ZipStream::finish`].
    central: Vec<u8>,
    entries: u64,
    /// MS-DOS time and date of every entry.
    stamp: (u16, u16),
}

fn put16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn put32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn put64(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// MS-DOS time and date (2-second resolution, years 1980–2107).
fn dos_stamp(t: OffsetDateTime) -> (u16, u16) {
    let year = u16::try_from(t.year()).unwrap_or(1980).clamp(1980, 2107);
    let time =
        (u16::from(t.hour()) << 11) | (u16::from(t.minute()) << 5) | u16::from(t.second() / 2);
    let date = ((year - 1980) << 9) | (u16::from(u8::from(t.month())) << 5) | u16::from(t.day());
    (time, date)
}

impl<W: Write> ZipStream<W> {
    /// A zip whose entries all go under `folder/` and carry the time `at`.
    pub fn new(out: W, folder: &str, at: OffsetDateTime) -> Self {
        ZipStream {
            out,
            folder: folder.to_string(),
            offset: 0,
            central: Vec::new(),
            entries: 0,
            stamp: dos_stamp(at),
        }
    }

    /// Writes one file (`path` below the folder), stored, from a reader: `size` bytes whose
    /// CRC-32 is `crc` (a file written piece by piece, such as a fleet's manifest.json).
    pub fn add_stream(
        &mut self,
        path: &str,
        size: u32,
        crc: u32,
        body: &mut dyn io::Read,
    ) -> io::Result<()> {
        let name = format!("{}/{path}", self.folder);
        let local = self.headers(&name, 0, crc, size, size, false)?;
        self.out.write_all(&local)?;
        let copied = io::copy(&mut io::Read::take(body, u64::from(size)), &mut self.out)?;
        if copied != u64::from(size) {
            return Err(io::Error::other(format!(
                "{name} changed while it was zipped"
            )));
        }
        self.offset += local.len() as u64 + copied;
        self.entries += 1;
        Ok(())
    }

    /// Writes one file (`path` below the folder); private ones get mode 0600.
    pub fn add(&mut self, path: &str, bytes: &[u8], secret: bool, deflate: bool) -> io::Result<()> {
        let name = format!("{}/{path}", self.folder);
        let mut crc = Crc32::new();
        crc.update(bytes);
        let packed;
        let (method, data) = if deflate {
            let mut e = DeflateEncoder::new(Vec::new(), Compression::default());
            e.write_all(bytes)?;
            packed = e.finish()?;
            (8u16, packed.as_slice())
        } else {
            (0u16, bytes)
        };
        let too_big = |_| io::Error::other(format!("{name} is larger than 4 GiB"));
        let (size, packed_size) = (
            u32::try_from(bytes.len()).map_err(too_big)?,
            u32::try_from(data.len()).map_err(too_big)?,
        );
        let local = self.headers(&name, method, crc.sum(), packed_size, size, secret)?;
        self.out.write_all(&local)?;
        self.out.write_all(data)?;
        self.offset += (local.len() + data.len()) as u64;
        self.entries += 1;
        Ok(())
    }

    /// The local header of the next entry, its central record added to the directory.
    fn headers(
        &mut self,
        name: &str,
        method: u16,
        crc: u32,
        packed_size: u32,
        size: u32,
        secret: bool,
    ) -> io::Result<Vec<u8>> {
        let name_len = u16::try_from(name.len()).map_err(|_| io::Error::other("name too long"))?;
        // The fields local and central headers share, from "version needed" to "name length".
        let mut common = Vec::with_capacity(26);
        for x in [VERSION, UTF8, method, self.stamp.0, self.stamp.1] {
            put16(&mut common, x);
        }
        for x in [crc, packed_size, size] {
            put32(&mut common, x);
        }
        put16(&mut common, name_len);
        let mut local = Vec::with_capacity(30 + name.len());
        put32(&mut local, LOCAL);
        local.extend_from_slice(&common);
        put16(&mut local, 0); // no extra field
        local.extend_from_slice(name.as_bytes());

        // An offset past 4 GiB goes in a ZIP64 extra field.
        let far = self.offset >= u64::from(u32::MAX);
        let c = &mut self.central;
        put32(c, CENTRAL);
        put16(c, MADE_BY);
        c.extend_from_slice(&common);
        put16(c, if far { 12 } else { 0 }); // extra field length
        for x in [0u16, 0, 0] {
            put16(c, x); // comment length, disk, internal attributes
        }
        let mode: u32 = 0o100_000 | if secret { 0o600 } else { 0o644 };
        put32(c, mode << 16);
        put32(c, if far { u32::MAX } else { self.offset as u32 });
        c.extend_from_slice(name.as_bytes());
        if far {
            put16(c, 1);
            put16(c, 8);
            put64(c, self.offset);
        }
        Ok(local)
    }

    /// Writes the central directory and the end records; gives back the output.
    pub fn finish(mut self) -> io::Result<W> {
        let (cd_offset, cd_size) = (self.offset, self.central.len() as u64);
        self.out.write_all(&self.central)?;
        let mut end = Vec::new();
        let zip64 = self.entries >= u64::from(u16::MAX)
            || cd_offset >= u64::from(u32::MAX)
            || cd_size >= u64::from(u32::MAX);
        if zip64 {
            let end64_offset = cd_offset + cd_size;
            put32(&mut end, END64);
            put64(&mut end, 44); // size of the rest of this record
            put16(&mut end, MADE_BY);
            put16(&mut end, VERSION);
            put32(&mut end, 0);
            put32(&mut end, 0);
            for x in [self.entries, self.entries, cd_size, cd_offset] {
                put64(&mut end, x);
            }
            put32(&mut end, LOCATOR64);
            put32(&mut end, 0);
            put64(&mut end, end64_offset);
            put32(&mut end, 1);
        }
        // With ZIP64 records, the classic fields say "see ZIP64" (all ones).
        let (n16, size32, offset32) = if zip64 {
            (u16::MAX, u32::MAX, u32::MAX)
        } else {
            (self.entries as u16, cd_size as u32, cd_offset as u32)
        };
        put32(&mut end, END);
        for x in [0u16, 0, n16, n16] {
            put16(&mut end, x);
        }
        put32(&mut end, size32);
        put32(&mut end, offset32);
        put16(&mut end, 0);
        self.out.write_all(&end)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::Crc32;

    #[test]
    fn crc32_matches_the_check_value_and_flate2() {
        let mut c = Crc32::new();
        c.update(b"123456789");
        assert_eq!(c.sum(), 0xCBF4_3926); // the CRC-32/ISO-HDLC check value
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 + i / 251) as u8).collect();
        let (mut ours, mut theirs) = (Crc32::new(), flate2::Crc::new());
        for piece in data.chunks(777) {
            ours.update(piece);
            theirs.update(piece);
        }
        assert_eq!((ours.sum(), ours.amount()), (theirs.sum(), theirs.amount()));
    }
}
