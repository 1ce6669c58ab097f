//! The websocket-client half shared by `probe` (connecting) and `probe --listen` (the
//! listening client of `dial`): upgrade, read the greeting, send, expect the echo; and the
//! reading of a ws:// or wss:// URL from the command line.

use crate::error::{Error, Result};
use crate::report::Report;
use crate::verify::Seen;
use certlab_wire::Target;
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::timeout;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

/// Reads a `ws://` or `wss://` URL given on the command line (the page's reading, from
/// `certlab-wire`); the error starts with the URL.
pub fn parse_url(url: &str) -> Result<Target> {
    Target::parse(url).map_err(|e| Error::Input(format!("{url:?}: {e}")))
}

/// Copies what the verifier saw into the report.
pub fn note_seen(report: &mut Report, seen: &Seen) {
    report.verification = seen.verdict.as_ref().map(|v| match v {
        Ok(()) => "verified".to_string(),
        Err(e) => format!("FAILED: {e}"),
    });
    report.why = seen.why.clone();
}

/// Adds the likely cause to errors that are hard to read in TLS 1.3.
pub fn explain(e: impl std::fmt::Display) -> String {
    let text = e.to_string();
    if text.contains("received fatal alert: CertificateRevoked") {
        format!(
            "{text} (the server refused our client certificate as revoked: its CA's CRL lists it)"
        )
    } else if text.contains("received fatal alert") {
        // In TLS 1.3 the server judges the client certificate after the client finished its
        // side of the handshake, so a refusal arrives as an alert on the first read.
        format!("{text} (the server refused our client certificate, or that none was sent)")
    } else {
        text
    }
}

/// The next text or binary message; `what` names the step in errors.
pub async fn next_data<S>(
    ws: &mut WebSocketStream<S>,
    step: Duration,
    what: &str,
) -> Result<Message>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        match timeout(step, ws.next()).await {
            Err(_) => return Err(Error::Timeout(format!("{what}: nothing within {step:?}"))),
            Ok(None) => return Err(Error::Check(format!("{what}: connection closed"))),
            Ok(Some(Err(e))) => {
                return Err(Error::check_or_refused(format!("{what}: {}", explain(e))));
            }
            Ok(Some(Ok(Message::Close(frame)))) => {
                return Err(Error::Check(format!(
                    "{what}: server closed the websocket{}",
                    frame
                        .map(|f| format!(" ({} {})", f.code, f.reason))
                        .unwrap_or_default()
                )));
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
) -> Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut ws, _) = timeout(step, tokio_tungstenite::client_async(url, stream))
        .await
        .map_err(|_| Error::Timeout(format!("websocket handshake: timed out after {step:?}")))?
        .map_err(|e| Error::check_or_refused(format!("websocket handshake: {}", explain(e))))?;
    let greeting = next_data(&mut ws, step, "greeting").await?;
    report.greeting = Some(match &greeting {
        Message::Text(t) => serde_json::from_str(t.as_str())
            .unwrap_or_else(|_| serde_json::Value::String(t.to_string())),
        other => serde_json::Value::String(format!("{} binary bytes", other.len())),
    });
    timeout(step, ws.send(Message::text(send)))
        .await
        .map_err(|_| Error::Timeout(format!("send: timed out after {step:?}")))?
        .map_err(|e| Error::check_or_refused(format!("send: {e}")))?;
    match next_data(&mut ws, step, "echo").await? {
        Message::Text(t) => report.echo = Some(t.to_string()),
        other => {
            return Err(Error::Check(format!(
                "echo: expected text, got {} binary bytes",
                other.len()
            )));
        }
    }
    let _ = timeout(step, ws.close(None)).await;
    let _ = timeout(step, async { while let Some(Ok(_)) = ws.next().await {} }).await;
    if report.echo.as_deref() != Some(send) {
        return Err(Error::Check("echo differs from what was sent".into()));
    }
    Ok(())
}
