//! Bytes servers pass on that imap-proto refuses or keeps wrong, rewritten by the guard
//! before the crate sees them:
//!
//! - a raw 8-bit attachment name (or subject) in a FETCH reply: Dovecot sends the header's
//!   bytes inside a quoted string, which imap-proto accepts only 7-bit, so the whole reply,
//!   and with it the message, was unreadable. Such a string becomes a literal holding the
//!   text decoded as UTF-8, else as a GB18030 or windows-1252 guess;
//!   Dovecot sends such a name as a literal of the raw bytes, which imap-proto refuses as
//!   not UTF-8 all the same: string literals (not message bodies) are mended the same way;
//! - escapes in quoted strings: imap-proto hands `"..\\evil.bat"` on with the escape, so the
//!   name tern saw was not the sender's. Those strings become literals too, unescaped. The
//!   same for folder names in LIST, LSUB and STATUS, which then never need unescaping: a
//!   name the server sent as a literal keeps its backslashes;
//! - 8-bit text in a status line (`a1 NO Zugriff verweigert für …`, `* BYE …`): imap-proto's
//!   `text` is 7-bit only, so the crate gets each non-ASCII character as `?`, and
//!   [`restore`] gives the server's words back to the error that quotes them.

use std::cell::RefCell;

use crate::mime::guess_to_utf8;

/// Decoded status texts last seen on this thread (the worker's or the CLI's, which reads and
/// reports on one thread), as (what the crate got, what the server meant), char for char.
const REMEMBERED: usize = 8;

thread_local! {
    static STATUS_TEXTS: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

/// For the first line of a response whose strings are mended (FETCH, LIST, LSUB, STATUS),
/// the offset from which on: a LIST's hierarchy delimiter is a quoted string by grammar
/// (`"\\"`), never a literal, so it is left alone.
pub fn mended_from(line: &[u8]) -> Option<usize> {
    let rest = line.strip_prefix(b"* ")?;
    let word = |w: &[u8], k: &str| {
        w.get(..k.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(k.as_bytes()))
            && w.get(k.len()) == Some(&b' ')
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 {
        return word(&rest[digits..], " FETCH").then_some(0);
    }
    if word(rest, "STATUS") {
        return Some(0);
    }
    if !word(rest, "LIST") && !word(rest, "LSUB") {
        return None;
    }
    // `* LIST (attributes) "d" name`: past the attributes' `)` and the delimiter.
    let close = line.iter().position(|b| *b == b')')?;
    let after = &line[close + 1..];
    let delimiter = match after {
        [b' ', b'"', b'\\', _, b'"', ..] => 5,
        [b' ', b'"', _, b'"', ..] => 4,
        _ => 0, // NIL: nothing to protect
    };
    Some(close + 1 + delimiter)
}

/// A line with every quoted string at or after `from` that holds 8-bit bytes or escapes
/// turned into a literal of its UTF-8 text; other strings are kept as they are.
pub fn mend_strings(line: Vec<u8>, from: usize) -> Vec<u8> {
    if !line.iter().any(|b| *b >= 0x80 || *b == b'\\') {
        return line;
    }
    let mut out = Vec::with_capacity(line.len() + 16);
    let from = from.min(line.len());
    out.extend_from_slice(&line[..from]);
    let mut i = from;
    while i < line.len() {
        if line[i] != b'"' {
            out.push(line[i]);
            i += 1;
            continue;
        }
        let Some((content, end, rewrite)) = quoted(&line[i + 1..]) else {
            // An unterminated quote: the parser will refuse the reply as it stands.
            out.extend_from_slice(&line[i..]);
            break;
        };
        if rewrite {
            let text = guess_to_utf8(&content);
            out.extend_from_slice(format!("{{{}}}\r\n", text.len()).as_bytes());
            out.extend_from_slice(text.as_bytes());
        } else {
            out.extend_from_slice(&line[i..=i + end + 1]);
        }
        i += end + 2;
    }
    out
}

/// The unescaped content of a quoted string starting after its opening quote, the index of
/// the closing quote, and whether it had to change (8-bit bytes or escapes).
fn quoted(rest: &[u8]) -> Option<(Vec<u8>, usize, bool)> {
    let mut content = Vec::new();
    let mut rewrite = false;
    let mut i = 0;
    loop {
        match *rest.get(i)? {
            b'"' => return Some((content, i, rewrite)),
            b'\r' | b'\n' => return None,
            b'\\' => {
                rewrite = true;
                content.push(*rest.get(i + 1)?);
                i += 2;
            }
            b => {
                rewrite |= b >= 0x80;
                content.push(b);
                i += 1;
            }
        }
    }
}

/// Longest string literal held back to be mended; a longer one passes as it is.
pub const MAX_MENDED: u64 = 64 << 10;

/// Where the literal announced at the end of a FETCH or LIST line starts, when it is a
/// string (a name or subject in a structure) rather than message text (`BODY[…]`,
/// `BINARY[…]`, `RFC822…`), which is bytes and never mended.
pub fn string_literal_at(line: &[u8]) -> Option<usize> {
    crate::imap::literal::literal_len(line)?;
    let open = line.iter().rposition(|b| *b == b'{')?;
    let before = line[..open].strip_suffix(b" ").unwrap_or(&line[..open]);
    let token = before
        .rsplit(|b| matches!(b, b' ' | b'('))
        .next()
        .unwrap_or_default();
    let upper = token.to_ascii_uppercase();
    let body = upper.ends_with(b"]")
        || (upper.ends_with(b">") && upper.contains(&b'['))
        || upper.starts_with(b"RFC822");
    (!body).then_some(open)
}

/// A held-back string literal (`{n}\r\n` and its bytes), as UTF-8 text.
pub fn mend_literal(held: Vec<u8>) -> Vec<u8> {
    let Some(start) = held.windows(2).position(|w| w == b"\r\n").map(|p| p + 2) else {
        return held;
    };
    if std::str::from_utf8(&held[start..]).is_ok() {
        return held;
    }
    let text = guess_to_utf8(&held[start..]);
    [
        format!("{{{}}}\r\n", text.len()).into_bytes(),
        text.into_bytes(),
    ]
    .concat()
}

/// Whether `line` is a status response (`* OK|NO|BAD|BYE|PREAUTH`, or tagged).
fn is_status(line: &[u8]) -> bool {
    let mut words = line.splitn(3, |b| *b == b' ');
    let (Some(tag), Some(status)) = (words.next(), words.next()) else {
        return false;
    };
    let known = ["OK", "NO", "BAD", "BYE", "PREAUTH"];
    !tag.is_empty()
        && tag != b"+"
        && known
            .iter()
            .any(|k| status.eq_ignore_ascii_case(k.as_bytes()))
}

/// A status line with 8-bit text, as 7-bit for the crate; the decoded text is remembered
/// for [`restore`]. Other lines come back as they are.
pub fn status_line(line: Vec<u8>) -> Vec<u8> {
    if line.is_ascii() || !is_status(&line) {
        return line;
    }
    let text = guess_to_utf8(&line);
    let ascii: String = text
        .chars()
        .map(|c| if c.is_ascii() { c } else { '?' })
        .collect();
    STATUS_TEXTS.with(|t| {
        let mut t = t.borrow_mut();
        if t.len() == REMEMBERED {
            t.remove(0);
        }
        t.push((ascii.clone(), text));
    });
    ascii.into_bytes()
}

/// The server's own words for a text the crate parsed out of a status line made 7-bit by
/// [`status_line`]; any other text comes back unchanged.
pub fn restore(text: String) -> String {
    if !text.contains('?') {
        return text;
    }
    STATUS_TEXTS.with(|t| {
        let t = t.borrow();
        for (ascii, decoded) in t.iter().rev() {
            if let Some(at) = ascii.find(&text) {
                // `?` stands for exactly one character, so char offsets line up.
                let skip = ascii[..at].chars().count();
                return decoded
                    .chars()
                    .skip(skip)
                    .take(text.chars().count())
                    .collect();
            }
        }
        text
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetch(line: &[u8]) -> Vec<u8> {
        assert_eq!(mended_from(line), Some(0));
        mend_strings(line.to_vec(), 0)
    }

    fn list(line: &[u8]) -> Vec<u8> {
        mend_strings(line.to_vec(), mended_from(line).unwrap())
    }

    #[test]
    fn quoted_8bit_strings_become_utf8_literals() {
        assert_eq!(
            fetch("* 1 FETCH (X (\"name\" \"報告.pdf\") Y)\r\n".as_bytes()),
            "* 1 FETCH (X (\"name\" {10}\r\n報告.pdf) Y)\r\n".as_bytes()
        );
        // GB18030 and Latin-1 bytes are guessed.
        assert_eq!(
            fetch(b"* 1 FETCH (\"\xb1\xa8\xb8\xe6\" \"caf\xe9\")\r\n"),
            "* 1 FETCH ({6}\r\n报告 {5}\r\ncafé)\r\n".as_bytes()
        );
    }

    #[test]
    fn escapes_are_undone_and_other_strings_kept() {
        assert_eq!(
            fetch(br#"* 1 FETCH ("..\\..\\evil.bat" "a \"b\"" "plain" NIL)"#),
            b"* 1 FETCH ({14}\r\n..\\..\\evil.bat {5}\r\na \"b\" \"plain\" NIL)"
        );
        let plain = b"* 1 FETCH (UID 1 INTERNALDATE \"01-Jan-2024 10:00:00 +0000\")\r\n";
        assert_eq!(fetch(plain), plain);
        let open = b"* 1 FETCH (\"abc\xe9\r\n";
        assert_eq!(fetch(open), open);
    }

    #[test]
    fn string_literals_are_mended_but_never_bodies() {
        let name = b"* 1 FETCH (BODYSTRUCTURE ((\"filename\" {8}\r\n";
        assert_eq!(string_literal_at(name), Some(name.len() - 5));
        for body in [
            &b"* 1 FETCH (UID 1 BODY[] {8}\r\n"[..],
            b"* 1 FETCH (BODY[HEADER.FIELDS (DATE FROM)] {8}\r\n",
            b"* 1 FETCH (BODY[2]<0> {8}\r\n",
            b"* 1 FETCH (RFC822.HEADER {8}\r\n",
            b"* 1 FETCH (UID 1 FLAGS ())\r\n",
        ] {
            assert_eq!(
                string_literal_at(body),
                None,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        assert_eq!(
            mend_literal(b"{8}\r\ncaf\xe9.txt".to_vec()),
            "{9}\r\ncafé.txt".as_bytes()
        );
        let utf8 = "{7}\r\n報.pdf".as_bytes().to_vec();
        assert_eq!(mend_literal(utf8.clone()), utf8);
    }

    #[test]
    fn mended_responses_are_recognised() {
        assert_eq!(mended_from(b"* 12 FETCH (UID 1)\r\n"), Some(0));
        assert_eq!(mended_from(b"* STATUS x (MESSAGES 1)\r\n"), Some(0));
        assert_eq!(mended_from(b"* 12 EXISTS\r\n"), None);
        assert_eq!(mended_from(b"* FETCH\r\n"), None);
        assert_eq!(mended_from(b"a1 OK FETCH done\r\n"), None);
    }

    #[test]
    fn list_names_are_mended_but_never_the_delimiter() {
        assert_eq!(
            list(br#"* LIST () "\\" "a\\b""#),
            b"* LIST () \"\\\\\" {3}\r\na\\b"
        );
        assert_eq!(
            list(br#"* LSUB (\Noselect) "/" "x\"y""#),
            b"* LSUB (\\Noselect) \"/\" {3}\r\nx\"y"
        );
        assert_eq!(
            list(br#"* LIST () NIL "a\\b""#),
            b"* LIST () NIL {3}\r\na\\b"
        );
        let literal = b"* LIST () \"/\" {3}\r\n";
        assert_eq!(list(literal), literal);
    }

    #[test]
    fn status_text_is_7bit_for_the_crate_and_restored_for_people() {
        let line = status_line("a1 NO [NOPERM] Zugriff verweigert für Ordner\r\n".into());
        assert_eq!(line, b"a1 NO [NOPERM] Zugriff verweigert f?r Ordner\r\n");
        assert_eq!(
            restore("Zugriff verweigert f?r Ordner".into()),
            "Zugriff verweigert für Ordner"
        );
        let latin = status_line(b"* BYE Auf Wiedersehen, sch\xf6n war's\r\n".to_vec());
        assert_eq!(latin, b"* BYE Auf Wiedersehen, sch?n war's\r\n");
        assert_eq!(
            restore("Auf Wiedersehen, sch?n war's".into()),
            "Auf Wiedersehen, schön war's"
        );
        assert_eq!(restore("why?".into()), "why?");
        let fetch = "* 1 FETCH (\"ü\")\r\n".as_bytes().to_vec();
        assert_eq!(status_line(fetch.clone()), fetch);
    }
}
