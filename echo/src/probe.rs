//! `certlab-echo probe`: connect to a wss:// (or ws://) server, print the server chain, the
//! verification verdict, the greeting and the echo of a message. Succeeds only if all of
//! that worked.

use crate::limits::parse_duration;
use crate::peer::subject_of;
use crate::tls;
use clap::Args;
use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::ServerName;
use serde::Serialize;
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
    pub url: String,
    /// CA certificate(s) to trust for the server (repeatable).
    #[arg(long, value_name = "CA")]
    pub ca: Vec<PathBuf>,
    /// Client certificate (with its issuers) for mutual TLS.
    #[arg(long, value_name = "CERT", requires = "key")]
    pub cert: Option<PathBuf>,
    /// Client private key.
    #[arg(long, value_name = "KEY", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Password of an encrypted client key.
    #[arg(long, value_name = "PW")]
    pub key_password: Option<String>,
    /// Text to send and expect back.
    #[arg(long, value_name = "TEXT", default_value = "hello certlab")]
    pub send: String,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Time allowed for each step (connect, handshake, each message).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// Everything the probe found out.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// The URL probed.
    pub url: String,
    /// The server name sent as SNI (null for an IP address, which is checked but not sent).
    pub sni: Option<String>,
    /// Subjects of the certificates the server sent, leaf first.
    pub server_chain: Vec<String>,
    /// `verified`, the rustls error, or null when no TLS was used or reached.
    pub verification: Option<String>,
    /// What the verification checked: the name and the trusted CA subjects.
    pub checked: Option<String>,
    /// Negotiated TLS version.
    pub tls_version: Option<String>,
    /// Negotiated cipher suite.
    pub cipher_suite: Option<String>,
    /// The server's first message, parsed as JSON when possible.
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

struct Target {
    secure: bool,
    host: String,
    port: u16,
}

fn parse_url(url: &str) -> Result<Target, String> {
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

/// Runs the probe, prints the report, returns whether everything succeeded.
pub async fn run(args: ProbeArgs) -> bool {
    let mut report = Report {
        url: args.url.clone(),
        sent: args.send.clone(),
        ..Report::default()
    };
    if let Err(e) = probe(&args, &mut report).await {
        report.error = Some(e);
    }
    report.ok = report.error.is_none() && report.echo.as_deref() == Some(args.send.as_str());
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print_text(&report);
    }
    report.ok
}

fn print_text(r: &Report) {
    println!("url: {}", r.url);
    if let Some(sni) = &r.sni {
        println!("sni: {sni}");
    }
    if !r.server_chain.is_empty() {
        println!("server chain:");
        for (i, s) in r.server_chain.iter().enumerate() {
            println!("  {i}: {s}");
        }
    }
    if let Some(v) = &r.verification {
        println!("verification: {v}");
    }
    if let Some(c) = &r.checked {
        println!("  checked {c}");
    }
    if let (Some(v), Some(c)) = (&r.tls_version, &r.cipher_suite) {
        println!("tls: {v} {c}");
    }
    if let Some(g) = &r.greeting {
        println!(
            "greeting: {}",
            serde_json::to_string_pretty(g).unwrap_or_default()
        );
    }
    if let Some(e) = &r.echo {
        println!("sent: {}", r.sent);
        println!("echo: {e}");
    }
    if let Some(e) = &r.error {
        println!("error: {e}");
    }
    println!("{}", if r.ok { "OK" } else { "FAILED" });
}

async fn probe(args: &ProbeArgs, report: &mut Report) -> Result<(), String> {
    let target = parse_url(&args.url)?;
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
        return websocket(args, report, tcp).await;
    }

    let roots = tls::root_store(&args.ca, "--ca")?;
    let ca_subjects: Vec<String> = args
        .ca
        .iter()
        .filter_map(|p| tls::load_certs(p, "--ca").ok())
        .flatten()
        .map(|c| subject_of(&c))
        .collect();
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
    let identity = match (&args.cert, &args.key) {
        (Some(c), Some(k)) => Some((
            tls::load_certs(c, "--cert")?,
            tls::load_key(k, args.key_password.as_deref(), "--key")?,
        )),
        _ => None,
    };
    let (config, seen) = tls::client_config(roots, identity)?;
    let name = ServerName::try_from(target.host.clone())
        .map_err(|e| format!("{:?} is not a valid server name: {e}", target.host))?;
    let connector = TlsConnector::from(Arc::new(config));
    let connected = timeout(step, connector.connect(name, tcp)).await;
    if let Ok(seen) = seen.lock() {
        report.server_chain = seen.chain.iter().map(|c| subject_of(c)).collect();
        report.verification = seen.verdict.as_ref().map(|v| match v {
            Ok(()) => "verified".to_string(),
            Err(e) => format!("FAILED: {e}"),
        });
    }
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
    websocket(args, report, stream).await
}

fn explain(e: impl std::fmt::Display) -> String {
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

async fn websocket<S>(args: &ProbeArgs, report: &mut Report, stream: S) -> Result<(), String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let step = args.timeout;
    let (mut ws, _) = timeout(
        step,
        tokio_tungstenite::client_async(args.url.as_str(), stream),
    )
    .await
    .map_err(|_| format!("websocket handshake: timed out after {step:?}"))?
    .map_err(|e| format!("websocket handshake: {}", explain(e)))?;
    let greeting = next_data(&mut ws, step, "greeting").await?;
    report.greeting = Some(match &greeting {
        Message::Text(t) => serde_json::from_str(t.as_str())
            .unwrap_or_else(|_| serde_json::Value::String(t.to_string())),
        other => serde_json::Value::String(format!("{} binary bytes", other.len())),
    });
    timeout(step, ws.send(Message::text(args.send.clone())))
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
    if report.echo.as_deref() != Some(args.send.as_str()) {
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
