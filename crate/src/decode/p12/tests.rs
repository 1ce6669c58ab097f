//! The reader against certlab's own writer (both flavours); OpenSSL's files are read in
//! `crate/tests/p12_reader.rs`.

use super::*;
use crate::export::pkcs12::{Flavour, P12Writer};
use crate::{KeyAlgorithm, Preset};

/// alice's key (PKCS#8), certificate and the root, as DER.
type Alice = (Vec<u8>, Vec<u8>, Vec<u8>);

fn alice() -> Alice {
    let kit = crate::generate(&Preset::Mtls.spec(KeyAlgorithm::EcdsaP256)).expect("kit");
    let der = |path: &str| {
        pem::parse(&kit.get(path).expect(path).bytes)
            .expect(path)
            .into_contents()
    };
    (der("alice.key"), der("alice.crt"), der("ca.crt"))
}

fn write(flavour: Flavour, password: &str) -> (Vec<u8>, Alice) {
    let (key, cert, root) = alice();
    let p12 = P12Writer::new(password, flavour)
        .expect("writer")
        .write("alice", &key, &cert, std::slice::from_ref(&root))
        .expect("p12");
    (p12, (key, cert, root))
}

fn kind(e: &Error) -> (ErrorKind, String) {
    let f = &e.field_errors()[0];
    (f.kind, f.field.clone())
}

#[test]
fn both_flavours_give_the_key_its_certificate_then_the_root() {
    for flavour in [Flavour::Compatible, Flavour::Modern] {
        let (p12, (key, cert, root)) = write(flavour, "s3cret");
        let got = read_p12(&p12, "s3cret", "file", "pw").expect("read");
        assert_eq!(got.keys, vec![(key, vec![cert, root])], "{flavour:?}");
        assert!(got.certs.is_empty(), "{flavour:?}");
    }
}

#[test]
fn a_wrong_password_is_blamed_on_the_password() {
    for flavour in [Flavour::Compatible, Flavour::Modern] {
        let (p12, _) = write(flavour, "s3cret");
        let e = read_p12(&p12, "S3cret", "file", "pw").expect_err("wrong password");
        assert_eq!(kind(&e), (ErrorKind::WrongPassword, "pw".into()), "{e}");
    }
}

#[test]
fn a_cut_file_is_damaged_not_a_wrong_password() {
    let (p12, _) = write(Flavour::Modern, "s3cret");
    let e = read_p12(&p12[..p12.len() - 9], "s3cret", "file", "pw").expect_err("cut");
    assert_eq!(kind(&e), (ErrorKind::BadDer, "file".into()), "{e}");
}

#[test]
fn a_costly_mac_is_refused_before_it_is_computed() {
    let (p12, _) = write(Flavour::Compatible, "s3cret");
    let mut pfx = Pfx::from_der(&p12).expect("pfx");
    pfx.mac_data.as_mut().expect("mac").iterations = i32::MAX;
    let e = read_p12(&pfx.to_der().expect("der"), "s3cret", "file", "pw").expect_err("cost");
    assert_eq!(kind(&e), (ErrorKind::TooCostly, "file".into()), "{e}");
    assert!(e.to_string().contains("2147483647 MAC iterations"), "{e}");
}

#[test]
fn an_unknown_mac_digest_is_named() {
    let (p12, _) = write(Flavour::Modern, "s3cret");
    let mut pfx = Pfx::from_der(&p12).expect("pfx");
    pfx.mac_data.as_mut().expect("mac").mac.algorithm.oid = oid::PBMAC1;
    let e = read_p12(&pfx.to_der().expect("der"), "s3cret", "file", "pw").expect_err("pbmac1");
    assert_eq!(
        kind(&e),
        (ErrorKind::UnsupportedAlgorithm, "file".into()),
        "{e}"
    );
    assert!(e.to_string().contains("PBMAC1"), "{e}");
}

#[test]
fn certificates_pair_by_local_key_id_and_chain_by_name() {
    let (_, (key, cert, root)) = write(Flavour::Modern, "x");
    // The root first and the leaf last, as some exporters order them; a stray copy of the
    // root stays with no key.
    let bags = Bags {
        keys: vec![(key.clone(), Some(vec![7]))],
        certs: vec![
            (root.clone(), None),
            (cert.clone(), Some(vec![7])),
            (root.clone(), None),
        ],
    };
    let got = bags.pair();
    assert_eq!(
        got.keys,
        vec![(key.clone(), vec![cert.clone(), root.clone()])]
    );
    assert_eq!(got.certs, vec![root.clone()]);
    // No localKeyId: the key goes alone and the certificates stay loose.
    let bags = Bags {
        keys: vec![(key.clone(), None)],
        certs: vec![(cert.clone(), None)],
    };
    let got = bags.pair();
    assert_eq!(got.keys, vec![(key, vec![])]);
    assert_eq!(got.certs, vec![cert]);
}

/// Every cut and every flipped byte of a file without a MAC (so that damage reaches the bags,
/// the key's PBES2 parameters and the decryption, not just the MAC) gives an answer, never a
/// panic; a cut is never blamed on the password.
#[test]
fn damage_anywhere_is_an_error_not_a_panic() {
    for flavour in [Flavour::Compatible, Flavour::Modern] {
        let (p12, _) = write(flavour, "s3cret");
        let mut pfx = Pfx::from_der(&p12).expect("pfx");
        pfx.mac_data = None;
        let bare = pfx.to_der().expect("der");
        assert!(
            read_p12(&bare, "s3cret", "file", "pw").is_ok(),
            "{flavour:?}"
        );
        for cut in 0..bare.len() {
            let e = read_p12(&bare[..cut], "s3cret", "file", "pw").expect_err("cut");
            assert_eq!(kind(&e).1, "file", "{flavour:?} cut at {cut}: {e}");
        }
        // One flip per byte that changes a tag's class and number or a length's form and
        // value alike (three flips per byte took 50 s in a debug build).
        for at in 0..bare.len() {
            let mut b = bare.clone();
            b[at] ^= 0xa5;
            let _ = read_p12(&b, "s3cret", "file", "pw");
        }
    }
}
