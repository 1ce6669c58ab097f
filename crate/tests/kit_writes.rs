//! Issue 13 §2, nothing lost: how `certlab kit` and `certlab issue` write a kit folder.
//! New kits appear whole or not at all, `--force` replaces only a kit, `issue` adds to a kit
//! without changing any earlier file, names never collide, symlinks are never followed, and
//! every key-holding file (the zip too) is 0600 from the start. Checked with openssl.

mod common;

use common::certlab;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

fn ok(args: &[&str], dir: &Path) -> String {
    let (code, text) = certlab(args, dir);
    assert_eq!(code, 0, "certlab {}: {text}", args.join(" "));
    text
}

/// Exit 2, the message holds each of `says`, and nothing under `dir` changed.
fn refused(args: &[&str], dir: &Path, says: &[&str]) {
    let before = snapshot(dir);
    let (code, text) = certlab(args, dir);
    assert_eq!(code, 2, "certlab {}: {text}", args.join(" "));
    for s in says {
        assert!(
            text.contains(s),
            "certlab {}: expected {s:?} in:\n{text}",
            args.join(" ")
        );
    }
    assert_eq!(
        snapshot(dir),
        before,
        "certlab {} changed files",
        args.join(" ")
    );
}

/// Every entry under `dir` (symlinks as their target text) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut map = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            let meta = fs::symlink_metadata(&p).unwrap();
            if meta.is_symlink() {
                map.insert(
                    rel,
                    fs::read_link(&p)
                        .unwrap()
                        .display()
                        .to_string()
                        .into_bytes(),
                );
            } else if meta.is_dir() {
                map.insert(rel, Vec::new());
                stack.push(p);
            } else {
                map.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    map
}

fn manifest_names(kit: &Path) -> Vec<(String, String)> {
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(kit.join("manifest.json")).unwrap()).unwrap();
    m["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap().into(),
                i["issuer"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn issue_adds_to_a_kit_and_never_changes_an_earlier_file() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(&["kit", "--preset", "iot", "--out", "lab"], d);
    let before = snapshot(&d.join("lab"));
    // From the kit's intermediate: the kit's root stays `ca.crt`, the intermediate is named as
    // the issuer, and no second copy of it is written.
    let from_inter = [
        "issue",
        "--ca-cert",
        "lab/inter.crt",
        "--ca-key",
        "lab/inter.key",
    ];
    ok(
        &[&from_inter[..], &["--client", "carol", "--out", "lab"]].concat(),
        d,
    );
    let after = snapshot(&d.join("lab"));
    for (path, bytes) in &before {
        if path != "manifest.json" && path != "README.txt" {
            assert_eq!(after.get(path), Some(bytes), "{path} changed");
        }
    }
    let added: Vec<_> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert!(added.iter().all(|k| k.starts_with("carol.")), "{added:?}");
    let names = manifest_names(&d.join("lab"));
    assert_eq!(names.len(), manifest_names_len(&before) + 1);
    assert!(
        names.contains(&("carol".into(), "inter".into())),
        "{names:?}"
    );
    let readme = fs::read_to_string(d.join("lab/README.txt")).unwrap();
    assert!(readme.contains("carol") && readme.contains("sensor-0001"));
    let lab = d.join("lab");
    common::openssl(
        &lab,
        &[
            "verify",
            "-CAfile",
            "ca.crt",
            "-untrusted",
            "carol.chain.pem",
            "carol.crt",
        ],
    );
    // The same name again, a name an earlier file has, and a CA foreign to the kit: refused,
    // nothing changes.
    refused(
        &[&from_inter[..], &["--client", "carol", "--out", "lab"]].concat(),
        d,
        &["--name", "carol", "already"],
    );
    refused(
        &[&from_inter[..], &["--client", "broker", "--out", "lab"]].concat(),
        d,
        &["--name", "broker"],
    );
    ok(&["kit", "--preset", "dev", "--out", "other"], d);
    let from_other = [
        "issue",
        "--ca-cert",
        "other/ca.crt",
        "--ca-key",
        "other/ca.key",
    ];
    refused(
        &[&from_other[..], &["--client", "dave", "--out", "lab"]].concat(),
        d,
        &["--out", "another CA"],
    );
}

fn manifest_names_len(snapshot: &BTreeMap<String, Vec<u8>>) -> usize {
    let m: serde_json::Value = serde_json::from_slice(&snapshot["manifest.json"]).unwrap();
    m["identities"].as_array().unwrap().len()
}

#[test]
fn file_names_that_collide_are_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(&["kit", "--preset", "dev", "--out", "lab"], d);
    let ca = ["issue", "--ca-cert", "lab/ca.crt", "--ca-key", "lab/ca.key"];
    // A client named `ca` would overwrite the CA's own ca.crt in a new folder.
    refused(
        &[&ca[..], &["--client", "ca", "--out", "new"]].concat(),
        d,
        &["--name", "ca.crt"],
    );
    assert!(!d.join("new").exists());
    // `alice.modern`'s .p12 is `alice`'s .modern.p12.
    let spec = r#"{"p12_password": "changeit",
        "clients": [{"name": "alice", "common_name": "alice"},
                    {"name": "alice.modern", "common_name": "alice modern"}]}"#;
    fs::write(d.join("spec.json"), spec).unwrap();
    refused(
        &[
            "kit",
            "--spec",
            "spec.json",
            "--out",
            "two",
            "--zip",
            "two.zip",
        ],
        d,
        &["alice.modern.p12", "clients[1].name"],
    );
    assert!(!d.join("two").exists() && !d.join("two.zip").exists());
}

#[test]
fn force_replaces_a_whole_kit_and_only_a_kit() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // A folder of other files is never a kit, with or without --force.
    fs::create_dir(d.join("home")).unwrap();
    fs::write(d.join("home/notes.txt"), "mine").unwrap();
    for force in [&[][..], &["--force"][..]] {
        refused(
            &[&["kit", "--out", "home"][..], force].concat(),
            d,
            &["--out", "no certlab kit"],
        );
    }
    // --force over a kit replaces it whole: the earlier kit's extra files go.
    ok(&["kit", "--preset", "iot", "--out", "lab"], d);
    refused(
        &["kit", "--preset", "dev", "--out", "lab"],
        d,
        &["already holds a kit", "--force"],
    );
    ok(&["kit", "--preset", "dev", "--out", "lab", "--force"], d);
    assert!(!d.join("lab/devices").exists() && !d.join("lab/inter.crt").exists());
    assert!(d.join("lab/server.crt").exists());
    // ... but not over a file the kit does not list.
    fs::write(d.join("lab/notes.txt"), "mine").unwrap();
    refused(
        &["kit", "--out", "lab", "--force"],
        d,
        &["notes.txt", "not part of the kit"],
    );
    fs::remove_file(d.join("lab/notes.txt")).unwrap();
    // No temporary folder is left beside the kit.
    let hidden: Vec<_> = fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[cfg(unix)]
#[test]
fn symlinks_in_the_kit_folder_are_never_followed() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::write(d.join("precious.txt"), "keep me").unwrap();
    ok(&["kit", "--preset", "dev", "--out", "lab"], d);
    fs::remove_file(d.join("lab/README.txt")).unwrap();
    symlink(d.join("precious.txt"), d.join("lab/README.txt")).unwrap();
    symlink(d.join("precious.txt"), d.join("lab/bob.key")).unwrap();
    let ca = ["issue", "--ca-cert", "lab/ca.crt", "--ca-key", "lab/ca.key"];
    refused(
        &[&ca[..], &["--client", "bob", "--out", "lab"]].concat(),
        d,
        &["bob.key"],
    );
    refused(
        &[&ca[..], &["--client", "eve", "--out", "lab"]].concat(),
        d,
        &["README.txt"],
    );
    refused(
        &["kit", "--out", "lab", "--force"],
        d,
        &["not part of the kit"],
    );
    assert_eq!(
        fs::read_to_string(d.join("precious.txt")).unwrap(),
        "keep me"
    );
}

#[cfg(unix)]
#[test]
fn keys_and_the_zip_are_private_and_the_zip_is_never_clobbered() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mode = |p: &str| fs::metadata(d.join(p)).unwrap().permissions().mode() & 0o777;
    ok(
        &[
            "kit", "--preset", "mtls", "--out", "lab", "--zip", "lab.zip",
        ],
        d,
    );
    for p in [
        "lab.zip",
        "lab/alice.key",
        "lab/alice.p12",
        "lab/server.key",
        "lab/ca.key",
    ] {
        assert_eq!(mode(p), 0o600, "{p}");
    }
    assert_eq!(mode("lab/ca.crt") & 0o077, 0o044);
    fs::write(d.join("thesis.pdf"), "%PDF").unwrap();
    refused(
        &["kit", "--out", "b", "--zip", "lab.zip"],
        d,
        &["--zip", "--force"],
    );
    refused(
        &["kit", "--out", "b", "--zip", "thesis.pdf", "--force"],
        d,
        &["not a zip"],
    );
    refused(
        &["kit", "--out", "b", "--zip", "b/b.zip"],
        d,
        &["inside the kit folder"],
    );
    ok(&["kit", "--out", "b", "--zip", "lab.zip", "--force"], d);
    assert_eq!(mode("lab.zip"), 0o600);
}

/// A write that fails half-way (here: the file-size limit, so `write` returns EFBIG) leaves
/// the earlier kit exactly as it was and no temporary folder behind.
#[cfg(unix)]
#[test]
fn a_failure_half_way_leaves_the_old_kit_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(&["kit", "--preset", "mtls", "--out", "lab"], d);
    let before = snapshot(d);
    // SIGXFSZ ignored, so the limit surfaces as an error; 4 blocks (2 KiB) lets the small
    // files through and stops at a larger one.
    let script = format!(
        "trap '' XFSZ; ulimit -f 4; exec '{}' kit --preset iot --count 30 --out lab --force",
        env!("CARGO_BIN_EXE_certlab")
    );
    let out = Command::new("sh")
        .args(["-c", &script])
        .current_dir(d)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("cannot write") && text.contains("large"),
        "{text}"
    );
    assert_eq!(
        snapshot(d),
        before,
        "the old kit changed or a temporary folder was left"
    );
}
