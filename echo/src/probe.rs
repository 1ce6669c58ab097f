//! `certlab-echo probe`: connect to a wss:// (or ws://) server, print the server chain, the
//! verification verdict, the greeting and the echo of a message. Succeeds only if all of
//! that worked. With `--listen` it is the listening client of `certlab-echo dial`
//! (see [`crate::listen`]).

use crate::limits::parse_duration;
use crate::peer::subject_of;
use crate::report::Report;
use crate::tls::{self, IdentitySource};
use crate::verify::{Seen, observe};
use clap::Args;
use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::ServerName;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

/// `certlab-echo probe` flags.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Server URL, e.g. wss://localhost:8443/ (ws:// for a plain listener).
    #[arg(required_unless_present = "listen", conflicts_with = "listen")]
    pub url: Option<String>,
    /// Listen here for `certlab-echo dial` instead of connecting (reverse mode): accept one
    /// connection as TLS server with --cert/--key or --p12, demand the dialer's client
    /// certificate from --ca, then act as the websocket client over it.
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<String>,
    /// CA certificate(s) to trust for the peer (repeatable).
    #[arg(long, value_name = "CA")]
    pub ca: Vec<PathBuf>,
    /// Certificate (with its issuers) to present: client certificate for mutual TLS, or the
    /// server certificate in --listen mode.
    #[arg(long, value_name = "CERT", requires = "key", conflicts_with = "p12")]
    pub cert: Option<PathBuf>,
    /// Private key of --cert.
    #[arg(long, value_name = "KEY", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Password of an encrypted --key.
    #[arg(long, value_name = "PW")]
    pub key_password: Option<String>,
    /// Identity as PKCS#12 (a kit's .p12 or .modern.p12) instead of --cert/--key.
    #[arg(long, value_name = "FILE", requires = "password")]
    pub p12: Option<PathBuf>,
    /// Password of --p12.
    #[arg(long, value_name = "PW", requires = "p12")]
    pub password: Option<String>,
    /// Text to send and expect back.
    #[arg(long, value_name = "TEXT", default_value = "hello certlab")]
    pub send: String,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Time allowed for each step (connect, handshake, each message).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// --listen mode: how long to wait for the dialer to connect.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub wait: Duration,
}

impl ProbeArgs {
    /// The identity given by --cert/--key or --p12, if any.
    pub fn identity(&self) -> Option<IdentitySource> {
        match (&self.cert, &self.key, &self.p12, &self.password) {
            (Some(cert), Some(key), _, _) => Some(IdentitySource::Pem {
                cert: cert.clone(),
                key: key.clone(),
                password: self.key_password.clone(),
            }),
            (_, _, Some(file), Some(pw)) => Some(IdentitySource::P12 {
                file: file.clone(),
                password: pw.clone(),
            }),
            _ => None,
        }
    }
}

/// A parsed ws:// or wss:// URL.
pub struct Target {
    /// wss:// (true) or ws://.
    pub secure: bool,
    /// Host name or IP address (without brackets).
    pub host: String,
    /// Port (default 443 / 80).
    pub port: u16,
}

/// Parses `wss://HOST:PORT/…` or `ws://…`.
pub fn parse_url(url: &str) -> Result<Target, String> {
    let (secure, rest) = if let Some(r) = url.strip_prefix("wss://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("ws://") {
        (false, r)
    } else {
        return Err(format!(
            "{url:?}: expected wss://HOST:PORT/ or ws://HOST:PORT/"
        ));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or_else(|| format!("{url:?}: unclosed [ in the host"))?;
        (h, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(format!("{url:?}: no host"));
    }
    let port = match port {
        Some(p) => p.parse().map_err(|_| format!("{url:?}: bad port {p:?}"))?,
        None if secure => 443,
        None => 80,
    };
    Ok(Target {
        secure,
        host: host.to_string(),
        port,
    })
}

/// Runs the probe (or its listening mode), prints the report, returns whether everything
/// succeeded.
pub async fn run(args: ProbeArgs) -> bool {
    let mut report = Report {
        sent: args.send.clone(),
        ..Report::default()
    };
    let result = match (&args.url, &args.listen) {
        (_, Some(addr)) => {
            report.mode = "listen";
            report.url = format!("listen {addr}");
            crate::listen::run(&args, addr, &mut report).await
        }
        (Some(url), None) => {
            report.mode = "connect";
            report.url = url.clone();
            probe(&args, url, &mut report).await
        }
        (None, None) => Err("give a URL or --listen ADDR:PORT".into()),
    };
    if let Err(e) = result {
        report.error = Some(e);
    }
    report.ok = report.error.is_none() && report.echo.as_deref() == Some(args.send.as_str());
    report.print(args.json);
    report.ok
}

/// Copies what the verifier saw into the report.
pub fn note_seen(report: &mut Report, seen: &Seen) {
    report.verification = seen.verdict.as_ref().map(|v| match v {
        Ok(()) => "verified".to_string(),
        Err(e) => format!("FAILED: {e}"),
    });
    report.why = seen.why.clone();
}

async fn probe(args: &ProbeArgs, url: &str, report: &mut Report) -> Result<(), String> {
    let target = parse_url(url)?;
    let step = args.timeout;
    let tcp = timeout(
        step,
        TcpStream::connect((target.host.as_str(), target.port)),
    )
    .await
    .map_err(|_| {
        format!(
            "connect to {}:{}: timed out after {step:?}",
            target.host, target.port
        )
    })?
    .map_err(|e| format!("connect to {}:{}: {e}", target.host, target.port))?;
    let _ = tcp.set_nodelay(true);
    if !target.secure {
        return websocket(url, step, &args.send, report, tcp).await;
    }

    let identity = args.identity().map(|i| i.load()).transpose()?;
    let (config, ca_subjects) = tls::client_config(&args.ca, identity)?;
    // rustls sends no SNI for an IP address (RFC 6066); the address is still checked.
    report.sni = target
        .host
        .parse::<std::net::IpAddr>()
        .is_err()
        .then(|| target.host.clone());
    report.checked = Some(if ca_subjects.is_empty() {
        format!("name {:?} against no CA (give --ca CA)", target.host)
    } else {
        format!(
            "name {:?} against CA {}",
            target.host,
            ca_subjects.join(" | ")
        )
    });
    let name = ServerName::try_from(target.host.clone())
        .map_err(|e| format!("{:?} is not a valid server name: {e}", target.host))?;
    let connector = TlsConnector::from(Arc::new(config));
    let (connected, seen) = observe(timeout(step, connector.connect(name, tcp))).await;
    report.server_chain = seen.chain.iter().map(|c| subject_of(c)).collect();
    note_seen(report, &seen);
    let stream = match connected {
        Err(_) => return Err(format!("TLS handshake: timed out after {step:?}")),
        Ok(Err(e)) => return Err(format!("TLS handshake: {e}")),
        Ok(Ok(s)) => s,
    };
    let conn = stream.get_ref().1;
    report.tls_version = conn.protocol_version().map(|v| format!("{v:?}"));
    report.cipher_suite = conn
        .negotiated_cipher_suite()
        .map(|s| format!("{:?}", s.suite()));
    websocket(url, step, &args.send, report, stream).await
}

/// Adds the likely cause to errors that are hard to read in TLS 1.3.
pub fn explain(e: impl std::fmt::Display) -> String {
    let text = e.to_string();
    if text.contains("received fatal alert") {
        // In TLS 1.3 the server judges the client certificate after the client finished its
        // side of the handshake, so a refusal arrives as an alert on the first read.
        format!("{text} (the server refused our client certificate, or that none was sent)")
    } else {
        text
    }
}

async fn next_data<S>(
    ws: &mut WebSocketStream<S>,
    step: Duration,
    what: &str,
) -> Result<Message, String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        match timeout(step, ws.next()).await {
            Err(_) => return Err(format!("{what}: nothing within {step:?}")),
            Ok(None) => return Err(format!("{what}: connection closed")),
            Ok(Some(Err(e))) => return Err(format!("{what}: {}", explain(e))),
            Ok(Some(Ok(Message::Close(frame)))) => {
                return Err(format!(
                    "{what}: server closed the websocket{}",
                    frame
                        .map(|f| format!(" ({} {})", f.code, f.reason))
                        .unwrap_or_default()
                ));
            }
            Ok(Some(Ok(m @ (Message::Text(_) | Message::Binary(_))))) => return Ok(m),
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// The websocket client's part: upgrade, read the greeting, send `send`, expect it back,
/// close cleanly.
pub async fn websocket<S>(
    url: &str,
    step: Duration,
    send: &str,
    report: &mut Report,
    stream: S,
) -> Result<(), String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut ws, _) = timeout(step, tokio_tungstenite::client_async(url, stream))
        .await
        .map_err(|_| format!("websocket handshake: timed out after {step:?}"))?
        .map_err(|e| format!("websocket handshake: {}", explain(e)))?;
    let greeting = next_data(&mut ws, step, "greeting").await?;
    report.greeting = Some(match &greeting {
        Message::Text(t) => serde_json::from_str(t.as_str())
            .unwrap_or_else(|_| serde_json::Value::String(t.to_string())),
        other => serde_json::Value::String(format!("{} binary bytes", other.len())),
    });
    timeout(step, ws.send(Message::text(send)))
        .await
        .map_err(|_| format!("send: timed out after {step:?}"))?
        .map_err(|e| format!("send: {e}"))?;
    match next_data(&mut ws, step, "echo").await? {
        Message::Text(t) => report.echo = Some(t.to_string()),
        other => {
            return Err(format!(
                "echo: expected text, got {} binary bytes",
                other.len()
            ));
        }
    }
    let _ = timeout(step, ws.close(None)).await;
    let _ = timeout(step, async { while let Some(Ok(_)) = ws.next().await {} }).await;
    if report.echo.as_deref() != Some(send) {
        return Err("echo differs from what was sent".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let t = parse_url("wss://localhost:8443/").expect("url");
        assert!(t.secure);
        assert_eq!((t.host.as_str(), t.port), ("localhost", 8443));
        let t = parse_url("ws://[::1]:9/x").expect("url");
        assert!(!t.secure);
        assert_eq!((t.host.as_str(), t.port), ("::1", 9));
        assert_eq!(parse_url("wss://example.test").expect("url").port, 443);
        assert!(parse_url("https://x/").is_err());
        assert!(parse_url("wss://:1/").is_err());
        assert!(parse_url("wss://h:x/").is_err());
    }
}
