//! A small value per UID of one folder, kept in a plain array over the folder's UID range.
//!
//! The UIDs of a folder are nearly dense (a run from its oldest kept message to its newest,
//! with the gaps of expunged ones), so most values sit in `slots`, one a UID of the range
//! `base..base + slots.len()`; a lookup is one load, where a hash map hashed and probed (the
//! sort order asks whether each row of the list is loaded, for every chunk of a sync), and a
//! value costs its own size, where a hash map of 100 000 one-byte flags held 1.2 MB. The
//! range grows to take in a new UID while it stays within [`UidMap::span_limit`] slots, so it
//! never holds more than a few slots a value; a UID beyond it (a hostile or very sparse
//! folder) goes in `far`.

use super::Uid;

/// A value with a spare bit pattern that marks an empty slot.
pub trait Slot: Copy + Eq {
    const EMPTY: Self;
}

impl Slot for u32 {
    const EMPTY: u32 = u32::MAX;
}

#[derive(Debug, Clone)]
pub struct UidMap<V: Slot> {
    base: Uid,
    /// The value, or [`Slot::EMPTY`].
    slots: Vec<V>,
    far: foldhash::HashMap<Uid, V>,
    len: usize,
}

impl<V: Slot> Default for UidMap<V> {
    fn default() -> UidMap<V> {
        UidMap {
            base: 0,
            slots: Vec::new(),
            far: Default::default(),
            len: 0,
        }
    }
}

impl<V: Slot> UidMap<V> {
    pub fn get(&self, uid: Uid) -> Option<V> {
        match self.slot(uid) {
            Some(at) => Some(self.slots[at]).filter(|v| *v != V::EMPTY),
            None => self.far.get(&uid).copied(),
        }
    }

    pub fn contains(&self, uid: Uid) -> bool {
        self.get(uid).is_some()
    }

    /// Keeps `value` for `uid`. `value` must not be [`Slot::EMPTY`].
    pub fn insert(&mut self, uid: Uid, value: V) {
        debug_assert!(value != V::EMPTY);
        if self.slot(uid).is_none() {
            self.widen(uid);
        }
        let old = match self.slot(uid) {
            Some(at) => {
                Some(std::mem::replace(&mut self.slots[at], value)).filter(|v| *v != V::EMPTY)
            }
            None => self.far.insert(uid, value),
        };
        self.len += usize::from(old.is_none());
    }

    pub fn remove(&mut self, uid: Uid) -> Option<V> {
        let old = match self.slot(uid) {
            Some(at) => {
                Some(std::mem::replace(&mut self.slots[at], V::EMPTY)).filter(|v| *v != V::EMPTY)
            }
            None => self.far.remove(&uid),
        };
        self.len -= usize::from(old.is_some());
        old
    }

    /// Keeps only the UIDs `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(Uid) -> bool) {
        let base = self.base;
        for (at, v) in self.slots.iter_mut().enumerate() {
            if *v != V::EMPTY && !keep(base + at as Uid) {
                *v = V::EMPTY;
                self.len -= 1;
            }
        }
        let before = self.far.len();
        self.far.retain(|u, _| keep(*u));
        self.len -= before - self.far.len();
    }

    /// Every UID held, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = Uid> + '_ {
        let base = self.base;
        let near = self.slots.iter().enumerate();
        near.filter(|(_, v)| **v != V::EMPTY)
            .map(move |(at, _)| base + at as Uid)
            .chain(self.far.keys().copied())
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes held, for measuring.
    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() * size_of::<V>() + self.far.capacity() * (size_of::<(Uid, V)>() + 1)
    }

    /// Where `uid` is kept in `slots`, if its range holds it.
    fn slot(&self, uid: Uid) -> Option<usize> {
        let at = uid.checked_sub(self.base)? as usize;
        (at < self.slots.len()).then_some(at)
    }

    /// At most this many slots for `values` values: four a value (what a hash map of them
    /// took), and never less than a small folder needs.
    fn span_limit(values: usize) -> usize {
        values.saturating_mul(4).max(1 << 14)
    }

    /// Grows the range to hold `uid` (with room to spare on that side, so a sync coming
    /// down or up the UIDs a chunk at a time widens it a few times, not once a chunk), when
    /// that stays within the limit; the UIDs of `far` it now covers move in.
    fn widen(&mut self, uid: Uid) {
        let limit = UidMap::<V>::span_limit(self.len + 1) as u64;
        let uid = u64::from(uid);
        let (base, end) = (
            u64::from(self.base),
            u64::from(self.base) + self.slots.len() as u64,
        );
        let (lo, hi) = if self.slots.is_empty() {
            (uid, uid + 1)
        } else {
            (base.min(uid), end.max(uid + 1))
        };
        if hi - lo > limit {
            return;
        }
        let spare = ((hi - lo) / 2).max(1 << 10).min(limit - (hi - lo));
        let (lo, hi) = if self.slots.is_empty() {
            (lo.saturating_sub(spare / 2), hi + spare / 2)
        } else if uid < base {
            (lo.saturating_sub(spare), hi)
        } else {
            (lo, hi + spare)
        };
        let hi = hi.min(u64::from(Uid::MAX) + 1);
        let mut slots = vec![V::EMPTY; (hi - lo) as usize];
        if !self.slots.is_empty() {
            let shift = (base - lo) as usize;
            slots[shift..shift + self.slots.len()].copy_from_slice(&self.slots);
        }
        self.base = lo as Uid;
        self.slots = slots;
        for (u, v) in std::mem::take(&mut self.far) {
            match self.slot(u) {
                Some(at) => self.slots[at] = v,
                None => {
                    self.far.insert(u, v);
                }
            }
        }
    }
}

impl<V: Slot> Extend<(Uid, V)> for UidMap<V> {
    fn extend<I: IntoIterator<Item = (Uid, V)>>(&mut self, pairs: I) {
        for (uid, v) in pairs {
            self.insert(uid, v);
        }
    }
}

impl<V: Slot> FromIterator<(Uid, V)> for UidMap<V> {
    fn from_iter<I: IntoIterator<Item = (Uid, V)>>(pairs: I) -> UidMap<V> {
        let mut map = UidMap::default();
        map.extend(pairs);
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// UIDs a server may send: a run coming down a chunk at a time, then the oldest fetched
    /// ahead, UIDs at both ends of the range, and a spread no array should cover.
    #[test]
    fn uids_anywhere_are_found_and_the_array_stays_small() {
        let mut uids: Vec<Uid> = (1..=20_000).rev().collect();
        uids.extend([0, 1_000_000, Uid::MAX, Uid::MAX - 1, 3_000_000_000]);
        uids.extend((0..200).map(|k| k * 21_474_836));
        let mut map = UidMap::default();
        for &u in &uids {
            map.insert(u, u / 2);
        }
        uids.sort_unstable();
        uids.dedup();
        assert_eq!(map.len(), uids.len());
        let mut keys: Vec<Uid> = map.keys().collect();
        keys.sort_unstable();
        assert_eq!(keys, uids);
        for &u in &uids {
            assert_eq!(map.get(u), Some(u / 2), "uid {u}");
        }
        for u in [20_001, 999_999, 1_000_001, 2, Uid::MAX - 2] {
            assert!(uids.contains(&u) || !map.contains(u), "uid {u}");
        }
        assert!(map.far.len() >= 200, "{}", map.far.len());
        assert!(
            map.slots.len() <= UidMap::<u32>::span_limit(map.len()),
            "{} slots for {} values",
            map.slots.len(),
            map.len()
        );
        for &u in uids.iter().step_by(3) {
            assert_eq!(map.remove(u), Some(u / 2));
        }
        for (k, &u) in uids.iter().enumerate() {
            assert_eq!(map.get(u), (k % 3 != 0).then_some(u / 2), "uid {u}");
        }
        let left = map.len();
        map.retain(|u| u % 2 == 0);
        let even = uids
            .iter()
            .enumerate()
            .filter(|(k, u)| k % 3 != 0 && *u % 2 == 0);
        assert_eq!(map.len(), even.count());
        assert!(left > map.len());
        assert!(uids.iter().all(|&u| map.get(u).is_none() || u % 2 == 0));
    }

    /// A folder met from the middle (rows fetched ahead before the sync reaches them) ends
    /// with every UID of its range in the array, however the range grew.
    #[test]
    fn the_range_takes_in_uids_kept_aside_once_there_are_values_enough() {
        let mut map = UidMap::default();
        map.insert(500_000, 1u32);
        map.insert(1, 2);
        assert_eq!(map.far.len(), 1);
        for u in (2..=200_000).rev() {
            map.insert(u, 3);
        }
        assert!(map.far.len() <= 1, "{}", map.far.len());
        assert_eq!((map.get(1), map.get(500_000)), (Some(2), Some(1)));
        assert_eq!(map.len(), 200_001);
        map.insert(1, 4);
        assert_eq!(
            (map.get(1), map.len()),
            (Some(4), 200_001),
            "replaced, not added"
        );
    }
}
