//! `certlab revoke`: a new CRL signed by a CA, listing a leaf (or a serial) besides the
//! entries of its current CRL. Written atomically; never over another file than the
//! current CRL itself (updating a CRL in place is the usual case).

use crate::issue_cmd::rename_fields;
use crate::out::outln;
use crate::{Fail, files};
use certlab::{Reason, Revocation, RevokeTarget};
use clap::{ArgGroup, Args};
use std::fs;
use std::path::{Path, PathBuf};

/// The flags of `certlab revoke`.
#[derive(Args)]
#[command(group(ArgGroup::new("what").required(true).args(["cert", "serial"])))]
pub(crate) struct RevokeArgs {
    #[command(flatten)]
    pub(crate) ca: crate::ca_flags::CaFlags,
    /// The certificate to revoke (PEM or DER); it must be issued by this CA.
    #[arg(long)]
    pub(crate) cert: Option<PathBuf>,
    /// Or its serial number in hex, as `openssl x509 -noout -serial` prints it.
    #[arg(long)]
    pub(crate) serial: Option<String>,
    /// Why: unspecified, keyCompromise, cACompromise, affiliationChanged, superseded,
    /// cessationOfOperation, certificateHold, removeFromCRL, privilegeWithdrawn, aACompromise.
    #[arg(long)]
    pub(crate) reason: Option<String>,
    /// The CA's current CRL (its entries are kept, its CRL number goes up by one).
    #[arg(long)]
    pub(crate) crl: Option<PathBuf>,
    /// Where to write the new CRL (PEM). An existing file is replaced only when it is --crl.
    #[arg(long)]
    pub(crate) out: PathBuf,
}

const FLAGS: [(&str, &str); 7] = [
    ("ca_cert", "--ca-cert"),
    ("ca_key_password", "--ca-key-password"),
    ("ca_key", "--ca-key"),
    ("cert", "--cert"),
    ("serial", "--serial"),
    ("crl", "--crl"),
    ("reason", "--reason"),
];

/// True when `a` and `b` name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    matches!((fs::canonicalize(a), fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
}

/// Runs `certlab revoke`.
pub(crate) fn run(a: RevokeArgs) -> Result<(), Fail> {
    let now = certlab::now_utc();
    let in_place = a.crl.as_deref().is_some_and(|c| same_file(c, &a.out));
    if files::occupied(&a.out) && !in_place {
        return Err(files::refused(
            "--out",
            format!(
                "`{}` already exists and is not the --crl being updated",
                a.out.display()
            ),
            "choose a new file name, or give the same path to --crl and --out to update that CRL in place",
        ));
    }
    let reason = a
        .reason
        .as_deref()
        .map(Reason::from_name)
        .transpose()
        .map_err(|e| rename_fields(e, &FLAGS))?;
    let ca = a.ca.import(now)?;
    let leaf = a
        .cert
        .as_deref()
        .map(|p| files::read(p, "--cert"))
        .transpose()?;
    let target = match (&leaf, &a.serial) {
        (Some(bytes), _) => RevokeTarget::Cert(bytes),
        (None, Some(s)) => RevokeTarget::Serial(s),
        (None, None) => {
            return Err(files::refused(
                "--cert/--serial",
                "nothing to revoke was named".into(),
                "give --cert LEAF.crt or --serial HEX",
            ));
        }
    };
    let current = a
        .crl
        .as_deref()
        .map(|p| files::read(p, "--crl"))
        .transpose()?;
    let done = certlab::revoke(&ca, current.as_deref(), target, reason, now)
        .map_err(|e| rename_fields(e, &FLAGS))?;
    let (crl, serial) = match done {
        Revocation::AlreadyRevoked(old) => {
            eprintln!(
                "certlab: serial {} is already revoked in `{}` (since {}{}); the CRL is unchanged, nothing written",
                old.serial,
                a.crl.as_deref().unwrap_or(&a.out).display(),
                rfc3339(old.revoked_at),
                old.reason
                    .map(|r| format!(", {}", r.name()))
                    .unwrap_or_default()
            );
            return Ok(());
        }
        Revocation::Revoked { crl, serial } => (crl, serial),
    };
    write(&a.out, crl.pem().as_bytes(), in_place)?;
    outln!(
        "revoked serial {serial}{} — {} written: CRL number {}, {} revoked, next update {} (revoke again or re-sign before then)",
        reason
            .map(|r| format!(" ({})", r.name()))
            .unwrap_or_default(),
        a.out.display(),
        crl.number_text(),
        crl.revoked.len(),
        rfc3339(crl.next_update)
    );
    Ok(())
}

/// Writes the CRL through a temporary sibling: renamed over --crl when updating in place,
/// else linked to a name that must still be free (no clobbering between check and write).
fn write(out: &Path, bytes: &[u8], in_place: bool) -> Result<(), Fail> {
    if in_place {
        return files::replace(out, bytes, false);
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(files::io(dir))?;
    }
    let tmp = files::temp_sibling(out, "tmp");
    files::create(&tmp, bytes, false)?;
    let linked = fs::hard_link(&tmp, out).map_err(files::io(out));
    let _ = fs::remove_file(&tmp);
    linked
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}
