//! A bounded loopback load tool for wss echo servers (certlab-echo, websocat, the bare
//! rustls loop in `examples/bare.rs`), so the same client measures each server the same way.
//!
//! ```text
//! cargo run --release -p certlab-echo --example load -- wss://localhost:PORT/ --ca ca.crt \
//!     [--connect 127.0.0.1] [--concurrency 16] [--duration 3s | --count N] \
//!     [--rtt-connections 4 --rtt-messages 2000] [--idle 10000 --server-pid PID] [--label NAME]
//! ```
//!
//! Three phases, one JSON object on stdout:
//! 1. handshakes: `--concurrency` workers each loop TCP connect → full TLS handshake (no
//!    resumption) → websocket upgrade until the 101 answer is read, then drop the
//!    connection; reported as handshakes per second plus their latency p50/p99. The first
//!    connection verifies the chain against `--ca`; later ones pin that leaf and check the
//!    server's handshake signature (the server's work is the same; the client, which shares
//!    the CPU, does one signature check instead of two; `--verify-every-handshake` for all).
//! 2. echo round trip: `--rtt-connections` persistent websockets, each sending
//!    `--rtt-messages` 32-byte texts one after the other and waiting for each echo (a
//!    greeting, if the server sends one, is skipped first); p50/p99/max over all of them.
//! 3. idle: `--idle` websockets opened (64 at a time), each echoing one message so the
//!    server has reached its steady state, then held; the server's VmRSS is read from
//!    /proc/PID/status before and with them open. Raise the fd limit first (`ulimit -n`).
#![forbid(unsafe_code)]

use certlab_echo::client::parse_url;
use certlab_echo::limits::{Limits, parse_duration};
use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

/// Flags.
#[derive(Debug, Parser)]
struct Args {
    /// The echo server, wss://HOST:PORT/.
    url: String,
    /// CA to verify the server against.
    #[arg(long)]
    ca: PathBuf,
    /// Connect to this IP instead of resolving HOST (SNI and the name check still use HOST).
    #[arg(long)]
    connect: Option<String>,
    /// Handshake workers.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Length of the handshake phase.
    #[arg(long, default_value = "3s", value_parser = parse_duration)]
    duration: Duration,
    /// A fixed number of handshakes instead of --duration.
    #[arg(long)]
    count: Option<usize>,
    /// Persistent connections for the round-trip phase (0 skips it).
    #[arg(long, default_value_t = 4)]
    rtt_connections: usize,
    /// Messages per round-trip connection.
    #[arg(long, default_value_t = 2000)]
    rtt_messages: usize,
    /// Idle websockets to hold open (0 skips the phase).
    #[arg(long, default_value_t = 0)]
    idle: usize,
    /// Keep the idle websockets open this much longer after measuring (to inspect the server).
    #[arg(long, default_value = "0s", value_parser = parse_duration_or_zero)]
    hold: Duration,
    /// Verify the server's chain against --ca in every handshake (default: in the first one,
    /// then pin that leaf; the handshake signature is checked every time either way).
    #[arg(long)]
    verify_every_handshake: bool,
    /// The server's pid, for its VmRSS.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Name in the output.
    #[arg(long, default_value = "server")]
    label: String,
}

type Ws = WebSocketStream<TlsStream<TcpStream>>;

/// How to reach the server.
struct Dial {
    url: String,
    addr: (String, u16),
    name: ServerName<'static>,
    connector: TlsConnector,
}

impl Dial {
    async fn open(&self) -> Result<Ws, String> {
        let tcp = TcpStream::connect((self.addr.0.as_str(), self.addr.1))
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let _ = tcp.set_nodelay(true);
        let tls = self
            .connector
            .connect(self.name.clone(), tcp)
            .await
            .map_err(|e| format!("tls: {e}"))?;
        let (ws, _) = tokio_tungstenite::client_async_with_config(
            self.url.as_str(),
            tls,
            Some(Limits::default().ws_config()),
        )
        .await
        .map_err(|e| format!("websocket: {e}"))?;
        Ok(ws)
    }

    /// Opens a websocket and waits for the echo of one message, skipping a greeting.
    async fn open_synced(&self, tag: &str) -> Result<Ws, String> {
        let mut ws = self.open().await?;
        ws.send(Message::text(tag))
            .await
            .map_err(|e| format!("send: {e}"))?;
        wait_echo(&mut ws, tag).await?;
        Ok(ws)
    }
}

async fn wait_echo(ws: &mut Ws, text: &str) -> Result<(), String> {
    loop {
        match tokio::time::timeout(Duration::from_secs(30), ws.next()).await {
            Err(_) => return Err("no echo within 30s".into()),
            Ok(None) => return Err("closed".into()),
            Ok(Some(Err(e))) => return Err(format!("read: {e}")),
            // websocat may echo a text as binary: compare the bytes.
            Ok(Some(Ok(Message::Text(t)))) if t.as_str() == text => return Ok(()),
            Ok(Some(Ok(Message::Binary(b)))) if b.as_ref() == text.as_bytes() => return Ok(()),
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// Accepts exactly one end-entity certificate (verified against the CA beforehand) and
/// checks the handshake signatures made with its key.
#[derive(Debug)]
struct Pinned {
    leaf: Vec<u8>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl Pinned {
    fn new(leaf: Vec<u8>) -> Self {
        Pinned {
            leaf,
            provider: certlab_echo::tls::provider(),
        }
    }
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.leaf.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

fn parse_duration_or_zero(s: &str) -> Result<Duration, String> {
    if s.trim_start_matches('0')
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .is_empty()
    {
        return Ok(Duration::ZERO);
    }
    parse_duration(s).map_err(|e| e.to_string())
}

/// utime + stime of a process (all its threads, in USER_HZ ticks), from /proc/PID/stat.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; fields 14 and 15 follow its ")".
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

fn vm_rss_kib(pid: u32) -> Option<u64> {
    status_kib(pid, "VmRSS:")
}

/// A `kB` line of /proc/PID/status (`VmRSS:`, `RssAnon:`, …).
fn status_kib(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64()
}

async fn handshakes(dial: Arc<Dial>, args: &Args) -> serde_json::Value {
    let deadline = Instant::now() + args.duration;
    let limit = args.count.unwrap_or(usize::MAX);
    let started_n = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let first_error = Arc::new(std::sync::Mutex::new(None::<String>));
    let server_cpu0 = args.server_pid.and_then(cpu_ticks);
    let client_cpu0 = cpu_ticks(std::process::id());
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..args.concurrency {
        let (dial, started_n, errors, first_error) = (
            dial.clone(),
            started_n.clone(),
            errors.clone(),
            first_error.clone(),
        );
        let timed = args.count.is_none();
        set.spawn(async move {
            let mut lat = Vec::new();
            loop {
                if timed && Instant::now() >= deadline {
                    break;
                }
                if started_n.fetch_add(1, Ordering::Relaxed) >= limit {
                    break;
                }
                let t0 = Instant::now();
                match dial.open().await {
                    Ok(ws) => {
                        lat.push(t0.elapsed());
                        drop(ws);
                    }
                    Err(e) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        if let Ok(mut f) = first_error.lock() {
                            f.get_or_insert(e);
                        }
                    }
                }
            }
            lat
        });
    }
    let mut lat = Vec::new();
    while let Some(done) = set.join_next().await {
        lat.extend(done.unwrap_or_default());
    }
    let elapsed = started.elapsed().as_secs_f64();
    // CPU time per handshake (user + system, all threads): what the rate would be without
    // the other processes on a shared machine. /proc counts in USER_HZ = 100 per second.
    let per_handshake_us = |t0: Option<u64>, t1: Option<u64>| match (t0, t1) {
        (Some(a), Some(b)) if !lat.is_empty() => {
            Some(b.saturating_sub(a) as f64 * 10_000.0 / lat.len() as f64)
        }
        _ => None,
    };
    let server_cpu_us = per_handshake_us(server_cpu0, args.server_pid.and_then(cpu_ticks));
    let client_cpu_us = per_handshake_us(client_cpu0, cpu_ticks(std::process::id()));
    lat.sort();
    let first_error = first_error.lock().ok().and_then(|f| f.clone());
    json!({
        "handshakes": lat.len(),
        "handshake_errors": errors.load(Ordering::Relaxed),
        "handshake_first_error": first_error,
        "handshake_seconds": elapsed,
        "handshakes_per_s": lat.len() as f64 / elapsed,
        "handshake_p50_ms": percentile(&lat, 0.50) * 1e3,
        "handshake_p99_ms": percentile(&lat, 0.99) * 1e3,
        "server_cpu_us_per_handshake": server_cpu_us,
        "client_cpu_us_per_handshake": client_cpu_us,
    })
}

async fn round_trips(dial: Arc<Dial>, args: &Args) -> Result<serde_json::Value, String> {
    let mut set = tokio::task::JoinSet::new();
    for c in 0..args.rtt_connections {
        let dial = dial.clone();
        let n = args.rtt_messages;
        set.spawn(async move {
            let mut ws = dial.open_synced("sync").await?;
            let mut lat = Vec::with_capacity(n);
            for i in 0..n {
                let payload = format!("{c:04}-{i:08}-0123456789abcdefghi");
                let t0 = Instant::now();
                ws.send(Message::text(payload.as_str()))
                    .await
                    .map_err(|e| format!("send: {e}"))?;
                wait_echo(&mut ws, &payload).await?;
                lat.push(t0.elapsed());
            }
            let _ = ws.close(None).await;
            Ok::<_, String>(lat)
        });
    }
    let mut lat = Vec::new();
    while let Some(done) = set.join_next().await {
        lat.extend(done.map_err(|e| e.to_string())??);
    }
    lat.sort();
    Ok(json!({
        "rtt_samples": lat.len(),
        "rtt_p50_us": percentile(&lat, 0.50) * 1e6,
        "rtt_p99_us": percentile(&lat, 0.99) * 1e6,
        "rtt_max_us": percentile(&lat, 1.0) * 1e6,
    }))
}

async fn idle(dial: Arc<Dial>, args: &Args) -> Result<serde_json::Value, String> {
    let pid = args.server_pid;
    let before = pid.and_then(vm_rss_kib);
    let started = Instant::now();
    let mut held: Vec<Ws> = Vec::with_capacity(args.idle);
    let mut next = 0;
    while next < args.idle {
        let mut set = tokio::task::JoinSet::new();
        for _ in next..(next + 64).min(args.idle) {
            let dial = dial.clone();
            set.spawn(async move { dial.open_synced("idle").await });
        }
        next = (next + 64).min(args.idle);
        while let Some(done) = set.join_next().await {
            held.push(done.map_err(|e| e.to_string())??);
        }
    }
    let opened_in = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let with = pid.and_then(vm_rss_kib);
    let anon = pid.and_then(|p| status_kib(p, "RssAnon:"));
    let per_conn = match (before, with) {
        (Some(b), Some(w)) if !held.is_empty() => {
            Some(w.saturating_sub(b) as f64 / held.len() as f64)
        }
        _ => None,
    };
    let n = held.len();
    if !args.hold.is_zero() {
        eprintln!(
            "[{}] holding {n} idle websockets for {:?}",
            args.label, args.hold
        );
        tokio::time::sleep(args.hold).await;
    }
    drop(held);
    Ok(json!({
        "idle_connections": n,
        "idle_open_seconds": opened_in,
        "rss_before_idle_kib": before,
        "rss_idle_kib": with,
        "rss_anon_idle_kib": anon,
        "rss_per_idle_conn_kib": per_conn,
    }))
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let target = parse_url(&args.url).map_err(|e| e.to_string())?;
    if !target.secure {
        return Err("give a wss:// URL".into());
    }
    let (mut config, _) =
        certlab_echo::tls::client_config(std::slice::from_ref(&args.ca), &[], None)
            .map_err(|e| e.to_string())?;
    // Every handshake is a full one: no session tickets, no PSK resumption (with it, every
    // connection after the first skips the certificate and its signature).
    config.resumption = rustls::client::Resumption::disabled();
    let mut dial = Dial {
        url: args.url.clone(),
        addr: (
            args.connect.clone().unwrap_or_else(|| target.host.clone()),
            target.port,
        ),
        name: ServerName::try_from(target.host.clone()).map_err(|e| e.to_string())?,
        connector: TlsConnector::from(Arc::new(config.clone())),
    };
    if !args.verify_every_handshake {
        // One connection verifies the chain against --ca; later ones accept exactly that leaf
        // and still check the server's handshake signature, so each is a full handshake for
        // the server while the client spends less of the shared CPU on re-verifying the chain.
        let ws = dial.open().await?;
        let leaf = ws
            .get_ref()
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|c| c.first())
            .map(|c| c.to_vec())
            .ok_or("the server sent no certificate")?;
        drop(ws);
        config
            .dangerous()
            .set_certificate_verifier(Arc::new(Pinned::new(leaf)));
        dial.connector = TlsConnector::from(Arc::new(config));
    }
    let dial = Arc::new(dial);
    let mut out = json!({
        "label": args.label,
        "url": args.url,
        "concurrency": args.concurrency,
        "rss_start_kib": args.server_pid.and_then(vm_rss_kib),
    });
    let merge = |out: &mut serde_json::Value, v: serde_json::Value| {
        if let (Some(o), serde_json::Value::Object(m)) = (out.as_object_mut(), v) {
            o.extend(m);
        }
    };
    eprintln!("[{}] handshakes …", args.label);
    merge(&mut out, handshakes(dial.clone(), &args).await);
    if args.rtt_connections > 0 {
        eprintln!("[{}] echo round trips …", args.label);
        merge(&mut out, round_trips(dial.clone(), &args).await?);
    }
    if args.idle > 0 {
        eprintln!("[{}] {} idle websockets …", args.label, args.idle);
        merge(&mut out, idle(dial.clone(), &args).await?);
    }
    println!("{out}");
    Ok(())
}
