//! The echo side of one established connection, shared by `serve` (we accepted) and `dial`
//! (we connected out): read the HTTP request head, answer a websocket upgrade with the
//! greeting and the echo loop, or a plain request with the diagnostic page, `/info` or 404.

use crate::http;
use crate::limits::Limits;
use crate::peer::PeerInfo;
use futures_util::{SinkExt, StreamExt};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;
use tokio::time::timeout;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::error::{CapacityError, Error as WsError, ProtocolError};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
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

/// A websocket that was just upgraded and greeted.
pub struct Open<S> {
    ws: WebSocketStream<S>,
    remote: SocketAddr,
}

/// What [`upgrade`] made of a connection.
// Returned once per connection and moved straight into `echo`: boxing the websocket would
// cost one more allocation per idle connection.
#[allow(clippy::large_enum_variant)]
pub enum Upgrade<S> {
    /// A websocket, ready for [`echo`].
    Open(Open<S>),
    /// The connection was answered (page, `/info`, 404) or gave up before a request.
    Done(Served),
}

/// Serves one connection whose transport (TLS or plain) is established: [`upgrade`], then
/// [`echo`]. The caller logs a [`Served::NoRequest`] (serve and dial word it differently).
pub async fn serve_stream<S>(stream: S, info: PeerInfo, ctx: &Ctx) -> Served
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    match Box::pin(upgrade(stream, info, ctx)).await {
        Upgrade::Open(open) => {
            echo(open, ctx.clone(), ()).await;
            Served::Websocket
        }
        Upgrade::Done(served) => served,
    }
}

/// Reads the request head; answers a plain request, or upgrades to a websocket. Everything
/// this needs only while the connection starts (request, headers, `info`) is gone when it
/// returns: callers box this future so an idle websocket's task holds only [`echo`]'s state.
pub async fn upgrade<S>(mut stream: S, info: PeerInfo, ctx: &Ctx) -> Upgrade<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let limit = ctx.limits.handshake_timeout;
    let (req, leftover) = match timeout(limit, http::read_head(&mut stream)).await {
        Err(_) => {
            return Upgrade::Done(Served::NoRequest(format!(
                "no HTTP request within {limit:?}"
            )));
        }
        Ok(Err(e)) => return Upgrade::Done(Served::NoRequest(e.to_string())),
        Ok(Ok(r)) => r,
    };
    let Some(key) = req.websocket_key() else {
        let answer = http::route(&req, &info);
        debug!(remote = %info.greeting.remote_addr, method = %req.method, path = %req.path, "HTTP request");
        let _ = stream.write_all(&answer).await;
        let _ = stream.flush().await;
        let _ = stream.shutdown().await;
        return Upgrade::Done(Served::Http);
    };
    // The 101 answer and the greeting frame go out in one write (one TLS record), so the
    // websocket's own write buffer never has to hold the greeting of an idle connection.
    let mut answer = http::switching_protocols(key);
    let greeting = Frame::message(info.to_json(), OpCode::Data(Data::Text), true);
    if greeting.format(&mut answer).is_err()
        || stream.write_all(&answer).await.is_err()
        || stream.flush().await.is_err()
    {
        return Upgrade::Done(Served::NoRequest(
            "the peer left before the 101 answer".into(),
        ));
    }
    drop(answer);
    let ws = WebSocketStream::from_partially_read(
        stream,
        leftover,
        Role::Server,
        Some(ctx.limits.ws_config()),
    )
    .await;
    info!(
        listener = %info.greeting.listener,
        remote = %info.greeting.remote_addr,
        verdict = %info.greeting.verdict,
        peer = info
            .greeting
            .client_certificate
            .as_ref()
            .or(info.greeting.server_certificate.as_ref())
            .and_then(|c| c.common_name.as_deref())
            .unwrap_or("-"),
        "websocket open"
    );
    Upgrade::Open(Open {
        ws,
        remote: info.remote,
    })
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

/// Echoes every text and binary message (the greeting went out with the 101 answer) until
/// the peer closes, the idle timeout, an oversized message (1009) or shutdown (1001).
/// `guard` (e.g. the connection-limit permit) is dropped when the websocket is done.
///
/// This future is what an idle websocket costs, so it owns everything it needs (serve
/// spawns it as its own task once the handshake task is done) and is not an `async fn`: an
/// async fn moves its argument into a local and would store the websocket twice.
#[allow(clippy::manual_async_fn)]
pub fn echo<S, G>(mut open: Open<S>, mut ctx: Ctx, guard: G) -> impl Future<Output = ()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    async move {
        if let Some((code, reason)) = echo_loop(&mut open.ws, open.remote, &mut ctx).await {
            // Boxed: the closing handshake's state is not part of every idle task.
            Box::pin(close(&mut open.ws, code, reason)).await;
        }
        debug!(remote = %open.remote, "websocket closed");
        drop(guard);
    }
}

/// The echo loop; returns the close frame to send, if any.
async fn echo_loop<S>(
    ws: &mut WebSocketStream<S>,
    remote: SocketAddr,
    ctx: &mut Ctx,
) -> Option<(CloseCode, &'static str)>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let idle = ctx.limits.idle_timeout;
    let shutdown = &mut ctx.shutdown;
    loop {
        if *shutdown.borrow_and_update() {
            return Some((CloseCode::Away, "server shutting down"));
        }
        tokio::select! {
            // A dropped sender (Err) disables this branch: no shutdown can come any more.
            Ok(()) = shutdown.changed() => continue,
            next = timeout(idle, ws.next()) => match next {
                Err(_) => {
                    info!(%remote, "websocket idle for {idle:?}: closing");
                    return Some((CloseCode::Away, "idle timeout"));
                }
                Ok(None) => return None,
                Ok(Some(Ok(msg))) => match msg {
                    Message::Text(_) | Message::Binary(_) => {
                        if ws.send(msg).await.is_err() {
                            return None;
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
                            debug!(%remote, "peer left without a close frame");
                        }
                        // An abrupt exit (no TLS close_notify, reset): ordinary, not a warning.
                        WsError::Io(e) if matches!(
                            e.kind(),
                            std::io::ErrorKind::UnexpectedEof
                                | std::io::ErrorKind::ConnectionReset
                                | std::io::ErrorKind::ConnectionAborted
                                | std::io::ErrorKind::BrokenPipe
                        ) => {
                            debug!(%remote, "peer left without a close frame: {e}");
                        }
                        WsError::Capacity(CapacityError::MessageTooLong { size, max_size }) => {
                            warn!(%remote, size, max_size, "message larger than --max-message-size: closing with 1009");
                            return Some((CloseCode::Size, "message too big"));
                        }
                        other => warn!(%remote, "websocket error: {other}"),
                    }
                    return None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The echo future is what every idle websocket costs (plus the websocket's buffers):
    /// keep it from growing back (the task was 7.7 KiB before the handshake got its own task
    /// and this future owned its arguments; now about 2.1 KiB with the TLS stream).
    #[tokio::test]
    async fn idle_websocket_future_stays_small() {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let tcp = tokio::net::TcpStream::connect(l.local_addr().expect("addr"))
            .await
            .expect("connect");
        let ws = WebSocketStream::from_raw_socket(tcp, Role::Server, None).await;
        let (_tx, rx) = watch::channel(false);
        let ctx = Ctx {
            limits: Limits::default(),
            shutdown: rx,
        };
        let stream_size = std::mem::size_of_val(&ws);
        let open = Open {
            ws,
            remote: ([127, 0, 0, 1], 1).into(),
        };
        let f = echo(open, ctx, ());
        let overhead = std::mem::size_of_val(&f) - stream_size;
        assert!(
            overhead <= 700,
            "echo future: {overhead} bytes besides the websocket"
        );
    }
}
