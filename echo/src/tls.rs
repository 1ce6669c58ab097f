//! rustls configurations (ring provider) for every role: serve's listeners, the probe, the
//! dialer and the probe's listening mode. Certificates and keys are read through the certlab
//! engine so every format certlab writes is accepted, .p12 files included.

use crate::config::{ClientAuth, TlsSettings};
use crate::error::{Error, Result};
use crate::input::read;
use crate::peer::{cert_facts, subject_of};
use crate::verify::{ClientVerifier, ServerVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{
    CertificateDer, CertificateRevocationListDer, PrivateKeyDer, PrivatePkcs8KeyDer,
};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A certificate chain (leaf first) and its private key.
pub type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

/// The one crypto provider used everywhere: ring.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Reads every certificate (PEM or DER) from `path`.
pub fn load_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let bytes = read(path, what)?;
    let ders = certlab::certificates(&bytes, what)
        .map_err(|e| Error::File(format!("{what} {}: {e}", path.display())))?;
    if ders.is_empty() {
        return Err(Error::File(format!(
            "{what} {}: no certificate found",
            path.display()
        )));
    }
    Ok(ders.into_iter().map(CertificateDer::from).collect())
}

fn pkcs8(key: &certlab::KeyPair) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.pkcs8_der().to_vec()))
}

/// Reads a private key (any format certlab imports), decrypting it with `password`.
pub fn load_key(path: &Path, password: Option<&str>, what: &str) -> Result<PrivateKeyDer<'static>> {
    let bytes = read(path, what)?;
    let key = certlab::private_key(&bytes, password, what)
        .map_err(|e| Error::File(format!("{what} {}: {e}", path.display())))?;
    Ok(pkcs8(&key))
}

/// Reads a PKCS#12 file (either certlab flavour: compatible 3DES/SHA-1 or modern
/// AES-256/SHA-256): its key and the certificate chain bound to it, leaf first.
pub fn load_p12(path: &Path, password: &str, what: &str) -> Result<Identity> {
    let bytes = read(path, what)?;
    let contents = certlab::read_p12(&bytes, password, "--p12", "--password")
        .map_err(|e| Error::File(format!("{what} {}: {e}", path.display())))?;
    let Some((key, chain)) = contents.keys.into_iter().next() else {
        return Err(Error::File(format!(
            "{what} {}: no private key inside",
            path.display()
        )));
    };
    if chain.is_empty() {
        return Err(Error::File(format!(
            "{what} {}: the key has no certificate with it",
            path.display()
        )));
    }
    let key = certlab::private_key(&key, None, what)
        .map_err(|e| Error::File(format!("{what} {}: {e}", path.display())))?;
    let certs = chain.into_iter().map(CertificateDer::from).collect();
    Ok((certs, pkcs8(&key)))
}

/// Where an identity comes from on the command line.
#[derive(Debug, Clone)]
pub enum IdentitySource {
    /// `--cert` (chain) and `--key` with an optional key password.
    Pem {
        /// Certificate chain file.
        cert: PathBuf,
        /// Key file.
        key: PathBuf,
        /// Key password.
        password: Option<String>,
    },
    /// `--p12` with its password.
    P12 {
        /// The .p12 file.
        file: PathBuf,
        /// Its password.
        password: String,
    },
}

impl IdentitySource {
    /// Loads the chain and key.
    pub fn load(&self) -> Result<Identity> {
        match self {
            IdentitySource::Pem {
                cert,
                key,
                password,
            } => Ok((
                load_certs(cert, "--cert")?,
                load_key(key, password.as_deref(), "--key")?,
            )),
            IdentitySource::P12 { file, password } => load_p12(file, password, "--p12"),
        }
    }
}

/// Reads the CRLs of `paths` (each PEM `X509 CRL` blocks, or one DER CRL), as `certlab
/// revoke` and a kit's `NAME.crl` write them. Their signatures are checked by webpki
/// against the CA of each certificate they judge.
pub fn load_crls(
    paths: &[PathBuf],
    flag: &str,
) -> Result<Vec<CertificateRevocationListDer<'static>>> {
    let mut crls = Vec::new();
    for path in paths {
        let bytes = read(path, flag)?;
        let found: Vec<CertificateRevocationListDer<'static>> = if bytes.starts_with(b"-----BEGIN")
            || bytes.windows(11).any(|w| w == b"-----BEGIN ")
        {
            CertificateRevocationListDer::pem_slice_iter(&bytes)
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| Error::File(format!("{flag} {}: damaged PEM ({e})", path.display())))?
        } else {
            vec![CertificateRevocationListDer::from(bytes)]
        };
        if found.is_empty() {
            return Err(Error::File(format!(
                "{flag} {}: no X509 CRL block (is it a certificate? give the CA's .crl file)",
                path.display()
            )));
        }
        // Parsed here, so a file that is not a CRL is named (rustls says only that some CRL
        // did not parse).
        if found
            .iter()
            .any(|crl| webpki::BorrowedCertRevocationList::from_der(crl).is_err())
        {
            return Err(Error::File(format!(
                "{flag} {}: not a certificate revocation list, or a damaged one: give the CA's \
                 NAME.crl (PEM `X509 CRL` or DER)",
                path.display()
            )));
        }
        crls.extend(found);
    }
    Ok(crls)
}

/// A root store holding every certificate of every file in `paths`, and their subjects.
pub fn root_store(paths: &[impl AsRef<Path>], what: &str) -> Result<(RootCertStore, Vec<String>)> {
    let mut roots = RootCertStore::empty();
    let mut subjects = Vec::new();
    for path in paths {
        for cert in load_certs(path.as_ref(), what)? {
            subjects.push(subject_of(&cert));
            roots.add(cert).map_err(|e| {
                Error::File(format!(
                    "{what} {}: not usable as a trust anchor: {e}",
                    path.as_ref().display()
                ))
            })?;
        }
    }
    Ok((roots, subjects))
}

/// Checks that the leaf of `chain` may be used in `role` (`clientAuth` or `serverAuth`):
/// a certificate without the extended key usage the peer will demand is refused in the
/// handshake, so say it up front. `why` explains the role.
pub fn check_eku(chain: &[CertificateDer<'_>], eku: &str, flag: &str, why: &str) -> Result<()> {
    let Some(leaf) = chain.first() else {
        return Err(Error::File(format!("{flag}: no certificate")));
    };
    let Some(cert) = cert_facts(leaf) else {
        return Ok(()); // rustls reports an unparsable certificate itself
    };
    let has = cert.eku;
    if has.is_empty() || has.iter().any(|e| e == eku || e == "anyExtendedKeyUsage") {
        return Ok(());
    }
    Err(Error::File(format!(
        "{flag}: certificate \"{}\" has extended key usage {} but not {eku}; {why}",
        cert.subject,
        has.join(", ")
    )))
}

/// The provider for the server side: ring, with TLS 1.3 AES-128-GCM/SHA-256 ahead of
/// AES-256-GCM/SHA-384 and ChaCha20 (the server's order then wins, see [`server_config_for`]),
/// as Go's crypto/tls chooses on CPUs with AES instructions. Most clients list
/// AES-256-GCM/SHA-384 first, and its SHA-384 key schedule (ring has no SHA-512 hardware path
/// here) was an eighth of the CPU of every handshake on both sides.
pub fn server_provider() -> Arc<CryptoProvider> {
    use rustls::CipherSuite as S;
    let mut p = rustls::crypto::ring::default_provider();
    p.cipher_suites.sort_by_key(|s| match s.suite() {
        S::TLS13_AES_128_GCM_SHA256 => 0,
        S::TLS13_AES_256_GCM_SHA384 => 1,
        S::TLS13_CHACHA20_POLY1305_SHA256 => 2,
        _ => 3, // TLS 1.2 suites keep ring's order
    });
    Arc::new(p)
}

fn server_builder(
    client_roots: Option<(RootCertStore, Vec<String>, ClientAuth)>,
    crls: Vec<CertificateRevocationListDer<'static>>,
) -> Result<rustls::ConfigBuilder<ServerConfig, rustls::server::WantsServerCert>> {
    let builder = ServerConfig::builder_with_provider(server_provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Local(format!("TLS versions: {e}")))?;
    Ok(match client_roots {
        None => builder.with_no_client_auth(),
        Some((roots, subjects, mode)) => {
            let mut verifier =
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider());
            if !crls.is_empty() {
                // As openssl's -crl_check and Python's VERIFY_CRL_CHECK_LEAF: the client's own
                // certificate is looked up in its issuer's CRL, which must be given and current.
                verifier = verifier
                    .with_crls(crls)
                    .only_check_end_entity_revocation()
                    .enforce_revocation_expiration();
            }
            let verifier = match mode {
                ClientAuth::Required => verifier,
                ClientAuth::Optional => verifier.allow_unauthenticated(),
            };
            let inner = verifier
                .build()
                .map_err(|e| Error::File(format!("client CA or --crl: {e}")))?;
            builder.with_client_cert_verifier(Arc::new(ClientVerifier::new(inner, subjects)))
        }
    })
}

/// A server configuration: identity, optional client verification, ALPN `http/1.1`, the
/// server's cipher-suite order ([`server_provider`]).
/// Returns the config and the trusted client CA subjects (for messages).
pub fn server_config_for(
    identity: Identity,
    client_ca: &[PathBuf],
    crl: &[PathBuf],
    mode: ClientAuth,
    ca_flag: &str,
) -> Result<(ServerConfig, Vec<String>)> {
    let crls = load_crls(crl, "--crl")?;
    let (roots, subjects) = if client_ca.is_empty() {
        (None, Vec::new())
    } else {
        let (roots, subjects) = root_store(client_ca, ca_flag)?;
        (Some((roots, subjects.clone(), mode)), subjects)
    };
    let (chain, key) = identity;
    let mut config = server_builder(roots, crls)?
        .with_single_cert(chain, key)
        .map_err(identity_error)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config.ignore_client_order = true;
    Ok((config, subjects))
}

/// Why rustls refused a certificate and key pair, with the fix.
fn identity_error(e: rustls::Error) -> Error {
    match e {
        rustls::Error::InconsistentKeys(_) => Error::File(
            "--key is not the private key of the --cert certificate (its first one): give the \
             key of the same identity (a kit's NAME.key beside NAME.crt or NAME.fullchain.pem)"
                .into(),
        ),
        other => Error::File(format!(
            "--cert/--key: this certificate and key cannot be used together ({other}): give a \
             kit's NAME.fullchain.pem and NAME.key"
        )),
    }
}

/// A serve listener's configuration.
pub fn server_config(s: &TlsSettings) -> Result<(ServerConfig, Vec<String>)> {
    let identity = (
        load_certs(&s.cert, "--cert")?,
        load_key(&s.key, s.key_password.as_deref(), "--key")?,
    );
    server_config_for(identity, &s.client_ca, &s.crl, s.client_auth, "--client-ca")
}

/// A client configuration that verifies the server against `ca` (none: everything is
/// refused as UnknownIssuer, and the report says so) and, with `crl`, looks the server's
/// certificate up in its issuer's CRL; presents `identity` if asked.
/// Returns the config and the trusted CA subjects.
pub fn client_config(
    ca: &[PathBuf],
    crl: &[PathBuf],
    identity: Option<Identity>,
) -> Result<(ClientConfig, Vec<String>)> {
    let (roots, subjects) = root_store(ca, "--ca")?;
    let crls = load_crls(crl, "--crl")?;
    let inner = if roots.is_empty() {
        None
    } else {
        let mut b = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider());
        if !crls.is_empty() {
            b = b
                .with_crls(crls)
                .only_check_end_entity_revocation()
                .enforce_revocation_expiration();
        }
        Some(
            b.build()
                .map_err(|e| Error::File(format!("--ca or --crl: {e}")))?,
        )
    };
    let verifier = Arc::new(ServerVerifier::new(inner, provider(), subjects.clone()));
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Local(format!("TLS versions: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match identity {
        Some((chain, key)) => builder
            .with_client_auth_cert(chain, key)
            .map_err(identity_error)?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((config, subjects))
}
