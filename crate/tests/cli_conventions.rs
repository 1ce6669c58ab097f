//! The CLI's conventions, checked with the real programs that consume them: completion
//! scripts loaded by bash, zsh and fish; the man page rendered by groff and man-db;
//! `--quiet`; `kit --json` read back with serde_json; `NO_COLOR` and a terminal made by
//! util-linux `script` (a pseudo-terminal), where the progress bar must appear, and nowhere
//! else. Tools come from `scripts/setup.sh` `ensure_cli_tools` (man-db, groff, zsh, fish,
//! util-linux's script).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{certlab, certlab_split};
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_certlab");

/// Runs `prog` (a tool the test relies on); a missing tool fails naming its installer.
fn tool(prog: &str, args: &[&str], dir: &Path, env: &[(&str, &str)]) -> (bool, String, String) {
    let out = Command::new(prog)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {prog}: {e}; scripts/setup.sh ensure_cli_tools installs it")
        });
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs a shell command line under a pseudo-terminal (`script -qec`, exit code of the
/// command); returns what the terminal showed (stdout and stderr together).
fn in_pty(cmdline: &str, dir: &Path, env: &[(&str, &str)]) -> String {
    let (ok, out, err) = tool("script", &["-qec", cmdline, "/dev/null"], dir, env);
    assert!(ok, "`{cmdline}` under script failed:\n{out}{err}");
    out
}

/// Single-quotes a path for the shell lines of `script` and `bash -c`.
fn sh(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

const SUBCOMMANDS: [&str; 7] = [
    "kit",
    "issue",
    "inspect",
    "guide",
    "lint",
    "completions",
    "man",
];

#[test]
fn bash_loads_the_completion_script_and_completes_subcommands_and_flags() {
    let dir = tempfile::tempdir().unwrap();
    let (code, script, err) = certlab_split(&["completions", "bash"], dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(dir.path().join("certlab.bash"), &script).unwrap();
    let line = "source ./certlab.bash && complete -p certlab && \
        COMP_WORDS=(certlab ''); COMP_CWORD=1; _certlab certlab '' certlab; echo \"subs: ${COMPREPLY[*]}\"; \
        COMP_WORDS=(certlab kit --pre); COMP_CWORD=2; _certlab certlab --pre kit; echo \"flags: ${COMPREPLY[*]}\"";
    let (ok, out, err) = tool("bash", &["-c", line], dir.path(), &[]);
    assert!(ok, "bash could not load the completions:\n{out}{err}");
    assert!(out.contains("-F _certlab certlab"), "{out}");
    let subs = out.lines().find(|l| l.starts_with("subs:")).unwrap();
    for sub in SUBCOMMANDS {
        assert!(
            subs.split(' ').any(|w| w == sub),
            "{sub} not completed: {subs}"
        );
    }
    assert!(out.contains("flags: --preset"), "{out}");
}

#[test]
fn zsh_and_fish_load_their_completion_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let zdir = dir.path().join("zfunc");
    std::fs::create_dir(&zdir).unwrap();
    let (code, zsh, _) = certlab_split(&["completions", "zsh"], dir.path(), &[]);
    assert_eq!(code, 0);
    assert!(zsh.starts_with("#compdef certlab"), "{zsh}");
    std::fs::write(zdir.join("_certlab"), &zsh).unwrap();
    // compinit finds the function on fpath and registers it for `certlab`.
    let line = "fpath=(./zfunc $fpath); autoload -Uz compinit; compinit -D; print -r -- ${_comps[certlab]}";
    let (ok, out, err) = tool("zsh", &["-fc", line], dir.path(), &[]);
    assert!(ok && out.trim() == "_certlab", "zsh: {out}{err}");

    let (code, fish, _) = certlab_split(&["completions", "fish"], dir.path(), &[]);
    assert_eq!(code, 0);
    std::fs::write(dir.path().join("certlab.fish"), &fish).unwrap();
    let (ok, out, err) = tool(
        "fish",
        &["-c", "source certlab.fish; complete -C 'certlab '"],
        dir.path(),
        &[],
    );
    assert!(ok, "fish: {out}{err}");
    for sub in SUBCOMMANDS {
        assert!(
            out.lines().any(|l| l.split('\t').next() == Some(sub)),
            "fish does not complete {sub}:\n{out}"
        );
    }
}

/// groff's warnings (-ww) about the page, on stderr; empty when it is clean.
fn groff_warnings(page: &Path) -> String {
    let page = page.to_str().unwrap();
    let (ok, _, err) = tool(
        "groff",
        &["-k", "-man", "-Tutf8", "-ww", "-z", page],
        Path::new("."),
        &[],
    );
    assert!(ok, "groff failed on {page}: {err}");
    err
}

#[test]
fn the_man_page_renders_without_warnings_and_lists_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let (code, page, err) = certlab_split(&["man"], dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let file = dir.path().join("certlab.1");
    std::fs::write(&file, &page).unwrap();
    assert_eq!(groff_warnings(&file), "", "groff warns about certlab.1");
    let (ok, text, err) = tool(
        "man",
        &["-l", "certlab.1"],
        dir.path(),
        &[("MANPAGER", "cat"), ("MANWIDTH", "100")],
    );
    assert!(ok && err.is_empty(), "man -l: {err}");
    assert!(text.contains("certlab - A private CA for labs"), "{text}");
    for sub in SUBCOMMANDS {
        assert!(
            text.contains(&format!("certlab-{sub}(1)")),
            "{sub}:\n{text}"
        );
    }

    // --out-dir: one page per command, each clean, with its own flags.
    let (code, all) = certlab(&["man", "--out-dir", "."], dir.path());
    assert_eq!(code, 0, "{all}");
    for sub in SUBCOMMANDS {
        let file = dir.path().join(format!("certlab-{sub}.1"));
        assert_eq!(groff_warnings(&file), "", "groff warns about {sub}");
    }
    let (_, kit, _) = tool(
        "man",
        &["-l", "certlab-kit.1"],
        dir.path(),
        &[("MANPAGER", "cat")],
    );
    assert!(
        kit.contains("--per-device-secrets") && kit.contains("--json"),
        "{kit}"
    );
    let (code, text) = certlab(&["man", "--out-dir", "missing"], dir.path());
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("--out-dir") && text.contains("not a folder"),
        "{text}"
    );
}

#[test]
fn quiet_prints_nothing_on_success_and_still_reports_errors() {
    let dir = tempfile::tempdir().unwrap();
    // The iot preset has lint warnings (mbedTLS, name constraints) and a summary: all silenced.
    let runs: [&[&str]; 3] = [
        &["-q", "kit", "--out", "a", "--preset", "iot"],
        &["kit", "--out", "b", "--preset", "iot", "--quiet"],
        &[
            "--quiet",
            "issue",
            "--ca-cert",
            "a/ca.crt",
            "--ca-key",
            "a/ca.key",
            "--client",
            "carol",
            "--out",
            "a",
        ],
    ];
    for args in runs {
        let (code, out, err) = certlab_split(args, dir.path(), &[]);
        assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""), "{args:?}");
    }
    assert!(dir.path().join("a/carol.p12").exists());
    let (code, loud, _) = certlab_split(&["kit", "--out", "c", "--preset", "iot"], dir.path(), &[]);
    assert!(
        code == 0 && loud.contains("wrote"),
        "the summary is there without -q"
    );

    let (code, out, err) = certlab_split(
        &["-q", "kit", "--out", "d", "--key", "rsa1"],
        dir.path(),
        &[],
    );
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("--key") && err.contains("ecdsa-p256"), "{err}");
}

#[test]
fn kit_json_prints_exactly_the_manifest_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = certlab_split(
        &[
            "kit",
            "--out",
            "k",
            "--preset",
            "iot",
            "--devices",
            "d-{n}",
            "--count",
            "3",
            "--json",
        ],
        dir.path(),
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let printed: serde_json::Value = serde_json::from_str(&out).expect("stdout is one JSON value");
    let written = std::fs::read(dir.path().join("k/manifest.json")).unwrap();
    let written: serde_json::Value = serde_json::from_slice(&written).unwrap();
    assert_eq!(printed, written);
    assert_eq!(printed["identities"].as_array().unwrap().len(), 6, "{out}");
    // The lint warnings went to stderr, not into the JSON.
    assert!(err.contains("warning"), "{err}");
}

#[test]
fn no_escape_codes_when_not_a_terminal_or_with_no_color() {
    let dir = tempfile::tempdir().unwrap();
    for (n, env) in [(0, &[][..]), (1, &[("NO_COLOR", "1")][..])] {
        let out = format!("k{n}");
        let ca = format!("{out}/ca.crt");
        // A batch large enough for a bar on a terminal, with lint warnings.
        let kit = [
            "kit",
            "--out",
            &out,
            "--preset",
            "iot",
            "--devices",
            "d-{n:04}",
            "--count",
            "120",
        ];
        let runs: [&[&str]; 4] = [&kit, &["--help"], &["kit", "--bogus"], &["lint", &ca]];
        for args in runs {
            let (code, stdout, stderr) = certlab_split(args, dir.path(), env);
            assert!(code >= 0, "{args:?}");
            assert!(
                !stdout.contains('\x1b') && !stderr.contains('\x1b'),
                "escape codes from {args:?} {env:?}:\n{stdout}{stderr}"
            );
            if args[0] == "kit" && code == 0 {
                assert!(stderr.contains("warning"), "{stderr}");
                assert!(
                    !stderr.contains("making the kit"),
                    "a bar off a terminal: {stderr}"
                );
            }
        }
    }
}

#[test]
fn a_terminal_gets_a_progress_bar_and_colour_unless_quiet_or_no_color() {
    let dir = tempfile::tempdir().unwrap();
    let bin = sh(Path::new(BIN));
    let big = |out: &str| {
        format!("{bin} kit --out {out} --preset iot --devices 'd-{{n:04}}' --count 120")
    };
    let shown = in_pty(&big("a"), dir.path(), &[]);
    assert!(
        shown.contains("making the kit") && shown.contains("/123"),
        "no progress bar on a terminal:\n{shown}"
    );
    assert!(
        shown.contains("\x1b[1;33mwarning"),
        "no colour on a terminal:\n{shown}"
    );
    let help = in_pty(&format!("{bin} --help"), dir.path(), &[]);
    assert!(
        help.contains("\x1b["),
        "clap's help has no colour on a terminal"
    );

    let plain = in_pty(&big("b"), dir.path(), &[("NO_COLOR", "1")]);
    assert!(
        plain.contains("making the kit"),
        "NO_COLOR keeps the bar:\n{plain}"
    );
    assert!(
        !plain.contains("\x1b[1;33m") && plain.contains("warning"),
        "{plain}"
    );
    let help = in_pty(&format!("{bin} --help"), dir.path(), &[("NO_COLOR", "1")]);
    assert!(
        !help.contains('\x1b'),
        "clap coloured its help despite NO_COLOR:\n{help}"
    );

    let quiet = in_pty(&format!("{} --quiet", big("c")), dir.path(), &[]);
    assert_eq!(quiet, "", "--quiet printed on a terminal");

    // One slow key (RSA-3072) under `issue`: a spinner names it.
    let issue = format!(
        "{bin} issue --ca-cert a/ca.crt --ca-key a/ca.key --client carol --key rsa3072 --out a"
    );
    let spun = in_pty(&issue, dir.path(), &[]);
    assert!(spun.contains("making the rsa3072 key"), "{spun}");
    // A small kit is quick: no bar.
    let small = in_pty(&format!("{bin} kit --out d"), dir.path(), &[]);
    assert!(
        !small.contains("making the kit") && small.contains("wrote"),
        "{small}"
    );
}

/// Runs certlab with stdout on `stdout`; returns the exit code and stderr.
fn certlab_to(args: &[&str], dir: &Path, stdout: std::process::Stdio) -> (i32, String) {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdout(stdout)
        .output()
        .expect("run certlab");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `certlab man | head`: the reader leaves early. Every command that prints stops quietly
/// with status 0, as `cat` would, instead of panicking or reporting a broken pipe. The
/// pipe's read end is closed before certlab starts, so its first write fails every time.
/// A full disk behind stdout (`/dev/full`) is a real error: status 1, and a message.
#[test]
fn a_closed_pipe_on_stdout_ends_quietly_and_a_full_disk_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = certlab_to(
        &["-q", "kit", "--out", "k", "--preset", "mtls"],
        dir.path(),
        std::process::Stdio::null(),
    );
    assert_eq!(code, 0, "{err}");
    let printing: [&[&str]; 9] = [
        &["man"],
        &["completions", "bash"],
        &["-q", "kit", "--out", "j{}", "--preset", "dev", "--json"],
        &["kit", "--out", "s{}", "--preset", "dev"],
        &["inspect", "k/ca.crt"],
        &["lint", "k/ca.crt"],
        &["guide", "k"],
        &["snippets", "k"],
        &["gallery", "--out", "g{}"],
    ];
    // A command that writes a folder gets a new one each time ({} → 1, 2).
    let with = |args: &[&str], n: u8| -> Vec<String> {
        args.iter()
            .map(|a| a.replace("{}", &n.to_string()))
            .collect()
    };
    for args in printing {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let argv = with(args, 1);
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let (code, err) = certlab_to(&argv, dir.path(), writer.into());
        assert_eq!((code, err.as_str()), (0, ""), "{args:?} into a closed pipe");

        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let argv = with(args, 2);
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let (code, err) = certlab_to(&argv, dir.path(), full.into());
        assert_eq!(code, 1, "{args:?} into /dev/full: {err}");
        assert!(
            err.contains("cannot write to stdout") && !err.contains("panicked"),
            "{args:?} into /dev/full: {err}"
        );
    }
}
