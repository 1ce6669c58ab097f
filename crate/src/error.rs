//! Errors: every rejection names the field, says what is wrong and how to fix it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of problem a [`FieldError`] reports. Tests and callers match on this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// A required value is empty or missing.
    Missing,
    /// A value is longer or larger than allowed.
    TooLong,
    /// A DNS name is not a valid host name.
    InvalidDnsName,
    /// An IP address is malformed or out of range.
    InvalidIp,
    /// A wildcard name that no client accepts (`*.com`, `a.*.b`, `f*o.lab`).
    BadWildcard,
    /// An e-mail address is malformed.
    InvalidEmail,
    /// A validity period is zero, negative or absurdly long.
    InvalidValidity,
    /// A certificate would outlive the CA that signs it.
    OutlivesIssuer,
    /// A key is too weak or of an unsupported kind.
    WeakKey,
    /// The key algorithm is not supported here.
    UnsupportedAlgorithm,
    /// A password or passphrase is empty where one is required.
    EmptyPassword,
    /// A passphrase did not decrypt the data, or a MAC did not verify.
    WrongPassword,
    /// A private key does not belong to the certificate it was given with.
    KeyMismatch,
    /// A certificate used as an issuer is not a CA (or may not sign certificates).
    NotACa,
    /// A certificate has expired or is not valid yet.
    Expired,
    /// Text that should be PEM is not, or holds the wrong kind of block.
    BadPem,
    /// DER bytes do not parse (truncated, garbage, wrong type).
    BadDer,
    /// A CSR whose self-signature does not verify.
    BadSignature,
    /// A name lies outside the name constraints of its CA.
    OutsideConstraints,
    /// Two identities share a name, or a name is not usable as a file name.
    DuplicateName,
    /// An identity name (file stem) has characters that are unsafe in a file name.
    BadFileName,
    /// A device name pattern is malformed.
    BadPattern,
    /// A count is zero or above the limit.
    BadCount,
    /// A line of a device list is malformed (its message names the line).
    BadList,
    /// Input that would cost more time or memory than certlab allows (a huge file, a key
    /// whose KDF parameters ask for hours or gigabytes).
    TooCostly,
    /// The kit needs something that is not there (e.g. a server but no names).
    Inconsistent,
}

/// One thing wrong with the input, tied to the field it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `servers[0].names[2]` or `--ca-key`.
    pub field: String,
    /// What kind of problem it is.
    pub kind: ErrorKind,
    /// What is wrong, in plain words, quoting the offending value (control characters
    /// escaped, long values cut: see [`crate::clip_quoted`]).
    pub problem: String,
    /// How to fix it.
    pub fix: String,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(
        field: impl Into<String>,
        kind: ErrorKind,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            kind,
            problem: crate::text::clip_quoted(&problem.into()),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::text::escape_control as esc;
        write!(
            f,
            "{}: {} — {}",
            esc(&self.field),
            esc(&self.problem),
            esc(&self.fix)
        )
    }
}

/// Everything the engine can fail with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "details", rename_all = "kebab-case")]
pub enum Error {
    /// The input is wrong; every problem found is listed, each with its field.
    Invalid(Vec<FieldError>),
    /// Something failed that the input could not have caused (randomness source, signer).
    Internal(String),
}

impl Error {
    /// A single-field input error.
    pub fn field(
        field: impl Into<String>,
        kind: ErrorKind,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Error::Invalid(vec![FieldError::new(field, kind, problem, fix)])
    }

    /// The field errors, empty for an internal error.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Error::Invalid(v) => v,
            Error::Internal(_) => &[],
        }
    }

    /// True when the error comes from the input (CLI exit code 2).
    pub fn is_input_error(&self) -> bool {
        matches!(self, Error::Invalid(_))
    }

    /// Re-roots every field path under `prefix` (e.g. `--ca-key`).
    pub fn in_field(self, prefix: &str) -> Self {
        match self {
            Error::Invalid(v) => Error::Invalid(
                v.into_iter()
                    .map(|mut e| {
                        e.field = if e.field.is_empty() {
                            prefix.to_string()
                        } else {
                            format!("{prefix}: {}", e.field)
                        };
                        e
                    })
                    .collect(),
            ),
            other => other,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(errors) => {
                for (i, e) in errors.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
            Error::Internal(msg) => write!(f, "internal error: {msg}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<rcgen::Error> for Error {
    fn from(e: rcgen::Error) -> Self {
        Error::Internal(format!("certificate encoding failed: {e}"))
    }
}

/// Collects field errors while validating, so a user sees all problems at once.
#[derive(Debug, Default)]
pub(crate) struct Problems(pub Vec<FieldError>);

impl Problems {
    pub(crate) fn push(
        &mut self,
        field: impl Into<String>,
        kind: ErrorKind,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.0.push(FieldError::new(field, kind, problem, fix));
    }

    pub(crate) fn into_result(self) -> Result<(), Error> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}
