//! MIME parameter decoding: RFC 2231 (`name*`, `name*0*`, `name*1`, with
//! `charset'lang'%XX`) and the non-standard but common RFC 2047 encoded words
//! inside quoted values.

use std::borrow::Cow;

use crate::mime::charset::to_utf8;
use crate::mime::headers::decode_words;

/// Keys come back lowercase, one entry per parameter; an RFC 2231 value
/// replaces a plain one of the same name, since senders add the plain one
/// only as a fallback for old readers.
pub(crate) fn decode_params(raw: &[(Cow<'_, str>, Cow<'_, str>)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut extended: Vec<(String, Vec<Segment<'_>>)> = Vec::new();
    for (key, value) in raw {
        let key = key.trim().to_ascii_lowercase();
        match split_extended(&key) {
            Some((name, index, encoded)) => {
                let segment = Segment {
                    index,
                    encoded,
                    value: value.as_ref(),
                };
                match extended.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, segs)) => segs.push(segment),
                    None => extended.push((name.to_string(), vec![segment])),
                }
            }
            None => out.push((key, decode_plain(value))),
        }
    }
    for (name, segments) in extended {
        let value = join_segments(segments);
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => out.push((name, value)),
        }
    }
    out
}

struct Segment<'a> {
    index: u32,
    encoded: bool,
    value: &'a str,
}

/// `name*` → (name, 0, true); `name*3` → (name, 3, false); `name*3*` → (name, 3, true).
fn split_extended(key: &str) -> Option<(&str, u32, bool)> {
    let (name, rest) = key.split_once('*')?;
    if name.is_empty() {
        return None;
    }
    if rest.is_empty() {
        return Some((name, 0, true));
    }
    let (digits, encoded) = match rest.strip_suffix('*') {
        Some(d) => (d, true),
        None => (rest, false),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((name, digits.parse().ok()?, encoded))
}

fn join_segments(mut segments: Vec<Segment<'_>>) -> String {
    segments.sort_by_key(|s| s.index);
    let mut charset = None;
    let mut bytes = Vec::new();
    for (i, seg) in segments.iter().enumerate() {
        let mut value = seg.value;
        // Only the first segment carries the charset'language' prefix.
        if i == 0 && seg.encoded {
            let mut parts = value.splitn(3, '\'');
            if let (Some(cs), Some(_lang), Some(rest)) = (parts.next(), parts.next(), parts.next())
            {
                charset = Some(cs).filter(|c| !c.is_empty());
                value = rest;
            }
        }
        if seg.encoded {
            percent_decode(value.as_bytes(), &mut bytes);
        } else {
            bytes.extend_from_slice(value.as_bytes());
        }
    }
    to_utf8(&bytes, charset)
}

fn percent_decode(input: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        if b == b'%'
            && let Some(byte) = input
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(b);
        i += 1;
    }
}

fn decode_plain(value: &str) -> String {
    if value.contains("=?") {
        decode_words(value.as_bytes())
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        let raw: Vec<(Cow<'_, str>, Cow<'_, str>)> = pairs
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), Cow::Borrowed(*v)))
            .collect();
        decode_params(&raw)
    }

    fn pair(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn plain_and_encoded_word_values() {
        assert_eq!(
            decode(&[
                ("CHARSET", "UTF-8"),
                ("NAME", "=?UTF-8?B?5L2g5aW9LnR4dA==?=")
            ]),
            [pair("charset", "UTF-8"), pair("name", "你好.txt")]
        );
    }

    #[test]
    fn rfc2231_single_and_continuations() {
        assert_eq!(
            decode(&[("filename*", "gb2312''%C4%E3%BA%C3.txt")]),
            [pair("filename", "你好.txt")]
        );
        assert_eq!(
            decode(&[
                ("filename*1*", "%A5%BD.txt"),
                ("filename*0*", "utf-8'en'%E4%BD%A0%E5"),
                ("filename*2", " (copy)"),
            ]),
            [pair("filename", "你好.txt (copy)")]
        );
    }

    #[test]
    fn extended_value_wins_over_plain_fallback() {
        assert_eq!(
            decode(&[
                ("filename", "fallback.txt"),
                ("filename*", "''real%20name.txt")
            ]),
            [pair("filename", "real name.txt")]
        );
    }

    #[test]
    fn malformed_input_is_kept_not_dropped() {
        assert_eq!(
            decode(&[("name*", "no-quotes%ZZ%+1%4"), ("*", "x"), ("a*b", "y")]),
            [
                pair("*", "x"),
                pair("a*b", "y"),
                pair("name", "no-quotes%ZZ%+1%4")
            ]
        );
    }
}
