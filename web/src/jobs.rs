//! The engine's work for the tools panel, a card's Revoke button and the result cards, done in
//! a worker: the page's own module holds no certificate decoder, signer or .p12 reader (issue
//! 17 §3: the page is small, the engine is the worker's). Pure functions of bytes, so they are
//! tested natively; [`crate::worker`] runs them and [`crate::engine`] asks for them.

use crate::protocol::{CardFacts, Job, JobOutcome, MAX_CARDS};
use certlab::{Cert, Eku, Kit, LeafSpec, Revocation, RevokeTarget, Role, issue_leaf};

/// Runs `job` on its byte arrays (in the order [`Job`] documents); the zip of an issued leaf
/// comes back beside the outcome.
pub fn run(job: &Job, bytes: &[Vec<u8>]) -> (JobOutcome, Option<Vec<u8>>) {
    let arg = |n: usize| bytes.get(n).map(Vec::as_slice).unwrap_or_default();
    let result = match job {
        Job::Inspect { password } => inspect(arg(0), password.as_deref()).map(|i| (i, None)),
        Job::Issue {
            ca_pass,
            role,
            leaf_name,
        } => issue(arg(0), arg(1), ca_pass, arg(2), *role, leaf_name)
            .map(|(outcome, zip)| (outcome, Some(zip)))
            .map_err(|e| labelled(e, !arg(2).is_empty()).to_string()),
        Job::Revoke { ca_name, crl_path } => {
            revoke(ca_name, crl_path, [arg(0), arg(1), arg(2), arg(3)]).map(|o| (o, None))
        }
    };
    result.unwrap_or_else(|message| (JobOutcome::Failed(message), None))
}

fn inspect(bytes: &[u8], password: Option<&str>) -> Result<JobOutcome, String> {
    certlab::inspect(bytes, password, certlab::now_utc())
        .map(JobOutcome::Inspected)
        .map_err(|e| e.to_string())
}

/// The engine's errors with the tools panel's labels for the fields (`ca_key_password` is the
/// "CA key passphrase" box; the names and CN are the CSR's when one was given).
fn labelled(e: certlab::Error, from_csr: bool) -> certlab::Error {
    let label = |field: &str| -> Option<&'static str> {
        let base = field.split(['[', ':', '.']).next().unwrap_or(field);
        Some(match base {
            "ca_cert" => "CA certificate",
            "ca_key" => "CA private key",
            "ca_key_password" => "CA key passphrase",
            "csr" => "CSR",
            "names" | "common_name" | "name" if from_csr => "CSR",
            "names" | "common_name" | "name" => "Name",
            _ => return None,
        })
    };
    match e {
        certlab::Error::Invalid(v) => certlab::Error::Invalid(
            v.into_iter()
                .map(|mut fe| {
                    if let Some(l) = label(&fe.field) {
                        fe.field = l.to_string();
                    }
                    fe
                })
                .collect(),
        ),
        other => other,
    }
}

/// "Issue more": one leaf (or the CSR's) under the CA given, as a small kit and its zip.
fn issue(
    ca_cert: &[u8],
    ca_key: &[u8],
    ca_pass: &str,
    csr: &[u8],
    role: Role,
    leaf_name: &str,
) -> Result<(JobOutcome, Vec<u8>), certlab::Error> {
    let now = certlab::now_utc();
    let pass = (!ca_pass.is_empty()).then_some(ca_pass);
    let ca = certlab::import_ca(ca_cert, ca_key, pass, now)?;
    let csr = if csr.is_empty() {
        None
    } else {
        Some(certlab::parse_csr(csr)?)
    };
    let mut leaf = LeafSpec {
        role,
        p12_password: "changeit".into(),
        days: certlab::leaf_days_under(&ca, now).max(1),
        ..LeafSpec::default()
    };
    if csr.is_none() {
        if role == Role::Server {
            leaf.names = leaf_name
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        } else {
            leaf.common_name = leaf_name.to_string();
        }
    }
    let opts = certlab::Options {
        now: Some(now),
        ..Default::default()
    };
    let kit = issue_leaf(&ca, &leaf, csr.as_ref(), &opts)?;
    let zip = kit.zip("certlab-issued")?;
    let who = kit
        .manifest
        .identities
        .last()
        .map(|i| i.name.clone())
        .unwrap_or_default();
    let files = kit.artifacts.len();
    Ok((JobOutcome::Issued { who, files }, zip))
}

/// `certlab revoke` of `leaf` by the CA, on top of its `current` CRL (empty: none yet).
fn revoke(
    ca_name: &str,
    crl_path: &str,
    [cert, key, leaf, current]: [&[u8]; 4],
) -> Result<JobOutcome, String> {
    let now = certlab::now_utc();
    let imported = certlab::import_ca(cert, key, None, now).map_err(|e| e.to_string())?;
    let current = (!current.is_empty()).then_some(current);
    let done = certlab::revoke(&imported, current, RevokeTarget::Cert(leaf), None, now)
        .map_err(|e| e.to_string())?;
    Ok(match done {
        Revocation::Revoked { crl, serial } => JobOutcome::Revoked {
            said: format!(
                "Revoked: serial {serial} is in {crl_path} (CRL number {}, {} revoked). Download it and give it to the servers that check {ca_name}'s clients.",
                crl.number_text(),
                crl.revoked.len(),
            ),
            crl_pem: Some(crl.pem()),
        },
        Revocation::AlreadyRevoked(r) => JobOutcome::Revoked {
            said: format!("Serial {} is already in {crl_path}.", r.serial),
            crl_pem: None,
        },
    })
}

/// What the first [`MAX_CARDS`] cards of `kit` show beyond its manifest.
pub fn card_facts(kit: &Kit) -> Vec<CardFacts> {
    let der = |name: &str| {
        let id = kit.manifest.by_name(name)?;
        let a = kit.artifacts.iter().find(|a| a.path == id.files.der)?;
        Cert::from_der(&a.bytes, "certificate").ok()
    };
    let now = certlab::now_utc();
    kit.manifest
        .identities
        .iter()
        .take(MAX_CARDS)
        .map(|i| {
            let Some(cert) = der(&i.name) else {
                return CardFacts {
                    name: i.name.clone(),
                    ..CardFacts::default()
                };
            };
            let issuer = (i.issuer != i.name).then(|| der(&i.issuer)).flatten();
            CardFacts {
                name: i.name.clone(),
                usage: cert.eku.iter().map(Eku::to_string).collect(),
                constraints: cert.constraints.iter().map(|t| t.to_string()).collect(),
                findings: certlab::lint_cert(&cert, issuer.as_ref(), now),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
