//! What can go wrong when sending, in words the CLI and the TUI show as they are.

use thiserror::Error;

/// A send that did not reach the server's acknowledgement. Whenever a message was queued
/// (every variant but `Invalid` and `Config`), it is still in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SendError {
    /// The message cannot be sent as written (no recipient, an unreadable address).
    #[error("{0}")]
    Invalid(String),
    /// The account cannot send (no `[account.smtp]`, password source failing).
    #[error("{0}")]
    Config(String),
    /// The server refused the message for good (5xx), or the connection cannot be made safe
    /// (certificate, no STARTTLS, login refused). The text holds the server's words.
    #[error("not sent: {text}")]
    Refused { message_id: String, text: String },
    /// The connection was lost after the whole message went out but before the server
    /// answered: it may have been sent. Never resent without asking.
    #[error("may have been sent: {text}")]
    MaybeSent { message_id: String, text: String },
    /// The outbox could not be written or read; when adding, nothing was sent.
    #[error("outbox: {0}")]
    Outbox(String),
}
