//! The HTTP side of a connection: reading the request head, the websocket upgrade answer,
//! the diagnostic page (`GET /`), `GET /info` and 404s.

use crate::error::{Error, Result};
use crate::peer::PeerInfo;
use tokio::io::{AsyncRead, AsyncReadExt};

/// Largest request head accepted.
pub const MAX_HEAD: usize = 16 * 1024;
const MAX_HEADERS: usize = 64;

/// A parsed request head.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `HEAD`, …
    pub method: String,
    /// The request target without the query.
    pub path: String,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The first header called `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn has_token(&self, name: &str, token: &str) -> bool {
        self.header(name)
            .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    }

    /// `None` unless this is a websocket upgrade request; then its `Sec-WebSocket-Key`, or
    /// why the key cannot be used (the request is answered 400, not 101).
    pub fn websocket_key(&self) -> Option<Result<&str, &'static str>> {
        if self.method == "GET"
            && self.has_token("upgrade", "websocket")
            && self.has_token("connection", "upgrade")
        {
            Some(match self.header("sec-websocket-key") {
                None => Err(
                    "the websocket upgrade has no Sec-WebSocket-Key header: send 16 \
                     random bytes in base64 (RFC 6455 section 4.1)",
                ),
                Some(key) if valid_websocket_key(key) => Ok(key),
                Some(_) => Err(
                    "Sec-WebSocket-Key must be 16 random bytes in base64 (24 characters \
                     ending in ==, RFC 6455 section 4.1)",
                ),
            })
        } else {
            None
        }
    }
}

/// True when `key` is what RFC 6455 §4.1 asks a client to send: 16 bytes in base64, which is
/// 22 base64 characters and `==`.
pub fn valid_websocket_key(key: &str) -> bool {
    let b = key.as_bytes();
    b.len() == 24
        && b.ends_with(b"==")
        && b[..22]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
}

/// `400 Bad Request` with `why` (and what to send instead) as the body.
pub fn bad_request(why: &str) -> Vec<u8> {
    response(
        400,
        "Bad Request",
        "text/plain; charset=utf-8",
        &format!("{why}\n"),
        false,
    )
}

/// Reads until the end of the request head. Returns the request and any bytes read past it
/// (the start of the websocket stream), or why there is no usable head.
pub async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> Result<(Request, Vec<u8>)> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|e| Error::check_or_refused(format!("reading the request: {e}")))?;
        if n == 0 {
            return Err(Error::Check(if buf.is_empty() {
                "connection closed before a request".into()
            } else {
                "connection closed inside the request head".into()
            }));
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&buf) {
            Ok(httparse::Status::Complete(len)) => {
                let target = req.path.unwrap_or("/");
                let path = target.split(['?', '#']).next().unwrap_or("/").to_string();
                let request = Request {
                    method: req.method.unwrap_or("").to_string(),
                    path,
                    headers: req
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name.to_ascii_lowercase(),
                                String::from_utf8_lossy(h.value).trim().to_string(),
                            )
                        })
                        .collect(),
                };
                return Ok((request, buf[len..].to_vec()));
            }
            Ok(httparse::Status::Partial) if buf.len() <= MAX_HEAD => continue,
            Ok(httparse::Status::Partial) => {
                return Err(Error::Check("request head too large".into()));
            }
            Err(e) => return Err(Error::Check(format!("bad HTTP request: {e}"))),
        }
    }
}

/// A complete response with `Connection: close`.
pub fn response(
    status: u16,
    reason: &str,
    content_type: &str,
    body: &str,
    head_only: bool,
) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    if !head_only {
        out.extend_from_slice(body.as_bytes());
    }
    out
}

/// The `101 Switching Protocols` answer to a websocket key.
pub fn switching_protocols(key: &str) -> Vec<u8> {
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n\r\n"
    )
    .into_bytes()
}

/// The answer to a plain HTTP request: `/` page, `/info` JSON, 404, 405.
pub fn route(req: &Request, info: &PeerInfo) -> Vec<u8> {
    let head_only = req.method == "HEAD";
    if req.method != "GET" && !head_only {
        return response(
            405,
            "Method Not Allowed",
            "text/plain; charset=utf-8",
            "method not allowed\n",
            false,
        );
    }
    match req.path.as_str() {
        "/" => response(
            200,
            "OK",
            "text/html; charset=utf-8",
            &page(info),
            head_only,
        ),
        "/info" => response(
            200,
            "OK",
            "application/json",
            &(info.to_json() + "\n"),
            head_only,
        ),
        _ => response(
            404,
            "Not Found",
            "text/plain; charset=utf-8",
            "not found\n",
            head_only,
        ),
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn row(out: &mut String, name: &str, value: Option<&str>) {
    out.push_str(&format!(
        "<tr><th>{}</th><td>{}</td></tr>\n",
        escape(name),
        value.map(escape).unwrap_or_else(|| "<i>none</i>".into())
    ));
}

/// The diagnostic page: the connection facts, and a tester that opens a websocket to the
/// same origin and shows the greeting and an echo.
pub fn page(info: &PeerInfo) -> String {
    let info = &info.greeting;
    let mut rows = String::new();
    row(&mut rows, "verdict", Some(info.verdict.as_str()));
    row(&mut rows, "listener", Some(&info.listener));
    row(&mut rows, "remote address", Some(&info.remote_addr));
    row(&mut rows, "TLS version", info.tls_version.as_deref());
    row(&mut rows, "cipher suite", info.cipher_suite.as_deref());
    row(&mut rows, "ALPN", info.alpn.as_deref());
    row(&mut rows, "SNI", info.sni.as_deref());
    row(
        &mut rows,
        "client chain length",
        Some(&info.client_chain_len.to_string()),
    );
    if let Some(c) = &info.client_certificate {
        row(&mut rows, "client subject", Some(&c.subject));
        row(&mut rows, "client common name", c.common_name.as_deref());
        row(&mut rows, "client issuer", Some(&c.issuer));
        row(&mut rows, "client SANs", Some(&c.sans.join(", ")));
        row(&mut rows, "client serial", Some(&c.serial));
        row(&mut rows, "client not before", Some(&c.not_before));
        row(&mut rows, "client not after", Some(&c.not_after));
        row(&mut rows, "client SHA-256", Some(&c.sha256));
        row(&mut rows, "client EKU", Some(&c.eku.join(", ")));
        row(&mut rows, "client key type", c.key_type.as_deref());
    }
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>certlab-echo: connection diagnostics</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 60em; }}
table {{ border-collapse: collapse; }} th, td {{ text-align: left; padding: .25em .75em; border-bottom: 1px solid #ddd; }}
td {{ font-family: ui-monospace, monospace; word-break: break-all; }}
pre {{ background: #f4f4f4; padding: 1em; white-space: pre-wrap; }}
</style></head>
<body>
<h1>certlab-echo</h1>
<p>What this server saw of your connection:</p>
<table id="facts">
{rows}</table>
<h2>WebSocket test</h2>
<p>Opens a websocket to this same address, shows the server's greeting and echoes a message.
Chromium does not offer client certificates for a <code>wss://</code> handshake by itself; it
reuses the one chosen for this page, which is why the test runs from here.</p>
<p><input id="msg" value="hello certlab"> <button id="go">Connect and send</button></p>
<pre id="log">not connected</pre>
<script>
document.getElementById('go').addEventListener('click', function () {{
  var log = document.getElementById('log');
  var scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  var ws = new WebSocket(scheme + location.host + '/');
  var greeted = false;
  log.textContent = 'connecting to ' + scheme + location.host + '/ …\n';
  ws.onmessage = function (e) {{
    if (!greeted) {{
      greeted = true;
      log.textContent += 'greeting:\n' + e.data + '\n';
      ws.send(document.getElementById('msg').value);
    }} else {{
      log.textContent += 'echo: ' + e.data + '\n';
      ws.close(1000, 'done');
    }}
  }};
  ws.onerror = function () {{ log.textContent += 'error (see the browser console)\n'; }};
  ws.onclose = function (e) {{ log.textContent += 'closed: ' + e.code + '\n'; }};
}});
</script>
</body></html>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn page_escapes_facts() {
        let mut info = PeerInfo::plain("default", "127.0.0.1:1".parse().expect("addr"));
        info.greeting.sni = Some("<script>".into());
        let html = page(&info);
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<td><script>"));
    }

    #[tokio::test]
    async fn reads_head_and_leftover() {
        let data = b"GET /info?x=1 HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\nrest";
        let mut r: &[u8] = data;
        let (req, left) = read_head(&mut r).await.expect("head");
        assert_eq!(req.path, "/info");
        assert_eq!(req.websocket_key(), Some(Ok("dGhlIHNhbXBsZSBub25jZQ==")));
        assert_eq!(left, b"rest");
    }

    #[test]
    fn websocket_keys() {
        assert!(valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ=="));
        for bad in [
            "",
            "abc",
            "dGhlIHNhbXBsZSBub25jZQ",
            "dGhlIHNhbXBsZSBub25jZQ=x",
            "dGhlIHNhbXBsZSBub25j\nQ==",
        ] {
            assert!(!valid_websocket_key(bad), "{bad:?}");
        }
    }
}
