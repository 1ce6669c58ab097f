//! The echo side of one established connection, shared by `serve` (we accepted) and `dial`
//! (we connected out): read the HTTP request head, answer a websocket upgrade with the
//! greeting and the echo loop, or a plain request with the diagnostic page, `/info` or 404.

use crate::http;
use crate::limits::Limits;
use crate::peer::PeerInfo;
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;
use tokio::time::timeout;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::error::{CapacityError, Error as WsError, ProtocolError};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};
use tracing::{debug, info, warn};

/// How long to wait for the peer's close frame after sending ours.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// What every connection shares: its limits and the shutdown signal.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Handshake, idle and size limits.
    pub limits: Limits,
    /// Becomes `true` on SIGINT/SIGTERM: open websockets are closed with 1001.
    pub shutdown: watch::Receiver<bool>,
}

/// How a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// No complete HTTP request arrived (timeout, EOF, reset, TLS alert, garbage): why.
    NoRequest(String),
    /// A page, `/info` or an error status was answered.
    Http,
    /// A websocket was greeted and echoed until it closed.
    Websocket,
}

/// Serves one connection whose transport (TLS or plain) is established. The caller logs a
/// [`Served::NoRequest`] (serve and dial word it differently).
pub async fn serve_stream<S>(mut stream: S, info: PeerInfo, ctx: &Ctx) -> Served
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let limit = ctx.limits.handshake_timeout;
    // Boxed: the read buffer lives only while the head is read, not in every idle task.
    let head = Box::pin(timeout(limit, http::read_head(&mut stream))).await;
    let (req, leftover) = match head {
        Err(_) => return Served::NoRequest(format!("no HTTP request within {limit:?}")),
        Ok(Err(e)) => return Served::NoRequest(e),
        Ok(Ok(r)) => r,
    };
    if let Some(key) = req.websocket_key() {
        let answer = http::switching_protocols(key);
        if stream.write_all(&answer).await.is_err() || stream.flush().await.is_err() {
            return Served::Websocket;
        }
        let ws = WebSocketStream::from_partially_read(
            stream,
            leftover,
            Role::Server,
            Some(ctx.limits.ws_config()),
        )
        .await;
        info!(
            listener = %info.listener,
            remote = %info.remote_addr,
            verdict = %info.verdict,
            peer = info
                .client_certificate
                .as_ref()
                .or(info.server_certificate.as_ref())
                .and_then(|c| c.common_name.as_deref())
                .unwrap_or("-"),
            "websocket open"
        );
        let greeting = info.to_json();
        let remote = info.remote_addr.clone();
        drop(info);
        echo(ws, greeting, &remote, ctx).await;
        Served::Websocket
    } else {
        let answer = http::route(&req, &info);
        debug!(remote = %info.remote_addr, method = %req.method, path = %req.path, "HTTP request");
        let _ = stream.write_all(&answer).await;
        let _ = stream.flush().await;
        let _ = stream.shutdown().await;
        Served::Http
    }
}

/// Sends a close frame and waits briefly for the peer's, so the close is clean on both sides.
pub async fn close<S>(ws: &mut WebSocketStream<S>, code: CloseCode, reason: &str)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    if ws.close(Some(frame)).await.is_ok() {
        let _ = timeout(CLOSE_WAIT, async {
            while let Some(Ok(_)) = ws.next().await {}
        })
        .await;
    }
}

/// Sends the greeting, then echoes every text and binary message until the peer closes,
/// the idle timeout, an oversized message (1009) or shutdown (1001).
async fn echo<S>(mut ws: WebSocketStream<S>, greeting: String, remote: &str, ctx: &Ctx)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if ws.send(Message::text(greeting)).await.is_err() {
        return;
    }
    let mut shutdown = ctx.shutdown.clone();
    let idle = ctx.limits.idle_timeout;
    loop {
        tokio::select! {
            true = async { shutdown.wait_for(|stop| *stop).await.is_ok() } => {
                close(&mut ws, CloseCode::Away, "server shutting down").await;
                break;
            }
            next = timeout(idle, ws.next()) => match next {
                Err(_) => {
                    info!(remote, "websocket idle for {idle:?}: closing");
                    close(&mut ws, CloseCode::Away, "idle timeout").await;
                    break;
                }
                Ok(None) => break,
                Ok(Some(Ok(msg))) => match msg {
                    Message::Text(_) | Message::Binary(_) => {
                        if ws.send(msg).await.is_err() {
                            break;
                        }
                    }
                    // tungstenite queues the pong (and the close reply); flushing sends it.
                    Message::Ping(_) | Message::Close(_) => {
                        let _ = ws.flush().await;
                    }
                    Message::Pong(_) | Message::Frame(_) => {}
                },
                Ok(Some(Err(e))) => {
                    match e {
                        WsError::ConnectionClosed | WsError::AlreadyClosed => {}
                        WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => {
                            debug!(remote, "peer left without a close frame");
                        }
                        WsError::Capacity(CapacityError::MessageTooLong { size, max_size }) => {
                            warn!(remote, size, max_size, "message larger than --max-message-size: closing with 1009");
                            close(&mut ws, CloseCode::Size, "message too big").await;
                        }
                        other => warn!(remote, "websocket error: {other}"),
                    }
                    break;
                }
            }
        }
    }
    debug!(remote, "websocket closed");
}
