//! Shared helpers for the integration tests: writing kits to disk and running real verifiers.
#![allow(dead_code)]

use certlab::Kit;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Writes every artifact of `kit` under a fresh temporary folder.
pub fn write_kit(kit: &Kit) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    for a in &kit.artifacts {
        let p = root.join(&a.path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, &a.bytes).expect("write");
    }
    (dir, root)
}

/// Runs a program in `dir`; returns (success, stdout + stderr).
pub fn run(dir: &Path, prog: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(prog)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {prog}: {e} (is it installed? the README's test command installs it)"
            )
        });
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// Runs openssl and panics with its output when it fails.
pub fn openssl(dir: &Path, args: &[&str]) -> String {
    let (ok, text) = run(dir, "openssl", args);
    assert!(ok, "openssl {} failed:\n{text}", args.join(" "));
    text
}

/// Runs openssl and panics if it succeeds.
pub fn openssl_fails(dir: &Path, args: &[&str]) -> String {
    let (ok, text) = run(dir, "openssl", args);
    assert!(
        !ok,
        "openssl {} should have failed:\n{text}",
        args.join(" ")
    );
    text
}

/// The DER of a PEM file's first certificate.
pub fn pem_der(path: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(path).expect("read pem");
    pem::parse_many(text).expect("pem")[0].contents().to_vec()
}

/// Runs the `certlab` CLI (the binary under test) in `dir`; returns (exit code, stdout +
/// stderr).
pub fn certlab(args: &[&str], dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_certlab"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run certlab");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// Runs the `certlab` CLI in `dir` with extra environment variables; returns (exit code,
/// stdout, stderr) apart, for tests of what goes where.
pub fn certlab_split(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_certlab"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .expect("run certlab");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A kit with every role: root, intermediate, server, two clients, two devices (one batch
/// acting also as servers), optionally with a separate client CA.
pub fn full_spec(alg: certlab::KeyAlgorithm, separate_client_ca: bool) -> certlab::Spec {
    use certlab::{CaSpec, DeviceBatch, Preset};
    let mut spec = Preset::Mtls.spec(alg);
    spec.intermediate = Some(CaSpec {
        key: alg,
        ..CaSpec::named("inter", "certlab Test Intermediate", 1825)
    });
    if separate_client_ca {
        spec.client_ca = Some(CaSpec {
            key: alg,
            ..CaSpec::named("client-ca", "certlab Test Client CA", 3650)
        });
    }
    spec.servers[0].names = vec![
        "localhost".into(),
        "*.dev.lab".into(),
        "127.0.0.1".into(),
        "::1".into(),
    ];
    spec.clients[0].email = Some("alice@lab.test".into());
    spec.devices = vec![DeviceBatch {
        pattern: "sensor-{n:02}.lab".into(),
        count: 2,
        key: alg,
        server_auth: true,
        ..DeviceBatch::default()
    }];
    spec.key_password = Some("key pass".into());
    spec
}

/// An RSA key of `bits` made by openssl (`genpkey`, then `pkcs8 -topk8 -nocrypt`) in `dir`:
/// its PKCS#8 DER, as the page hands the engine a WebCrypto key.
pub fn openssl_rsa_pkcs8(dir: &Path, bits: u32) -> Vec<u8> {
    let bits = format!("rsa_keygen_bits:{bits}");
    openssl(
        dir,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            &bits,
            "-out",
            "k.pem",
        ],
    );
    openssl(
        dir,
        &[
            "pkcs8", "-topk8", "-nocrypt", "-in", "k.pem", "-outform", "DER", "-out", "k.der",
        ],
    );
    std::fs::read(dir.join("k.der")).expect("k.der")
}
