//! Conversations from Message-ID, References and In-Reply-To: Jamie Zawinski's algorithm
//! (<https://www.jwz.org/doc/threading.html>), local and offline.
//!
//! - A parent that is not in the folder becomes a placeholder, kept only where it joins two
//!   or more messages at the top of a thread.
//! - Links that would make a cycle are not made; a message's own References win over what
//!   other messages said about it.
//! - Two messages with the same Message-ID stay two messages (replies attach to the first).
//! - Grouping by subject applies only to a reply (`Re:`-style subject) that names no parent
//!   at all, under the thread started by a message with the same base subject.
//!
//! Ordering: threads newest first by their newest message, messages in a thread oldest first.

use crate::mime::subject::base_subject;
use crate::msg::Uid;
use crate::msg::facts::RefKeys;
use crate::msg::id_hash::IdHash;

/// What threading needs of one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header<'a> {
    pub uid: Uid,
    pub message_id: Option<IdHash>,
    /// The References ids, oldest ancestor first, read in place (a header's text or a
    /// store's hashes), so a folder's worth of headers needs no list per message.
    pub references: RefKeys<'a>,
    /// The first id of In-Reply-To: the parent when there are no References.
    pub in_reply_to: Option<IdHash>,
    pub subject: &'a str,
    /// Seconds since the epoch: orders messages within a thread and threads by their newest.
    pub date: i64,
}

/// How many References ids are linked: the first (the thread's root) and the last ones. A
/// hostile header can name thousands; real threads are nowhere near this deep, and each link
/// costs a walk up the chain to refuse cycles.
const MAX_REFERENCES: usize = 128;

/// The base subject by which subject grouping may place `m` (compared ignoring case): a
/// thread starter's (no `Re:`-style prefix), or a reply's that names no parent. None for
/// anything else.
pub(super) fn grouping_subject<'a>(m: &Header<'a>) -> Option<&'a str> {
    let base = base_subject(m.subject);
    let starter = base.len() == m.subject.trim_start().len();
    let orphan = m.references.is_empty() && m.in_reply_to.is_none();
    (!base.is_empty() && (starter || orphan)).then_some(base)
}

/// One row of the thread view, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// 0 for the top of a thread.
    pub depth: usize,
    /// None for a placeholder: a parent that is not in the folder.
    pub uid: Option<Uid>,
}

#[derive(Debug, Default, Clone)]
struct Container {
    /// Index into the input.
    message: Option<usize>,
    parent: Option<usize>,
    children: Vec<usize>,
}

/// Messages grouped into conversations; read it with [`Threads::rows`].
#[derive(Debug, Default)]
pub struct Threads {
    rows: Vec<Row>,
}

impl Threads {
    /// Threads `messages` (any order: replies may come before their parents).
    pub fn build(messages: &[Header]) -> Threads {
        // A container per message and a few for missing parents: sized once, not grown.
        let room = messages.len() + messages.len() / 4;
        let mut b = Builder {
            containers: Vec::with_capacity(room),
            by_id: foldhash::HashMap::with_capacity_and_hasher(room, Default::default()),
        };
        for (i, m) in messages.iter().enumerate() {
            b.add(i, m);
        }
        let roots = b.prune();
        let roots = b.group_by_subject(messages, roots);
        Threads {
            rows: b.flatten(messages, roots),
        }
    }

    /// Every message and kept placeholder: threads newest first, each one depth-first with
    /// the oldest reply first.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }
}

struct Builder {
    containers: Vec<Container>,
    /// Fast hashing: a folder's worth of ids is looked up several times each.
    by_id: foldhash::HashMap<IdHash, usize>,
}

impl Builder {
    fn new_container(&mut self) -> usize {
        self.containers.push(Container::default());
        self.containers.len() - 1
    }

    /// The container for `id`, made empty if none has it yet.
    fn container(&mut self, id: IdHash) -> usize {
        if let Some(&c) = self.by_id.get(&id) {
            return c;
        }
        let c = self.new_container();
        self.by_id.insert(id, c);
        c
    }

    fn add(&mut self, i: usize, m: &Header) {
        let own = match m.message_id {
            Some(id) => {
                let c = self.container(id);
                if self.containers[c].message.is_none() {
                    c
                } else {
                    // A second message with this id: kept apart, in a container no id names.
                    self.new_container()
                }
            }
            None => self.new_container(),
        };
        self.containers[own].message = Some(i);

        // The first reference and the last ones, or In-Reply-To without References; walked
        // in place, no copy per message.
        let count = m.references.iter().count();
        let window = |(i, _): &(usize, IdHash)| *i == 0 || *i + MAX_REFERENCES > count;
        let parent = m.in_reply_to.filter(|_| count == 0);
        let chain = m
            .references
            .iter()
            .enumerate()
            .filter(window)
            .map(|(_, id)| id)
            .chain(parent);
        // Each id a child of the one before it, unless already linked or it would loop.
        let mut prev: Option<usize> = None;
        for id in chain {
            let c = self.container(id);
            if let Some(p) = prev
                && self.containers[c].parent.is_none()
                && !self.reaches(p, c)
            {
                self.link(p, c);
            }
            prev = Some(c);
        }
        // The message's own last reference is its parent, whatever others said.
        if let Some(p) = prev
            && p != own
            && !self.reaches(p, own)
        {
            self.unlink(own);
            self.link(p, own);
        }
    }

    /// Whether `to` is `from` or one of its ancestors: making `to` a child of `from` would
    /// then close a loop.
    fn reaches(&self, from: usize, to: usize) -> bool {
        let mut at = Some(from);
        while let Some(c) = at {
            if c == to {
                return true;
            }
            at = self.containers[c].parent;
        }
        false
    }

    fn link(&mut self, parent: usize, child: usize) {
        self.containers[child].parent = Some(parent);
        self.containers[parent].children.push(child);
    }

    fn unlink(&mut self, child: usize) {
        if let Some(p) = self.containers[child].parent.take() {
            self.containers[p].children.retain(|&c| c != child);
        }
    }

    /// `root` and everything below it, each container after its children. Without recursion:
    /// a 10 000-deep chain must not overflow the stack.
    fn bottom_up(&self, root: usize) -> Vec<usize> {
        let mut order = Vec::new();
        let mut stack = vec![root];
        while let Some(c) = stack.pop() {
            order.push(c);
            stack.extend(self.containers[c].children.iter().copied());
        }
        order.reverse();
        order
    }

    /// Drops placeholders without children and promotes the children of those that join
    /// nothing (one child, or below the top); returns the top of each thread.
    fn prune(&mut self) -> Vec<usize> {
        let roots: Vec<usize> = (0..self.containers.len())
            .filter(|&c| self.containers[c].parent.is_none())
            .collect();
        let mut kept_roots = Vec::new();
        for root in roots {
            for c in self.bottom_up(root) {
                let children = std::mem::take(&mut self.containers[c].children);
                let mut kept = Vec::with_capacity(children.len());
                for child in children {
                    let ch = &self.containers[child];
                    if ch.message.is_some() {
                        kept.push(child);
                    } else {
                        // An empty container below the top joins nothing by itself.
                        kept.extend(self.containers[child].children.iter().copied());
                    }
                }
                for &k in &kept {
                    self.containers[k].parent = Some(c);
                }
                self.containers[c].children = kept;
            }
            let top = &self.containers[root];
            match (top.message, top.children.len()) {
                (Some(_), _) => kept_roots.push(root),
                (None, 0) => {}
                (None, 1) => {
                    let child = top.children[0];
                    self.containers[child].parent = None;
                    kept_roots.push(child);
                }
                (None, _) => kept_roots.push(root),
            }
        }
        kept_roots
    }

    /// A reply that names no parent goes under the thread started by a non-reply with the
    /// same base subject (the oldest such message).
    fn group_by_subject(&mut self, messages: &[Header], roots: Vec<usize>) -> Vec<usize> {
        let message = |c: &Container| c.message.map(|i| &messages[i]);
        let orphan = |m: &Header| {
            m.references.is_empty()
                && m.in_reply_to.is_none()
                && base_subject(m.subject).len() != m.subject.trim_start().len()
        };
        // Without such a reply at the top, no subject needs comparing.
        if !roots
            .iter()
            .any(|&r| message(&self.containers[r]).is_some_and(orphan))
        {
            return roots;
        }
        let mut starters: foldhash::HashMap<String, usize> = Default::default();
        for &r in &roots {
            let Some(m) = message(&self.containers[r]) else {
                continue;
            };
            let base = base_subject(m.subject);
            if base.is_empty() || base.len() != m.subject.trim_start().len() {
                continue;
            }
            let key = base.to_lowercase();
            let older = |o: &usize| {
                message(&self.containers[*o]).is_some_and(|s| (s.date, s.uid) <= (m.date, m.uid))
            };
            if !starters.get(&key).is_some_and(older) {
                starters.insert(key, r);
            }
        }
        let mut kept = Vec::with_capacity(roots.len());
        for r in roots {
            let target = message(&self.containers[r])
                .filter(|m| orphan(m))
                .and_then(|m| starters.get(&base_subject(m.subject).to_lowercase()));
            match target {
                Some(&t) if t != r => self.link(t, r),
                _ => kept.push(r),
            }
        }
        kept
    }

    /// Rows in display order: threads by their newest message, newest first; children oldest
    /// first.
    fn flatten(&mut self, messages: &[Header], roots: Vec<usize>) -> Vec<Row> {
        let key = |c: &Container| c.message.map(|i| (messages[i].date, messages[i].uid));
        // A placeholder sorts as its oldest child; a thread by its newest message.
        let mut oldest = vec![None; self.containers.len()];
        let mut newest = vec![None; self.containers.len()];
        for &r in &roots {
            for c in self.bottom_up(r) {
                let own = key(&self.containers[c]);
                let kids = &self.containers[c].children;
                oldest[c] = own.or_else(|| kids.iter().filter_map(|&k| oldest[k]).min());
                newest[c] = kids.iter().filter_map(|&k| newest[k]).chain(own).max();
            }
        }
        for c in &mut self.containers {
            c.children.sort_by_key(|&k| oldest[k]);
        }
        let mut roots = roots;
        roots.sort_by_key(|&r| std::cmp::Reverse(newest[r]));
        let mut rows = Vec::with_capacity(messages.len());
        for r in roots {
            let mut stack = vec![(r, 0)];
            while let Some((c, depth)) = stack.pop() {
                let container = &self.containers[c];
                rows.push(Row {
                    depth,
                    uid: container.message.map(|i| messages[i].uid),
                });
                stack.extend(container.children.iter().rev().map(|&k| (k, depth + 1)));
            }
        }
        rows
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;
    use crate::msg::id_text::split_ids;

    /// An id as a header or a summary gives it (brackets optional), hashed.
    pub(in crate::model) fn key(id: &str) -> Option<IdHash> {
        split_ids(id).next().map(IdHash::of)
    }

    fn msg<'a>(uid: Uid, id: &'a str, refs: &'a str, subject: &'a str) -> Header<'a> {
        Header {
            uid,
            message_id: key(id),
            references: RefKeys::Text(refs),
            subject,
            date: i64::from(uid),
            ..Header::default()
        }
    }

    /// Rows as (depth, uid), 0 standing for a placeholder.
    fn tree(messages: &[Header]) -> Vec<(usize, Uid)> {
        Threads::build(messages)
            .rows()
            .iter()
            .map(|r| (r.depth, r.uid.unwrap_or(0)))
            .collect()
    }

    #[test]
    fn ids_are_read_from_headers_and_summaries() {
        let read = |list| split_ids(list).collect::<Vec<_>>();
        assert_eq!(
            read(" <a@x>\r\n\t<b@y><c@z> <> d@w"),
            ["a@x", "b@y", "c@z", "d@w"],
            "folded, run together, empty, or as a summary keeps them"
        );
        assert!(read("").is_empty());
    }

    #[test]
    fn replies_go_under_their_parents_oldest_first() {
        let messages = [
            msg(1, "<a@x>", "", "plan"),
            msg(2, "<b@x>", "<a@x>", "Re: plan"),
            msg(3, "<c@x>", "<a@x> <b@x>", "Re: plan"),
            Header {
                in_reply_to: key("a@x"),
                ..msg(4, "<d@x>", "", "Re: plan")
            },
            msg(5, "<e@x>", "", "other"),
        ];
        assert_eq!(
            tree(&messages),
            [(0, 5), (0, 1), (1, 2), (2, 3), (1, 4)],
            "threads newest first, replies oldest first, In-Reply-To without References"
        );
    }

    #[test]
    fn replies_before_their_parents_give_the_same_threads() {
        let mut messages = vec![
            msg(1, "a", "", "plan"),
            msg(2, "b", "a", "Re: plan"),
            msg(3, "c", "a b", "Re: plan"),
            msg(4, "d", "a", "Re: plan"),
        ];
        let forward = tree(&messages);
        messages.reverse();
        assert_eq!(tree(&messages), forward);
        assert_eq!(forward, [(0, 1), (1, 2), (2, 3), (1, 4)]);
    }

    #[test]
    fn missing_parents_are_placeholders_only_where_they_join() {
        let messages = [
            msg(2, "b", "gone", "Re: x"),
            msg(3, "c", "gone", "Re: x"),
            msg(4, "d", "lost", "Re: y"),
            msg(5, "e", "root middle", "Re: z"),
            msg(6, "f", "root middle e", "Re: z"),
        ];
        assert_eq!(
            tree(&messages),
            [(0, 5), (1, 6), (0, 4), (0, 0), (1, 2), (1, 3)],
            "two replies to one missing message share a placeholder; one alone is a thread"
        );
    }

    #[test]
    fn cycles_and_self_references_are_broken() {
        let messages = [
            msg(1, "a", "b", "s"),
            msg(2, "b", "a", "s"),
            msg(3, "c", "c", "t"),
            msg(4, "d", "d e d", "u"),
            msg(5, "e", "x y x", "v"),
        ];
        let rows = tree(&messages);
        let mut uids: Vec<Uid> = rows.iter().map(|r| r.1).filter(|u| *u != 0).collect();
        uids.sort_unstable();
        assert_eq!(uids, [1, 2, 3, 4, 5], "every message once: {rows:?}");
        assert!(rows.contains(&(0, 3)), "a self reference is no parent");
    }

    #[test]
    fn duplicate_ids_stay_two_messages() {
        let messages = [
            msg(1, "a", "", "s"),
            msg(2, "a", "", "s copy"),
            msg(3, "r", "a", "Re: s"),
        ];
        assert_eq!(
            tree(&messages),
            [(0, 1), (1, 3), (0, 2)],
            "the reply goes to the first; its thread is the newer"
        );
    }

    #[test]
    fn a_hostile_references_header_is_cheap_and_harmless() {
        let named: Vec<String> = (0..10_000).map(|i| format!("<{i}@evil>")).collect();
        let header = named.concat();
        assert_eq!(split_ids(&header).count(), 10_000);
        // A second hostile message naming the same ids the other way round.
        let backwards: String = named.iter().rev().map(String::as_str).collect();
        let messages = vec![
            msg(1, "0@evil", "", "root"),
            msg(2, "victim", &header, "Re: root"),
            msg(3, "other", &backwards, "Re: root"),
        ];
        let start = std::time::Instant::now();
        let rows = tree(&messages);
        assert!(start.elapsed().as_secs() < 2, "{:?}", start.elapsed());
        assert_eq!(rows[0], (0, 1), "the first reference is still the root");
        assert!(rows.iter().any(|r| r.1 == 2) && rows.iter().any(|r| r.1 == 3));
        assert!(
            rows.iter().all(|r| r.0 <= MAX_REFERENCES + 1),
            "depth is bounded"
        );
    }

    #[test]
    fn subjects_group_only_replies_that_name_no_parent() {
        let messages = [
            msg(1, "a", "", "Lunch"),
            Header {
                message_id: None,
                ..msg(2, "", "", "RE: lunch")
            },
            msg(3, "c", "elsewhere", "Re: lunch"),
            msg(4, "d", "", "lunch"),
            msg(5, "e", "", "Re: dinner"),
        ];
        assert_eq!(
            tree(&messages),
            [(0, 5), (0, 4), (0, 3), (0, 1), (1, 2)],
            "2 joins the oldest Lunch; 3 has a reference, 5 nothing to join"
        );
    }

    /// Messages of a random forest, each naming its whole ancestry; some are not in the
    /// folder, and the rest come in a shuffled order.
    pub(in crate::model) fn arb_forest()
    -> impl Strategy<Value = (Vec<Option<usize>>, Vec<bool>, Vec<usize>)> {
        (1usize..40).prop_flat_map(|n| {
            let parents = (0..n)
                .map(|i| {
                    if i == 0 {
                        Just(None).boxed()
                    } else {
                        prop::option::of(0..i).boxed()
                    }
                })
                .collect::<Vec<_>>();
            (
                parents,
                prop::collection::vec(prop::bool::weighted(0.75), n),
                Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
            )
        })
    }

    proptest! {
        #[test]
        fn nearest_present_ancestors_are_kept((parents, present, order) in arb_forest()) {
            let ids: Vec<String> = (0..parents.len()).map(|i| format!("m{i}")).collect();
            let chain = |mut i: usize| {
                let mut up = Vec::new();
                while let Some(p) = parents[i] {
                    up.push(ids[p].as_str());
                    i = p;
                }
                up.reverse();
                up.join(" ")
            };
            let chains: Vec<String> = (0..parents.len()).map(chain).collect();
            let subjects: Vec<String> = (0..parents.len()).map(|i| format!("s{i}")).collect();
            let messages: Vec<Header> = order
                .iter()
                .filter(|&&i| present[i])
                .map(|&i| Header {
                    uid: i as Uid + 1,
                    message_id: key(&ids[i]),
                    references: RefKeys::Text(&chains[i]),
                    subject: &subjects[i],
                    date: i as i64,
                    in_reply_to: None,
                })
                .collect();
            let rows = Threads::build(&messages).rows().to_vec();
            // Each row's nearest ancestor row that is a message.
            let mut stack: Vec<Option<Uid>> = Vec::new();
            let mut found = HashMap::new();
            for r in &rows {
                stack.truncate(r.depth);
                if let Some(u) = r.uid {
                    prop_assert!(found.insert(u, stack.iter().rev().flatten().next().copied()).is_none());
                }
                stack.push(r.uid);
            }
            prop_assert_eq!(found.len(), messages.len());
            for m in &messages {
                let mut at = (m.uid - 1) as usize;
                let want = loop {
                    match parents[at] {
                        Some(p) if present[p] => break Some(p as Uid + 1),
                        Some(p) => at = p,
                        None => break None,
                    }
                };
                prop_assert_eq!(found[&m.uid], want, "uid {}", m.uid);
            }
        }

        #[test]
        fn any_headers_give_each_message_once(
            links in prop::collection::vec(
                (0u8..12, prop::collection::vec(0u8..12, 0..6), any::<bool>()),
                0..30,
            )
        ) {
            let ids: Vec<String> = (0..12).map(|i| format!("<{i}@x>")).collect();
            let refs: Vec<String> = links
                .iter()
                .map(|(_, refs, _)| refs.iter().map(|r| ids[*r as usize].as_str()).collect())
                .collect();
            let messages: Vec<Header> = links
                .iter()
                .enumerate()
                .map(|(n, (id, _, reply))| Header {
                    uid: n as Uid + 1,
                    message_id: key(&ids[*id as usize]),
                    references: RefKeys::Text(&refs[n]),
                    subject: if *reply { "Re: s" } else { "s" },
                    date: (n % 5) as i64,
                    in_reply_to: None,
                })
                .collect();
            let rows = Threads::build(&messages).rows().to_vec();
            let mut uids: Vec<Uid> = rows.iter().filter_map(|r| r.uid).collect();
            uids.sort_unstable();
            prop_assert_eq!(uids, (1..=messages.len() as Uid).collect::<Vec<_>>());
            let mut depth = 0;
            for (i, r) in rows.iter().enumerate() {
                let fits = if i == 0 { r.depth == 0 } else { r.depth <= depth + 1 };
                prop_assert!(fits, "row {} at depth {} after {}", i, r.depth, depth);
                depth = r.depth;
            }
        }
    }
}
