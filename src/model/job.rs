//! What the open folder's helper-thread jobs share (a thread build,
//! [`ThreadJob`](super::thread_job::ThreadJob)): at 100 000 messages either takes ~100 ms, a frozen screen if done
//! where the summaries are read. The UI thread copies what the job reads, a slice of the
//! folder per frame ([`Snapshot`], into one [`Text`] buffer); a helper thread runs it; the
//! model takes the result with what came, changed and went meanwhile ([`Changes`]) put in.
//! A token names each start, so a late result of an earlier one is dropped.

use std::sync::atomic::{AtomicU64, Ordering};

use super::store::Summaries;
use crate::msg::{SummaryRef, Uid};

/// Names each job started, across every account's model, so a result can only land where
/// its job was started.
static STARTED: AtomicU64 = AtomicU64::new(0);

/// A token for a new job.
pub(super) fn token() -> u64 {
    STARTED.fetch_add(1, Ordering::Relaxed)
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
    pub(super) token: u64,
    pub(super) moved: Vec<Uid>,
    pub(super) removed: Vec<Uid>,
}

impl Changes {
    pub(super) fn new(token: u64) -> Changes {
        Changes {
            token,
            moved: Vec::new(),
            removed: Vec::new(),
        }
    }
}
