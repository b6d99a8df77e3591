//! One row of a message list as it travels between the worker, the model, the cache and the
//! CLI.

use std::sync::Arc;

use super::{Flags, HeaderFacts, SummaryRef, Uid};

/// One row of a message list as it travels (worker → model, cache, CLI): 104 bytes plus the
/// subject's and the ids'. The open folder's model keeps rows compact instead
/// ([`crate::model::store`]) and lends them out as [`SummaryRef`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub uid: Uid,
    pub flags: Flags,
    /// INTERNALDATE as seconds since the epoch, with the server's UTC offset in seconds.
    pub date: i64,
    pub date_offset: i32,
    pub size: u32,
    /// Decoded display form of the first sender (`Name <addr>` or `addr`).
    pub from: Arc<str>,
    /// Decoded display form of the first recipient.
    pub to: Arc<str>,
    pub subject: Box<str>,
    /// The Date header, the ids threads are built from, the attachment bit: read them through
    /// the methods below.
    pub header: HeaderFacts,
}

impl Summary {
    /// When the message was sent: its Date header, or INTERNALDATE when it has none that
    /// parses. Seconds since the epoch and UTC offset in seconds.
    pub fn sent(&self) -> (i64, i32) {
        self.header.sent().unwrap_or((self.date, self.date_offset))
    }

    /// The Message-ID, without angle brackets.
    pub fn message_id(&self) -> Option<&str> {
        self.header.message_id()
    }

    /// The first id of In-Reply-To, without angle brackets.
    pub fn in_reply_to(&self) -> Option<&str> {
        self.header.in_reply_to()
    }

    /// The References ids, oldest first, without angle brackets; at most
    /// [`facts::MAX_REFERENCES`] (the first and the last ones).
    pub fn references(&self) -> impl Iterator<Item = &str> {
        self.header.references()
    }

    /// Whether the list marks the message `@` (see [`crate::mime::facts`] for the rule).
    pub fn has_attachment(&self) -> bool {
        self.header.has_attachment()
    }

    /// The row borrowed, as the model's store hands rows out.
    pub fn view(&self) -> SummaryRef<'_> {
        SummaryRef::from(self)
    }
}
