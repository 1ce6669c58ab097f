//! `serve` settings: the flags, an optional TOML file with the same keys, and the resolved
//! [`Settings`] with defaults applied. Flags win over the file.

use crate::limits::{parse_duration, parse_size};
use clap::{Args, ValueEnum};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Default wss listener when none is given.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8443";
/// Default time allowed for the TLS handshake plus the HTTP request head.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time a websocket may stay silent before the server closes it.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// Default largest websocket message (16 MiB).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 16 << 20;
/// Default number of connections served at once.
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;

/// Whether a client certificate is demanded when client CAs are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientAuth {
    /// The handshake fails without a valid client certificate.
    Required,
    /// A client certificate is verified if sent; clients without one are served too.
    Optional,
}

/// `certlab-echo serve` flags.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TOML file with the same keys as the long flags (`cert = "server.fullchain.pem"`,
    /// `listen = ["127.0.0.1:8443"]`, …); relative paths are relative to the file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Server certificate followed by its issuers (PEM or DER), e.g. server.fullchain.pem.
    #[arg(long, value_name = "FULLCHAIN")]
    pub cert: Option<PathBuf>,
    /// Server private key (PKCS#8, PKCS#1 or SEC1; PEM or DER; encrypted PKCS#8 with a password).
    #[arg(long, value_name = "KEY")]
    pub key: Option<PathBuf>,
    /// Password of an encrypted private key.
    #[arg(long, value_name = "PW", conflicts_with = "key_password_file")]
    pub key_password: Option<String>,
    /// File holding the password of an encrypted private key (trailing newline ignored).
    #[arg(long, value_name = "FILE")]
    pub key_password_file: Option<PathBuf>,
    /// CA whose client certificates are accepted (repeatable). Enables mutual TLS.
    #[arg(long, value_name = "CA")]
    pub client_ca: Vec<PathBuf>,
    /// With --client-ca: demand a client certificate (default) or only verify one if sent.
    #[arg(long, value_enum, value_name = "MODE")]
    pub client_auth: Option<ClientAuth>,
    /// wss:// listener address (repeatable; port 0 picks a free port). Default 127.0.0.1:8443.
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Vec<String>,
    /// Plain ws:// listener address (repeatable), for comparison without TLS.
    #[arg(long, value_name = "ADDR:PORT")]
    pub plain_listen: Vec<String>,
    /// Time allowed for the TLS handshake and the HTTP request head (e.g. 10s, 500ms).
    #[arg(long, value_name = "DURATION")]
    pub handshake_timeout: Option<String>,
    /// A websocket silent for this long is closed (e.g. 300s, 5m).
    #[arg(long, value_name = "DURATION")]
    pub idle_timeout: Option<String>,
    /// Largest websocket message accepted (e.g. 16MiB).
    #[arg(long, value_name = "SIZE")]
    pub max_message_size: Option<String>,
    /// Connections served at once; further connections are closed at once.
    #[arg(long, value_name = "N")]
    pub max_connections: Option<usize>,
}

/// The same settings read from a TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct FileConfig {
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    key_password: Option<String>,
    key_password_file: Option<PathBuf>,
    #[serde(default)]
    client_ca: Vec<PathBuf>,
    client_auth: Option<ClientAuth>,
    #[serde(default)]
    listen: Vec<String>,
    #[serde(default)]
    plain_listen: Vec<String>,
    handshake_timeout: Option<String>,
    idle_timeout: Option<String>,
    max_message_size: Option<String>,
    max_connections: Option<usize>,
}

/// Resolved `serve` settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Server certificate chain file.
    pub cert: PathBuf,
    /// Server key file.
    pub key: PathBuf,
    /// Password of the key, if encrypted.
    pub key_password: Option<String>,
    /// Client CA files; empty means no client authentication.
    pub client_ca: Vec<PathBuf>,
    /// Required or optional client certificates (meaningful with client CAs).
    pub client_auth: ClientAuth,
    /// wss:// listeners.
    pub listen: Vec<SocketAddr>,
    /// ws:// listeners.
    pub plain_listen: Vec<SocketAddr>,
    /// TLS handshake + request head timeout.
    pub handshake_timeout: Duration,
    /// Websocket idle timeout.
    pub idle_timeout: Duration,
    /// Largest websocket message.
    pub max_message_size: usize,
    /// Connections at once.
    pub max_connections: usize,
}

fn rebase(base: Option<&Path>, p: PathBuf) -> PathBuf {
    match base {
        Some(dir) if p.is_relative() => dir.join(p),
        _ => p,
    }
}

fn addrs(list: &[String], what: &str) -> Result<Vec<SocketAddr>, String> {
    list.iter()
        .map(|s| {
            s.parse::<SocketAddr>().map_err(|e| {
                format!(
                    "--{what} {s:?}: {e} (expected ADDR:PORT, e.g. 127.0.0.1:8443 or [::1]:8443)"
                )
            })
        })
        .collect()
}

impl Settings {
    /// Merges flags over the optional TOML file and applies defaults.
    pub fn resolve(args: ServeArgs) -> Result<Self, String> {
        let (file, base) = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("--config {}: {e}", path.display()))?;
                let file: FileConfig = toml::from_str(&text)
                    .map_err(|e| format!("--config {}: {e}", path.display()))?;
                (file, path.parent().map(Path::to_path_buf))
            }
            None => (FileConfig::default(), None),
        };
        let base = base.as_deref();
        let cert = args
            .cert
            .or_else(|| file.cert.map(|p| rebase(base, p)))
            .ok_or("--cert FULLCHAIN is required")?;
        let key = args
            .key
            .or_else(|| file.key.map(|p| rebase(base, p)))
            .ok_or("--key KEY is required")?;
        let password_file = args
            .key_password_file
            .or_else(|| file.key_password_file.map(|p| rebase(base, p)));
        let key_password = match (args.key_password.or(file.key_password), password_file) {
            (Some(_), Some(_)) => {
                return Err("give --key-password or --key-password-file, not both".into());
            }
            (Some(pw), None) => Some(pw),
            (None, Some(path)) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("--key-password-file {}: {e}", path.display()))?;
                Some(text.trim_end_matches(['\r', '\n']).to_string())
            }
            (None, None) => None,
        };
        let client_ca = if args.client_ca.is_empty() {
            file.client_ca
                .into_iter()
                .map(|p| rebase(base, p))
                .collect()
        } else {
            args.client_ca
        };
        let client_auth = args.client_auth.or(file.client_auth);
        if client_auth.is_some() && client_ca.is_empty() {
            return Err("--client-auth needs at least one --client-ca".into());
        }
        let listen_s = if args.listen.is_empty() {
            file.listen
        } else {
            args.listen
        };
        let plain_s = if args.plain_listen.is_empty() {
            file.plain_listen
        } else {
            args.plain_listen
        };
        let mut listen = addrs(&listen_s, "listen")?;
        let plain_listen = addrs(&plain_s, "plain-listen")?;
        if listen.is_empty() && plain_listen.is_empty() {
            listen = addrs(&[DEFAULT_LISTEN.to_string()], "listen")?;
        }
        let handshake_timeout = match args.handshake_timeout.or(file.handshake_timeout) {
            Some(s) => parse_duration(&s).map_err(|e| format!("--handshake-timeout: {e}"))?,
            None => DEFAULT_HANDSHAKE_TIMEOUT,
        };
        let idle_timeout = match args.idle_timeout.or(file.idle_timeout) {
            Some(s) => parse_duration(&s).map_err(|e| format!("--idle-timeout: {e}"))?,
            None => DEFAULT_IDLE_TIMEOUT,
        };
        let max_message_size = match args.max_message_size.or(file.max_message_size) {
            Some(s) => parse_size(&s).map_err(|e| format!("--max-message-size: {e}"))?,
            None => DEFAULT_MAX_MESSAGE_SIZE,
        };
        let max_connections = args
            .max_connections
            .or(file.max_connections)
            .unwrap_or(DEFAULT_MAX_CONNECTIONS);
        if max_connections == 0 || max_connections > u32::MAX as usize / 2 {
            return Err("--max-connections must be between 1 and 2147483647".into());
        }
        Ok(Settings {
            cert,
            key,
            key_password,
            client_ca,
            client_auth: client_auth.unwrap_or(ClientAuth::Required),
            listen,
            plain_listen,
            handshake_timeout,
            idle_timeout,
            max_message_size,
            max_connections,
        })
    }
}
