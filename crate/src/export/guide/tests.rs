use super::*;
use crate::kit::{Files, Manifest, ManifestIdentity};

fn id(name: &str, role: Role, issuer: &str, days: (&str, &str)) -> ManifestIdentity {
    let leaf = !role.is_ca();
    ManifestIdentity {
        name: name.into(),
        role,
        issuer: issuer.into(),
        common_name: if leaf {
            name.into()
        } else {
            "Lab's \"Root\" CA".into()
        },
        subject: String::new(),
        sans: if role == Role::Server {
            vec!["DNS:*.lab".into(), "DNS:broker.lab".into()]
        } else {
            vec![]
        },
        key_algorithm: "ecdsa-p256".into(),
        serial: "01".into(),
        not_before: days.0.into(),
        not_after: days.1.into(),
        sha256: "00".into(),
        key_encrypted: false,
        files: Files {
            cert: format!("{name}.crt"),
            key: Some(format!("{name}.key")),
            der: format!("{name}.der"),
            chain: None,
            fullchain: leaf.then(|| format!("{name}.fullchain.pem")),
            p12_compat: (role == Role::Client).then(|| format!("{name}.p12")),
            p12_modern: (role == Role::Client).then(|| format!("{name}.modern.p12")),
            c_header: None,
            crl: None,
        },
    }
}

const SHORT: (&str, &str) = ("2026-01-01T00:00:00Z", "2027-02-02T00:00:00Z");
const LONG: (&str, &str) = ("2026-01-01T00:00:00Z", "2029-01-01T00:00:00Z");

fn manifest(server_days: (&str, &str)) -> Manifest {
    Manifest {
        generator: "certlab test".into(),
        issued_at: SHORT.0.into(),
        identities: vec![
            id("ca", Role::RootCa, "ca", LONG),
            id("broker", Role::Server, "ca", server_days),
            id("alice", Role::Client, "ca", SHORT),
        ],
        device_secrets: None,
    }
}

#[test]
fn every_platform_in_order_with_steps() {
    let g = guide(&manifest(SHORT), &GuideOptions::default());
    let order: Vec<Platform> = g.sections.iter().map(|s| s.platform).collect();
    assert_eq!(order, Platform::ALL);
    for p in Platform::ALL {
        assert_eq!(Platform::from_id(p.id()), Some(p));
        assert!(!g.section(p).expect("section").steps.is_empty());
    }
    assert_eq!(Platform::from_id("beos"), None);
}

#[test]
fn linux_commands_pick_the_database_that_exists() {
    let g = guide(&manifest(SHORT), &GuideOptions::default());
    let c = g.commands(Platform::Linux);
    let want = r#"db="$HOME/.pki/nssdb"; [ -d "$db" ] || db="$HOME/.local/share/pki/nssdb"
certutil -d sql:"$db" -A -t C,, -n 'Lab'\''s "Root" CA' -i ca.crt
db="$HOME/.pki/nssdb"; [ -d "$db" ] || db="$HOME/.local/share/pki/nssdb"
pk12util -d sql:"$db" -i alice.p12
"#;
    assert_eq!(c, want);
    let text = g.text(&[Platform::Linux]);
    assert!(text.contains("chrome://certificate-manager"), "{text}");
    assert!(
        text.contains("~/snap/chromium/current/.pki/nssdb"),
        "{text}"
    );
    assert!(
        text.contains("pk12util asks for the PKCS#12 password"),
        "{text}"
    );
}

#[test]
fn a_folder_and_a_password_reach_the_commands_quoted() {
    let opts = GuideOptions {
        dir: Some("/home/me/my kit/".into()),
        p12_password: Some("change it".into()),
    };
    let c = guide(&manifest(SHORT), &opts).commands(Platform::Linux);
    assert!(c.contains("-i '/home/me/my kit/ca.crt'\n"), "{c}");
    assert!(
        c.contains("pk12util -d sql:\"$db\" -i '/home/me/my kit/alice.p12' -W 'change it'\n"),
        "{c}"
    );
}

#[test]
fn text_has_every_title_and_numbered_steps() {
    let g = guide(&manifest(SHORT), &GuideOptions::default());
    let t = g.text(&[]);
    for p in Platform::ALL {
        assert!(t.contains(&format!("\n{}\n", p.title())), "{t}");
    }
    assert!(t.contains("  1. "));
    assert!(
        t.contains("       certutil -user -addstore Root ca.crt\n"),
        "{t}"
    );
    let only = g.text(&[Platform::Firefox]);
    assert!(
        only.contains("Firefox (desktop)") && !only.contains("Android\n-------"),
        "{only}"
    );
}

#[test]
fn firefox_policy_is_valid_json_installing_the_root() {
    let g = guide(&manifest(SHORT), &GuideOptions::default());
    let file = g
        .section(Platform::Firefox)
        .expect("firefox")
        .steps
        .iter()
        .find_map(|s| match s {
            Step::File { name, content, .. } => Some((name.clone(), content.clone())),
            _ => None,
        });
    let (name, content) = file.expect("a policies.json step");
    assert_eq!(name, "policies.json");
    let v: serde_json::Value = serde_json::from_str(&content).expect("json");
    assert_eq!(v["policies"]["Certificates"]["Install"][0], "ca.crt");
}

#[test]
fn apple_lint_shows_on_macos_and_ios() {
    let long = guide(&manifest(LONG), &GuideOptions::default());
    for p in [Platform::MacOs, Platform::Ios] {
        let t = long.text(&[p]);
        assert!(
            t.contains("WARNING: the server certificate broker is valid for 1096 days"),
            "{t}"
        );
    }
    let short = guide(&manifest(SHORT), &GuideOptions::default());
    for p in [Platform::MacOs, Platform::Ios] {
        let t = short.text(&[p]);
        assert!(!t.contains("WARNING") && t.contains("825 days"), "{t}");
    }
    let mut m = manifest(SHORT);
    m.identities[2].files.p12_compat = None;
    let g = guide(&m, &GuideOptions::default());
    for p in [Platform::MacOs, Platform::Ios, Platform::Android] {
        assert!(g.text(&[p]).contains("only modern .p12"), "{p:?}");
    }
}

#[test]
fn guide_text_is_what_the_readme_says() {
    let m = manifest(SHORT);
    let readme = crate::export::readme::render(&m, 0);
    assert!(
        readme.contains(&guide(&m, &GuideOptions::default()).text(&[])),
        "{readme}"
    );
}

#[test]
fn shell_quoting() {
    assert_eq!(sh("ca.crt"), "ca.crt");
    assert_eq!(sh("C,,"), "C,,");
    assert_eq!(sh(""), "''");
    assert_eq!(sh("a b"), "'a b'");
    assert_eq!(sh("it's $HOME"), r"'it'\''s $HOME'");
}
