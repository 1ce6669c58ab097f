//! Adding leaves to a kit that exists: the "a friend joins later" case of `certlab issue`.
//!
//! The rule: no earlier certificate, key or .p12 ever changes. The new identity's files join
//! the kit under names no earlier file has; `manifest.json` keeps every earlier identity and
//! lists the new one; `README.txt` is written again from that manifest, so it describes every
//! identity. The issuing CA is matched to the kit's own identities by its SHA-256: issuing
//! from the kit's intermediate names that intermediate as the issuer and writes no second copy
//! of it (an earlier version replaced the kit's `ca.crt` by the intermediate).

use crate::error::{Error, ErrorKind};
use crate::export;
use crate::kit::{Artifact, ArtifactKind, Kit, Manifest};
use std::collections::{BTreeMap, HashSet};

/// The files to write to add the identities of `new` (from [`crate::issue_leaf`]) to the kit
/// described by `existing`: the new identity's files, a `README.txt` and a `manifest.json`
/// for the whole kit. CA certificates the kit already holds are not written again; a CA it
/// does not hold joins it only if its file names are free. Errors name `--out` or `name`.
pub fn add_to_kit(existing: &Manifest, new: &Kit) -> Result<Kit, Error> {
    let by_hash: BTreeMap<&str, &str> = existing
        .identities
        .iter()
        .map(|i| (i.sha256.as_str(), i.name.as_str()))
        .collect();
    let taken: HashSet<String> = existing
        .identities
        .iter()
        .map(|i| i.name.to_ascii_lowercase())
        .collect();
    // New identity name → the kit's name for the same certificate.
    let mut known: BTreeMap<String, String> = BTreeMap::new();
    let mut manifest = existing.clone();
    for id in &new.manifest.identities {
        if let Some(name) = by_hash.get(id.sha256.as_str()) {
            known.insert(id.name.clone(), name.to_string());
            continue;
        }
        if taken.contains(&id.name.to_ascii_lowercase()) {
            return Err(clash(existing, id));
        }
        let mut id = id.clone();
        if let Some(name) = known.get(&id.issuer) {
            id.issuer = name.clone();
        }
        manifest.identities.push(id);
    }
    let added: HashSet<&str> = manifest.identities[existing.identities.len()..]
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    if added.is_empty() {
        return Err(Error::field(
            "--out",
            ErrorKind::DuplicateName,
            "every certificate issued is already in the kit",
            "nothing to add",
        ));
    }
    manifest.issued_at = new.manifest.issued_at.clone();
    let mut artifacts: Vec<Artifact> = new
        .artifacts
        .iter()
        .filter(|a| added.contains(a.identity.as_str()))
        .cloned()
        .collect();
    artifacts.push(index(
        "README.txt",
        ArtifactKind::Readme,
        export::readme::render_whole(&manifest).into_bytes(),
    ));
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::Internal(format!("manifest encoding failed: {e}")))?;
    artifacts.push(index("manifest.json", ArtifactKind::Manifest, json));
    Ok(Kit {
        issued_at: new.issued_at,
        artifacts,
        manifest,
    })
}

fn index(path: &str, kind: ArtifactKind, bytes: Vec<u8>) -> Artifact {
    Artifact {
        path: path.into(),
        kind,
        identity: String::new(),
        bytes,
        secret: false,
    }
}

/// A new identity whose name the kit already uses for another certificate.
fn clash(existing: &Manifest, id: &crate::kit::ManifestIdentity) -> Error {
    let theirs = existing
        .identities
        .iter()
        .find(|i| i.name.eq_ignore_ascii_case(&id.name));
    let what = theirs.map_or("another certificate".to_string(), |t| {
        format!("`{}` ({})", t.common_name, t.role.id())
    });
    if id.role.is_ca() {
        Error::field(
            "--out",
            ErrorKind::Inconsistent,
            format!(
                "the folder holds a kit of another CA: its `{}` is {what}, not `{}`",
                id.name, id.common_name
            ),
            "issue into a new folder, or give --ca-cert/--ca-key of this kit's CA",
        )
    } else {
        Error::field(
            "name",
            ErrorKind::DuplicateName,
            format!(
                "the kit already has an identity named `{}`: {what}",
                id.name
            ),
            "choose another name with --name (earlier files are never replaced)",
        )
    }
}
