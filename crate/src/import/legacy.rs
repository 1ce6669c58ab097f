//! OpenSSL's traditional PEM encryption, what OpenSSL 1.x wrote by default and 3.x writes
//! with `-traditional` (lab guides still print `openssl genrsa -aes256` / `-des3` recipes):
//!
//! ```text
//! -----BEGIN RSA PRIVATE KEY-----
//! Proc-Type: 4,ENCRYPTED
//! DEK-Info: AES-256-CBC,D3B3124F520B2615A7080693440A3274
//! ```
//!
//! The cipher key comes from `EVP_BytesToKey` with MD5, one round, and the first 8 bytes of
//! the IV as salt: D₁ = MD5(passphrase ‖ salt), Dᵢ = MD5(Dᵢ₋₁ ‖ passphrase ‖ salt), their
//! concatenation cut to the key length. A weak derivation (one MD5), which is why the error
//! for a wrong passphrase also suggests moving to PKCS#8; the plaintext is the PKCS#1 or SEC1
//! DER the label names.

use crate::error::{Error, ErrorKind};
use cbc::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
use md5::{Digest, Md5};

/// The ciphers OpenSSL writes in `DEK-Info`, with their key lengths.
const CIPHERS: [(&str, usize); 4] = [
    ("AES-128-CBC", 16),
    ("AES-192-CBC", 24),
    ("AES-256-CBC", 32),
    ("DES-EDE3-CBC", 24),
];

/// The command that rewrites any key OpenSSL reads as PKCS#8 with AES (certlab's own format).
const TO_PKCS8: &str =
    "`openssl pkcs8 -topk8 -v2 aes-256-cbc -in old.key -out new.key` (or -nocrypt for none)";

/// `EVP_BytesToKey(MD5, salt, passphrase, count = 1)`, cut to `len` bytes.
fn bytes_to_key(passphrase: &[u8], salt: &[u8], len: usize) -> Vec<u8> {
    let mut key = Vec::with_capacity(len + 16);
    let mut prev: Vec<u8> = Vec::new();
    while key.len() < len {
        let mut h = Md5::new();
        h.update(&prev);
        h.update(passphrase);
        h.update(salt);
        prev = h.finalize().to_vec();
        key.extend_from_slice(&prev);
    }
    key.truncate(len);
    key
}

/// Decrypts the body of a traditionally encrypted PEM block whose `DEK-Info` header is
/// `dek_info`, returning the DER the label names. Errors name `field`.
pub(super) fn decrypt(
    dek_info: &str,
    body: &[u8],
    passphrase: Option<&str>,
    field: &str,
) -> Result<Vec<u8>, Error> {
    let (cipher, iv_hex) = dek_info.split_once(',').unwrap_or((dek_info, ""));
    let cipher = cipher.trim().to_ascii_uppercase();
    let Some(&(_, key_len)) = CIPHERS.iter().find(|(name, _)| *name == cipher) else {
        return Err(Error::field(
            field,
            ErrorKind::UnsupportedAlgorithm,
            format!(
                "the key is PEM-encrypted with `{cipher}`, which certlab does not read (it reads AES-128/192/256-CBC and DES-EDE3-CBC)"
            ),
            format!("convert it to PKCS#8 with AES: {TO_PKCS8}"),
        ));
    };
    let iv = hex::decode(iv_hex.trim())
        .ok()
        .filter(|iv| iv.len() == if cipher.starts_with("AES") { 16 } else { 8 });
    let Some(iv) = iv else {
        return Err(Error::field(
            field,
            ErrorKind::BadPem,
            format!("the DEK-Info header `{dek_info}` does not hold a {cipher} IV"),
            "export the key again: the header lines were changed",
        ));
    };
    let Some(pw) = passphrase.filter(|p| !p.is_empty()) else {
        return Err(Error::field(
            field,
            ErrorKind::WrongPassword,
            "the key is encrypted (Proc-Type: 4,ENCRYPTED) and no passphrase was given",
            "give the key's passphrase",
        ));
    };
    let key = bytes_to_key(pw.as_bytes(), &iv[..8], key_len);
    let plain = match cipher.as_str() {
        "AES-128-CBC" => cbc::Decryptor::<aes::Aes128>::new_from_slices(&key, &iv)
            .ok()
            .and_then(|c| c.decrypt_padded_vec::<Pkcs7>(body).ok()),
        "AES-192-CBC" => cbc::Decryptor::<aes::Aes192>::new_from_slices(&key, &iv)
            .ok()
            .and_then(|c| c.decrypt_padded_vec::<Pkcs7>(body).ok()),
        "AES-256-CBC" => cbc::Decryptor::<aes::Aes256>::new_from_slices(&key, &iv)
            .ok()
            .and_then(|c| c.decrypt_padded_vec::<Pkcs7>(body).ok()),
        _ => cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
            .ok()
            .and_then(|c| c.decrypt_padded_vec::<Pkcs7>(body).ok()),
    };
    // A wrong passphrase shows as bad padding, or (1 time in ~256) as DER that does not parse.
    plain
        .filter(|p| p.first() == Some(&0x30))
        .ok_or_else(wrong_passphrase(field))
}

/// The error for a passphrase that does not decrypt a traditionally encrypted key.
pub(super) fn wrong_passphrase(field: &str) -> impl Fn() -> Error + '_ {
    move || {
        Error::field(
            field,
            ErrorKind::WrongPassword,
            "the passphrase does not decrypt the key",
            "check the passphrase (it is case-sensitive)",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::bytes_to_key;

    /// A vector computed with OpenSSL: `openssl enc -aes-256-cbc -P -md md5 -pass pass:secret
    /// -S 0001020304050607` prints this key.
    #[test]
    fn bytes_to_key_is_openssls() {
        let key = bytes_to_key(b"secret", &[0, 1, 2, 3, 4, 5, 6, 7], 32);
        assert_eq!(
            hex::encode_upper(key),
            "035FB8145B73CF111570DC936112BE9C375A5D3D8B915BC213BDBEF9DBFB7851"
        );
    }
}
