//! Errors of the private test/demo Dovecot.

use std::path::PathBuf;

/// Why the dev server could not do what was asked. Messages are meant to be
/// read by a developer running the tests, so they say what to do next.
#[derive(Debug, thiserror::Error)]
pub enum DevServerError {
    #[error(
        "dovecot is not installed: run scripts/test or apt-get install dovecot-imapd dovecot-pop3d"
    )]
    NotInstalled,
    /// Something else the server needs is missing (the text says what to do).
    #[error("{0}")]
    MissingPackage(String),
    #[error(
        "openssl is not installed (needed for the self-signed certificate): apt-get install openssl"
    )]
    OpensslMissing,
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("system user {0:?} not found (it comes with the dovecot-core package)")]
    NoSuchSystemUser(String),
    #[error("invalid option: {0}")]
    InvalidOption(String),
    #[error("certificate generation failed: {0}")]
    Cert(String),
    #[error("dovecot did not start within {secs} s (config {config}); log tail:\n{log_tail}")]
    StartTimeout {
        secs: u64,
        config: PathBuf,
        log_tail: String,
    },
    #[error("dovecot exited during start ({status}); log tail:\n{log_tail}")]
    StartFailed { status: String, log_tail: String },
    #[error("unknown user {0:?}: it is not in DovecotOptions::users")]
    UnknownUser(String),
    #[error("IMAP {op} failed: {source}")]
    Imap {
        op: String,
        // Boxed: imap::Error is large and would bloat every Result here.
        #[source]
        source: Box<imap::Error>,
    },
}

impl DevServerError {
    /// Wraps an I/O error with what we were doing, since bare io errors
    /// ("No such file or directory") are useless in a failing test.
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let context = context.into();
        move |source| DevServerError::Io { context, source }
    }

    pub(crate) fn imap(op: impl Into<String>) -> impl FnOnce(imap::Error) -> Self {
        let op = op.into();
        move |source| DevServerError::Imap {
            op,
            source: Box::new(source),
        }
    }
}
