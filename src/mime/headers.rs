//! Header decoding: RFC 2047 encoded words, raw 8-bit values, address lists
//! and dates, for display. Values are not sanitised here; do that when drawing.

use std::borrow::Cow;

use mail_parser::parsers::MessageStream;
use mail_parser::{Addr, Address, HeaderName, HeaderValue, MessageParser};

use crate::mime::charset::guess_to_utf8;

/// Decodes an unstructured header value (e.g. a Subject, or an ENVELOPE
/// field): encoded words in any charset, raw UTF-8, or raw 8-bit legacy text.
pub fn decode_words(raw: &[u8]) -> String {
    decode_text(raw).into_owned()
}

/// [`decode_words`], borrowing `raw` when it is one line of UTF-8 without encoded words,
/// as most subjects and names are: then decoding is only trimming.
pub fn decode_text(raw: &[u8]) -> Cow<'_, str> {
    if memchr::memmem::find(raw, b"=?").is_some() {
        return Cow::Owned(decode_encoded(raw));
    }
    // What the unstructured parser does to text without encoded words: unfold, then trim
    // the whitespace it skips between tokens.
    let blank: &[char] = &[' ', '\t'];
    match std::str::from_utf8(raw) {
        Ok(s) if memchr::memchr2(b'\r', b'\n', raw).is_none() => {
            Cow::Borrowed(s.trim_matches(blank))
        }
        _ => Cow::Owned(unfold(&guess_to_utf8(raw)).trim_matches(blank).to_string()),
    }
}

fn decode_encoded(raw: &[u8]) -> String {
    // Every summary with an encoded word comes through here: the value is copied once, into
    // the line the parser reads.
    let text = match std::str::from_utf8(raw) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(guess_to_utf8(raw)),
    };
    let mut line = String::with_capacity(text.len() + 2);
    unfold_into(&text, &mut line);
    line.push_str("\r\n");
    match MessageStream::new(line.as_bytes()).parse_unstructured() {
        HeaderValue::Text(t) => t.into_owned(),
        HeaderValue::Empty => String::new(),
        _ => text.trim().to_string(),
    }
}

/// One line: a line break before whitespace is folding and goes away; any
/// other break becomes a space, because the unstructured parser would stop
/// at it and drop the rest of the value.
fn unfold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    unfold_into(text, &mut out);
    out
}

/// [`unfold`], appending to `out`.
fn unfold_into(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(at) = rest.find(['\r', '\n']) {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if rest.as_bytes()[at] == b'\n' && !after.starts_with([' ', '\t']) {
            out.push(' ');
        }
        rest = after;
    }
    out.push_str(rest);
}

/// The headers a reader shows, decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderView {
    pub from: String,
    pub to: String,
    pub cc: String,
    pub date: String,
    pub subject: String,
    /// Every header in order, values decoded and unfolded.
    pub all: Vec<(String, String)>,
}

/// Parses a raw header block such as the bytes of `BODY[HEADER]`.
pub fn parse_headers(raw_header: &[u8]) -> HeaderView {
    let buf = lines_to_utf8(raw_header);
    let mut headers = Vec::new();
    // The return value only says whether a blank line ended the block; the
    // headers seen so far are kept either way.
    MessageStream::new(&buf).parse_headers(&MessageParser::default(), &mut headers);

    let mut view = HeaderView::default();
    for h in &headers {
        let raw = buf
            .get(h.offset_start as usize..h.offset_end as usize)
            .unwrap_or_default();
        let plain = decode_words(raw);
        let field = match h.name {
            HeaderName::From => Some(&mut view.from),
            HeaderName::To => Some(&mut view.to),
            HeaderName::Cc => Some(&mut view.cc),
            HeaderName::Subject => Some(&mut view.subject),
            HeaderName::Date => Some(&mut view.date),
            _ => None,
        };
        if let Some(field) = field {
            let shown = match &h.value {
                HeaderValue::Address(a) => render_address(a),
                HeaderValue::DateTime(d) if d.is_valid() => d.to_rfc3339(),
                _ => String::new(),
            };
            // Parsing can fail or yield nothing (e.g. "undisclosed-recipients:;");
            // the decoded raw text still tells the user something.
            let shown = if shown.is_empty() {
                plain.clone()
            } else {
                shown
            };
            append_value(field, shown);
        }
        view.all.push((h.name.as_str().to_string(), plain));
    }
    view
}

/// Repeated To/Cc headers happen; show them all rather than only the first.
fn append_value(field: &mut String, value: String) {
    if value.is_empty() {
        return;
    }
    if !field.is_empty() {
        field.push_str(", ");
    }
    field.push_str(&value);
}

/// mail-parser reads header bytes as lossy UTF-8, so a line of raw GBK would
/// turn into U+FFFD; convert such lines before parsing.
fn lines_to_utf8(raw: &[u8]) -> Vec<u8> {
    if std::str::from_utf8(raw).is_ok() {
        return raw.to_vec();
    }
    let mut out = Vec::with_capacity(raw.len() * 3 / 2);
    for line in raw.split_inclusive(|&b| b == b'\n') {
        out.extend_from_slice(guess_to_utf8(line).as_bytes());
    }
    out
}

fn render_address(a: &Address<'_>) -> String {
    let addrs: Vec<&Addr<'_>> = match a {
        Address::List(list) => list.iter().collect(),
        Address::Group(groups) => groups.iter().flat_map(|g| g.addresses.iter()).collect(),
    };
    addrs
        .into_iter()
        .filter_map(render_addr)
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_addr(a: &Addr<'_>) -> Option<String> {
    let name = a.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let addr = a
        .address
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    match (name, addr) {
        (Some(n), Some(a)) => Some(format!("{n} <{a}>")),
        (None, Some(a)) => Some(a.to_string()),
        (Some(n), None) => Some(n.to_string()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_encoded_words() {
        assert_eq!(
            decode_words(b"=?utf-8?b?5qyi6L+O5Yqg5YWlIFNlZ21lbnRGYXVsdCDpl67nrZTnpL7ljLo=?="),
            "欢迎加入 SegmentFault 问答社区"
        );
        // "你好" in GB2312, base64.
        assert_eq!(decode_words(b"=?gb2312?B?xOO6ww==?= world"), "你好 world");
        assert_eq!(decode_words(b"=?ISO-8859-1?Q?caf=E9?="), "café");
        // Whitespace between adjacent encoded words is not part of the text.
        assert_eq!(decode_words(b"=?UTF-8?Q?a?= \r\n =?UTF-8?Q?b?="), "ab");
        // A break that is not folding joins with a space; raw Latin-1 beside a word decodes.
        assert_eq!(decode_words(b"=?UTF-8?Q?a?= x\ny\r\n\tz"), "a x y\tz");
        assert_eq!(decode_words(b"f\xfcr =?UTF-8?Q?caf=C3=A9?="), "für café");
    }

    #[test]
    fn plain_text_decodes_like_the_full_parser() {
        let cases: &[&[u8]] = &[
            b"",
            b"   ",
            b" \t plain subject \t ",
            b"inner   spaces\tand tabs",
            "\u{a0}no-break spaces stay\u{a0}".as_bytes(),
            "  Grüße aus Köln ".as_bytes(),
            b"caf\xe9 latin-1",
            b"\xc4\xe3\xba\xc3",
            b"line\r\n folded",
            b"cr\ronly",
            b"lf\nonly ",
            b"= ? not a word ?=",
            b"trailing =",
        ];
        for raw in cases {
            assert_eq!(
                decode_text(raw),
                decode_encoded(raw),
                "{:?}",
                String::from_utf8_lossy(raw)
            );
        }
        assert!(matches!(decode_text(b" plain "), Cow::Borrowed("plain")));
    }

    #[test]
    fn decodes_raw_bytes() {
        assert_eq!(decode_words("直接 UTF-8".as_bytes()), "直接 UTF-8");
        assert_eq!(decode_words(b"\xc4\xe3\xba\xc3 GBK"), "你好 GBK");
        assert_eq!(decode_words(b"caf\xe9 \x80"), "café €");
        assert_eq!(
            decode_words(b"folded\r\n line\nbroken"),
            "folded line broken"
        );
        assert_eq!(decode_words(b""), "");
    }

    const SEED: &[u8] = b"Date:Sun, 31 Jan 2016 21:40:11 +0800 (CST)\r\n\
From:=?UTF-8?Q?SegmentFault=E6=8A=80=E6=9C=AF=E7=A4=BE=E5=8C=BA?= <notification@mail1.segmentfault.com>\r\n\
To:jhhu_deng@163.com\r\n\
Subject:=?utf-8?b?5qyi6L+O5Yqg5YWlIFNlZ21lbnRGYXVsdCDpl67nrZTnpL7ljLo=?=\r\n\
X-Long: first\r\n second\r\n\
Cc: \"Doe, J\" <j@x.org>, k@y.org\r\n\
Cc: Team: a@b.c, =?gb2312?B?xOO6ww==?= <d@e.f>;\r\n\
\r\n";

    #[test]
    fn parses_the_seed_header_block() {
        let v = parse_headers(SEED);
        assert_eq!(
            v.from,
            "SegmentFault技术社区 <notification@mail1.segmentfault.com>"
        );
        assert_eq!(v.to, "jhhu_deng@163.com");
        assert_eq!(v.subject, "欢迎加入 SegmentFault 问答社区");
        assert_eq!(v.date, "2016-01-31T21:40:11+08:00");
        assert_eq!(v.cc, "Doe, J <j@x.org>, k@y.org, a@b.c, 你好 <d@e.f>");
        let names: Vec<&str> = v.all.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["Date", "From", "To", "Subject", "X-Long", "Cc", "Cc"]
        );
        assert_eq!(v.all[4].1, "first second");
        assert_eq!(v.all[3].1, "欢迎加入 SegmentFault 问答社区");
    }

    #[test]
    fn keeps_unparseable_values_and_8bit_lines() {
        let v = parse_headers(
            b"Date: not a date\r\nTo: undisclosed-recipients:;\r\nSubject: \xc4\xe3\xba\xc3\r\n",
        );
        assert_eq!(v.date, "not a date");
        assert_eq!(v.to, "undisclosed-recipients:;");
        assert_eq!(v.subject, "你好");
        assert_eq!(parse_headers(b""), HeaderView::default());
        assert_eq!(parse_headers(b"garbage without colon").from, "");
    }
}
