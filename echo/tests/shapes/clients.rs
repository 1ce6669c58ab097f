//! The clients of the shape matrix, each a real program: `openssl s_client
//! -verify_return_error`, `certlab-echo probe`, `curl`, Python `ssl` and node `tls`/`https`
//! (the last two as one process per batch of connections: echo/tests/py/tls_batch.py,
//! echo/tests/js/tls_batch.mjs). Every one trusts only the server's root and asks
//! certlab-echo for `/info`, whose JSON says which client certificate the server saw.

use crate::common::{Out, curl, probe, python, run};
use crate::kit::Leaf;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the server must answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    /// Served without a client certificate.
    OneWay,
    /// Served, with this client certificate (CN) verified.
    Client(String),
    /// The handshake refused (a client certificate the server does not trust).
    Refused,
}

/// One connection to make, with every client.
#[derive(Clone, Debug)]
pub struct Case {
    pub id: String,
    pub port: u16,
    /// The only CA the client trusts: the server's root.
    pub ca: PathBuf,
    pub client: Option<Leaf>,
    pub expect: Expect,
    /// Certificates the server presents (its presented file), checked by openssl and probe.
    pub presented: usize,
}

impl Case {
    /// Asserts what `program` saw: `ok` with `/info` JSON `info`, or a failure.
    fn check(&self, program: &str, ok: bool, info: Option<&Value>, detail: &dyn Fn() -> String) {
        let verdict = info.and_then(|i| i["verdict"].as_str());
        let cn = info.and_then(|i| i["client_certificate"]["common_name"].as_str());
        let good = match &self.expect {
            Expect::OneWay => ok && verdict == Some("no client certificate"),
            Expect::Client(want) => ok && verdict == Some("verified") && cn == Some(want),
            Expect::Refused => !ok && verdict.is_none(),
        };
        assert!(
            good,
            "{program}, case {}: expected {:?}, got ok={ok} verdict={verdict:?} cn={cn:?}\n{}",
            self.id,
            self.expect,
            detail()
        );
    }
}

fn p(path: &Path) -> String {
    path.display().to_string()
}

/// The JSON body of an HTTP/1.1 200 answer in `text`, if there is one.
fn body_json(text: &str) -> Option<Value> {
    let at = text.find("HTTP/1.1 200")?;
    let rest = &text[at..];
    let body = &rest[rest.find("\r\n\r\n")? + 4..];
    // The first JSON value; s_client may print session tickets after it.
    let mut values = serde_json::Deserializer::from_str(body).into_iter::<Value>();
    values.next()?.ok()
}

/// `openssl s_client -verify_return_error` with `-showcerts`: the presented chain is counted.
pub fn openssl(case: &Case) {
    let mut cmd = Command::new("openssl");
    cmd.args(["s_client", "-connect", &format!("127.0.0.1:{}", case.port)])
        .args(["-servername", "localhost", "-verify_hostname", "localhost"])
        .args(["-CAfile", &p(&case.ca), "-verify_return_error", "-ign_eof"])
        .arg("-showcerts");
    if let Some(c) = &case.client {
        cmd.args(["-cert", &p(&c.crt), "-key", &p(&c.key)]);
        if let Some(chain) = &c.chain {
            cmd.args(["-cert_chain", &p(chain)]);
        }
    }
    let out = run(
        &mut cmd,
        Some(b"GET /info HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    );
    let info = body_json(&out.stdout);
    let verified = out.stdout.contains("Verify return code: 0 (ok)");
    case.check(
        "openssl s_client",
        verified && info.is_some(),
        info.as_ref(),
        &|| out.all(),
    );
    if case.expect != Expect::Refused {
        let sent = out.stdout.matches("-----BEGIN CERTIFICATE-----").count();
        assert_eq!(
            sent, case.presented,
            "{}: chain sent\n{}",
            case.id, out.stdout
        );
    }
}

/// `certlab-echo probe wss://localhost:PORT/`: verdict, presented chain and greeting.
pub fn probe_case(case: &Case) {
    let url = format!("wss://localhost:{}/", case.port);
    // Generous: CI's two cores are busy (the default is 10 s per step).
    let mut args = vec![
        "--ca".to_string(),
        p(&case.ca),
        "--timeout".into(),
        "60s".into(),
    ];
    if let Some(c) = &case.client {
        args.extend(["--cert".into(), p(&c.fullchain), "--key".into(), p(&c.key)]);
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (out, r) = probe(&url, &refs);
    assert_eq!(r["verification"], "verified", "{}: {}", case.id, out.all());
    let chain = r["server_chain"].as_array().map_or(0, Vec::len);
    assert_eq!(chain, case.presented, "{}: {}", case.id, out.all());
    let greeting = r.get("greeting").filter(|g| !g.is_null());
    case.check("certlab-echo probe", out.ok, greeting, &|| out.all());
    if case.expect == Expect::Refused {
        assert_eq!(out.code, Some(3), "{}: {}", case.id, out.all());
    }
}

/// `curl --cacert ROOT [--cert FULLCHAIN --key KEY] https://localhost:PORT/info`.
pub fn curl_case(case: &Case) {
    let mut extra = vec!["--max-time".to_string(), "60".into()]; // overrides common's 20 s
    if let Some(c) = &case.client {
        extra.extend([
            "--cert".to_string(),
            p(&c.fullchain),
            "--key".into(),
            p(&c.key),
        ]);
    }
    let refs: Vec<&str> = extra.iter().map(String::as_str).collect();
    let out: Out = curl(case.port, &case.ca, "/info", &refs);
    let info: Option<Value> = serde_json::from_str(out.stdout.trim()).ok();
    case.check("curl", out.ok, info.as_ref(), &|| out.all());
}

/// Runs Python `ssl` and node `tls`/`https` over `cases`, one process each.
pub fn batch(cases: &[Case], scratch: &Path) {
    let list: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({
                "id": c.id, "port": c.port, "ca": p(&c.ca),
                "cert": c.client.as_ref().map(|l| p(&l.fullchain)),
                "key": c.client.as_ref().map(|l| p(&l.key)),
            })
        })
        .collect();
    let file = scratch.join("cases.json");
    std::fs::write(&file, serde_json::to_vec(&list).expect("json")).expect("write cases");
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let py = run(
        Command::new(python())
            .arg(here.join("py/tls_batch.py"))
            .arg(&file),
        None,
    );
    if let Err(e) = Command::new("node").arg("--version").output() {
        panic!("cannot run node ({e}): `ensure_npm` in scripts/setup.sh installs nodejs");
    }
    let node = run(
        Command::new("node")
            .arg(here.join("js/tls_batch.mjs"))
            .arg(&file),
        None,
    );
    for (program, out, per_case) in [("python ssl", &py, 1), ("node", &node, 2)] {
        let results: Vec<Value> = serde_json::from_str(out.stdout.trim())
            .unwrap_or_else(|e| panic!("{program} printed no JSON list ({e}):\n{}", out.all()));
        assert_eq!(results.len(), cases.len() * per_case, "{}", out.all());
        for (i, r) in results.iter().enumerate() {
            let case = &cases[i / per_case];
            assert_eq!(r["id"], case.id.as_str());
            let name = match r["via"].as_str() {
                Some(via) => format!("{program} {via}"),
                None => program.to_string(),
            };
            let ok = r["ok"] == true;
            let info = r.get("info").filter(|v| !v.is_null());
            case.check(&name, ok, info, &|| r.to_string());
        }
    }
}
