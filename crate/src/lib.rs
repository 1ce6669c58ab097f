//! # certlab — a private certificate authority for labs
//!
//! One [`Spec`] in, a complete PKI [`Kit`] out: root (and optional intermediate and separate
//! client CA), TLS servers, mutual-TLS clients and IoT devices, each with PEM, DER, PKCS#8
//! (optionally encrypted), chains and two PKCS#12 flavours, plus `README.txt`,
//! `manifest.json` and a zip. Pure Rust, no I/O: the same code runs natively (the `certlab`
//! CLI) and in the browser (wasm).
//!
//! Data flows one way: spec → [`plan`] (typed field errors, before any key is made) → issue
//! (rcgen) → assemble → [`Kit`] (plain data) → files, [`Kit::zip`] or the page.
//! Outside data is decoded once, at the bottom ([`Cert`], [`Csr`], [`certificates`]);
//! [`lint_cert`] reads those typed facts and [`inspect`] explains them. [`import_ca`] reads an
//! existing CA and [`issue_leaf`] issues more leaves under it.
//!
//! Layers, bottom up (each uses only those below it; `scripts/import-cycles` checks for
//! circles): `text`, `error`, `oid`, `rng`, `names`, `role` → `keys` → `decode` (with its signature
//! check) → `spec` → `lint` → `validate`, `import` → `inspect`, `issue` → `crl` → `kit` (and `parts`: which file plays which part) → `export` →
//! `assemble` → `leaf`, `add`, `gallery` → this face.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod add;
mod assemble;
mod crl;
mod decode;
mod error;
mod export;
mod gallery;
mod import;
mod inspect;
mod issue;
#[cfg(feature = "js")]
mod js;
mod keys;
mod kit;
mod leaf;
mod lint;
mod names;
mod oid;
mod parts;
mod rng;
mod role;
mod spec;
mod stream;
mod text;
mod validate;

pub use add::add_to_kit;
pub use crl::{CRL_DAYS, Revocation, RevokeTarget, revoke};
pub use decode::{
    Cert, Crl, Csr, Curve, Eku, KeyType, KeyUsage, P12Contents, Reason, Revoked,
    SignatureAlgorithm, certificates, is_zip, parse_csr, read_crl, read_p12, zip_entry,
};
pub use error::{Error, ErrorKind, FieldError};
pub use export::guide::{Guide, GuideOptions, Platform, Section, Step, guide, guide_without_kit};
pub use export::mobileconfig::mobileconfig;
pub use export::snippets::{
    Endpoint, KEY_PASSWORD_VAR, LISTEN_ADDRESS, NGINX_PASSWORD_FILE, Snippet, snippets,
};
pub use export::zip::{Crc32, ZipStream, zip_deflates};
pub use gallery::{
    Expect, GALLERY_P12_PASSWORD, GALLERY_PORT, Gallery, GalleryCase, GalleryFile, GalleryIndex,
    GalleryOptions, NotMade, Outcome, gallery,
};
pub use import::{
    ImportedCa, MAX_INPUT_BYTES, MAX_PBKDF2_ITERATIONS, MAX_SCRYPT_MEMORY, MAX_SCRYPT_N,
    MAX_SCRYPT_RP, import_ca, private_key,
};
pub use inspect::{CertInfo, CsrInfo, Inspection, Item, KeyInfo, inspect, inspect_with};
pub use issue::{CLOCK_SKEW, Options, Progress, now_utc};
pub use keys::{KeyAlgorithm, KeyPair, PublicKey};
pub use kit::{
    Artifact, ArtifactKind, Files, Kit, KitSink, LISTED_DEVICES, Manifest, ManifestIdentity,
    Streamed,
};
pub use leaf::{LeafSpec, issue_leaf, leaf_days_under};
pub use lint::{Finding, Purpose, Rule, Severity, Trust, lint_cert, lint_path, lint_spec};
pub use names::{SanName, Subtree};
pub use role::Role;
pub use spec::{
    CaSpec, ClientSpec, DEFAULT_INTERMEDIATE_DAYS, DEFAULT_KDF_ITERATIONS, DEFAULT_LEAF_DAYS,
    DEFAULT_ROOT_DAYS, DeviceBatch, KeyEncryption, NameConstraints, P12Flavours, Preset,
    ServerSpec, Spec, SubjectFields,
};
pub use stream::generate_into;
pub use text::{MAX_QUOTED_CHARS, clip, clip_quoted, escape_control};
pub use validate::{
    MAX_CN_LEN, MAX_DAYS, MAX_DEVICES, MAX_STREAMED_DEVICES, Plan, Planned, device_list_text,
    expand_pattern, plan,
};

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
    stream::generate_kit(&plan, opts, progress)
}
