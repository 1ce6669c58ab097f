//! Helpers for the integration tests: kits written to a temp dir, the real server binary on
//! loopback with its "listening" lines parsed, and the probe.
#![allow(dead_code)]

pub mod peers;
mod proc;
pub mod raw;

#[allow(unused_imports)] // not every test binary uses both
pub use proc::{Proc, Server};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_certlab-echo");

/// A generated kit on disk.
pub struct KitDir {
    pub dir: tempfile::TempDir,
    pub kit: certlab::Kit,
}

impl KitDir {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    pub fn p(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }
}

/// Writes every artifact of `kit` under a fresh temp dir.
pub fn write_kit(kit: certlab::Kit) -> KitDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for a in &kit.artifacts {
        let path = dir.path().join(&a.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, &a.bytes).expect("write artifact");
    }
    KitDir { dir, kit }
}

/// The Mtls preset (server for localhost/127.0.0.1/::1, clients alice and bob) with `alg`.
pub fn mtls_kit(alg: certlab::KeyAlgorithm) -> KitDir {
    let spec = certlab::Preset::Mtls.spec(alg);
    write_kit(certlab::generate(&spec).expect("generate kit"))
}

/// The Dev preset (root + a server for localhost/127.0.0.1/::1) with `alg`.
pub fn dev_kit(alg: certlab::KeyAlgorithm) -> KitDir {
    write_kit(certlab::generate(&certlab::Preset::Dev.spec(alg)).expect("generate kit"))
}

/// A kit for the reverse mode: the Mtls preset whose `server` may also authenticate as a TLS
/// client (`client_auth: true`, what `dial` presents), plus a server identity `home` for
/// localhost/127.0.0.1 (what `probe --listen` presents). `root_cn` names the CA.
pub fn reverse_kit(alg: certlab::KeyAlgorithm, root_cn: &str) -> KitDir {
    let mut spec = certlab::Preset::Mtls.spec(alg);
    spec.root.common_name = root_cn.into();
    spec.servers[0].client_auth = true;
    let mut home = spec.servers[0].clone();
    home.name = "home".into();
    home.names = vec!["localhost".into(), "127.0.0.1".into()];
    home.common_name = Some("home".into());
    home.client_auth = false;
    spec.servers.push(home);
    write_kit(certlab::generate(&spec).expect("generate reverse kit"))
}

/// Occurrences of `needle` in `haystack`.
pub fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// The resident set size of `pid` in KiB (VmRSS in /proc/PID/status).
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// The python3 with `websockets`: $ECHO_PYTHON (set by scripts/setup.sh), else the venv
/// scripts/setup.sh may have made under target/, else python3. Panics (the test FAILS, it
/// is not skipped) when `websockets` cannot be imported.
pub fn python() -> String {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/py-venv/bin/python3");
    let py = std::env::var("ECHO_PYTHON").ok().unwrap_or_else(|| {
        if venv.exists() {
            venv.display().to_string()
        } else {
            "python3".into()
        }
    });
    let check = run(
        Command::new(&py).args(["-c", "import websockets; print(websockets.__version__)"]),
        None,
    );
    assert!(
        check.ok,
        "Python `websockets` is not importable with {py}: run ./scripts/test, or \
         `source scripts/setup.sh && ensure_python_packages` (error: {})",
        check.stderr
    );
    py
}

/// Runs echo/tests/py/ws_client.py; returns the output and its JSON result.
pub fn py_client(url: &str, args: &[&str]) -> (Out, serde_json::Value) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/ws_client.py");
    let out = run(Command::new(python()).arg(script).arg(url).args(args), None);
    let v = serde_json::from_str(out.stdout.trim())
        .unwrap_or_else(|e| panic!("ws_client.py printed no JSON ({e}):\n{}", out.all()));
    (out, v)
}

/// Output of a finished command.
pub struct Out {
    pub ok: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

pub fn run(cmd: &mut Command, stdin: Option<&[u8]>) -> Out {
    use std::io::Write;
    let mut child = cmd
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(input).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait");
    Out {
        ok: out.status.success(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `certlab-echo probe URL ARGS… --json`; returns the output and the parsed report.
pub fn probe(url: &str, args: &[&str]) -> (Out, serde_json::Value) {
    let out = run(
        Command::new(BIN)
            .arg("probe")
            .arg(url)
            .args(args)
            .arg("--json"),
        None,
    );
    let report = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("probe printed no JSON ({e}):\n{}", out.all()));
    (out, report)
}

/// `openssl s_client` against 127.0.0.1:port with SNI localhost, trusting `ca`, sending an
/// HTTP request for /info and reading until the server closes.
pub fn s_client(port: u16, ca: &Path, extra: &[&str]) -> Out {
    run(
        Command::new("openssl")
            .args([
                "s_client",
                "-connect",
                &format!("127.0.0.1:{port}"),
                "-servername",
                "localhost",
            ])
            .arg("-CAfile")
            .arg(ca)
            .args(["-verify_return_error", "-ign_eof"])
            .args(extra),
        Some(b"GET /info HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    )
}

/// `curl` for https://localhost:port/PATH resolved to 127.0.0.1, trusting `ca`.
pub fn curl(port: u16, ca: &Path, path: &str, extra: &[&str]) -> Out {
    run(
        Command::new("curl")
            .args([
                "-sS",
                "--max-time",
                "20",
                "--resolve",
                &format!("localhost:{port}:127.0.0.1"),
            ])
            .arg("--cacert")
            .arg(ca)
            .args(extra)
            .arg(format!("https://localhost:{port}{path}")),
        None,
    )
}

/// A CA made with openssl under exactly the subject name of `kit`'s root (someone else's CA
/// that happens to share the name), and a client `alice` it signed (EKU clientAuth). Returns
/// the folder holding `ca.crt`, `alice.crt`, `alice.key`, `alice.fullchain.pem` and
/// `alice.p12` (password `changeit`). certlab kits never share a root name (each kit's CAs
/// carry a random `OU=kit …`), so this is how the tests meet the same-name case.
pub fn same_name_ca(kit: &KitDir) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(d)
            .output()
            .expect("run openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let ca = kit.p("ca.crt");
    let subject = openssl(&[
        "x509", "-in", &ca, "-noout", "-subject", "-nameopt", "compat",
    ]);
    let subject = subject
        .trim()
        .trim_start_matches("subject=")
        .trim()
        .to_string();
    let ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
    openssl(&[&["genpkey"][..], &ec, &["-out", "ca.key"]].concat());
    openssl(&[
        "req",
        "-x509",
        "-new",
        "-key",
        "ca.key",
        "-subj",
        &subject,
        "-days",
        "30",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-out",
        "ca.crt",
    ]);
    openssl(&[&["genpkey"][..], &ec, &["-out", "alice.key"]].concat());
    openssl(&[
        "req",
        "-new",
        "-key",
        "alice.key",
        "-subj",
        "/CN=alice",
        "-out",
        "alice.csr",
    ]);
    std::fs::write(
        d.join("ext.cnf"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n",
    )
    .expect("write ext.cnf");
    openssl(&[
        "x509",
        "-req",
        "-in",
        "alice.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        "ext.cnf",
        "-out",
        "alice.crt",
    ]);
    let full = [
        std::fs::read(d.join("alice.crt")).expect("alice.crt"),
        std::fs::read(d.join("ca.crt")).expect("ca.crt"),
    ]
    .concat();
    std::fs::write(d.join("alice.fullchain.pem"), full).expect("fullchain");
    openssl(&[
        "pkcs12",
        "-export",
        "-inkey",
        "alice.key",
        "-in",
        "alice.crt",
        "-certfile",
        "ca.crt",
        "-certpbe",
        "PBE-SHA1-3DES",
        "-keypbe",
        "PBE-SHA1-3DES",
        "-macalg",
        "sha1",
        "-passout",
        "pass:changeit",
        "-out",
        "alice.p12",
    ]);
    dir
}
