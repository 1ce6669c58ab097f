//! Encrypted private keys: PKCS#8 `EncryptedPrivateKeyInfo`, PBES2 with AES-256-CBC and either
//! PBKDF2-HMAC-SHA256 or scrypt — both read by `openssl pkey -passin`.

use crate::error::Error;
use crate::rng;
use crate::spec::KeyEncryption;
use pkcs8::pkcs5::pbes2;

/// Encrypts a PKCS#8 DER key under `passphrase`; returns `ENCRYPTED PRIVATE KEY` PEM.
pub(crate) fn encrypt(
    pkcs8_der: &[u8],
    passphrase: &str,
    scheme: KeyEncryption,
) -> Result<String, Error> {
    let salt = rng::bytes::<16>()?;
    let iv = rng::bytes::<16>()?;
    let fail = |e: &dyn std::fmt::Display| Error::Internal(format!("key encryption failed: {e}"));
    let params = match scheme {
        KeyEncryption::Pbkdf2 { iterations } => {
            pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(iterations, &salt, iv)
        }
        // scrypt N=2^14, r=8, p=1: the largest cost OpenSSL 3 accepts by default
        // (its scrypt memory limit is 32 MiB).
        KeyEncryption::Scrypt => pbes2::Parameters::generate_scrypt_aes256cbc(
            pkcs8::pkcs5::scrypt::Params::new(14, 8, 1).map_err(|e| fail(&e))?,
            &salt,
            iv,
        ),
    }
    .map_err(|e| fail(&e))?;
    let info = pkcs8::PrivateKeyInfoRef::try_from(pkcs8_der).map_err(|e| fail(&e))?;
    let doc = info
        .encrypt_with_params(params, passphrase)
        .map_err(|e| fail(&e))?;
    Ok(super::pem::encode("ENCRYPTED PRIVATE KEY", doc.as_bytes()))
}
