//! The facts about one connection that the echo side greets each websocket with, serves as
//! `/info` and renders on the diagnostic page: the TLS server's view of its client (`serve`)
//! or the dialer's view of the listening client it connected out to (`dial`).

use certlab::Cert;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConnection, CommonState, ServerConnection};
use std::net::SocketAddr;

pub use certlab_wire::{CertFacts, Greeting, NO_CLIENT_CERT, VERIFIED, Verdict};

/// What the echo side knows about its peer: the [`Greeting`] (the wire part, shared with
/// the page through `certlab-wire`) and the echo-only facts that are not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerInfo {
    /// What is sent as the greeting and served as `/info`.
    pub greeting: Greeting,
    /// The peer's address (the greeting carries it as text, `remote_addr`).
    pub remote: SocketAddr,
}

/// The facts the greeting reports about a certificate, from the engine's decoding layer.
pub fn facts(c: &Cert) -> CertFacts {
    CertFacts {
        subject: c.subject.clone(),
        common_name: c.common_name.clone(),
        issuer: c.issuer.clone(),
        sans: c.san_strings(),
        serial: c.serial_hex(),
        not_before: c.not_before_rfc3339(),
        not_after: c.not_after_rfc3339(),
        sha256: c.sha256_hex(),
        eku: c.eku.iter().map(ToString::to_string).collect(),
        key_type: Some(c.key.to_string()),
    }
}

/// Decodes a DER certificate; `None` if it does not parse.
pub fn cert_facts(der: &[u8]) -> Option<CertFacts> {
    Cert::from_der(der, "certificate").ok().map(|c| facts(&c))
}

/// A one-line subject for `der`, or a note that it did not parse.
pub fn subject_of(der: &[u8]) -> String {
    match Cert::from_der(der, "certificate") {
        Ok(c) => c.subject,
        Err(_) => "(unparsable certificate)".into(),
    }
}

fn negotiated(common: &CommonState) -> (Option<String>, Option<String>, Option<String>) {
    (
        common.protocol_version().map(|v| format!("{v:?}")),
        common
            .negotiated_cipher_suite()
            .map(|s| format!("{:?}", s.suite())),
        common
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned()),
    )
}

impl PeerInfo {
    /// Facts of a connection we accepted. The verifier already accepted any client
    /// certificate, so its presence means "verified".
    pub fn from_tls(listener: &str, remote: SocketAddr, conn: &ServerConnection) -> Self {
        let certs: &[CertificateDer<'_>] = conn.peer_certificates().unwrap_or(&[]);
        let (tls_version, cipher_suite, alpn) = negotiated(conn);
        let greeting = Greeting {
            mode: "serve".into(),
            listener: listener.to_string(),
            remote_addr: remote.to_string(),
            tls_version,
            cipher_suite,
            alpn,
            sni: conn.server_name().map(str::to_string),
            client_certificate: certs.first().and_then(|c| cert_facts(c)),
            client_chain_len: certs.len(),
            server_certificate: None,
            verdict: if certs.is_empty() {
                Verdict::NoClientCertificate
            } else {
                Verdict::Verified
            },
        };
        PeerInfo { greeting, remote }
    }

    /// Facts of a connection we dialled: the peer is the TLS server (its certificate was
    /// verified against the session CA before we got here).
    pub fn from_dial(remote: SocketAddr, sni: Option<String>, conn: &ClientConnection) -> Self {
        let certs: &[CertificateDer<'_>] = conn.peer_certificates().unwrap_or(&[]);
        let (tls_version, cipher_suite, alpn) = negotiated(conn);
        let greeting = Greeting {
            mode: "dial".into(),
            listener: "dial".into(),
            remote_addr: remote.to_string(),
            tls_version,
            cipher_suite,
            alpn,
            sni,
            client_certificate: None,
            client_chain_len: 0,
            server_certificate: certs.first().and_then(|c| cert_facts(c)),
            verdict: Verdict::Verified,
        };
        PeerInfo { greeting, remote }
    }

    /// Facts of a plain (ws://) connection.
    pub fn plain(listener: &str, remote: SocketAddr) -> Self {
        PeerInfo {
            greeting: Greeting::plain(listener, &remote.to_string()),
            remote,
        }
    }

    /// The JSON text sent as the greeting and served as `/info`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.greeting)
            .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_of_kit_certificates() {
        let kit = certlab::generate(&certlab::Preset::Mtls.spec(certlab::KeyAlgorithm::Ed25519))
            .expect("kit");
        let der = |name: &str| kit.get(name).expect(name).bytes.clone();
        let server = cert_facts(&der("server.der")).expect("server parses");
        assert_eq!(server.eku, vec!["serverAuth"]);
        assert_eq!(server.key_type.as_deref(), Some("Ed25519"));
        assert!(server.sans.contains(&"IP:127.0.0.1".to_string()));
        let alice = cert_facts(&der("alice.der")).expect("alice parses");
        assert_eq!(alice.eku, vec!["clientAuth"]);
        assert_eq!(alice.common_name.as_deref(), Some("alice"));
    }
}
