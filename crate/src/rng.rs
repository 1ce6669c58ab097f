//! Randomness: the OS CSPRNG natively, `crypto.getRandomValues` in the browser (getrandom's
//! `wasm_js` backend). Never panics: a failing source is reported as [`Error::Internal`].

use crate::error::Error;
use rand_core::{TryCryptoRng, TryRng};
use std::convert::Infallible;

/// Fills `buf` from the system CSPRNG.
pub(crate) fn fill(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::fill(buf).map_err(|e| Error::Internal(format!("the randomness source failed: {e}")))
}

/// Returns `N` random bytes.
pub(crate) fn bytes<const N: usize>() -> Result<[u8; N], Error> {
    let mut b = [0u8; N];
    fill(&mut b)?;
    Ok(b)
}

/// A password of 20 characters (100 random bits) from an alphabet without look-alikes
/// (no 0/O, 1/l/I), for secrets a person may have to type from a sheet.
pub(crate) fn password() -> Result<String, Error> {
    const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let raw = bytes::<20>()?;
    Ok(raw
        .iter()
        .map(|b| ALPHABET[usize::from(b & 31)] as char)
        .collect())
}

/// An infallible-looking CSPRNG for the key generators of RustCrypto, which want
/// `CryptoRng`. A failure of the source is remembered instead of panicking and turned into an
/// error by [`Csprng::check`] once the generator returns (its output is then discarded).
#[derive(Debug, Default)]
pub(crate) struct Csprng {
    failed: Option<String>,
}

impl Csprng {
    pub(crate) fn new() -> Self {
        Csprng { failed: None }
    }

    /// Errors if the source failed at any point since creation.
    pub(crate) fn check(&self) -> Result<(), Error> {
        match &self.failed {
            Some(m) => Err(Error::Internal(format!(
                "the randomness source failed: {m}"
            ))),
            None => Ok(()),
        }
    }
}

impl TryRng for Csprng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        if let Err(e) = getrandom::fill(dst) {
            self.failed.get_or_insert_with(|| e.to_string());
        }
        Ok(())
    }
}

impl TryCryptoRng for Csprng {}

/// A positive certificate serial number of 16 bytes: 126 random bits, the top bit clear (so
/// the DER INTEGER is positive) and the next bit set (so it always encodes in 16 bytes).
pub(crate) fn serial() -> Result<[u8; 16], Error> {
    let mut s = bytes::<16>()?;
    s[0] = (s[0] & 0x3f) | 0x40;
    Ok(s)
}
