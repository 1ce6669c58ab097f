//! The kit's Qt snippet, compiled and run: one small C++ program (`tests/qt/client.cpp`)
//! includes the snippet verbatim four times — a one-way kit, a mutual-TLS kit with ECDSA keys
//! and an intermediate (`QSsl::Ec`), the same with its keys encrypted (the passphrase from the
//! environment variable the snippet names), one with RSA keys (`QSsl::Rsa`) — built once with g++
//! against Debian's Qt 5 (`qtbase5-dev`, QtNetwork), then run against certlab-echo serving
//! each kit (its own `certlab-echo` snippet): the handshake and the greeting (`/info`) must
//! show the server verified against the kit's root and, two-way, the client the server saw.

mod common;

use certlab::{KeyAlgorithm, Preset};
use common::peers::{
    KEY_PASSWORD, Served, encrypted, endpoint, need, run_bounded, snippet, wait_port,
};
use common::{KitDir, free_port, write_kit};
use std::process::Command;
use std::time::{Duration, Instant};

struct Case {
    name: &'static str,
    kit: KitDir,
    at: certlab::Endpoint,
    expect: &'static [&'static str],
}

fn case(
    name: &'static str,
    preset: Preset,
    alg: KeyAlgorithm,
    expect: &'static [&'static str],
) -> Case {
    let mut spec = preset.spec(alg);
    if name.ends_with("encrypted") {
        spec = encrypted(spec);
    }
    if preset == Preset::Mtls && alg != KeyAlgorithm::Rsa2048 {
        spec.intermediate = Some(certlab::CaSpec::intermediate(alg));
    }
    let kit = write_kit(certlab::generate(&spec).expect("generate kit"));
    Case {
        name,
        kit,
        at: endpoint(free_port(), 0, 0),
        expect,
    }
}

/// Compiles tests/qt/client.cpp with each case's snippet as `<name>.inc`; returns the binary.
fn compile(dir: &std::path::Path, cases: &[Case]) -> std::path::PathBuf {
    need("g++", "ensure_qt");
    need("pkg-config", "ensure_qt");
    let flags = Command::new("pkg-config")
        .args(["--cflags", "--libs", "Qt5Network"])
        .output()
        .expect("pkg-config");
    assert!(
        flags.status.success(),
        "Qt 5's QtNetwork is not installed: run ./scripts/test, or \
         `source scripts/setup.sh && ensure_qt` (qtbase5-dev)"
    );
    for c in cases {
        let qt = snippet(&c.kit.kit.manifest, &c.at, "qt");
        std::fs::write(dir.join(format!("{}.inc", c.name)), &qt.text).expect("write inc");
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/qt/client.cpp");
    let bin = dir.join("qt_client");
    let flags = String::from_utf8_lossy(&flags.stdout).into_owned();
    let start = Instant::now();
    let built = run_bounded(
        Command::new("g++")
            .args(["-std=c++17", "-fPIC", "-O0", "-I"])
            .arg(dir)
            .arg(&src)
            .arg("-o")
            .arg(&bin)
            .args(flags.split_whitespace()),
        Duration::from_secs(600),
    );
    assert!(built.ok, "g++ failed:\n{}", built.out);
    eprintln!("the Qt program compiled in {:.1?}", start.elapsed());
    bin
}

#[test]
fn qt_snippet_connects_one_way_and_two_way() {
    let cases = [
        case(
            "one_way",
            Preset::Dev,
            KeyAlgorithm::EcdsaP256,
            &["\"verdict\": \"no client certificate\""],
        ),
        case(
            "two_way_ec",
            Preset::Mtls,
            KeyAlgorithm::EcdsaP256,
            &[
                "\"common_name\": \"alice\"",
                "\"verdict\": \"verified\"",
                "ECDSA P-256",
            ],
        ),
        case(
            "two_way_ec_encrypted",
            Preset::Mtls,
            KeyAlgorithm::EcdsaP256,
            &["\"common_name\": \"alice\"", "\"verdict\": \"verified\""],
        ),
        case(
            "two_way_rsa",
            Preset::Mtls,
            KeyAlgorithm::Rsa2048,
            &[
                "\"common_name\": \"alice\"",
                "\"verdict\": \"verified\"",
                "RSA",
            ],
        ),
    ];
    let build = tempfile::tempdir().expect("build dir");
    let bin = compile(build.path(), &cases);
    for c in &cases {
        let qt = snippet(&c.kit.kit.manifest, &c.at, "qt").text;
        let ec = c.name.starts_with("two_way_ec");
        assert_eq!(qt.contains("QSsl::Ec"), ec, "{qt}");
        assert_eq!(qt.contains("QSsl::Rsa"), c.name == "two_way_rsa", "{qt}");
        assert_eq!(
            qt.contains(certlab::KEY_PASSWORD_VAR),
            c.name.ends_with("encrypted"),
            "{qt}"
        );
        let serve = snippet(&c.kit.kit.manifest, &c.at, "certlab-echo");
        let _server = Served::start(c.kit.dir.path(), &serve);
        wait_port(c.at.port, "certlab-echo (its snippet)");
        let ran = run_bounded(
            Command::new(&bin)
                .arg(c.name)
                .current_dir(c.kit.dir.path())
                .env(certlab::KEY_PASSWORD_VAR, KEY_PASSWORD),
            Duration::from_secs(120),
        );
        assert!(
            ran.ok,
            "{}: the Qt program failed:\n{qt}\n---\n{}",
            c.name, ran.out
        );
        for e in c.expect {
            assert!(ran.out.contains(e), "{}: no {e:?} in\n{}", c.name, ran.out);
        }
    }
}
