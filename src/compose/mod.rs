//! Writing mail: drafts, replies and forwards, the MIME message, the editor, and address
//! completion. No network and no terminal: the CLI and the TUI fetch originals, suspend the
//! screen and send; everything between is here.
//!
//! The flow: [`reply::reply`] (or [`reply::new_message`], [`reply::forward_inline`],
//! [`reply::forward_attached`], [`postpone::resume`]) gives a [`reply::Composed`];
//! [`DraftStore::create`] writes it to a private directory; [`editor::edit`] runs the user's
//! editor on [`DraftDir::text_path`]; [`prepare::prepare`] parses, checks and builds the bytes
//! to send (or [`postpone::postponed_message`] the ones to APPEND to Drafts); after sending,
//! the sidecar ([`meta::Meta`]) says which original to flag and which Drafts copy to remove,
//! and [`DraftDir::remove`] deletes the draft.

pub mod address;
pub mod build;
pub mod draft;
pub mod editor;
pub mod followup;
pub mod identity;
pub mod meta;
pub mod original;
pub mod people;
pub mod postpone;
pub mod prepare;
mod quote;
pub mod reply;
pub mod store;

pub use address::Mailbox;
pub use draft::{Draft, DraftError};
pub use identity::Identities;
pub use meta::{MarkKind, MessageRef, Meta};
pub use original::Original;
pub use reply::Composed;
pub use store::{DraftDir, DraftStore};
