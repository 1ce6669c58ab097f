//! The real programs the snippets name, run by the tests: a snippet of the engine
//! ([`certlab::snippets`]) written verbatim to a file in the kit's folder and run by the program
//! it is for, with a time limit; a check that each program is installed, naming the
//! `scripts/setup.sh` function that installs it (a missing tool fails the test, never skips it).

use super::{BIN, python};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The snippets' endpoint for a test: host `localhost` (loopback), the given ports. The one
/// way the tests move the engine's snippets off 8443/8883/8884 ([`certlab::Endpoint`]).
pub fn endpoint(port: u16, mqtt_port: u16, mqtt_ws_port: u16) -> certlab::Endpoint {
    certlab::Endpoint {
        host: "localhost".into(),
        port,
        mqtt_port,
        mqtt_ws_port,
    }
}

/// The snippet `id` of `m` at `at`; panics when the engine gives none.
pub fn snippet(m: &certlab::Manifest, at: &certlab::Endpoint, id: &str) -> certlab::Snippet {
    certlab::snippets(m, at)
        .into_iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("the engine gives no {id:?} snippet for this kit"))
}

/// Panics unless `prog` is on PATH, saying which `ensure_*` of scripts/setup.sh installs it.
pub fn need(prog: &str, ensure: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(prog).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "{prog} is not installed: run ./scripts/test, or `source scripts/setup.sh && {ensure}`"
    );
}

/// The python3 of the tests (see [`python`]) after checking it imports `module`.
pub fn python_with(module: &str) -> String {
    let py = python();
    let ok = Command::new(&py)
        .args(["-c", &format!("import {module}")])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        ok,
        "Python `{module}` is not importable with {py}: run ./scripts/test, or \
         `source scripts/setup.sh && ensure_python_packages`"
    );
    py
}

/// PATH with certlab-echo's folder first, so snippets naming `certlab-echo` run this build.
pub fn path_with_echo() -> String {
    let bin = Path::new(BIN).parent().expect("bin dir").to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&rest)))
        .expect("PATH")
        .to_string_lossy()
        .into_owned()
}

/// Writes `s` verbatim into `dir` (as `<id>.<ext>`) and returns the command that runs it
/// there: bash for `sh`, the tests' python3 for `python`, node for `javascript`.
pub fn snippet_command(dir: &Path, s: &certlab::Snippet) -> Command {
    let (prog, ext) = match s.language {
        "sh" => ("bash".to_string(), "sh"),
        "python" => (python(), "py"),
        "javascript" => {
            need("node", "ensure_npm");
            ("node".to_string(), "js")
        }
        other => panic!("snippet {} ({other}) is not a program to run", s.id),
    };
    let file: PathBuf = dir.join(format!("{}.{ext}", s.id));
    std::fs::write(&file, &s.text).expect("write snippet");
    let mut cmd = Command::new(prog);
    cmd.arg(&file)
        .current_dir(dir)
        .env("PATH", path_with_echo())
        .env(certlab::KEY_PASSWORD_VAR, KEY_PASSWORD);
    cmd
}

/// The key password of the tests' kits made with encrypted keys ([`encrypted`]); every
/// snippet runs with it in [`certlab::KEY_PASSWORD_VAR`], as the snippets tell a user to set.
pub const KEY_PASSWORD: &str = "key pass: wörds & $igns";

/// `spec` with its private keys written encrypted under [`KEY_PASSWORD`].
pub fn encrypted(mut spec: certlab::Spec) -> certlab::Spec {
    spec.key_password = Some(KEY_PASSWORD.into());
    spec
}

/// What a finished program printed.
pub struct Ran {
    pub ok: bool,
    pub out: String,
}

/// Runs `cmd` with stdin closed, stdout and stderr into one text; kills it and panics after
/// `limit` (a generous bound, not a speed check).
pub fn run_bounded(cmd: &mut Command, limit: Duration) -> Ran {
    let log = tempfile::NamedTempFile::new().expect("log file");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(log.reopen().expect("log"))
        .stderr(log.reopen().expect("log"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{cmd:?} did not finish within {limit:?}:\n{}",
                std::fs::read_to_string(log.path()).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ran {
        ok: status.success(),
        out: std::fs::read_to_string(log.path()).unwrap_or_default(),
    }
}

/// Runs the snippet `s` in `dir` (see [`snippet_command`]), bounded by two minutes.
pub fn run_snippet(dir: &Path, s: &certlab::Snippet) -> Ran {
    run_bounded(&mut snippet_command(dir, s), Duration::from_secs(120))
}

/// Waits until something accepts TCP connections on 127.0.0.1:`port` (a server started by
/// the test), or panics after a minute.
pub fn wait_port(port: u16, what: &str) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{what} did not listen on 127.0.0.1:{port} within a minute"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A server started from a snippet (bash running its line): bash and what it started share a
/// process group, killed together on drop (killing bash alone would leave the server behind).
pub struct Served(pub super::Proc);

impl Served {
    /// Starts the snippet `s` in `dir` in its own process group.
    pub fn start(dir: &Path, s: &certlab::Snippet) -> Served {
        use std::os::unix::process::CommandExt;
        let mut cmd = snippet_command(dir, s);
        cmd.process_group(0);
        Served(super::Proc::spawn(&mut cmd))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.pid());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
    }
}

/// Debian's nginx in the foreground with `dir` as its prefix and conf directory, serving
/// `block` (a kit's `server {}` snippet, saved as certlab.conf) inside a minimal `http {}`;
/// waits for `port`.
pub fn nginx_serving(dir: &Path, block: &str, port: u16) -> super::Proc {
    need("nginx", "ensure_nginx");
    std::fs::write(dir.join("certlab.conf"), block).expect("write the server block");
    std::fs::write(
        dir.join("nginx.conf"),
        "daemon off;\nmaster_process off;\npid nginx.pid;\nerror_log stderr info;\n\
         events {}\nhttp {\n  access_log off;\n  client_body_temp_path tmp;\n  proxy_temp_path tmp;\n\
         \x20 fastcgi_temp_path tmp;\n  uwsgi_temp_path tmp;\n  scgi_temp_path tmp;\n\
         \x20 include certlab.conf;\n}\n",
    )
    .expect("write nginx.conf");
    std::fs::create_dir_all(dir.join("tmp")).expect("tmp");
    let mut nginx = super::Proc::spawn(
        Command::new("nginx")
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .args(["-e", "stderr"]),
    );
    wait_port(port, "nginx");
    assert!(nginx.alive(), "nginx exited:\n{}", nginx.log());
    nginx
}

/// Debian's mosquitto in `dir` on `conf` (a kit's mosquitto.conf snippet) after a few
/// test-only lines (log to stderr, no persistence); waits for both listeners of `at`.
pub fn mosquitto_on(dir: &Path, conf: &str, at: &certlab::Endpoint) -> super::Proc {
    need("mosquitto", "ensure_mosquitto");
    let test_only = "# test-only lines, then the kit's snippet\nlog_dest stderr\n\
                     log_type all\nconnection_messages true\npersistence false\nuser root\n\n";
    std::fs::write(dir.join("mosquitto.conf"), format!("{test_only}{conf}")).expect("conf");
    let p = super::Proc::spawn(
        Command::new("mosquitto")
            .args(["-c", "mosquitto.conf"])
            .current_dir(dir),
    );
    wait_port(at.mqtt_port, "mosquitto (TLS listener)");
    wait_port(at.mqtt_ws_port, "mosquitto (websockets listener)");
    p
}
