//! Assembly: issued certificates and keys in, files out — every identity's files (PEM, DER,
//! key, chain, full chain, PKCS#12 flavours, CRL), its manifest entry, `README.txt` and
//! `manifest.json` — handed to a [`KitSink`] one identity at a time ([`crate::stream`] says
//! when). A fresh kit, a streamed one and a leaf issued under an imported CA go through here
//! alike.

use crate::decode::rfc3339;
use crate::error::{Error, ErrorKind};
use crate::export::{self, pkcs12::Flavour, pkcs12::P12Writer};
use crate::issue::Issued;
use crate::kit::{
    Artifact, ArtifactKind, Files, KitSink, LISTED_DEVICES, Manifest, ManifestIdentity, Streamed,
};
use crate::role::Role;
use crate::spec::P12Flavours;
use crate::validate::Plan;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// The PKCS#12 files a leaf can get: one row per flavour, in the order they are written.
const P12_OUTPUTS: [(Flavour, &str, ArtifactKind); 2] = [
    (Flavour::Compatible, "p12", ArtifactKind::P12Compat),
    (Flavour::Modern, "modern.p12", ArtifactKind::P12Modern),
];

fn wanted(flavours: P12Flavours, f: Flavour) -> bool {
    match f {
        Flavour::Compatible => flavours.compatible(),
        Flavour::Modern => flavours.modern(),
    }
}

/// The kit being written: where files go, and one PKCS#12 writer per flavour (the
/// password's keys are derived once per kit and flavour: pkcs12.rs says why).
pub(crate) struct Writer<'a> {
    plan: &'a Plan,
    sink: &'a mut dyn KitSink,
    p12: [Option<P12Writer>; 2],
    /// `devices.csv` so far (empty unless the plan asks for devices' own secrets).
    devices_csv: String,
    /// Manifest entries made so far, and those kept for README.txt.
    entries: usize,
    listed: Vec<ManifestIdentity>,
    more_devices: usize,
    files: usize,
    issued_at: OffsetDateTime,
}

impl Writer<'_> {
    fn push(
        &mut self,
        path: String,
        kind: ArtifactKind,
        identity: &str,
        bytes: Vec<u8>,
    ) -> Result<String, Error> {
        let secret = matches!(
            kind,
            ArtifactKind::Key
                | ArtifactKind::EncryptedKey
                | ArtifactKind::P12Compat
                | ArtifactKind::P12Modern
                | ArtifactKind::CHeader
                | ArtifactKind::DeviceSecrets
        );
        self.files += 1;
        self.sink.file(Artifact {
            path: path.clone(),
            kind,
            identity: identity.to_string(),
            bytes,
            secret,
        })?;
        Ok(path)
    }

    /// Writes one identity's files; `chain` is its issuers, nearest first. Gives back its
    /// files and, for a device with secrets of its own, those.
    fn identity(
        &mut self,
        id: &Issued,
        chain: &[Vec<u8>],
    ) -> Result<(Files, Option<DeviceSecret>), Error> {
        let (s, name) = (&id.planned.stem, id.planned.name.as_str());
        let cert_pem = export::pem::encode("CERTIFICATE", &id.cert_der);
        let mut files = Files {
            cert: self.push(
                format!("{s}.crt"),
                ArtifactKind::Cert,
                name,
                cert_pem.clone().into_bytes(),
            )?,
            der: self.push(
                format!("{s}.der"),
                ArtifactKind::Der,
                name,
                id.cert_der.clone(),
            )?,
            ..Files::default()
        };
        // Per-device secrets (issue 16 §2): a device's own .p12 password, and key passphrase
        // when the kit's keys are encrypted; listed in devices.csv.
        let own = match (self.plan.per_device_secrets, id.planned.role) {
            (true, Role::Device) => Some(DeviceSecret {
                p12: crate::rng::password()?,
                key: self
                    .plan
                    .key_password
                    .as_ref()
                    .map(|_| crate::rng::password())
                    .transpose()?,
            }),
            _ => None,
        };
        let key_password = match &own {
            Some(o) => o.key.clone(),
            None => self.plan.key_password.clone(),
        };
        if let Some(key) = &id.key {
            let (text, kind) = match &key_password {
                Some(pw) => (
                    export::pkcs8::encrypt(key.pkcs8_der(), pw, self.plan.key_encryption)?,
                    ArtifactKind::EncryptedKey,
                ),
                None => (export::pem::private_key(key.pkcs8_der()), ArtifactKind::Key),
            };
            if let (Role::Device, Some(root)) = (id.planned.role, chain.last()) {
                files.c_header = Some(self.c_header(
                    id,
                    &cert_pem,
                    &text,
                    key_password.is_none(),
                    chain,
                    root,
                )?);
            }
            files.key = Some(self.push(format!("{s}.key"), kind, name, text.into_bytes())?);
        }
        if let (true, Some(key)) = (id.planned.role.is_ca(), &id.key) {
            let der = crate::crl::empty_crl(&id.cert_der, key, id.not_after, self.issued_at)?;
            let pem = export::pem::encode("X509 CRL", &der);
            files.crl = Some(self.push(format!("{s}.crl"), ArtifactKind::Crl, name, pem.into())?);
        }
        if !chain.is_empty() {
            let chain_pem = export::pem::certificates(chain.iter().map(Vec::as_slice));
            let full = format!("{cert_pem}{chain_pem}");
            files.chain = Some(self.push(
                format!("{s}.chain.pem"),
                ArtifactKind::Chain,
                name,
                chain_pem.into_bytes(),
            )?);
            files.fullchain = Some(self.push(
                format!("{s}.fullchain.pem"),
                ArtifactKind::Fullchain,
                name,
                full.into_bytes(),
            )?);
        }
        if let (false, Some(_)) = (id.planned.role.is_ca(), &id.key) {
            self.p12_files(id, chain, &mut files, own.as_ref().map(|o| o.p12.as_str()))?;
        }
        Ok((files, own))
    }
}

/// A device's own secrets (see [`crate::Spec::per_device_secrets`]).
struct DeviceSecret {
    p12: String,
    key: Option<String>,
}

impl Writer<'_> {
    /// The device's firmware header; its path.
    fn c_header(
        &mut self,
        id: &Issued,
        cert_pem: &str,
        key_text: &str,
        plain_key: bool,
        chain: &[Vec<u8>],
        root: &[u8],
    ) -> Result<String, Error> {
        let name = id.planned.name.as_str();
        let chain_pem = export::pem::certificates(chain.iter().map(Vec::as_slice));
        let header = export::c_header::device_header(&export::c_header::DeviceFiles {
            name,
            cert_pem: &format!("{cert_pem}{chain_pem}"),
            cert_der: &id.cert_der,
            key_pem: key_text,
            key_der: plain_key
                .then(|| id.key.as_ref().map(|k| k.pkcs8_der()))
                .flatten(),
            chain_pem: &chain_pem,
            root_der: root,
        });
        let stem = &id.planned.stem;
        self.push(
            format!("{stem}.h"),
            ArtifactKind::CHeader,
            name,
            header.into_bytes(),
        )
    }

    /// The leaf's .p12 files, under the kit's password (writers shared by the kit) or under
    /// `own`, a device's own (writers made for it alone).
    fn p12_files(
        &mut self,
        id: &Issued,
        chain: &[Vec<u8>],
        files: &mut Files,
        own: Option<&str>,
    ) -> Result<(), Error> {
        let Some(key) = &id.key else {
            return Ok(());
        };
        let (s, name) = (&id.planned.stem, id.planned.name.as_str());
        for (row, (flavour, ext, kind)) in P12_OUTPUTS.into_iter().enumerate() {
            if !wanted(self.plan.p12_flavours, flavour) {
                continue;
            }
            let mut mine;
            let writer = match (own, &mut self.p12[row]) {
                (Some(pw), _) => {
                    mine = P12Writer::new(pw, flavour)?;
                    &mut mine
                }
                (None, Some(w)) => w,
                (None, slot) => slot.insert(P12Writer::new(&self.plan.p12_password, flavour)?),
            };
            let bytes = writer.write(
                &id.planned.common_name,
                key.pkcs8_der(),
                &id.cert_der,
                chain,
            )?;
            let path = Some(self.push(format!("{s}.{ext}"), kind, name, bytes)?);
            match flavour {
                Flavour::Compatible => files.p12_compat = path,
                Flavour::Modern => files.p12_modern = path,
            }
        }
        Ok(())
    }

    /// A device's row of `devices.csv`: its files and own secrets, for provisioning.
    fn devices_csv_row(&mut self, m: &ManifestIdentity, secret: &DeviceSecret) {
        use std::fmt::Write;
        if self.devices_csv.is_empty() {
            self.devices_csv =
                "name,serial,sha256,not_after,files,p12_password,key_passphrase\n".into();
        }
        let list: Vec<&str> = m.files.paths().collect();
        let _ = writeln!(
            self.devices_csv,
            "{},{},{},{},{},{},{}",
            csv_field(&m.name),
            m.serial,
            m.sha256,
            m.not_after,
            csv_field(&list.join(" ")),
            secret.p12,
            secret.key.as_deref().unwrap_or("")
        );
    }

    /// Writes identity `id` (issued by `issuer`, under `chain`) and its manifest entry.
    pub(crate) fn add(
        &mut self,
        id: &Issued,
        chain: &[Vec<u8>],
        issuer: &str,
    ) -> Result<(), Error> {
        let (files, own) = self.identity(id, chain)?;
        let entry = manifest_entry(self.plan, issuer, id, files);
        if let Some(secret) = own {
            self.devices_csv_row(&entry, &secret);
        }
        let mut piece = if self.entries == 0 {
            format!(
                "{{\n  \"generator\": {},\n  \"issued_at\": {},\n  \"identities\": [\n",
                json(&generator())?,
                json(&rfc3339(self.issued_at))?
            )
        } else {
            ",\n".to_string()
        };
        let pretty = serde_json::to_string_pretty(&entry)
            .map_err(|e| Error::Internal(format!("manifest encoding failed: {e}")))?;
        for (n, line) in pretty.lines().enumerate() {
            if n > 0 {
                piece.push('\n');
            }
            piece.push_str("    ");
            piece.push_str(line);
        }
        self.sink.manifest_piece(piece.as_bytes())?;
        self.sink.identity(&entry)?;
        self.entries += 1;
        let shown = self
            .listed
            .iter()
            .filter(|i| i.role == Role::Device)
            .count();
        if entry.role == Role::Device && shown >= LISTED_DEVICES {
            self.more_devices += 1;
        } else {
            self.listed.push(entry);
        }
        Ok(())
    }

    /// Writes `devices.csv`, README.txt and the end of manifest.json.
    pub(crate) fn finish(mut self) -> Result<Streamed, Error> {
        let device_secrets = (!self.devices_csv.is_empty()).then(|| DEVICES_CSV.to_string());
        if device_secrets.is_some() {
            let csv = std::mem::take(&mut self.devices_csv);
            self.push(
                DEVICES_CSV.into(),
                ArtifactKind::DeviceSecrets,
                "",
                csv.into_bytes(),
            )?;
        }
        let manifest = Manifest {
            generator: generator(),
            issued_at: rfc3339(self.issued_at),
            identities: std::mem::take(&mut self.listed),
            device_secrets,
        };
        let readme = export::readme::render(&manifest, self.more_devices);
        self.push(
            "README.txt".into(),
            ArtifactKind::Readme,
            "",
            readme.into_bytes(),
        )?;
        let mut tail = String::from("\n  ]");
        if let Some(csv) = &manifest.device_secrets {
            tail.push_str(&format!(",\n  \"device_secrets\": {}", json(csv)?));
        }
        tail.push_str("\n}");
        self.sink.manifest_piece(tail.as_bytes())?;
        self.files += 1;
        Ok(Streamed {
            issued_at: self.issued_at,
            manifest,
            more_devices: self.more_devices,
            files: self.files,
        })
    }
}

fn generator() -> String {
    format!("certlab {}", env!("CARGO_PKG_VERSION"))
}

fn json(s: &str) -> Result<String, Error> {
    serde_json::to_string(s).map_err(|e| Error::Internal(format!("manifest encoding failed: {e}")))
}

/// The provisioning list of a kit with per-device secrets.
pub(crate) const DEVICES_CSV: &str = "devices.csv";

/// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The issuers of `issued[i]`, nearest first.
pub(crate) fn chain_of(issued: &[Issued], i: usize) -> Vec<Vec<u8>> {
    let mut chain = Vec::new();
    let mut up = issued[i].planned.issuer;
    while let Some(u) = up {
        chain.push(issued[u].cert_der.clone());
        up = issued[u].planned.issuer;
    }
    chain
}

fn manifest_entry(plan: &Plan, issuer: &str, id: &Issued, files: Files) -> ManifestIdentity {
    let p = &id.planned;
    ManifestIdentity {
        name: p.name.clone(),
        role: p.role,
        issuer: issuer.to_string(),
        common_name: p.common_name.clone(),
        subject: crate::decode::subject_line(&id.cert_der),
        sans: p.sans.iter().map(|s| s.to_string()).collect(),
        key_algorithm: p.key.id().to_string(),
        serial: hex::encode(&id.serial),
        not_before: rfc3339(id.not_before),
        not_after: rfc3339(id.not_after),
        sha256: hex::encode(Sha256::digest(&id.cert_der)),
        key_encrypted: plan.key_password.is_some() && id.key.is_some(),
        files,
    }
}

/// Refuses a kit in which two files would have one name, compared as case-insensitive file
/// systems (macOS, Windows) compare them: `alice.modern`'s `.p12` is `alice`'s `.modern.p12`,
/// and a leaf named `ca` under an imported CA would overwrite `ca.crt`. Found here, after
/// the kit is built in memory and before anything is written.
pub(crate) fn refuse_collisions(plan: &Plan, artifacts: &[Artifact]) -> Result<(), Error> {
    let mut owner: BTreeMap<String, &str> = BTreeMap::new();
    let reserved = ["readme.txt", "manifest.json", DEVICES_CSV];
    for a in artifacts {
        let key = a.path.to_ascii_lowercase();
        // The kit's own index files (no identity) may take the reserved names.
        let other = owner
            .insert(key.clone(), &a.identity)
            .or((reserved.contains(&key.as_str()) && !a.identity.is_empty())
                .then_some("the kit's index"));
        if let Some(other) = other {
            // The later of two identities with one name (a leaf named like its imported CA).
            let field = plan
                .identities
                .iter()
                .rev()
                .find(|p| p.name == a.identity)
                .filter(|p| !p.field.is_empty())
                .map_or("name".to_string(), |p| format!("{}.name", p.field));
            let problem = if other == a.identity {
                format!(
                    "`{}` is the file of another identity named `{other}`",
                    a.path
                )
            } else {
                format!(
                    "`{}` would be written for both `{other}` and `{}`",
                    a.path, a.identity
                )
            };
            return Err(Error::field(
                field,
                ErrorKind::DuplicateName,
                problem,
                "rename one of them: every file of a kit needs its own name",
            ));
        }
    }
    Ok(())
}

/// A writer of `plan`'s kit into `sink`, issued at `at`.
pub(crate) fn writer<'a>(
    plan: &'a Plan,
    sink: &'a mut dyn KitSink,
    at: OffsetDateTime,
) -> Writer<'a> {
    Writer {
        plan,
        sink,
        p12: [None, None],
        devices_csv: String::new(),
        entries: 0,
        listed: Vec::new(),
        more_devices: 0,
        files: 0,
        issued_at: at,
    }
}
