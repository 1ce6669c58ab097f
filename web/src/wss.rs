//! The wss tester's pure side: the URL the user typed, the greeting `certlab-echo` sends, the
//! frames, and what a failed or finished attempt most likely means. No browser calls live
//! here, so all of it is unit-tested natively.

use serde::Deserialize;

/// The field error for a URL the tester cannot use.
pub const URL_HINT: &str = "must start with wss:// or ws://, e.g. wss://localhost:8443/";

/// A checked WebSocket URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The URL to open (trimmed, scheme in lower case).
    pub url: String,
    /// `wss://` (true) or `ws://`.
    pub secure: bool,
    /// `host:port` as typed (IPv6 in brackets), e.g. `localhost:8443`.
    pub authority: String,
    /// The port, explicit or the scheme's default (443 / 80).
    pub port: u16,
}

fn host_ok(host: &str) -> bool {
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

impl Target {
    /// Reads a `wss://` or `ws://` URL; the error names what is wrong and shows an example.
    pub fn parse(input: &str) -> Result<Target, String> {
        let input = input.trim();
        let lower = input.to_ascii_lowercase();
        let (secure, rest) = if lower.starts_with("wss://") {
            (true, &input[6..])
        } else if lower.starts_with("ws://") {
            (false, &input[5..])
        } else {
            return Err(URL_HINT.into());
        };
        if input.chars().any(char::is_whitespace) {
            return Err(format!("no spaces in the URL; it {URL_HINT}"));
        }
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.contains('@') {
            return Err("no user name or password in the URL, e.g. wss://localhost:8443/".into());
        }
        let (host_ok, port) = if let Some(v6) = authority.strip_prefix('[') {
            let Some((host, after)) = v6.split_once(']') else {
                return Err("an IPv6 address needs its closing ], e.g. wss://[::1]:8443/".into());
            };
            let ok = !host.is_empty() && host.chars().all(|c| c.is_ascii_hexdigit() || c == ':');
            match after {
                "" => (ok, None),
                p => match p.strip_prefix(':') {
                    Some(p) => (ok, Some(p)),
                    None => (false, None),
                },
            }
        } else {
            match authority.split_once(':') {
                Some((h, p)) => (host_ok(h), Some(p)),
                None => (host_ok(authority), None),
            }
        };
        if !host_ok {
            return Err("the URL needs a host name or address, e.g. wss://localhost:8443/".into());
        }
        let port = match port {
            None => {
                if secure {
                    443
                } else {
                    80
                }
            }
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && p.chars().all(|c| c.is_ascii_digit()) => n,
                _ => {
                    return Err(format!(
                        "the port must be a number from 1 to 65535 (got \"{p}\")"
                    ));
                }
            },
        };
        let scheme = if secure { "wss://" } else { "ws://" };
        let tail = if tail.is_empty() { "/" } else { tail };
        Ok(Target {
            url: format!("{scheme}{authority}{tail}"),
            secure,
            authority: authority.to_string(),
            port,
        })
    }

    /// The server's own page at the same host and port: `https://localhost:8443/` (or
    /// `http://…` for `ws://`).
    pub fn page(&self) -> String {
        let scheme = if self.secure { "https" } else { "http" };
        format!("{scheme}://{}/", self.authority)
    }
}

/// The client certificate as `certlab-echo` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ClientCert {
    /// Subject DN.
    pub subject: String,
    /// Subject CN.
    pub common_name: Option<String>,
    /// Issuer DN.
    pub issuer: String,
    /// subjectAltNames (`DNS:…`, `email:…`).
    #[serde(default)]
    pub sans: Vec<String>,
    /// Serial, hex.
    pub serial: String,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
    /// SHA-256 fingerprint, hex.
    pub sha256: String,
    /// Extended key usages (newer certlab-echo versions).
    #[serde(default)]
    pub eku: Vec<String>,
    /// e.g. `ECDSA P-256` (newer certlab-echo versions).
    #[serde(default)]
    pub key_type: Option<String>,
}

/// The JSON `certlab-echo` greets every WebSocket with (see `echo/src/peer.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Greeting {
    /// The client's address as the server saw it.
    pub remote_addr: String,
    /// `TLSv1_3`, `TLSv1_2`, or null on ws://.
    pub tls_version: Option<String>,
    /// e.g. `TLS13_AES_256_GCM_SHA384`.
    pub cipher_suite: Option<String>,
    /// Negotiated ALPN.
    pub alpn: Option<String>,
    /// The server name the browser asked for.
    pub sni: Option<String>,
    /// The client's leaf certificate, when the browser sent one (the server verified it).
    pub client_certificate: Option<ClientCert>,
    /// Certificates the browser sent.
    #[serde(default)]
    pub client_chain_len: usize,
    /// `verified` or `no client certificate`.
    pub verdict: String,
}

impl Greeting {
    /// The greeting in `text`, if it is one.
    pub fn parse(text: &str) -> Option<Greeting> {
        serde_json::from_str(text).ok()
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

/// One WebSocket message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
}

impl Payload {
    /// "text, 5 bytes: "hello"" / "binary, 5 bytes: 68 65 6c 6c 6f", shortened for the log.
    pub fn describe(&self) -> String {
        match self {
            Payload::Text(t) => {
                let shown: String = t.chars().take(200).collect();
                let more = if shown.len() < t.len() { "…" } else { "" };
                format!("text, {} bytes: \"{shown}{more}\"", t.len())
            }
            Payload::Binary(b) => {
                let hex: Vec<String> = b.iter().take(32).map(|x| format!("{x:02x}")).collect();
                let more = if b.len() > 32 { " …" } else { "" };
                format!("binary, {} bytes: {}{more}", b.len(), hex.join(" "))
            }
        }
    }
}

/// What the tester saw of one attempt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// wss:// (an https:// request is made first).
    pub secure: bool,
    /// The https:// request with credentials (it makes the browser choose a client
    /// certificate): `None` until it finished.
    pub primed: Option<bool>,
    /// The same request without credentials, made only to explain a failure.
    pub anonymous: Option<bool>,
    /// The WebSocket opened.
    pub opened: bool,
    /// The greeting arrived; `Some(true)` when it named a verified client certificate.
    pub greeted: Option<bool>,
}

/// The most likely meaning of an attempt, in the page's words (the component renders it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Diagnosis {
    /// Connected; the server saw no client certificate.
    OneWay,
    /// Connected; the server verified the browser's client certificate.
    Mutual,
    /// wss:// and https:// both failed: the root is not trusted, nothing listens, or a
    /// required client certificate was refused — a page cannot tell which.
    Unreachable,
    /// ws:// failed: nothing listens for plain WebSockets there.
    PlainUnreachable,
    /// With the browser's client certificate the request failed, without one it worked: the
    /// server refused that certificate.
    ClientCertRefused,
    /// https:// answered but the WebSocket handshake failed.
    UpgradeFailed,
    /// The WebSocket opened and closed before any greeting.
    ClosedBeforeGreeting,
}

impl Observed {
    /// Whether a failed attempt is worth a second, credential-less request to tell a refused
    /// client certificate from the rest.
    pub fn wants_anonymous_check(&self) -> bool {
        self.secure && !self.opened && self.primed == Some(false) && self.anonymous.is_none()
    }

    /// The diagnosis once the attempt is over (or greeted); `None` while nothing is known.
    pub fn diagnose(&self) -> Option<Diagnosis> {
        if let Some(mutual) = self.greeted {
            return Some(if mutual {
                Diagnosis::Mutual
            } else {
                Diagnosis::OneWay
            });
        }
        if self.opened {
            return Some(Diagnosis::ClosedBeforeGreeting);
        }
        if !self.secure {
            return Some(Diagnosis::PlainUnreachable);
        }
        Some(match (self.primed, self.anonymous) {
            (Some(true), _) => Diagnosis::UpgradeFailed,
            (_, Some(true)) => Diagnosis::ClientCertRefused,
            _ => Diagnosis::Unreachable,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let t = Target::parse(" wss://localhost:8443/ ").expect("ok");
        assert_eq!(
            (t.secure, t.port, t.authority.as_str()),
            (true, 8443, "localhost:8443")
        );
        assert_eq!(t.page(), "https://localhost:8443/");
        let t = Target::parse("WSS://[::1]:9000").expect("ok");
        assert_eq!((t.url.as_str(), t.port), ("wss://[::1]:9000/", 9000));
        let t = Target::parse("ws://127.0.0.1/echo?x=1").expect("ok");
        assert_eq!(
            (t.secure, t.port, t.page().as_str()),
            (false, 80, "http://127.0.0.1/")
        );
        assert_eq!(Target::parse("wss://lab").expect("ok").port, 443);
        for bad in [
            "",
            "localhost:8443",
            "https://localhost:8443/",
            "wss://",
            "wss://:8443/",
            "wss://localhost:0/",
            "wss://localhost:99999/",
            "wss://localhost:84a/",
            "wss://user@localhost/",
            "wss://local host/",
            "wss://[::1/",
            "wss://a:1:2/",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad} must be refused");
        }
        assert_eq!(Target::parse("http://x").unwrap_err(), URL_HINT);
    }

    #[test]
    fn greeting() {
        let g = Greeting::parse(
            r#"{"remote_addr":"127.0.0.1:5","tls_version":"TLSv1_3","cipher_suite":"TLS13_AES_256_GCM_SHA384",
            "alpn":"http/1.1","sni":"localhost","client_certificate":{"subject":"CN=alice","common_name":"alice",
            "issuer":"CN=certlab Root CA","sans":[],"serial":"01","not_before":"a","not_after":"b","sha256":"ff"},
            "client_chain_len":1,"verdict":"verified"}"#,
        )
        .expect("greeting");
        assert_eq!(g.tls_label(), "TLS 1.3");
        assert_eq!(
            g.client_certificate.and_then(|c| c.common_name).as_deref(),
            Some("alice")
        );
        assert!(Greeting::parse("hello").is_none());
        assert!(Greeting::parse("{\"a\":1}").is_none());
    }

    #[test]
    fn payloads() {
        assert_eq!(
            Payload::Text("hi".into()).describe(),
            "text, 2 bytes: \"hi\""
        );
        assert_eq!(
            Payload::Binary(vec![0, 255]).describe(),
            "binary, 2 bytes: 00 ff"
        );
    }

    #[test]
    fn diagnoses() {
        let wss = Observed {
            secure: true,
            ..Observed::default()
        };
        let d = |o: Observed| o.diagnose();
        assert_eq!(d(wss.clone()), Some(Diagnosis::Unreachable));
        let failed = Observed {
            primed: Some(false),
            ..wss.clone()
        };
        assert!(failed.wants_anonymous_check());
        assert_eq!(
            d(Observed {
                anonymous: Some(true),
                ..failed.clone()
            }),
            Some(Diagnosis::ClientCertRefused)
        );
        assert_eq!(
            d(Observed {
                anonymous: Some(false),
                ..failed
            }),
            Some(Diagnosis::Unreachable)
        );
        let primed = Observed {
            primed: Some(true),
            ..wss.clone()
        };
        assert!(!primed.wants_anonymous_check());
        assert_eq!(d(primed.clone()), Some(Diagnosis::UpgradeFailed));
        let open = Observed {
            opened: true,
            ..primed
        };
        assert_eq!(d(open.clone()), Some(Diagnosis::ClosedBeforeGreeting));
        assert_eq!(
            d(Observed {
                greeted: Some(true),
                ..open
            }),
            Some(Diagnosis::Mutual)
        );
        assert_eq!(d(Observed::default()), Some(Diagnosis::PlainUnreachable));
    }
}
