//! POP3 accounts: one folder, INBOX, served through the same [`crate::msg`] contract as IMAP.
//!
//! - [`wire`]: status lines and dot-stuffed multi-line replies, bounded in memory and time.
//! - [`session`]: connect (implicit TLS, STLS, plain), CAPA, login, and the RFC 1939 commands.
//! - [`store`]: the local copy under tern's data directory, keyed by UIDL, with stable IDs,
//!   local flags and download dates.
//! - [`worker`]: the thread that answers [`crate::msg::Cmd`]s from the store and the server.

pub mod session;
pub mod store;
pub mod wire;
pub mod worker;
