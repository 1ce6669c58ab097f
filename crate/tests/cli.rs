//! The `certlab` command line: files written, exit codes (0 ok, 2 bad input naming the flag,
//! 1 other failure / lint error), refusing to overwrite a kit.

mod common;

use std::process::Command;

fn certlab(args: &[&str], dir: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_certlab"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run certlab");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn kit_issue_inspect_lint_and_exit_codes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let (code, out, err) = certlab(
        &[
            "kit",
            "--out",
            "k",
            "--preset",
            "mtls",
            "--intermediate",
            "--separate-client-ca",
            "--zip",
            "k.zip",
            "--p12-password",
            "pw",
        ],
        d,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        d.join("k.zip").exists()
            && d.join("k/client-ca.crt").exists()
            && d.join("k/inter.crt").exists()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("k/ca.key"))
            .expect("key")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "private keys must be 0600");
    }
    common::openssl(
        &d.join("k"),
        &[
            "verify",
            "-purpose",
            "sslclient",
            "-CAfile",
            "client-ca.crt",
            "alice.crt",
        ],
    );

    // Refuses to overwrite a kit (its root may already be trusted somewhere).
    let (code, _, err) = certlab(&["kit", "--out", "k"], d);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--out") && err.contains("--force"), "{err}");

    // Bad input: exit 2 and the flag is named.
    let (code, _, err) = certlab(
        &["kit", "--out", "bad", "--server", "localhost,bad_name.lab"],
        d,
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--server: ") && err.contains("bad_name.lab"),
        "{err}"
    );
    assert!(
        !d.join("bad").exists(),
        "nothing is written for a refused spec"
    );
    let (code, _, err) = certlab(&["kit", "--out", "bad", "--key", "rsa1024"], d);
    assert_eq!(code, 2);
    assert!(err.contains("--key"), "{err}");
    let (code, _, err) = certlab(
        &[
            "issue",
            "--ca-cert",
            "k/ca.crt",
            "--ca-key",
            "k/alice.key",
            "--client",
            "carol",
            "--out",
            "x",
        ],
        d,
    );
    assert_eq!(code, 2);
    assert!(err.contains("--ca-key"), "{err}");
    let (code, _, err) = certlab(
        &[
            "issue",
            "--ca-cert",
            "k/missing.crt",
            "--ca-key",
            "k/ca.key",
            "--client",
            "carol",
            "--out",
            "x",
        ],
        d,
    );
    assert_eq!(code, 2);
    assert!(err.contains("--ca-cert"), "{err}");

    // Issue more under the kit's root, and sign a CSR.
    let (code, out, err) = certlab(
        &[
            "issue",
            "--ca-cert",
            "k/ca.crt",
            "--ca-key",
            "k/ca.key",
            "--server",
            "api.localhost,127.0.0.2",
            "--out",
            "more",
        ],
        d,
    );
    assert_eq!(code, 0, "{out}{err}");
    common::openssl(
        &d.join("more"),
        &[
            "verify",
            "-purpose",
            "sslserver",
            "-CAfile",
            "ca.crt",
            "api.localhost.crt",
        ],
    );
    common::openssl(
        d,
        &[
            "req",
            "-new",
            "-nodes",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-keyout",
            "dev.key",
            "-subj",
            "/CN=meter-7",
            "-out",
            "dev.csr",
        ],
    );
    let (code, out, err) = certlab(
        &[
            "issue",
            "--ca-cert",
            "k/inter.crt",
            "--ca-key",
            "k/inter.key",
            "--csr",
            "dev.csr",
            "--profile",
            "device",
            "--out",
            "csr-out",
        ],
        d,
    );
    assert_eq!(code, 0, "{out}{err}");
    std::fs::copy(d.join("k/ca.crt"), d.join("csr-out/root.crt")).expect("copy");
    common::openssl(
        &d.join("csr-out"),
        &[
            "verify",
            "-purpose",
            "sslclient",
            "-CAfile",
            "root.crt",
            "-untrusted",
            "ca.crt",
            "meter-7.crt",
        ],
    );

    // Inspect: human and JSON; lint exit codes.
    let (code, out, _) = certlab(&["inspect", "k/alice.p12", "--password", "pw"], d);
    assert_eq!(code, 0);
    assert!(
        out.contains("CN=alice") && out.contains("clientAuth"),
        "{out}"
    );
    let (code, out, _) = certlab(&["inspect", "--json", "k/server.crt"], d);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v[0]["inspection"]["items"][0]["type"], "certificate");
    let (code, _, _) = certlab(&["lint", "k/server.fullchain.pem"], d);
    assert_eq!(code, 0);
    common::openssl(
        d,
        &[
            "req",
            "-x509",
            "-new",
            "-nodes",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-keyout",
            "b.key",
            "-out",
            "bad.crt",
            "-days",
            "3650",
            "-subj",
            "/CN=localhost",
        ],
    );
    let (code, out, _) = certlab(&["lint", "bad.crt"], d);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("825"), "{out}");
    let (code, _, err) = certlab(&["inspect", "dev.key", "k/nothing"], d);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn spec_json_drives_the_same_engine() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let spec = r#"{"p12_password": "pw", "root": {"name": "ca", "common_name": "JSON Root", "key": "ecdsa-p384", "days": 365},
        "servers": [{"name": "web", "names": ["web.lab", "10.1.2.3"], "days": 90}],
        "devices": [{"pattern": "cam-{n:03}", "count": 3, "days": 30}],
        "name_constraints": {"permitted": ["lab", "10.0.0.0/8"]}}"#;
    std::fs::write(d.join("spec.json"), spec).expect("write");
    let (code, out, err) = certlab(&["kit", "--out", "k", "--spec", "spec.json"], d);
    assert_eq!(code, 0, "{out}{err}");
    let text = common::openssl(&d.join("k"), &["x509", "-in", "ca.crt", "-noout", "-text"]);
    assert!(
        text.contains("DNS:lab")
            && text.contains("IP:10.0.0.0/255.0.0.0")
            && text.contains("CN = JSON Root"),
        "{text}"
    );
    common::openssl(
        &d.join("k"),
        &[
            "verify",
            "-purpose",
            "sslclient",
            "-CAfile",
            "ca.crt",
            "devices/cam-003.crt",
        ],
    );
    std::fs::write(
        d.join("bad.json"),
        r#"{"servers": [{"names": ["*.com"]}], "p12_password": "x"}"#,
    )
    .expect("write");
    let (code, _, err) = certlab(&["kit", "--out", "k2", "--spec", "bad.json"], d);
    assert_eq!(code, 2);
    assert!(err.contains("servers[0].names[0]"), "{err}");
}

#[test]
fn p12_flavour_choice_from_the_flag_and_the_spec() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    for (flag, compat, modern) in [
        ("both", true, true),
        ("compatible", true, false),
        ("modern", false, true),
    ] {
        let out = format!("k-{flag}");
        let (code, o, e) = certlab(
            &["kit", "--out", &out, "--preset", "mtls", "--p12", flag],
            d,
        );
        assert_eq!(code, 0, "{o}{e}");
        let k = d.join(&out);
        assert_eq!(k.join("alice.p12").exists(), compat, "--p12 {flag}");
        assert_eq!(k.join("alice.modern.p12").exists(), modern, "--p12 {flag}");
        let manifest = std::fs::read_to_string(k.join("manifest.json")).expect("manifest");
        assert_eq!(manifest.contains("alice.modern.p12"), modern, "{manifest}");
        // Whatever was written opens with openssl and names its algorithms.
        let p12 = if compat {
            "alice.p12"
        } else {
            "alice.modern.p12"
        };
        let info = common::openssl(
            &k,
            &[
                "pkcs12",
                "-in",
                p12,
                "-info",
                "-noout",
                "-passin",
                "pass:changeit",
            ],
        );
        let expect = if compat { "TripleDES" } else { "AES-256-CBC" };
        assert!(info.contains(expect), "--p12 {flag}: {info}");
        let readme = std::fs::read_to_string(k.join("README.txt")).expect("readme");
        assert_eq!(readme.contains("only modern .p12"), !compat, "{readme}");
    }
    // The same choice in a spec file; an unknown flavour is bad input.
    let kit_from_spec = |out: &str, flavours: &str| {
        let spec = format!(
            r#"{{"p12_password": "pw", "p12_flavours": "{flavours}", "clients": [{{"name": "carol"}}]}}"#
        );
        let file = format!("{out}.json");
        std::fs::write(d.join(&file), spec).expect("write");
        certlab(&["kit", "--out", out, "--spec", &file], d)
    };
    let (code, o, e) = kit_from_spec("s", "compatible");
    assert_eq!(code, 0, "{o}{e}");
    assert!(d.join("s/carol.p12").exists() && !d.join("s/carol.modern.p12").exists());
    let (code, _, err) = kit_from_spec("b", "rc2");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("p12_flavours") || err.contains("rc2"), "{err}");
}

/// ParaQ's roles (issue 12 §3): servers that are TLS clients too, clients that are TLS
/// servers too for the names they are reached at — from `kit` and from `issue`, read back by
/// openssl, and `openssl verify` accepts each for both purposes.
#[test]
fn dual_purpose_identities_from_kit_and_issue() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let ok = |args: &[&str]| {
        let (code, out, err) = certlab(args, d);
        assert_eq!(code, 0, "certlab {}: {out}{err}", args.join(" "));
    };
    ok(&[
        "kit",
        "--out",
        "k",
        "--preset",
        "mtls",
        "--name-constraints",
        "none",
        "--servers-also-client",
        "--clients-also-server",
        "localhost,127.0.0.1",
    ]);
    let ca = ["issue", "--ca-cert", "k/ca.crt", "--ca-key", "k/ca.key"];
    ok(&[
        &ca[..],
        &[
            "--server",
            "relay.lab,127.0.0.2",
            "--also-client",
            "--out",
            "k",
        ],
    ]
    .concat());
    ok(&[
        &ca[..],
        &[
            "--client",
            "carol",
            "--also-server",
            "carol.lab",
            "--out",
            "k",
        ],
    ]
    .concat());
    for (cert, sans) in [
        ("server", "DNS:localhost"),
        ("alice", "DNS:localhost"),
        ("bob", "IP Address:127.0.0.1"),
        ("relay.lab", "DNS:relay.lab"),
        ("carol", "DNS:carol.lab"),
    ] {
        let file = format!("k/{cert}.crt");
        let ext = common::openssl(
            d,
            &[
                "x509",
                "-in",
                &file,
                "-noout",
                "-ext",
                "extendedKeyUsage,subjectAltName",
            ],
        );
        assert!(
            ext.contains("TLS Web Server Authentication")
                && ext.contains("TLS Web Client Authentication")
                && ext.contains(sans),
            "{cert}: {ext}"
        );
        for purpose in ["sslserver", "sslclient"] {
            common::openssl(
                d,
                &["verify", "-purpose", purpose, "-CAfile", "k/ca.crt", &file],
            );
        }
    }
    // A client that also serves needs its names.
    let (code, out, err) = certlab(
        &[
            &ca[..],
            &["--client", "dan", "--also-server", " ", "--out", "k"],
        ]
        .concat(),
        d,
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("--also-server") && err.contains("names it is reached at"),
        "{err}"
    );
}

/// `certlab guide`: README.txt's import guide with the kit's folder in the paths; one
/// platform's shell lines or file alone; misuse is a field error (exit 2).
#[test]
fn guide_prints_the_readme_guide_its_commands_and_its_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let kit = [
        "kit",
        "--out",
        "k",
        "--preset",
        "mtls",
        "--separate-client-ca",
    ];
    let (code, out, err) = certlab(&kit, d);
    assert_eq!(code, 0, "{out}{err}");
    let readme = std::fs::read_to_string(d.join("k/README.txt")).expect("readme");

    let (code, inside, err) = certlab(&["guide", "."], &d.join("k"));
    assert_eq!(code, 0, "{err}");
    assert!(
        readme.contains(&inside),
        "README.txt lacks what `certlab guide .` prints:\n{inside}"
    );

    let (code, out, err) = certlab(
        &[
            "guide",
            "k",
            "--platform",
            "linux",
            "--commands",
            "--p12-password",
            "it's",
        ],
        d,
    );
    assert_eq!(code, 0, "{err}");
    let pick = r#"db="$HOME/.pki/nssdb"; [ -d "$db" ] || db="$HOME/.local/share/pki/nssdb""#;
    assert_eq!(out.lines().filter(|l| *l == pick).count(), 2, "{out}");
    assert!(
        out.contains("-i k/ca.crt\n") && out.contains("-i k/client-ca.crt\n"),
        "both roots: {out}"
    );
    assert!(
        out.contains(r#"pk12util -d sql:"$db" -i k/alice.p12 -W 'it'\''s'"#),
        "{out}"
    );

    let (code, out, err) = certlab(
        &[
            "guide",
            "k",
            "--platform",
            "firefox",
            "--file",
            "policies.json",
        ],
        d,
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("policies.json");
    assert_eq!(
        v["policies"]["Certificates"]["Install"],
        serde_json::json!(["ca.crt", "client-ca.crt"])
    );

    let (code, out, err) = certlab(
        &["guide", "k", "--platform", "ios", "--platform", "macos"],
        d,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("iPhone / iPad") && out.contains("macOS") && !out.contains("Android\n"),
        "{out}"
    );

    for (args, says) in [
        (&["guide", "k", "--commands"][..], "--commands"),
        (
            &[
                "guide",
                "k",
                "--platform",
                "linux",
                "--file",
                "policies.json",
            ][..],
            "no file named",
        ),
        (&["guide", "nowhere"][..], "cannot read"),
    ] {
        let (code, out, err) = certlab(args, d);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let (code, _, err) = certlab(&["guide", "k", "--platform", "beos"], d);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("windows, macos, linux"), "{err}");
}
