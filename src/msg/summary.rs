//! One row of a message list as it travels between the worker, the model, the cache and the
//! CLI.

use std::borrow::Cow;
use std::sync::Arc;

use super::{Flags, HeaderFacts, SummaryRef, Uid};
use crate::mime::address::first_shown;
use crate::mime::headers::decode_text;
use crate::mime::list_fields::ListFields;

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
    /// A row from the header fields a list is made of, with what a server tells apart from
    /// the header: the flags, INTERNALDATE (seconds, UTC offset in seconds) and the size.
    /// `scratch` is the caller's buffer for the addresses' display forms, kept from row to row
    /// so that each address costs one allocation, its shared copy.
    pub fn from_fields(
        uid: Uid,
        flags: Flags,
        (date, date_offset): (i64, i32),
        size: u32,
        fields: &ListFields<'_>,
        scratch: &mut String,
    ) -> Summary {
        let mut address = |value: Option<&[u8]>| {
            first_shown(value.unwrap_or_default(), scratch);
            Arc::from(scratch.as_str())
        };
        Summary {
            uid,
            flags,
            date,
            date_offset,
            size,
            from: address(fields.from),
            to: address(fields.to),
            subject: fields.subject.map_or(Cow::Borrowed(""), decode_text).into(),
            header: HeaderFacts::from_fields(fields),
        }
    }

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
