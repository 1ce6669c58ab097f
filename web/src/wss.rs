//! The wss tester's pure side: the URL the user typed and the greeting `certlab-echo` sends
//! (both from `certlab-wire`, which certlab-echo uses too), the frames, and what a failed or
//! finished attempt most likely means. No browser calls live here, so all of it is
//! unit-tested natively.

pub use certlab_wire::{CertFacts, Greeting, Target, URL_HINT, Verdict};

/// The greeting in `text`, if it is one.
pub fn parse_greeting(text: &str) -> Option<Greeting> {
    serde_json::from_str(text).ok()
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
    fn greeting() {
        let g = parse_greeting(
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
        assert_eq!(g.verdict, Verdict::Verified);
        assert!(parse_greeting("hello").is_none());
        assert!(parse_greeting("{\"a\":1}").is_none());
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
