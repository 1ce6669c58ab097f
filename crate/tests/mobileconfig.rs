//! The `.mobileconfig` read by an independent parser: Python's `plistlib` (`tests/py/mobileconfig.py`)
//! checks every key Apple's Configuration Profile Reference requires of a profile and of its
//! `com.apple.security.root` payload, that the payload is the root's DER, and that two
//! profiles of the same root carry the same UUIDs (a second download replaces the first
//! profile on the device instead of adding one); another root's profile gets other UUIDs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use certlab::{KeyAlgorithm, Preset};
use std::path::Path;

fn python() -> String {
    std::env::var("CERTLAB_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Writes two profiles of the root of a fresh kit into `dir`; returns the UUID Python printed.
fn check_kit(dir: &Path) -> String {
    let kit = certlab::generate(&Preset::Dev.spec(KeyAlgorithm::EcdsaP256)).expect("kit");
    let root = kit.identity("ca").expect("root");
    let der = &kit.get(&root.files.der).expect("ca.der").bytes;
    std::fs::write(dir.join("ca.der"), der).expect("write der");
    for name in ["first.mobileconfig", "second.mobileconfig"] {
        let profile = certlab::mobileconfig(der, &root.common_name);
        std::fs::write(dir.join(name), profile).expect("write profile");
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/mobileconfig.py");
    let (ok, text) = common::run(
        dir,
        &python(),
        &[
            &script.display().to_string(),
            "first.mobileconfig",
            "ca.der",
            "second.mobileconfig",
        ],
    );
    assert!(ok, "plistlib refused the profile: {text}");
    text.trim().to_string()
}

#[test]
fn plistlib_reads_every_required_key_and_the_root_and_the_uuids_are_stable() {
    let (a, b) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let (one, other) = (check_kit(a.path()), check_kit(b.path()));
    assert_eq!(one.len(), 36, "{one}");
    assert_ne!(one, other, "two roots, one profile UUID");
}
