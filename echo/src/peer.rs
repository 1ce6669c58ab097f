//! The facts about one connection that the echo side greets each websocket with, serves as
//! `/info` and renders on the diagnostic page: the TLS server's view of its client (`serve`)
//! or the dialer's view of the listening client it connected out to (`dial`).

use rustls::pki_types::CertificateDer;
use rustls::{ClientConnection, CommonState, ServerConnection};
use serde::Serialize;
use std::net::SocketAddr;
use x509_parser::prelude::{FromDer, GeneralName, ParsedExtension, X509Certificate};
use x509_parser::public_key::PublicKey;

/// `verdict` when the client presented a certificate the verifier accepted.
pub const VERIFIED: &str = "verified";
/// `verdict` when the client presented none (one-way TLS, optional mTLS or plain ws://).
pub const NO_CLIENT_CERT: &str = "no client certificate";

/// What the echo side knows about its peer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PeerInfo {
    /// `serve` (we accepted; the peer is the TLS client) or `dial` (we connected out; the
    /// peer is the TLS server, the websocket client).
    pub mode: &'static str,
    /// Name of the listener that accepted (`default` for the flag listeners), or `dial`.
    pub listener: String,
    /// Peer address.
    pub remote_addr: String,
    /// The same, as an address (not serialised).
    #[serde(skip)]
    pub remote: SocketAddr,
    /// `TLSv1_3`, `TLSv1_2`, or null on a plain listener.
    pub tls_version: Option<String>,
    /// Negotiated cipher suite, e.g. `TLS13_AES_256_GCM_SHA384`.
    pub cipher_suite: Option<String>,
    /// Negotiated ALPN protocol.
    pub alpn: Option<String>,
    /// Server name the client asked for (SNI); in `dial` mode the name we sent.
    pub sni: Option<String>,
    /// The TLS client's leaf certificate, if it sent one (`serve` mode).
    pub client_certificate: Option<CertFacts>,
    /// Number of certificates the TLS client sent (`serve` mode).
    pub client_chain_len: usize,
    /// The TLS server's leaf certificate (`dial` mode: the listening client's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_certificate: Option<CertFacts>,
    /// [`VERIFIED`] or [`NO_CLIENT_CERT`].
    pub verdict: String,
}

/// A decoded certificate.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CertFacts {
    /// Subject DN (RFC 4514 style).
    pub subject: String,
    /// Subject CN, if any.
    pub common_name: Option<String>,
    /// Issuer DN.
    pub issuer: String,
    /// subjectAltNames as `DNS:…`, `IP:…`, `email:…`, `URI:…`.
    pub sans: Vec<String>,
    /// Serial number, lower-case hex.
    pub serial: String,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
    /// SHA-256 of the DER certificate, lower-case hex.
    pub sha256: String,
    /// Extended key usages (`serverAuth`, `clientAuth`, …); empty when the extension is absent.
    pub eku: Vec<String>,
    /// `ECDSA P-256`, `Ed25519`, `RSA 2048`, …
    pub key_type: String,
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
        key_type: key_type(&cert),
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
        PeerInfo {
            mode: "serve",
            listener: listener.to_string(),
            remote_addr: remote.to_string(),
            remote,
            tls_version,
            cipher_suite,
            alpn,
            sni: conn.server_name().map(str::to_string),
            client_certificate: certs.first().and_then(|c| cert_facts(c)),
            client_chain_len: certs.len(),
            server_certificate: None,
            verdict: if certs.is_empty() {
                NO_CLIENT_CERT
            } else {
                VERIFIED
            }
            .to_string(),
        }
    }

    /// Facts of a connection we dialled: the peer is the TLS server (its certificate was
    /// verified against the session CA before we got here).
    pub fn from_dial(remote: SocketAddr, sni: Option<String>, conn: &ClientConnection) -> Self {
        let certs: &[CertificateDer<'_>] = conn.peer_certificates().unwrap_or(&[]);
        let (tls_version, cipher_suite, alpn) = negotiated(conn);
        PeerInfo {
            mode: "dial",
            listener: "dial".into(),
            remote_addr: remote.to_string(),
            remote,
            tls_version,
            cipher_suite,
            alpn,
            sni,
            client_certificate: None,
            client_chain_len: 0,
            server_certificate: certs.first().and_then(|c| cert_facts(c)),
            verdict: VERIFIED.to_string(),
        }
    }

    /// Facts of a plain (ws://) connection.
    pub fn plain(listener: &str, remote: SocketAddr) -> Self {
        PeerInfo {
            mode: "serve",
            listener: listener.to_string(),
            remote_addr: remote.to_string(),
            remote,
            tls_version: None,
            cipher_suite: None,
            alpn: None,
            sni: None,
            client_certificate: None,
            client_chain_len: 0,
            server_certificate: None,
            verdict: NO_CLIENT_CERT.to_string(),
        }
    }

    /// The JSON text sent as the greeting and served as `/info`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
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
        assert_eq!(server.key_type, "Ed25519");
        assert!(server.sans.contains(&"IP:127.0.0.1".to_string()));
        let alice = cert_facts(&der("alice.der")).expect("alice parses");
        assert_eq!(alice.eku, vec!["clientAuth"]);
        assert_eq!(alice.common_name.as_deref(), Some("alice"));
    }
}
