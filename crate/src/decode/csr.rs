//! Certificate signing requests (PKCS#10): parsed, self-signature checked, typed.

use super::cert::SignatureAlgorithm;
use super::name;
use super::pem::{CSR_TAGS, is_pem, pem_blocks};
use super::verify::VerifyError;
use crate::error::{Error, ErrorKind};
use crate::keys::PublicKey;
use crate::names::SanName;
use x509_parser::prelude::{FromDer, ParsedExtension, X509CertificationRequest};

/// A checked certificate signing request.
#[derive(Debug, Clone)]
pub struct Csr {
    /// Subject CN, if any.
    pub common_name: Option<String>,
    /// Requested subjectAltNames that parse (DNS, IP, e-mail).
    pub sans: Vec<SanName>,
    /// The subject's public key.
    pub public_key: PublicKey,
    /// Whether the request asks for CA:TRUE (never granted).
    pub requested_ca: bool,
    /// Signature algorithm of the request.
    pub signature_algorithm: SignatureAlgorithm,
}

const F: &str = "csr";

fn der_of(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    if !is_pem(bytes) {
        return Ok(bytes.to_vec());
    }
    let blocks = pem_blocks(bytes, F)?;
    match blocks.iter().find(|b| CSR_TAGS.contains(&b.tag())) {
        Some(b) => Ok(b.contents().to_vec()),
        None => Err(Error::field(
            F,
            ErrorKind::BadPem,
            "no CERTIFICATE REQUEST block was found",
            "give the .csr file made on the device",
        )),
    }
}

/// Parses a CSR (PEM `CERTIFICATE REQUEST` or DER) and verifies its self-signature.
pub fn parse_csr(bytes: &[u8]) -> Result<Csr, Error> {
    let der = der_of(bytes)?;
    let csr = match X509CertificationRequest::from_der(&der) {
        Ok(([], c)) => c,
        Ok(_) => {
            return Err(Error::field(
                F,
                ErrorKind::BadDer,
                "the request has trailing bytes",
                "give exactly one request",
            ));
        }
        Err(e) => {
            return Err(Error::field(
                F,
                ErrorKind::BadDer,
                format!("the request does not parse ({e})"),
                "make the request again (`openssl req -new …`)",
            ));
        }
    };
    let info = &csr.certification_request_info;
    let signature_algorithm = SignatureAlgorithm::of(&csr.signature_algorithm.algorithm);
    // The key first: a request made with a key certlab does not certify (DSA, Ed448, P-521,
    // secp256k1) is refused as such, not as a signature that "does not verify".
    let public_key = PublicKey::from_spki_der(info.subject_pki.raw).map_err(|e| e.in_field(F))?;
    super::verify::verify(
        info.subject_pki.raw,
        &signature_algorithm,
        info.raw,
        &csr.signature_value.data,
    )
    .map_err(|e| match e {
        VerifyError::UnsupportedAlgorithm(alg) => Error::field(
            F,
            ErrorKind::UnsupportedAlgorithm,
            format!("the request is signed with {alg}, which certlab does not verify"),
            "make the request again with SHA-256 (`openssl req -new -sha256 …`)",
        ),
        e => Error::field(
            F,
            ErrorKind::BadSignature,
            format!("the request's signature does not verify: {e}"),
            "the request was altered or damaged: make it again on the device",
        ),
    })?;
    let mut sans = Vec::new();
    let mut requested_ca = false;
    for e in csr.requested_extensions().into_iter().flatten() {
        match e {
            ParsedExtension::SubjectAlternativeName(san) => {
                sans.extend(san.general_names.iter().filter_map(|g| name::san(g).ok()))
            }
            ParsedExtension::BasicConstraints(bc) => requested_ca |= bc.ca,
            _ => {}
        }
    }
    Ok(Csr {
        common_name: name::common_name(&info.subject),
        sans,
        public_key,
        requested_ca,
        signature_algorithm,
    })
}
