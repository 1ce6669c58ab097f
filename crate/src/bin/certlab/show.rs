//! Printing: kit summaries, lint findings and inspection results.

use crate::Fail;
use crate::files;
use certlab::{Finding, Item, Severity};
use std::path::{Path, PathBuf};

/// Prints one finding to stderr.
pub fn finding(f: &Finding) {
    let sev = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    let breaks = if f.breaks.is_empty() {
        String::new()
    } else {
        format!(" [breaks: {}]", f.breaks.join(", "))
    };
    eprintln!("{sev}: {}: {}{breaks}\n  fix: {}", f.subject, f.why, f.fix);
}

/// What was written.
pub fn kit_summary(m: &certlab::Manifest, files: usize, more_devices: usize, out: &Path) {
    println!("wrote {files} files to {}", out.display());
    for i in &m.identities {
        let sans = if i.sans.is_empty() {
            String::new()
        } else {
            format!(" [{}]", i.sans.join(", "))
        };
        println!(
            "  {:<16} {:<15} {:<10} CN={}{sans}",
            i.name,
            i.role.id(),
            i.key_algorithm,
            i.common_name
        );
    }
    if more_devices > 0 {
        println!(
            "  … and {more_devices} more devices (all in {}/manifest.json)",
            out.display()
        );
    }
    println!(
        "see {}/README.txt for how to import and test it",
        out.display()
    );
}

/// `inspect` and `lint`.
pub fn inspect(
    paths: &[PathBuf],
    password: Option<&str>,
    json: bool,
    lint_only: bool,
) -> Result<(), Fail> {
    let now = certlab::now_utc();
    let mut worst_is_error = false;
    let mut results = Vec::new();
    for p in paths {
        let bytes = files::read(p, &p.display().to_string())?;
        let r = certlab::inspect(&bytes, password, now)
            .map_err(|e| Fail::Engine(e.in_field(&p.display().to_string())))?;
        worst_is_error |= r.findings.iter().any(|f| f.severity == Severity::Error);
        results.push((p, r));
    }
    if json {
        let v: Vec<_> = results
            .iter()
            .map(|(p, r)| serde_json::json!({"file": p.display().to_string(), "inspection": r}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        for (p, r) in &results {
            println!("== {} ({})", p.display(), r.format);
            if !lint_only {
                for item in &r.items {
                    print_item(item);
                }
            }
            if r.findings.is_empty() {
                println!("  no findings");
            }
            for f in &r.findings {
                let breaks = if f.breaks.is_empty() {
                    String::new()
                } else {
                    format!(" [breaks: {}]", f.breaks.join(", "))
                };
                println!(
                    "  {:?}: {}: {}{breaks}\n    fix: {}",
                    f.severity, f.subject, f.why, f.fix
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
            println!("  Certificate");
            println!("    subject:     {}", c.subject);
            println!("    issuer:      {}", c.issuer);
            println!("    serial:      {}", c.serial);
            println!(
                "    validity:    {} → {} ({} days)",
                c.not_before, c.not_after, c.validity_days
            );
            println!(
                "    key:         {}    signature: {}",
                c.key_algorithm, c.signature_algorithm
            );
            println!(
                "    CA:          {}{}",
                c.is_ca,
                c.path_len
                    .map(|p| format!(" (pathLen {p})"))
                    .unwrap_or_default()
            );
            if !c.key_usage.is_empty() {
                println!("    key usage:   {}", c.key_usage.join(", "));
            }
            if !c.extended_key_usage.is_empty() {
                println!("    ext. usage:  {}", c.extended_key_usage.join(", "));
            }
            if !c.sans.is_empty() {
                println!("    SAN:         {}", c.sans.join(", "));
            }
            if !c.name_constraints.is_empty() {
                println!("    constraints: {}", c.name_constraints.join(", "));
            }
            println!("    SHA-256:     {}", c.sha256);
            for e in &c.explained {
                println!("    · {e}");
            }
        }
        Item::Csr(c) => {
            println!("  Certificate signing request (signature verified)");
            println!(
                "    CN: {}   key: {}   signature: {}",
                c.common_name.as_deref().unwrap_or("-"),
                c.key_algorithm,
                c.signature_algorithm
            );
            if !c.sans.is_empty() {
                println!("    requested SAN: {}", c.sans.join(", "));
            }
            if c.requests_ca {
                println!("    asks for CA:TRUE (certlab never grants it)");
            }
        }
        Item::PrivateKey(k) => println!("  Private key: {} (key id {})", k.key_algorithm, k.key_id),
    }
}
