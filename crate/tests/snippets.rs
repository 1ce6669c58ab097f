//! `certlab snippets`: the engine's server and client snippets for a kit on disk — the same
//! as README.txt's CONNECT IT section — moved to other ports with flags, one by `--id`, all as
//! JSON; bad flags are named. (echo/tests/snippets.rs, mqtt.rs and qt.rs run every snippet
//! against the real programs.)

mod common;

use common::certlab;

#[test]
fn snippets_of_a_kit_match_its_readme_and_move_ports() {
    let d = tempfile::tempdir().expect("tmp");
    let (code, out) = certlab(
        &["kit", "--out", "k", "--preset", "iot", "--count", "2"],
        d.path(),
    );
    assert_eq!(code, 0, "{out}");
    let readme = std::fs::read_to_string(d.path().join("k/README.txt")).expect("readme");

    let (code, json) = certlab(&["snippets", "k", "--json"], d.path());
    assert_eq!(code, 0, "{json}");
    let all: serde_json::Value = serde_json::from_str(&json).expect("json");
    let all = all.as_array().expect("array");
    assert!(all.len() >= 19, "{json}");
    for s in all {
        for line in s["text"]
            .as_str()
            .expect("text")
            .lines()
            .filter(|l| !l.is_empty())
        {
            assert!(
                readme.contains(&format!("    {line}\n")),
                "README.txt lacks {line:?}"
            );
        }
    }

    let (code, conf) = certlab(
        &[
            "snippets",
            "k",
            "--id",
            "mosquitto-conf",
            "--mqtt-port",
            "9883",
            "--mqtt-ws-port",
            "9884",
        ],
        d.path(),
    );
    assert_eq!(code, 0, "{conf}");
    assert!(
        conf.contains("listener 9883 127.0.0.1\ncertfile broker.fullchain.pem\n"),
        "{conf}"
    );
    assert!(conf.contains("listener 9884 127.0.0.1\n"), "{conf}");
    let (code, curl) = certlab(
        &[
            "snippets",
            "k",
            "--id",
            "curl-mtls",
            "--host",
            "broker.lab",
            "--port",
            "9443",
        ],
        d.path(),
    );
    assert_eq!(code, 0, "{curl}");
    assert_eq!(
        curl,
        "curl --fail --cacert ca.crt --cert devices/sensor-0001.fullchain.pem --key \
         devices/sensor-0001.key https://broker.lab:9443/info\n"
    );

    for (args, says) in [
        (
            &["--id", "nope"][..],
            "--id: this kit has no snippet `nope` — use one of certlab-echo",
        ),
        (
            &["--host", "a b"][..],
            "--host: ' ' cannot be part of a host name",
        ),
    ] {
        let (code, out) = certlab(&[&["snippets", "k"][..], args].concat(), d.path());
        assert_eq!(code, 2, "{out}");
        assert!(out.contains(says), "{out}");
    }
    let (code, out) = certlab(&["snippets", "k", "--port", "0"], d.path());
    assert_eq!(code, 2, "{out}");
    let (code, out) = certlab(&["snippets", "nowhere"], d.path());
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("manifest.json"), "{out}");
}
