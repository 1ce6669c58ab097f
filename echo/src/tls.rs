//! rustls configurations (ring provider) for the server and the probe; certificates and keys
//! are read through the certlab engine so every format certlab writes is accepted.

use crate::config::{ClientAuth, Settings};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig, SignatureScheme};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The one crypto provider used everywhere: ring.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{what} {}: {e}", path.display()))
}

/// Reads every certificate (PEM or DER) from `path`.
pub fn load_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let bytes = read(path, what)?;
    let ders = certlab::import::certificates(&bytes, what)
        .map_err(|e| format!("{what} {}: {e}", path.display()))?;
    if ders.is_empty() {
        return Err(format!("{what} {}: no certificate found", path.display()));
    }
    Ok(ders.into_iter().map(CertificateDer::from).collect())
}

/// Reads a private key (any format certlab imports), decrypting it with `password`.
pub fn load_key(
    path: &Path,
    password: Option<&str>,
    what: &str,
) -> Result<PrivateKeyDer<'static>, String> {
    let bytes = read(path, what)?;
    let key = certlab::import::private_key(&bytes, password, what)
        .map_err(|e| format!("{what} {}: {e}", path.display()))?;
    Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        key.pkcs8_der().to_vec(),
    )))
}

/// A root store holding every certificate of every file in `paths`.
pub fn root_store(paths: &[impl AsRef<Path>], what: &str) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    for path in paths {
        for cert in load_certs(path.as_ref(), what)? {
            roots.add(cert).map_err(|e| {
                format!(
                    "{what} {}: not usable as a trust anchor: {e}",
                    path.as_ref().display()
                )
            })?;
        }
    }
    Ok(roots)
}

/// The server configuration: certificate chain, key, optional client verification, ALPN
/// `http/1.1`.
pub fn server_config(s: &Settings) -> Result<ServerConfig, String> {
    let chain = load_certs(&s.cert, "--cert")?;
    let key = load_key(&s.key, s.key_password.as_deref(), "--key")?;
    let builder = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS versions: {e}"))?;
    let builder = if s.client_ca.is_empty() {
        builder.with_no_client_auth()
    } else {
        let roots = root_store(&s.client_ca, "--client-ca")?;
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider());
        let verifier = match s.client_auth {
            ClientAuth::Required => verifier,
            ClientAuth::Optional => verifier.allow_unauthenticated(),
        };
        builder
            .with_client_cert_verifier(verifier.build().map_err(|e| format!("--client-ca: {e}"))?)
    };
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(|e| format!("--cert/--key: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// What the probe's verifier saw: the chain the server presented and the verdict.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    /// The server's certificates, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// `None` until verification ran; then `Ok` or the rustls error text.
    pub verdict: Option<Result<(), String>>,
}

/// A webpki server verifier that records what it was shown, so the probe can print the chain
/// even when verification fails.
#[derive(Debug)]
pub struct RecordingVerifier {
    /// `None` when no CA was given: every chain is then refused as UnknownIssuer.
    inner: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
    seen: Arc<Mutex<Seen>>,
}

impl RecordingVerifier {
    fn record(&self, f: impl FnOnce(&mut Seen)) {
        if let Ok(mut seen) = self.seen.lock() {
            f(&mut seen);
        }
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result = match &self.inner {
            Some(inner) => {
                inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            None => Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            )),
        };
        self.record(|seen| {
            seen.chain = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.clone().into_owned())
                .collect();
            seen.verdict = Some(result.as_ref().map(|_| ()).map_err(|e| e.to_string()));
        });
        result
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
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
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
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

/// The probe's client configuration and the record of what its verifier saw.
pub fn client_config(
    roots: RootCertStore,
    identity: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
) -> Result<(ClientConfig, Arc<Mutex<Seen>>), String> {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let inner = if roots.is_empty() {
        None
    } else {
        Some(
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .map_err(|e| format!("--ca: {e}"))?,
        )
    };
    let verifier = Arc::new(RecordingVerifier {
        inner,
        provider: provider(),
        seen: seen.clone(),
    });
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS versions: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match identity {
        Some((chain, key)) => builder
            .with_client_auth_cert(chain, key)
            .map_err(|e| format!("--cert/--key: {e}"))?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((config, seen))
}
