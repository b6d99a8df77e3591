//! Gathering a conversation by its ids on another thread ([`job`](super::job) says how): with
//! the thread view off, the messages of the open message's conversation are found by
//! [`Ids::gather`], several passes over the whole folder (25–47 ms at 100 000 messages). The
//! UI thread copies each message's ids ([`GatherJob`], a slice per frame through
//! [`Model::copy_gather`]), a helper thread gathers, and [`Model::gathered`] takes the
//! members, with the messages that came meanwhile and belong added, and those gone left out.

use super::job::{Changes, Snapshot, Stamp};
use super::store::Summaries;
use super::{Mailbox, Model};
use crate::msg::facts::FactsRef;
use crate::msg::related::Ids;
use crate::msg::{Flags, SummaryRef, Uid};

/// Every message's ids, owned, and the conversation's ids to start from.
pub struct GatherJob {
    pub(super) stamp: Stamp,
    /// The message whose conversation it is.
    anchor: Uid,
    ids: Ids,
    snapshot: Snapshot,
    rows: Vec<Copied>,
    /// Every message's ids as hashes, one run after another.
    keys: Vec<u8>,
}

/// A message's ids as the store keeps them: where its ids' hashes are in the job's copy,
/// and the bits that say how to read them.
struct Copied {
    uid: Uid,
    bits: u8,
    keys: std::ops::Range<usize>,
}

/// The members of a conversation, for [`Model::gathered`].
#[derive(Debug)]
pub struct Gathered {
    stamp: Stamp,
    pub anchor: Uid,
    /// The conversation's ids, grown by its members'.
    pub ids: Ids,
    /// Its messages in the open folder, by UID.
    pub members: Vec<Uid>,
}

/// A gather under way: what changed since it started.
#[derive(Debug)]
pub(super) struct Gathering(pub(super) Changes);

impl GatherJob {
    /// The message whose conversation is gathered.
    pub fn anchor(&self) -> Uid {
        self.anchor
    }

    fn copy(&mut self, summaries: &Summaries, max: usize) -> bool {
        let Self {
            snapshot,
            rows,
            keys: all,
            ..
        } = self;
        snapshot.copy(summaries, max, |s| {
            let (_, _, bits) = s.header.parts();
            let (keys, len) = s.header.stored_keys();
            let at = all.len();
            all.extend_from_slice(&keys[..len]);
            rows.push(Copied {
                uid: s.uid,
                bits,
                keys: at..all.len(),
            });
        })
    }

    /// Gathers: the slow part, for a helper thread.
    pub fn run(self) -> Gathered {
        let Self {
            stamp,
            anchor,
            mut ids,
            rows,
            keys,
            ..
        } = self;
        let members = ids.gather(|| rows.iter().map(|r| r.summary(&keys)));
        Gathered {
            stamp,
            anchor,
            ids,
            members,
        }
    }
}

impl Copied {
    /// A summary with the message's ids, all that gathering reads.
    fn summary<'a>(&self, keys: &'a [u8]) -> SummaryRef<'a> {
        SummaryRef {
            uid: self.uid,
            flags: Flags::NONE,
            date: 0,
            date_offset: 0,
            size: 0,
            from: "",
            to: "",
            subject: "",
            header: FactsRef::from_parts(0, 0, self.bits, &keys[self.keys.clone()]),
        }
    }
}

impl std::fmt::Debug for GatherJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "GatherJob({}, {}, {} messages)",
            self.stamp.folder,
            self.anchor,
            self.rows.len()
        )
    }
}

impl Model {
    /// Gathers the conversation of the open folder's `anchor` by its ids, once the returned
    /// job is copied ([`Model::copy_gather`]) and run on another thread; None when the
    /// message has no summary. A gather started before is dropped.
    pub fn start_gather(&mut self, anchor: Uid) -> Option<GatherJob> {
        let mb = self.mailbox.as_mut()?;
        let ids = Ids::of(mb.summaries.get(&anchor)?);
        let (stamp, changes) = Stamp::new(mb.folder.clone());
        mb.gathering = Some(Gathering(changes));
        let snapshot = Snapshot::of(&mb.summaries);
        let count = snapshot.len();
        Some(GatherJob {
            stamp,
            anchor,
            ids,
            snapshot,
            rows: Vec::with_capacity(count),
            // About what a message's ids take.
            keys: Vec::with_capacity(count * 24),
        })
    }

    /// Copies up to `max` more messages into `job`: Some(true) once it can run, None when it
    /// is stale (another folder, or another gather since).
    pub fn copy_gather(&self, job: &mut GatherJob, max: usize) -> Option<bool> {
        let mb = self.mailbox.as_ref()?;
        let changes = mb.gathering.as_ref().map(|g| &g.0);
        job.stamp
            .is_current(&mb.folder, changes)
            .then(|| job.copy(&mb.summaries, max))
    }

    /// The conversation a [`GatherJob`] found, with the messages that came meanwhile and
    /// belong added and those gone left out; None when it is stale.
    pub fn gathered(&mut self, mut g: Gathered) -> Option<Gathered> {
        let mb = self.mailbox.as_mut()?;
        let changes = mb.gathering.as_ref().map(|g| &g.0);
        if !g.stamp.is_current(&mb.folder, changes) {
            return None;
        }
        let Gathering(changes) = mb.gathering.take()?;
        let summaries = &mb.summaries;
        let more = g
            .ids
            .gather(|| changes.moved.iter().filter_map(|u| summaries.get(u)));
        g.members.extend(more);
        g.members.sort_unstable();
        g.members.dedup();
        g.members.retain(|u| summaries.contains_key(u));
        Some(g)
    }
}

impl Mailbox {
    /// The changes of a gather under way, to note what comes and goes.
    pub(super) fn gathering_changes(&mut self) -> Option<&mut Changes> {
        self.gathering.as_mut().map(|g| &mut g.0)
    }
}
