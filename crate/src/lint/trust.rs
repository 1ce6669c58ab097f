//! Lint with the client's point of view: which roots it trusts, which host it dials, what it
//! uses the certificate for and which CRLs it holds. These findings are about a whole chain
//! as a server sends it (or as a client presents it), not about one certificate alone.

use super::{Finding, Rule, Severity, f};
use crate::decode::{Cert, Crl, Eku};
use crate::names::SanName;
use std::net::IpAddr;

/// What a certificate is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A TLS server (extendedKeyUsage serverAuth).
    Server,
    /// A TLS client (extendedKeyUsage clientAuth).
    Client,
}

/// The client's side of a check: what it trusts and where it connects. Everything is
/// optional; an empty `Trust` adds no finding.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// The host name or IP address the client connects to.
    pub host: Option<String>,
    /// What the first certificate is used for.
    pub purpose: Option<Purpose>,
    /// The roots (or other CAs) the client trusts. Empty: trust is not checked.
    pub anchors: Vec<Cert>,
    /// CRLs the client holds, each with the subject of the CA that signed it.
    pub crls: Vec<(String, Crl)>,
}

/// Lints `chain` (the first certificate, then its issuers, as sent in a handshake) as a
/// client described by `trust` would see it.
pub fn lint_path(chain: &[Cert], trust: &Trust) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(leaf) = chain.first() else {
        return out;
    };
    if let Some(host) = trust.host.as_deref() {
        wrong_host(leaf, host, &mut out);
    }
    if let Some(p) = trust.purpose {
        wrong_purpose(leaf, p, &mut out);
    }
    if !trust.anchors.is_empty() {
        unknown_issuer(chain, &trust.anchors, &mut out);
    }
    for c in chain {
        for (issuer, crl) in &trust.crls {
            if *issuer == c.issuer
                && let Some(entry) = crl.entry(&hex::encode(&c.serial))
            {
                let reason = entry
                    .reason
                    .map(|r| format!(" ({})", r.name()))
                    .unwrap_or_default();
                out.push(f(Rule::Revoked, Severity::Error, c.name(), &["clients that check this CRL (openssl -crl_check, Python VERIFY_CRL_CHECK_LEAF, mosquitto crlfile, nginx ssl_crl, certlab-echo --crl)"],
                    format!("serial {} is revoked since {}{reason} in the CRL of `{issuer}`", entry.serial, crate::decode::rfc3339(entry.revoked_at)),
                    "issue a new certificate; a revoked one cannot be un-revoked"));
            }
        }
    }
    out
}

/// The host must be a DNS SAN (or, for an address, an IP SAN); clients no longer read the CN.
fn wrong_host(leaf: &Cert, host: &str, out: &mut Vec<Finding>) {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    let matched = match host.parse::<IpAddr>() {
        Ok(ip) => leaf.sans.contains(&SanName::Ip(ip)),
        Err(_) => {
            let host = host.to_ascii_lowercase();
            leaf.sans.iter().any(|s| match s {
                SanName::Dns(d) => dns_matches(d, &host),
                _ => false,
            })
        }
    };
    if !matched {
        let names: Vec<String> = leaf.sans.iter().map(|s| s.to_string()).collect();
        let listed = if names.is_empty() {
            "it has no subjectAltName at all".to_string()
        } else {
            format!("it names {}", names.join(", "))
        };
        out.push(f(Rule::WrongHost, Severity::Error, leaf.name(), &["every client that checks the host name (browsers, curl, Python, openssl -verify_hostname)"],
            format!("the client connects to `{host}` but {listed}"),
            "connect with a name the certificate lists, or re-issue it with that name as a SAN"));
    }
}

/// An EKU, when present, limits what the key may do: a server needs serverAuth, a client
/// clientAuth (RFC 5280 §4.2.1.12; browsers, OpenSSL and rustls all enforce it).
fn wrong_purpose(leaf: &Cert, p: Purpose, out: &mut Vec<Finding>) {
    let (want, word) = match p {
        Purpose::Server => (Eku::ServerAuth, "serverAuth"),
        Purpose::Client => (Eku::ClientAuth, "clientAuth"),
    };
    if leaf.eku.is_empty() || leaf.has_eku(&want) || leaf.has_eku(&Eku::Any) {
        return;
    }
    let role = if p == Purpose::Server {
        "a TLS server"
    } else {
        "a TLS client"
    };
    let has: Vec<String> = leaf.eku.iter().map(|e| e.to_string()).collect();
    out.push(f(
        Rule::WrongPurpose,
        Severity::Error,
        leaf.name(),
        &["every client and server that checks extendedKeyUsage"],
        format!(
            "used as {role}, but its extendedKeyUsage allows only {} (no {word})",
            has.join(", ")
        ),
        format!("re-issue it with extendedKeyUsage {word}"),
    ));
}

/// Whether the chain reaches one of the anchors. A chain that ends at a root nobody trusts
/// is an unknown issuer; one that ends at a certificate whose issuer is neither sent nor
/// trusted is missing an intermediate.
fn unknown_issuer(chain: &[Cert], anchors: &[Cert], out: &mut Vec<Finding>) {
    let trusted = |c: &Cert| {
        anchors
            .iter()
            .any(|a| a.spki_der == c.spki_der && a.subject == c.subject)
    };
    let issued_by_anchor = |c: &Cert| anchors.iter().any(|a| a.subject == c.issuer);
    // Walk the chain as sent: stop at the first certificate a trusted CA issued (or that is
    // itself trusted).
    for c in chain {
        if trusted(c) || issued_by_anchor(c) {
            return;
        }
    }
    let Some(last) = chain.last() else {
        return;
    };
    let roots: Vec<&str> = anchors.iter().map(|a| a.name()).collect();
    if last.self_signed {
        out.push(f(
            Rule::UnknownIssuer,
            Severity::Error,
            chain[0].name(),
            &["every client that trusts only its own roots"],
            format!(
                "the chain ends at `{}`, a root this client does not trust (it trusts {})",
                last.name(),
                roots.join(", ")
            ),
            "trust that root, or get the certificate issued by a CA the clients trust",
        ));
    } else {
        out.push(f(Rule::IncompleteChain, Severity::Error, chain[0].name(), &["openssl", "curl", "Python", "Chromium and Firefox (no AIA to fetch the missing CA)"],
            format!("the chain stops at `{}`, issued by `{}`, which is neither sent nor trusted (trusted: {}): an intermediate is missing", last.name(), last.issuer, roots.join(", ")),
            "send the full chain (serve the .fullchain.pem file, not the .crt)"));
    }
}

/// RFC 6125 matching as browsers do it: the exact name, or `*.rest` for one more label.
fn dns_matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(rest) => host
            .split_once('.')
            .is_some_and(|(label, tail)| !label.is_empty() && tail == rest),
        None => pattern == host,
    }
}
