//! What the probe found out, printed as text or one JSON object.

use crate::outside::{MAX_MESSAGE_CHARS, shown_max};
use serde::Serialize;
use serde_json::Value;

/// Everything the probe found out (connecting, or listening for a dialer).
#[derive(Debug, Default, Clone, Serialize)]
pub struct Report {
    /// `connect` (probe URL), `tls` (the TLS handshake only: tls:// or --tls-only) or
    /// `listen` (probe --listen, the client of `dial`).
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
    /// A copy fit to print: much of the report is the peer's text (its certificate names, its
    /// greeting, its echo, its close reason inside an error), so every text is escaped and cut
    /// (see [`crate::outside`]); a name or an echo cannot forge a line or drive the terminal.
    pub fn shown(&self) -> Report {
        let s = |t: &str| shown_max(t, MAX_MESSAGE_CHARS).into_owned();
        let o = |t: &Option<String>| t.as_deref().map(s);
        let all = |v: &[String]| v.iter().map(|t| s(t)).collect();
        Report {
            mode: self.mode,
            url: s(&self.url),
            peer: o(&self.peer),
            sni: o(&self.sni),
            server_chain: all(&self.server_chain),
            client_chain: all(&self.client_chain),
            verification: o(&self.verification),
            why: o(&self.why),
            checked: o(&self.checked),
            tls_version: o(&self.tls_version),
            cipher_suite: o(&self.cipher_suite),
            greeting: self.greeting.clone().map(shown_json),
            sent: s(&self.sent),
            echo: o(&self.echo),
            error: o(&self.error),
            ok: self.ok,
        }
    }

    /// Prints the report ([`Report::shown`]) as pretty JSON or as text lines ending in `OK`
    /// or `FAILED`.
    pub fn print(&self, json: bool) {
        self.shown().print_shown(json);
    }

    fn print_shown(&self, json: bool) {
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
        if self.mode == "tls" {
            println!("handshake only (tls://): no application data exchanged");
        }
        if let Some(e) = &self.error {
            println!("error: {e}");
        }
        println!("{}", if self.ok { "OK" } else { "FAILED" });
    }
}

/// `v` with every string in it (keys too) escaped and cut as [`Report::shown`] does.
fn shown_json(v: Value) -> Value {
    let s = |t: &str| shown_max(t, MAX_MESSAGE_CHARS).into_owned();
    match v {
        Value::String(t) => Value::String(s(&t)),
        Value::Array(a) => Value::Array(a.into_iter().map(shown_json).collect()),
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, v)| (s(&k), shown_json(v))).collect())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_text_is_escaped_in_both_forms() {
        let evil = "x\u{1b}]0;owned\u{7}\nverdict=verified \u{202e}\u{9b}31m";
        let r = Report {
            echo: Some(evil.into()),
            server_chain: vec![evil.into()],
            greeting: Some(serde_json::json!({ "sni": evil, evil: [evil] })),
            error: Some(format!("echo: server closed the websocket (1000 {evil})")),
            ..Report::default()
        };
        let shown = r.shown();
        let text = serde_json::to_string(&shown).expect("json");
        for bad in ['\u{1b}', '\u{7}', '\n', '\u{202e}', '\u{9b}'] {
            assert!(!text.contains(bad), "{bad:?} in {text}");
        }
        assert!(text.contains("\\\\x1b]0;owned\\\\x07"), "{text}");
        assert_eq!(
            shown.echo.as_deref(),
            Some("x\\x1b]0;owned\\x07\\x0averdict=verified \\u{202e}\\x9b31m")
        );
        let long = Report {
            echo: Some("a".repeat(100_000)),
            ..Report::default()
        }
        .shown();
        assert!(
            long.echo
                .expect("echo")
                .ends_with("(100000 characters in all)")
        );
    }
}
