//! PEM text: certificates, chains and unencrypted PKCS#8 keys.

/// PEM of one DER block with the given label (LF line endings, 64-column base64).
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    pem::encode_config(
        &pem::Pem::new(label, der.to_vec()),
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}

/// PEM of several certificates, in the order given.
pub(crate) fn certificates<'a>(ders: impl IntoIterator<Item = &'a [u8]>) -> String {
    ders.into_iter().map(|d| encode("CERTIFICATE", d)).collect()
}

/// `PRIVATE KEY` PEM of an unencrypted PKCS#8 key.
pub(crate) fn private_key(pkcs8_der: &[u8]) -> String {
    encode("PRIVATE KEY", pkcs8_der)
}
