//! Which file plays which part (issue 12 §5), for the hardest kit shape: an intermediate
//! signs the servers and a separate client CA the clients. Every `openssl` command README.txt
//! prints to check the kit runs in the kit's folder and succeeds, and each names the root
//! that really anchors its identity.

mod common;

use std::process::Command;

#[test]
fn every_check_command_readme_prints_runs_for_an_intermediate_and_a_client_ca() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let out = Command::new(env!("CARGO_BIN_EXE_certlab"))
        .args([
            "kit",
            "--out",
            "k",
            "--preset",
            "mtls",
            "--intermediate",
            "--separate-client-ca",
        ])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kit = d.join("k");
    let readme = std::fs::read_to_string(kit.join("README.txt")).unwrap();
    let check = readme
        .split("CHECK IT WITH OPENSSL")
        .nth(1)
        .expect("the check section");
    let check = check.split("\n\n").next().unwrap_or_default();
    let commands: Vec<&str> = check
        .lines()
        .filter(|l| l.starts_with("openssl "))
        .collect();
    assert!(commands.len() >= 4, "{check}");
    for c in &commands {
        let c = c.replace("YOUR_P12_PASSWORD", "changeit");
        let out = Command::new("sh")
            .args(["-c", &c])
            .current_dir(&kit)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{c}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let alice = commands
        .iter()
        .find(|c| c.ends_with(" alice.crt") && c.contains("verify"))
        .unwrap();
    assert!(alice.contains("-CAfile client-ca.crt"), "{alice}");
    let server = commands
        .iter()
        .find(|c| c.ends_with(" server.crt"))
        .unwrap();
    assert!(
        server.contains("-CAfile ca.crt -untrusted server.chain.pem"),
        "{server}"
    );
    // The echo section: the server presents its full chain and trusts the client CA.
    assert!(
        readme.contains("--cert server.fullchain.pem --key server.key")
            && readme.contains("--client-ca client-ca.crt"),
        "{readme}"
    );
}
