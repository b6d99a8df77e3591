//! The instant local filter: matches typed text against the summaries already in memory
//! (sender, recipient, subject), ignoring case and accents, CJK included. No server round
//! trip, so it can run on every keystroke.

use std::collections::{HashMap, HashSet};

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::Mailbox;
use crate::msg::Uid;

/// Lower-cased, accents removed: "Grüße" and "GRUSSE" both contain "gru".
pub fn fold(s: &str) -> String {
    // Most headers are ASCII: no decomposition needed, and this is what makes building the
    // index for 100 000 messages fast.
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Folded text of every summary in list order, built once and reused while the user types,
/// and brought up to date with [`Index::update`] as rows come and go.
#[derive(Debug, Default)]
pub struct Index {
    entries: Vec<Entry>,
    /// The UIDs in `entries`, to tell summaries already folded from new ones.
    known: HashSet<Uid>,
    /// Each distinct sender and recipient folded once: a folder has far fewer of them than
    /// messages, so building the index mostly folds subjects.
    names: Vec<Box<str>>,
    name_ids: HashMap<Box<str>, u32>,
}

#[derive(Debug)]
struct Entry {
    uid: Uid,
    subject: Box<str>,
    /// Into `names`.
    from: u32,
    to: u32,
}

impl Index {
    pub fn build(mailbox: &Mailbox) -> Index {
        let mut index = Index::default();
        index.update(mailbox);
        index
    }

    /// Brings the index up to `mailbox`'s rows: folds only the summaries it has not seen,
    /// drops the UIDs that left, and keeps list order. Rows already indexed cost a comparison,
    /// not a lookup, so this is cheap enough for every summary chunk of a sync.
    pub fn update(&mut self, mailbox: &Mailbox) {
        let mut old = std::mem::take(&mut self.entries).into_iter().peekable();
        let mut entries = Vec::with_capacity(mailbox.summaries.len());
        for &uid in &mailbox.uids {
            // Old entries are in list order too, so the next one is usually this row's.
            if let Some(entry) = old.next_if(|e| e.uid == uid) {
                entries.push(entry);
                continue;
            }
            let Some(s) = mailbox.summaries.get(&uid) else {
                continue;
            };
            let entry = if self.known.contains(&uid) {
                skip_to(&mut old, uid, &mut self.known)
            } else {
                None
            };
            let entry = entry.unwrap_or_else(|| {
                self.known.insert(uid);
                Entry {
                    uid,
                    subject: fold(s.subject).into(),
                    from: self.name(s.from),
                    to: self.name(s.to),
                }
            });
            entries.push(entry);
        }
        for e in old {
            self.known.remove(&e.uid);
        }
        // Summaries leave only with their UIDs, except when a Select replaced the mailbox:
        // then there are more entries than summaries.
        if entries.len() > mailbox.summaries.len() {
            entries.retain(|e| {
                let keep = mailbox.summaries.contains_key(&e.uid);
                if !keep {
                    self.known.remove(&e.uid);
                }
                keep
            });
        }
        self.entries = entries;
    }

    fn name(&mut self, name: &str) -> u32 {
        if let Some(id) = self.name_ids.get(name) {
            return *id;
        }
        let id = self.names.len() as u32;
        self.names.push(fold(name).into());
        self.name_ids.insert(name.into(), id);
        id
    }

    /// UIDs (in list order) whose sender, recipient or subject contains every word of
    /// `query`.
    pub fn matches(&self, query: &str) -> Vec<Uid> {
        let folded = fold(query);
        let words: Vec<&str> = folded.split_whitespace().collect();
        let name = |id: u32| self.names.get(id as usize).map_or("", |n| n);
        self.entries
            .iter()
            .filter(|e| {
                let (from, to) = (name(e.from), name(e.to));
                words
                    .iter()
                    .all(|w| e.subject.contains(w) || from.contains(w) || to.contains(w))
            })
            .map(|e| e.uid)
            .collect()
    }
}

/// The entry of `uid` further on in `old`; the entries skipped on the way have left the
/// folder (or, should the order ever change, are folded again when their turn comes).
fn skip_to(
    old: &mut impl Iterator<Item = Entry>,
    uid: Uid,
    known: &mut HashSet<Uid>,
) -> Option<Entry> {
    for e in old {
        if e.uid == uid {
            return Some(e);
        }
        known.remove(&e.uid);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::Folder;
    use crate::msg::{Event, Summary};
    use crate::test_fixtures;

    fn row(uid: Uid, from: &str, subject: &str) -> Summary {
        Summary {
            to: "team@example.org".into(),
            ..test_fixtures::summary(uid, from, subject)
        }
    }

    #[test]
    fn case_accent_and_cjk_insensitive_words() {
        let mut m = crate::model::Model::default();
        m.apply(Event::Selected {
            folder: Folder::named("INBOX"),
            uid_validity: 1,
            read_only: false,
            complete: true,
            uids: vec![4, 3, 2, 1],
        });
        m.apply(Event::Summaries {
            folder: Folder::named("INBOX"),
            uid_validity: 1,
            chunk: vec![
                row(1, "Jörg Müller <joerg@example.de>", "Grüße aus Köln"),
                row(2, "王小明 <wang@example.cn>", "测试邮件编码"),
                row(3, "Alice <alice@example.com>", "Quarterly REPORT"),
                row(4, "Bob <bob@example.com>", "lunch?"),
            ],
        });
        let index = Index::build(m.mailbox.as_ref().unwrap());
        assert_eq!(index.matches("MULLER"), vec![1]);
        assert_eq!(index.matches("grusse"), Vec::<Uid>::new(), "ß is not ss");
        assert_eq!(index.matches("gruße koln"), vec![1]);
        assert_eq!(index.matches("邮件"), vec![2]);
        assert_eq!(index.matches("report alice"), vec![3]);
        assert_eq!(index.matches("team@"), vec![4, 3, 2, 1], "recipients count");
        assert_eq!(index.matches(""), vec![4, 3, 2, 1]);
    }

    fn inbox(uids: Vec<Uid>) -> crate::model::Model {
        let mut m = crate::model::Model::default();
        m.apply(Event::Selected {
            folder: Folder::named("INBOX"),
            uid_validity: 1,
            read_only: false,
            complete: true,
            uids,
        });
        m
    }

    fn arrive_summaries(m: &mut crate::model::Model, uids: &[Uid]) {
        m.apply(Event::Summaries {
            folder: Folder::named("INBOX"),
            uid_validity: 1,
            chunk: uids
                .iter()
                .map(|u| row(*u, "Ann", &format!("s{u}")))
                .collect(),
        });
    }

    /// Updates `index` and checks it against one built from scratch; returns the listed UIDs.
    fn updated(index: &mut Index, m: &crate::model::Model) -> Vec<Uid> {
        let mb = m.mailbox.as_ref().unwrap();
        index.update(mb);
        let all = index.matches("");
        assert_eq!(all, Index::build(mb).matches(""));
        assert_eq!(index.known.len(), all.len());
        all
    }

    #[test]
    fn update_follows_late_summaries_arrivals_and_expunges() {
        let mut m = inbox(vec![5, 4, 3, 2, 1]);
        arrive_summaries(&mut m, &[5, 4]);
        let mut index = Index::build(m.mailbox.as_ref().unwrap());
        let generation = |m: &crate::model::Model| m.mailbox.as_ref().unwrap().generation;
        let before = generation(&m);

        arrive_summaries(&mut m, &[1, 2]);
        assert_eq!(updated(&mut index, &m), [5, 4, 2, 1]);
        arrive_summaries(&mut m, &[3]);
        assert_eq!(
            updated(&mut index, &m),
            [5, 4, 3, 2, 1],
            "late rows in place"
        );
        assert!(generation(&m) > before);

        let before = generation(&m);
        m.apply(Event::Arrived {
            folder: Folder::named("INBOX"),
            uid_validity: 1,
            uids: vec![6, 7],
        });
        assert!(generation(&m) > before);
        assert_eq!(updated(&mut index, &m), [5, 4, 3, 2, 1], "no summaries yet");
        arrive_summaries(&mut m, &[7]);
        assert_eq!(updated(&mut index, &m), [7, 5, 4, 3, 2, 1]);
        arrive_summaries(&mut m, &[6]);
        assert_eq!(
            updated(&mut index, &m),
            [7, 6, 5, 4, 3, 2, 1],
            "newest first"
        );

        let before = generation(&m);
        m.apply(Event::Expunged {
            req: None,
            folder: Folder::named("INBOX"),
            uids: vec![7, 4],
        });
        assert!(generation(&m) > before);
        assert_eq!(updated(&mut index, &m), [6, 5, 3, 2, 1]);
        assert_eq!(index.matches("s4"), Vec::<Uid>::new());

        let before = generation(&m);
        m.apply(Event::Selected {
            folder: Folder::named("INBOX"),
            uid_validity: 1,
            read_only: false,
            complete: true,
            uids: vec![6, 5],
        });
        assert!(
            generation(&m) > before,
            "a reselect never repeats a generation"
        );
        assert_eq!(updated(&mut index, &m), Vec::<Uid>::new());
    }

    #[test]
    fn update_folds_only_summaries_it_has_not_seen() {
        let mut m = inbox(vec![2, 1]);
        arrive_summaries(&mut m, &[1]);
        let mut index = Index::build(m.mailbox.as_ref().unwrap());
        // Not something the server does; it shows which text the index kept.
        if let Some(mb) = m.mailbox.as_mut() {
            let mut s = mb.summaries.get(&1).unwrap().to_summary();
            s.subject = "changed".into();
            mb.summaries.insert(&s.view());
        }
        arrive_summaries(&mut m, &[2]);
        index.update(m.mailbox.as_ref().unwrap());
        assert_eq!(index.matches("s1"), [1], "folded once, when it arrived");
        assert_eq!(index.matches("changed"), Vec::<Uid>::new());
        assert_eq!(index.matches("s2"), [2]);
    }
}
