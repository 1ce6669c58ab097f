//! How to import the root and a client identity on each platform — the engine's import
//! guide ([`certlab::guide`], the same steps README.txt and `certlab guide` print) — and ready
//! snippets for common clients, filled in with this kit's file names.

use crate::download;
use crate::generator::KitView;
use certlab::{Platform, Role, Step};
use std::rc::Rc;
use yew::prelude::*;

/// Props of [`Guide`].
#[derive(Properties, PartialEq)]
pub struct GuideProps {
    /// The kit, once made (file names come from it).
    pub kit: Option<Rc<KitView>>,
}

/// A tab: one platform of the engine's guide, or the client snippets.
#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Import(Platform),
    Snippets,
}

fn tabs() -> impl Iterator<Item = (Tab, &'static str)> {
    Platform::ALL
        .into_iter()
        .map(|p| (Tab::Import(p), p.title()))
        .chain([(Tab::Snippets, "curl, Python, Node, nginx, Qt…")])
}

struct Names {
    root: String,
    root_der: String,
    root_cn: String,
    server_full: String,
    server_key: String,
    host: String,
    client_crt: String,
    client_key: String,
    client_ca: String,
}

fn names(kit: Option<&Rc<KitView>>) -> Names {
    let m = kit.map(|k| &k.manifest);
    let server = m.and_then(|m| m.first(Role::Server));
    // The root clients trust for the server (the kit's first root when it has no server).
    let root = m.and_then(|m| {
        server
            .map(|s| m.root_of(s))
            .or_else(|| m.first(Role::RootCa))
    });
    let client = m.and_then(|m| m.first(Role::Client).or_else(|| m.first(Role::Device)));
    let client_root = m
        .filter(|_| client.is_some())
        .and_then(|m| m.client_trust())
        .map(|r| r.files.cert.clone());
    Names {
        root: root
            .map(|r| r.files.cert.clone())
            .unwrap_or_else(|| "ca.crt".into()),
        root_der: root
            .map(|r| r.files.der.clone())
            .unwrap_or_else(|| "ca.der".into()),
        root_cn: root
            .map(|r| r.common_name.clone())
            .unwrap_or_else(|| "certlab Root CA".into()),
        server_full: m
            .zip(server)
            .map(|(m, s)| m.presented(s).to_string())
            .unwrap_or_else(|| "server.fullchain.pem".into()),
        server_key: server
            .and_then(|s| s.files.key.clone())
            .unwrap_or_else(|| "server.key".into()),
        host: server
            .and_then(|s| {
                s.sans
                    .iter()
                    .find_map(|n| n.strip_prefix("DNS:"))
                    .filter(|h| !h.starts_with('*'))
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "localhost".into()),
        client_crt: client
            .map(|c| c.files.cert.clone())
            .unwrap_or_else(|| "alice.crt".into()),
        client_key: client
            .and_then(|c| c.files.key.clone())
            .unwrap_or_else(|| "alice.key".into()),
        client_ca: client_root.unwrap_or_else(|| "ca.crt".into()),
    }
}

/// The import guide.
#[function_component(Guide)]
pub fn guide(p: &GuideProps) -> Html {
    let tab = use_state(|| Tab::Import(Platform::Linux));
    let n = names(p.kit.as_ref());
    let guide = match &p.kit {
        Some(k) => certlab::guide(&k.manifest, &certlab::GuideOptions::default()),
        None => certlab::guide_without_kit(),
    };
    let profile = p.kit.clone().map(|k| {
        let (der, cn) = (n.root_der.clone(), n.root_cn.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(d) = k.file(&der) {
                let profile = certlab::mobileconfig(d, &cn);
                download::save(
                    "certlab-root.mobileconfig",
                    profile.as_bytes(),
                    "application/x-apple-aspen-config",
                );
            }
        })
    });
    let body = match *tab {
        Tab::Import(platform) => html! { <ol data-platform={platform.id()}>
            { for guide.section(platform).into_iter().flat_map(|s| s.steps.iter()).map(|s| step(s, profile.as_ref())) }
        </ol> },
        Tab::Snippets => snippets(&n),
    };
    html! {
        <section class="guide" id="guide">
            <h2>{ "Import it" }</h2>
            <div class="tabs" role="tablist">
                { for tabs().map(|(t, label)| {
                    let s = tab.clone();
                    html! { <button role="tab" aria-selected={(*tab == t).to_string()} onclick={Callback::from(move |_: MouseEvent| s.set(t))}>{ label }</button> }
                }) }
            </div>
            <div class="tab-body" role="tabpanel">{ body }</div>
        </section>
    }
}

/// One step of the engine's guide; `profile` downloads the `.mobileconfig` (once a kit exists).
fn step(s: &Step, profile: Option<&Callback<MouseEvent>>) -> Html {
    match s {
        Step::Say(t) => html! { <li>{ t }</li> },
        Step::Warn(t) => html! { <li class="warn">{ format!("Warning: {t}") }</li> },
        Step::Run { say, lines } => html! {
            <li>{ say }<pre class="commands"><code>{ lines.join("\n") }</code></pre></li>
        },
        Step::File { say, name, content } => html! {
            <li>{ say }<pre class="file" data-file={name.clone()}><code>{ content }</code></pre></li>
        },
        Step::Profile(t) => html! { <li>{ t }
            if let Some(cb) = profile.cloned() { <p><button class="download" id="mobileconfig" onclick={cb}>{ "Download certlab-root.mobileconfig" }</button></p> }
        </li> },
    }
}

/// Ready snippets for common clients, with this kit's file names.
fn snippets(n: &Names) -> Html {
    html! { <pre class="snippets">{ format!(
"# curl (mutual TLS)
curl --cacert {root} --cert {ccrt} --key {ckey} https://{host}:8443/info

# openssl
openssl s_client -connect {host}:8443 -servername {host} -CAfile {root} -verify_return_error

# Python ssl
import ssl, socket
ctx = ssl.create_default_context(cafile=\"{root}\")
ctx.load_cert_chain(\"{ccrt}\", \"{ckey}\")
with socket.create_connection((\"{host}\", 8443)) as s, ctx.wrap_socket(s, server_hostname=\"{host}\") as t:
    print(t.version())

# paho-mqtt
client.tls_set(ca_certs=\"{root}\", certfile=\"{ccrt}\", keyfile=\"{ckey}\")

# Node tls
tls.connect({{ host: \"{host}\", port: 8443, ca: fs.readFileSync(\"{root}\"), cert: fs.readFileSync(\"{ccrt}\"), key: fs.readFileSync(\"{ckey}\") }})

# nginx
ssl_certificate     {sfull};
ssl_certificate_key {skey};
ssl_client_certificate {cca};
ssl_verify_client optional;

# Qt
QSslConfiguration c = QSslConfiguration::defaultConfiguration();
c.setCaCertificates(QSslCertificate::fromPath(\"{root}\"));
c.setLocalCertificate(QSslCertificate::fromPath(\"{ccrt}\").first());

# certlab-echo
certlab-echo serve --cert {sfull} --key {skey} --client-ca {cca} --client-auth optional --listen 127.0.0.1:8443",
    root = n.root, ccrt = n.client_crt, ckey = n.client_key, host = n.host, sfull = n.server_full, skey = n.server_key, cca = n.client_ca) }</pre> }
}
