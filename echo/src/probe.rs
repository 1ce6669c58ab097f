//! `certlab-echo probe`: connect to a wss:// (or ws://) server, print the server chain, the
//! verification verdict, the greeting and the echo of a message. Succeeds only if all of
//! that worked. `tls://HOST:PORT` (or `--tls-only`) stops after the TLS handshake, for the
//! plain TLS endpoints of other servers (mosquitto's 8883, nginx, a Cute server's cutes://). With `--listen` it is the listening client of `certlab-echo dial`
//! (see [`crate::listen`]).

use crate::client::{note_seen, parse_url, websocket};
use crate::error::{Error, Result};
use crate::limits::parse_duration;
use crate::listen::{self, ListenArgs};
use crate::peer::subject_of;
use crate::report::Report;
use crate::tls::{self, IdentitySource};
use crate::verify::observe;
use clap::Args;
use rustls::pki_types::ServerName;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;

/// `certlab-echo probe` flags.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Server URL, e.g. wss://localhost:8443/ (ws:// for a plain listener), or
    /// tls://HOST:PORT for the TLS handshake only (any TLS server: mosquitto, nginx…).
    #[arg(required_unless_present = "listen", conflicts_with = "listen")]
    pub url: Option<String>,
    /// Listen here for `certlab-echo dial` instead of connecting (reverse mode): accept one
    /// connection as TLS server with --cert/--key or --p12, demand the dialer's client
    /// certificate from --ca, then act as the websocket client over it.
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<String>,
    /// CA certificate(s) to trust for the peer (repeatable).
    #[arg(long, value_name = "CA")]
    pub ca: Vec<PathBuf>,
    /// CRL of the peer's CA (repeatable): a revoked peer certificate is refused (the
    /// server's, or in --listen mode the dialer's).
    #[arg(long, value_name = "FILE")]
    pub crl: Vec<PathBuf>,
    /// Certificate (with its issuers) to present: client certificate for mutual TLS, or the
    /// server certificate in --listen mode.
    #[arg(long, value_name = "CERT", requires = "key", conflicts_with = "p12")]
    pub cert: Option<PathBuf>,
    /// Private key of --cert.
    #[arg(long, value_name = "KEY", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Password of an encrypted --key.
    #[arg(long, value_name = "PW")]
    pub key_password: Option<String>,
    /// Identity as PKCS#12 (a kit's .p12 or .modern.p12) instead of --cert/--key.
    #[arg(long, value_name = "FILE", requires = "password")]
    pub p12: Option<PathBuf>,
    /// Password of --p12.
    #[arg(long, value_name = "PW", requires = "p12")]
    pub password: Option<String>,
    /// Text to send and expect back.
    #[arg(long, value_name = "TEXT", default_value = "hello certlab")]
    pub send: String,
    /// Stop after the TLS handshake of a wss:// URL (what tls:// does): no websocket, no echo.
    #[arg(long)]
    pub tls_only: bool,
    /// TLS handshake only: how long to wait after it for a refusal the server sends late (in
    /// TLS 1.3 a server judges the client certificate after the client's last handshake
    /// message); a refusal ends the wait at once, silence for this long counts as accepted.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration)]
    pub settle: Duration,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Time allowed for each step (connect, handshake, each message).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// --listen mode: how long to wait for the dialer to connect.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub wait: Duration,
}

impl ProbeArgs {
    /// The identity given by --cert/--key or --p12, if any.
    pub fn identity(&self) -> Option<IdentitySource> {
        match (&self.cert, &self.key, &self.p12, &self.password) {
            (Some(cert), Some(key), _, _) => Some(IdentitySource::Pem {
                cert: cert.clone(),
                key: key.clone(),
                password: self.key_password.clone(),
            }),
            (_, _, Some(file), Some(pw)) => Some(IdentitySource::P12 {
                file: file.clone(),
                password: pw.clone(),
            }),
            _ => None,
        }
    }
}

/// Runs the probe (or its listening mode) and prints the report. The error, if any, is the
/// first one (the report names it too); an echo that differs is [`Error::Check`].
pub async fn run(args: ProbeArgs) -> Result<()> {
    let mut report = Report {
        sent: args.send.clone(),
        ..Report::default()
    };
    let result = match (&args.url, &args.listen) {
        (_, Some(addr)) => {
            report.mode = "listen";
            report.url = format!("listen {addr}");
            let listen = ListenArgs {
                addr,
                identity: args.identity(),
                ca: &args.ca,
                crl: &args.crl,
                send: &args.send,
                timeout: args.timeout,
                wait: args.wait,
            };
            listen::run(&listen, &mut report).await
        }
        (Some(url), None) => {
            report.mode = "connect";
            report.url = url.clone();
            probe(&args, url, &mut report).await
        }
        (None, None) => Err(Error::Input("give a URL or --listen ADDR:PORT".into())),
    };
    let result = result.and_then(|()| {
        if report.mode == "tls" || report.echo.as_deref() == Some(args.send.as_str()) {
            Ok(())
        } else {
            Err(Error::Check("echo differs from what was sent".into()))
        }
    });
    if let Err(e) = &result {
        report.error = Some(e.to_string());
    }
    report.ok = result.is_ok();
    report.print(args.json);
    result
}

/// Reads `tls://HOST:PORT` as the wss:// URL of the same authority (one reading of hosts and
/// ports, certlab-wire's); `None` for other schemes.
fn tls_target(url: &str) -> Option<Result<certlab_wire::Target>> {
    let lower = url.trim().to_ascii_lowercase();
    let rest = url
        .trim()
        .get(6..)
        .filter(|_| lower.starts_with("tls://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let has_port = match authority.strip_prefix('[') {
        Some(v6) => v6.contains("]:"),
        None => authority.contains(':'),
    };
    Some(if has_port {
        parse_url(&format!("wss://{rest}"))
            .map_err(|e| Error::Input(e.to_string().replacen("wss://", "tls://", 1)))
    } else {
        Err(Error::Input(format!(
            "{url:?}: tls:// needs a port, e.g. tls://localhost:8883 (MQTT over TLS)"
        )))
    })
}

async fn probe(args: &ProbeArgs, url: &str, report: &mut Report) -> Result<()> {
    let (target, tls_only) = match tls_target(url) {
        Some(t) => (t?, true),
        None => (parse_url(url)?, args.tls_only),
    };
    if tls_only && !target.secure {
        return Err(Error::Input(format!(
            "{url:?}: --tls-only needs TLS: give wss:// or tls://"
        )));
    }
    if tls_only {
        report.mode = "tls";
    }
    let step = args.timeout;
    let tcp = timeout(
        step,
        TcpStream::connect((target.host.as_str(), target.port)),
    )
    .await
    .map_err(|_| {
        Error::Timeout(format!(
            "connect to {}:{}: timed out after {step:?}",
            target.host, target.port
        ))
    })?
    .map_err(|e| {
        if e.kind() == std::io::ErrorKind::ConnectionRefused {
            Error::Refused(format!(
                "connect to {}:{}: refused, nothing listens there: is the server running \
                 (certlab-echo serve …), and is the port right?",
                target.host, target.port
            ))
        } else {
            Error::Check(format!("connect to {}:{}: {e}", target.host, target.port))
        }
    })?;
    let _ = tcp.set_nodelay(true);
    if !target.secure {
        return websocket(&target.url, step, &args.send, report, tcp).await;
    }

    let identity = args.identity().map(|i| i.load()).transpose()?;
    let (config, ca_subjects) = tls::client_config(&args.ca, &args.crl, identity)?;
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
    if let Some(checked) = report.checked.as_mut().filter(|_| !args.crl.is_empty()) {
        let files: Vec<String> = args.crl.iter().map(|p| p.display().to_string()).collect();
        checked.push_str(&format!(", revocation in CRL {}", files.join(" | ")));
    }
    let name = ServerName::try_from(target.host.clone())
        .map_err(|e| Error::Input(format!("{:?} is not a valid server name: {e}", target.host)))?;
    let connector = TlsConnector::from(Arc::new(config));
    let (connected, seen) = observe(timeout(step, connector.connect(name, tcp))).await;
    report.server_chain = seen.chain.iter().map(|c| subject_of(c)).collect();
    note_seen(report, &seen);
    let stream = match connected {
        Err(_) => {
            return Err(Error::Timeout(format!(
                "TLS handshake: timed out after {step:?}"
            )));
        }
        // Our verifier refused the server: a failed check; else the server's alert.
        Ok(Err(e)) if seen.check.is_some() => {
            return Err(Error::Check(format!("TLS handshake: {e}")));
        }
        Ok(Err(e)) => return Err(Error::check_or_refused(format!("TLS handshake: {e}"))),
        Ok(Ok(s)) => s,
    };
    let conn = stream.get_ref().1;
    report.tls_version = conn.protocol_version().map(|v| format!("{v:?}"));
    report.cipher_suite = conn
        .negotiated_cipher_suite()
        .map(|s| format!("{:?}", s.suite()));
    if tls_only {
        return settle(stream, args.settle).await;
    }
    websocket(&target.url, step, &args.send, report, stream).await
}

/// After a handshake-only probe: waits up to `wait` for the server to refuse late (an alert or
/// a close); silence means it kept the connection, so the handshake stands.
async fn settle<S: tokio::io::AsyncRead + Unpin>(mut stream: S, wait: Duration) -> Result<()> {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 512];
    match timeout(wait, stream.read(&mut buf)).await {
        Err(_) | Ok(Ok(1..)) => Ok(()),
        Ok(Ok(0)) => Err(Error::Refused(
            "the server closed the connection right after the handshake (it refused our client \
             certificate, or that none was sent)"
                .into(),
        )),
        Ok(Err(e)) => Err(Error::check_or_refused(format!(
            "after the TLS handshake: {}",
            crate::client::explain(e)
        ))),
    }
}
