//! The bad-input catalogue: every rejected input yields its error variant, names the field it
//! came from, says how to fix it — and never panics. After all of them, a good spec still
//! generates (nothing was lost).

mod common;

use certlab::{CaSpec, ClientSpec, DeviceBatch, KeyEncryption, NameConstraints, ServerSpec};
use certlab::{Error, ErrorKind, KeyAlgorithm, Options, Preset, Role, Spec};
use certlab::{LeafSpec, issue_leaf};
use common::{openssl_rsa_pkcs8, write_kit};

fn dev() -> Spec {
    Preset::Dev.spec(KeyAlgorithm::EcdsaP256)
}

fn server_names(names: &[&str]) -> Spec {
    let mut s = dev();
    s.servers[0].names = names.iter().map(|n| n.to_string()).collect();
    s
}

/// Asserts that `r` failed with `kind` on a field containing `field`, and that the message
/// quotes the field and offers a fix.
#[track_caller]
fn expect<T: std::fmt::Debug>(r: Result<T, Error>, kind: ErrorKind, field: &str) {
    let e = r.expect_err("input should be refused");
    let errs = e.field_errors();
    assert!(!errs.is_empty(), "expected a field error, got {e:?}");
    let hit = errs
        .iter()
        .find(|fe| fe.kind == kind && fe.field.contains(field));
    let Some(hit) = hit else {
        panic!("expected {kind:?} on `{field}`, got {errs:#?}")
    };
    assert!(!hit.problem.is_empty() && !hit.fix.is_empty(), "{hit:?}");
    assert!(
        e.to_string().contains(&hit.field),
        "the message must name the field: {e}"
    );
}

fn make(s: Spec) -> Result<certlab::Kit, Error> {
    certlab::generate(&s)
}

#[test]
fn names() {
    expect(
        make(server_names(&["bad_name.lab"])),
        ErrorKind::InvalidDnsName,
        "servers[0].names[0]",
    );
    expect(
        make(server_names(&["ok.lab", "-dash.lab"])),
        ErrorKind::InvalidDnsName,
        "servers[0].names[1]",
    );
    expect(
        make(server_names(&[&format!("{}.lab", "a".repeat(64))])),
        ErrorKind::InvalidDnsName,
        "servers[0].names[0]",
    );
    expect(
        make(server_names(&[&format!("{}.lab", "a.".repeat(130))])),
        ErrorKind::TooLong,
        "servers[0].names[0]",
    );
    expect(
        make(server_names(&[""])),
        ErrorKind::Missing,
        "servers[0].names[0]",
    );
    expect(
        make(server_names(&["a..lab"])),
        ErrorKind::InvalidDnsName,
        "servers[0].names[0]",
    );
    expect(
        make(server_names(&["bücher.lab"])),
        ErrorKind::InvalidDnsName,
        "servers[0].names[0]",
    );
    expect(
        make(server_names(&["host.lab."])),
        ErrorKind::InvalidDnsName,
        "servers[0].names[0]",
    );
    expect(
        make(server_names(&["a.123"])),
        ErrorKind::InvalidDnsName,
        "servers[0].names[0]",
    );
    expect(
        make(server_names(&[])),
        ErrorKind::Missing,
        "servers[0].names",
    );
}

#[test]
fn addresses() {
    expect(
        make(server_names(&["256.1.1.1"])),
        ErrorKind::InvalidIp,
        "servers[0].names[0]",
    );
    expect(
        make(server_names(&["127.0.0"])),
        ErrorKind::InvalidIp,
        "servers[0].names[0]",
    );
    expect(
        make(server_names(&["fe80::1%eth0"])),
        ErrorKind::InvalidIp,
        "servers[0].names[0]",
    );
    expect(
        make(server_names(&["::1::2"])),
        ErrorKind::InvalidIp,
        "servers[0].names[0]",
    );
}

#[test]
fn wildcards() {
    expect(
        make(server_names(&["*.com"])),
        ErrorKind::BadWildcard,
        "servers[0].names[0]",
    );
    expect(
        make(server_names(&["*.lab"])),
        ErrorKind::BadWildcard,
        "servers[0].names[0]",
    );
    expect(
        make(server_names(&["a.*.b.lab"])),
        ErrorKind::BadWildcard,
        "servers[0].names[0]",
    );
    expect(
        make(server_names(&["f*o.dev.lab"])),
        ErrorKind::BadWildcard,
        "servers[0].names[0]",
    );
    expect(
        make(server_names(&["*.*.dev.lab"])),
        ErrorKind::BadWildcard,
        "servers[0].names[0]",
    );
}

#[test]
fn validity() {
    let mut s = dev();
    s.servers[0].days = 0;
    expect(make(s), ErrorKind::InvalidValidity, "servers[0].days");
    let mut s = dev();
    s.root.days = 50_000;
    expect(make(s), ErrorKind::InvalidValidity, "root.days");
    let mut s = dev();
    s.servers[0].days = 4000;
    expect(make(s), ErrorKind::OutlivesIssuer, "servers[0].days");
    let mut s = dev();
    s.intermediate = Some(CaSpec {
        days: 4000,
        ..CaSpec::named("inter", "Inter", 4000)
    });
    expect(make(s), ErrorKind::OutlivesIssuer, "intermediate.days");
    let mut s = dev();
    s.clients.push(ClientSpec {
        days: 3651,
        ..ClientSpec::default()
    });
    expect(make(s), ErrorKind::OutlivesIssuer, "clients[0].days");
}

#[test]
fn passwords_and_key_settings() {
    let mut s = dev();
    s.p12_password.clear();
    expect(make(s), ErrorKind::EmptyPassword, "p12_password");
    let mut s = dev();
    s.key_password = Some(String::new());
    expect(make(s), ErrorKind::EmptyPassword, "key_password");
    let mut s = dev();
    s.key_encryption = KeyEncryption::Pbkdf2 { iterations: 1 };
    expect(make(s), ErrorKind::BadCount, "key_encryption.iterations");
}

#[test]
fn keys_handed_in() {
    let tmp = tempfile::tempdir().expect("tmp");
    let weak = openssl_rsa_pkcs8(tmp.path(), 1024);
    let spec = Preset::Dev.spec(KeyAlgorithm::Rsa2048);
    let opts = Options {
        keys: [("server".to_string(), weak)].into(),
        ..Default::default()
    };
    expect(
        certlab::generate_with(&spec, &opts, &mut |_| {}),
        ErrorKind::WeakKey,
        "keys.server",
    );
    // A P-256 key where the spec asks for RSA.
    let p256 = certlab::KeyPair::generate(KeyAlgorithm::EcdsaP256)
        .expect("key")
        .pkcs8_der()
        .to_vec();
    let opts = Options {
        keys: [("server".to_string(), p256)].into(),
        ..Default::default()
    };
    expect(
        certlab::generate_with(&spec, &opts, &mut |_| {}),
        ErrorKind::KeyMismatch,
        "keys.server",
    );
    let opts = Options {
        keys: [("server".to_string(), vec![0x30, 0x03, 0x02, 0x01])].into(),
        ..Default::default()
    };
    expect(
        certlab::generate_with(&spec, &opts, &mut |_| {}),
        ErrorKind::BadDer,
        "keys.server",
    );
}

#[test]
fn identities() {
    let mut s = dev();
    s.clients.push(ClientSpec {
        common_name: "".into(),
        ..ClientSpec::default()
    });
    expect(make(s), ErrorKind::Missing, "clients[0].common_name");
    let mut s = dev();
    s.clients.push(ClientSpec {
        common_name: "x".repeat(65),
        ..ClientSpec::default()
    });
    expect(make(s), ErrorKind::TooLong, "clients[0].common_name");
    let mut s = dev();
    s.clients.push(ClientSpec {
        common_name: "server".into(),
        ..ClientSpec::default()
    });
    expect(make(s), ErrorKind::DuplicateName, "clients[0].name");
    let mut s = dev();
    s.clients.push(ClientSpec {
        name: "../evil".into(),
        common_name: "evil".into(),
        ..ClientSpec::default()
    });
    expect(make(s), ErrorKind::BadFileName, "clients[0].name");
    let mut s = dev();
    s.clients.push(ClientSpec {
        email: Some("alice@".into()),
        ..ClientSpec::default()
    });
    expect(make(s), ErrorKind::InvalidEmail, "clients[0].email");
    let mut s = dev();
    s.root.common_name = "  ".into();
    expect(make(s), ErrorKind::Missing, "root.common_name");
}

#[test]
fn devices() {
    let mut s = dev();
    s.devices.push(DeviceBatch {
        pattern: "sensor".into(),
        ..DeviceBatch::default()
    });
    expect(make(s), ErrorKind::BadPattern, "devices[0].pattern");
    let mut s = dev();
    s.devices.push(DeviceBatch {
        pattern: "sensor-{n:0x}".into(),
        ..DeviceBatch::default()
    });
    expect(make(s), ErrorKind::BadPattern, "devices[0].pattern");
    let mut s = dev();
    s.devices.push(DeviceBatch {
        count: 0,
        ..DeviceBatch::default()
    });
    expect(make(s), ErrorKind::BadCount, "devices[0].count");
    let mut s = dev();
    s.devices.push(DeviceBatch {
        count: 10_001,
        ..DeviceBatch::default()
    });
    expect(make(s), ErrorKind::BadCount, "devices[0].count");
    let mut s = dev();
    s.devices.push(DeviceBatch {
        pattern: "dev_{n}".into(),
        server_auth: true,
        count: 2,
        ..DeviceBatch::default()
    });
    expect(make(s), ErrorKind::InvalidDnsName, "devices[0].pattern");
    let mut s = dev();
    s.devices.push(DeviceBatch {
        start: u32::MAX,
        count: 2,
        ..DeviceBatch::default()
    });
    expect(make(s), ErrorKind::BadCount, "devices[0].start");
}

#[test]
fn name_constraints() {
    let mut s = dev();
    s.name_constraints = NameConstraints::Permitted(vec!["lab".into()]);
    expect(make(s), ErrorKind::OutsideConstraints, "servers[0]");
    let mut s = dev();
    s.name_constraints = NameConstraints::Permitted(vec!["10.0.0.0/33".into()]);
    expect(
        make(s),
        ErrorKind::InvalidIp,
        "name_constraints.permitted[0]",
    );
    let mut s = dev();
    s.name_constraints = NameConstraints::Permitted(vec!["*.lab".into()]);
    expect(
        make(s),
        ErrorKind::BadWildcard,
        "name_constraints.permitted[0]",
    );
    let mut s = dev();
    s.name_constraints = NameConstraints::Permitted(vec![]);
    expect(make(s), ErrorKind::Missing, "name_constraints.permitted");
    let mut s = dev();
    s.name_constraints = NameConstraints::Permitted(vec!["@lab.test".into()]);
    expect(
        make(s),
        ErrorKind::InvalidEmail,
        "name_constraints.permitted[0]",
    );
}

/// A kit on disk to import from.
fn kit_files() -> (tempfile::TempDir, std::path::PathBuf) {
    let mut s = Preset::Mtls.spec(KeyAlgorithm::EcdsaP256);
    s.key_password = Some("right".into());
    write_kit(&certlab::generate(&s).expect("kit"))
}

#[test]
fn imports() {
    let now = certlab::now_utc();
    let (_t, d) = kit_files();
    let read = |f: &str| std::fs::read(d.join(f)).expect(f);
    // Key of another identity.
    expect(
        certlab::import_ca(&read("ca.crt"), &read("alice.key"), Some("right"), now),
        ErrorKind::KeyMismatch,
        "ca_key",
    );
    // A leaf as issuer.
    expect(
        certlab::import_ca(&read("server.crt"), &read("server.key"), Some("right"), now),
        ErrorKind::NotACa,
        "ca_cert",
    );
    // Wrong and missing passphrase.
    expect(
        certlab::import_ca(&read("ca.crt"), &read("ca.key"), Some("wrong"), now),
        ErrorKind::WrongPassword,
        "ca_key",
    );
    expect(
        certlab::import_ca(&read("ca.crt"), &read("ca.key"), None, now),
        ErrorKind::WrongPassword,
        "ca_key",
    );
    // Garbage and truncation.
    expect(
        certlab::certificates(
            b"-----BEGIN CERTIFICATE-----\nnot base64!!\n-----END CERTIFICATE-----\n",
            "ca_cert",
        ),
        ErrorKind::BadPem,
        "ca_cert",
    );
    expect(
        certlab::certificates(b"hello, I am not a certificate", "ca_cert"),
        ErrorKind::BadDer,
        "ca_cert",
    );
    let der = read("ca.der");
    expect(
        certlab::certificates(&der[..der.len() / 2], "ca_cert"),
        ErrorKind::BadDer,
        "ca_cert",
    );
    expect(
        certlab::certificates(&read("ca.key"), "ca_cert"),
        ErrorKind::BadPem,
        "ca_cert",
    );
    expect(certlab::private_key(b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n", None, "ca_key"), ErrorKind::BadPem, "ca_key");
    expect(
        certlab::private_key(&[0x30, 0x82, 0xff], None, "ca_key"),
        ErrorKind::BadDer,
        "ca_key",
    );
    expect(certlab::parse_csr(b"garbage"), ErrorKind::BadDer, "csr");
    expect(
        certlab::parse_csr(&read("ca.crt")),
        ErrorKind::BadPem,
        "csr",
    );
    expect(
        certlab::inspect(&read("alice.p12"), Some("nope"), now),
        ErrorKind::WrongPassword,
        "password",
    );
    expect(
        certlab::inspect(&[0u8; 40], None, now),
        ErrorKind::BadDer,
        "input",
    );
}

#[test]
fn leaves_under_an_imported_ca() {
    let now = certlab::now_utc();
    let (_t, d) = kit_files();
    let read = |f: &str| std::fs::read(d.join(f)).expect(f);
    let ca = certlab::import_ca(&read("ca.crt"), &read("ca.key"), Some("right"), now).expect("ca");
    let base = LeafSpec {
        role: Role::Server,
        names: vec!["localhost".into()],
        p12_password: "pw".into(),
        ..LeafSpec::default()
    };
    expect(
        issue_leaf(
            &ca,
            &LeafSpec {
                days: 5000,
                ..base.clone()
            },
            None,
            &Options::default(),
        ),
        ErrorKind::OutlivesIssuer,
        "days",
    );
    expect(
        issue_leaf(
            &ca,
            &LeafSpec {
                names: vec!["example.com".into()],
                ..base.clone()
            },
            None,
            &Options::default(),
        ),
        ErrorKind::OutsideConstraints,
        "names",
    );
    expect(
        issue_leaf(
            &ca,
            &LeafSpec {
                names: vec![],
                ..base.clone()
            },
            None,
            &Options::default(),
        ),
        ErrorKind::Missing,
        "names",
    );
    expect(
        issue_leaf(
            &ca,
            &LeafSpec {
                p12_password: String::new(),
                ..base.clone()
            },
            None,
            &Options::default(),
        ),
        ErrorKind::EmptyPassword,
        "p12_password",
    );
    expect(
        issue_leaf(
            &ca,
            &LeafSpec {
                role: Role::RootCa,
                ..base.clone()
            },
            None,
            &Options::default(),
        ),
        ErrorKind::Inconsistent,
        "role",
    );
    // An expired CA: a kit issued 11 years ago with a 10-year root.
    let old = time::OffsetDateTime::now_utc() - time::Duration::days(4000);
    let old_kit = certlab::generate_with(
        &dev(),
        &Options {
            now: Some(old),
            ..Default::default()
        },
        &mut |_| {},
    )
    .expect("old kit");
    let (_t2, od) = write_kit(&old_kit);
    let r = certlab::import_ca(
        &std::fs::read(od.join("ca.crt")).expect("crt"),
        &std::fs::read(od.join("ca.key")).expect("key"),
        None,
        now,
    );
    expect(r, ErrorKind::Expired, "ca_cert");
}

#[test]
fn nothing_is_lost_after_errors() {
    // The same spec value, fixed after a rejection, generates: the error did not consume it.
    let mut s = server_names(&["bad_name.lab"]);
    assert!(make(s.clone()).is_err());
    s.servers[0].names = vec!["good-name.lab".into()];
    s.servers.push(ServerSpec {
        name: "second".into(),
        names: vec!["localhost".into()],
        ..ServerSpec::default()
    });
    let kit = make(s).expect("fixed spec generates");
    assert!(kit.get("server.crt").is_some() && kit.get("second.crt").is_some());
}

#[test]
fn spec_json_rejects_unknown_fields_with_their_name() {
    let err = serde_json::from_str::<Spec>(r#"{"servrs": []}"#).expect_err("typo");
    assert!(err.to_string().contains("servrs"), "{err}");
    let err = serde_json::from_str::<Spec>(r#"{"root": {"key": "rsa1024"}}"#).expect_err("bad key");
    assert!(err.to_string().contains("rsa1024"), "{err}");
}
