//! Error kinds shared by the engine; the CLI and UI turn them into plain words at the edge.

use thiserror::Error;

/// Every failure the engine reports. Variants carry text, not foreign error types, so an error
/// can travel from the worker thread to the UI inside an [`crate::msg::Event`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    /// The configuration file or a command-line argument is wrong (exit code 2).
    #[error("{0}")]
    Config(String),
    /// The host could not be reached, or the connection dropped or timed out.
    #[error("network: {0}")]
    Network(String),
    /// The TLS handshake failed or the certificate was refused.
    #[error("TLS: {0}")]
    Tls(String),
    /// The server refused our credentials; the text is the server's own words.
    #[error("login failed: {0}")]
    Auth(String),
    /// The server answered NO or BAD; `text` is its reply verbatim.
    #[error("{command} failed: server said: {text}")]
    Server { command: String, text: String },
    /// The server sent something we could not parse; the connection is no longer usable.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The server's answer broke one of tern's caps (its size, its number of responses, the
    /// time it may take): the connection is dropped, and the command is not simply repeated,
    /// since the server would most likely answer the same way.
    #[error("{0}")]
    Limit(String),
    /// The user named something that does not exist (a folder, a UID, a section).
    #[error("{0}")]
    NotFound(String),
    /// A local file could not be read or written.
    #[error("{0}")]
    Io(String),
    /// Not done yet but kept for a later try (a message queued in the outbox; exit 75,
    /// sendmail's EX_TEMPFAIL).
    #[error("{0}")]
    Deferred(String),
    /// tern itself declined a request the server cannot carry out safely (no UIDPLUS, a
    /// read-only folder…): tern's words, so they are never presented as the server's.
    #[error("{0}")]
    Refused(String),
    /// Standard output was closed by the reader (`tern list | head -1`): not a failure.
    #[error("output closed")]
    OutputClosed,
}

impl Error {
    /// Errors after which the IMAP connection must be dropped and re-established.
    pub fn is_fatal_for_connection(&self) -> bool {
        matches!(
            self,
            Error::Network(_) | Error::Tls(_) | Error::Protocol(_) | Error::Limit(_)
        )
    }

    /// The process exit code the CLI uses for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config(_) => 2,
            Error::Deferred(_) => 75,
            Error::OutputClosed => 0,
            _ => 1,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
