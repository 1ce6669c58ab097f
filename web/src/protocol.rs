//! Messages between the page and the engine's workers. Requests and progress travel as JSON
//! text; the finished kit as JSON metadata plus its files' bytes in transferred buffers (no
//! base64). A tool job ([`JobRequest`]) and its reply ([`JobReply`]) are an array: the JSON
//! text first, then the job's byte arrays in the order its variant documents.

use certlab::{ArtifactKind, Finding, Inspection, Manifest};
use certlab::{FieldError, KeyAlgorithm, Role, Spec};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Page → worker: make this kit, with these keys made by WebCrypto (PKCS#8 DER by identity).
/// The worker makes every RSA key missing from `keys` itself (see [`KeySource::Worker`]).
#[derive(Debug, Serialize, Deserialize)]
pub struct Request {
    /// What to make.
    pub spec: Spec,
    /// Keys made elsewhere.
    pub keys: BTreeMap<String, Vec<u8>>,
}

/// Who made an identity's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeySource {
    /// The browser's WebCrypto (`crypto.subtle.generateKey`, native code), in the page.
    WebCrypto,
    /// certlab's engine (pure Rust compiled to wasm) in the generation worker, from
    /// `crypto.getRandomValues`.
    Worker,
}

impl KeySource {
    /// How the result card names it.
    pub fn label(self) -> &'static str {
        match self {
            KeySource::WebCrypto => "WebCrypto (the browser's own code)",
            KeySource::Worker => "certlab in the worker (pure Rust)",
        }
    }

    /// Its identifier in `data-key-source` attributes.
    pub fn id(self) -> &'static str {
        match self {
            KeySource::WebCrypto => "webcrypto",
            KeySource::Worker => "worker",
        }
    }
}

/// Worker → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Reply {
    /// The worker has loaded its wasm and listens (messages sent before are lost).
    Ready,
    /// About to make identity `index` of `total`.
    Progress {
        /// 0-based.
        index: usize,
        /// Identities in the run.
        total: usize,
        /// Its name.
        name: String,
        /// Its role.
        role: Role,
        /// Its key type.
        key: KeyAlgorithm,
    },
    /// About to make RSA key `done + 1` of `total` (for identity `name`) in the worker.
    RsaKey {
        /// Keys finished.
        done: usize,
        /// Keys the worker makes.
        total: usize,
        /// The identity.
        name: String,
        /// Modulus size.
        bits: u32,
    },
    /// The kit's metadata; the bytes travel beside it (see [`FileMeta`]).
    Done {
        /// The manifest.
        manifest: Manifest,
        /// Every file, in the order of the byte arrays.
        files: Vec<FileMeta>,
        /// Milliseconds spent in the worker.
        millis: f64,
        /// Who made each identity's key, by identity name.
        #[serde(default)]
        key_sources: BTreeMap<String, KeySource>,
        /// The worker's wasm memory when the kit was done, in bytes: its peak (wasm memory
        /// only grows), reported by the benchmark.
        #[serde(default)]
        wasm_bytes: f64,
        /// What the cards show beyond the manifest, for the first [`MAX_CARDS`] identities in
        /// the manifest's order (the page holds no certificate decoder).
        #[serde(default)]
        cards: Vec<CardFacts>,
    },
    /// The spec was refused or generation failed.
    Failed {
        /// Field errors (empty for an internal failure).
        errors: Vec<FieldError>,
        /// The whole message.
        message: String,
    },
}

/// One file of a finished kit (its bytes are the array element at the same index).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileMeta {
    /// Path in the kit.
    pub path: String,
    /// What it is.
    pub kind: ArtifactKind,
    /// Identity it belongs to.
    pub identity: String,
    /// Holds a private key.
    pub secret: bool,
}

/// Cards the results panel shows before "and N more" (a batch of 500 devices stays usable);
/// the worker decodes and lints this many identities' certificates for them.
pub const MAX_CARDS: usize = 40;

/// What an identity's card shows that the manifest does not say: read from its certificate,
/// and its lint findings (checked against its issuer).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CardFacts {
    /// The identity.
    pub name: String,
    /// Extended key usages, as `certlab inspect` names them.
    pub usage: Vec<String>,
    /// Name constraints (a CA's permitted subtrees).
    pub constraints: Vec<String>,
    /// Lint findings.
    pub findings: Vec<Finding>,
}

/// Page → the tools worker: one job of the tools panel or of a card's Revoke button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Job {
    /// `certlab inspect`. Bytes: what to inspect.
    Inspect {
        /// The .p12 password or the key's passphrase, if one was typed.
        password: Option<String>,
    },
    /// "Issue more": one leaf, or the CSR's, under a CA. Bytes: the CA certificate (may be
    /// empty when the key is a .p12), the CA key or .p12, the CSR (empty: make a new key).
    Issue {
        /// The CA key's passphrase or the .p12 password (empty: none).
        ca_pass: String,
        /// What to issue.
        role: Role,
        /// A client or device name, or a server's comma-separated names.
        leaf_name: String,
    },
    /// `certlab revoke`: the CA signs a new CRL listing the leaf. Bytes: the CA certificate,
    /// the CA key, the leaf certificate, the CA's current CRL.
    Revoke {
        /// The CA's name (for the sentence).
        ca_name: String,
        /// The CRL's path in the kit (for the sentence).
        crl_path: String,
    },
}

/// A job and its number (the reply carries it back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRequest {
    /// Chosen by the page.
    pub id: u32,
    /// What to do.
    pub job: Job,
}

/// What a job gave.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
pub enum JobOutcome {
    /// The inspection.
    Inspected(Inspection),
    /// A leaf was issued. Bytes: its kit's zip.
    Issued {
        /// Who (the new identity's name).
        who: String,
        /// Files in the kit.
        files: usize,
    },
    /// The revocation was done, or had been.
    Revoked {
        /// The new CRL, in PEM (`None`: the serial was already in the current one).
        crl_pem: Option<String>,
        /// The sentence the card shows.
        said: String,
    },
    /// The job failed: the sentence to show (the engine's message, naming the field).
    Failed(String),
}

/// Tools worker → page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobReply {
    /// The request's number.
    pub id: u32,
    /// What it gave.
    pub outcome: JobOutcome,
}
