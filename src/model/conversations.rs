//! The thread order of a folder, kept up to date as mail comes and goes: [`threads`] (JWZ)
//! groups the messages, this keeps the groups in display order and rebuilds only the threads
//! a change touches.
//!
//! A change (new summaries, an expunge) names messages; the threads they belong to, and the
//! threads that name one of their ids or share a grouping subject, are threaded again
//! together and merged back into the list by their newest message. Flags do not change
//! threads, so a flag change costs nothing here.
//!
//! Ids and subjects are indexed by a 64-bit hash, each pointing at one message of a thread
//! that names it: a collision only threads two unrelated threads again together, which gives
//! the same result for both. An id named by two threads at once (duplicate Message-IDs kept
//! apart, a reference cycle broken) points at the last one indexed, so a later message naming
//! it may be threaded without the other. Subjects are indexed only for messages without
//! parents: a message whose References all name missing messages, without a `Re:`, may start
//! a thread that a later parentless `Re:` reply with its subject does not find. A full
//! [`Conversations::build`] is exact.

use std::hash::{BuildHasher, Hasher};

use super::threads::{self, Header, Threads};
use crate::msg::Uid;
use crate::msg::id_hash::IdHash;

/// One message row of a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub uid: Uid,
    /// 0 for the top of a thread; a message under a missing parent that joins several
    /// replies sits at 1.
    pub depth: u16,
}

/// One conversation: its messages oldest first, depth-first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thread<'a> {
    rows: &'a [Row],
}

impl<'a> Thread<'a> {
    pub fn rows(&self) -> &'a [Row] {
        self.rows
    }

    /// The first message: the row a folded thread shows.
    pub fn head(&self) -> Uid {
        self.rows[0].uid
    }

    pub fn uids(&self) -> impl Iterator<Item = Uid> + 'a {
        self.rows.iter().map(|r| r.uid)
    }
}

/// Where a thread's rows are in [`Conversations`]' one list of rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
    /// (date, UID) of the newest message: threads are listed newest first by it.
    newest: (i64, Uid),
}

/// Every threaded message of a folder, threads newest first. One list of rows for all of
/// them, not one per thread: most threads of a folder are a single message.
#[derive(Debug, Default)]
pub struct Conversations {
    rows: Vec<Row>,
    spans: Vec<Span>,
    /// Index into `spans` of each message's thread.
    at: foldhash::HashMap<Uid, u32>,
    /// Hashed ids and grouping subjects → a message whose thread names them. 32 bits are
    /// plenty: a collision only threads two threads again together.
    keys: foldhash::HashMap<u32, Uid>,
    hasher: foldhash::fast::RandomState,
}

impl Conversations {
    /// Threads `messages`, in any order.
    pub fn build(messages: Vec<Header>) -> Conversations {
        let mut c = Conversations::default();
        c.at.reserve(messages.len());
        // An id each, and some subjects and missing parents.
        c.keys.reserve(messages.len() + messages.len() / 4);
        c.replace(&Default::default(), messages);
        c
    }

    /// Threads newest first.
    pub fn threads(&self) -> impl ExactSizeIterator<Item = Thread<'_>> {
        self.spans.iter().map(|s| self.thread_in(s))
    }

    /// The `i`th thread, newest first.
    pub fn thread_at(&self, i: usize) -> Option<Thread<'_>> {
        self.spans.get(i).map(|s| self.thread_in(s))
    }

    /// Every message in thread order: the threads newest first, one after the other.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The index of `uid`'s thread among [`Conversations::threads`].
    pub fn thread_of(&self, uid: Uid) -> Option<usize> {
        self.at.get(&uid).map(|&t| t as usize)
    }

    /// The thread `uid` belongs to.
    pub fn thread(&self, uid: Uid) -> Option<Thread<'_>> {
        self.thread_of(uid).and_then(|i| self.thread_at(i))
    }

    /// A message of a thread that names `id` (as its Message-ID, In-Reply-To or a
    /// References id), if one does. Ids are indexed by hash: a collision or an id two threads
    /// name may give another thread, so the caller checks what it finds.
    pub fn naming(&self, id: IdHash) -> Option<Uid> {
        let key = self.hasher.hash_one((0u8, id)) as u32;
        self.keys
            .get(&key)
            .copied()
            .filter(|u| self.at.contains_key(u))
    }

    /// How many messages are threaded.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn thread_in(&self, s: &Span) -> Thread<'_> {
        let start = s.start as usize;
        Thread {
            rows: &self.rows[start..start + s.len as usize],
        }
    }

    /// Messages new or with a new summary: they join (or start) their threads.
    pub fn add<'a>(&mut self, uids: &[Uid], header: impl Fn(Uid) -> Option<Header<'a>>) {
        let fresh: Vec<Header<'a>> = uids.iter().filter_map(|&u| header(u)).collect();
        if fresh.is_empty() {
            return;
        }
        let mut touched: foldhash::HashSet<u32> = Default::default();
        for h in &fresh {
            touched.extend(self.at.get(&h.uid).copied());
            for key in keys_of(&self.hasher, h) {
                let thread = self.keys.get(&key).and_then(|u| self.at.get(u));
                touched.extend(thread.copied());
            }
        }
        let fresh_uids: foldhash::HashSet<Uid> = fresh.iter().map(|h| h.uid).collect();
        let mut members = fresh;
        for &t in &touched {
            let old = self.thread_in(&self.spans[t as usize]).uids();
            members.extend(old.filter(|u| !fresh_uids.contains(u)).filter_map(&header));
        }
        self.replace(&touched, members);
    }

    /// Messages that left the folder: their threads are threaded again without them.
    pub fn remove<'a>(&mut self, gone: &[Uid], header: impl Fn(Uid) -> Option<Header<'a>>) {
        let gone: foldhash::HashSet<Uid> = gone.iter().copied().collect();
        let touched: foldhash::HashSet<u32> = gone
            .iter()
            .filter_map(|u| self.at.get(u).copied())
            .collect();
        if touched.is_empty() {
            return;
        }
        let mut members = Vec::new();
        for &t in &touched {
            let left = self.thread_in(&self.spans[t as usize]).uids();
            members.extend(left.filter(|u| !gone.contains(u)).filter_map(&header));
        }
        self.replace(&touched, members);
    }

    /// Drops the threads `touched` and merges in the threads of `members`, in order. Members
    /// are threaded in UID order, whatever order they came in, so that of two messages with
    /// one Message-ID the replies go to the older one however the threads were built.
    fn replace(&mut self, touched: &foldhash::HashSet<u32>, mut members: Vec<Header>) {
        members.sort_unstable_by_key(|h| h.uid);
        let members = &members[..];
        let (fresh_rows, mut fresh) = split(&Threads::build(members), members);
        fresh.sort_by_key(|s| std::cmp::Reverse(s.newest));
        let mut kept = self
            .spans
            .iter()
            .enumerate()
            .filter(|(i, _)| !touched.contains(&(*i as u32)))
            .map(|(_, s)| (s, &self.rows))
            .peekable();
        let mut fresh = fresh.iter().map(|s| (s, &fresh_rows)).peekable();
        let mut rows = Vec::with_capacity(self.rows.len() + members.len());
        let mut spans = Vec::with_capacity(self.spans.len() + fresh.len());
        // Both are newest first: one merge keeps the whole list in order.
        loop {
            let take_fresh = match (kept.peek(), fresh.peek()) {
                (Some(k), Some(f)) => f.0.newest > k.0.newest,
                (None, Some(_)) => true,
                (_, None) => false,
            };
            let next = if take_fresh {
                fresh.next()
            } else {
                kept.next()
            };
            let Some((span, from)) = next else {
                break;
            };
            let start = span.start as usize;
            spans.push(Span {
                start: rows.len() as u32,
                ..*span
            });
            rows.extend_from_slice(&from[start..start + span.len as usize]);
        }
        self.rows = rows;
        self.spans = spans;
        self.at.clear();
        for (i, s) in self.spans.iter().enumerate() {
            for r in &self.rows[s.start as usize..(s.start + s.len) as usize] {
                self.at.insert(r.uid, i as u32);
            }
        }
        for h in members {
            for key in keys_of(&self.hasher, h) {
                self.keys.insert(key, h.uid);
            }
        }
    }
}

/// The hashed ids a message names (its own, References, In-Reply-To) and its grouping
/// subject, if subject grouping may place it.
fn keys_of<'h>(
    hasher: &'h foldhash::fast::RandomState,
    h: &'h Header,
) -> impl Iterator<Item = u32> + 'h {
    let ids = h
        .message_id
        .into_iter()
        .chain(h.in_reply_to)
        .chain(h.references.iter())
        .map(|id| hasher.hash_one((0u8, id)) as u32);
    // Only a message without parents can start a thread that subject grouping joins, or be
    // joined to one; see the module documentation for the rare case this leaves out.
    let parentless = h.references.is_empty() && h.in_reply_to.is_none();
    let subject = parentless
        .then(|| threads::grouping_subject(h))
        .flatten()
        .map(|s| {
            // Hashed as lowercased, without building the lowercase string.
            let mut state = hasher.build_hasher();
            state.write_u8(1);
            for c in s.chars().flat_map(char::to_lowercase) {
                state.write_u32(c as u32);
            }
            state.finish() as u32
        });
    ids.chain(subject)
}

/// JWZ's rows cut into threads (`members` in UID order): each top row starts one.
/// Placeholders (parents not in the folder) are not rows: their replies keep their depth
/// below them.
fn split(threads: &Threads, members: &[Header]) -> (Vec<Row>, Vec<Span>) {
    // `members` is in UID order.
    let date = |uid: Uid| {
        let i = members.partition_point(|h| h.uid < uid);
        members
            .get(i)
            .filter(|h| h.uid == uid)
            .map_or(0, |h| h.date)
    };
    let mut rows = Vec::with_capacity(members.len());
    let mut spans: Vec<Span> = Vec::new();
    let mut open = false;
    for r in threads.rows() {
        if r.depth == 0 {
            open = false;
        }
        let Some(uid) = r.uid else {
            continue;
        };
        rows.push(Row {
            uid,
            depth: u16::try_from(r.depth).unwrap_or(u16::MAX),
        });
        let key = (date(uid), uid);
        match spans.last_mut().filter(|_| open) {
            Some(s) => {
                s.len += 1;
                s.newest = s.newest.max(key);
            }
            None => {
                spans.push(Span {
                    start: rows.len() as u32 - 1,
                    len: 1,
                    newest: key,
                });
                open = true;
            }
        }
    }
    (rows, spans)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;
    use crate::model::threads::tests::arb_forest;
    use crate::msg::facts::RefKeys;

    /// A folder of test messages: (uid, id, references, subject), dated by UID.
    struct Folder(Vec<(Uid, String, String, String)>);

    impl Folder {
        fn header(&self, uid: Uid) -> Option<Header<'_>> {
            let (uid, id, refs, subject) = self.0.iter().find(|m| m.0 == uid)?;
            Some(Header {
                uid: *uid,
                message_id: threads::tests::key(id),
                references: RefKeys::Text(refs),
                in_reply_to: None,
                subject,
                date: i64::from(*uid),
            })
        }

        fn headers(&self) -> Vec<Header<'_>> {
            self.0.iter().filter_map(|m| self.header(m.0)).collect()
        }
    }

    fn rows(c: &Conversations) -> Vec<Vec<(Uid, u16)>> {
        c.threads()
            .map(|t| t.rows().iter().map(|r| (r.uid, r.depth)).collect())
            .collect()
    }

    fn message(uid: Uid, id: &str, refs: &str, subject: &str) -> (Uid, String, String, String) {
        (uid, id.into(), refs.into(), subject.into())
    }

    #[test]
    fn threads_are_cut_at_their_tops_and_placeholders_are_no_rows() {
        let f = Folder(vec![
            message(1, "a", "", "plan"),
            message(2, "b", "a", "Re: plan"),
            message(3, "c", "gone", "Re: x"),
            message(4, "d", "gone", "Re: x"),
            message(5, "e", "", "other"),
        ]);
        let c = Conversations::build(f.headers());
        assert_eq!(
            rows(&c),
            [vec![(5, 0)], vec![(3, 1), (4, 1)], vec![(1, 0), (2, 1)]],
            "newest thread first; two replies to a missing message share a thread"
        );
        assert_eq!(c.thread_of(4), Some(1));
        assert_eq!(c.thread_at(2).map(|t| t.head()), Some(1));
    }

    #[test]
    fn a_reply_joins_its_thread_and_moves_it_to_the_top() {
        let mut f = Folder(vec![
            message(1, "a", "", "plan"),
            message(2, "b", "", "other"),
        ]);
        let mut c = Conversations::build(f.headers());
        f.0.push(message(3, "c", "a", "Re: plan"));
        c.add(&[3], |u| f.header(u));
        assert_eq!(rows(&c), [vec![(1, 0), (3, 1)], vec![(2, 0)]]);
        // A parent arriving after its reply takes the reply under it.
        f.0.push(message(4, "p", "", "party"));
        f.0.push(message(5, "q", "p", "Re: party"));
        c.add(&[5], |u| f.header(u));
        c.add(&[4], |u| f.header(u));
        assert_eq!(rows(&c)[0], [(4, 0), (5, 1)]);
    }

    #[test]
    fn an_expunged_parent_leaves_its_replies_in_one_thread() {
        let f = Folder(vec![
            message(1, "a", "", "plan"),
            message(2, "b", "a", "Re: plan"),
            message(3, "c", "a", "Re: plan"),
            message(4, "d", "", "other"),
        ]);
        let mut c = Conversations::build(f.headers());
        c.remove(&[1], |u| f.header(u).filter(|h| h.uid != 1));
        assert_eq!(rows(&c), [vec![(4, 0)], vec![(2, 1), (3, 1)]]);
        assert_eq!(c.thread_of(1), None);
        assert_eq!(c.len(), 3);
    }

    proptest! {
        /// Arrivals one by one in any order, then expunges (the messages not kept), give what
        /// a full build gives.
        #[test]
        fn incremental_changes_match_a_full_build((parents, kept, order) in arb_forest()) {
            let chain = |mut i: usize| {
                let mut up = Vec::new();
                while let Some(p) = parents[i] {
                    up.push(format!("m{p}"));
                    i = p;
                }
                up.reverse();
                up.join(" ")
            };
            let mut all = HashMap::new();
            for i in 0..parents.len() {
                let uid = i as Uid + 1;
                all.insert(uid, (uid, format!("m{i}"), chain(i), format!("s{i}")));
            }
            let mut present: Vec<Uid> = Vec::new();
            let mut c = Conversations::default();
            for &i in &order {
                present.push(i as Uid + 1);
                let f = Folder(present.iter().map(|u| all[u].clone()).collect());
                c.add(&[i as Uid + 1], |u| f.header(u));
                let full = Conversations::build(f.headers());
                prop_assert_eq!(rows(&c), rows(&full));
            }
            let gone: Vec<Uid> = (0..parents.len()).filter(|&i| !kept[i]).map(|i| i as Uid + 1).collect();
            present.retain(|u| !gone.contains(u));
            let f = Folder(present.iter().map(|u| all[u].clone()).collect());
            c.remove(&gone, |u| f.header(u));
            let full = Conversations::build(f.headers());
            prop_assert_eq!(rows(&c), rows(&full));
            prop_assert_eq!(c.len(), present.len());
        }
    }
}
