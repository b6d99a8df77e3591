//! Sort orders of a message list: a key (date, arrival, sender, recipient, subject, size), its
//! direction, and "unread first" / "flagged first". One order is total (ties go to the newer
//! UID), so a full sort and rows placed one chunk at a time during a sync give the same list.
//!
//! A message that arrived while the folder was open has no summary until the worker fetches
//! it; by arrival it is the newest message, so a date order places it as the newest
//! ([`Row::Arrived`]) and places it again once its summary comes. Other rows without a
//! summary (a cold sync's) go last until theirs comes, except in plain date order: there they
//! are placed among the known rows by UID ([`SortOrder::interleaves`]), since UIDs grow with
//! time. So the last row is the oldest message before its summary is known, and a row whose
//! summary was fetched because it came into view (End during a sync) mostly stays where it was.
//!
//! `date` is when the message was sent, its Date header ([`Summary::sent`]), which imported or
//! restored mail keeps while its INTERNALDATE is the day it was copied; INTERNALDATE stands in
//! when the header is missing or does not parse.

use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};
use std::fmt;
use std::str::FromStr;

use super::filter::fold;
use crate::mime::subject::base_subject;
use crate::msg::{Flag, SummaryRef, Uid};

/// What messages are ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// The Date header (INTERNALDATE without one), newest first.
    #[default]
    Date,
    /// UID, newest first: the server's order, and the order before summaries arrive.
    Arrival,
    /// Sender, A to Z.
    From,
    /// First recipient, A to Z.
    To,
    /// Subject without `Re:`/`Fwd:`-style prefixes, A to Z.
    Subject,
    /// Largest first.
    Size,
}

const KEYS: [(SortKey, &str); 6] = [
    (SortKey::Date, "date"),
    (SortKey::Arrival, "arrival"),
    (SortKey::From, "from"),
    (SortKey::To, "to"),
    (SortKey::Subject, "subject"),
    (SortKey::Size, "size"),
];

impl SortKey {
    /// Every key, in the order a picker offers them.
    pub fn all() -> impl Iterator<Item = SortKey> {
        KEYS.iter().map(|(k, _)| *k)
    }

    pub fn name(self) -> &'static str {
        KEYS.iter().find(|(k, _)| *k == self).map_or("", |(_, n)| n)
    }

    /// Whether the key's own order is largest (newest) first.
    fn descending(self) -> bool {
        matches!(self, SortKey::Date | SortKey::Arrival | SortKey::Size)
    }

    /// The text the key orders by (before `Re:`-style prefixes are taken off a subject),
    /// empty for the keys that are numbers: what a sort job copies of each message.
    pub(super) fn text(self, s: SummaryRef<'_>) -> &str {
        match self {
            SortKey::From => s.from,
            SortKey::To => s.to,
            SortKey::Subject => s.subject,
            SortKey::Date | SortKey::Arrival | SortKey::Size => "",
        }
    }

    /// The direction in words: `newest first`, or reversed `oldest first`.
    pub fn direction(self, reverse: bool) -> &'static str {
        match (self, reverse) {
            (SortKey::Date | SortKey::Arrival, false) => "newest first",
            (SortKey::Date | SortKey::Arrival, true) => "oldest first",
            (SortKey::Size, false) => "largest first",
            (SortKey::Size, true) => "smallest first",
            (_, false) => "A to Z",
            (_, true) => "Z to A",
        }
    }
}

/// What an order knows of a message.
#[derive(Clone, Copy)]
pub enum Row<'a> {
    Known(SummaryRef<'a>),
    /// Arrived while the folder was open, summary not fetched yet: the newest message, and
    /// unread and unflagged as new mail is.
    Arrived,
    /// Summary not fetched yet (a sync in progress).
    Loading,
}

/// What an order asks of the messages it sorts: each row, and (more often, cheaper) whether a
/// row is still loading. Any `Fn(Uid) -> Row` answers both through the row.
pub trait Rows<'a> {
    fn row(&self, uid: Uid) -> Row<'a>;

    /// Whether `uid`'s summary is not known yet ([`Row::Loading`]). Date order asks it of every
    /// row of the list for every sync chunk, so a store answers it without building the row.
    fn loading(&self, uid: Uid) -> bool {
        matches!(self.row(uid), Row::Loading)
    }
}

impl<'a, F: Fn(Uid) -> Row<'a>> Rows<'a> for F {
    fn row(&self, uid: Uid) -> Row<'a> {
        self(uid)
    }
}

impl<'a> From<Option<SummaryRef<'a>>> for Row<'a> {
    fn from(s: Option<SummaryRef<'a>>) -> Row<'a> {
        s.map_or(Row::Loading, Row::Known)
    }
}

/// A key, its direction and the "first" modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SortOrder {
    pub key: SortKey,
    /// Flips the key's default direction (the modifiers stay first).
    pub reverse: bool,
    /// Unread messages first; with both modifiers, unread decides before flagged.
    pub unread_first: bool,
    pub flagged_first: bool,
}

impl FromStr for SortOrder {
    type Err = String;

    /// Words separated by blanks or commas, in any order: one key, and optionally `reverse`,
    /// `unread`, `flagged` (`size reverse`, `unread,date`).
    fn from_str(s: &str) -> Result<SortOrder, String> {
        let mut order = SortOrder::default();
        let mut key = None;
        for word in s.split([' ', ',']).filter(|w| !w.is_empty()) {
            let word = word.to_ascii_lowercase();
            match word.as_str() {
                "reverse" => order.reverse = true,
                "unread" => order.unread_first = true,
                "flagged" => order.flagged_first = true,
                _ => {
                    let k = KEYS
                        .iter()
                        .find(|(_, n)| *n == word)
                        .map(|(k, _)| *k)
                        .ok_or_else(|| {
                            format!("unknown sort key {word:?} (try {})", key_names())
                        })?;
                    if key.replace(k).is_some() {
                        return Err("one sort key at a time".to_string());
                    }
                }
            }
        }
        order.key = key.ok_or_else(|| format!("which sort key? {}", key_names()))?;
        Ok(order)
    }
}

fn key_names() -> String {
    let names: Vec<&str> = KEYS.iter().map(|(_, n)| *n).collect();
    names.join(", ")
}

impl fmt::Display for SortOrder {
    /// The words [`SortOrder::from_str`] reads back: `unread flagged size reverse`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut words = Vec::new();
        if self.unread_first {
            words.push("unread");
        }
        if self.flagged_first {
            words.push("flagged");
        }
        words.push(self.key.name());
        if self.reverse {
            words.push("reverse");
        }
        f.write_str(&words.join(" "))
    }
}

/// Where a message goes: compared field by field. Rows still loading (no summary) go last,
/// newest first, unless the order needs nothing but the UID.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Rank<'a> {
    loading: bool,
    not_unread: bool,
    not_flagged: bool,
    /// The key, in the order's direction; all ranks of one order use the same variant, so the
    /// variants' own order never decides.
    keyed: Directed<Value<'a>>,
    /// Ties go to the newer message, or the older when reversed, so reverse flips the list.
    tie: Directed<Uid>,
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Directed<T> {
    Up(T),
    Down(Reverse<T>),
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Value<'a> {
    Number(i64),
    Text(Caseless<'a>),
}

/// Text compared as folded ([`fold`]) without folding ASCII: such text is borrowed as it is
/// and compared ignoring ASCII case, and other text is folded once. Sorting 100 000 subjects
/// then allocates only for the non-ASCII ones.
struct Caseless<'a>(Cow<'a, str>);

impl<'a> Caseless<'a> {
    fn new(t: &'a str) -> Caseless<'a> {
        Caseless(if t.is_ascii() {
            Cow::Borrowed(t)
        } else {
            Cow::Owned(fold(t))
        })
    }
}

impl Ord for Caseless<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        // Equal runs are skipped eight bytes at a time: subjects often share a long start.
        let mut i = 0;
        while i + 8 <= a.len().min(b.len()) && a[i..i + 8] == b[i..i + 8] {
            i += 8;
        }
        for (x, y) in a[i..].iter().zip(&b[i..]) {
            // Folded text is lowercase already; lowercasing ASCII leaves other bytes alone.
            match x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        a.len().cmp(&b.len())
    }
}

impl PartialOrd for Caseless<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Caseless<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Caseless<'_> {}

impl SortOrder {
    /// Whether the order looks at anything but UIDs (rows without a summary cannot be placed).
    pub(super) fn needs_summary(&self) -> bool {
        self.key != SortKey::Arrival || self.unread_first || self.flagged_first
    }

    fn rank<'a>(&self, uid: Uid, row: Row<'a>) -> Rank<'a> {
        let s = match row {
            Row::Known(s) => s,
            Row::Arrived if self.key == SortKey::Date => {
                // Above every date, arrivals among themselves by UID.
                let newest = i64::MAX - i64::from(Uid::MAX) + i64::from(uid);
                return Rank {
                    loading: false,
                    not_unread: false,
                    not_flagged: self.flagged_first,
                    keyed: self.direct(Value::Number(newest)),
                    tie: self.tie(uid),
                };
            }
            _ if self.needs_summary() => {
                return Rank {
                    loading: true,
                    not_unread: false,
                    not_flagged: false,
                    keyed: Directed::Up(Value::Number(0)),
                    tie: Directed::Down(Reverse(uid)),
                };
            }
            _ => {
                return Rank {
                    loading: false,
                    not_unread: false,
                    not_flagged: false,
                    keyed: self.direct(Value::Number(uid.into())),
                    tie: self.tie(uid),
                };
            }
        };
        let text = |t: &'a str| Value::Text(Caseless::new(t));
        let value = match self.key {
            SortKey::Date => Value::Number(s.sent().0),
            SortKey::Arrival => Value::Number(uid.into()),
            SortKey::From | SortKey::To => text(self.key.text(s)),
            SortKey::Subject => text(base_subject(self.key.text(s))),
            SortKey::Size => Value::Number(s.size.into()),
        };
        Rank {
            loading: false,
            not_unread: self.unread_first && s.flags.has(Flag::Seen),
            not_flagged: self.flagged_first && !s.flags.has(Flag::Flagged),
            keyed: self.direct(value),
            tie: self.tie(uid),
        }
    }

    fn direct<'a>(&self, value: Value<'a>) -> Directed<Value<'a>> {
        if self.key.descending() != self.reverse {
            Directed::Down(Reverse(value))
        } else {
            Directed::Up(value)
        }
    }

    fn tie(&self, uid: Uid) -> Directed<Uid> {
        if self.reverse {
            Directed::Up(uid)
        } else {
            Directed::Down(Reverse(uid))
        }
    }

    /// Compares two messages by this order.
    pub fn compare(&self, a: (Uid, Row<'_>), b: (Uid, Row<'_>)) -> Ordering {
        self.rank(a.0, a.1).cmp(&self.rank(b.0, b.1))
    }

    /// Whether rows still loading are merged among the known ones by UID instead of going
    /// last: in plain date order, where a message's UID is a good guess of where its date puts
    /// it. With "unread first" or "flagged first" no guess places them, so they go last.
    fn interleaves(&self) -> bool {
        self.key == SortKey::Date && !self.unread_first && !self.flagged_first
    }

    /// Sorts `uids` by this order, looking summaries up with `get`. Each message's key is
    /// computed once.
    pub fn sort<'a>(&self, uids: &mut [Uid], get: impl Rows<'a>) {
        if self.interleaves() {
            let (mut known, loading) = self.split(uids.iter().copied(), &get);
            self.sort_ranked(&mut known, &get);
            self.merge(uids, &known, &loading);
            return;
        }
        self.sort_ranked(uids, &get);
    }

    /// The known (or arrived) rows in their given order, and the rows still loading sorted
    /// by UID in the order's direction.
    fn split<'a>(
        &self,
        uids: impl Iterator<Item = Uid>,
        get: &impl Rows<'a>,
    ) -> (Vec<Uid>, Vec<Uid>) {
        let (known, mut loading): (Vec<Uid>, Vec<Uid>) = uids.partition(|&u| !get.loading(u));
        loading.sort_unstable_by_key(|&u| self.tie(u));
        (known, loading)
    }

    /// Writes `known` (in rank order) and `loading` (in UID order) into `out`, a loading row
    /// going before the first known row it is newer than (older, when reversed).
    fn merge(&self, out: &mut [Uid], known: &[Uid], loading: &[Uid]) {
        let (mut k, mut l) = (0, 0);
        for slot in out.iter_mut() {
            let take_loading = match (known.get(k), loading.get(l)) {
                (Some(&kn), Some(&lo)) => self.tie(lo) < self.tie(kn),
                (None, _) => true,
                (Some(_), None) => false,
            };
            if take_loading {
                *slot = loading[l];
                l += 1;
            } else {
                *slot = known[k];
                k += 1;
            }
        }
    }

    fn sort_ranked<'a>(&self, uids: &mut [Uid], get: &impl Rows<'a>) {
        let mut ranked: Vec<(Rank<'a>, Uid)> = uids
            .iter()
            .map(|&u| (self.rank(u, get.row(u)), u))
            .collect();
        ranked.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (slot, (_, u)) in uids.iter_mut().zip(ranked) {
            *slot = u;
        }
    }

    /// Moves those of `moved` that are in `uids` (messages just added at the end, or whose
    /// summary or flags just changed) to their place; the other rows of `uids` are in this
    /// order. Cheaper than sorting again when few rows move: each is placed by binary search,
    /// and the list copied once.
    pub fn place<'a>(&self, uids: &mut Vec<Uid>, moved: &[Uid], get: impl Rows<'a>) {
        if self.interleaves() {
            // The known rows are placed among themselves, then the loading ones merged in.
            let (mut known, loading) = self.split(uids.iter().copied(), &get);
            self.place_ranked(&mut known, moved, &get);
            self.merge(uids, &known, &loading);
            return;
        }
        self.place_ranked(uids, moved, &get);
    }

    fn place_ranked<'a>(&self, uids: &mut Vec<Uid>, moved: &[Uid], get: &impl Rows<'a>) {
        // The whole list is looked up, 100 000 rows for a chunk of 1 000.
        let moving = Moving::new(moved);
        let mut fresh = Vec::new();
        uids.retain(|&u| {
            let stays = !moving.contains(u);
            if !stays {
                fresh.push(u);
            }
            stays
        });
        self.sort_ranked(&mut fresh, get);
        let rest = std::mem::take(uids);
        uids.reserve(rest.len() + fresh.len());
        let mut from = 0;
        for u in fresh {
            let rank = self.rank(u, get.row(u));
            let at = from + rest[from..].partition_point(|&x| self.rank(x, get.row(x)) < rank);
            uids.extend_from_slice(&rest[from..at]);
            uids.push(u);
            from = at;
        }
        uids.extend_from_slice(&rest[from..]);
    }
}

/// The UIDs being placed, for a test on every row of a list. A sync chunk is a run of UIDs,
/// so a bitmap over their range answers with a shift and a mask (a hash lookup per row was a
/// quarter of the UI thread's time in a cold sync); UIDs spread wide go in a hash set.
enum Moving {
    Bits { first: Uid, words: Vec<u64> },
    Set(foldhash::HashSet<Uid>),
}

impl Moving {
    fn new(uids: &[Uid]) -> Moving {
        let (Some(&first), Some(&last)) = (uids.iter().min(), uids.iter().max()) else {
            return Moving::Set(Default::default());
        };
        let span = (last - first) as usize + 1;
        // At most 64 bits a UID placed: never larger than the hash set would be.
        if span > uids.len().saturating_mul(64) {
            return Moving::Set(uids.iter().copied().collect());
        }
        let mut words = vec![0u64; span.div_ceil(64)];
        for u in uids {
            let at = (u - first) as usize;
            words[at / 64] |= 1 << (at % 64);
        }
        Moving::Bits { first, words }
    }

    fn contains(&self, uid: Uid) -> bool {
        match self {
            Moving::Bits { first, words } => uid.checked_sub(*first).is_some_and(|at| {
                let at = at as usize;
                words
                    .get(at / 64)
                    .is_some_and(|w| w & (1 << (at % 64)) != 0)
            }),
            Moving::Set(set) => set.contains(&uid),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use proptest::prelude::*;

    use super::*;
    use crate::msg::{Flags, HeaderFacts, Summary};
    use crate::test_fixtures::summary;

    fn order(s: &str) -> SortOrder {
        s.parse().unwrap()
    }

    #[test]
    fn moving_uids_are_found_in_a_run_or_spread_wide() {
        for uids in [
            vec![],
            vec![7],
            (100..1100).collect::<Vec<Uid>>(),
            vec![5, 64, 65, 127, 128],
            vec![1, u32::MAX],
            vec![u32::MAX - 1, u32::MAX],
        ] {
            let moving = Moving::new(&uids);
            let set: HashSet<Uid> = uids.iter().copied().collect();
            let probes = uids
                .iter()
                .flat_map(|u| [u.wrapping_sub(1), *u, u.wrapping_add(1)]);
            for u in probes.chain([0, 1, 63, 64, 1100, u32::MAX]) {
                assert_eq!(moving.contains(u), set.contains(&u), "{u} in {uids:?}");
            }
        }
        assert!(matches!(Moving::new(&[1, u32::MAX]), Moving::Set(_)));
        assert!(matches!(Moving::new(&[3, 9, 4]), Moving::Bits { .. }));
    }

    fn sorted(order: SortOrder, rows: &[Summary]) -> Vec<Uid> {
        let by_uid: HashMap<Uid, &Summary> = rows.iter().map(|s| (s.uid, s)).collect();
        let mut uids: Vec<Uid> = rows.iter().map(|s| s.uid).collect();
        order.sort(&mut uids, |u| by_uid.get(&u).map(|s| s.view()).into());
        uids
    }

    #[test]
    fn words_parse_in_any_order_and_print_back() {
        assert_eq!(
            order("size reverse"),
            SortOrder {
                key: SortKey::Size,
                reverse: true,
                ..SortOrder::default()
            }
        );
        let o = order("Unread,flagged DATE");
        assert!(o.unread_first && o.flagged_first && o.key == SortKey::Date && !o.reverse);
        assert_eq!(o.to_string().parse::<SortOrder>(), Ok(o));
        assert!("size date".parse::<SortOrder>().is_err());
        assert!("reverse".parse::<SortOrder>().is_err());
        let err = "weight".parse::<SortOrder>().unwrap_err();
        assert!(err.contains("weight") && err.contains("subject"), "{err}");
    }

    #[test]
    fn default_directions() {
        let rows = [
            Summary {
                date: 300,
                size: 5,
                ..summary(1, "bob@x", "Re: beta")
            },
            Summary {
                date: 100,
                size: 50,
                ..summary(2, "Ann <ann@x>", "gamma")
            },
            Summary {
                date: 200,
                size: 500,
                ..summary(3, "carl@x", "Fwd: RE: Alpha")
            },
        ];
        assert_eq!(sorted(order("date"), &rows), [1, 3, 2], "newest first");
        assert_eq!(sorted(order("arrival"), &rows), [3, 2, 1]);
        assert_eq!(sorted(order("size"), &rows), [3, 2, 1], "largest first");
        assert_eq!(sorted(order("from"), &rows), [2, 1, 3], "A to Z, any case");
        assert_eq!(
            sorted(order("subject"), &rows),
            [3, 1, 2],
            "prefixes ignored"
        );
        assert_eq!(sorted(order("subject reverse"), &rows), [2, 1, 3]);
        assert_eq!(sorted(order("date reverse"), &rows), [2, 3, 1]);
    }

    #[test]
    fn date_is_the_date_header_when_there_is_one() {
        let sent = |date| HeaderFacts::new(Some((date, 0)), None, None, [], false);
        let rows = [
            // Restored today, sent long ago.
            Summary {
                date: 900,
                header: sent(100),
                ..summary(1, "a@x", "old")
            },
            // No Date header: INTERNALDATE stands in.
            Summary {
                date: 500,
                ..summary(2, "a@x", "undated")
            },
            Summary {
                date: 400,
                header: sent(700),
                ..summary(3, "a@x", "new")
            },
        ];
        // By INTERNALDATE it would be 1, 2, 3.
        assert_eq!(sorted(order("date"), &rows), [3, 2, 1]);
        assert_eq!(sorted(order("date reverse"), &rows), [1, 2, 3]);
    }

    #[test]
    fn modifiers_come_first_and_stay_first_when_reversed() {
        let seen = Flags::from(Flag::Seen);
        let flagged = Flags::from(Flag::Flagged);
        let rows = [
            Summary {
                flags: seen,
                ..summary(1, "a", "s")
            },
            Summary {
                flags: seen.union(flagged),
                ..summary(2, "a", "s")
            },
            summary(3, "a", "s"),
            Summary {
                flags: flagged,
                ..summary(4, "a", "s")
            },
        ];
        assert_eq!(sorted(order("unread arrival"), &rows), [4, 3, 2, 1]);
        assert_eq!(sorted(order("unread arrival reverse"), &rows), [3, 4, 1, 2]);
        assert_eq!(sorted(order("flagged arrival"), &rows), [4, 2, 3, 1]);
        assert_eq!(
            sorted(order("flagged unread arrival"), &rows),
            [4, 3, 2, 1],
            "unread decides before flagged"
        );
    }

    #[test]
    fn rows_still_loading_go_last_unless_only_uids_matter() {
        let rows = [summary(2, "z", "s"), summary(5, "a", "s")];
        let by_uid: HashMap<Uid, &Summary> = rows.iter().map(|s| (s.uid, s)).collect();
        let mut uids = vec![9, 5, 3, 2];
        order("from").sort(&mut uids, |u| by_uid.get(&u).map(|s| s.view()).into());
        assert_eq!(uids, [5, 2, 9, 3]);
        order("arrival reverse").sort(&mut uids, |u| by_uid.get(&u).map(|s| s.view()).into());
        assert_eq!(uids, [2, 3, 5, 9]);
    }

    #[test]
    fn arrivals_are_the_newest_until_their_summary_places_them() {
        let rows = [
            Summary {
                date: 500,
                ..summary(1, "a", "s")
            },
            Summary {
                date: 100,
                ..summary(2, "a", "s")
            },
        ];
        // The summary will say 4 was sent between 1 and 2 (a delayed delivery).
        let late = Summary {
            date: 300,
            ..summary(4, "a", "s")
        };
        let mut known: HashMap<Uid, &Summary> = rows.iter().map(|s| (s.uid, s)).collect();
        fn get<'a>(known: &HashMap<Uid, &'a Summary>, u: Uid) -> Row<'a> {
            match known.get(&u) {
                Some(s) => Row::Known(s.view()),
                None if u > 2 => Row::Arrived,
                None => Row::Loading,
            }
        }
        let mut uids = vec![1, 2];
        uids.extend([3, 4]);
        order("date").place(&mut uids, &[3, 4], |u| get(&known, u));
        assert_eq!(uids, [4, 3, 1, 2], "new mail on top, newest first");
        let mut oldest_first = vec![2, 1];
        oldest_first.extend([3, 4]);
        order("date reverse").place(&mut oldest_first, &[3, 4], |u| get(&known, u));
        assert_eq!(oldest_first, [2, 1, 3, 4], "at the end when oldest first");
        let mut unread = vec![1, 2, 3];
        order("unread flagged date").sort(&mut unread, |u| get(&known, u));
        assert_eq!(unread[0], 3, "new mail is unread and unflagged: {unread:?}");
        known.insert(4, &late);
        order("date").place(&mut uids, &[4], |u| get(&known, u));
        assert_eq!(uids, [3, 1, 4, 2]);
        // A cold sync's rows without summaries go by UID: 0 is older than 2's UID.
        let mut syncing = vec![0, 1, 2];
        order("date").sort(&mut syncing, |u| get(&known, u));
        assert_eq!(syncing, [1, 2, 0]);
    }

    #[test]
    fn rows_still_loading_go_by_uid_in_date_order() {
        let dated = |uid, date| Summary {
            date,
            ..summary(uid, "a", "s")
        };
        let rows = [dated(8, 800), dated(5, 500), dated(2, 200)];
        let mut known: HashMap<Uid, &Summary> = rows.iter().map(|s| (s.uid, s)).collect();
        fn get<'a>(known: &HashMap<Uid, &'a Summary>, u: Uid) -> Row<'a> {
            known.get(&u).map(|s| s.view()).into()
        }
        let mut uids = vec![1, 2, 3, 5, 6, 8, 9];
        order("date").sort(&mut uids, |u| get(&known, u));
        assert_eq!(
            uids,
            [9, 8, 6, 5, 3, 2, 1],
            "the last row is the oldest UID"
        );
        let mut reversed = uids.clone();
        order("date reverse").sort(&mut reversed, |u| get(&known, u));
        assert_eq!(reversed, [1, 2, 3, 5, 6, 8, 9]);
        let mut unread = uids.clone();
        order("unread date").sort(&mut unread, |u| get(&known, u));
        assert_eq!(unread, [8, 5, 2, 9, 6, 3, 1], "no guess: loading rows last");
        // End showed 1 and its summary came first: it stays the last row.
        let oldest = dated(1, 100);
        known.insert(1, &oldest);
        order("date").place(&mut uids, &[1], |u| get(&known, u));
        assert_eq!(uids, [9, 8, 6, 5, 3, 2, 1]);
        // A message whose date does not follow its UID moves to its date.
        let late = dated(6, 900);
        known.insert(6, &late);
        order("date").place(&mut uids, &[6], |u| get(&known, u));
        assert_eq!(uids, [9, 6, 8, 5, 3, 2, 1]);
    }

    fn arb_summary() -> impl Strategy<Value = Summary> {
        (
            1u32..400,
            0i64..20,
            0u32..20,
            "[aAbB]{0,3}",
            prop::sample::select(vec!["", "Re: ", "FWD: ", "aw:re: "]),
            "[xXyY]{0,3}",
            any::<(bool, bool)>(),
        )
            .prop_map(
                |(uid, date, size, from, prefix, subject, (seen, flagged))| {
                    let mut flags = Flags::NONE;
                    if seen {
                        flags = flags.with(Flag::Seen);
                    }
                    if flagged {
                        flags = flags.with(Flag::Flagged);
                    }
                    Summary {
                        date,
                        size,
                        flags,
                        ..summary(uid, &from, &format!("{prefix}{subject}"))
                    }
                },
            )
    }

    fn arb_order() -> impl Strategy<Value = SortOrder> {
        (
            prop::sample::select(KEYS.map(|(k, _)| k).to_vec()),
            any::<(bool, bool, bool)>(),
        )
            .prop_map(|(key, (reverse, unread_first, flagged_first))| SortOrder {
                key,
                reverse,
                unread_first,
                flagged_first,
            })
    }

    /// Distinct UIDs, as in a folder.
    fn arb_rows() -> impl Strategy<Value = Vec<Summary>> {
        prop::collection::vec(arb_summary(), 0..60).prop_map(|mut v| {
            let mut seen = HashSet::new();
            v.retain(|s| seen.insert(s.uid));
            v
        })
    }

    proptest! {
        #[test]
        fn text_compares_as_folded(a in "[aAbBé]{0,20}", b in "[aAbBé]{0,20}") {
            prop_assert_eq!(Caseless::new(&a).cmp(&Caseless::new(&b)), fold(&a).cmp(&fold(&b)));
        }

        #[test]
        fn a_sort_is_an_ordered_permutation(rows in arb_rows(), o in arb_order()) {
            let uids = sorted(o, &rows);
            let mut a = uids.clone();
            let mut b: Vec<Uid> = rows.iter().map(|s| s.uid).collect();
            a.sort_unstable();
            b.sort_unstable();
            prop_assert_eq!(a, b);
            let by_uid: HashMap<Uid, &Summary> = rows.iter().map(|s| (s.uid, s)).collect();
            for w in uids.windows(2) {
                let (x, y) = (by_uid[&w[0]], by_uid[&w[1]]);
                if o.unread_first {
                    prop_assert!(!x.flags.has(Flag::Seen) || y.flags.has(Flag::Seen));
                }
                let same_group = x.flags.has(Flag::Seen) == y.flags.has(Flag::Seen)
                    && x.flags.has(Flag::Flagged) == y.flags.has(Flag::Flagged);
                if same_group && !o.reverse {
                    match o.key {
                        SortKey::Size => prop_assert!(x.size >= y.size),
                        SortKey::Date => prop_assert!(x.sent().0 >= y.sent().0),
                        SortKey::Arrival => prop_assert!(x.uid > y.uid),
                        SortKey::Subject => prop_assert!(
                            base_subject(&x.subject).to_lowercase()
                                <= base_subject(&y.subject).to_lowercase()
                        ),
                        SortKey::From => prop_assert!(x.from.to_lowercase() <= y.from.to_lowercase()),
                        SortKey::To => {}
                    }
                }
            }
        }

        #[test]
        fn reverse_flips_the_list(rows in arb_rows(), o in arb_order()) {
            let o = SortOrder { unread_first: false, flagged_first: false, ..o };
            let mut forward = sorted(o, &rows);
            forward.reverse();
            prop_assert_eq!(sorted(SortOrder { reverse: !o.reverse, ..o }, &rows), forward);
        }

        #[test]
        fn placing_chunks_gives_the_full_sort(
            rows in arb_rows(),
            o in arb_order(),
            cut in 1usize..20,
        ) {
            // As in a sync: every UID first, then summaries a chunk at a time.
            let mut uids: Vec<Uid> = rows.iter().map(|s| s.uid).collect();
            let mut known: HashMap<Uid, &Summary> = HashMap::new();
            o.sort(&mut uids, |u| known.get(&u).map(|s| s.view()).into());
            for chunk in rows.chunks(cut) {
                known.extend(chunk.iter().map(|s| (s.uid, s)));
                let moved: Vec<Uid> = chunk.iter().map(|s| s.uid).collect();
                o.place(&mut uids, &moved, |u| known.get(&u).map(|s| s.view()).into());
            }
            prop_assert_eq!(uids, sorted(o, &rows));
        }
    }
}
