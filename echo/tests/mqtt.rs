//! MQTT, the IoT job, with a real broker: Debian's mosquitto started on free loopback ports
//! with the kit's own `mosquitto.conf` snippet (verbatim, after a few test-only lines: log to
//! stderr, no persistence), the broker presenting its full chain, `require_certificate true`,
//! `use_identity_as_username true`. The kit's `mosquitto_sub`/`mosquitto_pub` lines and its
//! paho-mqtt scripts (TLS on the 8883-style listener, WebSockets with TLS on the 8884-style
//! one) exchange a message; the broker logs the device's CN as its user; a device of another
//! kit, a client without a certificate, an expired device and a client trusting another root
//! are refused; `certlab-echo probe tls://` diagnoses the listener.

mod common;

use certlab::{KeyAlgorithm, LeafSpec, Options, Preset, Role};
use common::peers::{
    Served, encrypted, endpoint, mosquitto_on, need, python_with, run_bounded, run_snippet, snippet,
};
use common::{KitDir, Proc, free_port, write_kit};
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use time::Duration as Days;

/// An IoT kit (root → intermediate → broker and 10 devices) issued three days ago, plus
/// `expired/expired-0001.*`: a device of the same intermediate whose one day ended two days ago.
fn iot_kit_with_expired_device() -> KitDir {
    let then = certlab::now_utc() - Days::days(3);
    let spec = Preset::Iot.spec(KeyAlgorithm::EcdsaP256);
    let opts = Options {
        now: Some(then),
        ..Options::default()
    };
    let k = write_kit(certlab::generate_with(&spec, &opts, &mut |_| {}).expect("iot kit"));
    let read = |f: &str| std::fs::read(k.path(f)).expect(f);
    let at = then + Days::hours(2);
    let ca = certlab::import_ca(&read("inter.crt"), &read("inter.key"), None, at).expect("ca");
    let leaf = LeafSpec {
        role: Role::Device,
        name: "expired-0001".into(),
        common_name: "expired-0001".into(),
        key: KeyAlgorithm::EcdsaP256,
        days: 1,
        p12_password: "changeit".into(),
        ..LeafSpec::default()
    };
    let opts = Options {
        now: Some(at),
        ..Options::default()
    };
    let expired = certlab::issue_leaf(&ca, &leaf, None, &opts).expect("expired device");
    for a in &expired.artifacts {
        let p = k.path("expired").join(&a.path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, &a.bytes).expect("write");
    }
    k
}

/// mosquitto on the kit's config snippet, in the kit's folder; waits for both listeners.
fn broker(k: &KitDir, at: &certlab::Endpoint) -> Proc {
    mosquitto_on(
        k.dir.path(),
        &snippet(&k.kit.manifest, at, "mosquitto-conf").text,
        at,
    )
}

/// `mosquitto_pub` as the kit's snippet writes it, with another identity's files in `cert`
/// and `key` (`None`: no client certificate at all), run in `dir`.
fn pub_as(dir: &Path, line: &str, cert: Option<(&str, &str)>) -> common::peers::Ran {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut args: Vec<String> = Vec::new();
    let mut i = 1;
    while i < words.len() {
        match words[i] {
            "--cert" | "--key" => i += 2,
            "-m" => {
                args.push("-m".into());
                args.push("refused?".into());
                i = words.len();
            }
            w => {
                args.push(w.to_string());
                i += 1;
            }
        }
    }
    if let Some((c, k)) = cert {
        args.extend(["--cert".into(), c.into(), "--key".into(), k.into()]);
    }
    run_bounded(
        Command::new("mosquitto_pub").args(&args).current_dir(dir),
        Duration::from_secs(120),
    )
}

#[test]
fn devices_talk_through_mosquitto_with_their_certificates() {
    need("mosquitto_pub", "ensure_mosquitto");
    python_with("paho.mqtt.client");
    let k = iot_kit_with_expired_device();
    let at = endpoint(free_port(), free_port(), free_port());
    let broker = broker(&k, &at);
    messages_flow(&k, &at, &broker);
    refusals(&k, &at, &broker);
}

/// The kit's mosquitto_sub/mosquitto_pub lines, its paho-mqtt scripts (TLS and WebSockets)
/// and the probe, each through `broker` as the kit's first device.
fn messages_flow(k: &KitDir, at: &certlab::Endpoint, broker: &Proc) {
    let m = &k.kit.manifest;
    // mosquitto_sub waits for one message, mosquitto_pub sends it: both the kit's lines.
    let sub = Served::start(k.dir.path(), &snippet(m, at, "mosquitto-sub"));
    assert!(
        broker.wait_log_for("Received SUBSCRIBE", Duration::from_secs(60)),
        "the subscriber never subscribed:\n{}\nsub: {}",
        broker.log(),
        sub.0.log()
    );
    let published = run_snippet(k.dir.path(), &snippet(m, at, "mosquitto-pub"));
    assert!(
        published.ok,
        "mosquitto_pub: {}\n{}",
        published.out,
        broker.log()
    );
    let got = sub.0.stdout_until_exit(Duration::from_secs(60));
    assert!(
        got.contains("lab/sensor-0001 hello from sensor-0001"),
        "{got}\n{}",
        sub.0.log()
    );
    assert!(
        broker.log().contains("u'sensor-0001'"),
        "the broker did not take the device's CN as its user:\n{}",
        broker.log()
    );

    // paho-mqtt over TLS and over WebSockets with TLS: each script receives its own message.
    for id in ["paho-mqtt", "paho-mqtt-websockets"] {
        let s = snippet(m, at, id);
        let ran = run_snippet(k.dir.path(), &s);
        assert!(
            ran.ok,
            "{id}:\n{}\n---\n{}\nbroker:\n{}",
            s.text,
            ran.out,
            broker.log()
        );
        assert!(
            ran.out.contains("lab/sensor-0001 hello from sensor-0001"),
            "{id}: {}",
            ran.out
        );
    }

    // The probe's handshake-only mode on the TLS listener: chain, verdict, OK.
    let probe = run_snippet(k.dir.path(), &snippet(m, at, "probe-tls"));
    assert!(probe.ok, "{}", probe.out);
    for e in [
        "verification: verified",
        "CN=broker.lab",
        "CN=certlab Intermediate CA",
        "OK",
    ] {
        assert!(
            probe.out.contains(e),
            "probe tls:// printed no {e:?}:\n{}",
            probe.out
        );
    }
}

/// A kit made with a key password (every .key encrypted): the broker reads the decrypted copy
/// the plain-key snippet makes (mosquitto has no key password setting), the device snippets
/// read the password from the environment variable they name, and messages flow as above.
#[test]
fn encrypted_keys_reach_mosquitto_through_the_snippets() {
    need("mosquitto_pub", "ensure_mosquitto");
    need("openssl", "ensure_base_tools");
    python_with("paho.mqtt.client");
    let k = write_kit(
        certlab::generate(&encrypted(Preset::Iot.spec(KeyAlgorithm::EcdsaP256))).expect("kit"),
    );
    let at = endpoint(free_port(), free_port(), free_port());
    let m = &k.kit.manifest;
    let conf = snippet(m, &at, "mosquitto-conf").text;
    assert!(conf.contains("keyfile broker.plain.key"), "{conf}");
    let plain = run_snippet(k.dir.path(), &snippet(m, &at, "plain-server-key"));
    assert!(plain.ok, "{}", plain.out);
    let broker = broker(&k, &at);
    messages_flow(&k, &at, &broker);
    // mosquitto_pub's temporary decrypted key (mktemp, in TMPDIR) is gone once it has run.
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = common::peers::snippet_command(k.dir.path(), &snippet(m, &at, "mosquitto-pub"));
    cmd.env("TMPDIR", tmp.path());
    let ran = run_bounded(&mut cmd, Duration::from_secs(120));
    assert!(ran.ok, "{}\n{}", ran.out, broker.log());
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(
        left.is_empty(),
        "mosquitto_pub's snippet left {left:?} behind"
    );
}

/// A device of another kit, no certificate, an expired device: refused by the broker; a
/// client trusting another root: refuses the broker. Each by mosquitto_pub and by the probe.
fn refusals(k: &KitDir, at: &certlab::Endpoint, broker: &Proc) {
    let m = &k.kit.manifest;
    let line = snippet(m, at, "mosquitto-pub").text;
    let other = iot_kit_with_expired_device();
    let foreign = (
        other.p("devices/sensor-0001.fullchain.pem"),
        other.p("devices/sensor-0001.key"),
    );
    let expired = (
        k.p("expired/expired-0001.fullchain.pem"),
        k.p("expired/expired-0001.key"),
    );
    for (what, cert) in [
        (
            "a device of another kit",
            Some((foreign.0.as_str(), foreign.1.as_str())),
        ),
        ("no client certificate", None),
        (
            "an expired device",
            Some((expired.0.as_str(), expired.1.as_str())),
        ),
    ] {
        let ran = pub_as(k.dir.path(), &line, cert);
        assert!(
            !ran.ok,
            "mosquitto served {what}:\n{}\n{}",
            ran.out,
            broker.log()
        );
        if let Some((c, key)) = cert {
            let probe = run_bounded(
                Command::new(common::BIN)
                    .args(["probe", &format!("tls://localhost:{}", at.mqtt_port)])
                    .args([
                        "--ca", "ca.crt", "--cert", c, "--key", key, "--settle", "60s",
                    ])
                    .current_dir(k.dir.path()),
                Duration::from_secs(120),
            );
            assert!(!probe.ok, "the probe saw {what} accepted:\n{}", probe.out);
            assert!(
                probe.out.contains("verification: verified"),
                "{}",
                probe.out
            );
        }
    }
    // What made the expired device fail: its date (openssl says so; the broker logs only
    // "certificate verify failed").
    let why = run_bounded(
        Command::new("openssl")
            .args([
                "verify",
                "-CAfile",
                "ca.crt",
                "-untrusted",
                "inter.crt",
                &expired.0,
            ])
            .current_dir(k.dir.path()),
        Duration::from_secs(60),
    );
    assert!(
        !why.ok && why.out.contains("certificate has expired"),
        "{}",
        why.out
    );
    // The other kit's own line trusts its own root: it refuses this broker.
    let theirs = run_snippet(
        other.dir.path(),
        &snippet(&other.kit.manifest, at, "mosquitto-pub"),
    );
    assert!(
        !theirs.ok,
        "a client trusting another root connected:\n{}",
        theirs.out
    );
    let probe = run_snippet(
        other.dir.path(),
        &snippet(&other.kit.manifest, at, "probe-tls"),
    );
    assert!(
        !probe.ok && probe.out.contains("UnknownIssuer"),
        "{}",
        probe.out
    );
}
