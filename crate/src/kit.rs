//! The output: a [`Kit`] of named artifacts (bytes + path + what it is) and its
//! [`Manifest`]. The same layout is written by the CLI, zipped by the page and described in
//! `README.txt`.

use crate::error::Error;
use crate::export::{
    self,
    pkcs12::{Flavour, P12Writer},
};
use crate::issue::Issued;
use crate::validate::{Plan, Role};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// What a file in the kit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    /// Certificate, PEM (`.crt`).
    Cert,
    /// Certificate, DER (`.der`).
    Der,
    /// Private key, PKCS#8 PEM (`.key`), unencrypted.
    Key,
    /// Private key, encrypted PKCS#8 PEM (`.key`).
    EncryptedKey,
    /// The issuers of a certificate, PEM (`.chain.pem`).
    Chain,
    /// The certificate followed by its issuers, PEM (`.fullchain.pem`).
    Fullchain,
    /// PKCS#12, 3DES/SHA-1 (`.p12`): for macOS, iOS, Android, Windows.
    P12Compat,
    /// PKCS#12, AES-256/SHA-256 (`.modern.p12`).
    P12Modern,
    /// The kit's `README.txt`.
    Readme,
    /// The kit's `manifest.json`.
    Manifest,
}

/// One file of the kit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Artifact {
    /// Path relative to the kit (e.g. `server.fullchain.pem`, `devices/sensor-0001.crt`).
    pub path: String,
    /// What it is.
    pub kind: ArtifactKind,
    /// The identity it belongs to (empty for README and manifest).
    pub identity: String,
    /// Contents.
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// True for files holding a private key (written with mode 0600).
    pub secret: bool,
}

/// Paths of one identity's files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Files {
    /// PEM certificate.
    pub cert: String,
    /// Private key (absent when the key is held elsewhere).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub key: Option<String>,
    /// DER certificate.
    pub der: String,
    /// Issuers.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub chain: Option<String>,
    /// Certificate + issuers.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fullchain: Option<String>,
    /// Compatible PKCS#12.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub p12_compat: Option<String>,
    /// Modern PKCS#12.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub p12_modern: Option<String>,
}

impl Files {
    /// The PKCS#12 file to hand to a user or a snippet: the compatible one (it imports
    /// everywhere) when the kit has it, else the modern one.
    pub fn p12(&self) -> Option<&String> {
        self.p12_compat.as_ref().or(self.p12_modern.as_ref())
    }
}

/// One identity in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestIdentity {
    /// Identity name.
    pub name: String,
    /// `root-ca`, `intermediate-ca`, `server`, `client` or `device`.
    pub role: Role,
    /// Name of the issuing identity (a root names itself).
    pub issuer: String,
    /// Subject CN.
    pub common_name: String,
    /// subjectAltNames as `DNS:…`, `IP:…`, `email:…`.
    pub sans: Vec<String>,
    /// `ecdsa-p256`, `rsa2048`, ….
    pub key_algorithm: String,
    /// Serial number, lower-case hex.
    pub serial: String,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
    /// SHA-256 of the DER certificate, lower-case hex.
    pub sha256: String,
    /// Whether `key` is encrypted.
    pub key_encrypted: bool,
    /// Its files.
    pub files: Files,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Generator and version.
    pub generator: String,
    /// RFC 3339 time of issue.
    pub issued_at: String,
    /// Every identity, issuers first.
    pub identities: Vec<ManifestIdentity>,
}

/// A generated kit.
#[derive(Debug, Clone)]
pub struct Kit {
    /// When it was issued.
    pub issued_at: OffsetDateTime,
    /// Every file, README.txt and manifest.json last.
    pub artifacts: Vec<Artifact>,
    /// The manifest (also present as `manifest.json`).
    pub manifest: Manifest,
}

impl Kit {
    /// The artifact at `path`.
    pub fn get(&self, path: &str) -> Option<&Artifact> {
        self.artifacts.iter().find(|a| a.path == path)
    }

    /// The manifest entry of the identity `name`.
    pub fn identity(&self, name: &str) -> Option<&ManifestIdentity> {
        self.manifest.identities.iter().find(|i| i.name == name)
    }

    /// The whole kit as a zip, every file under `folder/`.
    pub fn zip(&self, folder: &str) -> Result<Vec<u8>, Error> {
        export::zip::write(self, folder)
    }
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Assembles files and manifest from issued certificates.
pub(crate) fn assemble(
    plan: &Plan,
    issued: &[Issued],
    issued_at: OffsetDateTime,
) -> Result<Kit, Error> {
    let mut artifacts = Vec::new();
    let mut identities = Vec::new();
    let (mut p12_compat, mut p12_modern) = (None::<P12Writer>, None::<P12Writer>);
    let push = |artifacts: &mut Vec<Artifact>,
                path: String,
                kind,
                identity: &str,
                bytes: Vec<u8>,
                secret| {
        artifacts.push(Artifact {
            path: path.clone(),
            kind,
            identity: identity.to_string(),
            bytes,
            secret,
        });
        path
    };
    for id in issued {
        let p = &id.planned;
        let s = &p.stem;
        let mut chain = Vec::new();
        let mut up = p.issuer;
        while let Some(u) = up {
            chain.push(issued[u].cert_der.clone());
            up = issued[u].planned.issuer;
        }
        let mut files = Files {
            cert: push(
                &mut artifacts,
                format!("{s}.crt"),
                ArtifactKind::Cert,
                &p.name,
                export::pem::encode("CERTIFICATE", &id.cert_der).into_bytes(),
                false,
            ),
            der: push(
                &mut artifacts,
                format!("{s}.der"),
                ArtifactKind::Der,
                &p.name,
                id.cert_der.clone(),
                false,
            ),
            ..Files::default()
        };
        if let Some(key) = &id.key {
            let (key_text, key_kind) = match &plan.key_password {
                Some(pw) => (
                    export::pkcs8::encrypt(key.pkcs8_der(), pw, plan.key_encryption)?,
                    ArtifactKind::EncryptedKey,
                ),
                None => (export::pem::private_key(key.pkcs8_der()), ArtifactKind::Key),
            };
            files.key = Some(push(
                &mut artifacts,
                format!("{s}.key"),
                key_kind,
                &p.name,
                key_text.into_bytes(),
                true,
            ));
        }
        if !chain.is_empty() {
            let chain_pem = export::pem::certificates(chain.iter().map(Vec::as_slice));
            let full = format!(
                "{}{}",
                export::pem::encode("CERTIFICATE", &id.cert_der),
                chain_pem
            );
            files.chain = Some(push(
                &mut artifacts,
                format!("{s}.chain.pem"),
                ArtifactKind::Chain,
                &p.name,
                chain_pem.into_bytes(),
                false,
            ));
            files.fullchain = Some(push(
                &mut artifacts,
                format!("{s}.fullchain.pem"),
                ArtifactKind::Fullchain,
                &p.name,
                full.into_bytes(),
                false,
            ));
        }
        if let (false, Some(key)) = (p.role.is_ca(), &id.key) {
            for (flavour, ext, kind) in [
                (Flavour::Compatible, "p12", ArtifactKind::P12Compat),
                (Flavour::Modern, "modern.p12", ArtifactKind::P12Modern),
            ]
            .into_iter()
            .filter(|(f, _, _)| match f {
                Flavour::Compatible => plan.p12_flavours.compatible(),
                Flavour::Modern => plan.p12_flavours.modern(),
            }) {
                // The password's keys are derived once per kit and flavour (pkcs12.rs: why).
                let slot = match flavour {
                    Flavour::Compatible => &mut p12_compat,
                    Flavour::Modern => &mut p12_modern,
                };
                let writer = match slot {
                    Some(w) => w,
                    None => slot.insert(P12Writer::new(&plan.p12_password, flavour)?),
                };
                let bytes = writer.write(&p.common_name, key.pkcs8_der(), &id.cert_der, &chain)?;
                let path = push(
                    &mut artifacts,
                    format!("{s}.{ext}"),
                    kind,
                    &p.name,
                    bytes,
                    true,
                );
                match flavour {
                    Flavour::Compatible => files.p12_compat = Some(path),
                    Flavour::Modern => files.p12_modern = Some(path),
                }
            }
        }
        identities.push(ManifestIdentity {
            name: p.name.clone(),
            role: p.role,
            issuer: p
                .issuer
                .map(|u| issued[u].planned.name.clone())
                .unwrap_or_else(|| p.name.clone()),
            common_name: p.common_name.clone(),
            sans: p.sans.iter().map(|s| s.to_string()).collect(),
            key_algorithm: p.key.id().to_string(),
            serial: hex::encode(&id.serial),
            not_before: rfc3339(id.not_before),
            not_after: rfc3339(id.not_after),
            sha256: hex::encode(Sha256::digest(&id.cert_der)),
            key_encrypted: plan.key_password.is_some() && id.key.is_some(),
            files,
        });
    }
    let manifest = Manifest {
        generator: format!("certlab {}", env!("CARGO_PKG_VERSION")),
        issued_at: rfc3339(issued_at),
        identities,
    };
    let readme = export::readme::render(&manifest);
    artifacts.push(Artifact {
        path: "README.txt".into(),
        kind: ArtifactKind::Readme,
        identity: String::new(),
        bytes: readme.into_bytes(),
        secret: false,
    });
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::Internal(format!("manifest encoding failed: {e}")))?;
    artifacts.push(Artifact {
        path: "manifest.json".into(),
        kind: ArtifactKind::Manifest,
        identity: String::new(),
        bytes: json,
        secret: false,
    });
    Ok(Kit {
        issued_at,
        artifacts,
        manifest,
    })
}

/// Index of identities by name (for README cross-references).
pub(crate) fn by_name(m: &Manifest) -> BTreeMap<&str, &ManifestIdentity> {
    m.identities.iter().map(|i| (i.name.as_str(), i)).collect()
}
