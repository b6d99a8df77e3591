//! Mailbox addresses in header values (`Name <user@domain>`, groups), read the way
//! mail-parser reads an address header and checked with lettre's address grammar.

use mail_parser::parsers::MessageStream;
use mail_parser::{Address, HeaderValue};

use crate::mime::charset::guess_to_utf8;
use crate::mime::headers::decode_text;

/// The bare address of `Name <addr>` or `addr`, when it is one mailbox.
pub fn parse_mailbox(text: &str) -> Option<String> {
    let list = addresses(text)?;
    match list.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// The addresses of an address-list header value (groups flattened).
pub fn addresses(value: &str) -> Option<Vec<String>> {
    let bytes = [value.as_bytes(), b"\r\n"].concat();
    let list = match MessageStream::new(&bytes).parse_address() {
        HeaderValue::Address(a) => a,
        _ => return None,
    };
    let out: Vec<String> = list
        .iter()
        .map(|a| a.address().map(str::to_string))
        .collect::<Option<_>>()?;
    let valid = out.iter().all(|a| a.parse::<lettre::Address>().is_ok());
    (!out.is_empty() && valid).then_some(out)
}

/// The first address of an address-list value (a From or To header's) as a message list shows
/// it, written into `out` (cleared first): `Name <user@host>`, `user@host`, or a group's name
/// (`undisclosed-recipients:;`). Encoded words in the name are decoded; a value no parser
/// makes sense of is shown as its decoded text. Nothing is sanitised here.
pub fn first_shown(value: &[u8], out: &mut String) {
    out.clear();
    if let Some((name, addr)) = simple(value) {
        shown(out, &decode_text(name), addr);
    } else {
        parsed(value, out);
    }
}

/// [`first_shown`] by mail-parser's address parser.
fn parsed(value: &[u8], out: &mut String) {
    let text = match std::str::from_utf8(value) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => std::borrow::Cow::Owned(guess_to_utf8(value)),
    };
    let line = [text.as_bytes(), b"\r\n"].concat();
    let first = match MessageStream::new(&line).parse_address() {
        HeaderValue::Address(Address::List(list)) => list.into_iter().next(),
        HeaderValue::Address(Address::Group(groups)) => match groups.into_iter().next() {
            Some(g) if g.name.as_deref().is_some_and(|n| !n.trim().is_empty()) => {
                out.push_str(g.name.as_deref().unwrap_or_default().trim());
                return;
            }
            Some(g) => g.addresses.into_iter().next(),
            None => None,
        },
        _ => None,
    };
    match first {
        Some(a) => shown(
            out,
            a.name.as_deref().unwrap_or(""),
            a.address.as_deref().unwrap_or(""),
        ),
        None => out.push_str(decode_text(value).trim()),
    }
}

/// `name <addr>`, or whichever of them there is.
fn shown(out: &mut String, name: &str, addr: &str) {
    let (name, addr) = (name.trim(), addr.trim());
    if name.is_empty() {
        out.push_str(addr);
    } else if addr.is_empty() {
        out.push_str(name);
    } else {
        out.push_str(name);
        out.push_str(" <");
        out.push_str(addr);
        out.push('>');
    }
}

/// Most senders are `Name <user@host>`, `"Name" <user@host>`, `<user@host>` or `user@host` on
/// one line: those are read here, without the full parser's allocations (a sync reads 100 000
/// of them). Anything else RFC 5322 gives a meaning to (comments, groups, escapes, several
/// addresses, folding) is left to mail-parser: None.
fn simple(value: &[u8]) -> Option<(&[u8], &str)> {
    let v = value.trim_ascii();
    let (name, addr) = match v.strip_suffix(b">") {
        Some(inner) => {
            let lt = memchr::memrchr(b'<', inner)?;
            (inner[..lt].trim_ascii_end(), &inner[lt + 1..])
        }
        None => (&b""[..], v),
    };
    let special = |b: &u8| matches!(b, b'"' | b'\\' | b'(' | b')' | b'<' | b'>' | b'\r' | b'\n');
    let name = match name {
        [b'"', inner @ .., b'"'] if !inner.iter().any(special) => inner,
        _ if name
            .iter()
            .any(|b| special(b) || matches!(b, b',' | b';' | b':' | b'@')) =>
        {
            return None;
        }
        _ => name,
    };
    let at = memchr::memchr(b'@', addr)?;
    let plain = |part: &[u8]| {
        !part.is_empty()
            && part.iter().all(|&b| {
                b > b' '
                    && b != 0x7f
                    && !special(&b)
                    && !matches!(b, b',' | b';' | b':' | b'@' | b'[' | b']')
            })
    };
    if !(plain(&addr[..at]) && plain(&addr[at + 1..])) {
        return None;
    }
    Some((name, std::str::from_utf8(addr).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(value: &str) -> String {
        let mut out = String::from("left over");
        first_shown(value.as_bytes(), &mut out);
        out
    }

    #[test]
    fn the_usual_forms_read_without_the_parser_as_the_parser_reads_them() {
        for (value, want) in [
            (" Al Smith <al@example.org>", "Al Smith <al@example.org>"),
            (
                "\"Smith, Al\" <al@example.org>",
                "Smith, Al <al@example.org>",
            ),
            ("<al@example.org>", "al@example.org"),
            (" al@example.org ", "al@example.org"),
            (
                "John Q. Public <jqp@example.org>",
                "John Q. Public <jqp@example.org>",
            ),
            (
                "=?UTF-8?B?5byg5LiJ?= <zs@example.cn>",
                "张三 <zs@example.cn>",
            ),
            ("\"\" <al@example.org>", "al@example.org"),
        ] {
            let v = value.as_bytes();
            assert!(simple(v).is_some(), "{value:?} is a usual form");
            assert_eq!(first(value), want, "{value:?}");
            let mut full = String::new();
            parsed(v, &mut full);
            assert_eq!(full, want, "{value:?} by the parser");
        }
    }

    #[test]
    fn other_forms_go_to_the_parser() {
        for (value, want) in [
            ("al@example.org (Al Smith)", "Al Smith <al@example.org>"),
            (
                "Al <al@example.org>, Bo <bo@example.org>",
                "Al <al@example.org>",
            ),
            ("undisclosed-recipients:;", "undisclosed-recipients"),
            ("Friends: al@example.org, bo@example.org;", "Friends"),
            (
                "\"Al \\\"the\\\" Smith\" <al@example.org>",
                "Al \"the\" Smith <al@example.org>",
            ),
            ("Al\r\n Smith <al@example.org>", "Al Smith <al@example.org>"),
            ("Al Smith <al@example.org", "Al Smith <al@example.org>"),
        ] {
            assert!(
                simple(value.as_bytes()).is_none(),
                "{value:?} is not a usual form"
            );
            assert_eq!(first(value), want, "{value:?}");
        }
    }

    #[test]
    fn raw_8bit_names_and_nonsense_still_show_something() {
        let mut out = String::new();
        first_shown(b"M\xfcller <m@example.de>", &mut out);
        assert_eq!(out, "Müller <m@example.de>");
        first_shown(b"", &mut out);
        assert_eq!(out, "");
        first_shown(b" <<>> ", &mut out);
        assert!(!out.contains("left"), "{out:?}");
    }
}
