//! `serve` settings: the flags, an optional TOML file with the same keys plus named
//! listeners, and the resolved [`Settings`] with defaults applied. Flags win over the file's
//! top-level keys; a named listener's own keys win over both.
//!
//! ```toml
//! cert = "server.fullchain.pem"        # defaults for every wss listener
//! key = "server.key"
//! idle-timeout = "5m"
//!
//! [listener.public]                    # one-way TLS
//! addr = "127.0.0.1:8443"
//!
//! [listener.mtls]                      # its own client CA, client certificates required
//! addr = "127.0.0.1:9443"
//! client-ca = ["ca.crt"]
//! client-auth = "required"
//!
//! [listener.plain]                     # ws:// beside the wss:// ones
//! addr = "127.0.0.1:8080"
//! plain = true
//! ```

use crate::error::{Error, Result};
use crate::limits::{LimitFlags, Limits};
use crate::password;
use clap::{Args, ValueEnum};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Default wss listener when none is given.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8443";
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
    /// CRL of a client CA (repeatable; `certlab revoke` writes them, a kit has NAME.crl):
    /// revoked client certificates are refused. Needs --client-ca.
    #[arg(long, value_name = "FILE")]
    pub crl: Vec<PathBuf>,
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
    /// Time a peer gets to take each echo (or answer) off the wire; a peer that sends and
    /// does not read is closed with 1008 after this (e.g. 30s).
    #[arg(long, value_name = "DURATION")]
    pub write_timeout: Option<String>,
    /// Largest websocket message accepted (e.g. 16MiB). Memory per connection is bounded by
    /// about twice this (see the README).
    #[arg(long, value_name = "SIZE")]
    pub max_message_size: Option<String>,
    /// Connections served at once; further connections are closed at once.
    #[arg(long, value_name = "N")]
    pub max_connections: Option<usize>,
}

impl ServeArgs {
    /// Only `--config FILE`: everything else from the file.
    pub fn from_config(config: PathBuf) -> Self {
        ServeArgs {
            config: Some(config),
            cert: None,
            key: None,
            key_password: None,
            key_password_file: None,
            client_ca: Vec::new(),
            crl: Vec::new(),
            client_auth: None,
            listen: Vec::new(),
            plain_listen: Vec::new(),
            handshake_timeout: None,
            idle_timeout: None,
            write_timeout: None,
            max_message_size: None,
            max_connections: None,
        }
    }
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
    #[serde(default)]
    crl: Vec<PathBuf>,
    client_auth: Option<ClientAuth>,
    #[serde(default)]
    listen: Vec<String>,
    #[serde(default)]
    plain_listen: Vec<String>,
    handshake_timeout: Option<String>,
    idle_timeout: Option<String>,
    write_timeout: Option<String>,
    max_message_size: Option<String>,
    max_connections: Option<usize>,
    /// Named listeners, `[listener.NAME]`.
    #[serde(default)]
    listener: BTreeMap<String, FileListener>,
}

/// One `[listener.NAME]` table: its address and, for wss, its own identity and client CAs
/// (each absent key falls back to the top-level value).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct FileListener {
    addr: String,
    #[serde(default)]
    plain: bool,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    key_password: Option<String>,
    key_password_file: Option<PathBuf>,
    client_ca: Option<Vec<PathBuf>>,
    crl: Option<Vec<PathBuf>>,
    client_auth: Option<ClientAuth>,
}

/// The TLS side of one wss listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    /// Server certificate chain file.
    pub cert: PathBuf,
    /// Server key file.
    pub key: PathBuf,
    /// Password of the key, if encrypted.
    pub key_password: Option<String>,
    /// Client CA files; empty means no client authentication.
    pub client_ca: Vec<PathBuf>,
    /// CRLs of the client CAs; empty means no revocation check.
    pub crl: Vec<PathBuf>,
    /// Required or optional client certificates (meaningful with client CAs).
    pub client_auth: ClientAuth,
}

/// One socket to listen on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// `default` for the flag/top-level listeners, else the `[listener.NAME]` name.
    pub name: String,
    /// Address to bind (port 0 picks a free port).
    pub addr: SocketAddr,
    /// `None` for plain ws://.
    pub tls: Option<TlsSettings>,
}

/// Resolved `serve` settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Every listener, wss and ws.
    pub listeners: Vec<Listener>,
    /// Per-connection limits.
    pub limits: Limits,
    /// Connections at once, over all listeners.
    pub max_connections: usize,
}

fn rebase(base: Option<&Path>, p: PathBuf) -> PathBuf {
    match base {
        Some(dir) if p.is_relative() => dir.join(p),
        _ => p,
    }
}

fn addr(s: &str, what: &str) -> Result<SocketAddr> {
    s.parse::<SocketAddr>().map_err(|e| {
        Error::Input(format!(
            "{what} {s:?}: {e} (expected ADDR:PORT, e.g. 127.0.0.1:8443 or [::1]:8443)"
        ))
    })
}

/// The identity and client-CA keys, before they are bound to a listener.
#[derive(Debug, Default, Clone)]
struct Identity {
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    key_password: Option<String>,
    key_password_file: Option<PathBuf>,
    client_ca: Vec<PathBuf>,
    crl: Vec<PathBuf>,
    client_auth: Option<ClientAuth>,
}

impl Identity {
    /// Completes a wss listener's TLS settings; `who` names it in errors.
    fn finish(self, who: &str, prompted: &mut BTreeMap<PathBuf, String>) -> Result<TlsSettings> {
        let cert = self
            .cert
            .ok_or_else(|| Error::Input(format!("{who}: --cert FULLCHAIN is required")))?;
        let key = self
            .key
            .ok_or_else(|| Error::Input(format!("{who}: --key KEY is required")))?;
        if self.client_auth.is_some() && self.client_ca.is_empty() {
            return Err(Error::Input(format!(
                "{who}: --client-auth needs at least one --client-ca"
            )));
        }
        if !self.crl.is_empty() && self.client_ca.is_empty() {
            return Err(Error::Input(format!(
                "{who}: --crl needs --client-ca (a CRL lists revoked client certificates of a trusted CA)"
            )));
        }
        let key_password = match (self.key_password, self.key_password_file) {
            (Some(_), Some(_)) => {
                return Err(Error::Input(format!(
                    "{who}: give --key-password or --key-password-file, not both"
                )));
            }
            (Some(pw), None) => Some(pw),
            (None, Some(path)) => Some(password::read_file(&path)?),
            (None, None) => match prompted.get(&key) {
                Some(pw) => Some(pw.clone()),
                None => {
                    let pw = password::prompt_if_encrypted(&key)?;
                    if let Some(pw) = &pw {
                        prompted.insert(key.clone(), pw.clone());
                    }
                    pw
                }
            },
        };
        Ok(TlsSettings {
            cert,
            key,
            key_password,
            client_ca: self.client_ca,
            crl: self.crl,
            client_auth: self.client_auth.unwrap_or(ClientAuth::Required),
        })
    }
}

/// The limits from the flags over the file's keys, each as `[handshake timeout, idle
/// timeout, write timeout, max message size]`.
fn merged_limits(flags: [Option<String>; 4], file: [Option<String>; 4]) -> Result<Limits> {
    let [h, i, w, m] = flags;
    let [fh, fi, fw, fm] = file;
    Limits::parse(LimitFlags {
        handshake_timeout: h.or(fh).as_deref(),
        idle_timeout: i.or(fi).as_deref(),
        write_timeout: w.or(fw).as_deref(),
        max_message_size: m.or(fm).as_deref(),
    })
}

impl Settings {
    /// Merges flags over the optional TOML file and applies defaults. An encrypted key
    /// without a password is asked for on the terminal (once per key file).
    pub fn resolve(args: ServeArgs) -> Result<Self> {
        let (file, base) = match &args.config {
            Some(path) => {
                let text = crate::input::read_text(path, "--config")?;
                let file: FileConfig = toml::from_str(&text)
                    .map_err(|e| Error::File(format!("--config {}: {e}", path.display())))?;
                (file, path.parent().map(Path::to_path_buf))
            }
            None => (FileConfig::default(), None),
        };
        let base = base.as_deref();
        let rebase_all =
            |v: Vec<PathBuf>| -> Vec<PathBuf> { v.into_iter().map(|p| rebase(base, p)).collect() };
        let top = Identity {
            cert: args.cert.or_else(|| file.cert.map(|p| rebase(base, p))),
            key: args.key.or_else(|| file.key.map(|p| rebase(base, p))),
            key_password: args.key_password.or(file.key_password),
            key_password_file: args
                .key_password_file
                .or_else(|| file.key_password_file.map(|p| rebase(base, p))),
            client_ca: if args.client_ca.is_empty() {
                rebase_all(file.client_ca)
            } else {
                args.client_ca
            },
            crl: if args.crl.is_empty() {
                rebase_all(file.crl)
            } else {
                args.crl
            },
            client_auth: args.client_auth.or(file.client_auth),
        };
        let wss = if args.listen.is_empty() {
            file.listen
        } else {
            args.listen
        };
        let plain = if args.plain_listen.is_empty() {
            file.plain_listen
        } else {
            args.plain_listen
        };
        let mut listeners = Vec::new();
        let mut prompted = BTreeMap::new();
        let mut wss: Vec<SocketAddr> = wss
            .iter()
            .map(|s| addr(s, "--listen"))
            .collect::<Result<_, _>>()?;
        let plain: Vec<SocketAddr> = plain
            .iter()
            .map(|s| addr(s, "--plain-listen"))
            .collect::<Result<_, _>>()?;
        if wss.is_empty() && plain.is_empty() && file.listener.is_empty() {
            wss.push(addr(DEFAULT_LISTEN, "--listen")?);
        }
        if wss.is_empty() && top.client_auth.is_some() && top.client_ca.is_empty() {
            return Err(Error::Input(
                "--client-auth needs at least one --client-ca".into(),
            ));
        }
        if !wss.is_empty() {
            let tls = top.clone().finish("serve", &mut prompted)?;
            for a in wss {
                listeners.push(Listener {
                    name: "default".into(),
                    addr: a,
                    tls: Some(tls.clone()),
                });
            }
        }
        for a in plain {
            listeners.push(Listener {
                name: "default".into(),
                addr: a,
                tls: None,
            });
        }
        for (name, l) in file.listener {
            let who = format!("[listener.{name}]");
            let a = addr(&l.addr, &format!("{who} addr"))?;
            let tls = if l.plain {
                None
            } else {
                let own_key = l.key.is_some();
                let own = Identity {
                    cert: l.cert.map(|p| rebase(base, p)).or_else(|| top.cert.clone()),
                    key: l.key.map(|p| rebase(base, p)).or_else(|| top.key.clone()),
                    // The top-level password belongs to the top-level key.
                    key_password: l
                        .key_password
                        .or_else(|| (!own_key).then(|| top.key_password.clone()).flatten()),
                    key_password_file: l
                        .key_password_file
                        .map(|p| rebase(base, p))
                        .or_else(|| (!own_key).then(|| top.key_password_file.clone()).flatten()),
                    client_ca: l
                        .client_ca
                        .map(rebase_all)
                        .unwrap_or_else(|| top.client_ca.clone()),
                    crl: l.crl.map(rebase_all).unwrap_or_else(|| top.crl.clone()),
                    client_auth: l.client_auth.or(top.client_auth),
                };
                Some(own.finish(&who, &mut prompted)?)
            };
            listeners.push(Listener { name, addr: a, tls });
        }
        let limits = merged_limits(
            [
                args.handshake_timeout,
                args.idle_timeout,
                args.write_timeout,
                args.max_message_size,
            ],
            [
                file.handshake_timeout,
                file.idle_timeout,
                file.write_timeout,
                file.max_message_size,
            ],
        )?;
        let max_connections = args
            .max_connections
            .or(file.max_connections)
            .unwrap_or(DEFAULT_MAX_CONNECTIONS);
        if max_connections == 0 || max_connections > u32::MAX as usize / 2 {
            return Err(Error::Input(
                "--max-connections must be between 1 and 2147483647".into(),
            ));
        }
        Ok(Settings {
            listeners,
            limits,
            max_connections,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        a: ServeArgs,
    }

    #[test]
    fn named_listeners_inherit_and_override() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("echo.toml");
        std::fs::write(
            &path,
            "cert = \"s.pem\"\nkey = \"s.key\"\n\
             [listener.a]\naddr = \"127.0.0.1:0\"\n\
             [listener.b]\naddr = \"127.0.0.1:0\"\ncert = \"/abs/b.pem\"\nkey = \"b.key\"\nclient-ca = [\"ca.crt\"]\nclient-auth = \"optional\"\n\
             [listener.c]\naddr = \"[::1]:0\"\nplain = true\n",
        )
        .expect("write");
        let t = T::parse_from(["t", "--config", path.to_str().expect("utf8")]);
        let s = Settings::resolve(t.a).expect("resolve");
        assert_eq!(s.listeners.len(), 3);
        let a = s.listeners[0].tls.as_ref().expect("a is wss");
        assert_eq!(a.cert, dir.path().join("s.pem"));
        assert!(a.client_ca.is_empty());
        let b = s.listeners[1].tls.as_ref().expect("b is wss");
        assert_eq!(b.cert, PathBuf::from("/abs/b.pem"));
        assert_eq!(b.key, dir.path().join("b.key"));
        assert_eq!(b.client_ca, vec![dir.path().join("ca.crt")]);
        assert_eq!(b.client_auth, ClientAuth::Optional);
        assert_eq!(s.listeners[2].name, "c");
        assert!(s.listeners[2].tls.is_none());

        std::fs::write(
            &path,
            "cert = \"s.pem\"\nkey = \"s.key\"\nwrite-timeout = \"7s\"\nidle-timeout = \"1m\"\n",
        )
        .expect("write");
        let t = T::parse_from([
            "t",
            "--config",
            path.to_str().expect("utf8"),
            "--write-timeout",
            "3s",
        ]);
        let s = Settings::resolve(t.a).expect("resolve");
        assert_eq!(
            s.limits.write_timeout,
            std::time::Duration::from_secs(3),
            "the flag wins"
        );
        assert_eq!(s.limits.idle_timeout, std::time::Duration::from_secs(60));

        std::fs::write(&path, "[listener.x]\naddr = \"127.0.0.1:0\"\n").expect("write");
        let t = T::parse_from(["t", "--config", path.to_str().expect("utf8")]);
        let e = Settings::resolve(t.a).expect_err("no cert");
        let e = e.to_string();
        assert!(e.contains("[listener.x]") && e.contains("--cert"), "{e}");

        std::fs::write(&path, "[listener.x]\naddr = \"127.0.0.1:0\"\nbogus = 1\n").expect("write");
        let t = T::parse_from(["t", "--config", path.to_str().expect("utf8")]);
        assert!(
            Settings::resolve(t.a)
                .expect_err("unknown key")
                .to_string()
                .contains("bogus")
        );
    }
}
