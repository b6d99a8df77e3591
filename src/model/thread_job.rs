//! Building a folder's threads on another thread. At 100 000 messages a full build takes
//! ~100 ms: done where the keys are read, the screen would freeze for that long. The UI thread
//! only copies what threading reads into one buffer ([`ThreadJob`], a few milliseconds of
//! memory copies), a helper thread builds from it, and [`Model::threads_built`](super::Model)
//! takes the result, with the messages that came or went meanwhile threaded in then.

use super::conversations::Conversations;
use super::threads::Header;
use crate::msg::{Folder, SummaryRef, Uid};

/// What threading reads of every message of a folder, owned: the strings one after the other
/// in `text`, each row naming its pieces by offset.
pub struct ThreadJob {
    pub(super) folder: Folder,
    /// Which start of the thread view this is, so a late build of an earlier one is dropped.
    pub(super) token: u64,
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
    pub(super) fn new<'a>(
        folder: Folder,
        token: u64,
        count: usize,
        summaries: impl Iterator<Item = SummaryRef<'a>>,
    ) -> ThreadJob {
        let mut job = ThreadJob {
            folder,
            token,
            rows: Vec::with_capacity(count),
            // About what a row's ids and subject take, so the buffer is seldom copied as it
            // grows.
            text: String::with_capacity(count * 96),
        };
        for s in summaries {
            let (message_id, in_reply_to, references) = s.header.ids();
            let row = Row {
                uid: s.uid,
                date: s.sent().0,
                message_id: job.keep(message_id.unwrap_or("")),
                in_reply_to: job.keep(in_reply_to.unwrap_or("")),
                references: job.keep(references),
                subject: job.keep(s.subject),
            };
            job.rows.push(row);
        }
        job
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
