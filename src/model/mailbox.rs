//! The open folder ([`Mailbox`]): its summaries, the order they are listed in, what has been
//! fetched of its messages, and the jobs under way on it. [`Model`](super::Model) holds one and
//! hands it the worker's events.

use std::collections::HashMap;

use super::conversations::Conversations;
use super::sort::{Row, Rows, SortKey, SortOrder};
use super::store::Summaries;
use super::threading::thread_header;
use super::{gather_job, job, sorting};
use crate::mime::{Part, Section};
use crate::msg::{Flag, Folder, SummaryRef, Uid};

/// The open folder.
#[derive(Debug)]
pub struct Mailbox {
    pub folder: Folder,
    pub uid_validity: u32,
    pub read_only: bool,
    /// Every UID, in `order`; rows without a summary yet are still loading.
    pub uids: Vec<Uid>,
    /// Whether `uids` is every UID in the folder; false between a cold open's first screen
    /// and its `Listed`, while the folder's size is not known yet.
    pub listed: bool,
    /// The order of `uids` and `search`.
    pub order: SortOrder,
    /// The thread order of the messages with a summary, while the folder is listed as
    /// conversations.
    pub threads: Option<Conversations>,
    /// A thread build under way on another thread, and what changed since its snapshot.
    pub(super) threading: Option<job::Changes>,
    /// A sort under way on another thread ([`Model::start_sort`](super::Model::start_sort)).
    pub(super) sorting: Option<sorting::Sorting>,
    /// A conversation gathered on another thread ([`Model::start_gather`](super::Model::start_gather)).
    pub(super) gathering: Option<gather_job::Gathering>,
    /// Compact ([`store`](super::store)): a folder may hold 100 000 of them.
    pub summaries: Summaries,
    pub synced: bool,
    pub messages: HashMap<Uid, Message>,
    /// Hits of the last server search, in `order`; None when no search is active.
    pub search: Option<Vec<Uid>>,
    /// Arrived UIDs whose summaries have not come yet.
    pub(super) arrivals: std::collections::HashSet<Uid>,
    /// Rows in `summaries` without `\Seen`, kept in step with them: the open folder's unread
    /// count ([`Model::counts`](super::Model::counts)).
    pub(super) unseen_rows: usize,
    /// UIDs in `messages`, least recently fetched first: what goes when over the budget.
    pub(super) fetched: std::collections::VecDeque<Uid>,
    /// Bumped whenever `uids` or `summaries` change, so what is derived from them (the local
    /// filter's index) can tell it is stale without looking at them. A Select carries it on
    /// from the folder open before, so one value never stands for two different mailboxes.
    pub generation: u64,
}

/// What has been fetched of one message.
#[derive(Debug, Default)]
pub struct Message {
    pub root: Option<Part>,
    pub header: Vec<u8>,
    /// Raw (transfer-encoded) part bytes by section.
    pub parts: HashMap<Section, Vec<u8>>,
    pub raw: Option<Vec<u8>>,
    /// Gmail's labels, as of the last time the message was opened.
    pub labels: Vec<String>,
}

/// Bytes of fetched headers and parts kept in memory per folder; a client left open for days
/// must not keep every message it ever showed.
pub const BODY_BUDGET: usize = 64 << 20;

/// What the sort order knows of the open folder's messages: their summaries, and the UIDs
/// that arrived while it was open.
#[derive(Clone, Copy)]
pub(super) struct Known<'a>(
    pub(super) &'a Summaries,
    pub(super) &'a std::collections::HashSet<Uid>,
);

impl<'a> Rows<'a> for Known<'a> {
    fn row(&self, uid: Uid) -> Row<'a> {
        match self.0.get(&uid) {
            Some(s) => Row::Known(s),
            None if self.1.contains(&uid) => Row::Arrived,
            None => Row::Loading,
        }
    }

    /// A presence test, without building the row.
    fn loading(&self, uid: Uid) -> bool {
        !self.0.contains_key(&uid) && !self.1.contains(&uid)
    }
}

impl Mailbox {
    /// The fetched data of `uid`, marked as the most recently used.
    pub(super) fn message_mut(&mut self, uid: Uid) -> &mut Message {
        self.fetched.retain(|u| *u != uid);
        self.fetched.push_back(uid);
        self.messages.entry(uid).or_default()
    }

    /// Drops the least recently fetched messages' data until under [`BODY_BUDGET`]; the
    /// newest one always stays (it is the one being read).
    pub(super) fn trim_bodies(&mut self) {
        let size = |m: &Message| {
            m.header.len()
                + m.raw.as_ref().map_or(0, Vec::len)
                + m.parts.values().map(Vec::len).sum::<usize>()
        };
        let mut total: usize = self.messages.values().map(size).sum();
        while total > BODY_BUDGET && self.fetched.len() > 1 {
            if let Some(old) = self.fetched.pop_front()
                && let Some(m) = self.messages.remove(&old)
            {
                total -= size(&m);
            }
        }
    }

    /// A chunk of summaries from the server, or `cached` ones read at a warm start. Before
    /// `Listed`, the server's join the list (End's rows, the first screen), the cached ones
    /// wait in the store: `Listed` names them and sorts every row once.
    pub(super) fn rows_came(&mut self, chunk: &[crate::msg::Summary], cached: bool) {
        let uids = self.store(chunk);
        if self.listed {
            self.placed(&uids);
        } else if cached {
            self.note_moved(&uids);
            self.thread(&uids);
            self.generation += 1;
        } else {
            self.include(&uids);
            self.placed(&uids);
        }
    }

    /// Keeps a chunk of summaries, replacing rows of the same UIDs; returns their UIDs.
    pub(super) fn store(&mut self, chunk: &[crate::msg::Summary]) -> Vec<Uid> {
        let uids: Vec<Uid> = chunk.iter().map(|s| s.uid).collect();
        let messages = &self.messages;
        let replaced = self.summaries.insert_all(chunk, |mut s| {
            if let Some(root) = messages.get(&s.uid).and_then(|m| m.root.as_ref()) {
                s.header = s.header.with_attachment(root.has_attachments());
            }
            s
        });
        for (s, old) in chunk.iter().zip(replaced) {
            self.arrivals.remove(&s.uid);
            if let Some(old) = old {
                self.unseen_rows -= usize::from(!old.has(Flag::Seen));
            }
            self.unseen_rows += usize::from(!s.flags.has(Flag::Seen));
        }
        uids
    }

    /// After rows of the list were stored: each in its place, and in the threads.
    pub(super) fn placed(&mut self, uids: &[Uid]) {
        self.reorder(uids);
        self.note_moved(uids);
        self.thread(uids);
        self.generation += 1;
    }

    /// Sorts the list and the search hits by `order`.
    pub(super) fn sort(&mut self) {
        let rows = Known(&self.summaries, &self.arrivals);
        self.order.sort(&mut self.uids, rows);
        if let Some(hits) = self.search.as_mut() {
            self.order.sort(hits, rows);
        }
    }

    /// Before a cold open's `Listed`, the list is the rows fetched so far: rows fetched by
    /// sequence number (End's oldest screenful) join it, in server order (the list is a few
    /// screens long then), and `reorder` places them by the folder's order.
    pub(super) fn include(&mut self, uids: &[Uid]) {
        let known: std::collections::HashSet<Uid> = self.uids.iter().copied().collect();
        let before = self.uids.len();
        self.uids.extend(uids.iter().filter(|u| !known.contains(u)));
        if self.uids.len() > before {
            self.uids.sort_unstable_by_key(|u| std::cmp::Reverse(*u));
            self.sort_from_server();
        }
    }

    /// Sorts lists as the server sends them (newest UID first) unless that is the order.
    pub(super) fn sort_from_server(&mut self) {
        let server = SortOrder {
            key: SortKey::Arrival,
            ..SortOrder::default()
        };
        if self.order != server {
            self.sort();
        }
    }

    /// Puts `moved` (new, or with a new summary or flags) in their place in the list and the
    /// search hits.
    pub(super) fn reorder(&mut self, moved: &[Uid]) {
        if !self.order.needs_summary() {
            return;
        }
        let rows = Known(&self.summaries, &self.arrivals);
        self.order.place(&mut self.uids, moved, rows);
        if let Some(hits) = self.search.as_mut() {
            self.order.place(hits, moved, rows);
        }
    }

    /// Adds newly arrived UIDs in their place; returns how many were new.
    pub fn arrive(&mut self, new: &[Uid]) -> usize {
        // `known` grows as we go, so a UID named twice in one event is added once.
        let mut known: std::collections::HashSet<Uid> = self.uids.iter().copied().collect();
        let fresh: Vec<Uid> = new.iter().copied().filter(|u| known.insert(*u)).collect();
        if fresh.is_empty() {
            return 0;
        }
        self.arrivals.extend(fresh.iter().copied());
        self.note_moved(&fresh);
        self.uids.extend(fresh.iter().copied());
        let rows = Known(&self.summaries, &self.arrivals);
        self.order.place(&mut self.uids, &fresh, rows);
        fresh.len()
    }

    /// Forgets messages that left the folder; returns how many it knew.
    pub fn remove(&mut self, gone: &[Uid]) -> usize {
        self.note_removed(gone);
        let gone: std::collections::HashSet<Uid> = gone.iter().copied().collect();
        let before = self.uids.len();
        self.uids.retain(|u| !gone.contains(u));
        if let Some(hits) = self.search.as_mut() {
            hits.retain(|u| !gone.contains(u));
        }
        self.fetched.retain(|u| !gone.contains(u));
        if let Some(t) = self.threading.as_mut() {
            t.removed.extend(gone.iter().copied());
        }
        if let Some(c) = self.threads.as_mut() {
            let gone: Vec<Uid> = gone.iter().copied().collect();
            let summaries = &self.summaries;
            c.remove(&gone, |u| summaries.get(&u).map(thread_header));
        }
        for u in &gone {
            if let Some(old) = self.summaries.remove(u) {
                self.unseen_rows -= usize::from(!old.has(Flag::Seen));
            }
            self.messages.remove(u);
            self.arrivals.remove(u);
        }
        before - self.uids.len()
    }

    /// Unread messages: rows without `\Seen`, and arrivals whose summaries have not come (new
    /// mail is unread until it says otherwise).
    pub fn unseen(&self) -> usize {
        self.unseen_rows + self.arrivals.len()
    }

    /// Summaries in list order, skipping rows not fetched yet.
    pub fn rows(&self) -> impl Iterator<Item = SummaryRef<'_>> {
        self.uids.iter().filter_map(|u| self.summaries.get(u))
    }
}
