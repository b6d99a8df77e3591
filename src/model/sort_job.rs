//! Sorting the open folder on another thread ([`job`](super::job) says how): the UI thread
//! copies what the order reads ([`SortJob`], a slice per frame through
//! [`Model::copy_sort`](super::Model::copy_sort)), a helper thread sorts, and
//! [`Model::sorted`](super::Model::sorted) takes the list, with the messages that came,
//! changed or went meanwhile put in their place then. The sort itself is
//! [`SortOrder::sort`]'s, so a list sorted here and one sorted in place are the same.

use std::collections::HashSet;

use super::job::{Piece, Snapshot, Stamp, Text};
use super::sort::{Row, SortKey, SortOrder};
use super::store::Summaries;
use crate::msg::facts::FactsRef;
use crate::msg::{Flags, SummaryRef, Uid};

/// What an order reads of every message of a folder, owned.
pub struct SortJob {
    /// Which sort this is: a newer one (or another folder) makes it stale.
    pub(super) stamp: Stamp,
    pub(super) order: SortOrder,
    /// The list when the sort started; its rows without a summary are placed as
    /// [`SortOrder::sort`] places them.
    list: Vec<Uid>,
    /// Those of them that arrived while the folder was open and have no summary yet.
    arrivals: HashSet<Uid>,
    snapshot: Snapshot,
    rows: Vec<Copied>,
    text: Text,
}

/// A finished sort, for [`Model::sorted`](super::Model::sorted).
pub struct Sorted {
    pub(super) stamp: Stamp,
    pub(super) order: SortOrder,
    /// The list at the start, in `order`.
    pub(super) uids: Vec<Uid>,
}

impl SortJob {
    /// A sort of `list` in `order`, nothing copied yet.
    pub(super) fn new(
        stamp: Stamp,
        order: SortOrder,
        list: Vec<Uid>,
        arrivals: HashSet<Uid>,
        summaries: &Summaries,
    ) -> SortJob {
        let snapshot = Snapshot::of(summaries);
        let count = snapshot.len();
        // Subjects are the longest text an order reads; names are shorter.
        let bytes = match order.key {
            SortKey::From | SortKey::To | SortKey::Subject => count * 64,
            SortKey::Date | SortKey::Arrival | SortKey::Size => 0,
        };
        SortJob {
            stamp,
            order,
            list,
            arrivals,
            snapshot,
            rows: Vec::with_capacity(count),
            text: Text::with_capacity(bytes),
        }
    }

    /// Copies what the order reads of up to `max` more messages; true once every one is.
    pub(super) fn copy(&mut self, summaries: &Summaries, max: usize) -> bool {
        let Self {
            order,
            snapshot,
            rows,
            text,
            ..
        } = self;
        snapshot.copy(summaries, max, |s| {
            rows.push(Copied {
                uid: s.uid,
                flags: s.flags,
                sent: s.sent().0,
                size: s.size,
                text: text.keep(order.key.text(s)),
            });
        })
    }

    pub fn is_copied(&self) -> bool {
        self.snapshot.is_copied()
    }

    /// Sorts the list: the slow part, for a helper thread.
    pub fn run(self) -> Sorted {
        let at: foldhash::HashMap<Uid, &Copied> = self.rows.iter().map(|r| (r.uid, r)).collect();
        let row = |uid: Uid| match at.get(&uid) {
            Some(r) => Row::Known(self.summary(r)),
            None if self.arrivals.contains(&uid) => Row::Arrived,
            None => Row::Loading,
        };
        let mut uids = self.list.clone();
        self.order.sort(&mut uids, row);
        Sorted {
            stamp: self.stamp,
            order: self.order,
            uids,
        }
    }

    /// `r` as a summary with what the order reads: the copied text stands in every text field,
    /// as the key reads only its own ([`SortKey::text`]).
    fn summary<'a>(&'a self, r: &Copied) -> SummaryRef<'a> {
        let text = self.text.get(r.text);
        SummaryRef {
            uid: r.uid,
            flags: r.flags,
            // Without a Date header in `header`, the date is when it was sent.
            date: r.sent,
            date_offset: 0,
            size: r.size,
            from: text,
            to: text,
            subject: text,
            header: FactsRef::default(),
        }
    }
}

/// One message as the order reads it: the one text its key names (none for the numeric
/// keys), the date it was sent, its size and flags.
struct Copied {
    uid: Uid,
    flags: Flags,
    sent: i64,
    size: u32,
    text: Piece,
}

impl std::fmt::Debug for SortJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SortJob({}, {}, {} messages)",
            self.stamp.folder,
            self.order,
            self.list.len()
        )
    }
}

impl std::fmt::Debug for Sorted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Sorted({}, {}, {} messages)",
            self.stamp.folder,
            self.order,
            self.uids.len()
        )
    }
}
