//! Every kit shape in a live handshake (issue 14 §1). For the `dev`, `mtls` and `iot` presets,
//! each with and without `--intermediate` and `--separate-client-ca`, for ECDSA P-256, P-384
//! and RSA-2048 (36 kits, made by the `certlab` CLI): certlab-echo serves the kit's server
//! with the file `Manifest::presented` names (its full chain) and, when the kit has clients
//! or devices, `--client-ca` set to `Manifest::client_trust` (`--client-auth optional`, so
//! the same listener serves one-way clients too). Clients trust only `Manifest::root_of` the
//! server and must:
//! - connect one-way, and see the whole presented chain (openssl `-showcerts`, probe);
//! - connect with each client (mtls) or the first and last device (iot) as mutual TLS;
//! - connect with a client (mtls) or device (iot) issued later by `certlab issue` under the
//!   kit's own CA files, and to a server issued later the same way;
//! - be refused with a client from the server root when it differs from the client CA (a
//!   separate client CA with clients), and with a client of another kit.
//!
//! Every client runs over the whole matrix: `openssl s_client -verify_return_error`, `curl`,
//! `certlab-echo probe`, Python `ssl` (echo/tests/py/tls_batch.py) and node `tls` + `https`
//! (echo/tests/js/tls_batch.mjs), the last two as one process per kit for all its
//! connections. The server's log must count exactly one refusal per refused connection.
//! Affordable over the whole product: measured on 2 shared cores (debug build), 43–65 s for
//! the three tests depending on the load (36 kits, 1,044 client connections; `iot`, the
//! longest, 35–48 s). RSA-2048
//! costs little: the kits come from the CLI, whose RSA key generation runs in the `rsa`
//! dependency at the workspace's dependency opt-level 2 (under a second for 14 keys).
//! The `certlab` CLI is the one next to the certlab-echo under test (or in
//! $CERTLAB_BIN_DIR): `cargo test --workspace` builds it; alone, `cargo build -p certlab`.

mod clients;
#[path = "../common/mod.rs"]
mod common;
mod kit;

use clients::{Case, Expect};
use common::Server;
use kit::{Kit, Leaf, Shape};
use std::time::Duration;

/// The number of certificates in a PEM file.
fn certs_in(path: &std::path::Path) -> usize {
    let text = std::fs::read_to_string(path).expect("read pem");
    text.matches("-----BEGIN CERTIFICATE-----").count()
}

/// certlab-echo serving `server` of `kit`, with mutual TLS (optional) for `client_ca`.
fn serve(kit: &Kit, server: &str, client_ca: Option<&str>) -> (Server, usize) {
    let id = kit.id(server);
    let presented = kit.path(kit.manifest.presented(id));
    let key = kit.path(id.files.key.as_deref().expect("server key"));
    let mut args = vec![
        "--cert".to_string(),
        presented.display().to_string(),
        "--key".into(),
        key.display().to_string(),
        "--listen".into(),
        "127.0.0.1:0".into(),
    ];
    if let Some(ca) = client_ca {
        let ca = kit.path(ca).display().to_string();
        args.extend([
            "--client-ca".into(),
            ca,
            "--client-auth".into(),
            "optional".into(),
        ]);
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    (Server::start(&refs), certs_in(&presented))
}

/// The mTLS cases of one kit: its clients (or first and last device), one issued later, a
/// client of the server root when that is not the client CA, and `stranger`.
fn client_cases(kit: &mut Kit, shape: Shape, stranger: &Leaf) -> Vec<(Leaf, Expect)> {
    let names = kit.client_names();
    let mut picked: Vec<String> = match names.as_slice() {
        [] => return Vec::new(),
        [one] => vec![one.clone()],
        [first, .., last] => vec![first.clone(), last.clone()],
    };
    let role = if shape.preset == "iot" {
        "--device"
    } else {
        "--client"
    };
    kit.issue_under(
        &picked[0],
        shape.key,
        &[role, "later-client"],
        "later-client",
    );
    picked.push("later-client".into());
    let mut cases: Vec<(Leaf, Expect)> = picked
        .iter()
        .map(|n| {
            let leaf = Leaf::of(kit, n);
            let cn = leaf.cn.clone();
            (leaf, Expect::Client(cn))
        })
        .collect();
    let server = kit.manifest.first(certlab::Role::Server).expect("server");
    let server_root = kit.manifest.root_of(server).clone();
    let trust = kit.manifest.client_trust().expect("client trust").clone();
    if trust.name != server_root.name {
        // A client signed by the server's root: `certlab issue` into a folder of its own.
        let dir = kit.dir.with_file_name("wrong-root");
        let ca_cert = kit.path(&server_root.files.cert).display().to_string();
        let ca_key = kit.path(server_root.files.key.as_deref().expect("root key"));
        let ca_key = ca_key.display().to_string();
        let out = dir.display().to_string();
        kit::certlab(&[
            "issue",
            "--ca-cert",
            &ca_cert,
            "--ca-key",
            &ca_key,
            "--key",
            shape.key,
            "--client",
            "mallory",
            "--out",
            &out,
        ]);
        cases.push((Leaf::of(&Kit::read(dir), "mallory"), Expect::Refused));
    }
    cases.push((stranger.clone(), Expect::Refused));
    cases
}

/// One shape end to end; returns the number of connections made.
fn check_shape(shape: Shape, stranger: &Leaf) -> usize {
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut kit = Kit::make(scratch.path().join("kit"), &shape.flags());
    let server = kit
        .manifest
        .first(certlab::Role::Server)
        .expect("a server")
        .name
        .clone();
    let has_inter = kit
        .manifest
        .identities
        .iter()
        .any(|i| i.role == certlab::Role::IntermediateCa);
    assert_eq!(
        has_inter,
        shape.intermediate || shape.preset == "iot",
        "{shape}"
    );
    kit.issue_under(
        &server,
        shape.key,
        &["--server", "localhost,127.0.0.1"],
        "later-server",
    );
    let mtls = client_cases(&mut kit, shape, stranger);
    let trust = (!mtls.is_empty()).then(|| kit.manifest.client_trust().expect("trust"));
    let trust_file = trust.map(|t| t.files.cert.clone());
    let (main, presented) = serve(&kit, &server, trust_file.as_deref());
    let (later, later_presented) = serve(&kit, "later-server", None);
    let ca = kit.root_file(kit.id(&server));
    assert_eq!(ca, kit.root_file(kit.id("later-server")), "{shape}");
    assert_eq!(
        presented,
        if has_inter { 3 } else { 2 },
        "{shape}: full chain"
    );
    let case = |id: String, port, presented, client, expect| Case {
        id: format!("{shape}: {id}"),
        port,
        ca: ca.clone(),
        client,
        expect,
        presented,
    };
    let mut cases = vec![
        case(
            "one-way".into(),
            main.port(),
            presented,
            None,
            Expect::OneWay,
        ),
        case(
            "later server".into(),
            later.port(),
            later_presented,
            None,
            Expect::OneWay,
        ),
    ];
    for (leaf, expect) in mtls {
        let id = format!("client {}", leaf.cn);
        cases.push(case(id, main.port(), presented, Some(leaf), expect));
    }
    for c in &cases {
        clients::openssl(c);
        clients::probe_case(c);
        clients::curl_case(c);
    }
    clients::batch(&cases, scratch.path());
    // openssl, probe, curl, python, node tls, node https: six refusals per refused case.
    let refused = 6 * cases.iter().filter(|c| c.expect == Expect::Refused).count();
    let log = || main.log();
    if refused > 0 {
        let limit = Duration::from_secs(60);
        let seen = main.wait_count("TLS handshake failed", refused, limit);
        assert!(
            seen,
            "{shape}: fewer than {refused} refusals logged:\n{}",
            log()
        );
    }
    let logged = common::count(&main.log(), "TLS handshake failed");
    assert_eq!(logged, refused, "{shape}: refusals logged\n{}", log());
    assert!(!main.log().contains("panicked"), "{}", log());
    cases.len() * 6
}

/// Every shape of `preset`; a client of another kit (per key type) is the stranger.
fn matrix(preset: &'static str) {
    let started = std::time::Instant::now();
    let others = tempfile::tempdir().expect("tempdir");
    let mut connections = 0;
    for shape in Shape::all(preset) {
        let dir = others.path().join(shape.key);
        if !dir.exists() {
            Kit::make(dir.clone(), &["--preset", "mtls", "--key", shape.key]);
        }
        let stranger = Leaf::of(&Kit::read(dir), "alice");
        connections += check_shape(shape, &stranger);
    }
    eprintln!(
        "{preset}: 12 shapes, {connections} connections in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn dev_shapes_live() {
    matrix("dev");
}

#[test]
fn mtls_shapes_live() {
    matrix("mtls");
}

#[test]
fn iot_shapes_live() {
    matrix("iot");
}
