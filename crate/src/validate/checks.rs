//! Field checks shared by every path that plans identities: a fresh kit ([`super::plan`])
//! and a leaf under an imported CA ([`crate::leaf`]). Each pushes a problem naming its field.

use super::{MAX_CN_LEN, MAX_DAYS};
use crate::error::{ErrorKind, Problems};
use crate::names::{self, SanName};
use std::collections::{BTreeSet, HashSet};

/// Validity in days: 1 to [`MAX_DAYS`].
pub(crate) fn check_days(p: &mut Problems, field: String, days: u32) {
    if days == 0 {
        p.push(
            field,
            ErrorKind::InvalidValidity,
            "the validity is 0 days",
            "give a validity of at least 1 day",
        );
    } else if days > MAX_DAYS {
        p.push(
            field,
            ErrorKind::InvalidValidity,
            format!("the validity of {days} days is over 100 years"),
            format!("give at most {MAX_DAYS} days"),
        );
    }
}

/// A common name: present, at most 64 characters, printable.
pub(crate) fn check_cn(p: &mut Problems, field: String, cn: &str) {
    if cn.trim().is_empty() {
        p.push(
            field,
            ErrorKind::Missing,
            "the common name is empty",
            "give a name (for a root, iOS hides CAs without one)",
        );
    } else if cn.chars().count() > MAX_CN_LEN {
        p.push(
            field,
            ErrorKind::TooLong,
            format!("the common name is {} characters long", cn.chars().count()),
            format!("shorten it to at most {MAX_CN_LEN} characters (X.520 limit)"),
        );
    } else if cn.chars().any(|c| c.is_control()) {
        p.push(
            field,
            ErrorKind::InvalidDnsName,
            "the common name contains control characters",
            "use printable characters only",
        );
    }
}

/// At most 64 letters, digits, `.`, `_` or `-`, not starting with `.` or `-`: a name every
/// file system and shell takes as it is.
pub(crate) fn is_safe_stem(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// A file stem made from a common name (`Alice Smith` → `alice-smith`): ASCII letters and
/// digits lower-cased, `.` and `_` kept, anything else a `-`, runs of `-` as one, no `.` or
/// `-` at the ends, at most 64 characters. A CN with nothing of that (`Ελένη`) gives itself
/// back, and [`check_stem`] then says it cannot be a file name.
pub(crate) fn stem_from(cn: &str) -> String {
    let mut stem = String::new();
    for c in cn.trim().chars() {
        let c = match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '.' | '_' => c.to_ascii_lowercase(),
            _ => '-',
        };
        if !(c == '-' && (stem.is_empty() || stem.ends_with('-'))) {
            stem.push(c);
        }
    }
    let stem: String = stem.trim_matches(['-', '.']).chars().take(64).collect();
    let stem = stem.trim_end_matches(['-', '.']).to_string();
    if stem.is_empty() {
        cn.trim().to_string()
    } else {
        stem
    }
}

/// A file stem: a short, safe file name, unique (case-insensitively) among `seen`.
pub(crate) fn check_stem(p: &mut Problems, field: String, name: &str, seen: &mut HashSet<String>) {
    if name.is_empty() {
        p.push(
            field,
            ErrorKind::Missing,
            "the identity name is empty",
            "give a short file name such as `server` or `alice`",
        );
        return;
    }
    if !is_safe_stem(name) {
        p.push(
            field,
            ErrorKind::BadFileName,
            format!("`{name}` cannot be used as a file name"),
            "use at most 64 letters, digits, `.`, `_` or `-`, not starting with `.` or `-`",
        );
        return;
    }
    // A kit's file names are the stem plus `.crt`, `.chain.pem`, `.modern.p12`…: a stem
    // ending in one of those inner parts would write another identity's file (`alice.modern`'s
    // `.p12` is `alice`'s `.modern.p12`). Refused here, so a kit streamed to disk never meets
    // the clash half-way.
    let lower = name.to_ascii_lowercase();
    if let Some((suffix, ext)) = [("modern", "p12"), ("chain", "pem"), ("fullchain", "pem")]
        .into_iter()
        .find(|(s, _)| lower.ends_with(&format!(".{s}")))
    {
        let base = &name[..name.len() - suffix.len() - 1];
        p.push(
            field,
            ErrorKind::DuplicateName,
            format!("`{name}` ends in `.{suffix}`: its `{name}.{ext}` is the name of `{base}`'s `.{suffix}.{ext}` file"),
            format!("rename it, e.g. `{base}-{suffix}`"),
        );
        return;
    }
    if !seen.insert(lower) {
        p.push(
            field,
            ErrorKind::DuplicateName,
            format!("the name `{name}` is used twice"),
            "give every identity its own name: files would overwrite each other",
        );
    }
}

/// The kit's secrets: a PKCS#12 password when .p12 files are written, and a key passphrase
/// that is either absent or non-empty.
pub(crate) fn check_secrets(
    p: &mut Problems,
    p12_password: Option<&str>,
    key_password: Option<&str>,
) {
    if p12_password == Some("") {
        p.push(
            "p12_password",
            ErrorKind::EmptyPassword,
            "the PKCS#12 password is empty",
            "set a password: iOS and macOS refuse to import a .p12 with an empty one",
        );
    }
    if key_password == Some("") {
        p.push(
            "key_password",
            ErrorKind::EmptyPassword,
            "the key passphrase is empty",
            "set a passphrase, or leave keys unencrypted by not setting one",
        );
    }
}

/// A server's names as SANs, in order, without repeats; `field` is the list's field.
pub(crate) fn server_names(p: &mut Problems, field: &str, raw: &[String]) -> Vec<SanName> {
    let mut seen = BTreeSet::new();
    let mut ordered = Vec::new();
    for (j, n) in raw.iter().enumerate() {
        match names::parse_server_name(n, &format!("{field}[{j}]")) {
            Ok(san) => {
                if seen.insert(san.clone()) {
                    ordered.push(san);
                }
            }
            Err(e) => p.0.push(e),
        }
    }
    ordered
}

/// The common name a server gets when none is given: its first name.
pub(crate) fn default_server_cn(sans: &[SanName]) -> String {
    sans.first()
        .map(|n| match n {
            SanName::Dns(d) => d.clone(),
            SanName::Ip(ip) => ip.to_string(),
            SanName::Email(e) => e.clone(),
        })
        .unwrap_or_default()
}

/// A client's e-mail address as an rfc822Name SAN.
pub(crate) fn email_san(p: &mut Problems, field: &str, email: Option<&str>) -> Option<SanName> {
    match names::check_email(email?, field) {
        Ok(e) => Some(SanName::Email(e)),
        Err(e) => {
            p.0.push(e);
            None
        }
    }
}

/// A device acting as a TLS server is reached by its name: that name must be a host name.
pub(crate) fn device_dns(p: &mut Problems, field: &str, cn: &str) -> Option<SanName> {
    match names::check_dns_name(cn, field) {
        Ok(dns) => Some(SanName::Dns(dns)),
        Err(mut e) => {
            e.problem = format!(
                "device `{cn}` must be a host name to act as a server: {}",
                e.problem
            );
            p.0.push(e);
            None
        }
    }
}

/// Subject fields besides the CN: RFC 5280's upper bounds (O and OU 64, ST and L 128), C two
/// letters, and no control characters.
pub(crate) fn check_subject(p: &mut Problems, field: &str, s: &crate::spec::SubjectFields) {
    let fields = [
        ("organization", &s.organization, 64),
        ("organizational_unit", &s.organizational_unit, 64),
        ("state", &s.state, 128),
        ("locality", &s.locality, 128),
    ];
    for (name, value, max) in fields {
        let Some(v) = value.as_deref().map(str::trim) else {
            continue;
        };
        if v.chars().count() > max {
            p.push(
                format!("{field}.{name}"),
                ErrorKind::TooLong,
                format!("the {name} is {} characters long", v.chars().count()),
                format!("shorten it to at most {max} characters (RFC 5280)"),
            );
        } else if v.chars().any(char::is_control) {
            p.push(
                format!("{field}.{name}"),
                ErrorKind::InvalidDnsName,
                format!("the {name} contains control characters"),
                "use printable characters only",
            );
        }
    }
    if let Some(c) = s
        .country
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        && !(c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
    {
        p.push(
            format!("{field}.country"),
            ErrorKind::InvalidDnsName,
            format!("the country `{c}` is not a two-letter code"),
            "give the ISO 3166 code in capitals, e.g. `FR`, `DE`, `US`",
        );
    }
}
