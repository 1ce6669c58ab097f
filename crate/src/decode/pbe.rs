//! Limits on password-based key derivation read from outside (encrypted keys, .p12 files): the
//! one place they are decided. A hostile or damaged file could otherwise ask for hours of
//! PBKDF2, terabytes of scrypt memory, or parameters a KDF cannot take at all (scrypt N = 0
//! panics inside pkcs5). Every check runs before any derivation.

use crate::error::{Error, ErrorKind};
use pkcs5::pbes2::{self, Kdf};

/// The most PBKDF2 (or PKCS#12 KDF) iterations a file read from outside may ask for. OpenSSL
/// writes 2,048 (1.x, and its .p12 files) or 600,000 (3.x with `-iter`), certlab 100,000: ten
/// million is a few seconds.
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
/// The largest scrypt cost N (2^20; OpenSSL writes 2^14, certlab 2^15).
pub const MAX_SCRYPT_N: u64 = 1 << 20;
/// The most memory scrypt may need (128·r·N bytes): 1 GiB.
pub const MAX_SCRYPT_MEMORY: u64 = 1 << 30;
/// The largest scrypt r·p (RFC 7914 allows far more; OpenSSL writes r = 8, p = 1).
pub const MAX_SCRYPT_RP: u64 = 64;

/// An error for `field` saying the encryption asks for `what`, with `fix`.
fn too_costly(field: &str, what: String, fix: &str) -> Error {
    Error::field(
        field,
        ErrorKind::TooCostly,
        format!("the encryption asks for {what}"),
        fix,
    )
}

/// Checks an iteration count of PBKDF2 or of the PKCS#12 KDF (`what` names it).
pub(crate) fn check_iterations(n: i64, what: &str, field: &str, fix: &str) -> Result<(), Error> {
    if n < 1 {
        Err(too_costly(
            field,
            format!("{n} {what} iterations, which no KDF accepts"),
            fix,
        ))
    } else if n > i64::from(MAX_PBKDF2_ITERATIONS) {
        Err(too_costly(
            field,
            format!("{n} {what} iterations, more than the {MAX_PBKDF2_ITERATIONS} certlab accepts"),
            fix,
        ))
    } else {
        Ok(())
    }
}

/// Checks PBES2's key derivation (PBKDF2 or scrypt) against the limits above.
pub(crate) fn check_pbes2(params: &pbes2::Parameters, field: &str, fix: &str) -> Result<(), Error> {
    match &params.kdf {
        Kdf::Pbkdf2(p) => check_iterations(i64::from(p.iteration_count), "PBKDF2", field, fix),
        Kdf::Scrypt(p) => {
            let (n, r, pp) = (
                p.cost_parameter,
                u64::from(p.block_size),
                u64::from(p.parallelization),
            );
            if n < 2 || !n.is_power_of_two() || n > MAX_SCRYPT_N {
                Err(too_costly(
                    field,
                    format!(
                        "scrypt N = {n}; certlab accepts a power of two from 2 to {MAX_SCRYPT_N}"
                    ),
                    fix,
                ))
            } else if r == 0 || pp == 0 || r * pp > MAX_SCRYPT_RP {
                Err(too_costly(
                    field,
                    format!(
                        "scrypt r = {r}, p = {pp}; certlab accepts r·p from 1 to {MAX_SCRYPT_RP}"
                    ),
                    fix,
                ))
            } else if 128 * r * n > MAX_SCRYPT_MEMORY {
                Err(too_costly(
                    field,
                    format!(
                        "{} MiB of scrypt memory, more than the {} MiB certlab allows",
                        (128 * r * n) >> 20,
                        MAX_SCRYPT_MEMORY >> 20
                    ),
                    fix,
                ))
            } else {
                Ok(())
            }
        }
        _ => Err(Error::field(
            field,
            ErrorKind::UnsupportedAlgorithm,
            "the encryption uses a key derivation other than PBKDF2 or scrypt",
            fix,
        )),
    }
}
