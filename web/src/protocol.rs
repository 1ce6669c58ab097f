//! Messages between the page and the generation worker. Requests and progress travel as JSON
//! text; the finished kit as JSON metadata plus one `Uint8Array` per file (no base64).

use certlab::{ArtifactKind, Manifest};
use certlab::{FieldError, KeyAlgorithm, Role, Spec};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Page → worker: make this kit, with these keys made by WebCrypto (PKCS#8 DER by identity).
#[derive(Debug, Serialize, Deserialize)]
pub struct Request {
    /// What to make.
    pub spec: Spec,
    /// Keys made elsewhere.
    pub keys: BTreeMap<String, Vec<u8>>,
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
    /// The kit's metadata; the bytes travel beside it (see [`FileMeta`]).
    Done {
        /// The manifest.
        manifest: Manifest,
        /// Every file, in the order of the byte arrays.
        files: Vec<FileMeta>,
        /// Milliseconds spent in the worker.
        millis: f64,
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
