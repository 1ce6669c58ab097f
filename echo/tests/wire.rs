//! The greeting the echo side builds from a real mutual-TLS handshake (the code path of
//! `serve` and `dial`: `PeerInfo` from the rustls connection, `to_json`) reads back with the
//! type the page decodes it with, `certlab_wire::Greeting`.

mod common;

use certlab::KeyAlgorithm;
use certlab_echo::config::ClientAuth;
use certlab_echo::peer::PeerInfo;
use certlab_echo::tls;
use certlab_wire::{Greeting, Verdict};
use common::*;
use rustls::pki_types::ServerName;
use rustls::{ClientConnection, ServerConnection};
use std::path::PathBuf;
use std::sync::Arc;

/// Runs the handshake between the two in memory.
fn handshake(client: &mut ClientConnection, server: &mut ServerConnection) {
    for _ in 0..10 {
        if !client.is_handshaking() && !server.is_handshaking() {
            return;
        }
        let mut buf = Vec::new();
        while client.wants_write() {
            client.write_tls(&mut buf).expect("client writes");
        }
        let mut rd = buf.as_slice();
        while !rd.is_empty() {
            server.read_tls(&mut rd).expect("server reads");
            server.process_new_packets().expect("server accepts");
        }
        let mut buf = Vec::new();
        while server.wants_write() {
            server.write_tls(&mut buf).expect("server writes");
        }
        let mut rd = buf.as_slice();
        while !rd.is_empty() {
            client.read_tls(&mut rd).expect("client reads");
            client.process_new_packets().expect("client accepts");
        }
    }
    panic!("the handshake did not finish");
}

#[test]
fn greeting_from_a_real_handshake_reads_as_the_page_reads_it() {
    let kit = mtls_kit(KeyAlgorithm::EcdsaP256);
    let ca = vec![PathBuf::from(kit.p("ca.crt"))];
    let server_id = tls::IdentitySource::Pem {
        cert: kit.p("server.fullchain.pem").into(),
        key: kit.p("server.key").into(),
        password: None,
    }
    .load()
    .expect("server identity");
    let alice_id = tls::IdentitySource::Pem {
        cert: kit.p("alice.fullchain.pem").into(),
        key: kit.p("alice.key").into(),
        password: None,
    }
    .load()
    .expect("alice identity");
    let (server_config, _) =
        tls::server_config_for(server_id, &ca, &[], ClientAuth::Required, "--client-ca")
            .expect("server config");
    let (client_config, _) = tls::client_config(&ca, &[], Some(alice_id)).expect("client config");
    let name = ServerName::try_from("localhost").expect("name");
    let mut client = ClientConnection::new(Arc::new(client_config), name).expect("client");
    let mut server = ServerConnection::new(Arc::new(server_config)).expect("server");
    handshake(&mut client, &mut server);

    // serve: the TLS server's view of alice.
    let remote = "127.0.0.1:50000".parse().expect("addr");
    let info = PeerInfo::from_tls("default", remote, &server);
    let json = info.to_json();
    let g: Greeting = serde_json::from_str(&json).expect("the page reads the greeting");
    assert_eq!(g, info.greeting);
    assert_eq!(g.verdict, Verdict::Verified);
    assert_eq!((g.mode.as_str(), g.listener.as_str()), ("serve", "default"));
    assert_eq!(g.remote_addr, "127.0.0.1:50000");
    assert_eq!(g.sni.as_deref(), Some("localhost"));
    assert_eq!(g.alpn.as_deref(), Some("http/1.1"));
    assert_eq!(g.client_chain_len, 2);
    assert!(g.server_certificate.is_none());
    assert!(!json.contains("server_certificate"), "{json}");
    let alice = kit.kit.identity("alice").expect("alice in the manifest");
    let c = g.client_certificate.as_ref().expect("alice's certificate");
    assert_eq!(c.common_name.as_deref(), Some("alice"));
    assert_eq!(c.sha256, alice.sha256);
    assert_eq!(c.serial, alice.serial);
    assert_eq!(c.not_after, alice.not_after);
    assert_eq!(c.sans, alice.sans);
    assert_eq!(c.eku, ["clientAuth"]);
    assert_eq!(c.key_type.as_deref(), Some("ECDSA P-256"));
    // The fields on the wire, in today's order.
    let order = [
        "mode",
        "listener",
        "remote_addr",
        "tls_version",
        "cipher_suite",
        "alpn",
        "sni",
        "client_certificate",
        "client_chain_len",
        "verdict",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|k| json.find(&format!("\"{k}\":")).expect(k))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{json}");

    // dial: the dialer's view of the listening client (the TLS server).
    let info = PeerInfo::from_dial(remote, Some("localhost".into()), &client);
    let g: Greeting = serde_json::from_str(&info.to_json()).expect("the page reads it");
    assert_eq!(g, info.greeting);
    assert_eq!((g.mode.as_str(), g.verdict.as_str()), ("dial", "verified"));
    let s = g.server_certificate.expect("the listener's certificate");
    let server = kit.kit.identity("server").expect("server in the manifest");
    assert_eq!(s.common_name.as_deref(), Some(server.common_name.as_str()));
    assert_eq!(s.sans, server.sans);
    assert_eq!(s.eku, ["serverAuth"]);
}
