//! `certlab-echo probe --listen ADDR:PORT`: the listening client of the reverse mode, where
//! the echo side ("server phones home", [`crate::dial`]) connects out to it.
//!
//! The roles are crossed on purpose, layer by layer:
//!
//! | layer | `dial` (echo side) | `probe --listen` (client side) |
//! |---|---|---|
//! | TCP | connects out, retries every `--retry` | listens, accepts one connection |
//! | TLS | **TLS client**: presents its certificate, so it needs EKU `clientAuth` (a certlab client identity, or a server with `client_auth: true`); verifies the listener's certificate against `--ca` and the dialled host name | **TLS server**: presents its certificate, so it needs EKU `serverAuth` and a SAN for the host the dialer dials (a certlab server identity); demands the dialer's client certificate and verifies it against `--ca` |
//! | HTTP / WebSocket | **websocket server**: reads the upgrade request, answers 101, sends the greeting (the TLS facts of the listener), echoes | **websocket client**: sends the upgrade request, reads the greeting, sends `--send`, checks the echo, closes |
//!
//! Both sides refuse a peer whose certificate does not chain to the session CA. The probe
//! takes one connection, prints the same report as `probe URL` (with the dialer's chain as
//! `client_chain`) and exits 0 only when the handshake, greeting and echo all succeeded.

use crate::client::{note_seen, websocket};
use crate::config::ClientAuth;
use crate::error::{Error, Result};
use crate::peer::subject_of;
use crate::report::Report;
use crate::tls::{self, IdentitySource};
use crate::verify::{handshake_failure, observe};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;

/// What the listening mode takes from `probe`'s flags.
#[derive(Debug)]
pub struct ListenArgs<'a> {
    /// `--listen ADDR:PORT`.
    pub addr: &'a str,
    /// The listener's own identity (`--cert/--key` or `--p12`).
    pub identity: Option<IdentitySource>,
    /// CAs the dialer's client certificate must chain to.
    pub ca: &'a [PathBuf],
    /// CRLs the dialer's client certificate is looked up in.
    pub crl: &'a [PathBuf],
    /// Text to send and expect back.
    pub send: &'a str,
    /// Time allowed for each step after the dialer connected.
    pub timeout: Duration,
    /// How long to wait for the dialer.
    pub wait: Duration,
}

/// Listens on `args.addr`, accepts one dialer, and fills `report`.
pub async fn run(args: &ListenArgs<'_>, report: &mut Report) -> Result<()> {
    let addr = args.addr;
    let addr: SocketAddr = addr.parse().map_err(|e| {
        Error::Input(format!(
            "--listen {addr:?}: {e} (expected ADDR:PORT, e.g. 127.0.0.1:9443)"
        ))
    })?;
    let identity = args
        .identity
        .as_ref()
        .ok_or_else(|| {
            Error::Input(
                "--listen needs the listener's own certificate: --cert/--key or --p12".into(),
            )
        })?
        .load()?;
    tls::check_eku(
        &identity.0,
        "serverAuth",
        "--cert",
        "with --listen the probe is the TLS server of the connection, so present a server \
         certificate (a certlab server identity) that names the host the dialer dials",
    )?;
    if args.ca.is_empty() {
        return Err(Error::Input(
            "--listen needs --ca CA to verify the dialer's client certificate".into(),
        ));
    }
    let (config, cas) =
        tls::server_config_for(identity, args.ca, args.crl, ClientAuth::Required, "--ca")?;
    report.checked = Some(format!(
        "the dialer's client certificate against CA {}",
        cas.join(" | ")
    ));
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| Error::Local(format!("cannot listen on {addr}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| Error::Local(format!("cannot read the address of {addr}: {e}")))?;
    eprintln!(
        "listening wss://{bound} (waiting up to {:?} for certlab-echo dial)",
        args.wait
    );
    let (tcp, peer) = timeout(args.wait, listener.accept())
        .await
        .map_err(|_| Error::Timeout(format!("no dialer connected within {:?}", args.wait)))?
        .map_err(|e| Error::Local(format!("accept: {e}")))?;
    drop(listener);
    let _ = tcp.set_nodelay(true);
    report.peer = Some(peer.to_string());
    let step = args.timeout;
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let (accepted, seen) = observe(timeout(step, acceptor.accept(tcp))).await;
    report.client_chain = seen.chain.iter().map(|c| subject_of(c)).collect();
    note_seen(report, &seen);
    let stream = match accepted {
        Err(_) => {
            return Err(Error::Timeout(format!(
                "TLS handshake: timed out after {step:?}"
            )));
        }
        Ok(Err(e)) => {
            let mut why = handshake_failure(&e, &seen, &cas, None);
            if why.contains("received fatal alert") {
                why.push_str(
                    " (the dialer refused this listener's certificate: it must chain to the \
                     dialer's --ca, carry serverAuth and name the host the dialer dials)",
                );
                return Err(Error::Refused(format!("TLS handshake: {why}")));
            }
            return Err(Error::Check(format!("TLS handshake: {why}")));
        }
        Ok(Ok(s)) => s,
    };
    let conn = stream.get_ref().1;
    report.tls_version = conn.protocol_version().map(|v| format!("{v:?}"));
    report.cipher_suite = conn
        .negotiated_cipher_suite()
        .map(|s| format!("{:?}", s.suite()));
    report.sni = conn.server_name().map(str::to_string);
    websocket(&format!("wss://{bound}/"), step, args.send, report, stream).await
}
