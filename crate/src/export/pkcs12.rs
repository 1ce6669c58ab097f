//! PKCS#12 (.p12) files in two flavours, because no single encryption is read everywhere:
//!
//! * **compatible** — PBE-SHA1-3DES on both the key and the certificate bags, HMAC-SHA1 MAC.
//!   What macOS Keychain, iOS, Android and Windows before 10 1709 import. Not RC2-40, which
//!   OpenSSL 3 reads only with `-legacy` and Android not at all.
//! * **modern** — PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) and an HMAC-SHA256 MAC: OpenSSL 3's
//!   default, Windows 10 1709+, NSS; rejected by macOS 12–13, iOS 17 and Android 12–13.

use crate::error::Error;
use p12_keystore::{
    Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, PrivateKey,
    PrivateKeyChain,
};

/// Which of the two encodings to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// 3DES + SHA-1 MAC, for Apple, Android and old Windows.
    Compatible,
    /// AES-256 + PBKDF2-SHA256 + SHA-256 MAC.
    Modern,
}

/// Iterations of the password KDF and the MAC. 2048 is what OpenSSL and macOS write; the
/// password protects a file in transit, not a long-term secret store.
const ITERATIONS: u32 = 2048;

/// Writes a .p12 holding the key, its certificate and the issuers (`chain`, leaf's issuer
/// first, root last), with `friendly_name` as the alias.
pub fn write(
    friendly_name: &str,
    key_pkcs8_der: &[u8],
    cert_der: &[u8],
    chain: &[Vec<u8>],
    password: &str,
    flavour: Flavour,
) -> Result<Vec<u8>, Error> {
    let fail =
        |e: p12_keystore::error::Error| Error::Internal(format!("PKCS#12 encoding failed: {e}"));
    let mut certs = vec![Certificate::from_der(cert_der).map_err(fail)?];
    for c in chain {
        certs.push(Certificate::from_der(c).map_err(fail)?);
    }
    let key = PrivateKey::from_der(key_pkcs8_der).map_err(fail)?;
    let local_key_id = crate::rng::bytes::<20>()?.to_vec();
    let mut store = KeyStore::new();
    store.add_entry(
        friendly_name,
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(local_key_id, key, certs)),
    );
    let (enc, mac) = match flavour {
        Flavour::Compatible => (
            EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc,
            MacAlgorithm::HmacSha1,
        ),
        Flavour::Modern => (
            EncryptionAlgorithm::PbeWithHmacSha256AndAes256,
            MacAlgorithm::HmacSha256,
        ),
    };
    store
        .writer(password)
        .encryption_algorithm(enc)
        .encryption_iterations(ITERATIONS)
        .mac_algorithm(mac)
        .mac_iterations(ITERATIONS)
        .write()
        .map_err(fail)
}
