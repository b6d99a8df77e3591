//! Building a folder's threads on another thread ([`job`](super::job) says how): the UI
//! thread copies what threading reads ([`ThreadJob`], a slice per frame through
//! [`Model::copy_threads`](super::Model::copy_threads)), a helper thread builds, and
//! [`Model::threads_built`](super::Model::threads_built) takes the result, with the messages
//! that came or went meanwhile threaded in then.

use super::conversations::Conversations;
use super::job::{Piece, Snapshot, Stamp, Text};
use super::store::Summaries;
use super::threads::Header;
use crate::msg::{SummaryRef, Uid};

/// What threading reads of every message of a folder, owned: the strings one after the other
/// in `text`, each row naming its pieces by offset.
pub struct ThreadJob {
    /// Which start of the thread view this is, so a late build of an earlier one is dropped.
    pub(super) stamp: Stamp,
    /// A summary that comes or goes meanwhile is threaded in or out when the build is done,
    /// whether or not it was copied.
    snapshot: Snapshot,
    rows: Vec<Row>,
    text: Text,
}

/// Pieces of [`ThreadJob::text`]; an empty one is a missing id.
struct Row {
    uid: Uid,
    date: i64,
    message_id: Piece,
    in_reply_to: Piece,
    references: Piece,
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
            // About what a row's ids and subject take, so the buffer is seldom copied as it
            // grows.
            text: Text::with_capacity(count * 96),
        }
    }

    /// Copies what threading reads of up to `max` more messages; true once every one is.
    pub(super) fn copy(&mut self, summaries: &Summaries, max: usize) -> bool {
        let Self {
            snapshot,
            rows,
            text,
            ..
        } = self;
        snapshot.copy(summaries, max, |s| rows.push(Row::of(s, text)))
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
        let piece = |p| self.text.get(p);
        let some = |range| Some(piece(range)).filter(|s| !s.is_empty());
        let headers = self
            .rows
            .iter()
            .map(|r| Header {
                uid: r.uid,
                message_id: some(r.message_id),
                references: piece(r.references),
                in_reply_to: some(r.in_reply_to),
                subject: piece(r.subject),
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
    fn of(s: SummaryRef<'_>, text: &mut Text) -> Row {
        let (message_id, in_reply_to, references) = s.header.ids();
        Row {
            uid: s.uid,
            date: s.sent().0,
            message_id: text.keep(message_id.unwrap_or("")),
            in_reply_to: text.keep(in_reply_to.unwrap_or("")),
            references: text.keep(references),
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
