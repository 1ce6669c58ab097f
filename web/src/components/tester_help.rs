//! The tester's words: what a diagnosis means and what to do next, the facts of a greeting,
//! and the `certlab-echo serve` command with this kit's file names (or the demo kit's).

use crate::generator::KitView;
use crate::wss::{Diagnosis, Greeting, Target};
use certlab::Role;
use std::rc::Rc;
use yew::prelude::*;

/// The file names the hints and the server command use.
#[derive(Debug, Clone, PartialEq)]
pub struct KitNames {
    /// Folder prefix: `demo-kit/` without a kit, empty inside an unzipped kit.
    pub dir: &'static str,
    /// The root (PEM).
    pub root: String,
    /// The server's certificate + chain.
    pub server_full: String,
    /// The server's key.
    pub server_key: String,
    /// Whether that key is encrypted.
    pub key_encrypted: bool,
    /// The root that issued the clients (`--client-ca`).
    pub client_ca: String,
    /// A client identity (.p12, the compatible flavour).
    pub client_p12: Option<String>,
    /// Whether the names come from a kit made in this page.
    pub from_kit: bool,
}

impl KitNames {
    /// The names of `kit`, or of `./demo-kit` (what `./scripts/run` makes) without one.
    pub fn of(kit: Option<&Rc<KitView>>) -> KitNames {
        let m = kit.map(|k| &k.manifest);
        let server = m.and_then(|m| m.first(Role::Server));
        let (Some(m), Some(server)) = (m, server) else {
            return KitNames {
                dir: "demo-kit/",
                root: "ca.crt".into(),
                server_full: "server.fullchain.pem".into(),
                server_key: "server.key".into(),
                key_encrypted: false,
                client_ca: "ca.crt".into(),
                client_p12: Some("alice.p12".into()),
                from_kit: false,
            };
        };
        let client = m
            .identities
            .iter()
            .find(|i| matches!(i.role, Role::Client | Role::Device));
        KitNames {
            dir: "",
            root: m.root_of(server).files.cert.clone(),
            server_full: m.presented(server).to_string(),
            server_key: server
                .files
                .key
                .clone()
                .unwrap_or_else(|| "server.key".into()),
            key_encrypted: server.key_encrypted,
            client_ca: m.client_trust().map_or_else(
                || m.root_of(server).files.cert.clone(),
                |r| r.files.cert.clone(),
            ),
            client_p12: client.and_then(|c| c.files.p12().cloned()),
            from_kit: true,
        }
    }

    /// `certlab-echo serve …` for port `port`, client certificates optional.
    pub fn serve_command(&self, port: u16) -> String {
        let d = self.dir;
        let pw = if self.key_encrypted {
            " --key-password 'YOUR KEY PASSPHRASE'"
        } else {
            ""
        };
        format!(
            "certlab-echo serve --cert {d}{} --key {d}{}{pw} --client-ca {d}{} --client-auth optional --listen 127.0.0.1:{port}",
            self.server_full, self.server_key, self.client_ca
        )
    }

    fn p12(&self) -> String {
        match &self.client_p12 {
            Some(p) if self.from_kit => format!("{p} (from this kit, with its PKCS#12 password)"),
            Some(p) => format!("{}{p} (password changeit)", self.dir),
            None => "a client .p12 issued by the server's client CA".into(),
        }
    }

    fn where_(&self) -> &'static str {
        if self.from_kit {
            " (run it in the unzipped kit folder)"
        } else {
            " (./scripts/run starts exactly this for ./demo-kit)"
        }
    }
}

fn link(url: &str) -> Html {
    html! { <a href={url.to_string()} target="_blank" rel="noopener noreferrer">{ url }</a> }
}

/// What a diagnosis means and the next step, as a panel.
pub fn diagnosis(d: Diagnosis, t: &Target, n: &KitNames, g: Option<&Greeting>) -> Html {
    let page = t.page();
    let cmd = n.serve_command(t.port);
    let guide = html! { <a href="#guide">{ "the import guide" }</a> };
    match d {
        Diagnosis::Mutual => {
            let who = g
                .and_then(|g| g.client_certificate.as_ref())
                .map(|c| {
                    format!(
                        "{} (issued by {})",
                        c.common_name.as_deref().unwrap_or(&c.subject),
                        c.issuer
                    )
                })
                .unwrap_or_default();
            html! { <div class="verdict verdict-ok" id="tester-verdict" data-verdict="mutual">
                <strong>{ "Mutual TLS works: " }</strong>{ format!("the server verified this browser's client certificate {who}. Send a message below to see it echoed.") }
            </div> }
        }
        Diagnosis::OneWay => {
            html! { <div class="verdict verdict-ok" id="tester-verdict" data-verdict="one-way">
                <strong>{ "Connected over one-way TLS: " }</strong>{ "this browser trusts the server, and the server saw no client certificate. Send a message below to see it echoed." }
                <p class="help">{ format!("For mutual TLS, import {} into this browser and connect again. Browsers only offer a certificate from a CA the server names, so one from another kit is not sent; Chromium asks (or uses its policy) during the https:// request the tester makes first, and remembers the choice for {} until it restarts.", n.p12(), t.authority) }</p>
            </div> }
        }
        Diagnosis::Unreachable => {
            html! { <div class="verdict verdict-bad" id="tester-hint" data-diagnosis="unreachable" role="alert">
                <strong>{ format!("Could not connect to {}.", t.url) }</strong>
                { " Browsers do not tell a page why a connection failed, so here are the likely causes, most likely first:" }
                <ol>
                    <li data-cause="root">{ format!("This browser does not trust the server's certificate: the kit's root {}{} is not imported. Import it as a trusted root (", n.dir, n.root) }{ guide }{ "), then reload this page." }</li>
                    <li data-cause="not-running">{ format!("Nothing is listening on {}: start the echo server{}:", t.authority, n.where_()) }<pre class="command">{ cmd }</pre></li>
                    <li data-cause="client-cert">{ format!("The server refused the client certificate this browser sent (certlab-echo refuses one from another CA, even a CA with the same name, also when client certificates are optional), or it requires one and none was sent: import {} and remove the other identity. The server's log names the certificate and the reason.", n.p12()) }</li>
                </ol>
                <p>{ "To see the browser's own error, open " }{ link(&page) }{ " in a new tab, or look in the browser's console (F12): NET::ERR_CERT_AUTHORITY_INVALID (\"Your connection is not private\") means 1, ERR_CONNECTION_REFUSED (\"This site can't be reached\") means 2, an SSL error about the client certificate (ERR_BAD_SSL_CLIENT_AUTH_CERT, ERR_SSL_DECRYPT_ERROR_ALERT) means 3." }</p>
            </div> }
        }
        Diagnosis::ClientCertRefused => {
            html! { <div class="verdict verdict-bad" id="tester-hint" data-diagnosis="client-cert-refused" role="alert">
                <strong>{ "The server refused the client certificate this browser sent. " }</strong>
                { format!("The https:// request to {page} failed when this browser offered its client certificate and worked without one, so the server is running and trusted, but it does not accept that certificate. certlab-echo accepts only certificates issued by the CA given to --client-ca; a .p12 from another kit is refused, even when its root has the same name.") }
                <p data-cause="client-cert">{ format!("Next: import {}, remove the other identity, and restart the browser (Chromium remembers the certificate it chose for {} until it restarts).", n.p12(), t.authority) }</p>
            </div> }
        }
        Diagnosis::UpgradeFailed => {
            html! { <div class="verdict verdict-bad" id="tester-hint" data-diagnosis="upgrade-failed" role="alert">
                <strong>{ format!("{page} answered, but the WebSocket handshake failed.") }</strong>
                { " The server is running and trusted. The path may not be a WebSocket endpoint (certlab-echo accepts any path), or the server asked for a client certificate during the wss:// handshake, which Chromium never answers: with certlab-echo connect again so the https:// request can choose the certificate first." }
            </div> }
        }
        Diagnosis::ClosedBeforeGreeting => {
            html! { <div class="verdict verdict-bad" id="tester-hint" data-diagnosis="closed-before-greeting" role="alert">
                <strong>{ "The WebSocket opened and closed before any greeting." }</strong>
                { " certlab-echo greets at once. A server that checks client certificates after the TLS 1.3 handshake closes like this when it refused the client certificate (or none was sent); its log names the reason." }
                <p data-cause="client-cert">{ format!("Next: import {} and connect again.", n.p12()) }</p>
            </div> }
        }
        Diagnosis::PlainUnreachable => {
            html! { <div class="verdict verdict-bad" id="tester-hint" data-diagnosis="plain-unreachable" role="alert">
                <strong>{ format!("Nothing answered {}.", t.url) }</strong>
                { " A plain ws:// URL needs a server listening without TLS (certlab-echo: --plain-listen); a wss:// server does not answer ws://. For TLS use wss:// and start the server with:" }
                <pre class="command">{ cmd }</pre>
            </div> }
        }
    }
}

/// The greeting as readable facts.
pub fn facts(g: &Greeting, json: &str) -> Html {
    let cert = g.client_certificate.as_ref();
    let none = || "none".to_string();
    html! {
        <div class="greeting">
            <h3>{ "What the server saw" }</h3>
            <dl class="facts" id="tester-facts">
                <dt>{ "Verdict" }</dt>
                <dd data-fact="verdict">{ match cert {
                    Some(_) => format!("mutual TLS: client certificate {}", g.verdict),
                    None => "one-way TLS: no client certificate".to_string(),
                } }</dd>
                <dt>{ "TLS version" }</dt><dd data-fact="tls-version">{ g.tls_label() }</dd>
                <dt>{ "Cipher suite" }</dt><dd data-fact="cipher">{ g.cipher_suite.clone().unwrap_or_else(none) }</dd>
                <dt>{ "ALPN" }</dt><dd>{ g.alpn.clone().unwrap_or_else(none) }</dd>
                <dt title="Server Name Indication: the name this browser asked for">{ "Server name (SNI)" }</dt><dd>{ g.sni.clone().unwrap_or_else(none) }</dd>
                <dt>{ "This browser's address" }</dt><dd>{ &g.remote_addr }</dd>
                if let Some(c) = cert {
                    <dt>{ "Client certificate" }</dt><dd data-fact="client-cn">{ c.common_name.clone().unwrap_or_else(|| c.subject.clone()) }</dd>
                    <dt>{ "Its subject" }</dt><dd>{ &c.subject }</dd>
                    <dt>{ "Its issuer" }</dt><dd data-fact="client-issuer">{ &c.issuer }</dd>
                    if !c.sans.is_empty() { <dt>{ "Its names (SAN)" }</dt><dd>{ c.sans.join(", ") }</dd> }
                    if let Some(k) = &c.key_type { <dt>{ "Its key" }</dt><dd>{ k }</dd> }
                    if !c.eku.is_empty() { <dt>{ "Its usage (EKU)" }</dt><dd>{ c.eku.join(", ") }</dd> }
                    <dt>{ "Valid" }</dt><dd>{ format!("{} → {}", c.not_before, c.not_after) }</dd>
                    <dt>{ "Serial" }</dt><dd class="mono">{ &c.serial }</dd>
                    <dt>{ "SHA-256" }</dt><dd class="mono">{ &c.sha256 }</dd>
                    <dt>{ "Certificates sent" }</dt><dd>{ g.client_chain_len }</dd>
                }
            </dl>
            <details class="learn"><summary>{ "The greeting as sent (JSON)" }</summary><pre tabindex="0">{ json }</pre></details>
        </div>
    }
}

/// The standing explanation under the tester.
pub fn explainer(n: &KitNames, port: u16) -> Html {
    html! { <>
        <details class="learn">
            <summary>{ "No server yet? Start certlab-echo" }</summary>
            <p>{ format!("The echo server greets every WebSocket with what it saw of the connection, then echoes every message. With this kit's files{}:", n.where_()) }</p>
            <pre class="command" id="tester-command">{ n.serve_command(port) }</pre>
        </details>
        <details class="learn">
            <summary>{ "Mutual TLS in Chromium: why an https:// request comes first" }</summary>
            <p>{ "Chromium never asks for a client certificate during a wss:// handshake: it only reuses one chosen earlier for the same host and port. So when you press Connect the tester first makes an https:// request to the same host:port (it also tells whether the server answers at all); Chromium then chooses the certificate (a dialog, or the AutoSelectCertificateForUrls policy) and the WebSocket carries it. Firefox asks during the wss:// handshake itself and needs no such step; the request is harmless there." }</p>
            <p>{ "This page makes no request at all until you press Connect, and then only these two: the https:// request and the WebSocket (a second https:// request without credentials only to explain a failure)." }</p>
        </details>
    </> }
}
