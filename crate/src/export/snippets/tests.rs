use super::*;
use crate::{KeyAlgorithm, Preset, generate};

fn ids(s: &[Snippet]) -> Vec<&'static str> {
    s.iter().map(|s| s.id).collect()
}

#[test]
fn a_mutual_tls_kit_gets_every_snippet_with_its_own_files() {
    let kit = generate(&Preset::Iot.spec(KeyAlgorithm::EcdsaP256)).expect("kit");
    let at = Endpoint::of(&kit.manifest);
    assert_eq!(
        at.host, "localhost",
        "the name the loopback listeners answer to"
    );
    let s = snippets(&kit.manifest, &at);
    assert_eq!(
        ids(&s),
        [
            "certlab-echo",
            "nginx",
            "cute-listener",
            "probe",
            "curl",
            "openssl",
            "curl-mtls",
            "openssl-mtls",
            "python-ssl",
            "python-requests",
            "python-websockets",
            "node-https",
            "node-tls",
            "qt",
            "mosquitto-conf",
            "mosquitto-sub",
            "mosquitto-pub",
            "paho-mqtt",
            "paho-mqtt-websockets",
            "probe-tls",
            "esp-idf",
            "arduino",
        ]
    );
    let text = |id: &str| &s.iter().find(|s| s.id == id).expect(id).text;
    assert!(text("certlab-echo").starts_with(
        "certlab-echo serve --cert broker.fullchain.pem --key broker.key --client-ca ca.crt"
    ));
    assert!(
        text("openssl-mtls")
            .contains("-cert devices/sensor-0001.crt -cert_chain devices/sensor-0001.chain.pem")
    );
    assert!(text("qt").contains("QSsl::Ec, QSsl::Pem, QSsl::PrivateKey"));
    assert!(text("qt").contains("setLocalCertificateChain"));
    assert!(text("mosquitto-conf").contains("listener 8884 127.0.0.1\n"));
    assert!(text("mosquitto-conf").contains("socket_domain ipv4\nprotocol websockets\n"));
}

#[test]
fn a_one_way_kit_gets_no_client_identity_and_no_broker() {
    let kit = generate(&Preset::Dev.spec(KeyAlgorithm::Rsa2048)).expect("kit");
    let s = snippets(&kit.manifest, &Endpoint::of(&kit.manifest));
    assert!(!ids(&s).contains(&"curl-mtls") && !ids(&s).contains(&"mosquitto-conf"));
    for s in &s {
        assert!(
            !s.text.contains("twoWaySSL") && !s.text.contains("ssl_verify_client"),
            "{}",
            s.text
        );
    }
}

#[test]
fn qt_key_types_follow_the_client_key() {
    let kit = generate(&Preset::Mtls.spec(KeyAlgorithm::Rsa2048)).expect("kit");
    let s = snippets(&kit.manifest, &Endpoint::of(&kit.manifest));
    let qt = &s.iter().find(|s| s.id == "qt").expect("qt").text;
    assert!(qt.contains("QSsl::Rsa, QSsl::Pem"), "{qt}");
}

/// A kit made with a key password: every snippet that reads a private key says where its
/// password comes from (the environment variable, nginx's password file) or reads the
/// decrypted copy the `plain-server-key` snippet makes; a kit without one never mentions it.
#[test]
fn encrypted_keys_are_read_with_the_password_everywhere_a_key_is_named() {
    let mut spec = Preset::Iot.spec(KeyAlgorithm::EcdsaP256);
    let plain = generate(&spec).expect("kit");
    spec.key_password = Some("pw".into());
    let kit = generate(&spec).expect("kit");
    let at = Endpoint::of(&kit.manifest);
    let s = snippets(&kit.manifest, &at);
    let find = |id: &str| s.iter().find(|x| x.id == id).expect(id);
    assert_eq!(find("plain-server-key").language, "sh");
    for x in &s {
        let names_key = x.text.contains(".key") || x.text.contains("QSslKey");
        let reads = x.text.contains(KEY_PASSWORD_VAR)
            || x.text.contains(NGINX_PASSWORD_FILE)
            || x.text.contains(".plain.key");
        let firmware = ["esp-idf", "arduino"].contains(&x.id);
        assert!(
            !names_key || reads || firmware,
            "{} names a key but not its password:\n{}",
            x.id,
            x.text
        );
    }
    assert!(
        find("mosquitto-conf")
            .text
            .contains("keyfile broker.plain.key")
    );
    assert!(
        find("cute-listener")
            .text
            .contains("privateKey = broker.plain.key")
    );
    for x in snippets(&plain.manifest, &Endpoint::of(&plain.manifest)) {
        assert!(
            !x.text.contains(KEY_PASSWORD_VAR) && !x.text.contains(".plain.key"),
            "{} of a kit without a key password:\n{}",
            x.id,
            x.text
        );
        assert_ne!(x.id, "plain-server-key");
    }
}
