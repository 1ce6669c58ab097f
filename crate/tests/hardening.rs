//! Hostile and misleading inputs through the `certlab` command line (issue: hardening):
//! bounded reads, refusals that name the real cause, and fixes that exist. Every fixture is
//! made here, most of them by openssl.

mod common;

use common::certlab;

use std::path::Path;

/// Exit 2 (bad input), and the message holds every one of `says`.
fn refused(args: &[&str], dir: &Path, says: &[&str]) {
    let (code, text) = certlab(args, dir);
    assert_eq!(code, 2, "certlab {}: {text}", args.join(" "));
    for s in says {
        assert!(
            text.contains(s),
            "certlab {}: expected {s:?} in:\n{text}",
            args.join(" ")
        );
    }
}

#[test]
fn inputs_larger_than_any_real_file_are_refused_unread() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    // /dev/zero never ends: without a bound the CLI read until memory ran out.
    refused(
        &["inspect", "/dev/zero"],
        d,
        &["larger than 16 MiB", "/dev/zero"],
    );
    let big = d.join("big.pem");
    let f = std::fs::File::create(&big).expect("create");
    f.set_len(certlab::MAX_INPUT_BYTES + 1)
        .expect("sparse file");
    refused(&["lint", "big.pem"], d, &["larger than 16 MiB"]);
    refused(
        &["kit", "--out", "k", "--spec", "big.pem"],
        d,
        &["--spec", "larger than 16 MiB"],
    );
}

#[test]
fn spec_files_say_what_is_wrong_and_where() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    // A top-level array used to be read as a struct of defaults.
    std::fs::write(d.join("array.json"), "[]").expect("write");
    refused(
        &["kit", "--out", "a", "--spec", "array.json"],
        d,
        &["--spec", "not a JSON object"],
    );
    assert!(
        !d.join("a").exists(),
        "nothing is written for a refused spec"
    );
    // Editors on Windows write a byte-order mark: it is not an error.
    let spec = "\u{feff}{\"p12_password\": \"pw\", \"clients\": [{\"name\": \"carol\"}]}";
    std::fs::write(d.join("bom.json"), spec).expect("write");
    let (code, text) = certlab(&["kit", "--out", "b", "--spec", "bom.json"], d);
    assert_eq!(code, 0, "{text}");
    assert!(d.join("b/carol.p12").exists());
    // A mistake is placed by line and column.
    std::fs::write(
        d.join("bad.json"),
        "{\n  \"p12_password\": \"pw\",\n  \"clients\": [}\n",
    )
    .expect("write");
    refused(&["kit", "--out", "c", "--spec", "bad.json"], d, &["line 3"]);
}

#[test]
fn out_must_be_a_folder() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    std::fs::write(d.join("taken"), "a file").expect("write");
    refused(
        &["kit", "--out", "taken", "--p12-password", "pw"],
        d,
        &["--out", "is a file, not a folder"],
    );
    assert_eq!(
        std::fs::read_to_string(d.join("taken")).expect("read"),
        "a file"
    );
}

#[test]
fn leaves_under_an_imported_ca_follow_the_kit_rules() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let (code, text) = certlab(&["kit", "--out", "k", "--name-constraints", "none"], d);
    assert_eq!(code, 0, "{text}");
    let ca = ["issue", "--ca-cert", "k/ca.crt", "--ca-key", "k/ca.key"];
    // A server named by an address only: its CN is that address, as `kit` does.
    let (code, text) = certlab(
        &[&ca[..], &["--server", "127.0.0.1", "--out", "ip"]].concat(),
        d,
    );
    assert_eq!(code, 0, "{text}");
    let subject = common::openssl(
        d,
        &["x509", "-in", "ip/127.0.0.1.crt", "-noout", "-subject"],
    );
    assert!(
        subject.contains("CN=127.0.0.1") || subject.contains("CN = 127.0.0.1"),
        "{subject}"
    );
    // A file name starting with `-` is refused here as in `kit`.
    refused(
        &[&ca[..], &["--client", "eve", "--name=-rf", "--out", "dash"]].concat(),
        d,
        &["--name", "cannot be used as a file name"],
    );
}

#[test]
fn requests_with_keys_certlab_does_not_certify_say_so() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let (code, text) = certlab(&["kit", "--out", "k"], d);
    assert_eq!(code, 0, "{text}");
    for (name, newkey, says) in [
        (
            "p521",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"][..],
            "P-521",
        ),
        (
            "k1",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp256k1"][..],
            "secp256k1",
        ),
        ("ed448", &["-newkey", "ed448"][..], "Ed448"),
    ] {
        let csr = format!("{name}.csr");
        let key = format!("{name}.key");
        let base = [
            "req", "-new", "-nodes", "-subj", "/CN=dev", "-keyout", &key, "-out", &csr,
        ];
        common::openssl(d, &[&base[..], newkey].concat());
        let args = [
            "issue",
            "--ca-cert",
            "k/ca.crt",
            "--ca-key",
            "k/ca.key",
            "--csr",
            &csr,
            "--out",
            name,
        ];
        let (code, text) = certlab(&args, d);
        assert_eq!(code, 2, "{name}: {text}");
        assert!(
            text.contains(says) && text.contains("does not certify"),
            "{name}: {text}"
        );
        assert!(
            !text.contains("altered"),
            "{name}: not a tampered request: {text}"
        );
    }
}

#[test]
fn a_cut_p12_is_not_a_wrong_password() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let (code, text) = certlab(&["kit", "--out", "k", "--preset", "mtls"], d);
    assert_eq!(code, 0, "{text}");
    let p12 = std::fs::read(d.join("k/alice.p12")).expect("p12");
    std::fs::write(d.join("cut.p12"), &p12[..p12.len() / 2]).expect("write");
    let (code, text) = certlab(&["inspect", "cut.p12", "--password", "changeit"], d);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("truncated or damaged") && !text.contains("password is wrong"),
        "{text}"
    );
    let (code, text) = certlab(&["inspect", "k/alice.p12", "--password", "nope"], d);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("password is wrong"), "{text}");
}
