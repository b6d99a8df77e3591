//! Plain-text helpers for the generated mail: reply quoting, HTML escaping, and moving the
//! Date of a hand-made message.

use chrono::{DateTime, FixedOffset};

/// `> ` before every line, `>` alone before empty or already quoted ones (as mailers do).
pub(super) fn quote(text: &str) -> String {
    text.split("\r\n")
        .map(|l| {
            if l.is_empty() || l.starts_with('>') {
                format!(">{l}")
            } else {
                format!("> {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

pub(super) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Replaces the (possibly folded) Date header of a hand-made message so it sorts with the rest.
pub(super) fn with_date(raw: &[u8], date: &DateTime<FixedOffset>) -> Vec<u8> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(raw.len(), |p| p + 2);
    let (head, body) = raw.split_at(end);
    let mut out = Vec::with_capacity(raw.len());
    let mut skipping = false;
    for line in head.split_inclusive(|&b| b == b'\n') {
        let folded = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if skipping && folded {
            continue;
        }
        skipping = line.len() >= 5 && line[..5].eq_ignore_ascii_case(b"date:");
        if skipping {
            out.extend_from_slice(format!("Date: {}\r\n", date.to_rfc2822()).as_bytes());
        } else {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_the_date_of_hand_made_messages() {
        let date = DateTime::parse_from_rfc2822("Tue, 18 Nov 2025 10:00:00 +0000").unwrap();
        let raw = b"From: a\r\nDate:Sun, 31 Jan 2016\r\n (CST)\r\nTo: b\r\n\r\nDate: body\r\n";
        let out = String::from_utf8(with_date(raw, &date)).unwrap();
        assert_eq!(
            out,
            "From: a\r\nDate: Tue, 18 Nov 2025 10:00:00 +0000\r\nTo: b\r\n\r\nDate: body\r\n"
        );
    }

    #[test]
    fn quotes_nested_replies() {
        assert_eq!(quote("hi\r\n\r\n> old"), "> hi\r\n>\r\n>> old");
    }
}
