//! The decoding layer: everything read from outside (PEM, DER certificates, CSRs, .p12 files) becomes typed
//! facts here, once. Above it, [`crate::lint`] reads those facts, [`crate::inspect`] renders
//! them for people, [`crate::import`] checks a CA with them, leaf planning and the echo
//! server describe peers with them. Nothing here signs, writes or depends on a layer above.

/// The largest file certlab reads as a certificate, chain, key, CSR, .p12 or spec: 16 MiB, far
/// above any real one (a 10,000-device kit's manifest is under 8 MiB). The CLI and
/// certlab-echo refuse larger inputs before reading them whole (`/dev/zero` never ends).
pub const MAX_INPUT_BYTES: u64 = 16 << 20;

mod cert;
mod crl;
mod csr;
mod name;
mod p12;
mod pbe;
mod pem;
mod verify;
mod zip;

pub(crate) use cert::parse_x509;
pub use cert::{Cert, Curve, Eku, KeyType, KeyUsage, SignatureAlgorithm};
pub(crate) use crl::normal_hex;
pub use crl::{Crl, Reason, Revoked, read_crl};
pub use csr::{Csr, parse_csr};
pub(crate) use name::rfc3339;

/// The subject of a DER certificate as one line (`C=FR, O=ENIB, CN=alice`), as every view
/// shows it; empty if it does not parse.
pub(crate) fn subject_line(der: &[u8]) -> String {
    parse_x509(der, "certificate").map_or_else(|_| String::new(), |c| name::dn(c.subject()))
}
pub(crate) use p12::looks_like_pkcs12;
pub use p12::{P12Contents, read_p12};
pub(crate) use pbe::check_pbes2;
pub use pbe::{MAX_PBKDF2_ITERATIONS, MAX_SCRYPT_MEMORY, MAX_SCRYPT_N, MAX_SCRYPT_RP};
pub use pem::certificates;
pub(crate) use pem::{CERT_TAGS, CSR_TAGS};
pub(crate) use pem::{is_pem, pem_blocks};
pub use zip::{is_zip, zip_entry};
