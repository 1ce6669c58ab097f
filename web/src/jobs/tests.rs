use super::*;
use certlab::{Error, ErrorKind, KeyAlgorithm, Preset};

/// The engine's field names become the tools panel's labels; a message keeps its words.
#[test]
fn errors_name_the_boxes_of_the_tools_panel() {
    let e = |field: &str| Error::field(field, ErrorKind::Missing, "problem", "fix");
    for (field, csr, label) in [
        ("ca_key_password", false, "CA key passphrase: problem"),
        ("ca_cert", false, "CA certificate: problem"),
        ("names[1]", true, "CSR: problem"),
        ("common_name", false, "Name: problem"),
        ("p12_password", false, "p12_password: problem"),
    ] {
        let text = labelled(e(field), csr).to_string();
        assert!(text.starts_with(label), "{field}: {text}");
    }
}

fn mtls() -> Kit {
    certlab::generate(&Preset::Mtls.spec(KeyAlgorithm::EcdsaP256)).expect("kit")
}

fn file(kit: &Kit, path: &str) -> Vec<u8> {
    let a = kit.artifacts.iter().find(|a| a.path == path);
    a.map(|a| a.bytes.clone()).expect(path)
}

/// The kit's root: its name, certificate and key.
fn root(kit: &Kit) -> (String, Vec<u8>, Vec<u8>) {
    let root = kit.manifest.identities.iter().find(|i| i.role.is_ca());
    let root = root.expect("a CA");
    let key = file(kit, root.files.key.as_ref().expect("key"));
    (root.name.clone(), file(kit, &root.files.cert), key)
}

/// Each job as the page sends it, through [`run`], with the bytes in the documented order.
#[test]
fn jobs_run_on_the_bytes_the_page_sends() {
    let kit = mtls();
    let (root_name, cert, key) = root(&kit);

    let (out, zip) = run(
        &Job::Inspect { password: None },
        std::slice::from_ref(&cert),
    );
    assert!(zip.is_none());
    let JobOutcome::Inspected(i) = out else {
        panic!("{out:?}")
    };
    assert_eq!(i.items.len(), 1);

    let issue = Job::Issue {
        ca_pass: String::new(),
        role: Role::Client,
        leaf_name: "carol".into(),
    };
    let (out, zip) = run(&issue, &[cert.clone(), key.clone(), Vec::new()]);
    let JobOutcome::Issued { who, files } = out else {
        panic!("{out:?}")
    };
    assert_eq!(who, "carol");
    assert!(files > 3);
    assert!(certlab::is_zip(&zip.expect("a zip")));

    // A CSR that is not one: the message names the panel's CSR box.
    let (out, _) = run(&issue, &[cert.clone(), key.clone(), b"not a CSR".to_vec()]);
    let JobOutcome::Failed(m) = out else {
        panic!("{out:?}")
    };
    assert!(m.starts_with("CSR"), "{m}");

    let leaf = kit
        .manifest
        .identities
        .iter()
        .find(|i| !i.role.is_ca() && i.issuer == root_name);
    let leaf = file(&kit, &leaf.expect("a leaf of the root").files.cert);
    let revoke = Job::Revoke {
        ca_name: root_name.clone(),
        crl_path: "ca.crl".into(),
    };
    let (out, _) = run(
        &revoke,
        &[cert.clone(), key.clone(), leaf.clone(), Vec::new()],
    );
    let JobOutcome::Revoked {
        crl_pem: Some(crl),
        said,
    } = out
    else {
        panic!("{out:?}")
    };
    assert!(said.starts_with("Revoked: serial"), "{said}");
    // Again on top of that CRL: already there, no new CRL.
    let (out, _) = run(&revoke, &[cert, key, leaf, crl.into_bytes()]);
    let JobOutcome::Revoked {
        crl_pem: None,
        said,
    } = out
    else {
        panic!("{out:?}")
    };
    assert!(said.contains("already in ca.crl"), "{said}");
}

/// Bad input is a sentence, never a panic; missing byte arrays read as empty.
#[test]
fn bad_input_is_a_sentence() {
    let (out, _) = run(&Job::Inspect { password: None }, &[b"hello".to_vec()]);
    assert!(matches!(out, JobOutcome::Failed(m) if !m.is_empty()));
    let (out, zip) = run(
        &Job::Revoke {
            ca_name: "x".into(),
            crl_path: "x.crl".into(),
        },
        &[],
    );
    assert!(matches!(out, JobOutcome::Failed(m) if !m.is_empty()));
    assert!(zip.is_none());
}

/// The cards' facts: usages from the certificate, findings from lint, in the manifest's order.
#[test]
fn card_facts_follow_the_manifest() {
    let kit = mtls();
    let facts = card_facts(&kit);
    let names: Vec<_> = kit
        .manifest
        .identities
        .iter()
        .map(|i| i.name.clone())
        .collect();
    assert_eq!(
        facts.iter().map(|f| f.name.clone()).collect::<Vec<_>>(),
        names
    );
    for (f, i) in facts.iter().zip(&kit.manifest.identities) {
        match i.role {
            Role::Server => assert_eq!(f.usage, ["serverAuth"], "{}", i.name),
            Role::Client => assert_eq!(f.usage, ["clientAuth"], "{}", i.name),
            _ => {}
        }
    }
}

/// Every outcome crosses to the page as JSON and back (the reply the worker posts).
#[test]
fn every_outcome_survives_the_trip_to_the_page() {
    use crate::protocol::JobReply;
    let kit = mtls();
    let (_, cert, key) = root(&kit);
    let issue = Job::Issue {
        ca_pass: String::new(),
        role: Role::Server,
        leaf_name: "a.test".into(),
    };
    for (job, bytes) in [
        (Job::Inspect { password: None }, vec![cert.clone()]),
        (Job::Inspect { password: None }, vec![b"junk".to_vec()]),
        (issue, vec![cert.clone(), key.clone(), Vec::new()]),
        (
            Job::Revoke {
                ca_name: "root".into(),
                crl_path: "ca.crl".into(),
            },
            vec![cert, key, Vec::new(), Vec::new()],
        ),
    ] {
        let (outcome, _) = run(&job, &bytes);
        let text = serde_json::to_string(&JobReply {
            id: 7,
            outcome: outcome.clone(),
        })
        .expect("JSON");
        let back: JobReply = serde_json::from_str(&text).expect("read back");
        assert_eq!(back.id, 7);
        assert_eq!(
            format!("{:?}", back.outcome),
            format!("{outcome:?}"),
            "{text}"
        );
    }
}
