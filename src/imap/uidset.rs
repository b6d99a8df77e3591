//! Compact UID sets (`2:4,7`) so that operations on thousands of messages stay one command.

use std::ops::RangeInclusive;

use crate::msg::Uid;

/// Formats UIDs (any order, duplicates allowed) as ranges: `[7, 2, 3, 4]` → `2:4,7`.
pub fn format(uids: &[Uid]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

/// Most UIDs a command-line set may name in all (40 MB as a list).
pub const MAX_UIDS: u64 = 10_000_000;

/// Parses a UID set as users type it (`2:4,7`, `5:3`); `*` is not accepted because a script
/// should name exactly the messages it means. The ranges are merged before anything is
/// listed, and at most [`MAX_UIDS`] UIDs may be named in all.
pub fn parse(text: &str) -> Result<Vec<Uid>, String> {
    let bad = |part: &str| {
        format!("invalid UID set \"{text}\": \"{part}\" is not a UID or a range like 2:4")
    };
    let mut ranges = Vec::new();
    for part in text.split(',') {
        let number = |s: &str| {
            s.trim()
                .parse::<Uid>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| bad(part))
        };
        match part.split_once(':') {
            Some((a, b)) => {
                let (a, b) = (number(a)?, number(b)?);
                ranges.push(a.min(b)..=a.max(b));
            }
            None => {
                let n = number(part)?;
                ranges.push(n..=n);
            }
        }
    }
    let set = Ranges::new(ranges);
    if set.count() > MAX_UIDS {
        return Err(format!(
            "UID set \"{text}\" names {} messages; at most {MAX_UIDS} at a time",
            set.count()
        ));
    }
    Ok(set.iter().collect())
}

/// A UID set from a server, kept as sorted, disjoint ranges: `1:4294967295` is one range,
/// never four billion numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ranges(Vec<RangeInclusive<Uid>>);

impl Ranges {
    /// From ranges in any order, overlapping or reversed (`5:3` is `3:5`, RFC 3501 §9).
    pub fn new(ranges: Vec<RangeInclusive<Uid>>) -> Ranges {
        let mut ranges: Vec<RangeInclusive<Uid>> = ranges
            .into_iter()
            .map(|r| (*r.start()).min(*r.end())..=(*r.start()).max(*r.end()))
            .collect();
        ranges.sort_unstable_by_key(|r| *r.start());
        let mut merged: Vec<RangeInclusive<Uid>> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match merged.last_mut() {
                Some(last) if u64::from(*r.start()) <= u64::from(*last.end()) + 1 => {
                    *last = *last.start()..=(*last.end()).max(*r.end());
                }
                _ => merged.push(r),
            }
        }
        Ranges(merged)
    }

    /// How many UIDs the set names, counted without listing them.
    pub fn count(&self) -> u64 {
        self.0
            .iter()
            .map(|r| u64::from(*r.end()) - u64::from(*r.start()) + 1)
            .sum()
    }

    pub fn contains(&self, uid: Uid) -> bool {
        let i = self.0.partition_point(|r| *r.end() < uid);
        self.0.get(i).is_some_and(|r| r.contains(&uid))
    }

    /// The highest UID named, if any.
    pub fn max(&self) -> Option<Uid> {
        self.0.last().map(|r| *r.end())
    }

    pub fn iter(&self) -> impl Iterator<Item = Uid> + '_ {
        self.0.iter().flat_map(Clone::clone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_ranges() {
        assert_eq!(format(&[7, 2, 3, 4]), "2:4,7");
        assert_eq!(format(&[1]), "1");
        assert_eq!(format(&[]), "");
        let many: Vec<Uid> = (1..=10_000).filter(|u| u % 1000 != 0).collect();
        assert_eq!(format(&many).matches(',').count(), 9);
    }

    #[test]
    fn parses_what_it_formats() {
        assert_eq!(parse("2:4,7").unwrap(), vec![2, 3, 4, 7]);
        assert_eq!(parse("5:3").unwrap(), vec![3, 4, 5]);
        assert!(parse("0").is_err());
        assert!(parse("1:*").is_err());
        assert!(parse("a,b").is_err());
    }

    #[test]
    fn caps_the_total_not_each_range() {
        // 40 ranges of ten million: refused by their total, before anything is listed.
        let wide: Vec<String> = (0..40u32)
            .map(|i| format!("{}:{}", i * 20_000_000 + 1, i * 20_000_000 + 9_000_000))
            .collect();
        let e = parse(&wide.join(",")).unwrap_err();
        assert!(e.contains("360000000 messages"), "{e}");
        // Overlapping ranges count once.
        let same = vec!["1:9000000"; 40].join(",");
        assert_eq!(parse(&same).unwrap().len(), 9_000_000);
        assert!(parse("1:4294967295").is_err());
    }

    #[test]
    fn ranges_answer_without_listing() {
        let reversed = std::ops::RangeInclusive::new(9, 5);
        let r = Ranges::new(vec![reversed, 1..=u32::MAX, 3..=3]);
        assert_eq!(r.count(), u64::from(u32::MAX));
        assert!(r.contains(1) && r.contains(u32::MAX));
        let r = Ranges::new(vec![10..=12, 1..=2, 4..=4, 3..=3]);
        assert_eq!(r.iter().collect::<Vec<_>>(), [1, 2, 3, 4, 10, 11, 12]);
        assert!(!r.contains(5) && !r.contains(13) && r.contains(11));
        assert_eq!(r.max(), Some(12));
    }
}
