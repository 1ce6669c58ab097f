//! The "ceiling" server for the load comparison: the same rustls `ServerConfig`
//! (`certlab_echo::tls::server_config`, ring, ALPN http/1.1) and the same tungstenite
//! `WebSocketConfig` as `certlab-echo serve`, doing only what any wss echo must do: TLS
//! accept, the websocket upgrade (tungstenite's own handshake), and echo of text/binary.
//!
//! What it leaves out, on purpose, so the gap to certlab-echo is what certlab-echo's
//! features cost: no greeting JSON (no certificate parsing per connection), no HTTP routing
//! or diagnostic page, no per-connection log line, no handshake/idle timeouts, no
//! connection limit, no graceful shutdown. It is a ceiling for this stack on this machine,
//! not for TLS in general.
//!
//! `cargo run --release -p certlab-echo --example bare -- --cert server.fullchain.pem --key server.key [--listen 127.0.0.1:0]`
//! prints `listening wss://ADDR` and serves until killed.
#![forbid(unsafe_code)]

use certlab_echo::config::{ClientAuth, TlsSettings};
use certlab_echo::limits::Limits;
use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// Flags.
#[derive(Debug, Parser)]
struct Args {
    /// Server certificate chain.
    #[arg(long)]
    cert: PathBuf,
    /// Server key (unencrypted).
    #[arg(long)]
    key: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let settings = TlsSettings {
        cert: args.cert,
        key: args.key,
        key_password: None,
        client_ca: Vec::new(),
        crl: Vec::new(),
        client_auth: ClientAuth::Required,
    };
    let (config, _) = certlab_echo::tls::server_config(&settings).map_err(|e| e.to_string())?;
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let ws_config = Limits::default().ws_config();
    let listener = TcpListener::bind(&args.listen)
        .await
        .map_err(|e| format!("listen {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("listening wss://{addr}");
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            let Ok(mut ws) =
                tokio_tungstenite::accept_async_with_config(tls, Some(ws_config)).await
            else {
                return;
            };
            while let Some(Ok(msg)) = ws.next().await {
                if msg.is_close() {
                    break;
                }
                if (msg.is_text() || msg.is_binary()) && ws.send(msg).await.is_err() {
                    break;
                }
            }
        });
    }
}
