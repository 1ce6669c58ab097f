//! The kit side of the shape matrix: kits made by the `certlab` CLI (`kit`, then `issue` under
//! the kit's own CA files), read back through manifest.json with the engine's
//! `Manifest::presented/root_of/client_trust`, so no file name is guessed here.

use crate::common::{BIN, Out, run};
use certlab::{Manifest, ManifestIdentity, Role};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// One kit shape: a preset, its flags and its key type (the CLI's spelling).
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub preset: &'static str,
    pub intermediate: bool,
    pub separate_client_ca: bool,
    pub key: &'static str,
}

impl Shape {
    /// Every flag combination and key type of `preset`.
    pub fn all(preset: &'static str) -> Vec<Shape> {
        let mut out = Vec::new();
        for key in ["ecdsa-p256", "ecdsa-p384", "rsa2048"] {
            for (intermediate, separate_client_ca) in
                [(false, false), (true, false), (false, true), (true, true)]
            {
                out.push(Shape {
                    preset,
                    intermediate,
                    separate_client_ca,
                    key,
                });
            }
        }
        out
    }

    /// The `certlab kit` flags of this shape, after `--out DIR`.
    pub fn flags(&self) -> Vec<&'static str> {
        let mut f = vec!["--preset", self.preset, "--key", self.key];
        if self.intermediate {
            f.push("--intermediate");
        }
        if self.separate_client_ca {
            f.push("--separate-client-ca");
        }
        f
    }
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "certlab kit {}", self.flags().join(" "))
    }
}

/// The `certlab` CLI next to the certlab-echo under test (or in $CERTLAB_BIN_DIR). Fails,
/// never skips, when it is missing or older than the engine's sources.
pub fn certlab_bin() -> PathBuf {
    let bin = match std::env::var_os("CERTLAB_BIN_DIR") {
        Some(dir) => Path::new(&dir).join("certlab"),
        None => Path::new(BIN).with_file_name("certlab"),
    };
    let fix = "build it with `cargo build -p certlab --locked` (`cargo test --workspace`, \
               which ./scripts/test runs, builds it too)";
    let built = std::fs::metadata(&bin)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("the certlab CLI {} is missing ({e}): {fix}", bin.display()));
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crate/src");
    let newest = newest_mtime(&src);
    assert!(
        newest <= built,
        "the certlab CLI {} is older than crate/src: {fix}",
        bin.display()
    );
    bin
}

fn newest_mtime(dir: &Path) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    for entry in std::fs::read_dir(dir).expect("read crate/src").flatten() {
        let path = entry.path();
        let t = if path.is_dir() {
            newest_mtime(&path)
        } else {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(SystemTime::UNIX_EPOCH)
        };
        newest = newest.max(t);
    }
    newest
}

/// Runs the certlab CLI; panics with its output when it fails.
pub fn certlab(args: &[&str]) -> Out {
    let out = run(Command::new(certlab_bin()).args(args), None);
    assert!(out.ok, "certlab {}:\n{}", args.join(" "), out.all());
    out
}

/// A kit folder and its manifest.
pub struct Kit {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

impl Kit {
    /// `certlab kit --out DIR FLAGS…`, read back.
    pub fn make(dir: PathBuf, flags: &[&str]) -> Kit {
        let out = dir.display().to_string();
        certlab(&[&["kit", "--out", &out][..], flags].concat());
        Kit::read(dir)
    }

    /// Reads DIR/manifest.json.
    pub fn read(dir: PathBuf) -> Kit {
        let text = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest.json");
        let manifest = serde_json::from_str(&text).expect("manifest.json parses as a Manifest");
        Kit { dir, manifest }
    }

    /// The path of a kit-relative file.
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// The identity named `name`.
    pub fn id(&self, name: &str) -> &ManifestIdentity {
        self.manifest
            .by_name(name)
            .unwrap_or_else(|| panic!("{name} not in {}", self.dir.display()))
    }

    /// The root certificate that anchors `id`: the one file a client trusts.
    pub fn root_file(&self, id: &ManifestIdentity) -> PathBuf {
        self.path(&self.manifest.root_of(id).files.cert)
    }

    /// `certlab issue` under `id`'s issuer (its certificate and key as the kit wrote them),
    /// into the kit folder itself (which adds it to manifest.json, read again here); `what`
    /// is e.g. `["--client", "carol"]`, `name` the new identity's file stem.
    pub fn issue_under(&mut self, id_name: &str, key: &str, what: &[&str], name: &str) {
        let issuer = self.id(&self.id(id_name).issuer.clone()).clone();
        let ca_cert = self.path(&issuer.files.cert).display().to_string();
        let ca_key = self
            .path(issuer.files.key.as_deref().expect("issuer key in the kit"))
            .display()
            .to_string();
        let out = self.dir.display().to_string();
        certlab(
            &[
                &["issue", "--ca-cert", &ca_cert, "--ca-key", &ca_key][..],
                &["--key", key, "--name", name, "--out", &out],
                what,
            ]
            .concat(),
        );
        *self = Kit::read(self.dir.clone());
    }

    /// The kit's leaves that connect as TLS clients: its clients, else its devices.
    pub fn client_names(&self) -> Vec<String> {
        let of = |role| {
            self.manifest
                .identities
                .iter()
                .filter(move |i| i.role == role)
                .map(|i| i.name.clone())
        };
        let clients: Vec<String> = of(Role::Client).collect();
        if clients.is_empty() {
            of(Role::Device).collect()
        } else {
            clients
        }
    }
}

/// A leaf's files as a TLS client presents them.
#[derive(Clone, Debug)]
pub struct Leaf {
    pub cn: String,
    /// The certificate alone (openssl's `-cert`).
    pub crt: PathBuf,
    /// Its issuers (openssl's `-cert_chain`), when the kit wrote them.
    pub chain: Option<PathBuf>,
    /// Certificate and issuers in one file (curl, probe, Python, node).
    pub fullchain: PathBuf,
    pub key: PathBuf,
}

impl Leaf {
    /// The files of identity `name` in `kit`.
    pub fn of(kit: &Kit, name: &str) -> Leaf {
        let id = kit.id(name);
        Leaf {
            cn: id.common_name.clone(),
            crt: kit.path(&id.files.cert),
            chain: id.files.chain.as_deref().map(|c| kit.path(c)),
            fullchain: kit.path(kit.manifest.presented(id)),
            key: kit.path(id.files.key.as_deref().expect("leaf key")),
        }
    }
}
