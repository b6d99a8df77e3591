//! Building a folder's threads on another thread ([`job`](super::job) says how): the UI
//! thread copies what threading reads ([`ThreadJob`], a slice per frame through
//! [`Model::copy_threads`](super::Model::copy_threads)), a helper thread builds, and
//! [`Model::threads_built`](super::Model::threads_built) takes the result, with the messages
//! that came or went meanwhile threaded in then.

use super::conversations::Conversations;
use super::job::{Piece, Snapshot, Stamp, Text};
use super::store::Summaries;
use super::threads::Header;
use crate::msg::facts::RefKeys;
use crate::msg::id_hash::IdHash;
use crate::msg::{SummaryRef, Uid};

/// What threading reads of every message of a folder, owned: the subjects one after the
/// other in `text`, the References' hashes in `references`, each row naming its pieces by
/// offset.
pub struct ThreadJob {
    /// Which start of the thread view this is, so a late build of an earlier one is dropped.
    pub(super) stamp: Stamp,
    /// A summary that comes or goes meanwhile is threaded in or out when the build is done,
    /// whether or not it was copied.
    snapshot: Snapshot,
    rows: Vec<Row>,
    text: Text,
    references: Vec<u8>,
}

struct Row {
    uid: Uid,
    date: i64,
    message_id: Option<IdHash>,
    in_reply_to: Option<IdHash>,
    /// Into [`ThreadJob::references`].
    references: (u32, u32),
    subject: Piece,
}

/// A finished build, for [`Model::threads_built`](super::Model::threads_built).
pub struct Built {
    pub(super) stamp: Stamp,
    pub(super) conversations: Conversations,
}

impl ThreadJob {
    /// A build of the summaries held now, none copied yet.
    pub(super) fn new(stamp: Stamp, summaries: &Summaries) -> ThreadJob {
        let snapshot = Snapshot::of(summaries);
        let count = snapshot.len();
        ThreadJob {
            stamp,
            snapshot,
            rows: Vec::with_capacity(count),
            // About what a row's subject and References take, so the buffers are seldom
            // copied as they grow.
            text: Text::with_capacity(count * 48),
            references: Vec::with_capacity(count * 16),
        }
    }

    /// Copies what threading reads of up to `max` more messages; true once every one is.
    pub(super) fn copy(&mut self, summaries: &Summaries, max: usize) -> bool {
        let Self {
            snapshot,
            rows,
            text,
            references,
            ..
        } = self;
        snapshot.copy(summaries, max, |s| rows.push(Row::of(s, text, references)))
    }

    /// Whether every message is copied: the build can run.
    pub fn is_copied(&self) -> bool {
        self.snapshot.is_copied()
    }

    /// How many messages it threads.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Builds the threads: the slow part, for a helper thread.
    pub fn run(self) -> Built {
        let refs = |(start, end): (u32, u32)| {
            let bytes = self.references.get(start as usize..end as usize);
            RefKeys::Hashed(bytes.unwrap_or_default())
        };
        let headers = self
            .rows
            .iter()
            .map(|r| Header {
                uid: r.uid,
                message_id: r.message_id,
                references: refs(r.references),
                in_reply_to: r.in_reply_to,
                subject: self.text.get(r.subject),
                date: r.date,
            })
            .collect();
        let conversations = Conversations::build(headers);
        Built {
            stamp: self.stamp,
            conversations,
        }
    }
}

impl Row {
    fn of(s: SummaryRef<'_>, text: &mut Text, references: &mut Vec<u8>) -> Row {
        let keys = s.header.keys();
        let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let start = references.len();
        for r in keys.references.iter() {
            references.extend_from_slice(&r.raw().to_le_bytes());
        }
        Row {
            uid: s.uid,
            date: s.sent().0,
            message_id: keys.message_id,
            in_reply_to: keys.in_reply_to,
            references: (at(start), at(references.len())),
            subject: text.keep(s.subject),
        }
    }
}

impl std::fmt::Debug for ThreadJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ThreadJob({}, {} messages)",
            self.stamp.folder,
            self.rows.len()
        )
    }
}

impl std::fmt::Debug for Built {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Built({}, {} messages)",
            self.stamp.folder,
            self.conversations.len()
        )
    }
}
