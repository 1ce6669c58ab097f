//! The flags that name an existing CA (`issue`, `revoke`), and reading it.

use crate::{Fail, files};
use certlab::ImportedCa;
use clap::Args;
use std::path::PathBuf;
use time::OffsetDateTime;

/// `--ca-cert`, `--ca-key`, `--ca-key-password`.
#[derive(Args)]
pub(crate) struct CaFlags {
    /// The CA certificate (PEM or DER; may be followed by its issuers). Optional when
    /// --ca-key is a .p12 holding the certificate.
    #[arg(long)]
    pub(crate) ca_cert: Option<PathBuf>,
    /// The CA private key (PKCS#8, SEC1 or PKCS#1, PEM or DER, maybe encrypted, also
    /// OpenSSL's traditional encryption), or a .p12/.pfx holding the CA's key and certificate.
    #[arg(long)]
    pub(crate) ca_key: PathBuf,
    /// Passphrase of an encrypted CA key, or the password of a .p12.
    #[arg(long)]
    pub(crate) ca_key_password: Option<String>,
}

/// The engine's field names for these flags.
pub(crate) const CA_FIELDS: [(&str, &str); 3] = [
    ("ca_cert", "--ca-cert"),
    ("ca_key_password", "--ca-key-password"),
    ("ca_key", "--ca-key"),
];

impl CaFlags {
    /// Reads the CA the flags name; errors name the flags.
    pub(crate) fn import(&self, now: OffsetDateTime) -> Result<ImportedCa, Fail> {
        let ca_cert = match &self.ca_cert {
            Some(p) => files::read(p, "--ca-cert")?,
            None => Vec::new(),
        };
        let ca_key = files::read(&self.ca_key, "--ca-key")?;
        certlab::import_ca(&ca_cert, &ca_key, self.ca_key_password.as_deref(), now)
            .map_err(|e| crate::issue_cmd::rename_fields(e, &CA_FIELDS).into())
    }
}
