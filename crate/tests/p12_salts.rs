//! Issue 13 §5: no two PKCS#12 bags of a kit share a (key, IV) pair.
//!
//! PBE-SHA1-3DES (the compatible flavour) derives the IV from the password and the salt, so a
//! salt shared by two files is deterministic CBC. Every compatible file must carry its own salt
//! (its two bags share it, and their first blocks differ); the modern flavour (PBES2) must
//! carry its own IV per bag. No first ciphertext block may repeat anywhere in the kit.

use certlab::{ArtifactKind, KeyAlgorithm, Preset};
use cms::encrypted_data::EncryptedData;
use der::{Decode, Encode};
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::SafeBag;
use std::collections::HashSet;

/// (algorithm parameters, first ciphertext block) of every encrypted bag of one .p12.
fn encrypted_bags(p12: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let pfx = Pfx::from_der(p12).expect("a .p12");
    let auth = der::asn1::OctetString::from_der(&pfx.auth_safe.content.to_der().unwrap()).unwrap();
    let infos = Vec::<cms::content_info::ContentInfo>::from_der(auth.as_bytes()).unwrap();
    let mut out = Vec::new();
    for info in infos {
        let body = info.content.to_der().unwrap();
        if info.content_type == der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6") {
            let ed = EncryptedData::from_der(&body).unwrap();
            let alg = ed.enc_content_info.content_enc_alg;
            let ct = ed.enc_content_info.encrypted_content.unwrap();
            out.push((
                alg.parameters.unwrap().to_der().unwrap(),
                ct.as_bytes()[..8].to_vec(),
            ));
        } else {
            let bags = der::asn1::OctetString::from_der(&body).unwrap();
            for bag in Vec::<SafeBag>::from_der(bags.as_bytes()).unwrap() {
                // Decoded, bag_value still holds its explicit [0] wrapper.
                let inner = der::Any::from_der(&bag.bag_value).unwrap();
                let epki =
                    pkcs12::pbe_params::EncryptedPrivateKeyInfo::from_der(inner.value()).unwrap();
                let params = epki
                    .encryption_algorithm
                    .parameters
                    .unwrap()
                    .to_der()
                    .unwrap();
                out.push((params, epki.encrypted_data.as_bytes()[..8].to_vec()));
            }
        }
    }
    out
}

#[test]
fn no_two_bags_of_a_kit_share_salt_iv_or_first_block() {
    let mut spec = Preset::Iot.spec(KeyAlgorithm::EcdsaP256);
    spec.devices[0].count = 12;
    spec.clients.push(certlab::ClientSpec {
        name: "alice".into(),
        common_name: "alice".into(),
        ..Default::default()
    });
    let kit = certlab::generate(&spec).unwrap();
    for kind in [ArtifactKind::P12Compat, ArtifactKind::P12Modern] {
        let files: Vec<_> = kit.artifacts.iter().filter(|a| a.kind == kind).collect();
        assert!(files.len() >= 14, "{kind:?}: {} files", files.len());
        let (mut params, mut blocks) = (HashSet::new(), HashSet::new());
        let mut bags = 0;
        for a in &files {
            let mut own = HashSet::new();
            for (p, first) in encrypted_bags(&a.bytes) {
                bags += 1;
                assert!(
                    blocks.insert(first),
                    "{kind:?}: {} repeats a first block",
                    a.path
                );
                own.insert(p);
            }
            // Parameters hold the salt (compatible: one per file) or the IV (modern: one per
            // bag); no file may use another file's.
            for p in own {
                assert!(
                    params.insert(p),
                    "{kind:?}: {} repeats another file's salt/IV",
                    a.path
                );
            }
        }
        assert_eq!(
            bags,
            2 * files.len(),
            "{kind:?}: a key bag and a certificate bag per file"
        );
    }
}
