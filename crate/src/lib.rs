//! # certlab — a private certificate authority for labs
//!
//! One [`Spec`] in, a complete PKI [`Kit`] out: root (and optional intermediate and separate
//! client CA), TLS servers, mutual-TLS clients and IoT devices, each with PEM, DER, PKCS#8
//! (optionally encrypted), chains and two PKCS#12 flavours, plus `README.txt`,
//! `manifest.json` and a zip. Pure Rust, no I/O: the same code runs natively (the `certlab`
//! CLI) and in the browser (wasm).
//!
//! Data flows one way: spec → [`validate::plan`] (typed field errors, before any key is made)
//! → [`issue::issue_plan`] → [`kit`] artifacts. [`import`] reads existing CAs, keys and CSRs;
//! [`inspect`] explains any certificate, CSR or .p12; [`lint`] warns before a client rejects.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod error;
pub mod export;
pub mod import;
pub mod inspect;
pub mod issue;
#[cfg(feature = "js")]
pub mod js;
pub mod keys;
pub mod kit;
pub mod leaf;
pub mod lint;
pub mod names;
pub mod rng;
pub mod spec;
pub mod validate;
pub mod verify;

pub use error::{Error, ErrorKind, FieldError};
pub use issue::{Options, Progress};
pub use keys::{KeyAlgorithm, KeyPair};
pub use kit::{Artifact, ArtifactKind, Kit, Manifest};
pub use spec::{P12Flavours, Preset, Spec};
pub use validate::Role;

/// Validates `spec` and issues the whole kit with fresh keys at the current time.
pub fn generate(spec: &Spec) -> Result<Kit, Error> {
    generate_with(spec, &Options::default(), &mut |_| {})
}

/// Like [`generate`], with keys made elsewhere, a fixed time and a progress callback.
pub fn generate_with(
    spec: &Spec,
    opts: &Options,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Kit, Error> {
    let plan = validate::plan(spec)?;
    let issued = issue::issue_plan(&plan, opts, progress)?;
    let at = opts.now.unwrap_or_else(issue::now_utc);
    kit::assemble(&plan, &issued, at)
}
