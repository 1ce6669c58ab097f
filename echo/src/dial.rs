//! `certlab-echo dial wss://HOST:PORT/`: the reverse connection ("server phones home"). The
//! echo side connects OUT to a listening client (`certlab-echo probe --listen`), as TLS
//! client with its certificate, verifies the listener against the session CA, and then plays
//! the echo-server role over that connection with the same code as `serve`
//! ([`conn::serve_stream`]): it reads the websocket upgrade, sends the greeting describing
//! the listener, and echoes. While the listener is away it retries every `--retry`; after a
//! session ends it dials again, so a restarted listener is found again.
//!
//! Which side is TLS server and which is websocket client is laid out in [`crate::listen`].

use crate::client::parse_url;
use crate::conn::{self, Ctx, Served};
use crate::error::{Error, Result};
use crate::limits::{LimitFlags, Limits, parse_duration};
use crate::outside::{MAX_MESSAGE_CHARS, shown, shown_max};
use crate::peer::{PeerInfo, subject_of};
use crate::signal::wait_for_signal;
use crate::tls::{self, IdentitySource};
use crate::verify::{handshake_failure, observe};
use clap::Args;
use rustls::pki_types::ServerName;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;
use tracing::{debug, info, warn};

/// How long a session in progress gets to close after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// `certlab-echo dial` flags.
#[derive(Debug, Args)]
pub struct DialArgs {
    /// The listening client, e.g. wss://localhost:9443/ (`certlab-echo probe --listen`).
    pub url: String,
    /// Our certificate chain, presented as TLS client: it needs EKU clientAuth (a certlab
    /// client, or a server issued with client_auth: true).
    #[arg(
        long,
        value_name = "CERT",
        requires = "key",
        required_unless_present = "p12"
    )]
    pub cert: Option<PathBuf>,
    /// Private key of --cert.
    #[arg(long, value_name = "KEY", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Password of an encrypted --key.
    #[arg(long, value_name = "PW")]
    pub key_password: Option<String>,
    /// Identity as PKCS#12 instead of --cert/--key.
    #[arg(
        long,
        value_name = "FILE",
        requires = "password",
        conflicts_with = "cert"
    )]
    pub p12: Option<PathBuf>,
    /// Password of --p12.
    #[arg(long, value_name = "PW", requires = "p12")]
    pub password: Option<String>,
    /// The session CA(s) the listener's certificate must chain to (repeatable).
    #[arg(long, value_name = "CA", required = true)]
    pub ca: Vec<PathBuf>,
    /// CRL of the listener's CA (repeatable): a revoked listener certificate is refused.
    #[arg(long, value_name = "FILE")]
    pub crl: Vec<PathBuf>,
    /// Time between attempts while the listener is away.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub retry: Duration,
    /// Time allowed for TCP connect + TLS handshake, and then for the upgrade request.
    #[arg(long, value_name = "DURATION")]
    pub handshake_timeout: Option<String>,
    /// A websocket silent for this long is closed.
    #[arg(long, value_name = "DURATION")]
    pub idle_timeout: Option<String>,
    /// Time the listener gets to take each echo off the wire before the session is closed
    /// with 1008 (e.g. 30s).
    #[arg(long, value_name = "DURATION")]
    pub write_timeout: Option<String>,
    /// Largest websocket message accepted.
    #[arg(long, value_name = "SIZE")]
    pub max_message_size: Option<String>,
}

/// Everything one attempt needs.
struct Dialer {
    host: String,
    port: u16,
    name: ServerName<'static>,
    sni: Option<String>,
    connector: TlsConnector,
    cas: Vec<String>,
    ctx: Ctx,
}

/// Checks the flags, then dials until SIGINT/SIGTERM. Errors are start-up errors.
pub async fn run(args: DialArgs) -> Result<()> {
    let target = parse_url(&args.url)?;
    if !target.secure {
        return Err(Error::Input(format!(
            "{:?}: dial needs a wss:// URL",
            args.url
        )));
    }
    let identity = match (&args.cert, &args.key, &args.p12, &args.password) {
        (Some(cert), Some(key), _, _) => IdentitySource::Pem {
            cert: cert.clone(),
            key: key.clone(),
            password: args.key_password.clone(),
        },
        (_, _, Some(file), Some(pw)) => IdentitySource::P12 {
            file: file.clone(),
            password: pw.clone(),
        },
        _ => {
            return Err(Error::Input(
                "give --cert and --key, or --p12 and --password".into(),
            ));
        }
    }
    .load()?;
    tls::check_eku(
        &identity.0,
        "clientAuth",
        "--cert",
        "dial connects out and presents its certificate as the TLS client, so the listener \
         demands clientAuth: use a certlab client identity, or issue the server with \
         client_auth: true (\"Also allow the certificate to authenticate as a TLS client\")",
    )?;
    let (config, cas) = tls::client_config(&args.ca, &args.crl, Some(identity))?;
    let limits = Limits::parse(LimitFlags {
        handshake_timeout: args.handshake_timeout.as_deref(),
        idle_timeout: args.idle_timeout.as_deref(),
        write_timeout: args.write_timeout.as_deref(),
        max_message_size: args.max_message_size.as_deref(),
    })?;
    let name = ServerName::try_from(target.host.clone())
        .map_err(|e| Error::Input(format!("{:?} is not a valid server name: {e}", target.host)))?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let dialer = Dialer {
        sni: target
            .host
            .parse::<std::net::IpAddr>()
            .is_err()
            .then(|| target.host.clone()),
        host: target.host,
        port: target.port,
        name,
        connector: TlsConnector::from(Arc::new(config)),
        cas,
        ctx: Ctx {
            limits,
            shutdown: stop_rx,
        },
    };
    info!(url = %args.url, retry = ?args.retry, "dialling the listening client");
    let task = tokio::spawn(dial_loop(dialer, args.retry));
    let signal = wait_for_signal().await;
    info!(
        signal,
        "shutting down: closing the session, no more attempts"
    );
    let _ = stop_tx.send(true);
    if timeout(SHUTDOWN_GRACE, task).await.is_err() {
        warn!("the session did not close within {SHUTDOWN_GRACE:?}; exiting anyway");
    }
    Ok(())
}

async fn dial_loop(d: Dialer, retry: Duration) {
    let mut stop = d.ctx.shutdown.clone();
    let mut last_failure: Option<Error> = None;
    loop {
        if *stop.borrow() {
            break;
        }
        match session(&d).await {
            Ok(()) => {
                last_failure = None;
                // Dial again at once: a listener that restarts quickly is found quickly.
                continue;
            }
            Err(e) => {
                let shown = shown_max(&e.to_string(), MAX_MESSAGE_CHARS).into_owned();
                if last_failure.as_ref() == Some(&e) {
                    debug!("{shown}; still retrying every {retry:?}");
                } else {
                    warn!("{shown}; retrying every {retry:?}");
                    last_failure = Some(e);
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(retry) => {}
            _ = stop.wait_for(|s| *s) => break,
        }
    }
}

/// One attempt: connect, verify each other, serve one websocket session.
async fn session(d: &Dialer) -> Result<()> {
    let limit = d.ctx.limits.handshake_timeout;
    let tcp = timeout(limit, TcpStream::connect((d.host.as_str(), d.port)))
        .await
        .map_err(|_| {
            Error::Timeout(format!(
                "listener {}:{} unreachable: no connection within {limit:?}",
                d.host, d.port
            ))
        })?
        .map_err(|e| {
            let text = format!("listener {}:{} unreachable: {e}", d.host, d.port);
            if e.kind() == std::io::ErrorKind::ConnectionRefused {
                Error::Refused(text)
            } else {
                Error::Check(text)
            }
        })?;
    let _ = tcp.set_nodelay(true);
    let remote = tcp
        .peer_addr()
        .map_err(|e| Error::Local(format!("listener {}:{}: {e}", d.host, d.port)))?;
    let (connected, seen) = observe(timeout(limit, d.connector.connect(d.name.clone(), tcp))).await;
    let stream = match connected {
        Err(_) => {
            return Err(Error::Timeout(format!(
                "listener {remote}: no TLS handshake within {limit:?}"
            )));
        }
        Ok(Err(e)) => {
            let why = handshake_failure(&e, &seen, &d.cas, None);
            return Err(match seen.check {
                Some(check) => Error::Check(format!(
                    "refused the listener at {remote}: its certificate fails the {check} check: {why}"
                )),
                None => Error::check_or_refused(format!(
                    "listener {remote}: TLS handshake failed: {why}"
                )),
            });
        }
        Ok(Ok(s)) => s,
    };
    let listener_subject = seen
        .chain
        .first()
        .map(|c| subject_of(c))
        .unwrap_or_default();
    info!(%remote, listener = &*shown(&listener_subject), "TLS handshake done, listener verified; waiting for its websocket request");
    let info = PeerInfo::from_dial(remote, d.sni.clone(), stream.get_ref().1);
    match conn::serve_stream(stream, info, &d.ctx).await {
        Served::NoRequest(why) if why.contains("alert") => Err(Error::Refused(format!(
            "listener {remote} refused our client certificate ({why}): it must chain to the \
             listener's --ca and carry clientAuth"
        ))),
        Served::NoRequest(why) => Err(Error::Check(format!(
            "listener {remote} sent no websocket request: {why}"
        ))),
        Served::Http | Served::Websocket => {
            info!(%remote, "session ended; dialling again");
            Ok(())
        }
    }
}
