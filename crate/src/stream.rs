//! Generation as a stream: a validated plan is signed one identity at a time
//! ([`crate::issue::Signer`], which keeps only the CAs) and each identity's files go to a
//! [`KitSink`] as soon as they are made ([`crate::assemble`]), so a fleet is written in flat
//! memory ([`generate_into`], the CLI's way). A kit held in memory ([`crate::generate`], the
//! page, the JS package) is the same stream into a [`MemorySink`].

use crate::assemble::{chain_of, refuse_collisions, writer};
use crate::error::Error;
use crate::issue::{Issued, Options, Progress, Signer};
use crate::kit::{Artifact, ArtifactKind, Kit, KitSink, Manifest, ManifestIdentity, Streamed};
use crate::validate::Plan;
use time::OffsetDateTime;

/// A kit held in memory: what [`crate::generate`] gives and the page zips.
#[derive(Default)]
pub(crate) struct MemorySink {
    artifacts: Vec<Artifact>,
    manifest_json: Vec<u8>,
    identities: Vec<ManifestIdentity>,
}

impl KitSink for MemorySink {
    fn file(&mut self, artifact: Artifact) -> Result<(), Error> {
        self.artifacts.push(artifact);
        Ok(())
    }
    fn manifest_piece(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.manifest_json.extend_from_slice(bytes);
        Ok(())
    }
    fn identity(&mut self, entry: &ManifestIdentity) -> Result<(), Error> {
        self.identities.push(entry.clone());
        Ok(())
    }
}

impl MemorySink {
    fn into_kit(mut self, plan: &Plan, end: Streamed) -> Result<Kit, Error> {
        refuse_collisions(plan, &self.artifacts)?;
        self.artifacts.push(Artifact {
            path: "manifest.json".into(),
            kind: ArtifactKind::Manifest,
            identity: String::new(),
            bytes: self.manifest_json,
            secret: false,
        });
        Ok(Kit {
            issued_at: end.issued_at,
            artifacts: self.artifacts,
            manifest: Manifest {
                identities: self.identities,
                ..end.manifest
            },
        })
    }
}

/// Assembles files and manifest from issued certificates, in memory.
pub(crate) fn assemble(
    plan: &Plan,
    issued: &[Issued],
    issued_at: OffsetDateTime,
) -> Result<Kit, Error> {
    let mut sink = MemorySink::default();
    let mut w = writer(plan, &mut sink, issued_at);
    for (i, id) in issued.iter().enumerate() {
        let issuer = id
            .planned
            .issuer
            .map_or(&id.planned.name, |u| &issued[u].planned.name);
        w.add(id, &chain_of(issued, i), issuer)?;
    }
    let end = w.finish()?;
    sink.into_kit(plan, end)
}

/// Issues a validated plan one identity at a time, each one's files handed to `sink` as soon
/// as they are made: only the CAs stay in memory.
pub(crate) fn stream(
    plan: &Plan,
    opts: &Options,
    progress: &mut dyn FnMut(Progress<'_>),
    sink: &mut dyn KitSink,
) -> Result<Streamed, Error> {
    let at = opts.now.unwrap_or_else(crate::issue::now_utc);
    let opts = Options {
        now: Some(at),
        keys: opts.keys.clone(),
    };
    let mut signer = Signer::new(plan, &opts)?;
    let mut w = writer(plan, sink, at);
    let total = plan.identities.len();
    for (index, planned) in plan.identities.iter().enumerate() {
        progress(Progress {
            index,
            total,
            name: &planned.name,
            role: planned.role,
            key: planned.key,
        });
        let id = signer.sign(index)?;
        let mut chain = Vec::new();
        let mut up = planned.issuer;
        while let Some(u) = up.and_then(|u| signer.kept(u).map(|ca| (u, ca))) {
            chain.push(u.1.cert_der.clone());
            up = u.1.planned.issuer;
        }
        let issuer = planned
            .issuer
            .map_or(&planned.name, |u| &plan.identities[u].name);
        w.add(&id, &chain, issuer)?;
        if planned.role.is_ca() {
            signer.keep(index, id);
        }
    }
    w.finish()
}

/// Validates `spec` and writes the kit into `sink` as it is made (see [`KitSink`]): the
/// CLI's way to a fleet of 100,000 devices in flat memory.
pub fn generate_into(
    spec: &crate::Spec,
    opts: &Options,
    progress: &mut dyn FnMut(Progress<'_>),
    sink: &mut dyn KitSink,
) -> Result<Streamed, Error> {
    let plan = crate::validate::plan_up_to(spec, crate::validate::MAX_STREAMED_DEVICES)?;
    stream(&plan, opts, progress, sink)
}

/// Like [`generate_into`], the kit held in memory.
pub(crate) fn generate_kit(
    plan: &Plan,
    opts: &Options,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Kit, Error> {
    let mut sink = MemorySink::default();
    let end = stream(plan, opts, progress, &mut sink)?;
    sink.into_kit(plan, end)
}

#[cfg(test)]
mod tests {
    use crate::kit::LISTED_DEVICES;

    #[test]
    fn manifest_json_written_in_pieces_is_the_manifest() {
        let mut spec = crate::Preset::Iot.spec(crate::KeyAlgorithm::EcdsaP256);
        spec.per_device_secrets = true;
        spec.devices[0].count = LISTED_DEVICES as u32 + 5;
        let kit = crate::generate(&spec).expect("kit");
        let json = &kit.get("manifest.json").expect("manifest.json").bytes;
        let whole = serde_json::to_vec_pretty(&kit.manifest).expect("json");
        assert_eq!(
            String::from_utf8_lossy(json),
            String::from_utf8_lossy(&whole)
        );
        let readme =
            String::from_utf8_lossy(&kit.get("README.txt").expect("readme").bytes).into_owned();
        assert!(readme.contains("… and 5 more devices"), "{readme}");
        assert!(!readme.contains(&format!("sensor-{:04}", LISTED_DEVICES + 1)));
    }
}
