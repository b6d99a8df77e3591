//! Building a folder's threads on another thread. At 100 000 messages a full build takes
//! ~100 ms: done where the keys are read, the screen would freeze for that long. The UI thread
//! only copies what threading reads into one buffer ([`ThreadJob`]), a slice of the folder per
//! frame ([`Model::copy_threads`](super::Model::copy_threads)) so that no frame waits for the
//! whole copy; a helper thread builds from it, and
//! [`Model::threads_built`](super::Model::threads_built) takes the result, with the messages
//! that came or went meanwhile threaded in then.

use super::conversations::Conversations;
use super::store::Summaries;
use super::threads::Header;
use crate::msg::{Folder, SummaryRef, Uid};

/// What threading reads of every message of a folder, owned: the strings one after the other
/// in `text`, each row naming its pieces by offset.
pub struct ThreadJob {
    pub(super) folder: Folder,
    /// Which start of the thread view this is, so a late build of an earlier one is dropped.
    pub(super) token: u64,
    /// The folder's UIDs when the build started, in the summaries' own order; those before
    /// `next` are copied. A summary that comes or goes meanwhile is threaded in or out when
    /// the build is done, whether or not it was copied.
    uids: Vec<Uid>,
    next: usize,
    rows: Vec<Row>,
    text: String,
}

/// Offsets into [`ThreadJob::text`]; an empty range is a missing id.
struct Row {
    uid: Uid,
    date: i64,
    message_id: (u32, u32),
    in_reply_to: (u32, u32),
    references: (u32, u32),
    subject: (u32, u32),
}

/// A finished build, for [`Model::threads_built`](super::Model::threads_built).
pub struct Built {
    pub(super) folder: Folder,
    pub(super) token: u64,
    pub(super) conversations: Conversations,
}

impl ThreadJob {
    /// A build of `uids`' summaries, none copied yet.
    pub(super) fn new(folder: Folder, token: u64, uids: Vec<Uid>) -> ThreadJob {
        let count = uids.len();
        ThreadJob {
            folder,
            token,
            uids,
            next: 0,
            rows: Vec::with_capacity(count),
            // About what a row's ids and subject take, so the buffer is seldom copied as it
            // grows.
            text: String::with_capacity(count * 96),
        }
    }

    /// Copies what threading reads of up to `max` more messages; true once every one is.
    pub(super) fn copy(&mut self, summaries: &Summaries, max: usize) -> bool {
        let end = self.next.saturating_add(max).min(self.uids.len());
        for i in self.next..end {
            if let Some(s) = summaries.get(&self.uids[i]) {
                self.push(s);
            }
        }
        self.next = end;
        self.is_copied()
    }

    /// Whether every message is copied: the build can run.
    pub fn is_copied(&self) -> bool {
        self.next == self.uids.len()
    }

    fn push(&mut self, s: SummaryRef<'_>) {
        let (message_id, in_reply_to, references) = s.header.ids();
        let row = Row {
            uid: s.uid,
            date: s.sent().0,
            message_id: self.keep(message_id.unwrap_or("")),
            in_reply_to: self.keep(in_reply_to.unwrap_or("")),
            references: self.keep(references),
            subject: self.keep(s.subject),
        };
        self.rows.push(row);
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
        let piece =
            |(start, end): (u32, u32)| self.text.get(start as usize..end as usize).unwrap_or("");
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
            folder: self.folder,
            token: self.token,
            conversations,
        }
    }

    /// Appends `s` to the buffer; its range there. A folder's text stays far below 4 GiB (the
    /// ids are bounded, subjects are header lines).
    fn keep(&mut self, s: &str) -> (u32, u32) {
        let start = self.text.len();
        self.text.push_str(s);
        let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (at(start), at(self.text.len()))
    }
}

impl std::fmt::Debug for ThreadJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ThreadJob({}, {} messages)",
            self.folder,
            self.rows.len()
        )
    }
}

impl std::fmt::Debug for Built {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Built({}, {} messages)",
            self.folder,
            self.conversations.len()
        )
    }
}
