//! What `certlab kit` makes of its flags, and how it says what is wrong with them: file names
//! made from client CNs, errors named by the flag typed (not the spec field it filled), the
//! iot preset's devices changed by `--count`, and `--spec` JSON errors naming the field.

mod common;

fn certlab(args: &[&str], dir: &std::path::Path) -> (i32, String, String) {
    common::certlab_split(args, dir, &[])
}

/// The manifest.json of the kit in `dir`.
fn manifest(dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).expect("manifest.json"))
        .expect("manifest.json is JSON")
}

/// `--client "Alice Smith"`: the CN as typed, files under a name made from it; a mistake in a
/// kit made from flags is reported under the flag the user typed, not the spec field it filled.
#[test]
fn client_names_become_file_names_and_errors_name_the_flags() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let (code, _, err) = certlab(
        &[
            "-q",
            "kit",
            "--out",
            "k",
            "--preset",
            "mtls",
            "--client",
            "Alice Smith",
            "--client",
            "Bob O'Neil",
        ],
        d,
    );
    assert_eq!(code, 0, "{err}");
    for stem in ["alice-smith", "bob-o-neil"] {
        assert!(d.join(format!("k/{stem}.p12")).is_file(), "{stem}");
    }
    let m = manifest(&d.join("k"));
    let alice = m["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "alice-smith")
        .expect("alice-smith");
    assert_eq!(alice["common_name"], "Alice Smith");

    let cases: [(&[&str], &str); 5] = [
        (
            &["--client", "Ελένη"],
            "--client: no file name can be made from the CN",
        ),
        (&["--days", "0"], "--days: "),
        (&["--ca-days", "99999999"], "--ca-days: "),
        (&["--server", "localhost,bad name"], "--server: "),
        (&["--ca-name", " "], "--ca-name: "),
    ];
    for (i, (flags, said)) in cases.into_iter().enumerate() {
        let out = format!("bad{i}");
        let mut args = vec!["kit", "--out", &out, "--preset", "mtls"];
        args.extend_from_slice(flags);
        let (code, _, err) = certlab(&args, d);
        assert_eq!(code, 2, "{flags:?}: {err}");
        assert!(err.contains(said), "{flags:?}: {err}");
        assert!(!d.join(&out).exists(), "{flags:?} wrote {out}");
    }
}

/// A spec whose JSON is well formed but holds a wrong value or an unknown field: the error
/// names the field (`servers[0].days`), with the line and column, and nothing is written.
#[test]
fn spec_json_errors_name_the_field() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    for (json, said) in [
        (
            r#"{"servers":[{"names":["localhost"],"days":"365"}]}"#,
            "(field `servers[0].days`): invalid type: string \"365\", expected u32",
        ),
        (
            r#"{"servers":[{"namez":["localhost"]}]}"#,
            "(field `servers[0].namez`): unknown field `namez`",
        ),
        (r#"{"servers":[]} x"#, "column 16: trailing characters"),
    ] {
        std::fs::write(d.join("s.json"), json).unwrap();
        let (code, _, err) = certlab(&["kit", "--spec", "s.json", "--out", "k"], d);
        assert_eq!(code, 2, "{json}: {err}");
        assert!(
            err.contains("--spec: the spec JSON is not valid at line 1"),
            "{err}"
        );
        assert!(err.contains(said), "{json}: {err}");
        assert!(!d.join("k").exists());
    }
}

/// `--count` and `--device-server-auth` change the iot preset's devices (they were silently
/// ignored without --devices), and are refused for a kit without devices.
#[test]
fn count_and_device_server_auth_apply_to_the_preset_devices() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let (code, _, err) = certlab(
        &[
            "-q",
            "kit",
            "--out",
            "k",
            "--preset",
            "iot",
            "--count",
            "3",
            "--device-server-auth",
        ],
        d,
    );
    assert_eq!(code, 0, "{err}");
    let m = manifest(&d.join("k"));
    let devices: Vec<&serde_json::Value> = m["identities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["role"] == "device")
        .collect();
    assert_eq!(devices.len(), 3, "{m:#}");
    let text = common::openssl(
        &d.join("k"),
        &[
            "x509",
            "-in",
            "devices/sensor-0001.crt",
            "-noout",
            "-ext",
            "extendedKeyUsage",
        ],
    );
    assert!(text.contains("TLS Web Server Authentication"), "{text}");
    let (code, _, err) = certlab(&["kit", "--out", "n", "--preset", "dev", "--count", "3"], d);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--count: this kit has no devices"), "{err}");
    assert!(!d.join("n").exists());
}
