//! The facts about one connection that the server greets each websocket with, serves as
//! `/info` and renders on the diagnostic page.

use rustls::ServerConnection;
use rustls::pki_types::CertificateDer;
use serde::Serialize;
use std::net::SocketAddr;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

/// `verdict` when the client presented a certificate the verifier accepted.
pub const VERIFIED: &str = "verified";
/// `verdict` when the client presented none (one-way TLS, optional mTLS or plain ws://).
pub const NO_CLIENT_CERT: &str = "no client certificate";

/// What the server knows about a peer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PeerInfo {
    /// Client address.
    pub remote_addr: String,
    /// `TLSv1_3`, `TLSv1_2`, or null on a plain listener.
    pub tls_version: Option<String>,
    /// Negotiated cipher suite, e.g. `TLS13_AES_256_GCM_SHA384`.
    pub cipher_suite: Option<String>,
    /// Negotiated ALPN protocol.
    pub alpn: Option<String>,
    /// Server name the client asked for (SNI).
    pub sni: Option<String>,
    /// The client's leaf certificate, if it sent one.
    pub client_certificate: Option<CertFacts>,
    /// Number of certificates the client sent.
    pub client_chain_len: usize,
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
    })
}

/// A one-line subject for `der`, or a note that it did not parse.
pub fn subject_of(der: &[u8]) -> String {
    match X509Certificate::from_der(der) {
        Ok((_, c)) => c.subject().to_string(),
        Err(e) => format!("(unparsable certificate: {e})"),
    }
}

impl PeerInfo {
    /// Facts of a completed TLS connection. The verifier already accepted any client
    /// certificate, so its presence means "verified".
    pub fn from_tls(remote: SocketAddr, conn: &ServerConnection) -> Self {
        let certs: &[CertificateDer<'_>] = conn.peer_certificates().unwrap_or(&[]);
        let client_certificate = certs.first().and_then(|c| cert_facts(c));
        PeerInfo {
            remote_addr: remote.to_string(),
            tls_version: conn.protocol_version().map(|v| format!("{v:?}")),
            cipher_suite: conn
                .negotiated_cipher_suite()
                .map(|s| format!("{:?}", s.suite())),
            alpn: conn
                .alpn_protocol()
                .map(|p| String::from_utf8_lossy(p).into_owned()),
            sni: conn.server_name().map(str::to_string),
            client_chain_len: certs.len(),
            verdict: if certs.is_empty() {
                NO_CLIENT_CERT
            } else {
                VERIFIED
            }
            .to_string(),
            client_certificate,
        }
    }

    /// Facts of a plain (ws://) connection.
    pub fn plain(remote: SocketAddr) -> Self {
        PeerInfo {
            remote_addr: remote.to_string(),
            tls_version: None,
            cipher_suite: None,
            alpn: None,
            sni: None,
            client_certificate: None,
            client_chain_len: 0,
            verdict: NO_CLIENT_CERT.to_string(),
        }
    }

    /// The JSON text sent as the greeting and served as `/info`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}
