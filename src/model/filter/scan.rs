//! The folded text the filter matches against, and the scans over it. Rows are kept in the
//! order they were first folded (arrival order), never moved: a folder's subjects lie one
//! after another in one buffer, so a word is looked for in the whole buffer at once with
//! `memchr::memmem` (SIMD, a few GB/s) instead of one search per row, and a result is a bit
//! set over arrivals that stays true while rows come and go.

use memchr::memmem::Finder;

use crate::msg::Uid;

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
    /// recipient is one of `names` (by name number).
    pub(super) fn scan(&self, word: &Finder, names: &[bool], first: usize, hits: &mut Bits) {
        let end = self.len();
        if first >= end {
            return;
        }
        let stop = self.starts[end];
        let mut at = self.starts[first];
        let mut row = first;
        while let Some(p) = word.find(&self.text[at..stop]) {
            let p = at + p;
            // The row holding p: usually this one or the next (a word found in most
            // subjects), else found by halving.
            if self.starts[row + 1] <= p {
                row += 1;
                if self.starts[row + 1] <= p {
                    row += self.starts[row + 1..=end].partition_point(|s| *s <= p);
                }
            }
            hits.set(row);
            row += 1;
            if row == end {
                break;
            }
            at = self.starts[row];
        }
        if names.iter().any(|n| *n) {
            for r in first..end {
                if names[self.from[r] as usize] || names[self.to[r] as usize] {
                    hits.set(r);
                }
            }
        }
    }

    /// Clears in `hits` the rows that do not hold `word` (see [`Rows::scan`]), one row at a
    /// time: cheaper than a scan of the whole text when few rows are left.
    pub(super) fn narrow(&self, word: &Finder, names: &[bool], hits: &mut Bits) {
        hits.retain(|r| {
            word.find(self.subject(r)).is_some()
                || names[self.from[r] as usize]
                || names[self.to[r] as usize]
        });
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
