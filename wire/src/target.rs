//! The one reading of a `ws://` or `wss://` URL, for the page's tester and for
//! `certlab-echo probe` / `dial`.

/// The error for a URL that does not start with `wss://` or `ws://`.
pub const URL_HINT: &str = "must start with wss:// or ws://, e.g. wss://localhost:8443/";

/// A checked WebSocket URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The URL to open (trimmed, scheme in lower case, `/` when no path was given).
    pub url: String,
    /// `wss://` (true) or `ws://`.
    pub secure: bool,
    /// `host:port` as typed (IPv6 in brackets), e.g. `localhost:8443`.
    pub authority: String,
    /// Host name or IP address, IPv6 without its brackets, e.g. `::1`.
    pub host: String,
    /// The port, explicit or the scheme's default (443 / 80).
    pub port: u16,
}

fn host_ok(host: &str) -> bool {
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Splits an authority into (host without brackets, whether the host is usable, port text).
fn split_authority(authority: &str) -> Result<(&str, bool, Option<&str>), String> {
    if let Some(v6) = authority.strip_prefix('[') {
        let Some((host, after)) = v6.split_once(']') else {
            return Err("an IPv6 address needs its closing ], e.g. wss://[::1]:8443/".into());
        };
        let ok = !host.is_empty() && host.chars().all(|c| c.is_ascii_hexdigit() || c == ':');
        Ok(match after {
            "" => (host, ok, None),
            p => match p.strip_prefix(':') {
                Some(p) => (host, ok, Some(p)),
                None => (host, false, None),
            },
        })
    } else {
        Ok(match authority.split_once(':') {
            Some((h, p)) => (h, host_ok(h), Some(p)),
            None => (authority, host_ok(authority), None),
        })
    }
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
        let (host, host_ok, port) = split_authority(authority)?;
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
            host: host.to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let t = Target::parse(" wss://localhost:8443/ ").expect("ok");
        assert_eq!(
            (t.secure, t.port, t.authority.as_str(), t.host.as_str()),
            (true, 8443, "localhost:8443", "localhost")
        );
        assert_eq!(t.page(), "https://localhost:8443/");
        let t = Target::parse("WSS://[::1]:9000").expect("ok");
        assert_eq!((t.url.as_str(), t.port), ("wss://[::1]:9000/", 9000));
        assert_eq!(t.host, "::1");
        let t = Target::parse("ws://[::1]:9/x").expect("ok");
        assert_eq!((t.secure, t.host.as_str(), t.port), (false, "::1", 9));
        let t = Target::parse("ws://127.0.0.1/echo?x=1").expect("ok");
        assert_eq!(
            (t.secure, t.port, t.page().as_str(), t.host.as_str()),
            (false, 80, "http://127.0.0.1/", "127.0.0.1")
        );
        assert_eq!(t.url, "ws://127.0.0.1/echo?x=1");
        assert_eq!(Target::parse("wss://lab").expect("ok").port, 443);
        assert_eq!(Target::parse("ws://[::1]").expect("ok").port, 80);
        for bad in [
            "",
            "localhost:8443",
            "https://localhost:8443/",
            "wss://",
            "wss://:8443/",
            "wss://:1/",
            "wss://h:x/",
            "wss://localhost:0/",
            "wss://localhost:99999/",
            "wss://localhost:84a/",
            "wss://user@localhost/",
            "wss://local host/",
            "wss://[::1/",
            "wss://[::1]x/",
            "wss://a:1:2/",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad} must be refused");
        }
        assert_eq!(Target::parse("http://x").unwrap_err(), URL_HINT);
    }
}
