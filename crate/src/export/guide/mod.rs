//! The import guide: how to trust a kit's root and import a client identity on each platform,
//! as structured steps filled in with the kit's file names. The one source of that text: the
//! page renders its "Import it" tabs from [`guide`], `README.txt` its IMPORT IT section (with
//! [`Guide::text`]), and `certlab guide` (what `./scripts/run` prints) both, so the three
//! cannot drift. The facts come from shared/reference/platform-rules.md and the vendors'
//! documentation (the links in [`platforms`]).

mod platforms;

use crate::kit::{Manifest, ManifestIdentity};
use crate::role::Role;
use std::fmt::Write;

/// Where a part of the guide applies: one tab of the page, one part of `README.txt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    /// Chrome and Edge on Windows (the Windows store).
    Windows,
    /// Safari, Chrome and Edge on macOS (the login keychain).
    MacOs,
    /// Chrome and Chromium on Linux (the NSS database in the home folder).
    Linux,
    /// Firefox on desktop systems (its own NSS store, or an enterprise policy).
    Firefox,
    /// iPhone and iPad (a configuration profile, then Certificate Trust Settings).
    Ios,
    /// Android (Settings → … → Install a certificate).
    Android,
    /// The hosts file, for names DNS does not know.
    Hosts,
}

impl Platform {
    /// Every platform, in the order the page and `README.txt` show them.
    pub const ALL: [Platform; 7] = [
        Platform::Windows,
        Platform::MacOs,
        Platform::Linux,
        Platform::Firefox,
        Platform::Ios,
        Platform::Android,
        Platform::Hosts,
    ];

    /// A short name for command lines (`windows`, `macos`, `linux`, `firefox`, `ios`,
    /// `android`, `hosts`).
    pub fn id(self) -> &'static str {
        match self {
            Platform::Windows => "windows",
            Platform::MacOs => "macos",
            Platform::Linux => "linux",
            Platform::Firefox => "firefox",
            Platform::Ios => "ios",
            Platform::Android => "android",
            Platform::Hosts => "hosts",
        }
    }

    /// The platform named `id` (see [`Platform::id`]).
    pub fn from_id(id: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.id() == id)
    }

    /// The heading: the browsers and the system it is about.
    pub fn title(self) -> &'static str {
        match self {
            Platform::Windows => "Chrome / Edge on Windows",
            Platform::MacOs => "Safari, Chrome on macOS",
            Platform::Linux => "Chrome / Chromium on Linux",
            Platform::Firefox => "Firefox (desktop)",
            Platform::Ios => "iPhone / iPad",
            Platform::Android => "Android",
            Platform::Hosts => "Names DNS does not know",
        }
    }
}

/// One step of a platform's guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Something to do by hand, or to know.
    Say(String),
    /// A warning about this very kit on this platform (e.g. Apple's 825-day limit).
    Warn(String),
    /// What to do, then shell lines to run exactly as they are (from the kit's folder, unless
    /// the guide was made with a folder).
    Run {
        /// What the lines do.
        say: String,
        /// The lines, one command each.
        lines: Vec<String>,
    },
    /// What to do, then a file to write with exactly this content.
    File {
        /// Where the file goes and what it does.
        say: String,
        /// Its name.
        name: String,
        /// Its content.
        content: String,
    },
    /// The root as an Apple configuration profile ([`crate::mobileconfig`]): the page offers
    /// it as a download right after this text.
    Profile(String),
}

/// One platform's steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The platform.
    pub platform: Platform,
    /// Its steps, in order.
    pub steps: Vec<Step>,
}

/// The whole guide for one kit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guide {
    /// One section per platform, in [`Platform::ALL`]'s order.
    pub sections: Vec<Section>,
}

/// What the guide needs beside the manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuideOptions {
    /// The kit's folder as commands should name it (e.g. an absolute path); `None`: commands
    /// run inside the kit's folder and name its files alone.
    pub dir: Option<String>,
    /// The PKCS#12 password, when the commands may show it (a demo kit): `pk12util` then gets
    /// it with `-W` instead of asking.
    pub p12_password: Option<String>,
}

/// The guide for the kit described by `m`.
pub fn guide(m: &Manifest, opts: &GuideOptions) -> Guide {
    Guide::of(&Names::of(m, opts))
}

/// The guide before any kit exists, with the file names of the `mtls` preset (`ca.crt`,
/// `alice.p12`, …): what the page shows until a kit is made.
pub fn guide_without_kit() -> Guide {
    let n = Names {
        roots: vec![("ca.crt".into(), "ca.der".into(), "certlab Root CA".into())],
        client_p12: Some(("alice.p12".into(), "alice".into())),
        modern_only: false,
        host: "localhost".into(),
        too_long: Vec::new(),
        p12_password: None,
        dir: None,
    };
    Guide::of(&n)
}

impl Guide {
    fn of(n: &Names) -> Guide {
        let sections = Platform::ALL
            .into_iter()
            .map(|platform| Section {
                platform,
                steps: platforms::steps(platform, n),
            })
            .collect();
        Guide { sections }
    }

    /// The section of `platform`.
    pub fn section(&self, platform: Platform) -> Option<&Section> {
        self.sections.iter().find(|s| s.platform == platform)
    }

    /// The guide as plain text (README.txt's IMPORT IT section and `certlab guide`), only the
    /// platforms in `only` when it is not empty.
    pub fn text(&self, only: &[Platform]) -> String {
        let mut o = String::new();
        for s in &self.sections {
            if !only.is_empty() && !only.contains(&s.platform) {
                continue;
            }
            let title = s.platform.title();
            let _ = writeln!(o, "\n{title}\n{}", "-".repeat(title.chars().count()));
            for (i, step) in s.steps.iter().enumerate() {
                step_text(&mut o, i + 1, step);
            }
        }
        o
    }

    /// Every shell line of `platform`'s steps, one per line: what a user would paste into a
    /// terminal (the end-to-end tests run exactly this).
    pub fn commands(&self, platform: Platform) -> String {
        let mut o = String::new();
        for step in self.section(platform).map(|s| &s.steps[..]).unwrap_or(&[]) {
            if let Step::Run { lines, .. } = step {
                for l in lines {
                    o.push_str(l);
                    o.push('\n');
                }
            }
        }
        o
    }
}

fn step_text(o: &mut String, n: usize, step: &Step) {
    match step {
        Step::Say(t) | Step::Profile(t) => {
            let _ = writeln!(o, "  {n}. {t}");
        }
        Step::Warn(t) => {
            let _ = writeln!(o, "  {n}. WARNING: {t}");
        }
        Step::Run { say, lines } => {
            let _ = writeln!(o, "  {n}. {say}");
            for l in lines {
                let _ = writeln!(o, "       {l}");
            }
        }
        Step::File { say, name, content } => {
            let _ = writeln!(o, "  {n}. {say}");
            let _ = writeln!(o, "       --- {name} ---");
            for l in content.lines() {
                let _ = writeln!(o, "       {l}");
            }
            let _ = writeln!(o, "       ---");
        }
    }
}

/// Quotes `s` for a POSIX shell when it needs it (single quotes; `'` as `'\''`).
pub(crate) fn sh(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:@%+=,-".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The kit's names the steps use.
pub(crate) struct Names {
    /// Every root: (file of its PEM certificate, its DER file, its CN).
    pub(crate) roots: Vec<(String, String, String)>,
    /// The first client's (or device's) PKCS#12 file and its identity name.
    pub(crate) client_p12: Option<(String, String)>,
    /// Whether the kit has only modern `.p12` files.
    pub(crate) modern_only: bool,
    /// A host name of the first server.
    pub(crate) host: String,
    /// Servers valid for more than Apple's 825 days: (name, days).
    pub(crate) too_long: Vec<(String, i64)>,
    /// The PKCS#12 password to show, if any.
    pub(crate) p12_password: Option<String>,
    dir: Option<String>,
}

impl Names {
    fn of(m: &Manifest, opts: &GuideOptions) -> Names {
        let ids = &m.identities;
        let roots = ids
            .iter()
            .filter(|i| i.role == Role::RootCa)
            .map(|r| {
                (
                    r.files.cert.clone(),
                    r.files.der.clone(),
                    r.common_name.clone(),
                )
            })
            .collect();
        let client_p12 = ids
            .iter()
            .filter(|i| matches!(i.role, Role::Client | Role::Device))
            .find_map(|c| Some((c.files.p12()?.clone(), c.name.clone())));
        let has_p12 = ids.iter().any(|i| i.files.p12().is_some());
        let modern_only = has_p12 && ids.iter().all(|i| i.files.p12_compat.is_none());
        let servers: Vec<&ManifestIdentity> =
            ids.iter().filter(|i| i.role == Role::Server).collect();
        let host = servers
            .iter()
            .flat_map(|s| s.sans.iter())
            .find_map(|n| n.strip_prefix("DNS:"))
            .filter(|h| !h.starts_with('*'))
            .unwrap_or("localhost")
            .to_string();
        let too_long = servers
            .iter()
            .filter_map(|s| Some((s.name.clone(), validity_days(s)?)))
            .filter(|(_, d)| *d > 825)
            .collect();
        Names {
            roots,
            client_p12,
            modern_only,
            host,
            too_long,
            p12_password: opts.p12_password.clone(),
            dir: opts.dir.clone(),
        }
    }

    /// A kit file as a command names it: in the guide's folder, quoted for the shell.
    pub(crate) fn path(&self, file: &str) -> String {
        sh(&self.shown(file))
    }

    /// A kit file as text names it (in the guide's folder, unquoted).
    pub(crate) fn shown(&self, file: &str) -> String {
        match &self.dir {
            Some(d) => format!("{}/{file}", d.trim_end_matches('/')),
            None => file.to_string(),
        }
    }

    /// The first root's PEM file, DER file and CN (a kit always has one).
    pub(crate) fn root(&self) -> (&str, &str, &str) {
        self.roots
            .first()
            .map(|(c, d, n)| (c.as_str(), d.as_str(), n.as_str()))
            .unwrap_or(("ca.crt", "ca.der", "certlab Root CA"))
    }
}

/// Whole days from notBefore to notAfter of `i` (None if the manifest's times do not parse).
fn validity_days(i: &ManifestIdentity) -> Option<i64> {
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;
    let from = OffsetDateTime::parse(&i.not_before, &Rfc3339).ok()?;
    let to = OffsetDateTime::parse(&i.not_after, &Rfc3339).ok()?;
    Some((to - from).whole_days())
}

#[cfg(test)]
mod tests;
