//! Two more independent verifiers, for every key type: pyca/cryptography (Python's X.509 stack:
//! path building, name constraints, EKU, both PKCS#12 flavours, encrypted keys; see
//! `tests/py/verify_kit.py`) and NSS, what Firefox and Chromium on Linux use (`certutil -A` of
//! the roots, `pk12util` of every leaf's two .p12 files, `certutil -V` for its usage).
//!
//! The kit has every role: root, intermediate, a separate client CA, a server with a wildcard,
//! a client with an e-mail SAN and one without, devices, and encrypted keys. The Python and
//! NSS tools are installed by the README's test command (`scripts/test`).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use certlab::KeyAlgorithm;
use certlab::{CaSpec, ClientSpec, DeviceBatch, ServerSpec};
use std::path::Path;

const P12: &str = "changeit";
const KEY_PASSWORD: &str = "s3cret";

fn spec(alg: KeyAlgorithm) -> certlab::Spec {
    let mut spec = certlab::Preset::Mtls.spec(alg);
    spec.intermediate = Some(CaSpec {
        key: alg,
        ..CaSpec::named("inter", "certlab Intermediate CA", 1825)
    });
    spec.client_ca = Some(CaSpec {
        key: alg,
        ..CaSpec::named("client-ca", "certlab Client CA", 3650)
    });
    spec.servers = vec![ServerSpec {
        names: vec![
            "localhost".into(),
            "*.dev.lab".into(),
            "127.0.0.1".into(),
            "::1".into(),
        ],
        key: alg,
        ..ServerSpec::default()
    }];
    spec.clients[0] = ClientSpec {
        name: "alice".into(),
        common_name: "alice".into(),
        email: Some("alice@example.test".into()),
        key: alg,
        ..ClientSpec::default()
    };
    spec.devices = vec![DeviceBatch {
        pattern: "meter-{n:02}".into(),
        count: 2,
        key: alg,
        ..DeviceBatch::default()
    }];
    spec.key_password = Some(KEY_PASSWORD.into());
    spec
}

fn python() -> String {
    std::env::var("CERTLAB_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn pyca(dir: &Path) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/verify_kit.py");
    let script = script.display().to_string();
    let (ok, text) = common::run(dir, &python(), &[&script, ".", P12, KEY_PASSWORD]);
    assert!(ok, "pyca/cryptography refused the kit: {text}");
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// A fresh NSS database in `dir` with the roots of the kit in `kit` trusted for TLS.
fn nss_db(kit: &Path, dir: &Path) -> (bool, String) {
    let db = format!("sql:{}", dir.display());
    let (ok, text) = common::run(kit, "certutil", &["-N", "-d", &db, "--empty-password"]);
    assert!(ok, "certutil -N: {text}");
    for root in ["ca", "client-ca"] {
        let crt = format!("{root}.crt");
        let (ok, text) = common::run(
            kit,
            "certutil",
            &["-A", "-d", &db, "-n", root, "-t", "CT,C,C", "-i", &crt],
        );
        if !ok {
            return (false, text);
        }
    }
    (true, db)
}

#[test]
fn pyca_cryptography_and_nss_accept_every_key_type() {
    for alg in KeyAlgorithm::ALL {
        let (_tmp, kit) = common::write_kit(&certlab::generate(&spec(alg)).expect("kit"));
        let checked = &pyca(&kit)["checked"];
        if alg == KeyAlgorithm::Ed25519 {
            // The verifier follows the CA/B Forum profile, which has no Ed25519 (certlab's
            // Ed25519 lint says so): every leaf is refused for it; the files still open.
            assert_eq!(checked["ed25519_refused"], 5, "{alg:?}: {checked}");
        } else {
            assert_eq!(checked["server_names"], 4, "{alg:?}: {checked}");
            assert_eq!(
                checked["clients"], 1,
                "{alg:?}: alice (e-mail SAN): {checked}"
            );
            // bob and the two devices have no SAN: refused, as the lint warns.
            assert_eq!(checked["clients_without_san"], 3, "{alg:?}: {checked}");
        }
        assert_eq!(
            checked["p12"], 10,
            "{alg:?}: both flavours of 5 leaves: {checked}"
        );
        assert_eq!(checked["keys"], 8, "{alg:?}: every key file: {checked}");

        let tmp = tempfile::tempdir().expect("tempdir");
        let (ok, db) = nss_db(&kit, tmp.path());
        if alg == KeyAlgorithm::Ed25519 {
            // NSS 3.87 will not add an Ed25519 root (platform-rules.md): asserted, not skipped.
            assert!(
                !ok,
                "NSS accepted an Ed25519 root; update the Ed25519 lint: {db}"
            );
            continue;
        }
        assert!(ok, "{alg:?}: certutil -A refused a root: {db}");
        for (leaf, usage) in [
            ("server", "V"),
            ("alice", "C"),
            ("bob", "C"),
            ("devices/meter-01", "C"),
        ] {
            for p12 in [format!("{leaf}.p12"), format!("{leaf}.modern.p12")] {
                let (ok, text) = common::run(&kit, "pk12util", &["-i", &p12, "-d", &db, "-W", P12]);
                assert!(ok, "{alg:?}: pk12util refused {p12}: {text}");
            }
            let cn = leaf.rsplit('/').next().unwrap_or(leaf);
            let nick = if leaf == "server" {
                "CN=localhost".to_string()
            } else {
                format!("CN={cn}")
            };
            let (ok, text) = common::run(
                &kit,
                "certutil",
                &["-V", "-u", usage, "-n", &nick, "-d", &db],
            );
            assert!(
                ok && text.contains("certificate is valid"),
                "{alg:?}: NSS does not accept {leaf} for usage {usage}: {text}"
            );
        }
        // The usage check is real: a client certificate is not a TLS server.
        let (ok, text) = common::run(
            &kit,
            "certutil",
            &["-V", "-u", "V", "-n", "CN=alice", "-d", &db],
        );
        assert!(!ok, "{alg:?}: NSS accepted a client as a server: {text}");
    }
}
