//! Revoking an identity of the kit the page holds: its CA (certificate and key from the kit)
//! signs a new CRL with the engine's `certlab::revoke`, exactly as `certlab revoke` does. The
//! newest CRL of each CA is kept here, beside the kit's files, so a second revocation keeps the
//! first entry; the CA's card then downloads the newest one (the zip keeps the kit's first).

use crate::generator::KitView;
use certlab::{ManifestIdentity, Revocation, RevokeTarget};
use std::collections::BTreeMap;
use std::rc::Rc;

/// The CRLs signed in this page since the kit was made, and what each revocation said.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Crls {
    /// The newest CRL (PEM) by its path in the kit (`ca.crl`).
    pub latest: BTreeMap<String, Rc<Vec<u8>>>,
    /// By identity name: the sentence shown on its card after Revoke.
    pub said: BTreeMap<String, String>,
}

impl Crls {
    /// The newest bytes of the CRL at `path`: signed here, else the kit's own.
    pub fn bytes<'a>(&'a self, kit: &'a KitView, path: &str) -> Option<&'a [u8]> {
        self.latest
            .get(path)
            .map(|b| b.as_slice())
            .or_else(|| kit.file(path))
    }
}

/// Whether `id` can be revoked here: a leaf whose issuer is in the kit with its CRL and key.
pub fn revocable<'a>(kit: &'a KitView, id: &ManifestIdentity) -> Option<&'a ManifestIdentity> {
    if id.role.is_ca() {
        return None;
    }
    let ca = kit.manifest.by_name(&id.issuer)?;
    (ca.files.crl.is_some() && ca.files.key.is_some()).then_some(ca)
}

/// Revokes `id` with its CA: the updated CRLs, or a sentence saying why not.
pub fn revoke(kit: &KitView, crls: &Crls, id: &ManifestIdentity) -> Result<Crls, String> {
    let ca = revocable(kit, id).ok_or("its CA's key or CRL is not in this kit")?;
    if ca.key_encrypted {
        return Err(format!(
            "{}'s key is encrypted: revoke with the CLI instead (README.txt, REVOKE)",
            ca.name
        ));
    }
    let (crl_path, key_path) = match (&ca.files.crl, &ca.files.key) {
        (Some(c), Some(k)) => (c.clone(), k),
        _ => return Err("its CA's key or CRL is not in this kit".into()),
    };
    let file = |p: &str| {
        kit.file(p)
            .ok_or_else(|| format!("{p} is missing from the kit"))
    };
    let now = certlab::now_utc();
    let imported = certlab::import_ca(file(&ca.files.cert)?, file(key_path)?, None, now)
        .map_err(|e| e.to_string())?;
    let leaf = file(&id.files.cert)?;
    let current = crls.bytes(kit, &crl_path);
    let done = certlab::revoke(&imported, current, RevokeTarget::Cert(leaf), None, now)
        .map_err(|e| e.to_string())?;
    let mut next = crls.clone();
    let said = match done {
        Revocation::Revoked { crl, serial } => {
            next.latest
                .insert(crl_path.clone(), Rc::new(crl.pem().into_bytes()));
            format!(
                "Revoked: serial {serial} is in {crl_path} (CRL number {}, {} revoked). Download it and give it to the servers that check {}'s clients.",
                crl.number_text(),
                crl.revoked.len(),
                ca.name
            )
        }
        Revocation::AlreadyRevoked(r) => format!("Serial {} is already in {crl_path}.", r.serial),
    };
    next.said.insert(id.name.clone(), said);
    Ok(next)
}
