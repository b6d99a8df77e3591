//! Message ids as they are written: the ids of a header's list of them, and which text can
//! be an id at all (what may be packed, compared and shown).

use crate::mime;

/// Longest id kept, in bytes. Real Message-IDs are well under 100; a longer one is hostile or
/// broken and is dropped, not cut (a cut id could match another one).
pub const MAX_ID: usize = 250;

/// The ids of a References or In-Reply-To header, or of blank-separated ids, in order:
/// brackets and blanks separate them, empty ones are skipped.
pub fn split_ids(list: &str) -> impl Iterator<Item = &str> + Clone {
    SplitIds(list)
}

/// [`split_ids`]: separators are looked for a byte at a time, a whole character only where a
/// byte is not ASCII (a splitting on characters decoded every one, and every row's ids are
/// split when a folder is stored).
#[derive(Clone)]
struct SplitIds<'a>(&'a str);

impl<'a> Iterator for SplitIds<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let is_separator = |c: char| c.is_whitespace() || c == '<' || c == '>';
        loop {
            let text = self.0;
            if text.is_empty() {
                return None;
            }
            let mut at = 0;
            let (end, width) = loop {
                let Some(&b) = text.as_bytes().get(at) else {
                    break (at, 0);
                };
                if b.is_ascii() {
                    if is_separator(char::from(b)) {
                        break (at, 1);
                    }
                    at += 1;
                } else {
                    let Some(c) = text[at..].chars().next() else {
                        break (at, 0);
                    };
                    if is_separator(c) {
                        break (at, c.len_utf8());
                    }
                    at += c.len_utf8();
                }
            };
            self.0 = &text[end + width..];
            if end > 0 {
                return Some(&text[..end]);
            }
        }
    }
}

/// Not empty, not too long, and nothing that would break the packing or a terminal (blanks,
/// brackets, and what [`mime::sanitize`] never writes: controls, bidi overrides, invisibles).
pub(crate) fn is_id(id: &str) -> bool {
    let ascii = |b: u8| b.is_ascii_graphic() && b != b'<' && b != b'>';
    if id.is_empty() || id.len() > MAX_ID {
        return false;
    }
    // Nearly every id is ASCII: a byte test, where the general one was most of a warm
    // start's decoding.
    if id.is_ascii() {
        return id.bytes().all(ascii);
    }
    id.chars().all(|c| match u8::try_from(c) {
        Ok(b) if b.is_ascii() => ascii(b),
        _ => !c.is_whitespace() && !mime::sanitize::is_unsafe(c),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_split_as_a_split_on_characters_splits_them() {
        let by_chars = |list: &str| -> Vec<String> {
            list.split(|c: char| c.is_whitespace() || c == '<' || c == '>')
                .filter(|id| !id.is_empty())
                .map(String::from)
                .collect()
        };
        for list in [
            "",
            "   ",
            "<a@x> <b@y>",
            "a@x b@y\tc@z\r\n d@w",
            "<a@x><b@y>",
            "\u{b}a\u{c}b\u{85}c\u{a0}d\u{3000}e",
            "caf\u{e9}@x <\u{4f60}\u{597d}@y>\u{2028}z",
            "<<>>",
            "x",
        ] {
            let got: Vec<String> = split_ids(list).map(String::from).collect();
            assert_eq!(got, by_chars(list), "{list:?}");
        }
    }
}
