//! Issue 13 §2: `certlab::add_to_kit` with any `manifest.json` a folder might hold (the input,
//! as JSON) and a real leaf: no panic, and what it returns never writes a file the manifest
//! already lists (only README.txt and manifest.json are rewritten).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// One leaf kit, made once (keys are slow; the manifest is what varies).
fn leaf() -> &'static certlab::Kit {
    static KIT: OnceLock<certlab::Kit> = OnceLock::new();
    KIT.get_or_init(|| {
        let kit = certlab::generate(&certlab::Preset::Dev.spec(certlab::KeyAlgorithm::EcdsaP256))
            .expect("a kit");
        let pem = |p: &str| kit.get(p).expect(p).bytes.clone();
        let ca = certlab::import_ca(&pem("ca.crt"), &pem("ca.key"), None, certlab::now_utc())
            .expect("its CA");
        let spec = certlab::LeafSpec {
            common_name: "bob".into(),
            ..Default::default()
        };
        certlab::issue_leaf(&ca, &spec, None, &certlab::Options::default()).expect("a leaf")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(existing) = serde_json::from_slice::<certlab::Manifest>(data) else {
        return;
    };
    let Ok(added) = certlab::add_to_kit(&existing, leaf()) else {
        return;
    };
    let listed: Vec<&str> = existing
        .identities
        .iter()
        .flat_map(|i| [i.files.cert.as_str(), i.files.der.as_str()])
        .collect();
    for a in &added.artifacts {
        if a.path != "README.txt" && a.path != "manifest.json" {
            assert!(!listed.iter().any(|l| l.eq_ignore_ascii_case(&a.path)), "{}", a.path);
        }
    }
    assert!(added.manifest.identities.len() > existing.identities.len());
});
