//! `certlab-echo serve`: listeners, per-connection handling (TLS handshake, HTTP request,
//! websocket greeting and echo), limits and graceful shutdown.

use crate::config::Settings;
use crate::http;
use crate::peer::PeerInfo;
use crate::tls;
use futures_util::{SinkExt, StreamExt};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::error::{CapacityError, Error as WsError, ProtocolError};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tracing::{debug, info, warn};

/// How long open connections get to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// How long to wait for the peer's close frame after sending ours.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// What every connection task shares.
struct Ctx {
    settings: Settings,
    shutdown: watch::Receiver<bool>,
}

/// Binds every listener, prints `listening wss://…` / `listening ws://…` lines, serves until
/// SIGINT or SIGTERM, then closes open websockets and returns.
pub async fn run(settings: Settings) -> Result<(), String> {
    let acceptor = TlsAcceptor::from(Arc::new(tls::server_config(&settings)?));
    let mut listeners = Vec::new();
    for (addrs, secure) in [(&settings.listen, true), (&settings.plain_listen, false)] {
        for addr in addrs {
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            let bound = listener
                .local_addr()
                .map_err(|e| format!("cannot read the address of {addr}: {e}"))?;
            listeners.push((listener, bound, secure));
        }
    }
    {
        let mut out = std::io::stdout().lock();
        for (_, bound, secure) in &listeners {
            let scheme = if *secure { "wss" } else { "ws" };
            // A closed stdout must not stop the server.
            let _ = writeln!(out, "listening {scheme}://{bound}");
        }
        let _ = out.flush();
    }
    if settings.client_ca.is_empty() {
        info!("client certificates: not requested");
    } else {
        info!(mode = ?settings.client_auth, cas = settings.client_ca.len(), "client certificates requested");
    }

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let max = settings.max_connections;
    let limit = Arc::new(Semaphore::new(max));
    let ctx = Arc::new(Ctx {
        settings,
        shutdown: shutdown_rx,
    });
    let mut loops = Vec::new();
    for (listener, bound, secure) in listeners {
        let tls = secure.then(|| acceptor.clone());
        loops.push(tokio::spawn(accept_loop(
            listener,
            bound,
            tls,
            ctx.clone(),
            limit.clone(),
        )));
    }

    let signal = wait_for_signal().await;
    info!(
        signal,
        "shutting down: no new connections, closing open websockets"
    );
    let _ = shutdown_tx.send(true);
    for l in loops {
        let _ = l.await;
    }
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    match timeout(SHUTDOWN_GRACE, limit.acquire_many(all)).await {
        Ok(_) => info!("all connections closed"),
        Err(_) => warn!(
            open = max - limit.available_permits(),
            "connections still open after {SHUTDOWN_GRACE:?}; exiting anyway"
        ),
    }
    Ok(())
}

#[cfg(unix)]
async fn wait_for_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => tokio::select! {
            _ = tokio::signal::ctrl_c() => "SIGINT",
            _ = term.recv() => "SIGTERM",
        },
        Err(e) => {
            warn!("cannot watch SIGTERM: {e}");
            let _ = tokio::signal::ctrl_c().await;
            "SIGINT"
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() -> &'static str {
    let _ = tokio::signal::ctrl_c().await;
    "ctrl-c"
}

async fn accept_loop(
    listener: TcpListener,
    bound: SocketAddr,
    tls: Option<TlsAcceptor>,
    ctx: Arc<Ctx>,
    limit: Arc<Semaphore>,
) {
    let mut shutdown = ctx.shutdown.clone();
    loop {
        tokio::select! {
            _ = async { let _ = shutdown.wait_for(|stop| *stop).await; } => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, remote)) => {
                    let Ok(permit) = limit.clone().try_acquire_owned() else {
                        warn!(%remote, "connection refused: --max-connections {} reached", ctx.settings.max_connections);
                        continue;
                    };
                    let _ = tcp.set_nodelay(true);
                    let ctx = ctx.clone();
                    let tls = tls.clone();
                    tokio::spawn(async move {
                        let _permit = permit;
                        match tls {
                            Some(acceptor) => tls_connection(tcp, remote, acceptor, &ctx).await,
                            None => serve_stream(tcp, PeerInfo::plain(remote), &ctx).await,
                        }
                    });
                }
                Err(e) => {
                    // e.g. out of file descriptors: back off instead of spinning.
                    warn!(listener = %bound, "accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
    debug!(listener = %bound, "listener closed");
}

async fn tls_connection(tcp: TcpStream, remote: SocketAddr, acceptor: TlsAcceptor, ctx: &Ctx) {
    let limit = ctx.settings.handshake_timeout;
    let stream = match timeout(limit, acceptor.accept(tcp)).await {
        Err(_) => {
            warn!(%remote, "TLS handshake failed: no handshake within {limit:?}");
            return;
        }
        Ok(Err(e)) => {
            warn!(%remote, "TLS handshake failed: {e}");
            return;
        }
        Ok(Ok(stream)) => stream,
    };
    let info = PeerInfo::from_tls(remote, stream.get_ref().1);
    debug!(
        %remote,
        tls = info.tls_version.as_deref().unwrap_or("?"),
        client = info.client_certificate.as_ref().map(|c| c.subject.as_str()).unwrap_or("-"),
        "TLS handshake done"
    );
    serve_stream(stream, info, ctx).await;
}

async fn serve_stream<S>(mut stream: S, info: PeerInfo, ctx: &Ctx)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let limit = ctx.settings.handshake_timeout;
    let (req, leftover) = match timeout(limit, http::read_head(&mut stream)).await {
        Err(_) => {
            debug!(remote = %info.remote_addr, "no HTTP request within {limit:?}");
            return;
        }
        Ok(Err(e)) => {
            debug!(remote = %info.remote_addr, "{e}");
            return;
        }
        Ok(Ok(r)) => r,
    };
    if let Some(key) = req.websocket_key() {
        let answer = http::switching_protocols(key);
        if stream.write_all(&answer).await.is_err() || stream.flush().await.is_err() {
            return;
        }
        let max = ctx.settings.max_message_size;
        let config = WebSocketConfig::default()
            .max_message_size(Some(max))
            .max_frame_size(Some(max));
        let ws = WebSocketStream::from_partially_read(stream, leftover, Role::Server, Some(config))
            .await;
        info!(
            remote = %info.remote_addr,
            verdict = %info.verdict,
            client = info.client_certificate.as_ref().and_then(|c| c.common_name.as_deref()).unwrap_or("-"),
            "websocket open"
        );
        echo(ws, &info, ctx).await;
    } else {
        let answer = http::route(&req, &info);
        debug!(remote = %info.remote_addr, method = %req.method, path = %req.path, "HTTP request");
        let _ = stream.write_all(&answer).await;
        let _ = stream.flush().await;
        let _ = stream.shutdown().await;
    }
}

async fn close<S>(ws: &mut WebSocketStream<S>, code: CloseCode, reason: &str)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    if ws.close(Some(frame)).await.is_ok() {
        // Wait briefly for the peer's close frame so the close is clean on both sides.
        let _ = timeout(CLOSE_WAIT, async {
            while let Some(Ok(_)) = ws.next().await {}
        })
        .await;
    }
}

async fn echo<S>(mut ws: WebSocketStream<S>, info: &PeerInfo, ctx: &Ctx)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let remote = info.remote_addr.as_str();
    if ws.send(Message::text(info.to_json())).await.is_err() {
        return;
    }
    let mut shutdown = ctx.shutdown.clone();
    let idle = ctx.settings.idle_timeout;
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
                            warn!(remote, size, max_size, "message larger than --max-message-size: closing");
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
