//! What the open folder's helper-thread jobs share (a thread build, [`ThreadJob`], a sort,
//! [`SortJob`], and gathering a conversation, [`GatherJob`]): at 100 000 messages either takes ~100 ms, a frozen screen if done
//! where the summaries are read. The UI thread copies what the job reads, a slice of the
//! folder per frame ([`Snapshot`], into one [`Text`] buffer); a helper thread runs it; the
//! model takes the result with what came, changed and went meanwhile ([`Changes`]) put in.
//! A [`Stamp`] names each start, so a late result of an earlier one is dropped.

use std::sync::atomic::{AtomicU64, Ordering};

use super::gather_job::{GatherJob, Gathered};
use super::sort_job::{SortJob, Sorted};
use super::store::Summaries;
use super::thread_job::{Built, ThreadJob};
use crate::msg::{Folder, SummaryRef, Uid};

/// Names each job started, across every account's model, so a result can only land where
/// its job was started.
static STARTED: AtomicU64 = AtomicU64::new(0);

/// Which start of a job of which folder a job, or its result, is: it is copied and lands only
/// in that folder, and only while the mailbox notes changes for that start.
#[derive(Debug)]
pub(super) struct Stamp {
    pub(super) folder: Folder,
    token: u64,
}

impl Stamp {
    /// A new start in `folder`, and the changes the mailbox is to note for it.
    pub(super) fn new(folder: Folder) -> (Stamp, Changes) {
        let token = STARTED.fetch_add(1, Ordering::Relaxed);
        let changes = Changes {
            token,
            moved: Vec::new(),
            removed: Vec::new(),
        };
        (Stamp { folder, token }, changes)
    }

    /// Whether the job is current in the open `folder`, which notes `changes` for the job
    /// under way (if any).
    pub(super) fn is_current(&self, folder: &Folder, changes: Option<&Changes>) -> bool {
        self.folder == *folder && changes.is_some_and(|c| c.token == self.token)
    }
}

/// The summaries' UIDs when a job started, in the store's own order, and how many of them
/// are copied.
pub(super) struct Snapshot {
    uids: Vec<Uid>,
    next: usize,
}

impl Snapshot {
    pub(super) fn of(summaries: &Summaries) -> Snapshot {
        Snapshot {
            uids: summaries.keys().collect(),
            next: 0,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.uids.len()
    }

    /// Hands up to `max` more of the snapshot's rows still held to `each`; true once every
    /// one is. A row is read by position, where it lay when the job started, unless it moved
    /// since (a removal moves the last row into its place): then by UID.
    pub(super) fn copy<'a>(
        &mut self,
        summaries: &'a Summaries,
        max: usize,
        mut each: impl FnMut(SummaryRef<'a>),
    ) -> bool {
        let end = self.next.saturating_add(max).min(self.uids.len());
        for (i, &uid) in self.uids.iter().enumerate().take(end).skip(self.next) {
            let row = summaries
                .at(i)
                .filter(|s| s.uid == uid)
                .or_else(|| summaries.get(&uid));
            if let Some(s) = row {
                each(s);
            }
        }
        self.next = end;
        self.is_copied()
    }

    pub(super) fn is_copied(&self) -> bool {
        self.next == self.uids.len()
    }
}

/// Strings kept one after the other in one buffer, each named by its range: no allocation
/// per row.
pub(super) struct Text(String);

/// Where a string lies in a [`Text`]; an empty range is an empty string.
pub(super) type Piece = (u32, u32);

impl Text {
    pub(super) fn with_capacity(bytes: usize) -> Text {
        Text(String::with_capacity(bytes))
    }

    /// Appends `s`; its range. A folder's text stays far below 4 GiB (the ids are bounded,
    /// subjects and names are header lines).
    pub(super) fn keep(&mut self, s: &str) -> Piece {
        let start = self.0.len();
        self.0.push_str(s);
        let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (at(start), at(self.0.len()))
    }

    pub(super) fn get(&self, (start, end): Piece) -> &str {
        self.0.get(start as usize..end as usize).unwrap_or("")
    }
}

/// The messages that came or changed (a new summary, new flags), and those that went, while
/// a job ran: its result takes them in when it lands.
#[derive(Debug)]
pub(super) struct Changes {
    token: u64,
    pub(super) moved: Vec<Uid>,
    pub(super) removed: Vec<Uid>,
}
/// A job for a helper thread, once copied.
#[derive(Debug)]
pub enum Job {
    Threads(ThreadJob),
    Sort(SortJob),
    Gather(GatherJob),
}

/// A job's result, for the model ([`Model::threads_built`](super::Model::threads_built),
/// [`Model::sorted`](super::Model::sorted)).
#[derive(Debug)]
pub enum Done {
    Threads(Built),
    Sorted(Sorted),
    Gathered(Gathered),
}

impl Job {
    /// The slow part, for a helper thread.
    pub fn run(self) -> Done {
        match self {
            Job::Threads(job) => Done::Threads(job.run()),
            Job::Sort(job) => Done::Sorted(job.run()),
            Job::Gather(job) => Done::Gathered(job.run()),
        }
    }
}
