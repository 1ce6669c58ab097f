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
