//! What the probe found out, printed as text or one JSON object.

use serde::Serialize;

/// Everything the probe found out (connecting, or listening for a dialer).
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// `connect` (probe URL) or `listen` (probe --listen, the client of `dial`).
    pub mode: &'static str,
    /// The URL probed, or `listen ADDR` in listening mode.
    pub url: String,
    /// Listening mode: the dialer's address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer: Option<String>,
    /// The server name sent as SNI (null for an IP address, which is checked but not sent);
    /// in listening mode the name the dialer sent.
    pub sni: Option<String>,
    /// Subjects of the certificates the TLS server sent, leaf first (connect mode).
    pub server_chain: Vec<String>,
    /// Subjects of the certificates the dialer sent as TLS client (listen mode).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub client_chain: Vec<String>,
    /// `verified`, `FAILED: <rustls error>`, or null when no TLS was used or reached.
    pub verification: Option<String>,
    /// On a refusal: which check failed and why, in words.
    pub why: Option<String>,
    /// What the verification checked: the name and the trusted CA subjects.
    pub checked: Option<String>,
    /// Negotiated TLS version.
    pub tls_version: Option<String>,
    /// Negotiated cipher suite.
    pub cipher_suite: Option<String>,
    /// The echo side's first message, parsed as JSON when possible.
    pub greeting: Option<serde_json::Value>,
    /// What was sent.
    pub sent: String,
    /// What came back.
    pub echo: Option<String>,
    /// The first error, if any.
    pub error: Option<String>,
    /// True only when everything worked and the echo matched.
    pub ok: bool,
}

impl Report {
    /// Prints the report as pretty JSON or as text lines ending in `OK` or `FAILED`.
    pub fn print(&self, json: bool) {
        if json {
            println!("{}", serde_json::to_string_pretty(self).unwrap_or_default());
            return;
        }
        println!("url: {}", self.url);
        if let Some(p) = &self.peer {
            println!("peer: {p}");
        }
        if let Some(sni) = &self.sni {
            println!("sni: {sni}");
        }
        for (title, chain) in [
            ("server chain", &self.server_chain),
            ("client chain", &self.client_chain),
        ] {
            if !chain.is_empty() {
                println!("{title}:");
                for (i, s) in chain.iter().enumerate() {
                    println!("  {i}: {s}");
                }
            }
        }
        if let Some(v) = &self.verification {
            println!("verification: {v}");
        }
        if let Some(w) = &self.why {
            println!("  why: {w}");
        }
        if let Some(c) = &self.checked {
            println!("  checked {c}");
        }
        if let (Some(v), Some(c)) = (&self.tls_version, &self.cipher_suite) {
            println!("tls: {v} {c}");
        }
        if let Some(g) = &self.greeting {
            println!(
                "greeting: {}",
                serde_json::to_string_pretty(g).unwrap_or_default()
            );
        }
        if let Some(e) = &self.echo {
            println!("sent: {}", self.sent);
            println!("echo: {e}");
        }
        if let Some(e) = &self.error {
            println!("error: {e}");
        }
        println!("{}", if self.ok { "OK" } else { "FAILED" });
    }
}
