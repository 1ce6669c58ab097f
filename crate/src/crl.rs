//! Certificate revocation lists (RFC 5280 §5): the empty CRL every CA of a kit gets, and
//! revocation — a CA, its current CRL and a leaf (or a serial) in, a new CRL signed by that
//! CA out, with the earlier entries kept and the CRL number one higher. rcgen encodes and
//! signs; x509-parser reads a current CRL, whose signature [`crate::decode`] checks.

use crate::decode::{Cert, KeyUsage, SignatureAlgorithm, certificates, is_pem, pem_blocks};
use crate::error::{Error, ErrorKind};
use crate::import::ImportedCa;
use crate::keys::KeyPair;
use rcgen::{CertificateRevocationListParams, RevocationReason, RevokedCertParams, SerialNumber};
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList as X509Crl;

/// How long a CRL is valid (its nextUpdate after thisUpdate): 30 days, or up to the CA's own
/// end when that is sooner. Verifiers (openssl `-crl_check`, Python's ssl, rustls) refuse an
/// expired CRL ("CRL has expired"), so a lab re-runs `certlab revoke` (or makes a new kit)
/// within a month; a CRL outliving its CA would be meaningless.
pub const CRL_DAYS: i64 = 30;

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

    fn from_code(c: u8) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == c)
    }

    fn rcgen(self) -> RevocationReason {
        use RevocationReason as R;
        [
            R::Unspecified,
            R::KeyCompromise,
            R::CaCompromise,
            R::AffiliationChanged,
            R::Superseded,
            R::CessationOfOperation,
            R::CertificateHold,
            R::RemoveFromCrl,
            R::PrivilegeWithdrawn,
            R::AaCompromise,
        ][self as usize]
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
    /// The CRL as PEM (`X509 CRL`), the form openssl, nginx and mosquitto read.
    pub fn pem(&self) -> String {
        crate::export::pem::encode("X509 CRL", &self.der)
    }

    /// The entry of `serial_hex` (any case, leading zeros ignored), if it is revoked.
    pub fn entry(&self, serial_hex: &str) -> Option<&Revoked> {
        let want = normal_hex(serial_hex);
        self.revoked.iter().find(|r| r.serial == want)
    }
}

/// What to revoke: a certificate (PEM or DER, its serial is read and its issuer checked), or
/// a bare serial number in hex (`0a:1b…`, `0x0a1b…` and spaces are accepted).
#[derive(Debug, Clone, Copy)]
pub enum RevokeTarget<'a> {
    /// The certificate's bytes.
    Cert(&'a [u8]),
    /// Its serial number, hex.
    Serial(&'a str),
}

/// What [`revoke`] did.
#[derive(Debug, Clone)]
pub enum Revocation {
    /// A new CRL holding the earlier entries and this one.
    Revoked {
        /// The new CRL.
        crl: Crl,
        /// The serial just revoked, hex.
        serial: String,
    },
    /// The serial was already in the current CRL: nothing changed (the entry is kept as it
    /// was, with its first date and reason).
    AlreadyRevoked(Revoked),
}

/// The empty CRL of a CA that certlab just made: CRL number 1, thisUpdate `now`, nextUpdate
/// [`CRL_DAYS`] later or the CA's end.
pub(crate) fn empty_crl(
    ca_der: &[u8],
    ca_key: &KeyPair,
    ca_not_after: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Vec<u8>, Error> {
    sign(ca_der, ca_key, ca_not_after, Vec::new(), vec![1], now)
}

fn sign(
    ca_der: &[u8],
    ca_key: &KeyPair,
    ca_not_after: OffsetDateTime,
    revoked_certs: Vec<RevokedCertParams>,
    number: Vec<u8>,
    now: OffsetDateTime,
) -> Result<Vec<u8>, Error> {
    let next_update = (now + Duration::days(CRL_DAYS)).min(ca_not_after);
    if next_update <= now {
        return Err(Error::field(
            "ca_cert",
            ErrorKind::Expired,
            "the CA ends now: a CRL it signs would already be out of date",
            "make a new CA",
        ));
    }
    // The CA's own subject and key identifier (its SKI becomes the CRL's authority key
    // identifier), as for a leaf issued under it.
    let issuer_params = crate::issue::issuer_params(ca_der)?;
    let params = CertificateRevocationListParams {
        this_update: now,
        next_update,
        crl_number: SerialNumber::from(number),
        issuing_distribution_point: None,
        revoked_certs,
        key_identifier_method: issuer_params.key_identifier_method.clone(),
    };
    let issuer = rcgen::Issuer::new(issuer_params, ca_key);
    let crl = params.signed_by(&issuer)?;
    Ok(crl.der().to_vec())
}

/// Adds `target` to `current` (or to a new CRL) and signs the result with `ca`, at `now`.
///
/// Refuses a certificate `ca` did not issue (naming both), a current CRL that does not parse
/// or that `ca` did not sign, a serial that is not hex, and a CA whose keyUsage forbids
/// signing CRLs. A serial already revoked is [`Revocation::AlreadyRevoked`], not an error.
pub fn revoke(
    ca: &ImportedCa,
    current: Option<&[u8]>,
    target: RevokeTarget<'_>,
    reason: Option<Reason>,
    now: OffsetDateTime,
) -> Result<Revocation, Error> {
    let ca_der = ca
        .chain
        .first()
        .ok_or_else(|| Error::Internal("empty CA chain".into()))?;
    if let Some(ku) = &ca.cert.key_usage
        && !ku.contains(&KeyUsage::CrlSign)
    {
        return Err(Error::field(
            "ca_cert",
            ErrorKind::NotACa,
            format!(
                "`{}` may not sign CRLs (keyUsage lacks cRLSign)",
                ca.cert.subject
            ),
            "use a CA certificate whose keyUsage includes cRLSign",
        ));
    }
    let serial = match target {
        RevokeTarget::Cert(bytes) => serial_of_leaf(bytes, &ca.cert)?,
        RevokeTarget::Serial(text) => parse_serial(text)?,
    };
    let (mut entries, number) = match current {
        Some(bytes) => {
            let crl = read_crl(bytes, ca_der)?;
            if let Some(old) = crl.entry(&serial) {
                return Ok(Revocation::AlreadyRevoked(old.clone()));
            }
            let next = increment(&hex::decode(&crl.number).unwrap_or_default());
            (crl.revoked, next)
        }
        None => (Vec::new(), vec![1]),
    };
    entries.push(Revoked {
        serial: serial.clone(),
        revoked_at: now,
        reason,
        invalid_since: None,
    });
    let params = entries
        .iter()
        .map(|r| RevokedCertParams {
            serial_number: SerialNumber::from(hex::decode(&r.serial).unwrap_or_default()),
            revocation_time: r.revoked_at,
            reason_code: r.reason.map(Reason::rcgen),
            invalidity_date: r.invalid_since,
        })
        .collect();
    let der = sign(ca_der, &ca.key, ca.cert.not_after, params, number, now)?;
    let crl = read_crl(&der, ca_der)?;
    Ok(Revocation::Revoked { crl, serial })
}

/// The serial of `bytes` (one certificate, PEM or DER), checked to be issued by `ca`.
fn serial_of_leaf(bytes: &[u8], ca: &Cert) -> Result<String, Error> {
    let ders = certificates(bytes, "cert")?;
    let leaf = Cert::from_der(&ders[0], "cert")?;
    let same_key = match (&leaf.authority_key_id, &ca.subject_key_id) {
        (Some(a), Some(s)) => a == s,
        _ => true,
    };
    if leaf.issuer != ca.subject || !same_key {
        let why = if leaf.issuer != ca.subject {
            format!("its issuer is `{}`", leaf.issuer)
        } else {
            "its authority key identifier is another key's".to_string()
        };
        return Err(Error::field(
            "cert",
            ErrorKind::Inconsistent,
            format!(
                "`{}` was not issued by the CA `{}`: {why}",
                leaf.name(),
                ca.subject
            ),
            "revoke it with the CA that issued it (the CRL of another CA cannot list it)",
        ));
    }
    Ok(normal_hex(&leaf.serial_hex()))
}

/// A serial number typed by a person: hex digits, with optional `0x`, colons or spaces.
fn parse_serial(text: &str) -> Result<String, Error> {
    let t = text.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let digits: String = t.chars().filter(|c| !matches!(c, ':' | ' ')).collect();
    let bad = |problem: String| {
        Error::field(
            "serial",
            ErrorKind::BadDer,
            problem,
            "give the serial in hex as `openssl x509 -noout -serial` prints it (e.g. 4A1F09…), or the certificate itself",
        )
    };
    if digits.is_empty() {
        return Err(bad("the serial number is empty".into()));
    }
    if let Some(c) = digits.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(bad(format!("`{text}` is not hex (`{c}`)")));
    }
    let normal = normal_hex(&digits);
    if normal.len() > 40 {
        return Err(bad(format!(
            "`{text}` is longer than 20 bytes, the most RFC 5280 allows"
        )));
    }
    Ok(normal)
}

/// Lower-case hex of a non-negative integer, without leading zero bytes, even length.
fn normal_hex(s: &str) -> String {
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

/// `n + 1`, big-endian.
fn increment(n: &[u8]) -> Vec<u8> {
    let mut out = n.to_vec();
    for b in out.iter_mut().rev() {
        if *b == 0xff {
            *b = 0;
        } else {
            *b += 1;
            return out;
        }
    }
    out.insert(0, 1);
    out
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
    let ca = crate::decode::parse_x509(ca_der, "ca_cert")?;
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
    crate::decode::verify_signature(ca.public_key().raw, &alg, tbs, &crl.signature_value.data)
        .map_err(|e| {
            Error::field(
                "crl",
                ErrorKind::BadSignature,
                format!("the CRL's signature does not verify with the CA's key: {e}"),
                "give the CRL this CA signed; a CRL altered or signed by another key is refused",
            )
        })?;
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
    fn serials_typed_by_people() {
        assert_eq!(parse_serial("0x0A:1b ff").unwrap(), "0a1bff");
        assert_eq!(parse_serial("00ab").unwrap(), "ab");
        assert!(parse_serial("xyz").is_err());
        assert!(parse_serial("").is_err());
        assert!(parse_serial(&"a".repeat(41)).is_err());
    }

    #[test]
    fn crl_numbers_count_up() {
        assert_eq!(increment(&[1]), vec![2]);
        assert_eq!(increment(&[0xff]), vec![1, 0]);
        assert_eq!(increment(&[]), vec![1]);
    }
}
