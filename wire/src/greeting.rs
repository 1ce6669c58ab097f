//! The greeting: the facts about one connection that the echo side sends as the first
//! websocket message and serves as `/info`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// `verdict` when the peer presented a certificate the verifier accepted.
pub const VERIFIED: &str = "verified";
/// `verdict` when the client presented none (one-way TLS, optional mTLS or plain ws://).
pub const NO_CLIENT_CERT: &str = "no client certificate";

/// What the echo side concluded about its peer's certificate. On the wire a plain string
/// ([`VERIFIED`], [`NO_CLIENT_CERT`]); a string this version does not know is kept as
/// [`Verdict::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Verdict {
    /// The peer's certificate was verified.
    Verified,
    /// The client sent no certificate.
    NoClientCertificate,
    /// A verdict from another version.
    Other(String),
}

impl Verdict {
    /// The wire text.
    pub fn as_str(&self) -> &str {
        match self {
            Verdict::Verified => VERIFIED,
            Verdict::NoClientCertificate => NO_CLIENT_CERT,
            Verdict::Other(s) => s,
        }
    }
}

impl From<String> for Verdict {
    fn from(s: String) -> Self {
        match s.as_str() {
            VERIFIED => Verdict::Verified,
            NO_CLIENT_CERT => Verdict::NoClientCertificate,
            _ => Verdict::Other(s),
        }
    }
}

impl From<Verdict> for String {
    fn from(v: Verdict) -> Self {
        match v {
            Verdict::Other(s) => s,
            known => known.as_str().to_string(),
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A decoded certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertFacts {
    /// Subject DN (RFC 4514 style).
    pub subject: String,
    /// Subject CN, if any.
    pub common_name: Option<String>,
    /// Issuer DN.
    pub issuer: String,
    /// subjectAltNames as `DNS:…`, `IP:…`, `email:…`, `URI:…`.
    #[serde(default)]
    pub sans: Vec<String>,
    /// Serial number, lower-case hex.
    pub serial: String,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
    /// SHA-256 of the DER certificate, lower-case hex.
    pub sha256: String,
    /// Extended key usages (`serverAuth`, `clientAuth`, …); empty when the extension is
    /// absent (or from an older certlab-echo).
    #[serde(default)]
    pub eku: Vec<String>,
    /// `ECDSA P-256`, `Ed25519`, `RSA 2048`, … (absent from older certlab-echo versions).
    #[serde(default)]
    pub key_type: Option<String>,
}

/// The JSON certlab-echo greets every websocket with and serves as `/info`: the TLS
/// server's view of its client (`serve`), or the dialer's view of the listening client it
/// connected out to (`dial`). Field order is the order on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Greeting {
    /// `serve` (the echo side accepted; the peer is the TLS client) or `dial` (it connected
    /// out; the peer is the TLS server and the websocket client).
    #[serde(default)]
    pub mode: String,
    /// Name of the listener that accepted (`default` for the flag listeners), or `dial`.
    #[serde(default)]
    pub listener: String,
    /// The peer's address as the echo side saw it.
    pub remote_addr: String,
    /// `TLSv1_3`, `TLSv1_2`, or null on ws://.
    pub tls_version: Option<String>,
    /// Negotiated cipher suite, e.g. `TLS13_AES_256_GCM_SHA384`.
    pub cipher_suite: Option<String>,
    /// Negotiated ALPN protocol.
    pub alpn: Option<String>,
    /// Server name the client asked for (SNI); in `dial` mode the name the dialer sent.
    pub sni: Option<String>,
    /// The TLS client's leaf certificate, if it sent one (`serve` mode; verified).
    pub client_certificate: Option<CertFacts>,
    /// Number of certificates the TLS client sent (`serve` mode).
    #[serde(default)]
    pub client_chain_len: usize,
    /// The TLS server's leaf certificate (`dial` mode: the listening client's); absent
    /// otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_certificate: Option<CertFacts>,
    /// [`Verdict::Verified`] or [`Verdict::NoClientCertificate`].
    pub verdict: Verdict,
}

impl Greeting {
    /// The greeting of a plain (ws://) connection accepted by `listener` from `remote_addr`:
    /// no TLS facts, no client certificate.
    pub fn plain(listener: &str, remote_addr: &str) -> Greeting {
        Greeting {
            mode: "serve".into(),
            listener: listener.to_string(),
            remote_addr: remote_addr.to_string(),
            tls_version: None,
            cipher_suite: None,
            alpn: None,
            sni: None,
            client_certificate: None,
            client_chain_len: 0,
            server_certificate: None,
            verdict: Verdict::NoClientCertificate,
        }
    }

    /// "TLS 1.3" for `TLSv1_3`; "none (plain ws://)" without TLS.
    pub fn tls_label(&self) -> String {
        match self.tls_version.as_deref() {
            None => "none (plain ws://)".into(),
            Some(v) => match v.strip_prefix("TLSv") {
                Some(n) => format!("TLS {}", n.replace('_', ".")),
                None => v.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain() -> Greeting {
        Greeting::plain("default", "127.0.0.1:5")
    }

    #[test]
    fn wire_order_and_skips() {
        let json = serde_json::to_string(&plain()).expect("json");
        assert_eq!(
            json,
            r#"{"mode":"serve","listener":"default","remote_addr":"127.0.0.1:5","tls_version":null,"cipher_suite":null,"alpn":null,"sni":null,"client_certificate":null,"client_chain_len":0,"verdict":"no client certificate"}"#
        );
        let back: Greeting = serde_json::from_str(&json).expect("back");
        assert_eq!(back, plain());
        assert_eq!(back.tls_label(), "none (plain ws://)");
    }

    #[test]
    fn verdicts() {
        for (v, s) in [
            (Verdict::Verified, "\"verified\""),
            (Verdict::NoClientCertificate, "\"no client certificate\""),
            (Verdict::Other("later".into()), "\"later\""),
        ] {
            assert_eq!(serde_json::to_string(&v).expect("json"), s);
            assert_eq!(serde_json::from_str::<Verdict>(s).expect("back"), v);
        }
        assert_eq!(Verdict::Verified.to_string(), VERIFIED);
    }

    #[test]
    fn older_greeting_reads() {
        let g: Greeting = serde_json::from_str(
            r#"{"remote_addr":"127.0.0.1:5","tls_version":"TLSv1_3","cipher_suite":"TLS13_AES_256_GCM_SHA384",
            "alpn":"http/1.1","sni":"localhost","client_certificate":{"subject":"CN=alice","common_name":"alice",
            "issuer":"CN=certlab Root CA","sans":[],"serial":"01","not_before":"a","not_after":"b","sha256":"ff"},
            "client_chain_len":1,"verdict":"verified"}"#,
        )
        .expect("greeting");
        assert_eq!(g.tls_label(), "TLS 1.3");
        assert_eq!(g.verdict, Verdict::Verified);
        let c = g.client_certificate.expect("cert");
        assert_eq!(c.common_name.as_deref(), Some("alice"));
        assert!(c.eku.is_empty() && c.key_type.is_none());
    }
}
