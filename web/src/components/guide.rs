//! How to import the root and a client identity on each platform, and ready snippets for
//! common clients, filled in with this kit's file names. The facts come from
//! shared/reference/platform-rules.md (vendor documentation and issue threads).

use crate::download;
use crate::generator::KitView;
use certlab::Role;
use std::rc::Rc;
use yew::prelude::*;

/// Props of [`Guide`].
#[derive(Properties, PartialEq)]
pub struct GuideProps {
    /// The kit, once made (file names come from it).
    pub kit: Option<Rc<KitView>>,
}

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Windows,
    MacOs,
    Linux,
    Firefox,
    Ios,
    Android,
    Hosts,
    Snippets,
}

const TABS: [(Tab, &str); 8] = [
    (Tab::Windows, "Chrome / Edge on Windows"),
    (Tab::MacOs, "Safari, Chrome on macOS"),
    (Tab::Linux, "Chrome / Chromium on Linux"),
    (Tab::Firefox, "Firefox (all systems)"),
    (Tab::Ios, "iPhone / iPad"),
    (Tab::Android, "Android"),
    (Tab::Hosts, "Names DNS does not know"),
    (Tab::Snippets, "curl, Python, Node, nginx, Qt…"),
];

struct Names {
    root: String,
    root_der: String,
    root_cn: String,
    server_full: String,
    server_key: String,
    host: String,
    client_p12: String,
    client_crt: String,
    client_key: String,
    client_ca: String,
}

fn names(kit: Option<&Rc<KitView>>) -> Names {
    let m = kit.map(|k| &k.manifest.identities);
    let find = |r: Role| m.and_then(|ids| ids.iter().find(|i| i.role == r));
    let root = find(Role::RootCa);
    let server = find(Role::Server);
    let client = m.and_then(|ids| {
        ids.iter()
            .find(|i| matches!(i.role, Role::Client | Role::Device))
    });
    let client_root = client.and_then(|c| {
        let ids = m?;
        let mut cur = c;
        for _ in 0..4 {
            match ids
                .iter()
                .find(|i| i.name == cur.issuer && i.name != cur.name)
            {
                Some(up) => cur = up,
                None => break,
            }
        }
        Some(cur.files.cert.clone())
    });
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
        server_full: server
            .and_then(|s| s.files.fullchain.clone())
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
        client_p12: client
            .and_then(|c| c.files.p12().cloned())
            .unwrap_or_else(|| "alice.p12".into()),
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
    let tab = use_state(|| Tab::Linux);
    let n = names(p.kit.as_ref());
    let profile = p.kit.clone().map(|k| {
        let (der, cn) = (n.root_der.clone(), n.root_cn.clone());
        Callback::from(move |_: MouseEvent| {
            // The profile needs random UUIDs; without a CSPRNG there is no profile to offer.
            if let Some(profile) = k
                .file(&der)
                .and_then(|d| certlab::mobileconfig(d, &cn).ok())
            {
                download::save(
                    "certlab-root.mobileconfig",
                    profile.as_bytes(),
                    "application/x-apple-aspen-config",
                );
            }
        })
    });
    let body = match *tab {
        Tab::Windows => html! { <ol>
            <li>{ format!("Open {} → Install Certificate → Current User → Place all certificates in: Trusted Root Certification Authorities.", n.root) }</li>
            <li>{ "Or in a terminal: " }<code>{ format!("certutil -user -addstore Root {}", n.root) }</code></li>
            <li>{ format!("Client identity: open {} → Current User → enter the PKCS#12 password → Personal. Use the compatible .p12 on Windows before 10 1709.", n.client_p12) }</li>
            <li>{ "Restart the browser. Chrome and Edge use the Windows store." }</li>
        </ol> },
        Tab::MacOs => html! { <ol>
            <li>{ format!("Open {} → Keychain Access adds it to login → double-click it → Trust → When using this certificate: Always Trust.", n.root) }</li>
            <li>{ "Or: " }<code>{ format!("security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db {}", n.root) }</code></li>
            <li>{ format!("Client identity: open {} (the compatible one: macOS 12–13 reject the modern AES .p12) and enter its password.", n.client_p12) }</li>
            <li>{ "Apple refuses TLS server certificates valid for more than 825 days, even under your own root; certlab's default is 397." }</li>
        </ol> },
        Tab::Linux => html! { <ol>
            <li>{ "Chrome and Chromium read the NSS database in your home folder (install libnss3-tools for certutil):" }</li>
            <li><code>{ format!("certutil -d sql:$HOME/.pki/nssdb -A -t \"C,,\" -n \"{}\" -i {}", n.root_cn, n.root) }</code></li>
            <li>{ "Client identity: " }<code>{ format!("pk12util -d sql:$HOME/.pki/nssdb -i {}", n.client_p12) }</code></li>
            <li>{ "Snap Chromium keeps its own database in ~/snap/chromium/current/.pki/nssdb." }</li>
            <li>{ "Mutual TLS over wss:// in Chromium: Chromium never asks for a client certificate during a WebSocket handshake. Open https://HOST:PORT/ of the server in a tab first and choose the certificate; later wss:// connections to the same host and port reuse it." }</li>
        </ol> },
        Tab::Firefox => html! { <ol>
            <li>{ format!("Settings → Privacy & Security → Certificates → View Certificates → Authorities → Import {} → tick \"Trust this CA to identify websites\".", n.root) }</li>
            <li>{ format!("Client identity: Your Certificates → Import → {}.", n.client_p12) }</li>
            <li>{ "Firefox has its own store on every system; on Windows, macOS and Android it also trusts roots you added to the system (since Firefox 120), on Linux it does not." }</li>
        </ol> },
        Tab::Ios => html! { <ol>
            <li>{ "Download the profile below (or AirDrop the root), open it in Safari → Settings shows \"Profile Downloaded\" → Install." }</li>
            <li>{ "Then Settings → General → About → Certificate Trust Settings → turn on full trust for the root. A root without a common name does not appear there; certlab always sets one." }</li>
            <li>{ format!("Client identity: AirDrop or mail {} (the compatible one: iOS 17 rejects the modern AES .p12) and install it with its password.", n.client_p12) }</li>
            if let Some(cb) = profile.clone() { <li><button class="download" id="mobileconfig" onclick={cb}>{ "Download certlab-root.mobileconfig" }</button></li> }
        </ol> },
        Tab::Android => html! { <ol>
            <li>{ format!("Copy {} to the phone → Settings → Security → More security settings → Encryption & credentials → Install a certificate → CA certificate.", n.root_der) }</li>
            <li>{ format!("Client identity: same place → VPN & app user certificate → {} (compatible .p12; Android 12–13 reject the modern one).", n.client_p12) }</li>
            <li>{ "A screen lock is required. Apps targeting Android 7+ ignore user CAs unless they opt in with network_security_config." }</li>
        </ol> },
        Tab::Hosts => html! { <ol>
            <li>{ format!("When a certificate names a host DNS does not know (e.g. {}), map it to the server's address in the hosts file:", n.host) }</li>
            <li>{ "Linux, macOS: /etc/hosts — Windows: C:\\Windows\\System32\\drivers\\etc\\hosts (edit as administrator)" }</li>
            <li><code>{ format!("127.0.0.1 {}", n.host) }</code></li>
        </ol> },
        Tab::Snippets => html! { <pre class="snippets">{ format!(
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
        root = n.root, ccrt = n.client_crt, ckey = n.client_key, host = n.host, sfull = n.server_full, skey = n.server_key, cca = n.client_ca) }</pre> },
    };
    html! {
        <section class="guide" id="guide">
            <h2>{ "Import it" }</h2>
            <div class="tabs" role="tablist">
                { for TABS.iter().map(|(t, label)| {
                    let (s, t) = (tab.clone(), *t);
                    html! { <button role="tab" aria-selected={(*tab == t).to_string()} onclick={Callback::from(move |_: MouseEvent| s.set(t))}>{ *label }</button> }
                }) }
            </div>
            <div class="tab-body" role="tabpanel">{ body }</div>
        </section>
    }
}
