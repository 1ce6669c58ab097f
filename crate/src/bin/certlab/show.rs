//! Printing: kit summaries, lint findings and inspection results.

use crate::Fail;
use crate::files;
use crate::out::outln;
use crate::ui::{Tone, ui};
use certlab::{Finding, Item, Severity};
use std::path::{Path, PathBuf};

/// Prints one finding to stderr (under `--quiet`, only errors), its severity coloured on a
/// terminal.
pub fn finding(f: &Finding) {
    let ui = ui();
    let (sev, tone) = match f.severity {
        Severity::Error => ("error", Tone::Error),
        Severity::Warning => ("warning", Tone::Warning),
        Severity::Info => ("note", Tone::Note),
    };
    if ui.quiet() && f.severity != Severity::Error {
        return;
    }
    let sev = ui.paint(tone, sev);
    let breaks = if f.breaks.is_empty() {
        String::new()
    } else {
        format!(" [breaks: {}]", f.breaks.join(", "))
    };
    eprintln!("{sev}: {}: {}{breaks}\n  fix: {}", f.subject, f.why, f.fix);
}

/// What was written (nothing under `--quiet`).
pub fn kit_summary(m: &certlab::Manifest, files: usize, more_devices: usize, out: &Path) {
    if ui().quiet() {
        return;
    }
    outln!("wrote {files} files to {}", out.display());
    for i in &m.identities {
        let sans = if i.sans.is_empty() {
            String::new()
        } else {
            format!(" [{}]", i.sans.join(", "))
        };
        outln!(
            "  {:<16} {:<15} {:<10} CN={}{sans}",
            i.name,
            i.role.id(),
            i.key_algorithm,
            i.common_name
        );
    }
    if more_devices > 0 {
        outln!(
            "  … and {more_devices} more devices (all in {}/manifest.json)",
            out.display()
        );
    }
    outln!(
        "see {}/README.txt for how to import and test it",
        out.display()
    );
}

/// `kit --json`: the kit's manifest.json, byte for byte, on stdout.
pub fn manifest_json(path: &Path) -> Result<(), Fail> {
    let json = std::fs::read(path).map_err(crate::files::io(path))?;
    crate::out::bytes(&json);
    Ok(())
}

/// The client's side for `inspect` and `lint`: findings about the chain as that client sees it.
#[derive(clap::Args, Debug, Default)]
pub struct TrustArgs {
    /// The host name or IP address a client connects to: is it among the SANs?
    #[arg(long, value_name = "NAME")]
    pub host: Option<String>,
    /// What the (first) certificate is used for: is its extendedKeyUsage right?
    #[arg(long, value_enum, value_name = "USE")]
    pub purpose: Option<PurposeArg>,
    /// A root the client trusts (repeatable): does the chain, as given, reach it?
    #[arg(long = "ca", value_name = "CA")]
    pub cas: Vec<PathBuf>,
    /// A CRL the client holds (repeatable; signed by one of the --ca): is a certificate revoked?
    #[arg(long = "crl", value_name = "FILE")]
    pub crls: Vec<PathBuf>,
}

/// `--purpose`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum PurposeArg {
    /// A TLS server.
    Server,
    /// A TLS client.
    Client,
}

impl TrustArgs {
    fn read(&self) -> Result<certlab::Trust, Fail> {
        let mut anchors = Vec::new();
        for p in &self.cas {
            let flag = format!("--ca {}", p.display());
            for der in certlab::certificates(&files::read(p, &flag)?, &flag)? {
                anchors.push((certlab::Cert::from_der(&der, &flag)?, der));
            }
        }
        if !self.crls.is_empty() && anchors.is_empty() {
            return Err(files::refused(
                "--crl",
                "a CRL is checked against the CA that signed it, and no --ca was given".into(),
                "add --ca with the CA certificate that signed the CRL",
            ));
        }
        let mut crls = Vec::new();
        for p in &self.crls {
            let flag = format!("--crl {}", p.display());
            let bytes = files::read(p, &flag)?;
            let found = anchors.iter().find_map(|(c, der)| {
                certlab::read_crl(&bytes, der)
                    .ok()
                    .map(|crl| (c.subject.clone(), crl))
            });
            match found {
                Some(pair) => crls.push(pair),
                None => {
                    // The error of the first CA says what is wrong (not a CRL, or signed by another CA).
                    let (_, der) = &anchors[0];
                    certlab::read_crl(&bytes, der).map_err(|e| Fail::Engine(e.in_field(&flag)))?;
                }
            }
        }
        Ok(certlab::Trust {
            host: self.host.clone(),
            purpose: self.purpose.map(|p| match p {
                PurposeArg::Server => certlab::Purpose::Server,
                PurposeArg::Client => certlab::Purpose::Client,
            }),
            anchors: anchors.into_iter().map(|(c, _)| c).collect(),
            crls,
        })
    }
}

/// `inspect` and `lint`.
pub fn inspect(
    paths: &[PathBuf],
    password: Option<&str>,
    json: bool,
    lint_only: bool,
    trust_args: &TrustArgs,
) -> Result<(), Fail> {
    let now = certlab::now_utc();
    let trust = trust_args.read()?;
    let mut worst_is_error = false;
    let mut results = Vec::new();
    for p in paths {
        let bytes = files::read(p, &p.display().to_string())?;
        let r = certlab::inspect_with(&bytes, password, now, &trust)
            .map_err(|e| Fail::Engine(e.in_field(&p.display().to_string())))?;
        worst_is_error |= r.findings.iter().any(|f| f.severity == Severity::Error);
        results.push((p, r));
    }
    if json {
        let v: Vec<_> = results
            .iter()
            .map(|(p, r)| serde_json::json!({"file": p.display().to_string(), "inspection": r}))
            .collect();
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        for (p, r) in &results {
            outln!("== {} ({})", p.display(), r.format);
            if !lint_only {
                for item in &r.items {
                    print_item(item);
                }
            }
            if r.findings.is_empty() {
                outln!("  no findings");
            }
            for f in &r.findings {
                let breaks = if f.breaks.is_empty() {
                    String::new()
                } else {
                    format!(" [breaks: {}]", f.breaks.join(", "))
                };
                outln!(
                    "  {:?}: {}: {}{breaks}\n    fix: {}",
                    f.severity,
                    f.subject,
                    f.why,
                    f.fix
                );
            }
        }
    }
    if lint_only && worst_is_error {
        Err(Fail::Lint)
    } else {
        Ok(())
    }
}

fn print_item(item: &Item) {
    match item {
        Item::Certificate(c) => {
            outln!("  Certificate");
            outln!("    subject:     {}", c.subject);
            outln!("    issuer:      {}", c.issuer);
            outln!("    serial:      {}", c.serial);
            outln!(
                "    validity:    {} → {} ({} days)",
                c.not_before,
                c.not_after,
                c.validity_days
            );
            outln!(
                "    key:         {}    signature: {}",
                c.key_algorithm,
                c.signature_algorithm
            );
            outln!(
                "    CA:          {}{}",
                c.is_ca,
                c.path_len
                    .map(|p| format!(" (pathLen {p})"))
                    .unwrap_or_default()
            );
            if !c.key_usage.is_empty() {
                outln!("    key usage:   {}", c.key_usage.join(", "));
            }
            if !c.extended_key_usage.is_empty() {
                outln!("    ext. usage:  {}", c.extended_key_usage.join(", "));
            }
            if !c.sans.is_empty() {
                outln!("    SAN:         {}", c.sans.join(", "));
            }
            if !c.name_constraints.is_empty() {
                outln!("    constraints: {}", c.name_constraints.join(", "));
            }
            outln!("    SHA-256:     {}", c.sha256);
            for e in &c.explained {
                outln!("    · {e}");
            }
        }
        Item::Csr(c) => {
            outln!("  Certificate signing request (signature verified)");
            outln!(
                "    CN: {}   key: {}   signature: {}",
                c.common_name.as_deref().unwrap_or("-"),
                c.key_algorithm,
                c.signature_algorithm
            );
            if !c.sans.is_empty() {
                outln!("    requested SAN: {}", c.sans.join(", "));
            }
            if c.requests_ca {
                outln!("    asks for CA:TRUE (certlab never grants it)");
            }
        }
        Item::PrivateKey(k) => outln!("  Private key: {} (key id {})", k.key_algorithm, k.key_id),
    }
}
