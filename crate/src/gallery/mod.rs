//! The gallery: an offline badssl.com made from a fresh root. One identity per way a
//! connection fails (expired, wrong host, missing intermediate, revoked, …), a stranger root
//! for "unknown CA", a CRL, `gallery.json` (what each case teaches and what each client
//! does) and `echo.toml`, the `certlab-echo` config that serves every case on its own
//! loopback port.
//!
//! One port per case, not SNI on one port: a case is a whole server configuration (which
//! chain is sent, whether a client certificate is required, which CRL is read), and a
//! client that sends no SNI or another name still lands on the case it dialled.

mod cases;
mod make;
mod text;

use crate::error::Error;
use crate::export::pem;
use crate::export::pkcs12::{Flavour, P12Writer};
use crate::export::zip::ZipStream;
use crate::issue::now_utc;
use crate::keys::{KeyAlgorithm, KeyPair};
use crate::lint::Rule;
use crate::names::{SanName, Subtree};
use cases::{CASES, ClientFault, Def, Make, ServerFault};
use make::{Ca, Leaf, LeafDef};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// The password of the gallery's client .p12 files.
pub const GALLERY_P12_PASSWORD: &str = "gallery";

/// The first port when none is given: the cases use this one and the next ones.
pub const GALLERY_PORT: u16 = 8601;

/// What a client does with a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The connection is made.
    Accept,
    /// The handshake fails (or the server ends it).
    Reject,
}

/// What each client does with a case (`None`: not run with that client).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expect {
    /// `openssl s_client -verify_return_error -verify_hostname SNI` (with `-crl_check` when
    /// the case has a CRL).
    pub openssl: Option<Outcome>,
    /// Python `ssl.create_default_context` (with `VERIFY_CRL_CHECK_LEAF` when the case has a
    /// CRL).
    pub python: Option<Outcome>,
    /// Debian's Chromium, with the gallery root trusted in NSS.
    pub chromium: Option<Outcome>,
    /// Debian's Firefox ESR, with the gallery root trusted.
    pub firefox: Option<Outcome>,
}

/// One case of `gallery.json`. Paths are relative to the gallery folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GalleryCase {
    /// Short id, also the host name's first label.
    pub name: String,
    /// One line for a list.
    pub title: String,
    /// What it teaches.
    pub lesson: String,
    /// The lint rules (kebab-case ids) `certlab lint` reports for it.
    pub lint: Vec<String>,
    /// Where to connect: `127.0.0.1:PORT`.
    pub connect: String,
    /// The host name to send as SNI and check (`NAME.localhost`).
    pub sni: String,
    /// The URL a browser opens: `wss://NAME.localhost:PORT/`.
    pub url: String,
    /// The chain the server sends (PEM).
    pub cert: String,
    /// The client certificate to present (with its issuers), mutual-TLS cases only.
    pub client_cert: Option<String>,
    /// Its key.
    pub client_key: Option<String>,
    /// The client's key and certificates as a .p12 (password [`GalleryIndex::p12_password`]),
    /// for a browser to import.
    pub client_p12: Option<String>,
    /// Whether the server requires a client certificate (mutual-TLS cases).
    pub client_auth: bool,
    /// The CRL a client should check the server against, if the case is about revocation.
    pub crl: Option<String>,
    /// What each client does.
    pub expect: Expect,
    /// What exactly is wrong, in one sentence.
    pub why: String,
}

/// A case that is not in the gallery, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotMade {
    /// The case.
    pub name: String,
    /// Why it is not made.
    pub why: String,
}

/// `gallery.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GalleryIndex {
    /// The gallery root: the one certificate to trust.
    pub ca: String,
    /// The root of the "unknown CA" cases: never trust it.
    pub stranger_ca: String,
    /// The gallery root's CRL (the revoked server and client).
    pub crl: String,
    /// `certlab-echo serve --config` file serving every case.
    pub echo_config: String,
    /// Password of every client .p12 of the gallery (a lab secret, not a real one).
    pub p12_password: String,
    /// The cases, in port order.
    pub cases: Vec<GalleryCase>,
    /// Cases the gallery cannot make here.
    pub not_made: Vec<NotMade>,
}

/// One file of the gallery.
#[derive(Debug, Clone)]
pub struct GalleryFile {
    /// Path relative to the gallery folder.
    pub path: String,
    /// Contents.
    pub bytes: Vec<u8>,
    /// Holds a private key (write it 0600).
    pub secret: bool,
}

/// A made gallery: its files (including `gallery.json`, `echo.toml` and `README.txt`) and
/// the index.
#[derive(Debug, Clone)]
pub struct Gallery {
    /// Every file.
    pub files: Vec<GalleryFile>,
    /// What `gallery.json` holds.
    pub index: GalleryIndex,
}

impl Gallery {
    /// The whole gallery as one zip, every file under `gallery/` (keys 0600): what a teacher
    /// hands out, and what the page's Lab panel opens.
    pub fn zip(&self) -> Result<Vec<u8>, Error> {
        let fail = |e: std::io::Error| Error::Internal(format!("zip encoding failed: {e}"));
        let mut z = ZipStream::new(Vec::new(), "gallery", now_utc());
        for f in &self.files {
            z.add(&f.path, &f.bytes, f.secret, true).map_err(fail)?;
        }
        z.finish().map_err(fail)
    }
}

/// Knobs for [`gallery`].
#[derive(Debug, Clone)]
pub struct GalleryOptions {
    /// The first case's port; case `i` listens on `port + i`.
    pub port: u16,
    /// The time to issue at; `None` = now.
    pub now: Option<OffsetDateTime>,
}

impl Default for GalleryOptions {
    fn default() -> Self {
        GalleryOptions {
            port: GALLERY_PORT,
            now: None,
        }
    }
}

/// The CAs every case draws from.
struct Cas {
    root: Ca,
    stranger: Ca,
    intermediate: Ca,
    constrained: Ca,
    weak: Ca,
}

fn p256() -> Result<KeyPair, Error> {
    KeyPair::generate(KeyAlgorithm::EcdsaP256)
}

impl Cas {
    fn new(now: OffsetDateTime) -> Result<Self, Error> {
        let root = make::ca("certlab gallery root", p256()?, None, &[], now)?;
        let stranger = make::ca("Stranger root (do not trust)", p256()?, None, &[], now)?;
        let intermediate = make::ca(
            "certlab gallery intermediate",
            p256()?,
            Some(&root),
            &[],
            now,
        )?;
        let permitted = [Subtree::Dns("permitted.localhost".into())];
        let constrained = make::ca(
            "certlab gallery constrained CA",
            p256()?,
            Some(&root),
            &permitted,
            now,
        )?;
        let weak = make::ca(
            "certlab gallery RSA-1024 CA",
            KeyPair::weak_rsa_1024()?,
            Some(&root),
            &[],
            now,
        )?;
        Ok(Cas {
            root,
            stranger,
            intermediate,
            constrained,
            weak,
        })
    }
}

/// A case's certificates: the chain the server sends, its key, and the client's chain and
/// key for mutual-TLS cases.
struct Made {
    served: Vec<Vec<u8>>,
    server: Leaf,
    client: Option<(Vec<Vec<u8>>, Leaf)>,
    /// Serials to list in the root's CRL.
    revoked: Vec<Vec<u8>>,
}

fn server(fault: ServerFault, host: &str, cas: &Cas, now: OffsetDateTime) -> Result<Made, Error> {
    let mut def = LeafDef::server(host);
    let mut key = None;
    let mut issuer = Some(&cas.root);
    let mut extra: Vec<Vec<u8>> = Vec::new();
    match fault {
        ServerFault::None | ServerFault::Revoked => {}
        ServerFault::Expired => def.window = (-Duration::days(120), -Duration::days(30)),
        ServerFault::NotYetValid => def.window = (Duration::days(30), Duration::days(120)),
        ServerFault::WrongHost => {
            def.cn = "elsewhere.localhost".into();
            def.sans = vec![SanName::Dns("elsewhere.localhost".into())];
        }
        ServerFault::CnOnly => def.sans.clear(),
        ServerFault::SelfSigned => issuer = None,
        ServerFault::UnknownCa => {
            issuer = Some(&cas.stranger);
            extra.push(cas.stranger.der.clone());
        }
        ServerFault::MissingIntermediate => issuer = Some(&cas.intermediate),
        ServerFault::WrongEku => (def.server_auth, def.client_auth) = (false, true),
        ServerFault::NameConstraints => {
            issuer = Some(&cas.constrained);
            extra.push(cas.constrained.der.clone());
        }
        ServerFault::Over825Days => def.window.1 = Duration::days(1000),
        ServerFault::Rsa1024 => {
            issuer = Some(&cas.weak);
            extra.push(cas.weak.der.clone());
        }
        ServerFault::Ed25519 => {
            def.key = KeyAlgorithm::Ed25519;
            key = Some(KeyPair::generate(KeyAlgorithm::Ed25519)?);
        }
    }
    let key = match key {
        Some(k) => k,
        None => p256()?,
    };
    let leaf = make::leaf(&def, key, issuer, now)?;
    let mut served = vec![leaf.der.clone()];
    served.extend(extra);
    let revoked = if fault == ServerFault::Revoked {
        vec![leaf.serial.clone()]
    } else {
        Vec::new()
    };
    Ok(Made {
        served,
        server: leaf,
        client: None,
        revoked,
    })
}

fn client(
    fault: ClientFault,
    name: &str,
    host: &str,
    cas: &Cas,
    now: OffsetDateTime,
) -> Result<Made, Error> {
    let mut made = server(ServerFault::None, host, cas, now)?;
    if fault == ClientFault::Missing {
        return Ok(made);
    }
    let mut def = LeafDef::client(name);
    let mut issuer = &cas.root;
    let mut chain_extra = Vec::new();
    match fault {
        ClientFault::None | ClientFault::Revoked | ClientFault::Missing => {}
        ClientFault::Stranger => {
            issuer = &cas.stranger;
            chain_extra.push(cas.stranger.der.clone());
        }
        ClientFault::Expired => def.window = (-Duration::days(120), -Duration::days(30)),
        ClientFault::NoClientAuth => (def.server_auth, def.client_auth) = (true, false),
    }
    let leaf = make::leaf(&def, p256()?, Some(issuer), now)?;
    if fault == ClientFault::Revoked {
        made.revoked.push(leaf.serial.clone());
    }
    let mut chain = vec![leaf.der.clone()];
    chain.extend(chain_extra);
    made.client = Some((chain, leaf));
    Ok(made)
}

fn rule_id(r: Rule) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn case_entry(d: &Def, port: u16) -> GalleryCase {
    let host = format!("{}.localhost", d.name);
    let is_client = matches!(d.make, Make::Client(f) if f != ClientFault::Missing);
    let [openssl, python, chromium, firefox] = d.expect;
    GalleryCase {
        name: d.name.into(),
        title: d.title.into(),
        lesson: d.lesson.into(),
        lint: d.lint.iter().map(|r| rule_id(*r)).collect(),
        connect: format!("127.0.0.1:{port}"),
        url: format!("wss://{host}:{port}/"),
        sni: host,
        cert: format!("cases/{}.pem", d.name),
        client_cert: is_client.then(|| format!("clients/{}.pem", d.name)),
        client_key: is_client.then(|| format!("clients/{}.key", d.name)),
        client_p12: is_client.then(|| format!("clients/{}.p12", d.name)),
        client_auth: matches!(d.make, Make::Client(_)),
        crl: (d.make == Make::Server(ServerFault::Revoked)).then(|| "ca.crl".to_string()),
        expect: Expect {
            openssl,
            python,
            chromium,
            firefox,
        },
        why: d.why.into(),
    }
}

fn file(path: impl Into<String>, bytes: impl Into<Vec<u8>>, secret: bool) -> GalleryFile {
    GalleryFile {
        path: path.into(),
        bytes: bytes.into(),
        secret,
    }
}

fn certs_pem(ders: &[Vec<u8>]) -> String {
    pem::certificates(ders.iter().map(Vec::as_slice))
}

/// Makes a gallery: fresh roots, one identity per case, the CRL, `gallery.json`, `echo.toml`
/// and `README.txt`. Refuses a port range that runs past 65535.
pub fn gallery(opts: &GalleryOptions) -> Result<Gallery, Error> {
    let last = usize::from(opts.port) + CASES.len() - 1;
    if opts.port == 0 || last > usize::from(u16::MAX) {
        return Err(Error::field(
            "port",
            crate::error::ErrorKind::BadCount,
            format!(
                "the gallery needs {} ports from {}; they must lie within 1–65535",
                CASES.len(),
                opts.port
            ),
            format!(
                "give a first port between 1024 and {}",
                usize::from(u16::MAX) + 1 - CASES.len()
            ),
        ));
    }
    let now = opts.now.unwrap_or_else(now_utc);
    let cas = Cas::new(now)?;
    let mut files = Vec::new();
    let mut revoked = Vec::new();
    let mut p12 = P12Writer::new(GALLERY_P12_PASSWORD, Flavour::Compatible)?;
    let mut entries = Vec::new();
    for (i, d) in CASES.iter().enumerate() {
        let port = opts.port + u16::try_from(i).unwrap_or(0);
        let host = format!("{}.localhost", d.name);
        let made = match d.make {
            Make::Server(fault) => server(fault, &host, &cas, now)?,
            Make::Client(fault) => client(fault, d.name, &host, &cas, now)?,
        };
        let entry = case_entry(d, port);
        files.push(file(&entry.cert, certs_pem(&made.served), false));
        files.push(file(
            format!("cases/{}.key", d.name),
            pem::private_key(made.server.key.pkcs8_der()),
            true,
        ));
        if let (Some((chain, leaf)), Some(cert), Some(key), Some(p12_path)) = (
            &made.client,
            &entry.client_cert,
            &entry.client_key,
            &entry.client_p12,
        ) {
            files.push(file(cert, certs_pem(chain), false));
            files.push(file(key, pem::private_key(leaf.key.pkcs8_der()), true));
            // The .p12 carries the client's root too, as a kit's do.
            let issuers = match chain.get(1..) {
                Some(rest) if !rest.is_empty() => rest.to_vec(),
                _ => vec![cas.root.der.clone()],
            };
            let bytes = p12.write(d.name, leaf.key.pkcs8_der(), &leaf.der, &issuers)?;
            files.push(file(p12_path, bytes, true));
        }
        revoked.extend(made.revoked);
        entries.push(entry);
    }
    let serials: Vec<&[u8]> = revoked.iter().map(Vec::as_slice).collect();
    let crl = crate::crl::crl_listing(
        &cas.root.der,
        &cas.root.key,
        cas.root.not_after,
        &serials,
        now,
    )?;
    files.push(file(
        "ca.crt",
        pem::encode("CERTIFICATE", &cas.root.der),
        false,
    ));
    files.push(file("ca.crl", pem::encode("X509 CRL", &crl), false));
    files.push(file(
        "stranger-ca.crt",
        pem::encode("CERTIFICATE", &cas.stranger.der),
        false,
    ));
    let index = GalleryIndex {
        ca: "ca.crt".into(),
        stranger_ca: "stranger-ca.crt".into(),
        crl: "ca.crl".into(),
        echo_config: "echo.toml".into(),
        p12_password: GALLERY_P12_PASSWORD.into(),
        cases: entries,
        not_made: vec![NotMade {
            name: "sha1".into(),
            why: "a SHA-1 signature: rcgen, certlab's signer, offers no SHA-1 signature algorithm (and OpenSSL 3 at Debian's security level 2, Chromium and Firefox have refused SHA-1 certificates since 2017)".into(),
        }],
    };
    files.push(file("echo.toml", text::echo_toml(&index), false));
    files.push(file("README.txt", text::readme(&index), false));
    let json = serde_json::to_string_pretty(&index)
        .map_err(|e| Error::Internal(format!("gallery.json: {e}")))?;
    files.push(file("gallery.json", json + "\n", false));
    Ok(Gallery { files, index })
}
