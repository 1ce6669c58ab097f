//! A CRL read from outside (PEM `X509 CRL` or DER): its entries, number and dates, after
//! checking that the CA it names signed it (the signature with [`super::verify`], the same
//! RustCrypto verifiers as for CSRs). Signing CRLs is [`crate::crl`]'s.

use super::SignatureAlgorithm;
use super::pem::{is_pem, pem_blocks};
use crate::error::{Error, ErrorKind};
use time::OffsetDateTime;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList as X509Crl;

/// Why a certificate was revoked (RFC 5280 §5.3.1 CRLReason), named as openssl names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Reason {
    Unspecified,
    KeyCompromise,
    CaCompromise,
    AffiliationChanged,
    Superseded,
    CessationOfOperation,
    CertificateHold,
    RemoveFromCrl,
    PrivilegeWithdrawn,
    AaCompromise,
}

impl Reason {
    /// Every reason, in code order (7 is unassigned).
    pub const ALL: [Reason; 10] = [
        Reason::Unspecified,
        Reason::KeyCompromise,
        Reason::CaCompromise,
        Reason::AffiliationChanged,
        Reason::Superseded,
        Reason::CessationOfOperation,
        Reason::CertificateHold,
        Reason::RemoveFromCrl,
        Reason::PrivilegeWithdrawn,
        Reason::AaCompromise,
    ];

    /// The name openssl's `-crl_reason` takes and RFC 5280 uses (`keyCompromise`).
    pub fn name(self) -> &'static str {
        match self {
            Reason::Unspecified => "unspecified",
            Reason::KeyCompromise => "keyCompromise",
            Reason::CaCompromise => "cACompromise",
            Reason::AffiliationChanged => "affiliationChanged",
            Reason::Superseded => "superseded",
            Reason::CessationOfOperation => "cessationOfOperation",
            Reason::CertificateHold => "certificateHold",
            Reason::RemoveFromCrl => "removeFromCRL",
            Reason::PrivilegeWithdrawn => "privilegeWithdrawn",
            Reason::AaCompromise => "aACompromise",
        }
    }

    /// The reason named `s` (case-insensitive), or an error listing the names.
    pub fn from_name(s: &str) -> Result<Reason, Error> {
        Reason::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                let names: Vec<&str> = Reason::ALL.iter().map(|r| r.name()).collect();
                Error::field(
                    "reason",
                    ErrorKind::Inconsistent,
                    format!("`{s}` is not a CRL reason"),
                    format!("use one of {}", names.join(", ")),
                )
            })
    }

    fn code(self) -> u8 {
        match self {
            Reason::RemoveFromCrl => 8,
            Reason::PrivilegeWithdrawn => 9,
            Reason::AaCompromise => 10,
            r => r as u8,
        }
    }

    pub(crate) fn from_code(c: u8) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == c)
    }
}

/// One revoked certificate in a CRL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoked {
    /// Its serial number, lower-case hex without leading zero bytes.
    pub serial: String,
    /// When it was revoked.
    pub revoked_at: OffsetDateTime,
    /// Why, when the CRL says.
    pub reason: Option<Reason>,
    /// When the key is known or suspected to have been compromised, when the CRL says.
    pub invalid_since: Option<OffsetDateTime>,
}

/// A decoded CRL whose signature verified against its CA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crl {
    /// The CRL, DER.
    pub der: Vec<u8>,
    /// Its CRL number, lower-case hex (`01` for a kit's first CRL).
    pub number: String,
    /// thisUpdate.
    pub this_update: OffsetDateTime,
    /// nextUpdate (a CRL without one is refused: RFC 5280 requires it).
    pub next_update: OffsetDateTime,
    /// The revoked certificates, in CRL order.
    pub revoked: Vec<Revoked>,
}

impl Crl {
    /// The CRL number as openssl prints it: decimal (hex with `0x` beyond 128 bits).
    pub fn number_text(&self) -> String {
        match hex::decode(&self.number) {
            Ok(b) if b.len() <= 16 => {
                let n = b.iter().fold(0u128, |acc, x| (acc << 8) | u128::from(*x));
                n.to_string()
            }
            _ => format!("0x{}", self.number),
        }
    }

    /// The entry of `serial_hex` (any case, leading zeros ignored), if it is revoked.
    pub fn entry(&self, serial_hex: &str) -> Option<&Revoked> {
        let want = normal_hex(serial_hex);
        self.revoked.iter().find(|r| r.serial == want)
    }
}

/// Lower-case hex of a non-negative integer, without leading zero bytes, even length.
pub(crate) fn normal_hex(s: &str) -> String {
    let s = s.trim().to_ascii_lowercase();
    let t = s.trim_start_matches('0');
    if t.is_empty() {
        "00".into()
    } else if t.len() % 2 == 1 {
        format!("0{t}")
    } else {
        t.to_string()
    }
}

/// Reads a CRL (PEM `X509 CRL` or DER) and checks that the CA in `ca_der` signed it.
pub fn read_crl(bytes: &[u8], ca_der: &[u8]) -> Result<Crl, Error> {
    let der = crl_der(bytes)?;
    let bad = |problem: String| {
        Error::field(
            "crl",
            ErrorKind::BadDer,
            problem,
            "give the .crl file certlab wrote for this CA (PEM `X509 CRL` or DER)",
        )
    };
    let crl = match X509Crl::from_der(&der) {
        Ok(([], c)) => c,
        Ok(_) => return Err(bad("the CRL has trailing bytes after it".into())),
        Err(e) => return Err(bad(format!("the CRL does not parse ({e})"))),
    };
    let ca = super::parse_x509(ca_der, "ca_cert")?;
    if crl.issuer().as_raw() != ca.subject().as_raw() {
        return Err(Error::field(
            "crl",
            ErrorKind::Inconsistent,
            format!(
                "the CRL is issued by `{}`, not by the CA `{}`",
                crl.issuer(),
                ca.subject()
            ),
            "give the CRL of this CA (each CA has its own NAME.crl)",
        ));
    }
    let alg = SignatureAlgorithm::of(&crl.signature_algorithm.algorithm);
    let tbs = tbs_of(&der).ok_or_else(|| bad("the CRL's signed part is malformed".into()))?;
    super::verify::verify(ca.public_key().raw, &alg, tbs, &crl.signature_value.data).map_err(
        |e| {
            Error::field(
                "crl",
                ErrorKind::BadSignature,
                format!("the CRL's signature does not verify with the CA's key: {e}"),
                "give the CRL this CA signed; a CRL altered or signed by another key is refused",
            )
        },
    )?;
    let next_update = crl
        .next_update()
        .ok_or_else(|| bad("the CRL has no nextUpdate (RFC 5280 requires one)".into()))?;
    let revoked = crl
        .iter_revoked_certificates()
        .map(|r| Revoked {
            serial: normal_hex(&hex::encode(r.raw_serial())),
            revoked_at: r.revocation_date.to_datetime(),
            reason: r.reason_code().and_then(|(_, c)| Reason::from_code(c.0)),
            invalid_since: r.invalidity_date().map(|(_, t)| t.to_datetime()),
        })
        .collect();
    Ok(Crl {
        number: crl.crl_number().map_or_else(
            || "00".into(),
            |n| normal_hex(&hex::encode(n.to_bytes_be())),
        ),
        this_update: crl.last_update().to_datetime(),
        next_update: next_update.to_datetime(),
        revoked,
        der: der.clone(),
    })
}

/// The DER of a CRL given as PEM or DER.
fn crl_der(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    if !is_pem(bytes) {
        return Ok(bytes.to_vec());
    }
    let blocks = pem_blocks(bytes, "crl")?;
    match blocks.iter().find(|b| b.tag() == "X509 CRL") {
        Some(b) => Ok(b.contents().to_vec()),
        None => {
            let tags: Vec<&str> = blocks.iter().map(|b| b.tag()).collect();
            Err(Error::field(
                "crl",
                ErrorKind::BadPem,
                format!("the PEM holds {} but no X509 CRL", tags.join(", ")),
                "give the .crl file (-----BEGIN X509 CRL-----), not a certificate or key",
            ))
        }
    }
}

/// The signed part (tbsCertList) of a DER CertificateList: the first element of its outer
/// SEQUENCE, header included.
fn tbs_of(der: &[u8]) -> Option<&[u8]> {
    let inner = der.get(header_len(der)?..)?;
    let len = header_len(inner)? + content_len(inner)?;
    inner.get(..len)
}

fn header_len(der: &[u8]) -> Option<usize> {
    match *der.get(1)? {
        n if n < 0x80 => Some(2),
        n => Some(2 + usize::from(n & 0x7f)),
    }
}

fn content_len(der: &[u8]) -> Option<usize> {
    match *der.get(1)? {
        n if n < 0x80 => Some(usize::from(n)),
        n => {
            let k = usize::from(n & 0x7f);
            if k > 4 {
                return None;
            }
            der.get(2..2 + k)?
                .iter()
                .try_fold(0usize, |acc, b| Some((acc << 8) | usize::from(*b)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crl_numbers_read_as_openssl_prints_them() {
        let crl = |number: &str| Crl {
            der: Vec::new(),
            number: number.into(),
            this_update: OffsetDateTime::UNIX_EPOCH,
            next_update: OffsetDateTime::UNIX_EPOCH,
            revoked: Vec::new(),
        };
        assert_eq!(crl("0a").number_text(), "10");
        assert_eq!(
            crl(&"ff".repeat(17)).number_text(),
            format!("0x{}", "ff".repeat(17))
        );
        assert_eq!(normal_hex("000A1"), "a1");
        assert_eq!(normal_hex("0A01"), "0a01");
    }
}
