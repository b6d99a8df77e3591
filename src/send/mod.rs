//! Sending mail: a raw RFC 5322 message in, the server's verdict out, and never a message
//! lost on the way.
//!
//! ```text
//!   submit(account, raw)
//!     prepare ─▶ outbox.add (fsync) ─▶ deliver (smtp | sendmail | lmtp) ─▶ verdict
//!                                        accepted ─▶ state "accepted" (fsync) ─▶ Sent copy ─▶ remove
//!                                        4xx / unreachable ─▶ queued, retried with backoff
//!                                        5xx ─▶ refused (kept, server's words)
//!                                        lost after "." ─▶ may have been sent (asks first)
//! ```
//!
//! - [`prepare`] fixes up the message (envelope, Bcc, missing headers, RFC 2047).
//! - [`outbox`] keeps every message on disk until it is sent and filed.
//! - `deliver` picks the route; `smtp` (lettre), `sendmail`, `lmtp` do one attempt each;
//!   `smtp_bearer` logs OAuth2 accounts in with XOAUTH2.
//! - [`worker`] runs all this on a thread of its own for the TUI.

mod attempt;
mod deliver;
mod error;
mod lmtp;
pub mod outbox;
mod prepare;
mod sendmail;
mod sent_copy;
mod smtp;
mod smtp_bearer;
pub mod worker;

pub use attempt::{Secrets, Submitted, attempt, backoff_secs, is_due, now, submit, submit_to};
pub use error::SendError;
pub use outbox::{Entry, EntryState, Outbox, Status};
pub use prepare::{Prepared, prepare};
