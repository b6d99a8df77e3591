//! The folded text the filter matches against, and the scans over it. Rows are kept in the
//! order they were first folded (arrival order), never moved: a folder's subjects lie one
//! after another in one buffer, so a word is looked for in the whole buffer at once with
//! `memchr::memmem` (SIMD, a few GB/s) instead of one search per row, and a result is a bit
//! set over arrivals that stays true while rows come and go.

use memchr::memmem::Finder;

use crate::msg::Uid;

/// A word to look for. Where the CPU has AVX2, memchr's searchers for it are called
/// directly: `memmem::Finder` picks the same ones but costs a few nanoseconds more a call,
/// and a word most rows hold takes a call a row (a quarter of its scan at a million).
pub(super) struct Word {
    finder: Finder<'static>,
    #[cfg(target_arch = "x86_64")]
    avx2: Avx2,
}

#[cfg(target_arch = "x86_64")]
enum Avx2 {
    Byte(memchr::arch::x86_64::avx2::memchr::One),
    Pair(memchr::arch::x86_64::avx2::packedpair::Finder),
    None,
}

impl Word {
    pub(super) fn new(word: &str) -> Word {
        let needle = word.as_bytes();
        #[cfg(target_arch = "x86_64")]
        let avx2 = {
            use memchr::arch::x86_64::avx2::{memchr::One, packedpair};
            let found = match needle {
                [b] => One::new(*b).map(Avx2::Byte),
                _ => packedpair::Finder::new(needle).map(Avx2::Pair),
            };
            found.unwrap_or(Avx2::None)
        };
        Word {
            finder: Finder::new(needle).into_owned(),
            #[cfg(target_arch = "x86_64")]
            avx2,
        }
    }

    fn len(&self) -> usize {
        self.finder.needle().len()
    }

    /// Where the word first starts in `text`.
    fn find(&self, text: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        match &self.avx2 {
            Avx2::Byte(one) => return one.find(text),
            Avx2::Pair(pair) if text.len() >= pair.min_haystack_len() => {
                return pair.find(text, self.finder.needle());
            }
            _ => {}
        }
        self.finder.find(text)
    }
}

/// Folded rows in arrival order.
#[derive(Debug, Default)]
pub(super) struct Rows {
    uids: Vec<Uid>,
    /// Into the index's names.
    from: Vec<u32>,
    to: Vec<u32>,
    /// Every folded subject, each followed by `SEPARATOR`.
    text: Vec<u8>,
    /// Where each subject starts in `text`; one more, the end of the text.
    starts: Vec<usize>,
}

/// Ends every subject in the text: a query word never holds whitespace (the query is split
/// on it), so no match runs from one subject into the next.
const SEPARATOR: u8 = b'\n';

impl Rows {
    pub(super) fn len(&self) -> usize {
        self.uids.len()
    }

    pub(super) fn uid(&self, row: u32) -> Uid {
        self.uids[row as usize]
    }

    /// Room for `n` more rows.
    pub(super) fn reserve(&mut self, n: usize) {
        self.uids.reserve(n);
        self.from.reserve(n);
        self.to.reserve(n);
        self.starts.reserve(n + 1);
    }

    /// Adds a row whose subject `fold_into` writes; returns its number.
    pub(super) fn push(
        &mut self,
        uid: Uid,
        from: u32,
        to: u32,
        fold_into: impl FnOnce(&mut Vec<u8>),
    ) -> u32 {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        fold_into(&mut self.text);
        self.text.push(SEPARATOR);
        self.starts.push(self.text.len());
        self.uids.push(uid);
        self.from.push(from);
        self.to.push(to);
        (self.uids.len() - 1) as u32
    }

    fn subject(&self, row: usize) -> &[u8] {
        &self.text[self.starts[row]..self.starts[row + 1] - 1]
    }

    /// Sets in `hits` the rows from `first` on whose subject holds `word`, or whose sender or
    /// recipient is one of `names` (by name number); `after`, if given, learns what follows
    /// `word` in them.
    pub(super) fn scan(
        &self,
        word: &Word,
        names: &[bool],
        first: usize,
        hits: &mut Bits,
        mut after: Option<&mut After>,
    ) {
        let end = self.len();
        if first >= end {
            return;
        }
        let stop = self.starts[end];
        let mut at = self.starts[first];
        let mut row = first;
        while let Some(p) = word.find(&self.text[at..stop]) {
            let p = at + p;
            if self.starts[row + 1] <= p {
                row = row_at(&self.starts[..=end], row + 1, p);
            }
            hits.set(row);
            if let Some(a) = after.as_deref_mut() {
                a.next[row] = self.following(row, p + word.len());
            }
            row += 1;
            if row == end {
                break;
            }
            at = self.starts[row];
        }
        if names.iter().any(|n| *n) {
            for r in first..end {
                if self.named(names, r) && !hits.contains(r) {
                    hits.set(r);
                    if let Some(a) = after.as_deref_mut() {
                        a.next[r] = ABSENT;
                    }
                }
            }
        }
    }

    /// Clears in `hits` the rows that do not hold `word` (see [`Rows::scan`]), one row at a
    /// time: cheaper than a scan of the whole text when few rows are left.
    pub(super) fn narrow(&self, word: &Word, names: &[bool], hits: &mut Bits, after: &mut After) {
        hits.retain(|r| self.check(word, names, r, after));
    }

    /// Narrows `hits` to `word`, which is `after`'s word followed by `more` (at most 7
    /// bytes), as far as `after` tells without reading the text: a row whose bytes after its
    /// first occurrence of that word are `more` holds `word` there; a row whose subject lacks
    /// that word holds `word` only if `names` say so. Returns the rows it cannot tell, taken
    /// out of `hits`.
    pub(super) fn extend(
        &self,
        more: &[u8],
        names: &[bool],
        hits: &mut Bits,
        after: &mut After,
    ) -> Bits {
        let shift = 8 * more.len() as u32;
        let mask = (1u64 << shift) - 1;
        let mut want = [0; 8];
        want[..more.len()].copy_from_slice(more);
        let want = u64::from_le_bytes(want);
        let mut untold = Bits::default();
        hits.retain(|r| {
            let next = after.next[r];
            if next & mask == want {
                // What follows is known for fewer bytes now.
                after.next[r] = next >> shift | !(u64::MAX >> shift);
                true
            } else if next == ABSENT {
                self.named(names, r)
            } else {
                untold.set(r);
                false
            }
        });
        untold
    }

    /// Whether row `r` holds `word` (see [`Rows::scan`]); `after` learns what follows it.
    fn check(&self, word: &Word, names: &[bool], r: usize, after: &mut After) -> bool {
        match word.find(self.subject(r)) {
            Some(p) => {
                let end = self.starts[r] + p + word.len();
                after.next[r] = self.following(r, end);
                true
            }
            None if self.named(names, r) => {
                after.next[r] = ABSENT;
                true
            }
            None => false,
        }
    }

    fn named(&self, names: &[bool], r: usize) -> bool {
        names[self.from[r] as usize] || names[self.to[r] as usize]
    }

    /// Up to 8 bytes of `row`'s subject from `at` (into the text), as [`After`] keeps them.
    fn following(&self, row: usize, at: usize) -> u64 {
        let left = self.starts[row + 1] - 1 - at;
        if left == 0 {
            return NOTHING;
        }
        // One load of 8 bytes, the next row's masked off: a copy of `left` bytes costs more
        // than the rest of a row's scan.
        let next = match self.text.get(at..at + 8) {
            Some(b) => u64::from_le_bytes(b.try_into().expect("8 bytes")),
            None => {
                let mut b = [0xFF; 8];
                b[..left.min(8)].copy_from_slice(&self.text[at..at + left.min(8)]);
                u64::from_le_bytes(b)
            }
        };
        match left {
            8.. => next,
            _ => next | u64::MAX << (8 * left),
        }
    }
}

/// The row holding text offset `p`, at or after `from`: looked for near `from` first, then
/// farther in doubling steps, since a hit is usually in the next rows and a halving over all
/// of them costs a cache miss a step.
fn row_at(starts: &[usize], from: usize, p: usize) -> usize {
    let last = starts.len() - 1;
    let mut lo = from;
    let mut step = 1;
    loop {
        let hi = (lo + step).min(last);
        if starts[hi] > p || hi == last {
            return lo + starts[lo + 1..=hi].partition_point(|s| *s <= p);
        }
        lo = hi;
        step *= 2;
    }
}

/// No byte: past the end of a subject, or not known. Never in folded text (UTF-8).
const NOTHING: u64 = u64::MAX;
/// The subject lacks the word (the row matched by a name), so it lacks every longer word
/// holding it. Not bytes of a subject: 0xFE is not UTF-8.
const ABSENT: u64 = u64::MAX - 1;

/// For each row of one query's hits, the (up to) 8 bytes of its subject that follow its first
/// occurrence of `word`, the first in the lowest byte, `0xFF` for none (or [`ABSENT`]). A word
/// typed a key at a time is then checked, for most rows, against these bytes instead of the
/// subject: reading the text of a million rows at each key costs more than a scan of the
/// whole text, and that in turn more than these 8 bytes a row.
#[derive(Debug, Default)]
pub(super) struct After {
    /// The query whose hits these bytes describe (none: they describe nothing).
    pub(super) query: Vec<String>,
    pub(super) word: String,
    /// By row; rows folded since are not known.
    next: Vec<u64>,
}

impl After {
    /// The bytes `word` adds to the word these bytes follow, if it extends that word by
    /// fewer than 8.
    pub(super) fn more<'w>(&self, word: &'w str) -> Option<&'w [u8]> {
        let more = word.strip_prefix(self.word.as_str())?;
        let known = !self.word.is_empty() && (1..8).contains(&more.len());
        known.then_some(more.as_bytes())
    }

    /// Ready to describe `rows` (rows folded since are not known).
    pub(super) fn cover(&mut self, rows: &Rows) {
        self.next.resize(rows.len(), NOTHING);
    }
}

/// A set of row numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Bits {
    words: Vec<u64>,
}

impl Bits {
    /// Rows `0..n` all set.
    pub(super) fn all(n: usize) -> Bits {
        let mut words = vec![u64::MAX; n.div_ceil(64)];
        if let Some(last) = words.last_mut()
            && !n.is_multiple_of(64)
        {
            *last = (1 << (n % 64)) - 1;
        }
        Bits { words }
    }

    pub(super) fn set(&mut self, row: usize) {
        let w = row / 64;
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= 1 << (row % 64);
    }

    pub(super) fn contains(&self, row: usize) -> bool {
        self.words
            .get(row / 64)
            .is_some_and(|w| w & (1 << (row % 64)) != 0)
    }

    /// Calls `f` with each row in the set, in order. A plain loop: listing hits through an
    /// iterator of iterators took a third of the filter's time at a million (profiled).
    pub(super) fn each(&self, mut f: impl FnMut(usize)) {
        for (i, &word) in self.words.iter().enumerate() {
            let mut left = word;
            while left != 0 {
                f(i * 64 + left.trailing_zeros() as usize);
                left &= left - 1;
            }
        }
    }

    pub(super) fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Only the rows in both.
    pub(super) fn and(&mut self, other: &Bits) {
        self.words.truncate(other.words.len());
        for (w, o) in self.words.iter_mut().zip(&other.words) {
            *w &= o;
        }
    }

    /// The rows in either.
    pub(super) fn or(&mut self, other: &Bits) {
        if self.words.len() < other.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (w, o) in self.words.iter_mut().zip(&other.words) {
            *w |= o;
        }
    }

    /// Keeps the rows `keep` says yes to.
    fn retain(&mut self, mut keep: impl FnMut(usize) -> bool) {
        for (i, word) in self.words.iter_mut().enumerate() {
            let mut left = *word;
            while left != 0 {
                let bit = left.trailing_zeros() as usize;
                left &= left - 1;
                if !keep(i * 64 + bit) {
                    *word &= !(1 << bit);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(subjects: &[&str]) -> Rows {
        let mut rows = Rows::default();
        for (uid, s) in (1..).zip(subjects) {
            rows.push(uid, uid, 0, |t| t.extend_from_slice(s.as_bytes()));
        }
        rows
    }

    fn listed(hits: &Bits, rows: &Rows) -> Vec<usize> {
        (0..rows.len()).filter(|r| hits.contains(*r)).collect()
    }

    /// `word` looked for in every row, `after` learning what follows it; `names` by row.
    fn scanned(rows: &Rows, word: &str, names: &[bool], after: &mut After) -> Bits {
        let mut hits = Bits::default();
        after.cover(rows);
        rows.scan(&Word::new(word), names, 0, &mut hits, Some(after));
        after.word = word.into();
        hits
    }

    /// `hits` narrowed to `word`, which extends `after`'s word, as the index does it.
    fn extended(rows: &Rows, word: &str, names: &[bool], hits: &mut Bits, after: &mut After) {
        let more = after.more(word).expect("an extension");
        let mut untold = rows.extend(more, names, hits, after);
        rows.narrow(&Word::new(word), names, &mut untold, after);
        hits.or(&untold);
        after.word = word.into();
    }

    #[test]
    fn no_word_runs_from_one_row_into_the_next() {
        let rows = rows(&["weekly", "report", "we", "ekly", "a we"]);
        let none = [false; 6];
        let mut after = After::default();
        let mut found = |w| listed(&scanned(&rows, w, &none, &mut after), &rows);
        assert_eq!(found("weekly"), [0]);
        assert_eq!(found("yre"), [] as [usize; 0]);
        assert_eq!(found("ekly"), [0, 3]);
        // Nothing follows "we" in rows 2 and 4: the next rows' text is not taken for it.
        let mut hits = scanned(&rows, "we", &none, &mut after);
        assert_eq!(listed(&hits, &rows), [0, 2, 4]);
        extended(&rows, "wee", &none, &mut hits, &mut after);
        assert_eq!(listed(&hits, &rows), [0]);
    }

    #[test]
    fn the_bytes_after_a_word_follow_its_extensions() {
        let rows = rows(&["wax weekly", "weekly", "w", "waxwing"]);
        let none = [false; 5];
        let mut after = After::default();
        let mut hits = scanned(&rows, "w", &none, &mut after);
        for (word, want) in [
            // Row 0's first "w" is followed by "a": its "we" is found in the subject.
            ("we", &[0, 1][..]),
            ("wee", &[0, 1]),
            ("weekly", &[0, 1]),
            ("weeklyx", &[]),
        ] {
            extended(&rows, word, &none, &mut hits, &mut after);
            assert_eq!(listed(&hits, &rows), want, "{word}");
        }
        let mut hits = scanned(&rows, "wa", &none, &mut after);
        extended(&rows, "waxwi", &none, &mut hits, &mut after);
        assert_eq!(listed(&hits, &rows), [3]);
        assert_eq!(after.more("waxwi"), None, "not longer");
        assert_eq!(
            after.more("waxwi12345678"),
            None,
            "8 bytes more are not kept"
        );
        assert_eq!(after.more("waxwi1234567"), Some(&b"1234567"[..]));
        assert_eq!(after.more("xwa"), None, "not at the end");
    }

    #[test]
    fn a_row_found_by_name_is_kept_by_name() {
        // Row 0's sender (name 1) holds "ann", "anne" too; its subject neither.
        let rows = rows(&["x", "ann"]);
        let mut after = After::default();
        let mut hits = scanned(&rows, "an", &[false, true, false], &mut after);
        assert_eq!(listed(&hits, &rows), [0, 1]);
        extended(&rows, "ann", &[false, true, false], &mut hits, &mut after);
        assert_eq!(listed(&hits, &rows), [0, 1]);
        extended(&rows, "anne", &[false, true, false], &mut hits, &mut after);
        assert_eq!(listed(&hits, &rows), [0]);
        extended(&rows, "annex", &[false; 3], &mut hits, &mut after);
        assert_eq!(listed(&hits, &rows), [] as [usize; 0]);
    }

    #[test]
    fn a_word_is_found_where_memmem_finds_it() {
        // Texts around the lengths where memchr's searchers change, matches at every place.
        for word in ["r", "re", "rep", "报", "weekly"] {
            let finder = Word::new(word);
            for len in 0..80 {
                for at in 0..=len {
                    let mut text = vec![b'x'; len];
                    if at + word.len() <= len {
                        text[at..at + word.len()].copy_from_slice(word.as_bytes());
                    }
                    let want = memchr::memmem::find(&text, word.as_bytes());
                    assert_eq!(finder.find(&text), want, "{word:?} in {len} bytes at {at}");
                }
            }
        }
    }

    #[test]
    fn a_text_offset_is_found_in_its_row_from_any_row_before_it() {
        let starts = [0, 3, 5, 9, 20, 21, 22, 40];
        for p in 0..40 {
            let row = starts.partition_point(|s| *s <= p) - 1;
            for from in 0..=row {
                assert_eq!(row_at(&starts, from, p), row, "offset {p} from row {from}");
            }
        }
    }
}
