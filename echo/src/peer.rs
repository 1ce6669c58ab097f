//! The facts about one connection that the echo side greets each websocket with, serves as
//! `/info` and renders on the diagnostic page: the TLS server's view of its client (`serve`)
//! or the dialer's view of the listening client it connected out to (`dial`).

use rustls::pki_types::CertificateDer;
use rustls::{ClientConnection, CommonState, ServerConnection};
use std::net::SocketAddr;
use x509_parser::prelude::{FromDer, GeneralName, ParsedExtension, X509Certificate};
use x509_parser::public_key::PublicKey;

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

/// The extended key usages of `cert` as names.
pub fn ekus(cert: &X509Certificate<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for ext in cert.extensions() {
        if let ParsedExtension::ExtendedKeyUsage(e) = ext.parsed_extension() {
            for (on, name) in [
                (e.any, "anyExtendedKeyUsage"),
                (e.server_auth, "serverAuth"),
                (e.client_auth, "clientAuth"),
                (e.code_signing, "codeSigning"),
                (e.email_protection, "emailProtection"),
                (e.time_stamping, "timeStamping"),
                (e.ocsp_signing, "OCSPSigning"),
            ] {
                if on {
                    out.push(name.to_string());
                }
            }
            out.extend(e.other.iter().map(|o| o.to_id_string()));
        }
    }
    out
}

fn key_type(cert: &X509Certificate<'_>) -> String {
    let spki = cert.public_key();
    if spki.algorithm.algorithm.to_id_string() == "1.3.101.112" {
        return "Ed25519".into();
    }
    match spki.parsed() {
        Ok(PublicKey::RSA(k)) => format!("RSA {}", k.key_size()),
        Ok(PublicKey::EC(p)) => format!("ECDSA P-{}", p.key_size()),
        _ => spki.algorithm.algorithm.to_id_string(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn rfc3339(t: x509_parser::time::ASN1Time) -> String {
    t.to_datetime()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

fn san(name: &GeneralName<'_>) -> String {
    match name {
        GeneralName::DNSName(d) => format!("DNS:{d}"),
        GeneralName::RFC822Name(e) => format!("email:{e}"),
        GeneralName::URI(u) => format!("URI:{u}"),
        GeneralName::IPAddress(b) => match b.len() {
            4 => {
                let a: [u8; 4] = [b[0], b[1], b[2], b[3]];
                format!("IP:{}", std::net::Ipv4Addr::from(a))
            }
            16 => {
                let mut a = [0u8; 16];
                a.copy_from_slice(b);
                format!("IP:{}", std::net::Ipv6Addr::from(a))
            }
            _ => format!("IP:{}", hex(b)),
        },
        other => other.to_string(),
    }
}

/// The SHA-256 fingerprint of `der`, lower-case hex.
pub fn sha256(der: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, der).as_ref())
}

/// Decodes a DER certificate; `None` if it does not parse.
pub fn cert_facts(der: &[u8]) -> Option<CertFacts> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let sans = match cert.subject_alternative_name() {
        Ok(Some(ext)) => ext.value.general_names.iter().map(san).collect(),
        _ => Vec::new(),
    };
    Some(CertFacts {
        subject: cert.subject().to_string(),
        common_name: cert
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .map(str::to_string),
        issuer: cert.issuer().to_string(),
        sans,
        serial: hex(cert.raw_serial()),
        not_before: rfc3339(cert.validity().not_before),
        not_after: rfc3339(cert.validity().not_after),
        sha256: sha256(der),
        eku: ekus(&cert),
        key_type: Some(key_type(&cert)),
    })
}

/// A one-line subject for `der`, or a note that it did not parse.
pub fn subject_of(der: &[u8]) -> String {
    match X509Certificate::from_der(der) {
        Ok((_, c)) => c.subject().to_string(),
        Err(e) => format!("(unparsable certificate: {e})"),
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
        let greeting = Greeting {
            mode: "serve".into(),
            listener: listener.to_string(),
            remote_addr: remote.to_string(),
            tls_version: None,
            cipher_suite: None,
            alpn: None,
            sni: None,
            client_certificate: None,
            client_chain_len: 0,
            server_certificate: None,
            verdict: Verdict::NoClientCertificate,
        };
        PeerInfo { greeting, remote }
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
