//! Per-device secrets (issue 16 §2): each device's own random .p12 password and key
//! passphrase, listed in devices.csv (mode 0600) next to manifest.json; openssl opens each
//! device's files with its own secrets and not with the kit's or another device's.

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn each_device_has_its_own_secrets_in_devices_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let out = Command::new(env!("CARGO_BIN_EXE_certlab"))
        .args([
            "kit",
            "--out",
            "k",
            "--preset",
            "iot",
            "--devices",
            "sensor-{n:04}",
            "--count",
            "3",
            "--per-device-secrets",
        ])
        .args(["--key-password", "kit pass", "--p12-password", "kitpw"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kit = d.join("k");
    let csv = std::fs::read_to_string(kit.join("devices.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("name,serial,sha256,not_after,files,p12_password,key_passphrase")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 3, "{csv}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(kit.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["device_secrets"], "devices.csv");
    for (i, row) in rows.iter().enumerate() {
        let [name, serial, sha256, _end, files, p12pw, keypw] = row[..] else {
            panic!("{row:?}");
        };
        assert!(
            p12pw.len() == 20 && keypw.len() == 20 && p12pw != keypw,
            "{row:?}"
        );
        let other = &rows[(i + 1) % rows.len()];
        assert_ne!(p12pw, other[5], "two devices share a password");
        let id = manifest["identities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == name)
            .unwrap();
        assert_eq!(
            (id["serial"].as_str(), id["sha256"].as_str()),
            (Some(serial), Some(sha256))
        );
        let p12 = format!("devices/{name}.p12");
        assert!(files.split(' ').any(|f| f == p12), "{files}");
        let open = |file: &str, pw: &str| {
            let args = [
                "pkcs12",
                "-in",
                file,
                "-noout",
                "-passin",
                &format!("pass:{pw}"),
            ];
            let modern = !file.ends_with(".modern.p12");
            run_ok(
                &kit,
                &[&args[..], if modern { &["-legacy"][..] } else { &[][..] }].concat(),
            )
        };
        assert!(open(&p12, p12pw) && open(&format!("devices/{name}.modern.p12"), p12pw));
        assert!(
            !open(&p12, "kitpw") && !open(&p12, other[5]),
            "{name}: opened with another password"
        );
        let key = format!("devices/{name}.key");
        assert!(run_ok(
            &kit,
            &[
                "pkey",
                "-in",
                &key,
                "-noout",
                "-passin",
                &format!("pass:{keypw}")
            ]
        ));
        assert!(!run_ok(
            &kit,
            &["pkey", "-in", &key, "-noout", "-passin", "pass:kit pass"]
        ));
    }
    // The broker is no device: it keeps the kit's secrets.
    assert!(run_ok(
        &kit,
        &[
            "pkcs12",
            "-in",
            "broker.p12",
            "-noout",
            "-legacy",
            "-passin",
            "pass:kitpw"
        ]
    ));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(kit.join("devices.csv"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let readme = std::fs::read_to_string(kit.join("README.txt")).unwrap();
    assert!(
        readme.contains("devices.csv lists each device's files")
            && readme.contains("it is a secret")
    );
}

fn run_ok(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
        .status
        .success()
}
