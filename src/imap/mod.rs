//! IMAP: connecting, protocol operations as plain blocking functions, and the worker thread
//! that runs them. Knows nothing of any UI.

pub mod actions;
pub mod bulk;
pub mod folders;
mod guard;
pub mod idler;
pub(crate) mod literal;
pub mod messages;
pub mod part_stream;
mod quirks;
mod raw8;
pub mod session;
pub mod stream;
pub mod summary_reader;
pub mod uidset;
pub mod worker;
