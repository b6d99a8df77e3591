//! Which messages belong with a conversation, by the ids they carry: the open folder's
//! messages of a thread and the user's own replies in Sent are found by the same rule, in the
//! UI and in the worker (which answers from the header cache and the server).
//!
//! A message belongs when its Message-ID, its In-Reply-To or one of its References is among
//! the conversation's ids; once it belongs, its own ids join them, so a reply to a reply is
//! found too. Messages without ids never join by this rule.

use super::id_hash::IdHash;
use super::{SummaryRef, Uid};

/// Passes over the candidates at most: each one can only add messages that name an id a
/// message of the pass before brought in, and real conversations settle in two or three.
const MAX_PASSES: usize = 8;

/// The ids a conversation is known by, as hashes: the model keeps no ids' text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ids(foldhash::HashSet<IdHash>);

impl Ids {
    /// The ids `s` carries: its own, its parent's and its references.
    pub fn of(s: SummaryRef<'_>) -> Ids {
        let mut ids = Ids::default();
        ids.add(s);
        ids
    }

    /// Adds the ids `s` carries; says whether any was new.
    pub fn add(&mut self, s: SummaryRef<'_>) -> bool {
        let mut grew = false;
        for id in carried(s) {
            grew |= self.0.insert(id);
        }
        grew
    }

    /// Whether `s` names one of the ids.
    pub fn touches(&self, s: SummaryRef<'_>) -> bool {
        carried(s).any(|id| self.0.contains(&id))
    }

    /// The members of `rows` that belong with the conversation, growing the ids as they
    /// join (see the module doc). `rows` is walked once per pass.
    pub fn gather<'a, I>(&mut self, rows: impl Fn() -> I) -> Vec<Uid>
    where
        I: Iterator<Item = SummaryRef<'a>>,
    {
        let mut found: foldhash::HashSet<Uid> = Default::default();
        for _ in 0..MAX_PASSES {
            let mut grew = false;
            for s in rows() {
                if !found.contains(&s.uid) && self.touches(s) {
                    found.insert(s.uid);
                    self.add(s);
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
        let mut uids: Vec<Uid> = found.into_iter().collect();
        uids.sort_unstable();
        uids
    }
}

impl<'a> FromIterator<&'a str> for Ids {
    fn from_iter<T: IntoIterator<Item = &'a str>>(ids: T) -> Ids {
        Ids(ids
            .into_iter()
            .filter(|id| !id.is_empty())
            .map(IdHash::of)
            .collect())
    }
}

/// Every id a summary names.
fn carried(s: SummaryRef<'_>) -> impl Iterator<Item = IdHash> {
    let keys = s.header.keys();
    keys.message_id
        .into_iter()
        .chain(keys.in_reply_to)
        .chain(keys.references.iter())
}

/// The text of every id `rows` name, sorted, once each: what a server is searched for.
pub fn texts(rows: &[super::Summary]) -> Vec<String> {
    let mut all: Vec<String> = rows
        .iter()
        .flat_map(|s| {
            s.message_id()
                .into_iter()
                .chain(s.in_reply_to())
                .chain(s.references())
        })
        .map(str::to_string)
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::HeaderFacts;
    use crate::msg::Summary;
    use crate::test_fixtures;

    fn mail(uid: Uid, id: &str, parent: Option<&str>, refs: &[&str]) -> Summary {
        Summary {
            header: HeaderFacts::new(None, Some(id), parent, refs.iter().copied(), false),
            ..test_fixtures::summary(uid, "a@example.org", "s")
        }
    }

    #[test]
    fn replies_in_sent_are_found_by_any_id_they_name() {
        // The thread in INBOX: a root and a reply to the user's own (missing) reply.
        let root = mail(1, "root@x", None, &[]);
        let theirs = mail(2, "c@x", Some("mine@me"), &["root@x", "mine@me"]);
        let mut ids = Ids::of(root.view());
        ids.add(theirs.view());
        let sent = [
            // The user's reply: In-Reply-To the root, and named by the other reply.
            mail(10, "mine@me", Some("root@x"), &["root@x"]),
            // A reply only References name the thread of (a broken In-Reply-To).
            mail(11, "late@me", Some("gone@x"), &["root@x", "gone@x"]),
            // The user's reply to their own reply: found through the one before.
            mail(12, "again@me", Some("late@me"), &["late@me"]),
            // Unrelated mail, and mail with no ids at all.
            mail(13, "other@me", Some("else@x"), &["else@x"]),
            test_fixtures::summary(14, "me", "no ids"),
        ];
        assert_eq!(ids.gather(|| sent.iter().map(Summary::view)), [10, 11, 12]);
    }

    #[test]
    fn a_chain_in_reverse_order_is_followed_through_passes() {
        // Each message names only the next one's id; listed so every pass adds one.
        let rows: Vec<Summary> = (1..=5)
            .map(|i| mail(i, &format!("m{i}@x"), Some(&format!("m{}@x", i + 1)), &[]))
            .collect();
        let mut ids: Ids = ["m6@x"].into_iter().collect();
        assert_eq!(
            ids.gather(|| rows.iter().map(Summary::view)),
            [1, 2, 3, 4, 5]
        );
        assert_eq!(ids.0.len(), 6);
    }

    #[test]
    fn the_server_is_searched_for_each_id_once_sorted() {
        let rows = [
            mail(1, "b@x", Some("a@x"), &["a@x"]),
            mail(2, "c@x", None, &["a@x", "b@x"]),
            test_fixtures::summary(3, "me", "no ids"),
        ];
        assert_eq!(texts(&rows), ["a@x", "b@x", "c@x"]);
        let ids: Ids = ["b", "", "a"].into_iter().collect();
        assert_eq!(ids.0.len(), 2);
        let has = |id| ids.0.contains(&IdHash::of(id));
        assert!(has("a") && !has("c"));
        assert!(Ids::default().0.is_empty());
    }
}
