//! The output as plain data: a [`Kit`] of named artifacts (bytes + path + what it is) and its
//! [`Manifest`], and where they go ([`KitSink`]). Made by [`crate::assemble`], written by the CLI, zipped by
//! [`crate::export`] and described in `README.txt`; nothing here computes or encodes.

use crate::error::Error;
use crate::role::Role;
use serde::{Deserialize, Serialize};
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
    /// A device's firmware header (`devices/NAME.h`): certificate, key and CA chain as C
    /// string literals and byte arrays, for mbedTLS.
    CHeader,
    /// A CA's certificate revocation list, PEM (`NAME.crl`): empty in a new kit, signed by
    /// that CA, valid [`crate::CRL_DAYS`] days (or to the CA's end); `certlab revoke` adds to it.
    Crl,
    /// `devices.csv`: each device's files and own secrets (kits with per-device secrets).
    DeviceSecrets,
    /// The kit's `README.txt`.
    Readme,
    /// The kit's `manifest.json`.
    Manifest,
    /// The whole kit as one `.zip`: travels beside a kit (the page's worker sends it with the
    /// files), never inside one.
    Zip,
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
    /// Firmware C header (devices).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub c_header: Option<String>,
    /// The CA's certificate revocation list (CAs whose key the kit holds).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub crl: Option<String>,
}

impl Files {
    /// Every file of the identity, in the order the kit lists them.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        [
            Some(&self.cert),
            Some(&self.der),
            self.key.as_ref(),
            self.chain.as_ref(),
        ]
        .into_iter()
        .chain([self.fullchain.as_ref(), self.p12_compat.as_ref()])
        .chain([self.p12_modern.as_ref(), self.c_header.as_ref()])
        .chain([self.crl.as_ref()])
        .flatten()
        .map(String::as_str)
    }

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
    /// The whole subject as one line (`C=FR, O=ENIB, CN=alice`).
    #[serde(default)]
    pub subject: String,
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
    /// The file listing each device's own secrets (`devices.csv`), when the kit has them.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub device_secrets: Option<String>,
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
}

/// Where a kit's files go as they are made: memory (a [`Kit`]), or in the CLI a folder and a
/// zip on disk. [`crate::generate_into`] writes into one.
pub trait KitSink {
    /// One whole file.
    fn file(&mut self, artifact: Artifact) -> Result<(), Error>;
    /// The next piece of `manifest.json`, which is written as identities are made (pieces
    /// come in order; together they are the file).
    fn manifest_piece(&mut self, bytes: &[u8]) -> Result<(), Error>;
    /// One identity's manifest entry, once its files are out.
    fn identity(&mut self, _entry: &ManifestIdentity) -> Result<(), Error> {
        Ok(())
    }
}

/// How many devices README.txt and the summary list one by one; the rest are counted (every
/// device has the same files, and manifest.json lists them all).
pub const LISTED_DEVICES: usize = 20;

/// What a streamed kit ends with: its manifest without the devices past the first
/// [`LISTED_DEVICES`], and how many those are.
#[derive(Debug, Clone)]
pub struct Streamed {
    /// When it was issued.
    pub issued_at: OffsetDateTime,
    /// The manifest: every CA, server and client, and the first devices.
    pub manifest: Manifest,
    /// Devices made but not in `manifest` (all are in `manifest.json`).
    pub more_devices: usize,
    /// Files written.
    pub files: usize,
}
