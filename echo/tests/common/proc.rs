//! Child processes for the tests: any command with its stderr collected and its stdout
//! lines on a channel ([`Proc`]), and the server with its "listening" lines parsed
//! ([`Server`]). Both are killed on drop.

use super::{BIN, count};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running child process whose stderr is collected and whose stdout lines arrive on a
/// channel; killed on drop.
pub struct Proc {
    pub child: Child,
    pub stderr: Arc<Mutex<String>>,
    pub lines: mpsc::Receiver<String>,
}

impl Proc {
    /// Spawns `cmd` with piped stdout/stderr (RUST_LOG=info unless set).
    pub fn spawn(cmd: &mut Command) -> Proc {
        let mut child = cmd
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
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
        Proc {
            child,
            stderr,
            lines: rx,
        }
    }

    pub fn log(&self) -> String {
        self.stderr.lock().expect("lock").clone()
    }

    /// Waits until the log contains `needle` (the log is written asynchronously).
    pub fn wait_log(&self, needle: &str) -> bool {
        self.wait_log_for(needle, Duration::from_secs(10))
    }

    pub fn wait_log_for(&self, needle: &str, limit: Duration) -> bool {
        self.wait_count(needle, 1, limit)
    }

    /// Waits until `needle` occurs at least `n` times in the log.
    pub fn wait_count(&self, needle: &str, n: usize, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if count(&self.log(), needle) >= n {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// True while the process runs.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok, "kill {sig} failed");
    }

    /// Waits for the process to exit; returns its exit code.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Everything printed on stdout until it closes (or `limit` passes).
    pub fn stdout_until_exit(&self, limit: Duration) -> String {
        let start = Instant::now();
        let mut out = String::new();
        while let Some(left) = limit.checked_sub(start.elapsed()) {
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    out.push_str(&l);
                    out.push('\n');
                }
                Err(_) => break,
            }
        }
        out
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running server; killed on drop.
pub struct Server {
    pub proc: Proc,
    pub wss: Vec<u16>,
    pub ws: Vec<u16>,
}

impl std::ops::Deref for Server {
    type Target = Proc;
    fn deref(&self) -> &Proc {
        &self.proc
    }
}

impl std::ops::DerefMut for Server {
    fn deref_mut(&mut self) -> &mut Proc {
        &mut self.proc
    }
}

impl Server {
    /// Starts the server with `args`; waits for one "listening" line per listener flag.
    pub fn start(args: &[&str]) -> Server {
        let expected = args
            .iter()
            .filter(|a| **a == "--listen" || **a == "--plain-listen")
            .count()
            .max(1);
        Server::start_expect(args, expected)
    }

    /// Starts the server with `args`; waits for `expected` "listening" lines.
    pub fn start_expect(args: &[&str], expected: usize) -> Server {
        let proc = Proc::spawn(Command::new(BIN).arg("serve").args(args));
        let mut server = Server {
            proc,
            wss: Vec::new(),
            ws: Vec::new(),
        };
        while server.wss.len() + server.ws.len() < expected {
            let line = match server.proc.lines.recv_timeout(Duration::from_secs(60)) {
                Ok(l) => l,
                Err(_) => panic!(
                    "server did not print a listening line; stderr:\n{}",
                    server.log()
                ),
            };
            let port = |rest: &str| -> u16 {
                let addr = rest.split_whitespace().next().unwrap_or("");
                addr.rsplit(':')
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

    pub fn sigterm(&self) {
        self.signal("-TERM");
    }
}
