//! Key pairs: generation, import from PKCS#8 (plain or encrypted), SEC1 and PKCS#1, and
//! signing through rcgen's [`rcgen::SigningKey`] trait. One pure-Rust (RustCrypto) stack, so
//! native and wasm builds run the same code and the wasm build needs no C compiler.

use crate::error::{Error, ErrorKind};
use crate::oid;
use crate::rng::{self, Csprng};
use p256::elliptic_curve::Generate;
use pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use signature::{SignatureEncoding, Signer};

/// The key algorithms certlab issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum KeyAlgorithm {
    /// ECDSA on NIST P-256 with SHA-256 — the default: small, fast, accepted everywhere.
    #[default]
    #[serde(rename = "ecdsa-p256")]
    EcdsaP256,
    /// ECDSA on NIST P-384 with SHA-384.
    #[serde(rename = "ecdsa-p384")]
    EcdsaP384,
    /// Ed25519 (RFC 8410). Not accepted by browsers (see the lint).
    #[serde(rename = "ed25519")]
    Ed25519,
    /// RSA 2048-bit, PKCS#1 v1.5 signatures with SHA-256.
    #[serde(rename = "rsa2048")]
    Rsa2048,
    /// RSA 3072-bit.
    #[serde(rename = "rsa3072")]
    Rsa3072,
    /// RSA 4096-bit.
    #[serde(rename = "rsa4096")]
    Rsa4096,
}

impl KeyAlgorithm {
    /// Every algorithm, in menu order.
    pub const ALL: [KeyAlgorithm; 6] = [
        KeyAlgorithm::EcdsaP256,
        KeyAlgorithm::EcdsaP384,
        KeyAlgorithm::Ed25519,
        KeyAlgorithm::Rsa2048,
        KeyAlgorithm::Rsa3072,
        KeyAlgorithm::Rsa4096,
    ];

    /// The identifier used in specs, the CLI and the manifest (`ecdsa-p256`, `rsa2048`, …).
    pub fn id(self) -> &'static str {
        match self {
            KeyAlgorithm::EcdsaP256 => "ecdsa-p256",
            KeyAlgorithm::EcdsaP384 => "ecdsa-p384",
            KeyAlgorithm::Ed25519 => "ed25519",
            KeyAlgorithm::Rsa2048 => "rsa2048",
            KeyAlgorithm::Rsa3072 => "rsa3072",
            KeyAlgorithm::Rsa4096 => "rsa4096",
        }
    }

    /// Parses an identifier as written by [`KeyAlgorithm::id`].
    pub fn from_id(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.id() == s)
    }

    /// RSA modulus size in bits, if this is RSA.
    pub fn rsa_bits(self) -> Option<usize> {
        match self {
            KeyAlgorithm::Rsa2048 => Some(2048),
            KeyAlgorithm::Rsa3072 => Some(3072),
            KeyAlgorithm::Rsa4096 => Some(4096),
            _ => None,
        }
    }

    /// True for the RSA family (which also wants keyEncipherment on TLS server leaves).
    pub fn is_rsa(self) -> bool {
        self.rsa_bits().is_some()
    }

    fn rcgen_alg(self) -> &'static rcgen::SignatureAlgorithm {
        match self {
            KeyAlgorithm::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            KeyAlgorithm::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
            KeyAlgorithm::Ed25519 => &rcgen::PKCS_ED25519,
            _ => &rcgen::PKCS_RSA_SHA256,
        }
    }
}

impl std::fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

enum Signer_ {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
    Rsa(Box<rsa::pkcs1v15::SigningKey<Sha256>>),
}

/// A private key with its public half, able to sign certificates.
pub struct KeyPair {
    alg: KeyAlgorithm,
    signer: Signer_,
    /// The subjectPublicKey BIT STRING contents (what rcgen calls `der_bytes`).
    public_key: Vec<u8>,
    /// PKCS#8 DER of the private key (Ed25519 as v1, which OpenSSL 3.0 reads).
    pkcs8: Vec<u8>,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

fn internal(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("{what}: {e}"))
}

impl KeyPair {
    /// Generates a fresh key from the system CSPRNG.
    pub fn generate(alg: KeyAlgorithm) -> Result<Self, Error> {
        match alg {
            KeyAlgorithm::EcdsaP256 => {
                let k = p256::ecdsa::SigningKey::try_generate_from_rng(&mut getrandom::SysRng)
                    .map_err(|e| internal("the randomness source failed", e))?;
                Self::from_signer(alg, Signer_::P256(k))
            }
            KeyAlgorithm::EcdsaP384 => {
                let k = p384::ecdsa::SigningKey::try_generate_from_rng(&mut getrandom::SysRng)
                    .map_err(|e| internal("the randomness source failed", e))?;
                Self::from_signer(alg, Signer_::P384(k))
            }
            KeyAlgorithm::Ed25519 => {
                let seed = rng::bytes::<32>()?;
                Self::from_signer(
                    alg,
                    Signer_::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed)),
                )
            }
            _ => {
                let bits = alg.rsa_bits().unwrap_or(2048);
                let mut rng = Csprng::new();
                let key = rsa::RsaPrivateKey::new(&mut rng, bits)
                    .map_err(|e| internal("RSA key generation failed", e))?;
                rng.check()?;
                Self::from_signer(
                    alg,
                    Signer_::Rsa(Box::new(rsa::pkcs1v15::SigningKey::new(key))),
                )
            }
        }
    }

    fn from_signer(alg: KeyAlgorithm, signer: Signer_) -> Result<Self, Error> {
        let (public_key, pkcs8) = match &signer {
            Signer_::P256(k) => (
                k.verifying_key().to_sec1_point(false).as_bytes().to_vec(),
                k.to_pkcs8_der()
                    .map_err(|e| internal("PKCS#8 encoding", e))?
                    .as_bytes()
                    .to_vec(),
            ),
            Signer_::P384(k) => (
                k.verifying_key().to_sec1_point(false).as_bytes().to_vec(),
                k.to_pkcs8_der()
                    .map_err(|e| internal("PKCS#8 encoding", e))?
                    .as_bytes()
                    .to_vec(),
            ),
            Signer_::Ed25519(k) => {
                // OpenSSL 3.0 rejects PKCS#8 v2 (with the public key) for Ed25519, also
                // inside a .p12: write v1 (RFC 8410 §7) with the seed only.
                let kb = ed25519_dalek::ed25519::pkcs8::KeypairBytes {
                    secret_key: k.to_bytes(),
                    public_key: None,
                };
                (
                    k.verifying_key().to_bytes().to_vec(),
                    kb.to_pkcs8_der()
                        .map_err(|e| internal("PKCS#8 encoding", e))?
                        .as_bytes()
                        .to_vec(),
                )
            }
            Signer_::Rsa(k) => {
                use pkcs1::EncodeRsaPublicKey;
                let private: &rsa::RsaPrivateKey = k.as_ref().as_ref();
                (
                    private
                        .to_public_key()
                        .to_pkcs1_der()
                        .map_err(|e| internal("PKCS#1 encoding", e))?
                        .as_bytes()
                        .to_vec(),
                    private
                        .to_pkcs8_der()
                        .map_err(|e| internal("PKCS#8 encoding", e))?
                        .as_bytes()
                        .to_vec(),
                )
            }
        };
        Ok(KeyPair {
            alg,
            signer,
            public_key,
            pkcs8,
        })
    }

    /// Reads an unencrypted PKCS#8 `PrivateKeyInfo` (DER) — e.g. what WebCrypto's
    /// `exportKey('pkcs8')` gives.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        let info = pkcs8::PrivateKeyInfoRef::try_from(der).map_err(|e| {
            Error::field(
                "key",
                ErrorKind::BadDer,
                format!("the key is not PKCS#8 DER ({e})"),
                "give an unencrypted PKCS#8 key (`openssl pkcs8 -topk8 -nocrypt -outform DER`)",
            )
        })?;
        let oid = info.algorithm.oid;
        let unsupported = || {
            Error::field(
                "key",
                ErrorKind::UnsupportedAlgorithm,
                format!("the key's algorithm {oid} is not supported"),
                "use an ECDSA P-256/P-384, Ed25519 or RSA (2048–4096 bit) key",
            )
        };
        let bad = |e: &dyn std::fmt::Display| {
            Error::field(
                "key",
                ErrorKind::BadDer,
                format!("the key could not be read ({e})"),
                "check that the file holds a complete, uncorrupted private key",
            )
        };
        if oid == oid::EC_PUBLIC_KEY {
            let curve = info.algorithm.parameters_oid().map_err(|_| unsupported())?;
            if curve == oid::P256 {
                let k = p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|e| bad(&e))?;
                Self::from_signer(KeyAlgorithm::EcdsaP256, Signer_::P256(k))
            } else if curve == oid::P384 {
                let k = p384::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|e| bad(&e))?;
                Self::from_signer(KeyAlgorithm::EcdsaP384, Signer_::P384(k))
            } else {
                Err(Error::field(
                    "key",
                    ErrorKind::UnsupportedAlgorithm,
                    format!("the EC key is on curve {curve}, which certlab does not sign with"),
                    "use a P-256 or P-384 key",
                ))
            }
        } else if oid == oid::ED25519 {
            let kb = ed25519_dalek::ed25519::pkcs8::KeypairBytes::from_pkcs8_der(der)
                .map_err(|e| bad(&e))?;
            let k = ed25519_dalek::SigningKey::from_bytes(&kb.secret_key);
            if let Some(pk) = kb.public_key
                && pk.0 != k.verifying_key().to_bytes()
            {
                return Err(bad(
                    &"the embedded public key does not match the private key",
                ));
            }
            Self::from_signer(KeyAlgorithm::Ed25519, Signer_::Ed25519(k))
        } else if oid == oid::RSA {
            let k = rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(|e| bad(&e))?;
            Self::from_rsa(k)
        } else {
            Err(unsupported())
        }
    }

    /// Wraps an RSA key, refusing sizes certlab does not issue with.
    pub(crate) fn from_rsa(k: rsa::RsaPrivateKey) -> Result<Self, Error> {
        use rsa::traits::PublicKeyParts;
        let bits = k.size() * 8;
        let alg = match bits {
            2048 => KeyAlgorithm::Rsa2048,
            3072 => KeyAlgorithm::Rsa3072,
            4096 => KeyAlgorithm::Rsa4096,
            b if b < 2048 => {
                return Err(Error::field(
                    "key",
                    ErrorKind::WeakKey,
                    format!(
                        "the RSA key has {b} bits; Apple, Chrome and OpenSSL's default security level reject RSA below 2048 bits"
                    ),
                    "make a 2048-, 3072- or 4096-bit RSA key, or an ECDSA P-256 key",
                ));
            }
            b => {
                return Err(Error::field(
                    "key",
                    ErrorKind::UnsupportedAlgorithm,
                    format!(
                        "the RSA key has {b} bits; certlab signs with 2048, 3072 or 4096-bit keys"
                    ),
                    "make a 2048-, 3072- or 4096-bit RSA key",
                ));
            }
        };
        Self::from_signer(
            alg,
            Signer_::Rsa(Box::new(rsa::pkcs1v15::SigningKey::new(k))),
        )
    }

    /// A 1024-bit RSA key, for the gallery's "weak key" lesson only: [`KeyPair::from_rsa`]
    /// refuses it everywhere else. It signs with SHA-256 like the 2048-bit keys (the label
    /// `Rsa2048` only picks that signature algorithm).
    pub(crate) fn weak_rsa_1024() -> Result<Self, Error> {
        let mut rng = Csprng::new();
        let k = rsa::RsaPrivateKey::new(&mut rng, 1024)
            .map_err(|e| internal("RSA key generation failed", e))?;
        rng.check()?;
        Self::from_signer(
            KeyAlgorithm::Rsa2048,
            Signer_::Rsa(Box::new(rsa::pkcs1v15::SigningKey::new(k))),
        )
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.alg
    }

    /// PKCS#8 DER of the private key (unencrypted; Ed25519 as RFC 8410 v1).
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// DER SubjectPublicKeyInfo of the public key.
    pub fn spki_der(&self) -> Vec<u8> {
        rcgen::PublicKeyData::subject_public_key_info(self)
    }

    /// SHA-256 of the SubjectPublicKeyInfo truncated to 20 bytes: the key identifier used
    /// in SKI / AKI (RFC 7093 §2 method 1 style).
    pub fn key_id(&self) -> Vec<u8> {
        key_id_of_spki(&self.spki_der())
    }

    /// Encodes the public key as PEM (`PUBLIC KEY`).
    pub fn public_key_pem(&self) -> Result<String, Error> {
        match &self.signer {
            Signer_::P256(k) => k.verifying_key().to_public_key_pem(Default::default()),
            Signer_::P384(k) => k.verifying_key().to_public_key_pem(Default::default()),
            _ => Ok(pem::encode(&pem::Pem::new("PUBLIC KEY", self.spki_der()))),
        }
        .map_err(|e| internal("public key encoding", e))
    }
}

/// Key identifier of a SubjectPublicKeyInfo: SHA-256, first 20 bytes.
pub(crate) fn key_id_of_spki(spki_der: &[u8]) -> Vec<u8> {
    Sha256::digest(spki_der)[..20].to_vec()
}

impl rcgen::PublicKeyData for KeyPair {
    fn der_bytes(&self) -> &[u8] {
        &self.public_key
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        self.alg.rcgen_alg()
    }
}

impl rcgen::SigningKey for KeyPair {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let fail = |_| rcgen::Error::RemoteKeyError;
        Ok(match &self.signer {
            Signer_::P256(k) => {
                let sig: p256::ecdsa::Signature = k.try_sign(msg).map_err(fail)?;
                sig.to_der().to_bytes().to_vec()
            }
            Signer_::P384(k) => {
                let sig: p384::ecdsa::Signature = k.try_sign(msg).map_err(fail)?;
                sig.to_der().to_bytes().to_vec()
            }
            Signer_::Ed25519(k) => k.try_sign(msg).map_err(fail)?.to_bytes().to_vec(),
            Signer_::Rsa(k) => k.try_sign(msg).map_err(fail)?.to_vec(),
        })
    }
}

/// A public key known only from a SubjectPublicKeyInfo (e.g. from a CSR), in the form rcgen
/// needs to certify it.
#[derive(Debug, Clone)]
pub struct PublicKey {
    alg: KeyAlgorithm,
    bits: Vec<u8>,
}

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo; refuses key types certlab does not certify.
    pub fn from_spki_der(spki: &[u8]) -> Result<Self, Error> {
        let bad = |p: String| {
            Error::field(
                "public key",
                ErrorKind::UnsupportedAlgorithm,
                p,
                "use an ECDSA P-256/P-384, Ed25519 or RSA 2048–4096 key",
            )
        };
        let info = spki::SubjectPublicKeyInfoRef::try_from(spki).map_err(|e| {
            Error::field(
                "public key",
                ErrorKind::BadDer,
                format!("the public key does not parse ({e})"),
                "regenerate the request",
            )
        })?;
        let bits = info.subject_public_key.raw_bytes().to_vec();
        let oid = info.algorithm.oid;
        let alg = if oid == oid::EC_PUBLIC_KEY {
            let curve = info
                .algorithm
                .parameters_oid()
                .map_err(|_| bad("an EC key without a named curve".into()))?;
            if curve == oid::P256 {
                p256::ecdsa::VerifyingKey::from_sec1_bytes(&bits)
                    .map_err(|_| bad("an invalid P-256 point".into()))?;
                KeyAlgorithm::EcdsaP256
            } else if curve == oid::P384 {
                p384::ecdsa::VerifyingKey::from_sec1_bytes(&bits)
                    .map_err(|_| bad("an invalid P-384 point".into()))?;
                KeyAlgorithm::EcdsaP384
            } else {
                return Err(bad(format!(
                    "an EC key on curve {}, which certlab does not certify",
                    oid::unsupported_name(curve)
                )));
            }
        } else if oid == oid::ED25519 {
            KeyAlgorithm::Ed25519
        } else if oid == oid::RSA {
            use pkcs1::DecodeRsaPublicKey;
            use rsa::traits::PublicKeyParts;
            let k = rsa::RsaPublicKey::from_pkcs1_der(&bits)
                .map_err(|e| bad(format!("an unreadable RSA key ({e})")))?;
            match k.size() * 8 {
                2048 => KeyAlgorithm::Rsa2048,
                3072 => KeyAlgorithm::Rsa3072,
                4096 => KeyAlgorithm::Rsa4096,
                b if b < 2048 => {
                    return Err(Error::field(
                        "public key",
                        ErrorKind::WeakKey,
                        format!("the RSA key has {b} bits; clients reject RSA below 2048 bits"),
                        "make the request with a 2048-bit or larger RSA key, or ECDSA P-256",
                    ));
                }
                b => return Err(bad(format!("an RSA key of {b} bits"))),
            }
        } else {
            return Err(bad(format!(
                "a {} key, which certlab does not certify",
                oid::unsupported_name(oid)
            )));
        };
        Ok(PublicKey { alg, bits })
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.alg
    }
}

impl rcgen::PublicKeyData for PublicKey {
    fn der_bytes(&self) -> &[u8] {
        &self.bits
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        self.alg.rcgen_alg()
    }
}
