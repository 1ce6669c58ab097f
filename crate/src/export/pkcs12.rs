//! PKCS#12 (.p12) files in two flavours, because no single encryption is read everywhere:
//!
//! * **compatible** — PBE-SHA1-3DES on both the key and the certificate bags, HMAC-SHA1 MAC.
//!   What macOS Keychain, iOS, Android and Windows before 10 1709 import. Not RC2-40, which
//!   OpenSSL 3 reads only with `-legacy` and Android not at all.
//! * **modern** — PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) and an HMAC-SHA256 MAC: OpenSSL 3's
//!   default, Windows 10 1709+, NSS; rejected by macOS 12–13, iOS 17 and Android 12–13.
//!
//! The structures (RFC 7292) are built with the `pkcs12`, `cms` and `der` types, laid out as
//! OpenSSL writes them: an encrypted SafeContents of certificate bags (leaf first, with the
//! key's localKeyId), a plain SafeContents holding one shrouded key bag, and a MAC.
//!
//! **Derivations: once per kit for the modern flavour, per file for the compatible one.**
//! Password-based key derivation (2048 iterations of PBKDF2 or of the PKCS#12 KDF) is most of
//! the time of a kit of device certificates. Every file of a kit is locked by the same
//! password, so a per-file salt buys nothing against someone guessing it (a guess tested on one
//! file opens all of them either way); a random salt per kit already defeats precomputed
//! tables. What a shared salt must never do is repeat a (key, IV) pair:
//! * PBES2 (modern) draws a fresh random IV for every encryption, so a [`P12Writer`] derives
//!   its AES key once per kit and every file is still encrypted under its own (key, IV).
//! * PBE-SHA1-3DES (compatible) derives the IV from the password and the salt, like the key.
//!   With one salt per kit that is deterministic CBC: two files' key bags would share their
//!   ciphertext up to the first differing plaintext block, and for P-256 that block holds
//!   secret scalar bytes, so equal blocks would reveal shared secret bits. So each compatible
//!   file draws its own salt and derives its own (key, IV), shared only by that file's two
//!   bags, whose plaintexts differ from the first block on (a SafeContents `30 82 …` of
//!   certificate bags against a PKCS#8 `30 8x … 02 01 00`), so CBC shows nothing common
//!   between them. One derivation per file instead of OpenSSL's one per bag halves the cost:
//!   measured on the 1,000-device kit in BENCHMARKS.md.
//!
//! The MAC key is derived once per kit and flavour: HMAC under one key over different
//! contents reveals nothing.

use crate::error::Error;
use crate::oid;
use cbc::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use cms::cert::x509::attr::{Attribute, AttributeValue, Attributes};
use cms::cert::x509::spki::AlgorithmIdentifierOwned;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::encrypted_data::EncryptedData;
use cms::enveloped_data::EncryptedContentInfo;
use der::asn1::{BmpString, ObjectIdentifier, OctetString, OctetStringRef, SetOfVec};
use der::{Any, Decode, Encode};
use hmac::{KeyInit, Mac};
use pkcs12::pbe_params::EncryptedPrivateKeyInfo;
use pkcs12::pfx::{Pfx, Version};
use pkcs12::safe_bag::SafeBag;
use pkcs12::{CertBag, DigestInfo, MacData, kdf};
use sha1::Sha1;
use sha2::Sha256;
use std::collections::BTreeMap;

/// Which of the two encodings to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavour {
    /// 3DES + SHA-1 MAC, for Apple, Android and old Windows.
    Compatible,
    /// AES-256 + PBKDF2-SHA256 + SHA-256 MAC.
    Modern,
}

/// Iterations of the password KDF and the MAC. 2048 is what OpenSSL and macOS write; the
/// password protects a file in transit, not a long-term secret store.
const ITERATIONS: u32 = 2048;

/// A 3DES key and IV made from the password and a fresh salt, with what goes into the file to
/// remake them (one per compatible file: see the module documentation).
struct Pbe3Des {
    /// `pkcs-12PbeParams` (salt, iterations), DER.
    params: Vec<u8>,
    key: [u8; 24],
    iv: [u8; 8],
}

impl Pbe3Des {
    fn derive(password: &str) -> Result<Self, Error> {
        let salt = crate::rng::bytes::<20>()?;
        let derive = |id, len| {
            kdf::derive_key_utf8::<Sha1>(password, &salt, id, ITERATIONS as i32, len)
                .map_err(|e| der_fail(&e))
        };
        let (k, v) = (
            derive(kdf::Pkcs12KeyType::EncryptionKey, 24)?,
            derive(kdf::Pkcs12KeyType::Iv, 8)?,
        );
        let (mut key, mut iv) = ([0u8; 24], [0u8; 8]);
        key.copy_from_slice(&k);
        iv.copy_from_slice(&v);
        let params = pkcs12::pbe_params::Pkcs12PbeParams {
            salt: OctetString::new(salt.to_vec()).map_err(|e| der_fail(&e))?,
            iterations: ITERATIONS as i32,
        }
        .to_der()
        .map_err(|e| der_fail(&e))?;
        Ok(Pbe3Des { params, key, iv })
    }

    fn encrypt(&self, data: &[u8]) -> Result<(AlgorithmIdentifierOwned, Vec<u8>), Error> {
        let cipher = cbc::Encryptor::<des::TdesEde3>::new_from_slices(&self.key, &self.iv)
            .map_err(|_| Error::Internal("3DES key of the wrong length".into()))?;
        Ok((
            algorithm(oid::PBE_SHA1_3DES, &self.params)?,
            cipher.encrypt_padded_vec::<Pkcs7>(data),
        ))
    }
}

/// PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC: the key made once, a fresh IV each time.
struct Pbes2 {
    salt: [u8; 32],
    key: [u8; 32],
}

impl Pbes2 {
    fn derive(password: &str) -> Result<Self, Error> {
        let salt = crate::rng::bytes::<32>()?;
        let mut key = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), &salt, ITERATIONS, &mut key);
        Ok(Pbes2 { salt, key })
    }

    fn encrypt(&self, data: &[u8]) -> Result<(AlgorithmIdentifierOwned, Vec<u8>), Error> {
        let iv = crate::rng::bytes::<16>()?;
        let params =
            pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(ITERATIONS, &self.salt, iv)
                .map_err(|e| Error::Internal(format!("PBES2 parameters: {e}")))?
                .to_der()
                .map_err(|e| der_fail(&e))?;
        let cipher = cbc::Encryptor::<aes::Aes256>::new_from_slices(&self.key, &iv)
            .map_err(|_| Error::Internal("AES key of the wrong length".into()))?;
        Ok((
            algorithm(pkcs5::pbes2::PBES2_OID, &params)?,
            cipher.encrypt_padded_vec::<Pkcs7>(data),
        ))
    }
}

/// How one flavour encrypts and authenticates.
enum Protection {
    /// The bags' keys are derived per file (see the module documentation), so only the
    /// password is kept.
    Compatible {
        password: String,
        mac_salt: [u8; 8],
        mac_key: Vec<u8>,
    },
    Modern {
        pbes2: Pbes2,
        mac_salt: [u8; 8],
        mac_key: Vec<u8>,
    },
}

/// Writes the .p12 files of one kit in one flavour, deriving what may be shared once (see the
/// module documentation for what may be).
pub(crate) struct P12Writer {
    protection: Protection,
    /// friendlyNames of the issuers already seen: every .p12 of a kit carries the same chain,
    /// and a 1,000-device kit would otherwise parse its root 1,000 times per flavour.
    issuer_names: BTreeMap<Vec<u8>, Option<String>>,
}

impl P12Writer {
    /// Draws the kit-wide salts and derives the kit-wide keys for `password` (call once per
    /// kit).
    pub(crate) fn new(password: &str, flavour: Flavour) -> Result<Self, Error> {
        let mac_salt = crate::rng::bytes::<8>()?;
        let protection = match flavour {
            Flavour::Compatible => Protection::Compatible {
                password: password.to_string(),
                mac_key: mac_key::<Sha1>(password, &mac_salt, 20)?,
                mac_salt,
            },
            Flavour::Modern => Protection::Modern {
                pbes2: Pbes2::derive(password)?,
                mac_key: mac_key::<Sha256>(password, &mac_salt, 32)?,
                mac_salt,
            },
        };
        Ok(P12Writer {
            protection,
            issuer_names: BTreeMap::new(),
        })
    }

    /// The encryption of one file's bags: its own salt, key and IV (compatible), or none
    /// (modern: the kit's key, a fresh IV per bag).
    fn file_pbe(&self) -> Result<Option<Pbe3Des>, Error> {
        match &self.protection {
            Protection::Compatible { password, .. } => Pbe3Des::derive(password).map(Some),
            Protection::Modern { .. } => Ok(None),
        }
    }

    /// Encrypts one bag of a file with that file's [`Self::file_pbe`], so no two files of a
    /// kit share a (key, IV) pair.
    fn encrypt(
        &self,
        file: Option<&Pbe3Des>,
        data: &[u8],
    ) -> Result<(AlgorithmIdentifierOwned, Vec<u8>), Error> {
        match (&self.protection, file) {
            (Protection::Modern { pbes2, .. }, _) => pbes2.encrypt(data),
            (Protection::Compatible { .. }, Some(pbe)) => pbe.encrypt(data),
            (Protection::Compatible { .. }, None) => {
                Err(Error::Internal("3DES bag without its file's key".into()))
            }
        }
    }

    fn mac(&self, data: &[u8]) -> Result<MacData, Error> {
        let (oid, salt, digest) = match &self.protection {
            Protection::Compatible {
                mac_salt, mac_key, ..
            } => (oid::SHA1, mac_salt, hmac::<Sha1>(mac_key, data)?),
            Protection::Modern {
                mac_salt, mac_key, ..
            } => (oid::SHA256, mac_salt, hmac::<Sha256>(mac_key, data)?),
        };
        Ok(MacData {
            mac: DigestInfo {
                algorithm: AlgorithmIdentifierOwned {
                    oid,
                    parameters: None,
                },
                digest: OctetString::new(digest).map_err(|e| der_fail(&e))?,
            },
            mac_salt: OctetString::new(salt.to_vec()).map_err(|e| der_fail(&e))?,
            iterations: ITERATIONS as i32,
        })
    }

    /// Writes a .p12 holding the key, its certificate and the issuers (`chain`, leaf's issuer
    /// first, root last), with `friendly_name` as the key's alias.
    pub(crate) fn write(
        &mut self,
        friendly_name: &str,
        key_pkcs8_der: &[u8],
        cert_der: &[u8],
        chain: &[Vec<u8>],
    ) -> Result<Vec<u8>, Error> {
        let local_key_id = crate::rng::bytes::<20>()?;
        let file = self.file_pbe()?;
        let mut cert_bags = Vec::with_capacity(1 + chain.len());
        for (i, der) in std::iter::once(cert_der)
            .chain(chain.iter().map(Vec::as_slice))
            .enumerate()
        {
            let name = if i == 0 {
                subject_name(der)
            } else {
                match self.issuer_names.get(der) {
                    Some(name) => name.clone(),
                    None => {
                        let name = subject_name(der);
                        self.issuer_names.insert(der.to_vec(), name.clone());
                        name
                    }
                }
            };
            let id = (i == 0).then_some(&local_key_id[..]);
            cert_bags.push(cert_bag(der, name.as_deref(), id)?);
        }
        let certs_plain = cert_bags.to_der().map_err(|e| der_fail(&e))?;
        let (alg, encrypted) = self.encrypt(file.as_ref(), &certs_plain)?;
        let certs_safe = ContentInfo {
            content_type: oid::ENCRYPTED_DATA,
            content: any(&EncryptedData {
                version: CmsVersion::V0,
                enc_content_info: EncryptedContentInfo {
                    content_type: oid::DATA,
                    content_enc_alg: alg,
                    encrypted_content: Some(OctetString::new(encrypted).map_err(|e| der_fail(&e))?),
                },
                unprotected_attrs: None,
            })?,
        };

        let (alg, encrypted) = self.encrypt(file.as_ref(), key_pkcs8_der)?;
        let shrouded = EncryptedPrivateKeyInfo {
            encryption_algorithm: alg,
            encrypted_data: OctetString::new(encrypted).map_err(|e| der_fail(&e))?,
        }
        .to_der()
        .map_err(|e| der_fail(&e))?;
        let key_bag = SafeBag {
            bag_id: oid::SHROUDED_KEY_BAG,
            bag_value: shrouded,
            bag_attributes: Some(attributes(Some(friendly_name), Some(&local_key_id))?),
        };
        let keys_safe = data_content(&vec![key_bag].to_der().map_err(|e| der_fail(&e))?)?;

        let auth_safe = data_content(
            &vec![certs_safe, keys_safe]
                .to_der()
                .map_err(|e| der_fail(&e))?,
        )?;
        let mac_data = self.mac(auth_safe.content.value())?;
        Pfx {
            version: Version::V3,
            auth_safe,
            mac_data: Some(mac_data),
        }
        .to_der()
        .map_err(|e| der_fail(&e))
    }
}

fn der_fail(e: &dyn std::fmt::Display) -> Error {
    Error::Internal(format!("PKCS#12 encoding failed: {e}"))
}

fn any<T: Encode>(value: &T) -> Result<Any, Error> {
    Any::from_der(&value.to_der().map_err(|e| der_fail(&e))?).map_err(|e| der_fail(&e))
}

fn algorithm(oid: ObjectIdentifier, params_der: &[u8]) -> Result<AlgorithmIdentifierOwned, Error> {
    Ok(AlgorithmIdentifierOwned {
        oid,
        parameters: Some(Any::from_der(params_der).map_err(|e| der_fail(&e))?),
    })
}

/// A `ContentInfo` of type `data` wrapping `bytes` in an OCTET STRING.
fn data_content(bytes: &[u8]) -> Result<ContentInfo, Error> {
    Ok(ContentInfo {
        content_type: oid::DATA,
        content: any(&OctetStringRef::new(bytes).map_err(|e| der_fail(&e))?)?,
    })
}

fn mac_key<D>(password: &str, salt: &[u8], len: usize) -> Result<Vec<u8>, Error>
where
    D: digest::Digest + digest::FixedOutputReset + digest::block_api::BlockSizeUser,
{
    kdf::derive_key_utf8::<D>(
        password,
        salt,
        kdf::Pkcs12KeyType::Mac,
        ITERATIONS as i32,
        len,
    )
    .map_err(|e| der_fail(&e))
}

fn hmac<D>(key: &[u8], data: &[u8]) -> Result<Vec<u8>, Error>
where
    D: hmac::EagerHash,
    hmac::Hmac<D>: KeyInit + Mac,
{
    let mut mac = <hmac::Hmac<D> as KeyInit>::new_from_slice(key)
        .map_err(|_| Error::Internal("MAC key of the wrong length".into()))?;
    mac.update(data);
    Ok(mac.finalize().into_bytes().to_vec())
}

/// friendlyName (BMPString) and localKeyId bag attributes.
fn attributes(
    friendly_name: Option<&str>,
    local_key_id: Option<&[u8]>,
) -> Result<Attributes, Error> {
    let mut attrs = Attributes::new();
    let mut add = |oid, value: AttributeValue| -> Result<(), Error> {
        let values = SetOfVec::<AttributeValue>::from_iter([value]).map_err(|e| der_fail(&e))?;
        attrs
            .insert(Attribute { oid, values })
            .map_err(|e| der_fail(&e))
    };
    if let Some(name) = friendly_name {
        add(
            oid::FRIENDLY_NAME,
            any(&BmpString::from_utf8(name).map_err(|e| der_fail(&e))?)?,
        )?;
    }
    if let Some(id) = local_key_id {
        add(
            oid::LOCAL_KEY_ID,
            any(&OctetStringRef::new(id).map_err(|e| der_fail(&e))?)?,
        )?;
    }
    Ok(attrs)
}

fn cert_bag(
    der: &[u8],
    friendly_name: Option<&str>,
    local_key_id: Option<&[u8]>,
) -> Result<SafeBag, Error> {
    let bag = CertBag {
        cert_id: oid::X509_CERT,
        cert_value: OctetString::new(der.to_vec()).map_err(|e| der_fail(&e))?,
    };
    Ok(SafeBag {
        bag_id: oid::CERT_BAG,
        bag_value: bag.to_der().map_err(|e| der_fail(&e))?,
        bag_attributes: Some(attributes(friendly_name, local_key_id)?),
    })
}

/// The certificate's subject as every view shows it (`decode::subject_line`), for the bag's
/// friendlyName (what keychains show). BMPString holds only the Basic Multilingual Plane: other
/// subjects go without a name.
fn subject_name(der: &[u8]) -> Option<String> {
    let s = crate::decode::subject_line(der);
    (!s.is_empty() && s.chars().all(|c| u32::from(c) <= 0xffff)).then_some(s)
}
