//! Lint: warnings before a platform rejects a certificate. Runs on every spec (live, in the
//! page) and on every certificate inspected or imported. Each rule says which clients it
//! protects and why, beside the code that checks it.

use crate::decode::{Cert, Eku, KeyType};
use crate::keys::KeyAlgorithm;
use crate::names::{self, SanName};
use crate::spec::{NameConstraints, Spec};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[cfg(test)]
mod tests;
mod trust;
pub use trust::{Purpose, Trust, lint_path};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// A client named in `breaks` will refuse the certificate.
    Error,
    /// Works in some places, fails in others, or weakens security.
    Warning,
    /// Worth knowing.
    Info,
}

/// The rule a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Rule {
    /// TLS server leaf valid for more than 825 days.
    AppleValidity825,
    /// Server certificate without subjectAltName.
    MissingSan,
    /// Leaf without extendedKeyUsage.
    MissingEku,
    /// RSA key below 2048 bits.
    RsaTooSmall,
    /// SHA-1 signature.
    Sha1Signature,
    /// Root CA without a common name.
    RootWithoutCn,
    /// Wildcard no client accepts.
    BadWildcard,
    /// An IP address written as a DNS name.
    IpAsDnsName,
    /// A name outside the issuer's name constraints.
    OutsideNameConstraints,
    /// PKCS#12 with an empty password.
    EmptyP12Password,
    /// Ed25519 certificate: browsers refuse it.
    Ed25519NotForBrowsers,
    /// A CA certificate used as a TLS server certificate.
    CaAsLeaf,
    /// Expired.
    Expired,
    /// Not valid yet.
    NotYetValid,
    /// The CA has no name constraints.
    UnconstrainedCa,
    /// The CN looks like a host name that is missing from the SAN.
    CnNotInSan,
    /// A client certificate without subjectAltName.
    ClientWithoutSan,
    /// Devices under CAs with name constraints, which mbedTLS firmware cannot parse.
    ConstraintsVsMbedtls,
    /// A certificate that is not a CA, signed by its own key.
    SelfSignedLeaf,
    /// The host a client connects to is not among the certificate's names.
    WrongHost,
    /// The chain ends at a root the client does not trust.
    UnknownIssuer,
    /// The chain stops before a trusted root: an intermediate is missing.
    IncompleteChain,
    /// Its extendedKeyUsage does not allow the use it is put to.
    WrongPurpose,
    /// Listed in its CA's CRL.
    Revoked,
    /// A separate client CA in a kit without clients: it would sign nothing.
    ClientCaSignsNothing,
    /// Devices' firmware headers holding encrypted keys that firmware cannot read.
    EncryptedKeyVsFirmware,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule.
    pub rule: Rule,
    /// How bad.
    pub severity: Severity,
    /// What it concerns: a spec field (`servers[0].days`) or a certificate's CN.
    pub subject: String,
    /// Clients that reject or mishandle it.
    pub breaks: Vec<String>,
    /// Why, in plain words.
    pub why: String,
    /// What to do.
    pub fix: String,
}

pub(crate) fn f(
    rule: Rule,
    severity: Severity,
    subject: &str,
    breaks: &[&str],
    why: impl Into<String>,
    fix: impl Into<String>,
) -> Finding {
    Finding {
        rule,
        severity,
        subject: subject.to_string(),
        breaks: breaks.iter().map(|s| s.to_string()).collect(),
        why: why.into(),
        fix: fix.into(),
    }
}

/// Apple (HT210176): TLS server certificates issued after 2019-07-01 must be valid for at
/// most 825 days — also under user-installed roots. Safari, and every iOS/macOS app using
/// the system TLS stack, refuse longer ones.
const APPLE_MAX_DAYS: i64 = 825;

fn ed25519(subject: &str) -> Finding {
    // Chromium offers no Ed25519 signature scheme in TLS and NSS refuses Ed25519 roots and
    // keys (seen with Chromium 156 / NSS 3.87): the handshake or the import fails.
    f(
        Rule::Ed25519NotForBrowsers,
        Severity::Warning,
        subject,
        &["Chrome", "Chromium", "Edge", "Firefox (NSS)", "Safari"],
        "browsers do not accept Ed25519 certificates: Chromium offers no Ed25519 signature scheme and NSS refuses Ed25519 roots and keys",
        "use ECDSA P-256 for anything a browser touches; keep Ed25519 for openssl, rustls, Python and IoT clients",
    )
}

fn wildcard_and_ip(name: &str, subject: &str, out: &mut Vec<Finding>) {
    if names::looks_like_ipv4(name) || name.contains(':') {
        // Chrome, Firefox and Apple match an IP address only against iPAddress SANs.
        out.push(f(Rule::IpAsDnsName, Severity::Error, subject, &["Chrome", "Firefox", "Safari", "OpenSSL", "rustls"],
            format!("`{name}` is an IP address written as a DNS name; clients look for addresses only among IP SANs"),
            "write the address as an IP SAN (certlab does this when you list it under names)"));
    } else if name.contains('*')
        && let Err(e) = names::check_dns_name(name, subject)
    {
        out.push(f(
            Rule::BadWildcard,
            Severity::Error,
            subject,
            &["Chrome", "Firefox", "Safari"],
            e.problem,
            e.fix,
        ));
    }
}

/// Lints a spec before generation (also one that does not validate yet).
pub fn lint_spec(spec: &Spec) -> Vec<Finding> {
    let mut out = Vec::new();
    if spec.p12_password.is_empty() {
        // iOS and macOS 15.1 `security import` refuse a .p12 with an empty password.
        out.push(f(
            Rule::EmptyP12Password,
            Severity::Error,
            "p12_password",
            &["iOS", "macOS"],
            "a PKCS#12 file with an empty password cannot be imported on iOS and macOS",
            "set a PKCS#12 password",
        ));
    }
    let cas = std::iter::once(("root", &spec.root))
        .chain(spec.intermediate.iter().map(|c| ("intermediate", c)))
        .chain(spec.client_ca.iter().map(|c| ("client_ca", c)));
    for (field, ca) in cas {
        if ca.common_name.trim().is_empty() {
            // A root without CN is not listed in iOS Certificate Trust Settings (mkcert #47).
            out.push(f(Rule::RootWithoutCn, Severity::Error, &format!("{field}.common_name"), &["iOS"], "iOS does not list a root without a common name in Certificate Trust Settings, so it cannot be trusted", "give the CA a common name"));
        }
        if ca.key == KeyAlgorithm::Ed25519 {
            out.push(ed25519(&format!("{field}.key")));
        }
    }
    // A device's C header carries its key as the kit's .key files hold it: encrypted with
    // PBES2 (PBKDF2-SHA-256 or scrypt, AES-256-CBC) under a key password. Debian's mbedTLS
    // 2.28 cannot decrypt that even given the password (echo/tests/firmware.rs observes it),
    // and the ESP32 Arduino core's WiFiClientSecure::setPrivateKey takes no password.
    if !spec.devices.is_empty() && spec.key_password.is_some() {
        out.push(f(Rule::EncryptedKeyVsFirmware, Severity::Warning, "key_password",
            &["mbedTLS 2.x", "Arduino (ESP32 WiFiClientSecure)"],
            "the devices' firmware headers hold their keys encrypted, as the .key files are (PBES2 with AES-256): mbedTLS 2.x cannot decrypt that even with the password, and the Arduino core takes no key password",
            "for firmware, make the kit without a key password (the .p12 files keep theirs), or decrypt a device's key when building its firmware: openssl pkey -in devices/NAME.key"));
    }
    // The client CA signs people's client certificates only; devices stay under the CA that
    // signs the server (validate::plan_up_to), so without clients it is a root that signs
    // nothing, and a server told to trust it (instead of the kit's client trust) refuses all.
    if spec.client_ca.is_some() && spec.clients.is_empty() {
        let signer = if spec.intermediate.is_some() {
            "intermediate"
        } else {
            "root"
        };
        let devices = if spec.devices.is_empty() {
            String::new()
        } else {
            format!(" (devices are signed by the {signer}, which the broker trusts for them)")
        };
        out.push(f(Rule::ClientCaSignsNothing, Severity::Warning, "client_ca", &[],
            format!("the separate client CA signs only client certificates for people, and this kit has none{devices}: it would sign nothing"),
            "add a client, or leave the separate client CA out (without --separate-client-ca)"));
    }
    // mbedTLS (2.28, Debian's libmbedtls-dev; measured by echo/tests/firmware.rs) refuses to
    // parse a certificate with an extension it does not implement marked critical, and RFC 5280
    // requires nameConstraints to be critical: firmware then cannot load the CA chain at all.
    if !spec.devices.is_empty() && spec.name_constraints != NameConstraints::None {
        out.push(f(Rule::ConstraintsVsMbedtls, Severity::Warning, "name_constraints",
            &["mbedTLS (ESP-IDF, Arduino, Zephyr)"],
            "mbedTLS does not implement name constraints and refuses a CA certificate that carries them (critical, as RFC 5280 requires), so firmware devices cannot load this kit's CA chain",
            "for devices on mbedTLS, choose name constraints `none` (--name-constraints none)"));
    }
    if spec.name_constraints == NameConstraints::None {
        out.push(f(Rule::UnconstrainedCa, Severity::Info, "name_constraints", &[],
            "without name constraints, anyone holding the CA key can impersonate any website to machines that trust this root",
            "keep `auto` name constraints unless the CA must sign names you do not know yet"));
    }
    for (i, s) in spec.servers.iter().enumerate() {
        if i64::from(s.days) > APPLE_MAX_DAYS {
            out.push(f(Rule::AppleValidity825, Severity::Error, &format!("servers[{i}].days"), &["Safari", "iOS", "macOS apps"],
                format!("{} days is over Apple's 825-day limit for TLS server certificates (HT210176), which also applies under your own root", s.days),
                "use at most 825 days (397 is the default); re-issue from the kit when it expires"));
        }
        if s.key == KeyAlgorithm::Ed25519 {
            out.push(ed25519(&format!("servers[{i}].key")));
        }
        for (j, n) in s.names.iter().enumerate() {
            let n = n.trim();
            if n.contains('*') {
                wildcard_and_ip(n, &format!("servers[{i}].names[{j}]"), &mut out);
            }
        }
    }
    for (i, c) in spec.clients.iter().enumerate() {
        if c.key == KeyAlgorithm::Ed25519 {
            out.push(ed25519(&format!("clients[{i}].key")));
        }
    }
    for (i, d) in spec.devices.iter().enumerate() {
        if d.server_auth && i64::from(d.days) > APPLE_MAX_DAYS {
            out.push(f(
                Rule::AppleValidity825,
                Severity::Warning,
                &format!("devices[{i}].days"),
                &["Safari", "iOS", "macOS apps"],
                format!(
                    "{} days is over Apple's 825-day limit for certificates used as TLS servers",
                    d.days
                ),
                "use at most 825 days if Apple clients connect to the devices",
            ));
        }
    }
    out
}

/// Whether a certificate is used as a TLS server certificate: it says so (EKU serverAuth,
/// even on a CA certificate misused as a leaf), or it is a leaf naming hosts without any EKU.
/// A self-signed certificate whose CN is a host name (`openssl req -x509 -subj
/// /CN=localhost`, the classic quick dev certificate) is meant to be served too.
pub(crate) fn server_like(c: &Cert) -> bool {
    let host_cn = c.common_name.as_deref().is_some_and(|cn| {
        (cn == "localhost" || cn.contains('.')) && names::check_dns_name(cn, "").is_ok()
    });
    c.has_eku(&Eku::ServerAuth)
        || (!c.is_ca && c.eku.is_empty() && !no_sans(c))
        || (c.self_signed && host_cn)
}

pub(crate) fn no_sans(c: &Cert) -> bool {
    c.sans.is_empty() && c.other_sans.is_empty()
}

/// Lints a decoded certificate, against its issuer's name constraints when `issuer` is given.
pub fn lint_cert(c: &Cert, issuer: Option<&Cert>, now: OffsetDateTime) -> Vec<Finding> {
    let mut out = Vec::new();
    lint_validity(c, now, &mut out);
    lint_usage(c, &mut out);
    lint_names(c, issuer, &mut out);
    out
}

/// The validity window: expired, not yet valid, Apple's 825 days.
fn lint_validity(c: &Cert, now: OffsetDateTime, out: &mut Vec<Finding>) {
    let who = c.name();
    if c.not_after < now {
        out.push(f(
            Rule::Expired,
            Severity::Error,
            who,
            &["every client"],
            format!("the certificate expired on {}", c.not_after_rfc3339()),
            "issue a new one",
        ));
    }
    if c.not_before > now {
        out.push(f(
            Rule::NotYetValid,
            Severity::Error,
            who,
            &["every client"],
            format!(
                "the certificate is not valid before {}",
                c.not_before_rfc3339()
            ),
            "check the clock of the machine that made it, or wait",
        ));
    }
    let apple_epoch = time::macros::datetime!(2019-07-01 0:00 UTC);
    if server_like(c) && c.validity_days() > APPLE_MAX_DAYS && c.not_before >= apple_epoch {
        out.push(f(Rule::AppleValidity825, Severity::Error, who, &["Safari", "iOS", "macOS apps"],
            format!("valid for {} days, over Apple's 825-day limit for TLS server certificates (HT210176)", c.validity_days()), "re-issue it for at most 825 days"));
    }
}

/// What the certificate may be used for, and with which key and signature.
fn lint_usage(c: &Cert, out: &mut Vec<Finding>) {
    let who = c.name();
    let (server_like, no_sans) = (server_like(c), no_sans(c));
    if server_like && no_sans {
        // Chrome 58+, Firefox 48+ and Apple ignore the CN and need the host in the SAN.
        out.push(f(Rule::MissingSan, Severity::Error, who, &["Chrome 58+", "Firefox 48+", "Safari", "rustls"],
            "no subjectAltName: modern clients ignore the common name and find no host name to match", "re-issue with the host names and addresses as SANs"));
    }
    if !c.is_ca && c.eku.is_empty() {
        out.push(f(Rule::MissingEku, Severity::Warning, who, &["Safari", "iOS", "macOS (server use)", "rustls (client use)"],
            "no extendedKeyUsage: Apple requires serverAuth on TLS server certificates and rustls requires clientAuth on client certificates", "re-issue with EKU serverAuth and/or clientAuth"));
    }
    if !c.is_ca && no_sans && c.has_eku(&Eku::ClientAuth) && !server_like {
        // pyca/cryptography's ClientVerifier (Python, 43+) requires a subjectAltName on client
        // certificates, as RFC 5280 profiles do; OpenSSL, rustls, Go, Java and NSS identify a
        // client by its subject and accept one without.
        out.push(f(Rule::ClientWithoutSan, Severity::Info, who, &["Python cryptography ClientVerifier"],
            "a client certificate without subjectAltName: pyca/cryptography's ClientVerifier refuses it (OpenSSL, rustls, Go, Java and browsers' servers accept it)",
            "give the client an e-mail address: certlab writes it as an rfc822Name SAN"));
    }
    if let KeyType::Rsa(bits) = c.key
        && bits < 2048
    {
        out.push(f(
            Rule::RsaTooSmall,
            Severity::Error,
            who,
            &["Safari", "iOS", "Chrome", "OpenSSL (security level 2)"],
            format!("RSA key of {bits} bits; clients refuse RSA below 2048"),
            "re-issue with RSA 2048+ or ECDSA P-256",
        ));
    }
    if c.signature.is_sha1() && !c.self_signed {
        out.push(f(
            Rule::Sha1Signature,
            Severity::Error,
            who,
            &["Chrome", "Firefox", "Safari", "OpenSSL 3 (level 1+)"],
            "signed with SHA-1, which clients have refused since 2017",
            "re-issue with a SHA-256 signature",
        ));
    }
    if c.is_ca
        && c.self_signed
        && c.common_name
            .as_deref()
            .is_none_or(|cn| cn.trim().is_empty())
    {
        out.push(f(
            Rule::RootWithoutCn,
            Severity::Error,
            who,
            &["iOS"],
            "a root without a common name does not appear in iOS Certificate Trust Settings",
            "make a new root with a CN",
        ));
    }
    if c.is_ca && c.has_eku(&Eku::ServerAuth) && !no_sans {
        out.push(f(Rule::CaAsLeaf, Severity::Warning, who, &["Firefox", "Chrome"],
            "a CA certificate (CA:TRUE) that also names hosts: browsers refuse a CA certificate as a server certificate", "make a root CA and a separate server certificate signed by it"));
    }
    if c.key == KeyType::Ed25519 {
        out.push(ed25519(who));
    }
    if c.self_signed && !c.is_ca {
        // No client trusts a leaf as its own anchor unless the exact certificate was
        // imported; it cannot be checked by any CA, and a browser's exception is per host.
        out.push(f(Rule::SelfSignedLeaf, Severity::Error, who, &["every client that did not import this exact certificate"],
            "a self-signed certificate that is not a CA: nothing vouches for it, so no client can check it against a root it trusts",
            "issue it from a CA (certlab kit or certlab issue) and trust that CA's root"));
    }
}

/// Its names: wildcards and addresses written as DNS names, the CN missing from the SANs, and
/// names outside the issuer's constraints.
fn lint_names(c: &Cert, issuer: Option<&Cert>, out: &mut Vec<Finding>) {
    let who = c.name();
    for san in &c.sans {
        if let SanName::Dns(d) = san {
            wildcard_and_ip(d, who, out);
        }
    }
    if !no_sans(c)
        && let Some(cn) = &c.common_name
        && cn.contains('.')
        && names::check_dns_name(cn, "").is_ok()
        && !c.sans.contains(&SanName::Dns(cn.to_ascii_lowercase()))
    {
        out.push(f(Rule::CnNotInSan, Severity::Info, who, &[], format!("the CN `{cn}` looks like a host name but is not among the SANs; clients will not accept it for that name"), "add it to the SANs if clients connect with that name"));
    }
    if let Some(ca) = issuer {
        for san in &c.sans {
            if !names::permitted(&ca.constraints, san) {
                out.push(f(
                    Rule::OutsideNameConstraints,
                    Severity::Error,
                    who,
                    &["Chrome 112+", "Firefox", "OpenSSL", "rustls"],
                    format!("{san} is outside the name constraints of `{}`", ca.name()),
                    "re-issue under a CA whose constraints cover the name",
                ));
            }
        }
    }
}

/// The finding for a .p12 opened with an empty password.
pub(crate) fn lint_empty_p12() -> Finding {
    f(
        Rule::EmptyP12Password,
        Severity::Error,
        "password",
        &["iOS", "macOS"],
        "this PKCS#12 file has an empty password; iOS and macOS refuse to import it",
        "export it again with a password",
    )
}
