//! certlab-echo's errors, and the exit code each kind means:
//!
//! | code | meaning | variants |
//! |---|---|---|
//! | 0 | everything worked (`probe`: verified, greeted, echoed) | – |
//! | 1 | a check failed, or the run could not go on | [`Error::Check`], [`Error::Timeout`], [`Error::Local`] |
//! | 2 | bad input: a flag, URL, setting, file, certificate or key | [`Error::Input`], [`Error::File`] |
//! | 3 | refused by the peer: a TLS alert, a refused connection | [`Error::Refused`] |
//!
//! Every variant carries the complete message; the variant only says what kind it is.

use std::fmt::Display;

/// Exit code of a failed check (verification, echo, timeout) or a run that could not go on.
pub const EXIT_FAILED: u8 = 1;
/// Exit code of bad input: flags, URL, settings, files, certificates, keys.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code of a refusal by the peer: a TLS alert, a refused connection.
pub const EXIT_REFUSED: u8 = 3;

/// What went wrong, by kind; the text is the message shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A flag, URL or setting that cannot be used.
    #[error("{0}")]
    Input(String),
    /// A file (certificate, key, CA, PKCS#12, password, config) that cannot be read or used.
    #[error("{0}")]
    File(String),
    /// Something on this machine: an address that cannot be bound, no runtime.
    #[error("{0}")]
    Local(String),
    /// One of our checks failed: the peer's certificate, the greeting, the echo, the
    /// websocket.
    #[error("{0}")]
    Check(String),
    /// A step took longer than allowed.
    #[error("{0}")]
    Timeout(String),
    /// The peer refused us: it sent a TLS alert, or refused the connection.
    #[error("{0}")]
    Refused(String),
}

impl Error {
    /// The process exit code for this error (see the module documentation).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) | Error::File(_) => EXIT_BAD_INPUT,
            Error::Check(_) | Error::Timeout(_) | Error::Local(_) => EXIT_FAILED,
            Error::Refused(_) => EXIT_REFUSED,
        }
    }

    /// The same kind of error with `prefix: ` before its message.
    pub fn prefixed(self, prefix: impl Display) -> Self {
        self.map(|m| format!("{prefix}: {m}"))
    }

    /// The same kind of error with its message rewritten by `f`.
    pub fn map(self, f: impl FnOnce(String) -> String) -> Self {
        match self {
            Error::Input(m) => Error::Input(f(m)),
            Error::File(m) => Error::File(f(m)),
            Error::Local(m) => Error::Local(f(m)),
            Error::Check(m) => Error::Check(f(m)),
            Error::Timeout(m) => Error::Timeout(f(m)),
            Error::Refused(m) => Error::Refused(f(m)),
        }
    }

    /// A check failure, or a refusal when the message shows the peer sent a TLS alert.
    pub fn check_or_refused(message: String) -> Self {
        if message.contains("received fatal alert") {
            Error::Refused(message)
        } else {
            Error::Check(message)
        }
    }
}

/// Results of certlab-echo.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages() {
        assert_eq!(Error::Input("x".into()).exit_code(), 2);
        assert_eq!(Error::File("x".into()).exit_code(), 2);
        assert_eq!(Error::Check("x".into()).exit_code(), 1);
        assert_eq!(Error::Timeout("x".into()).exit_code(), 1);
        assert_eq!(Error::Local("x".into()).exit_code(), 1);
        assert_eq!(Error::Refused("x".into()).exit_code(), 3);
        let e = Error::File("no such file".into()).prefixed("listener a");
        assert_eq!(e, Error::File("listener a: no such file".into()));
        assert_eq!(e.to_string(), "listener a: no such file");
        assert!(matches!(
            Error::check_or_refused("x: received fatal alert: CertificateRequired".into()),
            Error::Refused(_)
        ));
        assert!(matches!(
            Error::check_or_refused("x".into()),
            Error::Check(_)
        ));
    }
}
