//! Names and times as certificates carry them: the common name of a DN, subjectAltName
//! entries, name-constraint subtrees, and RFC 3339 times. The one place each is decoded.
//!
//! Every text decoded here leaves with its control characters escaped ([`text`]), so a name
//! from a certificate or CSR can be printed, logged or shown by any layer above.

use crate::names::{self, SanName, Subtree};
use crate::text::escape_control;
use std::net::IpAddr;
use time::OffsetDateTime;
use x509_parser::prelude::{GeneralName, X509Name};

/// RFC 3339 text of a time (`2026-12-02T04:33:18Z`), as the manifest and every view show it.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The first common name of a distinguished name, if it is text.
pub(crate) fn common_name(dn: &X509Name<'_>) -> Option<String> {
    dn.iter_common_name()
        .next()
        .and_then(|a| a.as_str().ok())
        .map(text)
}

/// Text from a certificate or CSR, safe to print (control characters escaped).
pub(crate) fn text(s: &str) -> String {
    escape_control(s).into_owned()
}

/// A distinguished name as one line (`CN=alice, O=Lab`), safe to print.
pub(crate) fn dn(dn: &X509Name<'_>) -> String {
    text(&dn.to_string())
}

/// An iPAddress SAN's bytes (4 or 16) as an address.
pub(crate) fn ip(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

/// A subjectAltName entry: DNS (lower-cased), IP and e-mail as a [`SanName`]; anything else
/// (URI, directory names, a malformed address) as its text, `Err("URI:…")`.
pub(crate) fn san(g: &GeneralName<'_>) -> Result<SanName, String> {
    match g {
        GeneralName::DNSName(d) => Ok(SanName::Dns(text(&d.to_ascii_lowercase()))),
        GeneralName::RFC822Name(e) => Ok(SanName::Email(text(e))),
        GeneralName::IPAddress(b) => ip(b)
            .map(SanName::Ip)
            .ok_or_else(|| format!("IP:{}", hex::encode(b))),
        GeneralName::URI(u) => Err(text(&format!("URI:{u}"))),
        other => Err(text(&other.to_string())),
    }
}

/// A permitted subtree of a name constraint (DNS, e-mail, IP range); `None` for other forms.
pub(crate) fn subtree(g: &GeneralName<'_>) -> Option<Subtree> {
    match g {
        GeneralName::DNSName(d) => Some(Subtree::Dns(text(
            &d.trim_start_matches('.').to_ascii_lowercase(),
        ))),
        GeneralName::RFC822Name(e) => Some(Subtree::Email(text(
            &e.trim_start_matches(['.', '@']).to_ascii_lowercase(),
        ))),
        GeneralName::IPAddress(b) => {
            let (addr, mask) = b.split_at(b.len() / 2);
            let prefix = mask.iter().map(|m| m.count_ones()).sum::<u32>() as u8;
            let addr = ip(addr)?;
            Some(Subtree::Ip(names::mask(addr, prefix), prefix))
        }
        _ => None,
    }
}
