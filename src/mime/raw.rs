//! The part tree and the bytes of a section, from a whole message: for mail that comes with
//! no BODYSTRUCTURE (POP3). The tree is built as the equivalent BODYSTRUCTURE and numbered
//! by [`from_bodystructure`], so sections, sizes and names are exactly what an IMAP server
//! would give; the bytes of a section are what `BODY[section]` returns (RFC 3501 6.4.5).

use std::borrow::Cow;
use std::ops::Range;

use imap_proto::types::{
    BodyContentCommon, BodyContentSinglePart, BodyStructure, ContentDisposition, ContentEncoding,
    ContentType, Envelope,
};

use crate::mime::section::Section;
use crate::mime::structure::{Part, from_bodystructure};

/// Deeper nesting is shown as an opaque part: it bounds recursion on hostile mail.
const MAX_DEPTH: usize = 64;

/// One MIME entity: its header and body as ranges of the message, and what the header says.
struct Entity {
    header: Range<usize>,
    body: Range<usize>,
    ty: String,
    subtype: String,
    params: Vec<(String, String)>,
    encoding: String,
    disposition: Option<(String, Vec<(String, String)>)>,
    id: Option<String>,
    description: Option<String>,
    kind: Kind,
}

enum Kind {
    Single,
    /// message/rfc822: the encapsulated message.
    Message(Box<Entity>),
    Multipart(Vec<Entity>),
}

/// A parsed message; cheap to build (no decoding), borrowing the bytes.
pub struct Message<'a> {
    raw: &'a [u8],
    root: Entity,
}

impl<'a> Message<'a> {
    pub fn parse(raw: &'a [u8]) -> Message<'a> {
        let (root, _) = entity(raw, 0, &mut Vec::new(), false, 0);
        Message { raw, root }
    }

    /// The part tree, numbered as for IMAP.
    pub fn structure(&self) -> Part {
        from_bodystructure(&bodystructure(&self.root))
    }

    /// The message's header block, blank line included (`BODY[HEADER]`).
    pub fn header(&self) -> &'a [u8] {
        &self.raw[self.root.header.clone()]
    }

    /// What `BODY[section]` returns, or None when the message has no such part.
    pub fn section(&self, section: &Section) -> Option<&'a [u8]> {
        let mut at = &self.root;
        // The root is a message: its parts are its multipart's children, or its body as 1.
        let mut message_level = true;
        for &n in &section.path {
            let n = n as usize;
            at = match (&at.kind, message_level) {
                (Kind::Multipart(children), _) => children.get(n.checked_sub(1)?)?,
                (Kind::Message(inner), _) => match &inner.kind {
                    Kind::Multipart(children) => children.get(n.checked_sub(1)?)?,
                    _ if n == 1 => inner,
                    _ => return None,
                },
                (Kind::Single, true) if n == 1 => at,
                _ => return None,
            };
            message_level = false;
        }
        let range = match (section.text, section.path.is_empty(), &at.kind) {
            (false, true, _) => 0..self.raw.len(),
            (true, true, _) => at.body.clone(),
            (true, false, Kind::Message(inner)) => inner.body.clone(),
            (true, false, _) => return None,
            (false, false, _) => at.body.clone(),
        };
        Some(&self.raw[range])
    }
}

/// A boundary line found while scanning: where it starts and ends, whose it is (an index
/// into the stack of open multiparts) and whether it closes that multipart.
#[derive(Clone, Copy)]
struct Hit {
    line: usize,
    next: usize,
    level: usize,
    close: bool,
}

/// The first boundary line at or after `from` (a line start). The innermost multipart's
/// boundary is tried first, as servers do, so `--b42` inside part 4 of a `b4` multipart
/// belongs to the inner `b42` multipart.
fn find_boundary(raw: &[u8], from: usize, stack: &[Vec<u8>]) -> Option<Hit> {
    if stack.is_empty() {
        return None;
    }
    let mut line_start = from;
    while line_start < raw.len() {
        let next =
            memchr::memchr(b'\n', &raw[line_start..]).map_or(raw.len(), |i| line_start + i + 1);
        if let Some(rest) = raw[line_start..next].strip_prefix(b"--") {
            for level in (0..stack.len()).rev() {
                if let Some(after) = rest.strip_prefix(stack[level].as_slice()) {
                    return Some(Hit {
                        line: line_start,
                        next,
                        level,
                        close: after.starts_with(b"--"),
                    });
                }
            }
        }
        line_start = next;
    }
    None
}

/// Where the content before a boundary line ends: the line break before the line belongs
/// to the boundary (RFC 2046 5.1.1). Without a boundary, the end of the message.
fn end_before(raw: &[u8], hit: Option<Hit>, floor: usize) -> usize {
    let Some(hit) = hit else {
        return raw.len();
    };
    let before = &raw[..hit.line];
    let cut = if before.ends_with(b"\r\n") {
        2
    } else {
        usize::from(before.ends_with(b"\n"))
    };
    (hit.line - cut).max(floor)
}

/// Parses the entity starting at `start`, inside the multiparts whose boundaries are on
/// `stack`; returns it and the boundary line that ended it. `digest` makes message/rfc822
/// the default type (RFC 2046 5.1.5).
fn entity(
    raw: &[u8],
    start: usize,
    stack: &mut Vec<Vec<u8>>,
    digest: bool,
    depth: usize,
) -> (Entity, Option<Hit>) {
    let limit = find_boundary(raw, start, stack).map_or(raw.len(), |h| h.line);
    let header = start..start + header_end(&raw[start..limit]);
    let fields = &raw[header.clone()];
    let (ty, subtype, params) = match field(fields, "content-type").and_then(|v| content_type(&v)) {
        Some(ct) => ct,
        None if digest => ("message".into(), "rfc822".into(), Vec::new()),
        None => (
            "text".into(),
            "plain".into(),
            vec![("charset".into(), "us-ascii".into())],
        ),
    };
    let mut params = params;
    if ty.eq_ignore_ascii_case("text")
        && !params
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("charset"))
    {
        // What servers report for a text part without one (RFC 2045 5.2).
        params.insert(0, ("charset".into(), "us-ascii".into()));
    }
    let disposition = field(fields, "content-disposition").map(|v| {
        let (first, params) = split_params(&v);
        (first.trim().to_string(), params)
    });
    let encoding = field(fields, "content-transfer-encoding")
        .map(|v| strip_comments(&v).trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "7bit".into());
    let body_start = header.end;
    let mut e = Entity {
        header,
        body: body_start..body_start,
        id: field(fields, "content-id").map(|v| v.trim().to_string()),
        description: field(fields, "content-description").map(|v| v.trim().to_string()),
        ty,
        subtype,
        params,
        encoding,
        disposition,
        kind: Kind::Single,
    };
    let is = |e: &Entity, t: &str, s: &str| {
        e.ty.eq_ignore_ascii_case(t) && e.subtype.eq_ignore_ascii_case(s)
    };
    let boundary = e
        .params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.as_bytes().to_vec())
        .filter(|b| !b.is_empty() && e.ty.eq_ignore_ascii_case("multipart"));
    // Where the body ends: before the line break of the boundary line that ended it, but
    // never before the end of a close delimiter line (as Dovecot counts it).
    let (hit, floor) = match boundary {
        _ if depth >= MAX_DEPTH => (find_boundary(raw, body_start, stack), body_start),
        Some(boundary) => {
            stack.push(boundary);
            let me = stack.len() - 1;
            let digest = e.subtype.eq_ignore_ascii_case("digest");
            let mut children = Vec::new();
            let mut hit = find_boundary(raw, body_start, stack);
            let mut floor = body_start;
            loop {
                match hit {
                    Some(h) if h.level == me && !h.close => {
                        let (child, next) = entity(raw, h.next, stack, digest, depth + 1);
                        children.push(child);
                        hit = next;
                    }
                    Some(h) if h.level == me => {
                        // The epilogue runs to the next boundary of an enclosing multipart.
                        stack.pop();
                        floor = h.next;
                        hit = find_boundary(raw, h.next, stack);
                        break;
                    }
                    _ => {
                        stack.pop();
                        break;
                    }
                }
            }
            e.kind = Kind::Multipart(children);
            (hit, floor)
        }
        None if is(&e, "message", "rfc822") => {
            let (inner, hit) = entity(raw, body_start, stack, false, depth + 1);
            let floor = inner.body.end;
            e.kind = Kind::Message(Box::new(inner));
            (hit, floor)
        }
        None => (find_boundary(raw, body_start, stack), body_start),
    };
    e.body = body_start..end_before(raw, hit, floor);
    (e, hit)
}

/// Length of the header block including the blank line that ends it (all of `bytes` when
/// there is none; nothing when the entity starts with the blank line).
fn header_end(bytes: &[u8]) -> usize {
    let mut line_start = 0;
    while line_start < bytes.len() {
        let eol = memchr::memchr(b'\n', &bytes[line_start..]).map(|i| line_start + i + 1);
        let line = &bytes[line_start..eol.unwrap_or(bytes.len())];
        if line == b"\r\n" || line == b"\n" {
            return line_start + line.len();
        }
        match eol {
            Some(next) => line_start = next,
            None => break,
        }
    }
    bytes.len()
}

/// The unfolded value of the first header field called `name` (lowercase).
fn field(header: &[u8], name: &str) -> Option<String> {
    let mut value: Option<Vec<u8>> = None;
    for line in header.split_inclusive(|b| *b == b'\n') {
        let continued = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        match &mut value {
            Some(v) if continued => v.extend_from_slice(line),
            Some(_) => break,
            None => {
                let Some(colon) = memchr::memchr(b':', line) else {
                    continue;
                };
                if line[..colon]
                    .trim_ascii()
                    .eq_ignore_ascii_case(name.as_bytes())
                {
                    value = Some(line[colon + 1..].to_vec());
                }
            }
        }
    }
    let v = value?;
    let text = String::from_utf8_lossy(&v);
    Some(text.replace(['\r', '\n'], "").trim().to_string())
}

type Params = Vec<(String, String)>;

/// `type/subtype; key=value ...`; None when there is no `type/subtype`.
fn content_type(value: &str) -> Option<(String, String, Params)> {
    let (first, params) = split_params(value);
    let (ty, subtype) = first.split_once('/')?;
    let (ty, subtype) = (ty.trim(), subtype.trim());
    let token = |s: &str| !s.is_empty() && !s.contains(|c: char| c.is_whitespace() || c == '"');
    (token(ty) && token(subtype)).then(|| (ty.to_string(), subtype.to_string(), params))
}

/// The first item and the `key=value` parameters after it; quoted values unescaped,
/// comments dropped, keys as written.
fn split_params(value: &str) -> (String, Vec<(String, String)>) {
    let value = strip_comments(value);
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            '\\' if quoted => {
                current.push(c);
                current.extend(chars.next());
            }
            ';' if !quoted => items.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    items.push(current);
    let mut items = items.into_iter();
    let first = items.next().unwrap_or_default();
    let params = items
        .filter_map(|item| {
            let (k, v) = item.split_once('=')?;
            let k = k.trim();
            (!k.is_empty()).then(|| (k.to_string(), unquote(v.trim())))
        })
        .collect();
    (first, params)
}

fn unquote(v: &str) -> String {
    let Some(inner) = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return v.to_string();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        out.extend(if c == '\\' { chars.next() } else { Some(c) });
    }
    out
}

/// Drops `(comments)` outside quoted strings (RFC 5322 CFWS).
fn strip_comments(value: &str) -> Cow<'_, str> {
    if !value.contains('(') {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let (mut depth, mut quoted, mut escaped) = (0usize, false, false);
    for c in value.chars() {
        if escaped {
            escaped = false;
            if depth == 0 {
                out.push(c);
            }
            continue;
        }
        match c {
            '\\' if quoted || depth > 0 => {
                escaped = true;
                if depth == 0 {
                    out.push(c);
                }
            }
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    Cow::Owned(out)
}

fn params(list: &[(String, String)]) -> Option<Vec<(Cow<'_, str>, Cow<'_, str>)>> {
    (!list.is_empty()).then(|| {
        list.iter()
            .map(|(k, v)| (Cow::from(k.as_str()), Cow::from(v.as_str())))
            .collect()
    })
}

fn bodystructure(e: &Entity) -> BodyStructure<'_> {
    let common = BodyContentCommon {
        ty: ContentType {
            ty: Cow::from(e.ty.as_str()),
            subtype: Cow::from(e.subtype.as_str()),
            params: params(&e.params),
        },
        disposition: e.disposition.as_ref().map(|(ty, p)| ContentDisposition {
            ty: Cow::from(ty.as_str()),
            params: params(p),
        }),
        language: None,
        location: None,
    };
    let other = || BodyContentSinglePart {
        id: e.id.as_deref().map(Cow::from),
        md5: None,
        description: e.description.as_deref().map(Cow::from),
        transfer_encoding: match e.encoding.as_str() {
            "7bit" => ContentEncoding::SevenBit,
            "8bit" => ContentEncoding::EightBit,
            "binary" => ContentEncoding::Binary,
            "base64" => ContentEncoding::Base64,
            "quoted-printable" => ContentEncoding::QuotedPrintable,
            other => ContentEncoding::Other(Cow::from(other)),
        },
        octets: u32::try_from(e.body.len()).unwrap_or(u32::MAX),
    };
    match &e.kind {
        Kind::Multipart(children) => BodyStructure::Multipart {
            common,
            bodies: children.iter().map(bodystructure).collect(),
            extension: None,
        },
        Kind::Message(inner) => BodyStructure::Message {
            common,
            other: other(),
            envelope: Envelope {
                date: None,
                subject: None,
                from: None,
                sender: None,
                reply_to: None,
                to: None,
                cc: None,
                bcc: None,
                in_reply_to: None,
                message_id: None,
            },
            body: Box::new(bodystructure(inner)),
            lines: 0,
            extension: None,
        },
        Kind::Single if e.ty.eq_ignore_ascii_case("text") => BodyStructure::Text {
            common,
            other: other(),
            lines: 0,
            extension: None,
        },
        Kind::Single => BodyStructure::Basic {
            common,
            other: other(),
            extension: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
        std::fs::read(format!("{dir}{name}")).unwrap()
    }

    fn sections(root: &Part) -> Vec<String> {
        root.walk().map(|p| p.section.to_string()).collect()
    }

    #[test]
    fn numbers_the_nested_fixture_like_rfc3501() {
        let raw = fixture("nested.eml");
        let m = Message::parse(&raw);
        let root = m.structure();
        assert_eq!(
            sections(&root),
            [
                "TEXT", "1", "2", "3", "3.TEXT", "3.1", "3.2", "4", "4.1", "4.2", "4.2.TEXT",
                "4.2.1", "4.2.2", "4.2.2.1", "4.2.2.2"
            ]
        );
        let part = root.find(&"4.2.2.1".parse().unwrap()).unwrap();
        assert_eq!(part.mime_type, "text/plain");
        let bytes = m.section(&"4.2.2.1".parse().unwrap()).unwrap();
        assert_eq!(bytes.len() as u64, part.size);
        assert_eq!(
            root.find(&"4.1".parse().unwrap())
                .unwrap()
                .filename
                .as_deref(),
            Some("dot.gif")
        );
        assert!(m.header().ends_with(b"\r\n\r\n"));
        let whole = Section {
            path: Vec::new(),
            text: false,
        };
        assert_eq!(m.section(&whole), Some(&raw[..]));
        assert!(m.section(&"5".parse().unwrap()).is_none());
        assert!(m.section(&"1.TEXT".parse().unwrap()).is_none());
    }

    #[test]
    fn a_single_part_message_is_part_1_and_its_body() {
        let raw = b"Subject: hi\r\n\r\nbody\r\n";
        let m = Message::parse(raw);
        let root = m.structure();
        assert_eq!(sections(&root), ["1"]);
        assert_eq!(root.charset.as_deref(), Some("us-ascii"));
        assert_eq!(m.section(&"1".parse().unwrap()), Some(&b"body\r\n"[..]));
        assert_eq!(m.section(&"TEXT".parse().unwrap()), Some(&b"body\r\n"[..]));
    }

    #[test]
    fn boundaries_take_the_line_break_before_them_and_a_missing_close_ends_at_the_end() {
        let raw = b"Content-Type: multipart/mixed; boundary=\"b\" (a comment)\r\n\r\npre\r\n--b\r\n\r\none\r\n--b\r\nContent-Type: text/html; charset=\"utf-8\"\r\n\r\n<p>two\r\n";
        let m = Message::parse(raw);
        let root = m.structure();
        assert_eq!(sections(&root), ["TEXT", "1", "2"]);
        assert_eq!(m.section(&"1".parse().unwrap()), Some(&b"one"[..]));
        assert_eq!(m.section(&"2".parse().unwrap()), Some(&b"<p>two\r\n"[..]));
        assert_eq!(root.children[1].charset.as_deref(), Some("utf-8"));
    }

    #[test]
    fn hostile_nesting_is_bounded() {
        let mut raw = Vec::new();
        for _ in 0..10_000 {
            raw.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
        }
        let root = Message::parse(&raw).structure();
        assert!(root.walk().count() <= MAX_DEPTH + 1);
    }

    #[test]
    fn parameters_unquote_and_skip_comments() {
        let (first, params) =
            split_params(r#"attachment (x; y); filename="a \"b\"; c.txt"; size=3"#);
        assert_eq!(first.trim(), "attachment");
        assert_eq!(
            params,
            [
                ("filename".to_string(), "a \"b\"; c.txt".to_string()),
                ("size".to_string(), "3".to_string())
            ]
        );
        assert!(content_type("text").is_none());
    }
}
