//! Certificate revocation lists (RFC 5280 §5): the empty CRL every CA of a kit gets, and
//! revocation — a CA, its current CRL and a leaf (or a serial) in, a new CRL signed by that
//! CA out, with the earlier entries kept and the CRL number one higher. rcgen encodes and
//! signs; [`crate::decode`] reads a current CRL and checks its signature.

use crate::decode::{Cert, Crl, KeyUsage, Reason, Revoked, certificates, normal_hex, read_crl};
use crate::error::{Error, ErrorKind};
use crate::import::ImportedCa;
use crate::keys::KeyPair;
use rcgen::{CertificateRevocationListParams, RevocationReason, RevokedCertParams, SerialNumber};
use time::{Duration, OffsetDateTime};

/// How long a CRL is valid (its nextUpdate after thisUpdate): 30 days, or up to the CA's own
/// end when that is sooner. Verifiers (openssl `-crl_check`, Python's ssl, rustls) refuse an
/// expired CRL ("CRL has expired"), so a lab re-runs `certlab revoke` (or makes a new kit)
/// within a month; a CRL outliving its CA would be meaningless.
pub const CRL_DAYS: i64 = 30;

impl Crl {
    /// The CRL as PEM (`X509 CRL`), the form openssl, nginx and mosquitto read.
    pub fn pem(&self) -> String {
        crate::export::pem::encode("X509 CRL", &self.der)
    }
}

/// The rcgen form of a reason (the same order, code 7 unassigned).
fn rcgen_reason(r: Reason) -> RevocationReason {
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
    ][r as usize]
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

/// A CRL of a CA certlab just made, listing `serials` (revoked at `now`, no reason): the
/// gallery's revoked server and client.
pub(crate) fn crl_listing(
    ca_der: &[u8],
    ca_key: &KeyPair,
    ca_not_after: OffsetDateTime,
    serials: &[&[u8]],
    now: OffsetDateTime,
) -> Result<Vec<u8>, Error> {
    let entries = serials
        .iter()
        .map(|s| RevokedCertParams {
            serial_number: SerialNumber::from_slice(s),
            revocation_time: now - Duration::minutes(5),
            reason_code: Some(RevocationReason::KeyCompromise),
            invalidity_date: None,
        })
        .collect();
    sign(ca_der, ca_key, ca_not_after, entries, vec![1], now)
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
            reason_code: r.reason.map(rcgen_reason),
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
