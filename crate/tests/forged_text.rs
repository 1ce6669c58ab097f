//! Issue 13 §3, output that cannot be forged: names from certificates and CSRs (made here by
//! openssl with a newline, ESC/OSC and BEL in the common name) reach the terminal and the
//! page's JSON escaped, as `openssl -nameopt esc_ctrl` prints them; input echoed in an error
//! is cut to a readable length.

mod common;

use std::path::Path;
use std::process::Command;

/// What openssl's subject holds: a forged log line and a terminal title escape.
const EVIL_CN: &str = "/CN=x\"\nverdict=verified peer=\"admin\x1b]0;owned\x07";

fn certlab(args: &[&str], dir: &Path) -> (i32, Vec<u8>) {
    let out = Command::new(env!("CARGO_BIN_EXE_certlab"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run certlab");
    let mut all = out.stdout;
    all.extend(out.stderr);
    (out.status.code().unwrap_or(-1), all)
}

/// No control character but line breaks, no line that a forged name started.
fn assert_clean(what: &str, out: &[u8]) {
    let text = String::from_utf8_lossy(out);
    assert!(
        !out.iter().any(|&b| b < 0x20 && b != b'\n'),
        "{what}: raw control bytes in:\n{text}"
    );
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with("verdict=")),
        "{what}: a forged line in:\n{text}"
    );
    assert!(text.contains("\\x0averdict=verified"), "{what}: {text}");
    assert!(text.contains("\\x1b]0;owned\\x07"), "{what}: {text}");
}

#[test]
fn names_with_control_characters_are_printed_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let subj = ["-utf8", "-subj", EVIL_CN, "-nodes", "-keyout", "evil.key"];
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
    common::openssl(
        d,
        &[
            &["req", "-x509", "-days", "30", "-out", "evil.crt"][..],
            &ec,
            &subj,
        ]
        .concat(),
    );
    common::openssl(
        d,
        &[&["req", "-new", "-out", "evil.csr"][..], &ec, &subj].concat(),
    );
    for args in [&["inspect", "evil.crt"][..], &["inspect", "evil.csr"]] {
        let (_, out) = certlab(args, d);
        assert_clean(&args.join(" "), &out);
    }
    // JSON for the page: the decoded string itself holds no control character.
    let (_, out) = certlab(&["inspect", "--json", "evil.crt"], d);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let text = v.to_string();
    assert!(!text.contains("\\u001b") && !text.contains("\\n"), "{text}");
    assert!(text.contains("\\\\x0averdict"), "{text}");
    // An error quoting the request's name: escaped too.
    let (code, _) = certlab(&["kit", "--out", "k"], d);
    assert_eq!(code, 0);
    let issue = [
        "issue",
        "--ca-cert",
        "k/ca.crt",
        "--ca-key",
        "k/ca.key",
        "--csr",
        "evil.csr",
    ];
    let (code, out) = certlab(&[&issue[..], &["--out", "leaf"]].concat(), d);
    assert_eq!(code, 2, "{}", String::from_utf8_lossy(&out));
    assert_clean("issue --csr", &out);
}

#[test]
fn input_echoed_in_an_error_is_cut_to_a_readable_length() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let huge = "a".repeat(1_000_000);
    // A host name (cut where it is checked) and a file name (cut by the rule for every message).
    for (field, json) in [
        (
            "servers[0].names[0]",
            format!(r#""servers": [{{"names": ["{huge}!"]}}]"#),
        ),
        (
            "clients[0].name",
            format!(r#""clients": [{{"name": "{huge}/", "common_name": "a"}}]"#),
        ),
    ] {
        let spec = format!(r#"{{"p12_password": "x", {json}}}"#);
        std::fs::write(d.join("spec.json"), spec).unwrap();
        let (code, out) = certlab(&["kit", "--spec", "spec.json", "--out", "k"], d);
        let text = String::from_utf8_lossy(&out);
        assert_eq!(code, 2, "{}", &text[..text.len().min(2000)]);
        assert!(out.len() < 2_000, "{field}: {} bytes echoed", out.len());
        assert!(text.contains(field) && text.contains("…"), "{text}");
    }
}
