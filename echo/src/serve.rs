//! `certlab-echo serve`: binds every listener (each wss listener with its own certificate,
//! key and client CAs), accepts connections under one connection limit, runs the TLS
//! handshake with its timeout, logs each refusal once with the reason, hands established
//! connections to [`conn::serve_stream`], and shuts down gracefully on SIGINT/SIGTERM.

use crate::config::{Listener, Settings};
use crate::conn::{self, Ctx, Open, Served, Upgrade};
use crate::error::{Error, Result};
use crate::outside::{MAX_MESSAGE_CHARS, shown_max};
use crate::peer::PeerInfo;
use crate::signal::wait_for_signal;
use crate::tls;
use crate::verify;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tracing::{debug, info, warn};

/// How long open connections get to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// One bound listener and what its connections need.
struct Bound {
    name: Arc<str>,
    listener: TcpListener,
    addr: SocketAddr,
    tls: Option<(TlsAcceptor, Arc<[String]>)>,
}

async fn bind(l: &Listener) -> Result<Bound> {
    let tls = match &l.tls {
        None => None,
        Some(t) => {
            let (config, cas) =
                tls::server_config(t).map_err(|e| e.prefixed(format!("listener {}", l.name)))?;
            if cas.is_empty() {
                info!(listener = %l.name, "client certificates: not requested");
            } else {
                info!(listener = %l.name, mode = ?t.client_auth, cas = %cas.join(" | "), "client certificates requested");
            }
            Some((TlsAcceptor::from(Arc::new(config)), Arc::from(cas)))
        }
    };
    let listener = TcpListener::bind(l.addr)
        .await
        .map_err(|e| Error::Local(format!("cannot listen on {}: {}", l.addr, bind_why(&e))))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Local(format!("cannot read the address of {}: {e}", l.addr)))?;
    Ok(Bound {
        name: Arc::from(l.name.as_str()),
        listener,
        addr,
        tls,
    })
}

/// Binds every listener, prints `listening wss://…` / `listening ws://…` lines (with the
/// listener name after a space for named ones), serves until SIGINT or SIGTERM, then closes
/// open websockets and returns.
pub async fn run(settings: Settings) -> Result<()> {
    let mut bound = Vec::new();
    for l in &settings.listeners {
        bound.push(bind(l).await?);
    }
    {
        let mut out = std::io::stdout().lock();
        for b in &bound {
            let scheme = if b.tls.is_some() { "wss" } else { "ws" };
            let suffix = if &*b.name == "default" {
                String::new()
            } else {
                format!(" {}", b.name)
            };
            // A closed stdout must not stop the server.
            let _ = writeln!(out, "listening {scheme}://{}{suffix}", b.addr);
        }
        let _ = out.flush();
    }

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let max = settings.max_connections;
    let per = settings.limits.max_bytes_per_connection();
    info!(
        per_connection_kib = per >> 10,
        max_connections = max,
        total_mib = per.saturating_mul(max) >> 20,
        "memory bound: about {} × --max-message-size per websocket (lower --max-message-size or --max-connections to lower it)",
        crate::limits::MESSAGE_COPIES
    );
    let limit = Arc::new(Semaphore::new(max));
    let ctx = Arc::new(Ctx {
        limits: settings.limits,
        shutdown: shutdown_rx,
    });
    let mut loops = Vec::new();
    for b in bound {
        loops.push(tokio::spawn(accept_loop(
            b,
            ctx.clone(),
            limit.clone(),
            max,
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

async fn accept_loop(b: Bound, ctx: Arc<Ctx>, limit: Arc<Semaphore>, max: usize) {
    let mut shutdown = ctx.shutdown.clone();
    loop {
        tokio::select! {
            _ = async { let _ = shutdown.wait_for(|stop| *stop).await; } => break,
            accepted = b.listener.accept() => match accepted {
                Ok((tcp, remote)) => {
                    let Ok(permit) = limit.clone().try_acquire_owned() else {
                        warn!(listener = %b.name, %remote, "connection refused: --max-connections {max} reached");
                        continue;
                    };
                    let _ = tcp.set_nodelay(true);
                    let ctx = ctx.clone();
                    let tls = b.tls.clone();
                    let name = b.name.clone();
                    // Two tasks per websocket: this one does the handshake and the upgrade
                    // and ends; the echo task it spawns holds only the websocket and the
                    // echo loop (about 2 KiB), which is what an idle connection costs.
                    tokio::spawn(async move {
                        match tls {
                            Some((acceptor, cas)) => {
                                if let Some(open) = tls_open(tcp, remote, &name, acceptor, &cas, &ctx).await {
                                    tokio::spawn(conn::echo(open, Ctx::clone(&ctx), permit));
                                }
                            }
                            None => {
                                let info = PeerInfo::plain(&name, remote);
                                match conn::upgrade(tcp, info, &ctx).await {
                                    Upgrade::Open(open) => {
                                        tokio::spawn(conn::echo(open, Ctx::clone(&ctx), permit));
                                    }
                                    Upgrade::Done(served) => log_served(&name, remote, served),
                                }
                            }
                        }
                    });
                }
                Err(e) => {
                    // e.g. out of file descriptors: back off instead of spinning.
                    warn!(listener = %b.name, addr = %b.addr, "accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
    debug!(listener = %b.name, "listener closed");
}

/// The TLS handshake (refusals logged once, with the reason) and the upgrade.
async fn tls_open(
    tcp: TcpStream,
    remote: SocketAddr,
    name: &str,
    acceptor: TlsAcceptor,
    cas: &[String],
    ctx: &Ctx,
) -> Option<Open<TlsStream<TcpStream>>> {
    let limit = ctx.limits.handshake_timeout;
    // The first bytes, peeked (not consumed): they tell plain HTTP from other non-TLS bytes.
    let mut first = [0u8; 8];
    let mut first_len = 0;
    let (result, seen) = verify::observe(timeout(limit, async {
        first_len = tcp.peek(&mut first).await.unwrap_or(0);
        acceptor.accept(tcp).await
    }))
    .await;
    let stream = match result {
        Err(_) => {
            warn!(listener = name, %remote, "TLS handshake failed: no handshake within {limit:?}");
            return None;
        }
        Ok(Err(e)) => {
            let why = verify::handshake_failure(&e, &seen, cas, Some(&first[..first_len]));
            let why = shown_max(&why, MAX_MESSAGE_CHARS);
            match seen.check {
                Some(check) => {
                    warn!(listener = name, %remote, check, "TLS handshake failed: client certificate refused: {why}")
                }
                None => warn!(listener = name, %remote, "TLS handshake failed: {why}"),
            }
            return None;
        }
        Ok(Ok(stream)) => stream,
    };
    drop(seen);
    let info = PeerInfo::from_tls(name, remote, stream.get_ref().1);
    debug!(
        %remote,
        tls = info.greeting.tls_version.as_deref().unwrap_or("?"),
        "TLS handshake done"
    );
    match conn::upgrade(stream, info, ctx).await {
        Upgrade::Open(open) => Some(open),
        Upgrade::Done(served) => {
            log_served(name, remote, served);
            None
        }
    }
}

fn log_served(name: &str, remote: SocketAddr, served: Served) {
    if let Served::NoRequest(why) = served {
        info!(listener = name, %remote, "closed before a request: {}", shown_max(&why, MAX_MESSAGE_CHARS));
    }
}

/// Why a listener could not bind, with the fix.
fn bind_why(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        AddrInUse => "another program already listens there: choose another --listen port, or stop that program".into(),
        PermissionDenied => "ports below 1024 need privileges: choose a higher --listen port (e.g. 8443)".into(),
        AddrNotAvailable => "no network interface here has that address: listen on 127.0.0.1, or on an address of this machine".into(),
        _ => e.to_string(),
    }
}
