//! Compact UID sets (`2:4,7`) so that operations on thousands of messages stay one command.

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

/// Parses a UID set as users type it (`2:4,7`, `5:3`); `*` is not accepted because a script
/// should name exactly the messages it means.
pub fn parse(text: &str) -> Result<Vec<Uid>, String> {
    let bad = |part: &str| {
        format!("invalid UID set \"{text}\": \"{part}\" is not a UID or a range like 2:4")
    };
    let mut uids = Vec::new();
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
                let (lo, hi) = (a.min(b), a.max(b));
                if hi - lo > 10_000_000 {
                    return Err(format!("UID range {part} is too large"));
                }
                uids.extend(lo..=hi);
            }
            None => uids.push(number(part)?),
        }
    }
    uids.sort_unstable();
    uids.dedup();
    Ok(uids)
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
}
