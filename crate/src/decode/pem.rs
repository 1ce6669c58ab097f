//! PEM text: finding blocks, and the certificates in a PEM bundle or a DER file.

use crate::error::{Error, ErrorKind};

/// PEM labels that hold a certificate.
pub(crate) const CERT_TAGS: [&str; 3] = ["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"];
/// PEM labels that hold a certificate request.
pub(crate) const CSR_TAGS: [&str; 2] = ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"];

/// True when `bytes` look like PEM text.
pub(crate) fn is_pem(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|s| s.contains("-----BEGIN "))
}

/// All PEM blocks in `bytes`, or an error naming `field`.
pub(crate) fn pem_blocks(bytes: &[u8], field: &str) -> Result<Vec<::pem::Pem>, Error> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Error::field(
            field,
            ErrorKind::BadPem,
            "the file is neither PEM text nor DER",
            "give a .crt/.pem file starting with -----BEGIN, or a DER file",
        )
    })?;
    let blocks = ::pem::parse_many(text).map_err(|e| {
        Error::field(
            field,
            ErrorKind::BadPem,
            format!("the PEM text is damaged ({e})"),
            "check that the -----BEGIN/-----END lines are intact and nothing was cut",
        )
    })?;
    if blocks.is_empty() {
        return Err(Error::field(
            field,
            ErrorKind::BadPem,
            "no PEM block was found",
            "paste the whole file including the -----BEGIN and -----END lines",
        ));
    }
    Ok(blocks)
}

/// Certificates in PEM (one or more `CERTIFICATE` blocks) or DER, each checked to parse.
pub fn certificates(bytes: &[u8], field: &str) -> Result<Vec<Vec<u8>>, Error> {
    let ders = if is_pem(bytes) {
        let blocks = pem_blocks(bytes, field)?;
        let certs: Vec<Vec<u8>> = blocks
            .iter()
            .filter(|b| CERT_TAGS.contains(&b.tag()))
            .map(|b| b.contents().to_vec())
            .collect();
        if certs.is_empty() {
            let tags: Vec<&str> = blocks.iter().map(|b| b.tag()).collect();
            return Err(Error::field(
                field,
                ErrorKind::BadPem,
                format!("the PEM holds {} but no CERTIFICATE", tags.join(", ")),
                "give the certificate file (.crt), not a key or request",
            ));
        }
        certs
    } else {
        vec![bytes.to_vec()]
    };
    for d in &ders {
        super::parse_x509(d, field)?;
    }
    Ok(ders)
}
