//! PKCS#12 (.p12/.pfx) files from outside: both of certlab's flavours, OpenSSL's defaults
//! (AES, or `-legacy` RC2/3DES), and what XCA, Windows and KeyStore Explorer export. The one
//! place a .p12 is opened: `inspect` shows what it holds, `import_ca` takes a CA from it.

use crate::error::{Error, ErrorKind};

/// What a .p12 holds, as DER.
#[derive(Debug, Default)]
pub(crate) struct P12Contents {
    /// Each private key (PKCS#8) with the certificates stored with it, its own first.
    pub(crate) keys: Vec<(Vec<u8>, Vec<Vec<u8>>)>,
    /// Certificates stored without a key.
    pub(crate) certs: Vec<Vec<u8>>,
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
pub(crate) fn read_p12(
    bytes: &[u8],
    password: &str,
    field: &str,
    password_field: &str,
) -> Result<P12Contents, Error> {
    if <pkcs12::pfx::Pfx as der::Decode>::from_der(bytes).is_err() {
        return Err(Error::field(
            field,
            ErrorKind::BadDer,
            "the .p12 file is truncated or damaged (its structure does not parse)",
            "copy or export the .p12 again",
        ));
    }
    let store = p12_keystore::KeyStore::from_pkcs12(
        bytes,
        password,
        p12_keystore::Pkcs12ImportPolicy::Relaxed,
    )
    .map_err(|_| {
        Error::field(
            password_field,
            ErrorKind::WrongPassword,
            "the .p12 password is wrong (or the file is encrypted in a way certlab does not read)",
            "give the password the .p12 was exported with",
        )
    })?;
    let mut out = P12Contents::default();
    for (_, entry) in store.entries() {
        match entry {
            p12_keystore::KeyStoreEntry::PrivateKeyChain(ch) => out.keys.push((
                ch.key().as_der().to_vec(),
                ch.certs().iter().map(|c| c.as_der().to_vec()).collect(),
            )),
            p12_keystore::KeyStoreEntry::Certificate(c) => out.certs.push(c.as_der().to_vec()),
            p12_keystore::KeyStoreEntry::Secret(_) => {}
        }
    }
    Ok(out)
}
