//! The echo side of one established connection, shared by `serve` (we accepted) and `dial`
//! (we connected out): read the HTTP request head, answer a websocket upgrade with the
//! greeting and the echo loop, or a plain request with the diagnostic page, `/info` or 404.

use crate::http;
use crate::limits::Limits;
use crate::outside::shown;
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
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::{Frame, FrameHeader};
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

/// Writes a whole HTTP answer and closes the write side, within the write timeout (a client
/// that sends a request and never reads must not hold its connection slot).
async fn answer<S>(stream: &mut S, bytes: &[u8], limit: Duration)
where
    S: AsyncWrite + Unpin,
{
    let _ = timeout(limit, async {
        stream.write_all(bytes).await?;
        stream.flush().await?;
        stream.shutdown().await
    })
    .await;
}

/// Reads the request head; answers a plain request, or upgrades to a websocket. Everything
/// this needs only while the connection starts (request, headers, `info`) is gone when it
/// returns: callers box this future so an idle websocket's task holds only [`echo`]'s state.
pub async fn upgrade<S>(mut stream: S, info: PeerInfo, ctx: &Ctx) -> Upgrade<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let limit = ctx.limits.handshake_timeout;
    let write_limit = ctx.limits.write_timeout;
    let remote = info.remote;
    let (req, leftover) = match timeout(limit, http::read_head(&mut stream)).await {
        Err(_) => {
            return Upgrade::Done(Served::NoRequest(format!(
                "no HTTP request within {limit:?}"
            )));
        }
        Ok(Err(e)) => return Upgrade::Done(Served::NoRequest(e.to_string())),
        Ok(Ok(r)) => r,
    };
    debug!(
        %remote,
        method = &*shown(&req.method),
        path = &*shown(&req.path),
        host = &*shown(req.header("host").unwrap_or("-")),
        origin = &*shown(req.header("origin").unwrap_or("-")),
        agent = &*shown(req.header("user-agent").unwrap_or("-")),
        "HTTP request"
    );
    let key = match req.websocket_key() {
        None => {
            answer(&mut stream, &http::route(&req, &info), write_limit).await;
            return Upgrade::Done(Served::Http);
        }
        Some(Err(why)) => {
            info!(
                %remote,
                origin = &*shown(req.header("origin").unwrap_or("-")),
                agent = &*shown(req.header("user-agent").unwrap_or("-")),
                "websocket upgrade answered 400 Bad Request: {why}"
            );
            answer(&mut stream, &http::bad_request(why), write_limit).await;
            return Upgrade::Done(Served::Http);
        }
        Some(Ok(key)) => key,
    };
    // The 101 answer and the greeting frame go out in one write (one TLS record), so the
    // websocket's own write buffer never has to hold the greeting of an idle connection.
    let mut answer = http::switching_protocols(key);
    let greeting = Frame::message(info.to_json(), OpCode::Data(Data::Text), true);
    let sent = greeting.format(&mut answer).is_ok()
        && matches!(
            timeout(write_limit, async {
                stream.write_all(&answer).await?;
                stream.flush().await
            })
            .await,
            Ok(Ok(()))
        );
    if !sent {
        return Upgrade::Done(Served::NoRequest(format!(
            "the peer left, or did not read, before the 101 answer (--write-timeout {write_limit:?})"
        )));
    }
    drop(answer);
    let ws = WebSocketStream::from_partially_read(
        stream,
        leftover,
        Role::Server,
        Some(ctx.limits.ws_config()),
    )
    .await;
    let g = &info.greeting;
    let peer = g
        .client_certificate
        .as_ref()
        .or(g.server_certificate.as_ref())
        .and_then(|c| c.common_name.as_deref())
        .unwrap_or("-");
    info!(
        listener = %g.listener,
        %remote,
        verdict = %g.verdict,
        peer = &*shown(peer),
        "websocket open"
    );
    Upgrade::Open(Open { ws, remote })
}

/// Sends a close frame and waits briefly for the peer's, so the close is clean on both sides.
/// A peer that does not take the close frame within `CLOSE_WAIT` (2 s) is dropped.
pub async fn close<S>(ws: &mut WebSocketStream<S>, code: CloseCode, reason: &str)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    match timeout(CLOSE_WAIT, ws.close(Some(frame))).await {
        Ok(Ok(())) => {
            let _ = timeout(CLOSE_WAIT, async {
                while let Some(Ok(_)) = ws.next().await {}
            })
            .await;
        }
        Ok(Err(_)) => {}
        Err(_) => debug!("the close frame could not be sent within {CLOSE_WAIT:?}: dropped"),
    }
}

/// Echoes every text and binary message (the greeting went out with the 101 answer) until
/// the peer closes, the idle timeout, an oversized message (1009), a protocol error (1002,
/// 1007), a peer that does not read its echo (1008) or shutdown (1001).
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
///
/// Back-pressure: the next message is read only once the previous echo was taken by the
/// peer, so a connection holds at most one message; a peer that takes longer than
/// `--write-timeout` is closed with 1008 (and dropped if even the close frame cannot go out).
async fn echo_loop<S>(
    ws: &mut WebSocketStream<S>,
    remote: SocketAddr,
    ctx: &mut Ctx,
) -> Option<(CloseCode, &'static str)>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let idle = ctx.limits.idle_timeout;
    let write = ctx.limits.write_timeout;
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
                Ok(Some(Ok(msg))) => {
                    let size = msg.len();
                    let sent = match msg {
                        // Boxed: an echo in progress is not part of every idle task.
                        Message::Text(_) | Message::Binary(_) => Box::pin(send_echo(ws, msg, write)).await,
                        // tungstenite queues the pong (and the close reply); flushing sends it.
                        Message::Ping(_) | Message::Close(_) => match timeout(write, ws.flush()).await {
                            Ok(Ok(())) => Echo::Sent,
                            Ok(Err(_)) => Echo::Gone,
                            Err(_) => Echo::Stalled,
                        },
                        Message::Pong(_) | Message::Frame(_) => continue,
                    };
                    match sent {
                        Echo::Sent => {}
                        Echo::Gone => return None,
                        Echo::Stalled => {
                            warn!(%remote, size, "the peer did not read within {write:?} (--write-timeout): closing with 1008");
                            return Some((CloseCode::Policy, NOT_READ));
                        }
                        Echo::NotRead => {
                            warn!(%remote, size, "the peer did not read its echo within {write:?} (--write-timeout): closing with 1008, dropped if it does not take that either");
                            return None;
                        }
                    }
                }
                Ok(Some(Err(e))) => return read_failure(e, remote),
            }
        }
    }
}

/// The close reason sent to a peer that does not read.
const NOT_READ: &str = "echo not read in time";

/// How sending an echo went.
enum Echo {
    /// The peer took it.
    Sent,
    /// The connection failed: nothing more to send.
    Gone,
    /// tungstenite's own queue (a pong) did not go out in time: close through it.
    Stalled,
    /// The echo did not go out in time; the rest of it and a 1008 close frame were offered
    /// for [`CLOSE_WAIT`] more: drop the connection.
    NotRead,
}

/// Sends the echo of a text or binary message within `limit`. The frame goes straight to the
/// stream, past tungstenite's write buffer (as the greeting does): the payload is written
/// from the message itself, so it is never copied, and no buffer keeps a large echo's size
/// afterwards. tungstenite's queue (a pong) is flushed first, so frames never interleave.
async fn send_echo<S>(ws: &mut WebSocketStream<S>, msg: Message, limit: Duration) -> Echo
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let opcode = match msg {
        Message::Text(_) => Data::Text,
        _ => Data::Binary,
    };
    match timeout(limit, ws.flush()).await {
        Ok(Ok(())) => {}
        Ok(Err(_)) => return Echo::Gone,
        Err(_) => return Echo::Stalled,
    }
    let payload = msg.into_data();
    let mut head = Vec::with_capacity(10);
    let header = FrameHeader {
        opcode: OpCode::Data(opcode),
        ..FrameHeader::default()
    };
    if header.format(payload.len() as u64, &mut head).is_err() {
        return Echo::Gone;
    }
    let stream = ws.get_mut();
    let mut done = 0;
    match timeout(limit, write_parts(stream, &[&head, &payload], &mut done)).await {
        Ok(Ok(())) => Echo::Sent,
        Ok(Err(_)) => Echo::Gone,
        Err(_) => {
            // The frame is half sent: a close frame can only follow the rest of it.
            let mut close = Vec::new();
            let frame = Frame::close(Some(CloseFrame {
                code: CloseCode::Policy,
                reason: NOT_READ.into(),
            }));
            if frame.format(&mut close).is_ok() {
                let parts: [&[u8]; 3] = [&head, &payload, &close];
                let _ = timeout(CLOSE_WAIT, write_parts(stream, &parts, &mut done)).await;
            }
            Echo::NotRead
        }
    }
}

/// Writes `parts` one after the other from byte `*done` on (counted over all parts), adding
/// what the stream took to `done`: a write cut by a timeout resumes where it stopped, as a
/// pending `poll_write` has taken nothing.
async fn write_parts<W>(w: &mut W, parts: &[&[u8]], done: &mut usize) -> std::io::Result<()>
where
    W: AsyncWrite + Unpin,
{
    let mut skip = *done;
    for part in parts {
        if skip >= part.len() {
            skip -= part.len();
            continue;
        }
        let mut at = std::mem::take(&mut skip);
        while at < part.len() {
            let n = w.write(&part[at..]).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            at += n;
            *done += n;
        }
    }
    w.flush().await
}

/// What a failed read is answered with: the close frame RFC 6455 §7.4.1 asks for (1002 for
/// a protocol violation, 1007 for invalid UTF-8, 1009 for a message over the limit), or
/// nothing when the peer is gone. Logged once, with the cause.
fn read_failure(e: WsError, remote: SocketAddr) -> Option<(CloseCode, &'static str)> {
    match e {
        WsError::ConnectionClosed | WsError::AlreadyClosed => None,
        WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => {
            debug!(%remote, "peer left without a close frame");
            None
        }
        // An abrupt exit (no TLS close_notify, reset): ordinary, not a warning.
        WsError::Io(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::UnexpectedEof
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
            ) =>
        {
            debug!(%remote, "peer left without a close frame: {e}");
            None
        }
        WsError::Capacity(CapacityError::MessageTooLong { size, max_size }) => {
            warn!(%remote, size, max_size, "message larger than --max-message-size: closing with 1009");
            Some((CloseCode::Size, "message too big"))
        }
        WsError::Utf8(why) => {
            warn!(%remote, "text message is not valid UTF-8 ({}): closing with 1007", shown(&why));
            Some((CloseCode::Invalid, "text message is not valid UTF-8"))
        }
        WsError::Protocol(p) => match violation(&p) {
            Some(reason) => {
                warn!(%remote, "websocket protocol error: {reason}: closing with 1002");
                Some((CloseCode::Protocol, reason))
            }
            None => {
                warn!(%remote, "websocket error: {}", shown(&p.to_string()));
                None
            }
        },
        other => {
            warn!(%remote, "websocket error: {}", shown(&other.to_string()));
            None
        }
    }
}

/// The close reason for a frame that breaks RFC 6455, or `None` for an error that is not the
/// peer's violation.
fn violation(p: &ProtocolError) -> Option<&'static str> {
    use ProtocolError as P;
    Some(match p {
        P::UnmaskedFrameFromClient => "unmasked frame from a client",
        P::NonZeroReservedBits => "reserved bits set, no extension was negotiated",
        P::UnexpectedContinueFrame => "continuation frame without a message to continue",
        P::ExpectedFragment(_) => "new message inside a fragmented one",
        P::UnknownDataFrameType(_) | P::UnknownControlFrameType(_) | P::InvalidOpcode(_) => {
            "unknown opcode"
        }
        P::FragmentedControlFrame => "fragmented control frame",
        P::ControlFrameTooBig => "control frame longer than 125 bytes",
        P::InvalidCloseSequence => "invalid close frame",
        _ => return None,
    })
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
