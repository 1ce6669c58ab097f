//! PKCS#12 (.p12/.pfx) files from outside: both of certlab's flavours, OpenSSL's defaults
//! (AES, or `-legacy` RC2/3DES), and what XCA, Windows, Java and KeyStore Explorer export. The
//! one place a .p12 is opened: `inspect` shows what it holds, `import_ca` takes a CA from it,
//! certlab-echo loads an identity from it.
//!
//! Read on the `pkcs12`/`cms`/`der` types the writer (`export/pkcs12.rs`) already uses, so the
//! page carries one PKCS#12 stack. What it reads (RFC 7292):
//! * the MAC: HMAC with SHA-1 or SHA-2 under the PKCS#12 KDF. It is checked first, so a wrong
//!   password is told as such before anything is decrypted;
//! * encrypted bags and shrouded keys: PBES2 (PBKDF2 or scrypt, AES-CBC or DES-EDE3-CBC), or the
//!   PKCS#12 PBEs with SHA-1 — 3-key and 2-key 3DES, 128- and 40-bit RC2 (OpenSSL's `-legacy`,
//!   Windows before 10 1709);
//! * key bags, shrouded key bags, certificate bags (X.509) and nested SafeContents; CRL, secret
//!   and SDSI certificate bags are passed over.
//!
//! Every key-derivation cost is checked against [`super::pbe`]'s limits before it is paid.

use super::pbe;
use crate::error::{Error, ErrorKind};
use crate::oid;
use cbc::cipher::{BlockCipherDecrypt, BlockModeDecrypt, KeyInit, KeyIvInit, block_padding::Pkcs7};
use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use der::asn1::ObjectIdentifier;
use der::{Any, AnyRef, Decode, Encode, Tag, Tagged};
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pkcs12PbeParams};
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::{SafeBag, SafeContents};
use pkcs12::{CertBag, MacData, kdf};
use spki::AlgorithmIdentifierOwned;

/// What a .p12 holds, as DER.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct P12Contents {
    /// Each private key (PKCS#8) with the certificates that go with it: its own first (the one
    /// with the key's localKeyId), then its issuers found in the file, leaf to root.
    pub keys: Vec<(Vec<u8>, Vec<Vec<u8>>)>,
    /// The certificates that go with no key, in file order.
    pub certs: Vec<Vec<u8>>,
}

/// A PFX is a DER SEQUENCE starting with INTEGER 3 (version).
pub(crate) fn looks_like_pkcs12(b: &[u8]) -> bool {
    if b.len() < 8 || b[0] != 0x30 {
        return false;
    }
    let skip = match b[1] {
        l if l < 0x80 => 2,
        0x81 => 3,
        0x82 => 4,
        0x83 => 5,
        _ => return false,
    };
    b.get(skip..skip + 3) == Some(&[0x02, 0x01, 0x03])
}

/// Opens a .p12 with `password`. A cut or damaged file is said to be so (not a wrong
/// password); errors about the file name `field`, about the password `password_field`.
pub fn read_p12(
    bytes: &[u8],
    password: &str,
    field: &str,
    password_field: &str,
) -> Result<P12Contents, Error> {
    let r = Reader {
        password,
        field,
        password_field,
    };
    let pfx = Pfx::from_der(bytes).map_err(|_| r.damaged("its structure"))?;
    if pfx.auth_safe.content_type != oid::DATA {
        return Err(r.unsupported(&format!(
            "public-key integrity (content type {})",
            pfx.auth_safe.content_type
        )));
    }
    let auth_safe = octets(&pfx.auth_safe.content).ok_or_else(|| r.damaged("its content"))?;
    if let Some(mac) = &pfx.mac_data {
        r.check_mac(mac, auth_safe)?;
    }
    let safes = Vec::<ContentInfo>::from_der(auth_safe).map_err(|_| r.damaged("its content"))?;
    let mut bags = Bags::default();
    for safe in &safes {
        let contents = r.safe_contents(safe, pfx.mac_data.is_some())?;
        r.bags(&contents, &mut bags, 0)?;
    }
    Ok(bags.pair())
}

/// The bytes of an OCTET STRING held in an `Any`.
fn octets(any: &Any) -> Option<&[u8]> {
    (any.tag() == Tag::OctetString).then(|| any.value())
}

/// The value inside a bag's `[0] EXPLICIT` wrapper.
fn explicit_0(tlv: &[u8]) -> Option<&[u8]> {
    let any = AnyRef::from_der(tlv).ok()?;
    matches!(any.tag(), Tag::ContextSpecific { number, constructed: true } if number.value() == 0)
        .then(|| any.value())
}

/// The keys and certificates found, each with its localKeyId.
#[derive(Default)]
struct Bags {
    keys: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    certs: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

impl Bags {
    /// Gives each key the certificate with its localKeyId and that certificate's issuers found
    /// in the file (matched by name, leaf to root); the rest go with no key.
    fn pair(self) -> P12Contents {
        let names: Vec<Option<(Vec<u8>, Vec<u8>)>> = self
            .certs
            .iter()
            .map(|(der, _)| subject_issuer(der))
            .collect();
        let mut used = vec![false; self.certs.len()];
        let mut keys = Vec::with_capacity(self.keys.len());
        for (key, id) in self.keys {
            let own = id.as_ref().and_then(|id| {
                (0..self.certs.len()).find(|&i| !used[i] && self.certs[i].1.as_ref() == Some(id))
            });
            let mut chain = Vec::new();
            let mut at = own;
            while let Some(i) = at {
                used[i] = true;
                chain.push(self.certs[i].0.clone());
                at = match &names[i] {
                    Some((subject, issuer)) if subject != issuer => (0..self.certs.len())
                        .find(|&j| !used[j] && names[j].as_ref().is_some_and(|n| &n.0 == issuer)),
                    _ => None,
                };
            }
            keys.push((key, chain));
        }
        let certs = self
            .certs
            .into_iter()
            .zip(used)
            .filter_map(|((der, _), used)| (!used).then_some(der))
            .collect();
        P12Contents { keys, certs }
    }
}

/// A certificate's subject and issuer names as DER, to match issuers.
fn subject_issuer(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let c = super::parse_x509(der, "certificate").ok()?;
    Some((c.subject().as_raw().to_vec(), c.issuer().as_raw().to_vec()))
}

/// One .p12 being read: the password and the fields errors name.
struct Reader<'a> {
    password: &'a str,
    field: &'a str,
    password_field: &'a str,
}

/// Nested SafeContents deeper than this are refused (real files nest none).
const MAX_DEPTH: usize = 4;

impl Reader<'_> {
    fn damaged(&self, what: &str) -> Error {
        Error::field(
            self.field,
            ErrorKind::BadDer,
            format!("the .p12 file is truncated or damaged ({what} does not parse)"),
            "copy or export the .p12 again",
        )
    }

    fn wrong_password(&self) -> Error {
        Error::field(
            self.password_field,
            ErrorKind::WrongPassword,
            "the .p12 password is wrong",
            "give the password the .p12 was exported with (it is case-sensitive)",
        )
    }

    fn unsupported(&self, what: &str) -> Error {
        Error::field(
            self.field,
            ErrorKind::UnsupportedAlgorithm,
            format!("the .p12 uses {what}, which certlab does not read"),
            "export it again with OpenSSL 3's defaults (AES-256) or PBE-SHA1-3DES: `openssl pkcs12 -in old.p12 -nodes | openssl pkcs12 -export -out new.p12`",
        )
    }

    const FIX_COST: &'static str = "export the .p12 again with usual settings (`openssl pkcs12 -export` writes 2,048 iterations)";

    /// Checks the MAC over the authenticated safe, which tells a wrong password from a good one.
    fn check_mac(&self, mac: &MacData, data: &[u8]) -> Result<(), Error> {
        pbe::check_iterations(i64::from(mac.iterations), "MAC", self.field, Self::FIX_COST)?;
        let (salt, want, n) = (
            mac.mac_salt.as_bytes(),
            mac.mac.digest.as_bytes(),
            mac.iterations,
        );
        let algorithm = mac.mac.algorithm.oid;
        let ok = match algorithm {
            a if a == oid::SHA1 => mac_ok::<sha1::Sha1>(self.password, salt, n, data, want),
            a if a == oid::SHA224 => mac_ok::<sha2::Sha224>(self.password, salt, n, data, want),
            a if a == oid::SHA256 => mac_ok::<sha2::Sha256>(self.password, salt, n, data, want),
            a if a == oid::SHA384 => mac_ok::<sha2::Sha384>(self.password, salt, n, data, want),
            a if a == oid::SHA512 => mac_ok::<sha2::Sha512>(self.password, salt, n, data, want),
            a if a == oid::PBMAC1 => {
                return Err(self.unsupported("a PBMAC1 MAC (OpenSSL 3.4's -pbmac1_pbkdf2)"));
            }
            a => return Err(self.unsupported(&format!("a MAC with digest {a}"))),
        };
        if ok {
            Ok(())
        } else {
            Err(self.wrong_password())
        }
    }

    /// The SafeContents of one part of the authenticated safe, decrypted if need be. Without a
    /// MAC, contents that do not parse once decrypted mean a wrong password.
    fn safe_contents(&self, safe: &ContentInfo, has_mac: bool) -> Result<SafeContents, Error> {
        let plain = match safe.content_type {
            t if t == oid::DATA => octets(&safe.content)
                .ok_or_else(|| self.damaged("a part of it"))?
                .to_vec(),
            t if t == oid::ENCRYPTED_DATA => {
                let enc = EncryptedData::from_der(&safe.content.to_der().unwrap_or_default())
                    .map_err(|_| self.damaged("an encrypted part"))?;
                let Some(data) = &enc.enc_content_info.encrypted_content else {
                    return Ok(SafeContents::new());
                };
                self.decrypt(&enc.enc_content_info.content_enc_alg, data.as_bytes())?
            }
            t => return Err(self.unsupported(&format!("a part of content type {t}"))),
        };
        SafeContents::from_der(&plain).map_err(|_| {
            if has_mac || safe.content_type == oid::DATA {
                self.damaged("a part of it")
            } else {
                self.wrong_password()
            }
        })
    }

    /// Walks `contents`, collecting keys and certificates into `out`.
    fn bags(&self, contents: &[SafeBag], out: &mut Bags, depth: usize) -> Result<(), Error> {
        for bag in contents {
            let value = explicit_0(&bag.bag_value).ok_or_else(|| self.damaged("a bag"))?;
            let id = local_key_id(bag);
            match bag.bag_id {
                b if b == oid::KEY_BAG => out.keys.push((value.to_vec(), id)),
                b if b == oid::SHROUDED_KEY_BAG => {
                    let enc = EncryptedPrivateKeyInfo::from_der(value)
                        .map_err(|_| self.damaged("a key bag"))?;
                    let key =
                        self.decrypt(&enc.encryption_algorithm, enc.encrypted_data.as_bytes())?;
                    // A wrong password without a MAC can still unpad by chance.
                    if AnyRef::from_der(&key).is_err() {
                        return Err(self.wrong_password());
                    }
                    out.keys.push((key, id));
                }
                b if b == oid::CERT_BAG => {
                    let cert =
                        CertBag::from_der(value).map_err(|_| self.damaged("a certificate bag"))?;
                    if cert.cert_id == oid::X509_CERT {
                        out.certs.push((cert.cert_value.as_bytes().to_vec(), id));
                    }
                }
                b if b == oid::SAFE_CONTENTS_BAG => {
                    if depth >= MAX_DEPTH {
                        return Err(self.damaged("its nesting"));
                    }
                    let inner =
                        SafeContents::from_der(value).map_err(|_| self.damaged("a nested bag"))?;
                    self.bags(&inner, out, depth + 1)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Decrypts a bag or a part encrypted under `alg` with the password.
    fn decrypt(&self, alg: &AlgorithmIdentifierOwned, data: &[u8]) -> Result<Vec<u8>, Error> {
        let params = alg
            .parameters
            .as_ref()
            .and_then(|p| p.to_der().ok())
            .unwrap_or_default();
        if alg.oid == pkcs5::pbes2::PBES2_OID {
            let p = pkcs5::pbes2::Parameters::from_der(&params)
                .map_err(|_| self.unsupported("PBES2 with a cipher or KDF it does not know"))?;
            pbe::check_pbes2(&p, self.field, Self::FIX_COST)?;
            return p
                .decrypt(self.password.as_bytes(), data)
                .map_err(|_| self.wrong_password());
        }
        // The cipher, its name and its key length in bytes.
        let (cipher, name, key_len) = match alg.oid {
            o if o == oid::PBE_SHA1_3DES => (Pbe::Tdes3, "3DES", 24),
            o if o == oid::PBE_SHA1_2DES => (Pbe::Tdes2, "2-key 3DES", 16),
            o if o == oid::PBE_SHA1_RC2_128 => (Pbe::Rc2, "RC2-128", 16),
            o if o == oid::PBE_SHA1_RC2_40 => (Pbe::Rc2, "RC2-40", 5),
            o => return Err(self.unsupported(&scheme_name(o))),
        };
        let p = Pkcs12PbeParams::from_der(&params)
            .map_err(|_| self.damaged(&format!("the {name} parameters")))?;
        pbe::check_iterations(
            i64::from(p.iterations),
            "PKCS#12 KDF",
            self.field,
            Self::FIX_COST,
        )?;
        let derive = |id, len| {
            kdf::derive_key_utf8::<sha1::Sha1>(
                self.password,
                p.salt.as_bytes(),
                id,
                p.iterations,
                len,
            )
            .map_err(|_| self.wrong_password())
        };
        let key = derive(kdf::Pkcs12KeyType::EncryptionKey, key_len)?;
        let iv = derive(kdf::Pkcs12KeyType::Iv, 8)?;
        let plain = match cipher {
            Pbe::Tdes3 => cbc_decrypt::<des::TdesEde3>(&key, &iv, data),
            Pbe::Tdes2 => cbc_decrypt::<des::TdesEde2>(&key, &iv, data),
            // RC2's effective key length is the key's (40 or 128 bits).
            Pbe::Rc2 => cbc_decrypt::<rc2::Rc2>(&key, &iv, data),
        };
        plain.ok_or_else(|| self.wrong_password())
    }
}

/// The ciphers of the PKCS#12 password-based encryptions (RFC 7292 appendix C).
enum Pbe {
    Tdes3,
    Tdes2,
    Rc2,
}

/// A PKCS#12 encryption scheme certlab does not read, named.
fn scheme_name(o: ObjectIdentifier) -> String {
    if o == oid::PBE_SHA1_RC4_128 || o == oid::PBE_SHA1_RC4_40 {
        "RC4 encryption".into()
    } else {
        format!("encryption {o}")
    }
}

/// CBC with PKCS#7 padding under `C`; `None` when the key or the padding is wrong.
fn cbc_decrypt<C>(key: &[u8], iv: &[u8], data: &[u8]) -> Option<Vec<u8>>
where
    C: BlockCipherDecrypt + KeyInit,
    cbc::Decryptor<C>: KeyIvInit,
{
    cbc::Decryptor::<C>::new_from_slices(key, iv)
        .ok()?
        .decrypt_padded_vec::<Pkcs7>(data)
        .ok()
}

/// Whether the HMAC under `D` of `data`, keyed by the PKCS#12 KDF, is `want`.
fn mac_ok<D>(password: &str, salt: &[u8], iterations: i32, data: &[u8], want: &[u8]) -> bool
where
    D: digest::Digest
        + digest::FixedOutputReset
        + digest::block_api::BlockSizeUser
        + hmac::EagerHash,
    hmac::Hmac<D>: hmac::KeyInit + hmac::Mac,
{
    use hmac::{KeyInit, Mac};
    let len = <D as digest::Digest>::output_size();
    let Ok(key) =
        kdf::derive_key_utf8::<D>(password, salt, kdf::Pkcs12KeyType::Mac, iterations, len)
    else {
        return false;
    };
    let key: Vec<u8> = key;
    let Ok(mut mac) = <hmac::Hmac<D> as KeyInit>::new_from_slice(&key) else {
        return false;
    };
    mac.update(data);
    mac.verify_slice(want).is_ok()
}

/// The bag's localKeyId attribute, if it has one.
fn local_key_id(bag: &SafeBag) -> Option<Vec<u8>> {
    let attr = bag
        .bag_attributes
        .as_ref()?
        .iter()
        .find(|a| a.oid == oid::LOCAL_KEY_ID)?;
    let value = attr.values.iter().next()?;
    (value.tag() == Tag::OctetString).then(|| value.value().to_vec())
}

#[cfg(test)]
mod tests;
