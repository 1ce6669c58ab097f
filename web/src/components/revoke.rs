//! Revoking an identity of the kit the page holds: its CA (certificate and key from the kit)
//! signs a new CRL with the engine's `certlab::revoke`, exactly as `certlab revoke` does (in
//! the tools worker: [`crate::jobs`]). The
//! newest CRL of each CA is kept here, beside the kit's files, so a second revocation keeps the
//! first entry; the CA's card then downloads the newest one (the zip keeps the kit's first).

use crate::generator::KitView;
use crate::protocol::{Job, JobOutcome};
use certlab::ManifestIdentity;
use std::collections::BTreeMap;
use std::rc::Rc;

/// The CRLs signed in this page since the kit was made, and what each revocation said.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Crls {
    /// The newest CRL (PEM) by its path in the kit (`ca.crl`).
    pub latest: BTreeMap<String, Rc<Vec<u8>>>,
    /// By identity name: the sentence shown on its card after Revoke.
    pub said: BTreeMap<String, String>,
    /// A revocation is under way (the Revoke buttons wait: the next one must build on its CRL).
    pub busy: bool,
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
pub async fn revoke(kit: &KitView, crls: &Crls, id: &ManifestIdentity) -> Result<Crls, String> {
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
    let bytes = [
        file(&ca.files.cert)?,
        file(key_path)?,
        file(&id.files.cert)?,
        crls.bytes(kit, &crl_path).unwrap_or_default(),
    ];
    let job = Job::Revoke {
        ca_name: ca.name.clone(),
        crl_path: crl_path.clone(),
    };
    let (crl_pem, said) = match crate::engine::call(job, &bytes).await? {
        (JobOutcome::Revoked { crl_pem, said }, _) => (crl_pem, said),
        (JobOutcome::Failed(why), _) => return Err(why),
        _ => return Err(crate::engine::OTHER_ANSWER.into()),
    };
    let mut next = crls.clone();
    if let Some(pem) = crl_pem {
        next.latest.insert(crl_path, Rc::new(pem.into_bytes()));
    }
    next.said.insert(id.name.clone(), said);
    next.busy = false;
    Ok(next)
}
