//! The instant local filter: matches typed text against the summaries already in memory
//! (sender, recipient, subject), ignoring case and accents, CJK included. No server round
//! trip, so it can run on every keystroke.

mod scan;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::Mailbox;
use crate::msg::Uid;
use scan::{After, Bits, Rows, Word};

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

/// Query results kept for narrowing: a longer query searches only within an earlier one's
/// hits, and a backspace finds its query's hits here.
const KEPT: usize = 32;
/// Rows left after which the next word is checked row by row rather than by a scan of the
/// whole text: a row's check costs a few times a scan's share of it.
const NARROW_BELOW: usize = 4;

/// Folded text of every summary, built once and reused while the user types, and brought up
/// to date with [`Index::update`] as rows come and go.
#[derive(Debug, Default)]
pub struct Index {
    rows: Rows,
    /// The listed rows, in list order (into `rows`).
    order: Vec<u32>,
    /// Whether `order` is every row in the order folded, as after a build: then hits in row
    /// order are in list order.
    in_row_order: bool,
    /// UID → its row, for the rows listed.
    row_of: foldhash::HashMap<Uid, u32>,
    /// Rows no longer listed (their text stays until the index is built again).
    dead: usize,
    names: Names,
    /// The latest queries' hits, newest last.
    kept: Vec<Kept>,
    /// What follows a word of the newest query in its hits.
    after: After,
}

/// Each distinct sender and recipient folded once: a folder has far fewer of them than
/// messages, so building the index mostly folds subjects.
#[derive(Debug, Default)]
struct Names {
    folded: Vec<Box<str>>,
    ids: foldhash::HashMap<Box<str>, u32>,
}

impl Names {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = self.folded.len() as u32;
        self.folded.push(fold(name).into());
        self.ids.insert(name.into(), id);
        id
    }
}

/// One query's hits over the rows up to `upto`.
#[derive(Debug)]
struct Kept {
    words: Vec<String>,
    hits: Bits,
    /// Of `hits`.
    count: usize,
    upto: usize,
}

impl Index {
    pub fn build(mailbox: &Mailbox) -> Index {
        let mut index = Index::default();
        index.update(mailbox);
        // Its pages touched now rather than at the first key, where a million rows' worth
        // cost a few milliseconds.
        index.after.cover(&index.rows);
        index
    }

    /// Brings the index up to `mailbox`'s rows: folds only the summaries it has not seen,
    /// forgets the UIDs that left, and follows the list order. A row already indexed costs a
    /// comparison when the order is unchanged, so this is cheap enough for every summary chunk
    /// of a sync.
    pub fn update(&mut self, mailbox: &Mailbox) {
        let mut listed = Bits::default();
        let mut order = Vec::with_capacity(mailbox.summaries.len());
        // Sized once for a folder's rows, not grown (and rehashed) as they are folded.
        let more = mailbox.summaries.len().saturating_sub(self.row_of.len());
        self.row_of.reserve(more);
        self.rows.reserve(more);
        let old_order = std::mem::take(&mut self.order);
        let mut old = old_order.iter().copied().peekable();
        for &uid in &mailbox.uids {
            // Old rows are in list order too, so the next one is usually this row's.
            if let Some(row) = old.next_if(|r| self.rows.uid(*r) == uid) {
                listed.set(row as usize);
                order.push(row);
                continue;
            }
            let row = match self.row_of.get(&uid) {
                Some(&row) => row,
                None => {
                    let Some(s) = mailbox.summaries.get(&uid) else {
                        continue;
                    };
                    let (from, to) = (self.names.id(s.from), self.names.id(s.to));
                    let row = self.rows.push(uid, from, to, |t| fold_into(s.subject, t));
                    self.row_of.insert(uid, row);
                    row
                }
            };
            // A row listed twice cannot come from a folder; list it once.
            if !listed.contains(row as usize) {
                listed.set(row as usize);
                order.push(row);
            }
        }
        // Summaries leave only with their UIDs, except when a Select replaced the mailbox:
        // then UIDs are listed that have no summary.
        if order.len() > mailbox.summaries.len() {
            order.retain(|r| mailbox.summaries.contains_key(&self.rows.uid(*r)));
            listed = Bits::default();
            for r in &order {
                listed.set(*r as usize);
            }
        }
        if order.len() != self.row_of.len() {
            self.row_of.retain(|_, r| listed.contains(*r as usize));
            self.dead = self.rows.len() - self.row_of.len();
        }
        self.in_row_order =
            order.len() == self.rows.len() && order.iter().zip(0..).all(|(r, i)| *r == i);
        self.order = order;
        if self.dead > self.row_of.len().max(1 << 16) {
            // Most of the text is of rows gone: fold the listed ones again.
            *self = Index::build(mailbox);
        }
    }

    /// UIDs (in list order) whose sender, recipient or subject contains every word of
    /// `query`.
    pub fn matches(&mut self, query: &str) -> Vec<Uid> {
        let mut listed = Vec::new();
        self.matches_into(query, &mut listed);
        listed
    }

    /// [`Index::matches`] into `listed`, whose room is reused: a first key lists most of a
    /// million rows, and fresh pages for them cost more than the listing.
    pub fn matches_into(&mut self, query: &str, listed: &mut Vec<Uid>) {
        listed.clear();
        let folded = fold(query);
        let words: Vec<&str> = folded.split_whitespace().collect();
        if words.is_empty() {
            listed.extend(self.order.iter().map(|r| self.rows.uid(*r)));
            return;
        }
        let hits = self.hits(&words);
        let count = hits.count();
        listed.reserve(count);
        if self.in_row_order {
            hits.each(|r| listed.push(self.rows.uid(r as u32)));
        } else {
            for &r in &self.order {
                if hits.contains(r as usize) {
                    listed.push(self.rows.uid(r));
                }
            }
        }
        self.kept.retain(|k| k.words != words);
        if self.kept.len() == KEPT {
            self.kept.remove(0);
        }
        self.kept.push(Kept {
            words: words.iter().map(|w| w.to_string()).collect(),
            hits,
            count,
            upto: self.rows.len(),
        });
    }

    /// The rows holding every word: from the kept query with the fewest hits that every
    /// row of the answer must match too (each of its words lies within one of `words`),
    /// else from a scan of all rows. Of kept queries with as many hits, the one leaving the
    /// fewest words to look for, then the newest: after "weekly" every shorter query typed
    /// before it has as many hits, and only "weekly" itself leaves nothing to do.
    fn hits(&mut self, words: &[&str]) -> Bits {
        let n = self.rows.len();
        let new = |k: &Kept| {
            words
                .iter()
                .filter(|w| !k.words.iter().any(|old| old == *w))
                .count()
        };
        let base = self
            .kept
            .iter_mut()
            .rev()
            .filter(|k| {
                k.words
                    .iter()
                    .all(|old| words.iter().any(|w| w.contains(old.as_str())))
            })
            .min_by_key(|k| (k.count, new(k)));
        let after = &mut self.after;
        if base.as_ref().is_none_or(|k| k.words != after.query) {
            after.word.clear();
        }
        after.cover(&self.rows);
        let (mut hits, mut todo): (Option<Bits>, Vec<&str>) = match base {
            Some(k) => {
                // Rows folded since: looked at for the kept query's words.
                if k.upto < n {
                    let fresh = matching(&self.rows, &self.names.folded, &k.words, k.upto);
                    for r in k.upto..n {
                        if fresh.contains(r) {
                            k.hits.set(r);
                        }
                    }
                    k.count = k.hits.count();
                    k.upto = n;
                }
                let todo = words
                    .iter()
                    .copied()
                    .filter(|w| !k.words.iter().any(|old| old == w))
                    .collect();
                (Some(k.hits.clone()), todo)
            }
            None => (None, words.to_vec()),
        };
        // A word that extends the one `after` knows goes first, while the bytes are that
        // word's; then longer words: they match fewer rows, so the rest are checked on fewer.
        todo.sort_by_key(|w| (after.more(w).is_none(), std::cmp::Reverse(w.len()), *w));
        todo.dedup();
        for w in todo {
            let finder = Word::new(w);
            let names = name_hits(&self.names.folded, w);
            match hits.as_mut() {
                None => {
                    let mut found = Bits::default();
                    self.rows.scan(&finder, &names, 0, &mut found, Some(after));
                    hits = Some(found);
                }
                Some(h) => {
                    // The rows `after` tells about need no look at their text.
                    let (mut rows, told) = match after.more(w) {
                        Some(more) => {
                            let untold = self.rows.extend(more, &names, h, after);
                            (untold, Some(std::mem::take(h)))
                        }
                        None => (std::mem::take(h), None),
                    };
                    if rows.count() * NARROW_BELOW < self.order.len() {
                        self.rows.narrow(&finder, &names, &mut rows, after);
                    } else {
                        let mut found = Bits::default();
                        self.rows.scan(&finder, &names, 0, &mut found, Some(after));
                        rows.and(&found);
                    }
                    if let Some(told) = told {
                        rows.or(&told);
                    }
                    *h = rows;
                }
            }
            after.word = w.to_string();
        }
        after.query = words.iter().map(|w| w.to_string()).collect();
        hits.unwrap_or_else(|| Bits::all(n))
    }
}

/// Which of `names` (folded) hold `word`, by name number.
fn name_hits(names: &[Box<str>], word: &str) -> Vec<bool> {
    names.iter().map(|n| n.contains(word)).collect()
}

/// The rows from `first` on that hold every one of `words`.
fn matching(rows: &Rows, names: &[Box<str>], words: &[String], first: usize) -> Bits {
    let mut all: Option<Bits> = None;
    for w in words {
        let mut found = Bits::default();
        rows.scan(&Word::new(w), &name_hits(names, w), first, &mut found, None);
        match all.as_mut() {
            Some(a) => a.and(&found),
            None => all = Some(found),
        }
    }
    all.unwrap_or_default()
}

/// [`fold`] onto the end of `out`; ASCII text (most headers) without an allocation.
fn fold_into(s: &str, out: &mut Vec<u8>) {
    if s.is_ascii() {
        out.extend(s.bytes().map(|b| b.to_ascii_lowercase()));
    } else {
        out.extend_from_slice(fold(s).as_bytes());
    }
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
        let mut index = Index::build(m.mailbox.as_ref().unwrap());
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
        assert_eq!(index.row_of.len(), all.len());
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
            let from = mb.summaries.get(&1).unwrap().from.to_string();
            let changed = crate::test_fixtures::summary(1, &from, "changed");
            mb.summaries.insert(&changed.view());
        }
        arrive_summaries(&mut m, &[2]);
        index.update(m.mailbox.as_ref().unwrap());
        assert_eq!(index.matches("s1"), [1], "folded once, when it arrived");
        assert_eq!(index.matches("changed"), Vec::<Uid>::new());
        assert_eq!(index.matches("s2"), [2]);
    }

    /// What the filter must answer, the slow way: every listed summary, folded anew.
    fn reference(m: &crate::model::Model, query: &str) -> Vec<Uid> {
        let mb = m.mailbox.as_ref().unwrap();
        let folded = fold(query);
        mb.uids
            .iter()
            .filter_map(|u| mb.summaries.get(u))
            .filter(|s| {
                let fields = [fold(s.subject), fold(s.from), fold(s.to)];
                folded
                    .split_whitespace()
                    .all(|w| fields.iter().any(|f| f.contains(w)))
            })
            .map(|s| s.uid)
            .collect()
    }

    #[test]
    fn narrowing_and_backspace_answer_as_a_full_scan() {
        let mut m = inbox((1..=300).rev().collect());
        let words = ["Weekly", "wee", "Grüße", "报告", "report", "4", "42", "Ann"];
        let chunk = |m: &mut crate::model::Model, uids: std::ops::RangeInclusive<Uid>| {
            m.apply(Event::Summaries {
                folder: Folder::named("INBOX"),
                uid_validity: 1,
                chunk: uids
                    .map(|u| {
                        let w = words[u as usize % words.len()];
                        let from = if u % 7 == 0 { "Weekly Bot" } else { "Ann" };
                        row(u, from, &format!("{w} {u} {}", words[u as usize % 3]))
                    })
                    .collect(),
            })
        };
        chunk(&mut m, 201..=300);
        let mut index = Index::build(m.mailbox.as_ref().unwrap());
        let typed = "weekly 42 grü";
        let check = |index: &mut Index, m: &crate::model::Model, q: &str| {
            assert_eq!(index.matches(q), reference(m, q), "query {q:?}");
        };
        for end in (1..=typed.len()).filter(|e| typed.is_char_boundary(*e)) {
            check(&mut index, &m, &typed[..end]);
        }
        // Rows arrive while the query is kept: narrowing from a kept result counts them.
        chunk(&mut m, 101..=200);
        index.update(m.mailbox.as_ref().unwrap());
        for end in (1..=typed.len())
            .rev()
            .filter(|e| typed.is_char_boundary(*e))
        {
            check(&mut index, &m, &typed[..end]);
        }
        m.apply(Event::Expunged {
            req: None,
            folder: Folder::named("INBOX"),
            uids: (150..=250).collect(),
        });
        chunk(&mut m, 1..=100);
        index.update(m.mailbox.as_ref().unwrap());
        for q in [
            "weekly 4",
            "weekly 42",
            "4 weekly",
            "ann 4",
            "报",
            "报告 1",
            "",
            "zzz",
        ] {
            check(&mut index, &m, q);
        }
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::model::Model;
    use crate::msg::{Event, Folder};
    use crate::test_fixtures;

    fn model(subjects: &[String]) -> Model {
        let mut m = Model::default();
        let n = subjects.len() as Uid;
        m.apply(Event::Selected {
            folder: Folder::named("INBOX"),
            uid_validity: 1,
            read_only: false,
            complete: true,
            uids: (1..=n).rev().collect(),
        });
        m.apply(Event::Summaries {
            folder: Folder::named("INBOX"),
            uid_validity: 1,
            chunk: subjects
                .iter()
                .enumerate()
                .map(|(i, s)| test_fixtures::summary(i as Uid + 1, "Zoë <z@x>", s))
                .collect(),
        });
        m
    }

    proptest! {
        /// Whatever is typed, kept or narrowed results equal a fresh index's full scan.
        #[test]
        fn every_keystroke_answers_as_a_fresh_index(
            subjects in proptest::collection::vec("[aAbé报 zZ]{0,8}", 1..40),
            keys in proptest::collection::vec(prop_oneof![
                4 => "[aAbé报 zZ]".prop_map(Some),
                1 => Just(None),
            ], 1..24),
        ) {
            let m = model(&subjects);
            let mb = m.mailbox.as_ref().unwrap();
            let mut index = Index::build(mb);
            let mut line = String::new();
            for k in keys {
                match k {
                    Some(c) => line.push_str(&c),
                    None => {
                        line.pop();
                    }
                }
                prop_assert_eq!(index.matches(&line), Index::build(mb).matches(&line), "{:?}", line);
            }
        }
    }
}
