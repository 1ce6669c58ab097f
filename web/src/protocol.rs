//! Messages between the page and the generation worker. Requests and progress travel as JSON
//! text; the finished kit as JSON metadata plus one `Uint8Array` per file (no base64).

use certlab::{ArtifactKind, Manifest};
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
