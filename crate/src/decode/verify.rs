//! Signature verification with the same RustCrypto stack that signs (used for CSRs and for
//! checking that an imported key matches its certificate). rcgen without a `ring` backend
//! cannot verify, so this is ours.

use super::cert::SignatureAlgorithm;
use crate::oid;
use sha2::Digest;
use signature::Verifier;

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VerifyError {
    /// The signature algorithm is not one certlab verifies.
    UnsupportedAlgorithm(String),
    /// The public key does not parse or does not fit the algorithm.
    BadKey(String),
    /// The signature is malformed or does not match.
    Invalid,
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyError::UnsupportedAlgorithm(o) => {
                write!(f, "signature algorithm {o} is not supported")
            }
            VerifyError::BadKey(m) => write!(f, "the public key is unusable: {m}"),
            VerifyError::Invalid => f.write_str("the signature does not match the signed data"),
        }
    }
}

#[derive(Clone, Copy)]
enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

fn digest(h: Hash, msg: &[u8]) -> Vec<u8> {
    match h {
        Hash::Sha1 => sha1::Sha1::digest(msg).to_vec(),
        Hash::Sha256 => sha2::Sha256::digest(msg).to_vec(),
        Hash::Sha384 => sha2::Sha384::digest(msg).to_vec(),
        Hash::Sha512 => sha2::Sha512::digest(msg).to_vec(),
    }
}

/// Verifies `sig` over `msg` made with the key in `spki_der` using `sig_alg`.
pub(crate) fn verify(
    spki_der: &[u8],
    sig_alg: &SignatureAlgorithm,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), VerifyError> {
    use SignatureAlgorithm as S;
    let spki = spki::SubjectPublicKeyInfoRef::try_from(spki_der)
        .map_err(|e| VerifyError::BadKey(e.to_string()))?;
    let key = spki.subject_public_key.raw_bytes();
    let key_oid = spki.algorithm.oid;
    let hash = match sig_alg {
        S::EcdsaSha1 | S::RsaSha1 => Hash::Sha1,
        S::EcdsaSha256 | S::RsaSha256 => Hash::Sha256,
        S::EcdsaSha384 | S::RsaSha384 => Hash::Sha384,
        S::EcdsaSha512 | S::RsaSha512 => Hash::Sha512,
        S::Ed25519 => {
            if key_oid != oid::ED25519 {
                return Err(VerifyError::BadKey(
                    "an Ed25519 signature needs an Ed25519 key".into(),
                ));
            }
            let bytes: [u8; 32] = key
                .try_into()
                .map_err(|_| VerifyError::BadKey("Ed25519 keys are 32 bytes".into()))?;
            let vk = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map_err(|e| VerifyError::BadKey(e.to_string()))?;
            let s = ed25519_dalek::Signature::from_slice(sig).map_err(|_| VerifyError::Invalid)?;
            return vk.verify_strict(msg, &s).map_err(|_| VerifyError::Invalid);
        }
        other => return Err(VerifyError::UnsupportedAlgorithm(other.to_string())),
    };
    let is_ecdsa = matches!(
        sig_alg,
        S::EcdsaSha1 | S::EcdsaSha256 | S::EcdsaSha384 | S::EcdsaSha512
    );
    if is_ecdsa {
        use signature::hazmat::PrehashVerifier;
        if key_oid != oid::EC_PUBLIC_KEY {
            return Err(VerifyError::BadKey(
                "an ECDSA signature needs an EC key".into(),
            ));
        }
        let curve = spki
            .algorithm
            .parameters_oid()
            .map_err(|e| VerifyError::BadKey(e.to_string()))?;
        let prehash = digest(hash, msg);
        if curve == oid::P256 {
            let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(key)
                .map_err(|e| VerifyError::BadKey(e.to_string()))?;
            let s = p256::ecdsa::Signature::from_der(sig).map_err(|_| VerifyError::Invalid)?;
            vk.verify_prehash(&prehash, &s)
                .map_err(|_| VerifyError::Invalid)
        } else if curve == oid::P384 {
            let vk = p384::ecdsa::VerifyingKey::from_sec1_bytes(key)
                .map_err(|e| VerifyError::BadKey(e.to_string()))?;
            let s = p384::ecdsa::Signature::from_der(sig).map_err(|_| VerifyError::Invalid)?;
            vk.verify_prehash(&prehash, &s)
                .map_err(|_| VerifyError::Invalid)
        } else {
            Err(VerifyError::BadKey(format!(
                "curve {curve} is not supported"
            )))
        }
    } else {
        use pkcs1::DecodeRsaPublicKey;
        if key_oid != oid::RSA {
            return Err(VerifyError::BadKey(
                "an RSA signature needs an RSA key".into(),
            ));
        }
        let pk = rsa::RsaPublicKey::from_pkcs1_der(key)
            .map_err(|e| VerifyError::BadKey(e.to_string()))?;
        let s = rsa::pkcs1v15::Signature::try_from(sig).map_err(|_| VerifyError::Invalid)?;
        let r = match hash {
            Hash::Sha1 => rsa::pkcs1v15::VerifyingKey::<sha1::Sha1>::new(pk).verify(msg, &s),
            Hash::Sha256 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(pk).verify(msg, &s),
            Hash::Sha384 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha384>::new(pk).verify(msg, &s),
            Hash::Sha512 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha512>::new(pk).verify(msg, &s),
        };
        r.map_err(|_| VerifyError::Invalid)
    }
}
