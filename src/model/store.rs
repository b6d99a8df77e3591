//! The open folder's summaries, compact: a folder of 100 000 messages is held in about a third
//! of what a map of [`Summary`] values took (`HashMap` slack, three heap allocations a row).
//!
//! - Each row's numbers (UID, flags, dates, size) and where its text lies sit in one fixed
//!   [`Packed`] record, in a `Vec` sized once for the folder.
//! - Senders and recipients are interned as `u32` numbers: a folder has a few thousand of them.
//! - A row's subject and thread ids are one run of text in an [`Arena`] of large pages, with no
//!   allocation (and no allocator overhead) per row.
//! - A UID finds its record through a [`UidMap`]: a plain array over the folder's UID range
//!   (UIDs are dense in practice), so a lookup is one load; a UID far outside that range goes
//!   in a small map instead.
//!
//! Rows are read as [`SummaryRef`]s, which have the same fields as a [`Summary`].

use std::sync::Arc;

use crate::msg::facts::FactsRef;
use crate::msg::uid_map::UidMap;
use crate::msg::{Flags, Summary, SummaryRef, Uid};

/// One row without its text. 56 bytes.
#[derive(Debug, Clone, Copy)]
struct Packed {
    date: i64,
    /// The Date header's time (see [`FactsRef::parts`]).
    sent: i64,
    uid: Uid,
    size: u32,
    date_offset: i32,
    sent_offset: i32,
    /// Into `names`.
    from: u32,
    to: u32,
    /// Where the subject, then the ids as hashes, lie in the arena.
    text: Span,
    /// Bytes of the ids, after the subject.
    keys_len: u8,
    flags: Flags,
    bits: u8,
}

#[derive(Debug, Clone, Copy)]
struct Span {
    page: u32,
    at: u32,
    subject_len: u32,
}

/// Summaries by UID; see the module documentation.
#[derive(Debug, Default, Clone)]
pub struct Summaries {
    rows: Vec<Packed>,
    /// UID → index into `rows`.
    index: UidMap<u32>,
    names: Names,
    text: Arena,
}

impl Summaries {
    /// Room for `n` rows in all, so a folder's rows are allocated once.
    pub fn reserve(&mut self, n: usize) {
        let more = n.saturating_sub(self.rows.len());
        self.rows.reserve_exact(more);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn contains_key(&self, uid: &Uid) -> bool {
        self.index.contains(*uid)
    }

    pub fn get(&self, uid: &Uid) -> Option<SummaryRef<'_>> {
        let i = self.index.get(*uid)?;
        Some(self.view(&self.rows[i as usize]))
    }

    /// Every row, in no particular order (the order they are kept in, which reads fastest).
    pub fn values(&self) -> impl Iterator<Item = SummaryRef<'_>> {
        self.rows.iter().map(|p| self.view(p))
    }

    /// The row at `index` in the order [`Summaries::keys`] and [`Summaries::values`] go
    /// through; a removal may move another row to its place. Reading rows in that order
    /// takes about half the time of a lookup by UID each (no map probe, records read where
    /// they lie): what a helper-thread job copies a slice of per frame.
    pub fn at(&self, index: usize) -> Option<SummaryRef<'_>> {
        self.rows.get(index).map(|p| self.view(p))
    }

    pub fn keys(&self) -> impl Iterator<Item = Uid> + '_ {
        self.rows.iter().map(|p| p.uid)
    }

    /// Keeps `s`, replacing any row of its UID; returns the flags the replaced row had.
    pub fn insert(&mut self, s: &SummaryRef) -> Option<Flags> {
        let (from, to) = (self.names.id(s.from), self.names.id(s.to));
        self.insert_named(s, from, to)
    }

    /// Keeps every row of `rows` as [`Summaries::insert`] would, each as `adjust` makes it
    /// (its sender and recipient stay the row's own); returns the flags each replaced row
    /// had, in order. Rows naming the same shared sender
    /// or recipient (one `Arc`, as the cache and the reader hand them over) look it up once
    /// per call, by address: a warm start's slice of 16 000 rows names a few thousand people,
    /// and looking each row's names up by their text was a tenth of a warm start's CPU.
    pub fn insert_all<'a>(
        &mut self,
        rows: &'a [Summary],
        adjust: impl Fn(SummaryRef<'a>) -> SummaryRef<'a>,
    ) -> Vec<Option<Flags>> {
        // While `rows` is borrowed, no shared name in it is freed, so no address is reused.
        let mut by_address = foldhash::HashMap::<*const u8, u32>::default();
        let mut id = |names: &mut Names, name: &Arc<str>| {
            *by_address
                .entry(Arc::as_ptr(name).cast())
                .or_insert_with(|| names.id(name))
        };
        self.rows.reserve(rows.len());
        rows.iter()
            .map(|s| {
                let (from, to) = (id(&mut self.names, &s.from), id(&mut self.names, &s.to));
                self.insert_named(&adjust(s.view()), from, to)
            })
            .collect()
    }

    fn insert_named(&mut self, s: &SummaryRef, from: u32, to: u32) -> Option<Flags> {
        let (sent, sent_offset, bits) = s.header.parts();
        let (keys, keys_len) = s.header.stored_keys();
        let text = self.text.push(s.subject, &keys[..keys_len]);
        let packed = Packed {
            date: s.date,
            sent,
            uid: s.uid,
            size: s.size,
            date_offset: s.date_offset,
            sent_offset,
            from,
            to,
            text,
            keys_len: keys_len as u8,
            flags: s.flags,
            bits,
        };
        match self.index.get(s.uid) {
            Some(i) => {
                let old = std::mem::replace(&mut self.rows[i as usize], packed);
                self.text
                    .release(old.text.subject_len as usize + usize::from(old.keys_len));
                self.compact_text();
                Some(old.flags)
            }
            None => {
                self.rows.push(packed);
                self.index.insert(s.uid, self.rows.len() as u32 - 1);
                None
            }
        }
    }

    /// Forgets `uid`'s row; returns the flags it had.
    pub fn remove(&mut self, uid: &Uid) -> Option<Flags> {
        let i = self.index.remove(*uid)? as usize;
        let old = self.rows.swap_remove(i);
        if let Some(moved) = self.rows.get(i) {
            self.index.insert(moved.uid, i as u32);
        }
        self.text
            .release(old.text.subject_len as usize + usize::from(old.keys_len));
        self.compact_text();
        Some(old.flags)
    }

    /// New flags for `uid`; returns the old ones.
    pub fn set_flags(&mut self, uid: &Uid, flags: Flags) -> Option<Flags> {
        let row = self.row_mut(uid)?;
        Some(std::mem::replace(&mut row.flags, flags))
    }

    /// Corrects `uid`'s attachment bit (its structure says exactly).
    pub fn set_attachment(&mut self, uid: &Uid, attachment: bool) {
        if let Some(row) = self.row_mut(uid) {
            let facts = FactsRef::from_parts(row.sent, row.sent_offset, row.bits, &[]);
            row.bits = facts.with_attachment(attachment).parts().2;
        }
    }

    /// Bytes held, for measuring: rows, the UID index, names and text pages.
    pub fn heap_bytes(&self) -> usize {
        self.rows.capacity() * size_of::<Packed>()
            + self.index.heap_bytes()
            + self.names.heap_bytes()
            + self.text.heap_bytes()
    }

    fn row_mut(&mut self, uid: &Uid) -> Option<&mut Packed> {
        let i = self.index.get(*uid)?;
        self.rows.get_mut(i as usize)
    }

    fn view<'a>(&'a self, p: &Packed) -> SummaryRef<'a> {
        let (subject, keys) = self.text.get(p.text, p.keys_len);
        SummaryRef {
            uid: p.uid,
            flags: p.flags,
            date: p.date,
            date_offset: p.date_offset,
            size: p.size,
            from: self.names.get(p.from),
            to: self.names.get(p.to),
            subject,
            header: FactsRef::from_parts(p.sent, p.sent_offset, p.bits, keys),
        }
    }

    /// Rewrites the text pages once more than half of them is text of rows gone or replaced,
    /// so a folder open for days does not grow with every expunge.
    fn compact_text(&mut self) {
        if !self.text.wasteful() {
            return;
        }
        let mut fresh = Arena::default();
        for p in &mut self.rows {
            let (subject, keys) = self.text.get(p.text, p.keys_len);
            p.text = fresh.push(subject, keys);
        }
        self.text = fresh;
    }
}

/// Equal when they hold equal rows, however they are laid out.
impl PartialEq for Summaries {
    fn eq(&self, other: &Summaries) -> bool {
        self.len() == other.len() && self.values().all(|s| other.get(&s.uid) == Some(s))
    }
}

impl Eq for Summaries {}

impl FromIterator<Summary> for Summaries {
    fn from_iter<I: IntoIterator<Item = Summary>>(rows: I) -> Summaries {
        let mut all = Summaries::default();
        for s in rows {
            all.insert(&s.view());
        }
        all
    }
}

/// Senders and recipients, each kept once and named by its number.
#[derive(Debug, Default, Clone)]
struct Names {
    all: Vec<Arc<str>>,
    ids: foldhash::HashMap<Arc<str>, u32>,
}

impl Names {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.all.len() as u32;
        let name: Arc<str> = name.into();
        self.all.push(name.clone());
        self.ids.insert(name, id);
        id
    }

    fn get(&self, id: u32) -> &str {
        self.all.get(id as usize).map_or("", |n| n)
    }

    fn heap_bytes(&self) -> usize {
        let text: usize = self.all.iter().map(|n| n.len() + 16).sum();
        text + self.all.capacity() * 16 + self.ids.capacity() * (size_of::<(Arc<str>, u32)>() + 1)
    }
}

/// Subjects, each followed by its row's ids as hashes, in pages of [`PAGE`] bytes filled in
/// turn; a run longer than a quarter page gets a page of its own, so a page is never left
/// more than a quarter empty.
#[derive(Debug, Default, Clone)]
struct Arena {
    pages: Vec<Vec<u8>>,
    /// The page short runs go to.
    open: Option<u32>,
    /// Bytes of runs no row uses any more.
    dead: usize,
    used: usize,
}

const PAGE: usize = 256 << 10;

impl Arena {
    fn push(&mut self, subject: &str, keys: &[u8]) -> Span {
        let len = subject.len() + keys.len();
        let page = match self.open {
            _ if len > PAGE / 4 => self.add_page(len),
            Some(p) if self.pages[p as usize].capacity() - self.pages[p as usize].len() >= len => p,
            _ => {
                let p = self.add_page(PAGE);
                self.open = Some(p);
                p
            }
        };
        let text = &mut self.pages[page as usize];
        let at = text.len() as u32;
        text.extend_from_slice(subject.as_bytes());
        text.extend_from_slice(keys);
        self.used += len;
        Span {
            page,
            at,
            subject_len: subject.len() as u32,
        }
    }

    fn add_page(&mut self, capacity: usize) -> u32 {
        self.pages.push(Vec::with_capacity(capacity));
        (self.pages.len() - 1) as u32
    }

    /// The subject and the ids' bytes of the run at `span`.
    fn get(&self, span: Span, keys_len: u8) -> (&str, &[u8]) {
        let page = self.pages.get(span.page as usize).map_or(&[][..], |p| p);
        let at = span.at as usize;
        let mid = at + span.subject_len as usize;
        let end = mid + usize::from(keys_len);
        let subject = page.get(at..mid).unwrap_or_default();
        debug_assert!(std::str::from_utf8(subject).is_ok());
        // SAFETY: a span is only made by `push`, which copied a whole `&str` to `at..mid`;
        // pages are only appended to, and compaction copies runs whole into fresh pages.
        // Checking again on every read was measurable in sorts (a read per comparison).
        let subject = unsafe { std::str::from_utf8_unchecked(subject) };
        (subject, page.get(mid..end).unwrap_or_default())
    }

    fn release(&mut self, len: usize) {
        self.dead += len;
    }

    fn wasteful(&self) -> bool {
        self.dead > PAGE && self.dead * 2 > self.used
    }

    fn heap_bytes(&self) -> usize {
        self.pages.iter().map(Vec::capacity).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::id_hash::IdHash;
    use crate::msg::{Flag, HeaderFacts};
    use crate::test_fixtures;

    fn row(uid: Uid, subject: &str) -> Summary {
        Summary {
            size: uid.wrapping_mul(10),
            date: i64::from(uid) * 1000,
            date_offset: -3600,
            to: "me@example.org".into(),
            header: HeaderFacts::new(
                Some((i64::from(uid) * 999, 7200)),
                Some(&format!("{uid}@x")),
                Some("p@x"),
                ["r@x", "p@x"],
                uid.is_multiple_of(2),
            ),
            ..test_fixtures::summary(uid, &format!("Sender {}", uid % 3), subject)
        }
    }

    #[test]
    fn rows_kept_together_are_kept_as_one_by_one_and_share_their_names() {
        // Names shared by address (one Arc) and equal names in Arcs of their own.
        let shared: Arc<str> = "Ann <ann@example.org>".into();
        let rows: Vec<Summary> = (1..=300)
            .map(|u| Summary {
                from: if u % 2 == 0 {
                    shared.clone()
                } else {
                    format!("Sender {}", u % 7).into()
                },
                to: shared.clone(),
                flags: if u % 3 == 0 {
                    Flags::from(Flag::Seen)
                } else {
                    Flags::NONE
                },
                ..row(u, "s")
            })
            .collect();
        let mut together: Summaries = rows[..100].iter().cloned().collect();
        let replaced = together.insert_all(&rows[50..], |mut s| {
            s.header = s.header.with_attachment(s.uid == 77);
            s
        });
        let mut one_by_one: Summaries = rows[..100].iter().cloned().collect();
        let want: Vec<Option<Flags>> = rows[50..]
            .iter()
            .map(|s| {
                let mut v = s.view();
                v.header = v.header.with_attachment(s.uid == 77);
                one_by_one.insert(&v)
            })
            .collect();
        assert_eq!(replaced, want);
        assert_eq!(together, one_by_one);
        assert!(together.get(&77).unwrap().header.has_attachment());
        assert_eq!(together.names.all.len(), 1 + 7, "each name kept once");
    }

    #[test]
    fn rows_read_back_as_they_were_kept() {
        let rows: Vec<Summary> = (1..=500).map(|u| row(u, &format!("s{u} Grüße"))).collect();
        let store: Summaries = rows.iter().cloned().collect();
        assert_eq!(store.len(), 500);
        for s in &rows {
            let got = store.get(&s.uid).unwrap();
            assert_eq!(got, s.view());
            assert_eq!(got.header.keys().in_reply_to, Some(IdHash::of("p@x")));
            assert_eq!(
                got.header.keys().message_id,
                Some(IdHash::of(&format!("{}@x", s.uid)))
            );
        }
        assert_eq!(store.get(&501), None);
        for (i, uid) in store.keys().enumerate() {
            assert_eq!(store.at(i), store.get(&uid));
        }
        assert_eq!(store.at(500), None);
        // Three senders, one recipient: each kept once.
        assert_eq!(store.names.all.len(), 4);
    }

    #[test]
    fn replacing_and_removing_keep_the_others() {
        let mut store: Summaries = (1..=100).map(|u| row(u, "old")).collect();
        let newer = row(7, "new");
        assert_eq!(store.insert(&newer.view()), Some(Flags::NONE));
        assert_eq!(store.get(&7).unwrap().subject, "new");
        assert_eq!(store.remove(&1), Some(Flags::NONE));
        assert_eq!(store.remove(&1), None);
        assert_eq!(store.set_flags(&100, Flag::Seen.into()), Some(Flags::NONE));
        store.set_attachment(&3, true);
        assert_eq!(store.len(), 99);
        for u in 2..=100 {
            let mut want = row(u, if u == 7 { "new" } else { "old" });
            if u == 100 {
                want.flags = Flag::Seen.into();
            }
            want.header.set_attachment(u == 3 || u.is_multiple_of(2));
            assert_eq!(store.get(&u).unwrap(), want.view(), "uid {u}");
        }
    }

    #[test]
    fn text_of_rows_gone_is_given_back() {
        let long = "x".repeat(1000);
        let mut store = Summaries::default();
        for round in 0..5u32 {
            for u in 0..1000 {
                store.insert(&row(round * 1000 + u, &long).view());
            }
            for u in 0..1000 {
                store.remove(&(round * 1000 + u));
            }
        }
        store.insert(&row(1, &long).view());
        assert!(
            store.text.heap_bytes() <= 4 * PAGE,
            "{}",
            store.text.heap_bytes()
        );
        assert_eq!(store.get(&1).unwrap().subject, long);
    }

    #[test]
    fn a_long_subject_gets_a_page_of_its_own() {
        let huge = "y".repeat(PAGE * 2);
        let store: Summaries = [row(1, "a"), row(2, &huge), row(3, "b")]
            .into_iter()
            .collect();
        assert_eq!(store.get(&2).unwrap().subject, huge);
        assert_eq!(store.get(&3).unwrap().subject, "b");
        assert_eq!(store.text.pages.len(), 2);
    }

    #[test]
    fn a_row_is_small() {
        assert_eq!(size_of::<Packed>(), 56);
    }
}
