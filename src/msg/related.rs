//! Which messages belong with a conversation, by the ids they carry: the open folder's
//! messages of a thread and the user's own replies in Sent are found by the same rule, in the
//! UI and in the worker (which answers from the header cache and the server).
//!
//! A message belongs when its Message-ID, its In-Reply-To or one of its References is among
//! the conversation's ids; once it belongs, its own ids join them, so a reply to a reply is
//! found too. Messages without ids never join by this rule.

use super::{SummaryRef, Uid};

/// Passes over the candidates at most: each one can only add messages that name an id a
/// message of the pass before brought in, and real conversations settle in two or three.
const MAX_PASSES: usize = 8;

/// The ids a conversation is known by (without angle brackets).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ids(foldhash::HashSet<Box<str>>);

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
            if !self.0.contains(id) {
                self.0.insert(id.into());
                grew = true;
            }
        }
        grew
    }

    /// Whether `s` names one of the ids.
    pub fn touches(&self, s: SummaryRef<'_>) -> bool {
        carried(s).any(|id| self.0.contains(id))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The ids, sorted (a command carries them to the worker).
    pub fn to_vec(&self) -> Vec<String> {
        let mut v: Vec<String> = self.0.iter().map(|s| s.to_string()).collect();
        v.sort_unstable();
        v
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

impl FromIterator<String> for Ids {
    fn from_iter<T: IntoIterator<Item = String>>(ids: T) -> Ids {
        Ids(ids
            .into_iter()
            .filter(|id| !id.is_empty())
            .map(String::into_boxed_str)
            .collect())
    }
}

/// Every id a summary names.
fn carried(s: SummaryRef<'_>) -> impl Iterator<Item = &str> {
    s.message_id()
        .into_iter()
        .chain(s.in_reply_to())
        .chain(s.references())
        .filter(|id| !id.is_empty())
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
        let mut ids: Ids = ["m6@x".to_string()].into_iter().collect();
        assert_eq!(
            ids.gather(|| rows.iter().map(Summary::view)),
            [1, 2, 3, 4, 5]
        );
        assert_eq!(ids.len(), 6);
    }

    #[test]
    fn ids_go_to_the_worker_sorted_without_empties() {
        let ids: Ids = ["b".to_string(), String::new(), "a".to_string()]
            .into_iter()
            .collect();
        assert_eq!(ids.to_vec(), ["a", "b"]);
        assert!(Ids::default().is_empty());
    }
}
