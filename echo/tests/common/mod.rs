//! Helpers for the integration tests: kits written to a temp dir, the real server binary on
//! loopback with its "listening" lines parsed, and the probe.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// A running server; killed on drop.
pub struct Server {
    pub child: Child,
    pub wss: Vec<u16>,
    pub ws: Vec<u16>,
    pub stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts the server with `args`; waits for one "listening" line per listener.
    pub fn start(args: &[&str]) -> Server {
        let expected = args
            .iter()
            .filter(|a| **a == "--listen" || **a == "--plain-listen")
            .count()
            .max(1);
        let mut child = Command::new(BIN)
            .arg("serve")
            .args(args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start server");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().expect("stderr");
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .expect("lock")
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let out = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            wss: Vec::new(),
            ws: Vec::new(),
            stderr,
        };
        while server.wss.len() + server.ws.len() < expected {
            let line = match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(l) => l,
                Err(_) => panic!(
                    "server did not print a listening line; stderr:\n{}",
                    server.log()
                ),
            };
            let port = |rest: &str| -> u16 {
                rest.rsplit(':')
                    .next()
                    .and_then(|p| p.parse().ok())
                    .expect("port in listening line")
            };
            if let Some(rest) = line.strip_prefix("listening wss://") {
                server.wss.push(port(rest));
            } else if let Some(rest) = line.strip_prefix("listening ws://") {
                server.ws.push(port(rest));
            }
        }
        server
    }

    pub fn port(&self) -> u16 {
        self.wss[0]
    }

    pub fn log(&self) -> String {
        self.stderr.lock().expect("lock").clone()
    }

    /// Waits until the server's log contains `needle` (the log is written asynchronously).
    pub fn wait_log(&self, needle: &str) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if self.log().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    pub fn sigterm(&self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok, "kill -TERM failed");
    }

    /// Waits for the process to exit; returns its exit code.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
