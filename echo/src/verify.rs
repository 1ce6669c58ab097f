//! Certificate verifiers that remember what they were shown and explain a refusal in plain
//! words (which check failed, which CAs were trusted).
//!
//! rustls calls a verifier synchronously from inside the handshake future, so each verifier
//! writes its findings into a task-local [`Seen`] that [`observe`] sets up around one
//! handshake: concurrent handshakes never see each other's findings, and the connection code
//! logs a refusal once, with the explanation, where it also knows the peer's address.

use crate::peer::{cert_facts, subject_of};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, Error, SignatureScheme};
use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;

/// What a verifier saw during one handshake.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    /// The peer's certificates, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// `None` until verification ran; then `Ok` or the rustls error text.
    pub verdict: Option<Result<(), String>>,
    /// On refusal: the check that failed (`issuer`, `validity`, `extended key usage`, `name`,
    /// `certificate`) …
    pub check: Option<&'static str>,
    /// … and a sentence explaining it.
    pub why: Option<String>,
}

tokio::task_local! {
    static SEEN: RefCell<Seen>;
}

/// Runs `f` (a TLS handshake) and returns its output with what the verifiers saw.
pub async fn observe<F: Future>(f: F) -> (F::Output, Seen) {
    SEEN.scope(RefCell::new(Seen::default()), async {
        let out = f.await;
        let seen = SEEN.with(|s| s.take());
        (out, seen)
    })
    .await
}

/// Which side's certificate is being judged: it decides the extended key usage needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerRole {
    /// The peer is the TLS client: needs clientAuth.
    TlsClient,
    /// The peer is the TLS server: needs serverAuth and the dialled name.
    TlsServer,
}

/// Which check `e` is about, and a sentence for a human. `trusted` lists the CA subjects the
/// chain was checked against.
pub fn explain(
    e: &Error,
    leaf: Option<&CertificateDer<'_>>,
    trusted: &[String],
    role: PeerRole,
) -> (&'static str, String) {
    let facts = leaf.and_then(|c| cert_facts(c));
    let subject = leaf.map(|c| subject_of(c)).unwrap_or_else(|| "-".into());
    let issuer = facts.as_ref().map(|f| f.issuer.as_str()).unwrap_or("?");
    let cas = if trusted.is_empty() {
        "none".to_string()
    } else {
        trusted.join(" | ")
    };
    let cert = format!("certificate \"{subject}\"");
    let Error::InvalidCertificate(ce) = e else {
        return ("certificate", format!("{cert}: {e}"));
    };
    match ce {
        CertificateError::UnknownIssuer => (
            "issuer",
            format!("{cert} is issued by \"{issuer}\", which is not a trusted CA (trusted: {cas})"),
        ),
        CertificateError::BadSignature => (
            "issuer",
            format!(
                "{cert} names issuer \"{issuer}\" like a trusted CA, but that CA's signature does \
                 not verify: it was signed by another CA with the same name (trusted: {cas})"
            ),
        ),
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => (
            "validity",
            format!(
                "{cert} (or its issuer) has expired: not after {}",
                facts.as_ref().map(|f| f.not_after.as_str()).unwrap_or("?")
            ),
        ),
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => (
            "validity",
            format!(
                "{cert} (or its issuer) is not valid yet: not before {}",
                facts.as_ref().map(|f| f.not_before.as_str()).unwrap_or("?")
            ),
        ),
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            let has = facts.as_ref().map(|f| f.eku.clone()).unwrap_or_default();
            let has = if has.is_empty() {
                "none".to_string()
            } else {
                has.join(", ")
            };
            let need = match role {
                PeerRole::TlsClient => {
                    "clientAuth, which a certificate presented by a TLS client needs \
                     (certlab: a client identity, or a server with client_auth: true)"
                }
                PeerRole::TlsServer => {
                    "serverAuth, which a certificate presented by a TLS server needs \
                     (certlab: a server identity)"
                }
            };
            (
                "extended key usage",
                format!("{cert} has extended key usage {has}; it lacks {need}"),
            )
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => (
            "name",
            format!(
                "{cert} does not name the host that was dialled (its names: {})",
                facts.map(|f| f.sans.join(", ")).unwrap_or_default()
            ),
        ),
        CertificateError::Revoked => (
            "revocation",
            format!(
                "{cert} was revoked by its CA: the CRL of \"{issuer}\" lists serial {}; its holder needs a new certificate",
                facts.as_ref().map(|f| f.serial.as_str()).unwrap_or("?")
            ),
        ),
        CertificateError::UnknownRevocationStatus => (
            "revocation",
            format!(
                "{cert}: no CRL of its issuer \"{issuer}\" was given, so its revocation cannot be checked: add that CA's CRL with --crl"
            ),
        ),
        CertificateError::ExpiredRevocationList
        | CertificateError::ExpiredRevocationListContext { .. } => (
            "revocation",
            format!(
                "{cert}: the CRL of \"{issuer}\" is past its nextUpdate: sign a fresh one (certlab revoke) and restart with it"
            ),
        ),
        other => ("certificate", format!("{cert}: {other:?}")),
    }
}

fn record(
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    result: &Result<(), Error>,
    trusted: &[String],
    role: PeerRole,
) {
    let _ = SEEN.try_with(|seen| {
        let mut seen = seen.borrow_mut();
        seen.chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        seen.verdict = Some(result.clone().map_err(|e| e.to_string()));
        if let Err(e) = result {
            let (check, why) = explain(e, Some(end_entity), trusted, role);
            seen.check = Some(check);
            seen.why = Some(why);
        }
    });
}

/// Verifies a TLS server's chain (webpki: trusted CA, validity, serverAuth, name) and records
/// what it saw. Without trusted CAs every chain is refused as UnknownIssuer.
#[derive(Debug)]
pub struct ServerVerifier {
    inner: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
    trusted: Vec<String>,
}

impl ServerVerifier {
    /// A verifier over `inner` (None: no CA given); `trusted` are the CA subjects for messages.
    pub fn new(
        inner: Option<Arc<WebPkiServerVerifier>>,
        provider: Arc<CryptoProvider>,
        trusted: Vec<String>,
    ) -> Self {
        ServerVerifier {
            inner,
            provider,
            trusted,
        }
    }
}

impl ServerCertVerifier for ServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let result = match &self.inner {
            Some(inner) => {
                inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            None => Err(Error::InvalidCertificate(CertificateError::UnknownIssuer)),
        };
        record(
            end_entity,
            intermediates,
            &result.as_ref().map(|_| ()).map_err(Clone::clone),
            &self.trusted,
            PeerRole::TlsServer,
        );
        result
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Wraps rustls' webpki client verifier (trusted client CA, validity, clientAuth) and
/// records what it saw and why it refused.
#[derive(Debug)]
pub struct ClientVerifier {
    inner: Arc<dyn ClientCertVerifier>,
    trusted: Vec<String>,
}

impl ClientVerifier {
    /// A recording verifier over `inner`; `trusted` are the CA subjects for messages.
    pub fn new(inner: Arc<dyn ClientCertVerifier>, trusted: Vec<String>) -> Self {
        ClientVerifier { inner, trusted }
    }
}

impl ClientCertVerifier for ClientVerifier {
    fn offer_client_auth(&self) -> bool {
        self.inner.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        let result = self
            .inner
            .verify_client_cert(end_entity, intermediates, now);
        record(
            end_entity,
            intermediates,
            &result.as_ref().map(|_| ()).map_err(Clone::clone),
            &self.trusted,
            PeerRole::TlsClient,
        );
        result
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// One line for a failed handshake: the explanation when a verifier refused, what the peer
/// sent instead of TLS, else the error itself. `first` holds the first bytes the peer sent,
/// when they were seen (the accepting side peeks at them).
pub fn handshake_failure(
    e: &std::io::Error,
    seen: &Seen,
    trusted: &[String],
    first: Option<&[u8]>,
) -> String {
    if let Some(why) = &seen.why {
        return format!("{why} [{e}]");
    }
    let text = e.to_string();
    if text.contains("peer sent no certificates") {
        return format!(
            "no client certificate was sent, and one is required (trusted client CAs: {}) [{text}]",
            if trusted.is_empty() {
                "none".into()
            } else {
                trusted.join(" | ")
            }
        );
    }
    if text.contains("InvalidContentType") || text.contains("corrupt message") {
        return format!("{} [{text}]", not_tls(first));
    }
    text
}

/// HTTP methods, as a plain-HTTP request on a TLS port starts.
const HTTP_METHODS: [&str; 10] = [
    "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE", "PRI",
];

/// True when `first` starts like an HTTP request line (`GET `, `POST `, …), or is the start
/// of one when fewer bytes arrived.
pub fn looks_like_http(first: &[u8]) -> bool {
    !first.is_empty()
        && HTTP_METHODS.iter().any(|m| {
            let start = format!("{m} ");
            first.starts_with(start.as_bytes()) || start.as_bytes().starts_with(first)
        })
}

/// What a peer whose bytes are not TLS sent, in words: plain HTTP only when the bytes start
/// like an HTTP request; a malformed record when they began as a TLS handshake record.
pub fn not_tls(first: Option<&[u8]>) -> String {
    let Some(first) = first.filter(|f| !f.is_empty()) else {
        return "not TLS, or a malformed TLS record: the peer sent bytes that are not TLS \
                (another protocol on this port?)"
            .into();
    };
    let hex: Vec<String> = first.iter().map(|b| format!("{b:02x}")).collect();
    let hex = hex.join(" ");
    if looks_like_http(first) {
        "not a TLS handshake: a plain HTTP request on a TLS port (use https:// or wss://, or \
         serve ws:// with --plain-listen)"
            .into()
    } else if first[0] == 0x16 {
        format!(
            "malformed TLS record: the client began a TLS handshake (first bytes {hex}), then \
             sent bytes that are not valid TLS (a broken client, or another protocol after \
             the ClientHello)"
        )
    } else {
        format!(
            "not a TLS handshake: the first bytes ({hex}) are neither TLS nor an HTTP request \
             (another protocol on a TLS port?)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_what_came_instead_of_tls() {
        assert!(looks_like_http(b"GET / HT"));
        assert!(looks_like_http(b"OPTIONS "));
        assert!(looks_like_http(b"PO"));
        assert!(!looks_like_http(b"GETX"));
        assert!(!looks_like_http(b"\x16\x03\x01"));
        assert!(not_tls(Some(b"POST /x ")).contains("plain HTTP"));
        let after_hello = not_tls(Some(b"\x16\x03\x01\x02\x00"));
        assert!(
            after_hello.starts_with("malformed TLS record"),
            "{after_hello}"
        );
        assert!(!after_hello.contains("HTTP"), "{after_hello}");
        let noise = not_tls(Some(&[0x8e, 0x3a]));
        assert!(
            noise.contains("(8e 3a)") && !noise.contains("plain HTTP"),
            "{noise}"
        );
        assert!(!not_tls(None).contains("HTTP"));
    }
}
