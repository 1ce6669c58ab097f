//! Ready-to-run snippets for a kit: the servers (certlab-echo, nginx, mosquitto, a Cute
//! server listener) and the clients (curl, openssl, Python, Node, mosquitto's and paho's MQTT
//! clients, Qt) that users plug a kit into, filled in with the kit's own file names. The one
//! source of the page's "curl, Python, Node, nginx, Qt…" tab and of README.txt's CONNECT IT
//! section; every snippet is executed verbatim against the real program by the tests
//! (`echo/tests/snippets.rs`, `echo/tests/mqtt.rs`, `echo/tests/qt.rs`).
//!
//! Which file plays which part (the server's root, the chain it presents, the CA it trusts for
//! clients) comes from [`crate::parts`]; host and ports from [`Endpoint`], the one way the tests
//! (and a user) move the snippets to other ports.

mod clients;
mod firmware;
mod mqtt;
mod servers;

use crate::kit::{Manifest, ManifestIdentity};
use crate::role::Role;
use serde::Serialize;

/// The address every server snippet listens on: loopback, a lab's safe default.
pub const LISTEN_ADDRESS: &str = "127.0.0.1";

/// Where the snippets read an encrypted key's password from (a kit made with a key password):
/// an environment variable, so the password is in no file the snippets write and, with
/// openssl's `env:` and the programs' own APIs, on no command line either. With per-device
/// secrets a device's key has its own password (devices.csv): set it to that one.
pub const KEY_PASSWORD_VAR: &str = "CERTLAB_KEY_PASSWORD";

/// The file the nginx block names for an encrypted server key's password (`ssl_password_file`:
/// nginx reads it from a file, not from the environment).
pub const NGINX_PASSWORD_FILE: &str = "certlab.pass";

/// Where the snippets' servers listen and their clients connect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// The name clients connect to and check the server certificate against.
    pub host: String,
    /// The HTTPS / wss:// / plain TLS port (certlab-echo, nginx, Qt, curl…), default 8443.
    pub port: u16,
    /// MQTT over TLS (mosquitto's `listener`), default 8883.
    pub mqtt_port: u16,
    /// MQTT over WebSockets with TLS, default 8884.
    pub mqtt_ws_port: u16,
}

impl Endpoint {
    /// The defaults for a kit: its first server's `localhost` name when it has one (what the
    /// loopback listeners answer to), else its first DNS name that is not a wildcard, else its
    /// first IP address; ports 8443, 8883 and 8884.
    pub fn of(m: &Manifest) -> Endpoint {
        let sans = m
            .first(Role::Server)
            .map(|s| s.sans.as_slice())
            .unwrap_or_default();
        let dns = || sans.iter().filter_map(|n| n.strip_prefix("DNS:"));
        let host = dns()
            .find(|h| *h == "localhost")
            .or_else(|| dns().find(|h| !h.starts_with('*')))
            .or_else(|| sans.iter().find_map(|n| n.strip_prefix("IP:")))
            .unwrap_or("localhost");
        Endpoint {
            host: host.to_string(),
            port: 8443,
            mqtt_port: 8883,
            mqtt_ws_port: 8884,
        }
    }
}

/// One snippet: a whole file or command list, ready to save and run in the kit's folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// Stable identifier (`curl-mtls`, `nginx`, `qt`…), what the tests and the page key on.
    pub id: &'static str,
    /// The program it is for (`curl`, `Python`, `mosquitto`…).
    pub tool: &'static str,
    /// One line saying what it does.
    pub title: String,
    /// `sh`, `python`, `javascript`, `nginx`, `conf`, `ini` or `cpp`.
    pub language: &'static str,
    /// A file name to save it under (`client.py`, `mosquitto.conf`…).
    pub file: &'static str,
    /// The text, with the kit's file names, host and ports.
    pub text: String,
}

/// The kit's files every snippet names, from [`crate::parts`].
pub(crate) struct Parts<'a> {
    pub(crate) at: &'a Endpoint,
    /// The root clients trust for the server.
    pub(crate) root: &'a str,
    /// What the server presents (its full chain when it has issuers).
    pub(crate) server_chain: &'a str,
    pub(crate) server_key: &'a str,
    /// Whether `server_key` is encrypted (read with [`KEY_PASSWORD_VAR`]).
    pub(crate) server_key_encrypted: bool,
    /// The CA file the server trusts for clients.
    pub(crate) client_trust: &'a str,
    /// The CRL of the CA that issued the first client (`certlab revoke` adds to it).
    pub(crate) client_crl: Option<&'a str>,
    /// The first client (or device), when the kit has one.
    pub(crate) client: Option<Client<'a>>,
}

/// A client identity as a snippet presents it.
pub(crate) struct Client<'a> {
    pub(crate) name: &'a str,
    /// Its certificate and issuers (a server trusting only the root needs the intermediate).
    pub(crate) chain: &'a str,
    /// Its certificate alone, and its issuers' file when it has one (openssl's `-cert` +
    /// `-cert_chain`).
    pub(crate) cert: &'a str,
    pub(crate) issuers: Option<&'a str>,
    pub(crate) key: &'a str,
    /// Whether `key` is encrypted (read with [`KEY_PASSWORD_VAR`]).
    pub(crate) key_encrypted: bool,
    /// `ecdsa-p256`, `rsa2048`… (Qt's `QSslKey` needs the algorithm).
    pub(crate) key_algorithm: &'a str,
}

impl<'a> Parts<'a> {
    fn of(m: &'a Manifest, at: &'a Endpoint) -> Option<Parts<'a>> {
        let server = m.first(Role::Server)?;
        let client: Option<&ManifestIdentity> =
            m.first(Role::Client).or_else(|| m.first(Role::Device));
        Some(Parts {
            at,
            root: &m.root_of(server).files.cert,
            server_chain: m.presented(server),
            server_key: server.files.key.as_deref().unwrap_or("server.key"),
            server_key_encrypted: server.key_encrypted,
            client_trust: client
                .and(m.client_trust())
                .map_or(&m.root_of(server).files.cert, |r| &r.files.cert),
            client_crl: client
                .and_then(|c| m.by_name(&c.issuer))
                .and_then(|ca| ca.files.crl.as_deref()),
            client: client.map(|c| Client {
                name: &c.name,
                chain: m.presented(c),
                cert: &c.files.cert,
                issuers: c.files.chain.as_deref(),
                key: c.files.key.as_deref().unwrap_or("client.key"),
                key_encrypted: c.key_encrypted,
                key_algorithm: &c.key_algorithm,
            }),
        })
    }
}

/// The snippets for a kit at `at` (see [`Endpoint::of`] for the defaults). Empty for a kit
/// without a server (every snippet is a server or a client of one). The mutual-TLS lines
/// appear when the kit has a client or a device, which they then use.
pub fn snippets(m: &Manifest, at: &Endpoint) -> Vec<Snippet> {
    let Some(p) = Parts::of(m, at) else {
        return Vec::new();
    };
    let mut out = servers::all(&p);
    out.extend(servers::plain_server_key(&p));
    out.extend(clients::all(&p));
    out.extend(mqtt::all(&p));
    out.extend(firmware::all(m, &p));
    out
}

/// The line that opens a snippet using an encrypted `key`: where its password comes from.
/// `comment` is the language's comment marker (`#`, `//`, `;`).
pub(crate) fn key_note(comment: &str, key: &str) -> String {
    format!("{comment} {key} is encrypted: set {KEY_PASSWORD_VAR} to its password first\n")
}

/// The decrypted copy of `key` that programs without a key password setting read
/// (`server.key` → `server.plain.key`), made by the `plain-server-key` snippet.
pub(crate) fn plain_key(key: &str) -> String {
    match key.strip_suffix(".key") {
        Some(stem) => format!("{stem}.plain.key"),
        None => format!("{key}.plain"),
    }
}

/// The server key file a program without a key password setting (`who`) reads, and the
/// comment lines (with `comment`, the language's marker) that say why, when the key is
/// encrypted: its decrypted copy. The key itself and no comment otherwise.
pub(crate) fn server_key_for(p: &Parts<'_>, comment: &str, who: &str) -> (String, String) {
    if !p.server_key_encrypted {
        return (p.server_key.to_string(), String::new());
    }
    let plain = plain_key(p.server_key);
    let note = format!(
        "{comment} {} is encrypted and {who} takes no password: {plain} is the decrypted\n\
         {comment} copy the plain-key.sh snippet makes\n",
        p.server_key
    );
    (plain, note)
}

impl Client<'_> {
    /// `arg()` when this client's key is encrypted (the part of a command or call that gives
    /// its password), else nothing.
    pub(crate) fn password(&self, arg: impl FnOnce() -> String) -> String {
        if self.key_encrypted {
            arg()
        } else {
            String::new()
        }
    }
}

impl Snippet {
    pub(crate) fn new(
        id: &'static str,
        tool: &'static str,
        language: &'static str,
        file: &'static str,
        title: impl Into<String>,
        text: String,
    ) -> Snippet {
        Snippet {
            id,
            tool,
            title: title.into(),
            language,
            file,
            text,
        }
    }
}

#[cfg(test)]
mod tests;
