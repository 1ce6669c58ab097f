//! Each platform's steps. Sources, checked when this was written:
//! - Chromium on Linux: <https://chromium.googlesource.com/chromium/src/+/main/docs/linux/cert_management.md>
//!   (since M146 `~/.local/share/pki/nssdb`, `~/.pki/nssdb` while it exists), and the
//!   settings path of Chrome's certificate manager as in
//!   <https://github.com/wardenenv/docs/pull/41> (Local certificates → Custom → Installed by
//!   you → Trusted certificates → Import).
//! - Windows: the import wizard and its Security Warning, as in
//!   <https://github.com/coddingtonbear/obsidian-web/wiki/How-do-I-get-my-browser-trust-my-Obsidian-Local-REST-API-certificate%3F>.
//! - Firefox: policies.json and `Certificates.Install`,
//!   <https://raw.githubusercontent.com/mozilla/policy-templates/master/docs/index.md> and
//!   Firefox's own `Policies.sys.mjs` (certificates found in `distribution/certificates`);
//!   OS roots trusted since Firefox 120 (`security.enterprise_roots.enabled`).
//! - iOS: profiles are deleted when not installed within 8 minutes, then Certificate Trust
//!   Settings: <https://www.thesslstore.com/blog/trust-manually-installed-root-certificates-in-ios/>.
//! - Apple's 825-day limit and the rest: shared/reference/platform-rules.md (Apple HT210176).

use super::{Names, Step, sh};
use crate::export::guide::Platform;

/// The steps of `p` for the kit named by `n`.
pub(super) fn steps(p: Platform, n: &Names) -> Vec<Step> {
    match p {
        Platform::Windows => windows(n),
        Platform::MacOs => macos(n),
        Platform::Linux => linux(n),
        Platform::Firefox => firefox(n),
        Platform::Ios => ios(n),
        Platform::Android => android(n),
        Platform::Hosts => hosts(n),
    }
}

fn say(s: impl Into<String>) -> Step {
    Step::Say(s.into())
}

fn windows(n: &Names) -> Vec<Step> {
    let (root, _, cn) = n.root();
    let mut v = vec![
        say(format!(
            "Open {} → Open → Install Certificate… → Current User → Next → Place all certificates in the following store → Browse… → Trusted Root Certification Authorities → OK → Next → Finish.",
            n.shown(root)
        )),
        say(format!(
            "Windows then shows a Security Warning: \"You are about to install a certificate from a certification authority (CA) claiming to represent: {cn}…\". Confirm with Yes."
        )),
        Step::Run {
            say: "Or in a Command Prompt or PowerShell window (no administrator rights needed; the same Security Warning appears: answer Yes):".into(),
            lines: n
                .roots
                .iter()
                .map(|(c, _, _)| format!("certutil -user -addstore Root {}", n.path(c)))
                .collect(),
        },
    ];
    if let Some((p12, _)) = &n.client_p12 {
        v.push(say(format!(
            "Client identity: open {} → Current User → Next → enter the PKCS#12 password → Automatically select the certificate store (it goes to Personal) → Finish. Windows before 10 version 1709 needs the compatible .p12.",
            n.shown(p12)
        )));
    }
    v.push(say(
        "Restart the browser. Chrome and Edge use the Windows store; Firefox 120 and later also trusts roots in the current user's Windows store.",
    ));
    v
}

fn macos(n: &Names) -> Vec<Step> {
    let (root, _, cn) = n.root();
    let mut v = vec![
        say(format!(
            "Double-click {}: the Add Certificates dialog asks for a keychain. Choose login, then Add.",
            n.shown(root)
        )),
        say(format!(
            "In Keychain Access (login keychain, Certificates), double-click \"{cn}\" → Trust → When using this certificate: Always Trust. Close the window, enter your password (or use Touch ID) and click Update Settings."
        )),
        Step::Run {
            say: "Or in Terminal. It asks for your password as well, so run it in a logged-in desktop session (not over SSH):".into(),
            lines: n
                .roots
                .iter()
                .map(|(c, _, _)| {
                    format!(
                        "security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db {}",
                        n.path(c)
                    )
                })
                .collect(),
        },
    ];
    if let Some((p12, _)) = &n.client_p12 {
        v.push(say(format!(
            "Client identity: double-click {} → login keychain → its password. Use the compatible .p12: macOS 12 and 13 refuse the modern (AES) one.",
            n.shown(p12)
        )));
    }
    v.push(say(
        "Safari, Chrome and Edge use the keychain: restart them. Firefox 120 and later trusts it too.",
    ));
    apple_lint(n, &mut v);
    v
}

/// The picking line: the database Chromium uses now (see the module's sources).
const PICK_DB: &str = r#"db="$HOME/.pki/nssdb"; [ -d "$db" ] || db="$HOME/.local/share/pki/nssdb""#;

fn linux(n: &Names) -> Vec<Step> {
    let (root, _, _) = n.root();
    let mut v = vec![
        say(
            "Chrome and Chromium keep the roots you trust in an NSS database in your home folder: ~/.pki/nssdb if that folder exists, otherwise ~/.local/share/pki/nssdb (the default since Chromium 146). Start Chrome or Chromium once, open chrome://certificate-manager (or any https:// page), and close it: that creates the database.",
        ),
        say(format!(
            "By clicking: Settings → Privacy and security → Security → Manage certificates (chrome://certificate-manager) → Local certificates → Custom → Installed by you → Trusted certificates → Import → {}.",
            n.shown(root)
        )),
    ];
    let mut lines = vec![PICK_DB.to_string()];
    for (c, _, cn) in &n.roots {
        lines.push(format!(
            "certutil -d sql:\"$db\" -A -t C,, -n {} -i {}",
            sh(cn),
            n.path(c)
        ));
    }
    v.push(Step::Run {
        say: "Or in a terminal (certutil and pk12util come with libnss3-tools on Debian and Ubuntu, nss-tools on Fedora). The first line picks the database Chromium uses:".into(),
        lines,
    });
    if let Some((p12, _)) = &n.client_p12 {
        let pw = n
            .p12_password
            .as_deref()
            .map(|p| format!(" -W {}", sh(p)))
            .unwrap_or_default();
        let asks = if pw.is_empty() {
            " (pk12util asks for the PKCS#12 password)"
        } else {
            ""
        };
        v.push(Step::Run {
            say: format!(
                "Client identity: Manage certificates → Your certificates → Import, or in a terminal{asks}:"
            ),
            lines: vec![
                PICK_DB.to_string(),
                format!("pk12util -d sql:\"$db\" -i {}{pw}", n.path(p12)),
            ],
        });
    }
    v.push(say(
        "Snap Chromium keeps its own database: use db=~/snap/chromium/current/.pki/nssdb instead of the first line.",
    ));
    v.push(say(
        "Restart the browser. Mutual TLS over wss://: Chromium never asks for a client certificate during a WebSocket handshake. Open https://HOST:PORT/ of the server in a tab first and choose the certificate; later wss:// connections to the same host and port reuse it.",
    ));
    v
}

fn firefox(n: &Names) -> Vec<Step> {
    let (root, _, _) = n.root();
    let mut v = vec![say(format!(
        "Firefox on Windows, macOS and Linux has its own store: Settings → Privacy & Security → Certificates → View Certificates… → Authorities → Import… → {} → tick \"Trust this CA to identify websites\" → OK.",
        n.shown(root)
    ))];
    if let Some((p12, _)) = &n.client_p12 {
        v.push(say(format!(
            "Client identity: View Certificates… → Your Certificates → Import… → {} → its password.",
            n.shown(p12)
        )));
    }
    v.push(say(
        "On Windows and macOS, Firefox 120 and later also trusts roots you added to the system (the Windows and macOS steps); on Linux it does not.",
    ));
    let files: Vec<&str> = n
        .roots
        .iter()
        .map(|(c, _, _)| c.rsplit('/').next().unwrap_or(c))
        .collect();
    let installs: Vec<String> = files
        .iter()
        .map(|f| format!("\"{}\"", json_escape(f)))
        .collect();
    v.push(Step::File {
        say: format!(
            "For many machines, the enterprise policy Certificates.Install: put this policies.json into the distribution folder of the Firefox installation (Windows: next to firefox.exe; macOS: Firefox.app/Contents/Resources/distribution; Linux: e.g. /usr/lib/firefox/distribution, as root), and {} into a folder named certificates inside it (Certificates on Windows and macOS). Firefox trusts it for websites from its next start.",
            files.join(", ")
        ),
        name: "policies.json".into(),
        content: format!(
            "{{\n  \"policies\": {{\n    \"Certificates\": {{\n      \"Install\": [{}]\n    }}\n  }}\n}}\n",
            installs.join(", ")
        ),
    });
    v.push(say(
        "Firefox for Android has no certificate manager and offers no client certificates: install the root in Android's settings (the Android steps); Firefox for Android 120 and later trusts it.",
    ));
    v
}

fn json_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn ios(n: &Names) -> Vec<Step> {
    let (root, _, cn) = n.root();
    let mut v = vec![
        Step::Profile(format!(
            "Bring the root to the device as the configuration profile certlab-root.mobileconfig (the download on certlab's page, iPhone / iPad): open it in Safari, or send it by AirDrop or Mail. Sending {} by AirDrop or Mail works too; recent Safari may save a served .crt as .crt.html, so prefer the profile.",
            n.shown(root)
        )),
        say(
            "Safari asks whether to allow downloading a configuration profile: Allow. If it lands in Files instead, open Files → Downloads and tap it.",
        ),
        say(
            "Within 8 minutes (iOS deletes a downloaded profile that is not installed): Settings → General → VPN & Device Management → the downloaded profile → Install → enter your passcode → Install, and Install again when asked.",
        ),
        say(format!(
            "Then Settings → General → About → Certificate Trust Settings → turn on full trust for \"{cn}\" → Continue. A root without a common name does not appear there; certlab always sets one."
        )),
    ];
    if let Some((p12, _)) = &n.client_p12 {
        v.push(say(format!(
            "Client identity: AirDrop or mail {} (the compatible one: iOS 17 refuses the modern AES .p12) and install it the same way, with its password.",
            n.shown(p12)
        )));
    }
    apple_lint(n, &mut v);
    v
}

/// Apple's limits on what a kit may contain, as warnings for this kit (macOS and iOS).
fn apple_lint(n: &Names, v: &mut Vec<Step>) {
    if n.too_long.is_empty() {
        v.push(say(
            "Apple refuses TLS server certificates valid for more than 825 days, even under a root you installed; this kit's servers are within that (certlab's default is 397 days).",
        ));
    }
    for (name, days) in &n.too_long {
        v.push(Step::Warn(format!(
            "the server certificate {name} is valid for {days} days: macOS and iOS refuse TLS server certificates valid for more than 825 days, even under your own root. Make it again with 825 days or less (certlab's default is 397)."
        )));
    }
    p12_lint(n, v, "macOS 12–13 and iOS 17 refuse them");
}

fn p12_lint(n: &Names, v: &mut Vec<Step>, who: &str) {
    if n.modern_only {
        v.push(Step::Warn(format!(
            "this kit has only modern .p12 files: {who}; make the kit again with the compatible flavour for those."
        )));
    }
}

fn android(n: &Names) -> Vec<Step> {
    let (_, der, _) = n.root();
    let mut v = vec![
        say(format!(
            "Copy {} to the phone (USB, a cloud drive or mail).",
            n.shown(der)
        )),
        say(
            "Settings → Security & privacy → More security settings → Encryption & credentials → Install a certificate → CA certificate → Install anyway → choose the file, and confirm with your screen lock (a screen lock is required). Other vendors' menus differ: search Settings for \"CA certificate\".",
        ),
    ];
    if let Some((p12, _)) = &n.client_p12 {
        v.push(say(format!(
            "Client identity: same place → VPN & app user certificate → {} (the compatible .p12: Android 12 and 13 refuse the modern one).",
            n.shown(p12)
        )));
    }
    v.push(say(
        "Android 15 then shows a notification that certificate authorities were installed by an unknown third party (the network may be monitored), after the install and after every restart: expected for your own root.",
    ));
    v.push(say(
        "Chrome for Android trusts it. Apps targeting Android 7 and later ignore user-installed roots unless they opt in with network_security_config. Firefox for Android: see the Firefox steps.",
    ));
    p12_lint(n, &mut v, "Android 12–13 refuse them");
    v
}

fn hosts(n: &Names) -> Vec<Step> {
    // localhost needs no line: show a lab name instead.
    let (host, note) = if n.host == "localhost" {
        (
            "broker.lab",
            " (this kit's server is localhost, which needs no line)",
        )
    } else {
        (n.host.as_str(), "")
    };
    let line = format!("127.0.0.1 {host}");
    vec![
        say(format!(
            "When a certificate names a host DNS does not know, such as {host}{note}, map it to the server's address in the hosts file. Editing that file needs administrator rights.",
        )),
        Step::Run {
            say: "Linux, macOS (asks for your password):".into(),
            lines: vec![format!("echo {} | sudo tee -a /etc/hosts", sh(&line))],
        },
        say(format!(
            "Windows: start Notepad with Run as administrator, open C:\\Windows\\System32\\drivers\\etc\\hosts, add the line {line} and save."
        )),
    ]
}
