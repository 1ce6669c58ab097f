//! Subject names: parsing and checking DNS names, IP addresses and e-mail addresses, and
//! matching them against name constraints (RFC 5280 §4.2.1.10).

use crate::error::{ErrorKind, FieldError};
use std::net::IpAddr;

/// A subjectAltName entry, checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SanName {
    /// A DNS name, lower-cased, possibly `*.` + name.
    Dns(String),
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// An rfc822Name (e-mail address).
    Email(String),
}

impl std::fmt::Display for SanName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SanName::Dns(d) => write!(f, "DNS:{d}"),
            SanName::Ip(ip) => write!(f, "IP:{ip}"),
            SanName::Email(e) => write!(f, "email:{e}"),
        }
    }
}

/// A permitted subtree of a name constraint.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subtree {
    /// DNS: the name itself and every name below it.
    Dns(String),
    /// An address range.
    Ip(IpAddr, u8),
    /// E-mail addresses at this host or domain.
    Email(String),
}

impl std::fmt::Display for Subtree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subtree::Dns(d) => write!(f, "DNS:{d}"),
            Subtree::Ip(ip, p) => write!(f, "IP:{ip}/{p}"),
            Subtree::Email(e) => write!(f, "email:@{e}"),
        }
    }
}

fn err(field: &str, kind: ErrorKind, problem: String, fix: &str) -> FieldError {
    FieldError::new(field, kind, problem, fix)
}

/// Parses one server name: an IP address (also `[::1]`) or a DNS name (wildcard allowed).
pub(crate) fn parse_server_name(raw: &str, field: &str) -> Result<SanName, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(err(
            field,
            ErrorKind::Missing,
            "the name is empty".into(),
            "write a host name such as `localhost` or an address such as `127.0.0.1`",
        ));
    }
    let unbracketed = s
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(s);
    if let Ok(ip) = unbracketed.parse::<IpAddr>() {
        return Ok(SanName::Ip(ip));
    }
    if unbracketed.contains(':') {
        let fix = if unbracketed.contains('%') {
            "remove the zone index (`%eth0`): certificates cannot name one"
        } else {
            "write a valid IPv6 address such as `::1` or `fd00::10`"
        };
        return Err(err(
            field,
            ErrorKind::InvalidIp,
            format!("`{s}` is not a valid IPv6 address"),
            fix,
        ));
    }
    if looks_like_ipv4(s) {
        return Err(err(
            field,
            ErrorKind::InvalidIp,
            format!(
                "`{s}` looks like an IPv4 address but is not one (four numbers 0–255 are needed)"
            ),
            "write four numbers from 0 to 255 separated by dots, e.g. `192.168.1.20`",
        ));
    }
    check_dns_name(s, field).map(SanName::Dns)
}

/// Digits and dots only: meant as an IPv4 address.
pub(crate) fn looks_like_ipv4(s: &str) -> bool {
    !s.is_empty() && s.contains('.') && s.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// Checks a DNS name (LDH labels, ≤ 253 characters; `*.` allowed as the whole first label
/// with at least two labels after it) and returns it lower-cased.
pub(crate) fn check_dns_name(raw: &str, field: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    if !s.is_ascii() {
        return Err(err(
            field,
            ErrorKind::InvalidDnsName,
            format!("`{s}` has non-ASCII characters"),
            "write internationalised names in their punycode form (`xn--…`); certificates carry only ASCII DNS names",
        ));
    }
    let s = s.to_ascii_lowercase();
    if s.ends_with('.') {
        return Err(err(
            field,
            ErrorKind::InvalidDnsName,
            format!("`{s}` ends with a dot"),
            "remove the trailing dot",
        ));
    }
    if s.len() > 253 {
        return Err(err(
            field,
            ErrorKind::TooLong,
            format!("`{}…` is {} characters long", &s[..20], s.len()),
            "DNS names are at most 253 characters",
        ));
    }
    let labels: Vec<&str> = s.split('.').collect();
    for (i, label) in labels.iter().enumerate() {
        if label.contains('*') {
            if i != 0 || *label != "*" {
                return Err(err(
                    field,
                    ErrorKind::BadWildcard,
                    format!("`{s}` has a wildcard that is not the whole left-most label"),
                    "a wildcard must be `*.` followed by a name, e.g. `*.dev.lab`; browsers refuse partial (`f*o.lab`) and inner (`a.*.lab`) wildcards",
                ));
            }
            if labels.len() < 3 {
                return Err(err(
                    field,
                    ErrorKind::BadWildcard,
                    format!("`{s}` is a wildcard directly under a top-level domain"),
                    "browsers refuse wildcards over a whole top-level domain: use at least two labels after `*.`, e.g. `*.dev.lab`, or list the names",
                ));
            }
            continue;
        }
        if label.is_empty() {
            return Err(err(
                field,
                ErrorKind::InvalidDnsName,
                format!("`{s}` has an empty label (two dots in a row, or a leading dot)"),
                "remove the extra dot",
            ));
        }
        if label.len() > 63 {
            return Err(err(
                field,
                ErrorKind::InvalidDnsName,
                format!("`{s}` has a label longer than 63 characters"),
                "shorten each dot-separated part to at most 63 characters",
            ));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            let fix = if c == '_' {
                "replace `_` with `-`: host names may hold only letters, digits and hyphens"
            } else {
                "host names may hold only letters, digits, hyphens and dots"
            };
            return Err(err(
                field,
                ErrorKind::InvalidDnsName,
                format!("`{s}` contains `{c}`"),
                fix,
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(err(
                field,
                ErrorKind::InvalidDnsName,
                format!("`{s}` has a label that starts or ends with `-`"),
                "move the hyphen inside the label",
            ));
        }
    }
    if labels.len() > 1
        && labels
            .last()
            .is_some_and(|t| t.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(err(
            field,
            ErrorKind::InvalidDnsName,
            format!("`{s}` ends in an all-numeric label"),
            "a top-level domain cannot be numeric; if this is an address, write it as one",
        ));
    }
    Ok(s)
}

/// Checks an e-mail address (local@domain, the domain a DNS name).
pub(crate) fn check_email(raw: &str, field: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    let bad = |p: String| {
        err(
            field,
            ErrorKind::InvalidEmail,
            p,
            "write an address such as `alice@lab.test`",
        )
    };
    let Some((local, domain)) = s.rsplit_once('@') else {
        return Err(bad(format!("`{s}` has no `@`")));
    };
    if local.is_empty()
        || local.len() > 64
        || !local.is_ascii()
        || local
            .chars()
            .any(|c| c.is_whitespace() || c == '@' || c.is_ascii_control())
    {
        return Err(bad(format!(
            "the part before `@` in `{s}` is empty or has spaces or other characters e-mail does not allow"
        )));
    }
    if domain.contains('*') {
        return Err(bad(format!("`{s}` has a wildcard")));
    }
    let domain = check_dns_name(domain, field)
        .map_err(|e| bad(format!("the domain of `{s}` is not valid: {}", e.problem)))?;
    Ok(format!("{local}@{domain}"))
}

/// Parses a name-constraint entry: `10.0.0.0/8`, `::1/128` or a DNS name (`lab`,
/// `example.test`; a leading dot is dropped).
pub(crate) fn parse_subtree(raw: &str, field: &str) -> Result<Subtree, FieldError> {
    let s = raw.trim();
    if s.starts_with('@') || s.contains('@') {
        // rustls/webpki refuses any certificate with an e-mail name below a CA that
        // constrains e-mail names (it does not implement rfc822Name matching), so such a
        // constraint would lock every mTLS client with an e-mail SAN out of rustls servers.
        return Err(err(
            field,
            ErrorKind::InvalidEmail,
            format!("`{s}` is an e-mail constraint"),
            "leave e-mail names unconstrained: rustls-based servers refuse client certificates with e-mail names under e-mail constraints",
        ));
    }
    if let Some((addr, prefix)) = s.split_once('/') {
        let ip: IpAddr = addr.parse().map_err(|_| {
            err(
                field,
                ErrorKind::InvalidIp,
                format!("`{addr}` in `{s}` is not an IP address"),
                "write a range as ADDRESS/PREFIX, e.g. `10.0.0.0/8` or `fd00::/8`",
            )
        })?;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let p: u8 = prefix.parse().ok().filter(|p| *p <= max).ok_or_else(|| {
            err(
                field,
                ErrorKind::InvalidIp,
                format!("`/{prefix}` in `{s}` is not a prefix length from 0 to {max}"),
                "write a range as ADDRESS/PREFIX, e.g. `10.0.0.0/8`",
            )
        })?;
        return Ok(Subtree::Ip(mask(ip, p), p));
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        let p = if ip.is_ipv4() { 32 } else { 128 };
        return Ok(Subtree::Ip(ip, p));
    }
    let dns = s.strip_prefix('.').unwrap_or(s);
    if dns.contains('*') {
        return Err(err(
            field,
            ErrorKind::BadWildcard,
            format!("`{s}` has a wildcard"),
            "a name constraint already covers every name below it: write `dev.lab`, not `*.dev.lab`",
        ));
    }
    check_dns_name(dns, field).map(Subtree::Dns)
}

/// Zeroes the host bits of `ip` beyond `prefix`.
pub(crate) fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let m = if prefix == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(prefix))
            };
            IpAddr::V4((bits & m).into())
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let m = if prefix == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(prefix))
            };
            IpAddr::V6((bits & m).into())
        }
    }
}

/// Whether a name lies inside a subtree of the same kind (`None` if the kinds differ, in
/// which case the subtree says nothing about the name).
pub(crate) fn subtree_matches(tree: &Subtree, name: &SanName) -> Option<bool> {
    match (tree, name) {
        (Subtree::Dns(base), SanName::Dns(n)) => {
            let n = n.strip_prefix("*.").unwrap_or(n);
            Some(n == base || n.ends_with(&format!(".{base}")))
        }
        (Subtree::Ip(base, p), SanName::Ip(ip)) => {
            Some(base.is_ipv4() == ip.is_ipv4() && mask(*ip, *p) == *base)
        }
        (Subtree::Email(base), SanName::Email(e)) => {
            let domain = e.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
            Some(domain == base || domain.ends_with(&format!(".{base}")))
        }
        _ => None,
    }
}

/// Whether `name` is allowed by a set of permitted subtrees: a name form with no subtree in
/// the set is unconstrained (RFC 5280 §4.2.1.10).
pub(crate) fn permitted(trees: &[Subtree], name: &SanName) -> bool {
    let relevant: Vec<bool> = trees
        .iter()
        .filter_map(|t| subtree_matches(t, name))
        .collect();
    relevant.is_empty() || relevant.into_iter().any(|m| m)
}

/// Top-level domains that are reserved or never delegated, so a constraint on the whole TLD
/// cannot cover a real site (RFC 2606, RFC 6761, RFC 8375, ICANN's `internal`).
const PRIVATE_TLDS: &[&str] = &[
    "lab",
    "test",
    "example",
    "invalid",
    "localhost",
    "local",
    "internal",
    "lan",
    "home",
    "corp",
    "intranet",
    "private",
];

/// The subtree `auto` name constraints choose for a name (see
/// [`crate::spec::NameConstraints::Auto`]); `None` for e-mail names, which stay unconstrained
/// (rustls/webpki refuses any e-mail name below an e-mail constraint).
pub(crate) fn auto_subtree(name: &SanName) -> Option<Subtree> {
    Some(match name {
        SanName::Dns(d) => {
            let d = d.strip_prefix("*.").unwrap_or(d);
            let tld = d.rsplit('.').next().unwrap_or(d);
            if d.ends_with(".home.arpa") || d == "home.arpa" {
                Subtree::Dns("home.arpa".into())
            } else if PRIVATE_TLDS.contains(&tld) {
                Subtree::Dns(tld.to_string())
            } else {
                Subtree::Dns(d.to_string())
            }
        }
        SanName::Ip(ip) if ip.is_loopback() && ip.is_ipv4() => Subtree::Ip(mask(*ip, 8), 8),
        SanName::Ip(ip) => Subtree::Ip(*ip, if ip.is_ipv4() { 32 } else { 128 }),
        SanName::Email(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_labels() {
        assert_eq!(
            check_dns_name("API.Dev.Lab", "f").map_err(|e| e.kind),
            Ok("api.dev.lab".into())
        );
        assert!(check_dns_name("*.dev.lab", "f").is_ok());
        for bad in [
            "*.lab",
            "a.*.lab",
            "x*.dev.lab",
            "-a.lab",
            "a-.lab",
            "a_b.lab",
            "a..b",
            "1.2.3.4.5",
        ] {
            assert!(check_dns_name(bad, "f").is_err(), "{bad}");
        }
    }

    #[test]
    fn constraint_matching() {
        let lab = Subtree::Dns("lab".into());
        assert_eq!(
            subtree_matches(&lab, &SanName::Dns("mqtt.lab".into())),
            Some(true)
        );
        assert_eq!(
            subtree_matches(&lab, &SanName::Dns("*.x.lab".into())),
            Some(true)
        );
        assert_eq!(
            subtree_matches(&lab, &SanName::Dns("evillab".into())),
            Some(false)
        );
        let lo: IpAddr = "127.0.0.0".parse().expect("ip");
        let r = Subtree::Ip(lo, 8);
        assert_eq!(
            subtree_matches(&r, &SanName::Ip("127.9.9.9".parse().expect("ip"))),
            Some(true)
        );
        assert_eq!(
            subtree_matches(&r, &SanName::Ip("::1".parse().expect("ip"))),
            Some(false)
        );
        assert_eq!(subtree_matches(&r, &SanName::Dns("lab".into())), None);
        assert!(
            permitted(
                std::slice::from_ref(&lab),
                &SanName::Ip("10.0.0.1".parse().expect("ip"))
            ),
            "another name form is unconstrained"
        );
        assert!(!permitted(&[lab], &SanName::Dns("example.com".into())));
    }

    #[test]
    fn auto_subtrees() {
        assert_eq!(
            auto_subtree(&SanName::Dns("localhost".into())),
            Some(Subtree::Dns("localhost".into()))
        );
        assert_eq!(
            auto_subtree(&SanName::Dns("*.dev.lab".into())),
            Some(Subtree::Dns("lab".into()))
        );
        assert_eq!(
            auto_subtree(&SanName::Dns("api.example.com".into())),
            Some(Subtree::Dns("api.example.com".into()))
        );
        assert_eq!(
            auto_subtree(&SanName::Dns("nas.home.arpa".into())),
            Some(Subtree::Dns("home.arpa".into()))
        );
        assert_eq!(
            auto_subtree(&SanName::Ip("127.0.0.1".parse().expect("ip"))),
            Some(Subtree::Ip("127.0.0.0".parse().expect("ip"), 8))
        );
        assert_eq!(auto_subtree(&SanName::Email("a@lab.test".into())), None);
    }
}
