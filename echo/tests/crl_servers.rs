//! Revocation in the servers users run: the kit's own nginx `server {}` block and
//! `mosquitto.conf` with their commented revocation line switched on (`ssl_crl`, `crlfile`),
//! after `certlab::revoke` (what `certlab revoke` runs) added a client to its CA's CRL. The
//! revoked client is refused, another client of the same CA still gets in, and the servers
//! say why. Real programs: Debian's nginx and mosquitto, curl and mosquitto_pub.

mod common;

use certlab::{KeyAlgorithm, Preset, Revocation, RevokeTarget};
use common::peers::{endpoint, mosquitto_on, need, nginx_serving, run_snippet, snippet};
use common::{KitDir, free_port, write_kit};
use std::process::Command;
use std::time::Duration;

/// Revokes `leaf` (a certificate file of the kit) in the CRL of CA `ca` (NAME.crt/.key/.crl).
fn revoke(k: &KitDir, ca: &str, leaf: &str) {
    let read = |f: &str| std::fs::read(k.path(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    let imported = certlab::import_ca(
        &read(&format!("{ca}.crt")),
        &read(&format!("{ca}.key")),
        None,
        certlab::now_utc(),
    )
    .expect("the kit's CA");
    let crl_file = format!("{ca}.crl");
    match certlab::revoke(
        &imported,
        Some(&read(&crl_file)),
        RevokeTarget::Cert(&read(leaf)),
        None,
        certlab::now_utc(),
    )
    .expect("revoke")
    {
        Revocation::Revoked { crl, .. } => std::fs::write(k.path(&crl_file), crl.pem()).unwrap(),
        Revocation::AlreadyRevoked(r) => panic!("already revoked: {r:?}"),
    }
}

/// The snippet's commented revocation line, switched on.
fn uncomment(text: &str, directive: &str) -> String {
    let on = text.replace(&format!("# {directive} "), &format!("{directive} "));
    assert_ne!(on, text, "the snippet has no `# {directive}` line:\n{text}");
    on
}

#[test]
fn nginx_ssl_crl_refuses_the_revoked_client() {
    let k = write_kit(certlab::generate(&Preset::Mtls.spec(KeyAlgorithm::EcdsaP256)).expect("kit"));
    revoke(&k, "ca", "alice.crt");
    let at = endpoint(free_port(), 0, 0);
    let block = uncomment(&snippet(&k.kit.manifest, &at, "nginx").text, "ssl_crl");
    assert!(block.contains("\n    ssl_crl ca.crl;\n"), "{block}");
    let dir = k.dir.path();
    let nginx = nginx_serving(dir, &block, at.port);
    let alice = snippet(&k.kit.manifest, &at, "curl-mtls");
    let refused = run_snippet(dir, &alice);
    assert!(!refused.ok, "nginx served revoked alice:\n{}", refused.out);
    assert!(refused.out.contains("400"), "{}", refused.out);
    assert!(
        nginx.wait_log_for("certificate revoked", Duration::from_secs(60)),
        "nginx did not log the revocation:\n{}",
        nginx.log()
    );
    let mut bob = alice.clone();
    bob.text = alice.text.replace("alice", "bob");
    let served = run_snippet(dir, &bob);
    assert!(
        served.ok,
        "{}\n{}\nnginx:\n{}",
        bob.text,
        served.out,
        nginx.log()
    );
    assert!(
        served.out.contains("hello CN=bob (SUCCESS)"),
        "{}",
        served.out
    );
}

#[test]
fn mosquitto_crlfile_refuses_the_revoked_device() {
    need("mosquitto_pub", "ensure_mosquitto");
    let k = write_kit(certlab::generate(&Preset::Iot.spec(KeyAlgorithm::EcdsaP256)).expect("kit"));
    // Devices are issued by the intermediate: mosquitto checks the CRL of the device's issuer.
    revoke(&k, "inter", "devices/sensor-0001.crt");
    let at = endpoint(free_port(), free_port(), free_port());
    let conf = uncomment(
        &snippet(&k.kit.manifest, &at, "mosquitto-conf").text,
        "crlfile",
    );
    assert_eq!(
        conf.matches("\ncrlfile inter.crl\n").count(),
        2,
        "both listeners:\n{conf}"
    );
    let broker = mosquitto_on(k.dir.path(), &conf, &at);
    let first = snippet(&k.kit.manifest, &at, "mosquitto-pub");
    assert!(first.text.contains("sensor-0001"), "{}", first.text);
    let refused = run_snippet(k.dir.path(), &first);
    assert!(
        !refused.ok,
        "mosquitto served the revoked device:\n{}\n{}",
        refused.out,
        broker.log()
    );
    // mosquitto logs only "certificate verify failed"; openssl, given the same CRL, says why.
    assert!(
        broker.wait_log_for("certificate verify failed", Duration::from_secs(60)),
        "{}",
        broker.log()
    );
    let why = common::peers::run_bounded(
        Command::new("openssl")
            .args([
                "verify",
                "-CAfile",
                "ca.crt",
                "-untrusted",
                "inter.crt",
                "-crl_check",
            ])
            .args(["-CRLfile", "inter.crl", "devices/sensor-0001.crt"])
            .current_dir(k.dir.path()),
        Duration::from_secs(60),
    );
    assert!(
        !why.ok && why.out.contains("certificate revoked"),
        "{}",
        why.out
    );
    let mut other = first.clone();
    other.text = first.text.replace("sensor-0001", "sensor-0002");
    let served = run_snippet(k.dir.path(), &other);
    assert!(
        served.ok,
        "{}\n{}\nbroker:\n{}",
        other.text,
        served.out,
        broker.log()
    );
    assert!(broker.log().contains("u'sensor-0002'"), "{}", broker.log());
}
