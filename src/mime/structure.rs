//! The MIME part tree of a message, built from an IMAP BODYSTRUCTURE and
//! numbered exactly as RFC 3501 section 6.4.5 numbers parts for `BODY[...]`.

use std::borrow::Cow;

use imap_proto::types::{BodyContentCommon, BodyContentSinglePart, BodyStructure, ContentEncoding};

use crate::mime::params::decode_params;
use crate::mime::section::Section;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub section: Section,
    /// Lowercase, e.g. `text/plain`.
    pub mime_type: String,
    /// Content-Type parameters; keys lowercase, values decoded.
    pub params: Vec<(String, String)>,
    /// Lowercase charset label, if any.
    pub charset: Option<String>,
    /// Lowercase transfer encoding: `base64`, `quoted-printable`, `7bit`, ...
    pub encoding: String,
    /// Lowercase disposition type: `attachment`, `inline`, ...
    pub disposition: Option<String>,
    /// Decoded but not sanitised: pass it through `safe_filename` before use.
    pub filename: Option<String>,
    /// The disposition `size` (decoded size) when given, else the encoded
    /// octets; for a multipart, the sum of its children.
    pub size: u64,
    pub content_id: Option<String>,
    pub depth: usize,
    pub children: Vec<Part>,
}

/// Builds the part tree. A top-level multipart is `TEXT` with children 1, 2, ...;
/// a top-level single part is `1`.
pub fn from_bodystructure(bs: &BodyStructure<'_>) -> Part {
    let section = match bs {
        BodyStructure::Multipart { .. } => Section {
            path: Vec::new(),
            text: true,
        },
        _ => Section {
            path: vec![1],
            text: false,
        },
    };
    build(bs, section, 0)
}

fn build(bs: &BodyStructure<'_>, section: Section, depth: usize) -> Part {
    match bs {
        BodyStructure::Multipart { common, bodies, .. } => {
            let children: Vec<Part> = bodies
                .iter()
                .zip(1u32..)
                .map(|(child, i)| build(child, child_section(&section.path, i), depth + 1))
                .collect();
            let size = children.iter().map(|c| c.size).sum();
            let mut part = new_part(common, None, section, depth);
            part.size = size;
            part.children = children;
            part
        }
        BodyStructure::Message {
            common,
            other,
            body,
            ..
        } => {
            // The body of an encapsulated message shares the message's number:
            // as `p.TEXT` if it is a multipart (its children are then p.1, p.2),
            // else as `p.1`.
            let body_section = match **body {
                BodyStructure::Multipart { .. } => Section {
                    path: section.path.clone(),
                    text: true,
                },
                _ => child_section(&section.path, 1),
            };
            let mut part = new_part(common, Some(other), section, depth);
            part.children = vec![build(body, body_section, depth + 1)];
            part
        }
        BodyStructure::Basic { common, other, .. } | BodyStructure::Text { common, other, .. } => {
            new_part(common, Some(other), section, depth)
        }
    }
}

fn child_section(parent: &[u32], i: u32) -> Section {
    let mut path = parent.to_vec();
    path.push(i);
    Section { path, text: false }
}

fn new_part(
    common: &BodyContentCommon<'_>,
    single: Option<&BodyContentSinglePart<'_>>,
    section: Section,
    depth: usize,
) -> Part {
    let params = decode_opt_params(common.ty.params.as_deref());
    let disposition = common.disposition.as_ref();
    let disp_params = decode_opt_params(disposition.and_then(|d| d.params.as_deref()));
    let named = |list: &[(String, String)], key| param(list, key).filter(|n| !n.trim().is_empty());
    let filename = named(&disp_params, "filename").or_else(|| named(&params, "name"));
    let disposition_size = param(&disp_params, "size").and_then(|s| s.trim().parse().ok());
    Part {
        section,
        mime_type: format!("{}/{}", common.ty.ty, common.ty.subtype).to_ascii_lowercase(),
        charset: param(&params, "charset").map(|c| c.trim().to_ascii_lowercase()),
        params,
        encoding: single.map_or_else(
            || "7bit".to_string(),
            |s| encoding_name(&s.transfer_encoding),
        ),
        disposition: disposition.map(|d| d.ty.trim().to_ascii_lowercase()),
        filename,
        size: disposition_size.unwrap_or_else(|| single.map_or(0, |s| u64::from(s.octets))),
        content_id: single.and_then(|s| s.id.as_deref()).map(str::to_string),
        depth,
        children: Vec::new(),
    }
}

fn decode_opt_params(raw: Option<&[(Cow<'_, str>, Cow<'_, str>)]>) -> Vec<(String, String)> {
    raw.map(decode_params).unwrap_or_default()
}

fn param(params: &[(String, String)], key: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

fn encoding_name(enc: &ContentEncoding<'_>) -> String {
    match enc {
        ContentEncoding::SevenBit => "7bit".to_string(),
        ContentEncoding::EightBit => "8bit".to_string(),
        ContentEncoding::Binary => "binary".to_string(),
        ContentEncoding::Base64 => "base64".to_string(),
        ContentEncoding::QuotedPrintable => "quoted-printable".to_string(),
        ContentEncoding::Other(s) => s.trim().to_ascii_lowercase(),
    }
}

impl Part {
    /// Pre-order, `self` first.
    pub fn walk(&self) -> impl Iterator<Item = &Part> {
        let mut stack = vec![self];
        std::iter::from_fn(move || {
            let part = stack.pop()?;
            stack.extend(part.children.iter().rev());
            Some(part)
        })
    }

    pub fn find(&self, s: &Section) -> Option<&Part> {
        self.walk().find(|p| p.section == *s)
    }

    pub fn is_multipart(&self) -> bool {
        self.mime_type.starts_with("multipart/")
    }

    /// Whether any part of the tree is an attachment: what the list's `@` says once the
    /// structure is known.
    pub fn has_attachments(&self) -> bool {
        self.walk().any(Part::is_attachment)
    }

    /// Explicitly an attachment, or a named part other than an inline body
    /// text (some mailers name their inline text/html body).
    pub fn is_attachment(&self) -> bool {
        let disposition = self.disposition.as_deref();
        if disposition == Some("attachment") {
            return true;
        }
        let inline_body = disposition == Some("inline")
            && matches!(self.mime_type.as_str(), "text/plain" | "text/html");
        self.filename.is_some() && !inline_body
    }
}

#[cfg(test)]
mod tests {
    use crate::mime::test_support::{SEED_BODYSTRUCTURE, parse_part};

    #[test]
    fn numbers_the_seed_like_rfc3501() {
        let root = parse_part(SEED_BODYSTRUCTURE);
        let sections: Vec<String> = root.walk().map(|p| p.section.to_string()).collect();
        assert_eq!(
            sections,
            [
                "TEXT", "1", "2", "3", "3.TEXT", "3.1", "3.2", "4", "4.1", "4.2", "4.2.TEXT",
                "4.2.1", "4.2.2", "4.2.2.1", "4.2.2.2"
            ]
        );
        let types: Vec<&str> = root.walk().map(|p| p.mime_type.as_str()).collect();
        assert_eq!(
            types,
            [
                "multipart/mixed",
                "text/plain",
                "application/octet-stream",
                "message/rfc822",
                "multipart/mixed",
                "text/plain",
                "application/octet-stream",
                "multipart/mixed",
                "image/gif",
                "message/rfc822",
                "multipart/mixed",
                "text/plain",
                "multipart/alternative",
                "text/plain",
                "text/richtext"
            ]
        );
        let depths: Vec<usize> = root.walk().map(|p| p.depth).collect();
        assert_eq!(depths, [0, 1, 1, 1, 2, 3, 3, 1, 2, 2, 3, 4, 4, 5, 5]);
    }

    #[test]
    fn reads_fields_of_the_seed() {
        let root = parse_part(SEED_BODYSTRUCTURE);
        let find = |s: &str| root.find(&s.parse().unwrap()).unwrap();
        let text = find("1");
        assert_eq!(text.charset.as_deref(), Some("us-ascii"));
        assert_eq!(text.encoding, "7bit");
        assert_eq!(text.size, 1152);
        assert!(!text.is_attachment());
        let bin = find("2");
        assert_eq!(bin.encoding, "base64");
        assert_eq!(bin.size, 4554);
        assert_eq!(
            find("4.1").content_id.as_deref(),
            Some("<960723163407.20117h@cac.washington.edu>")
        );
        assert_eq!(root.size, 1152 + 4554 + 2000 + 4000);
        assert!(root.is_multipart());
        assert!(!text.is_multipart());
        assert!(root.find(&"5".parse().unwrap()).is_none());
    }

    #[test]
    fn single_part_message_is_section_1() {
        let root = parse_part(
            r#"("TEXT" "PLAIN" ("CHARSET" "UTF-8") NIL NIL "QUOTED-PRINTABLE" 42 3 NIL NIL NIL NIL)"#,
        );
        assert_eq!(root.section.imap_spec(), "1");
        assert_eq!(root.encoding, "quoted-printable");
        assert_eq!(root.charset.as_deref(), Some("utf-8"));
        assert_eq!(root.walk().count(), 1);
    }

    #[test]
    fn message_with_single_part_body_numbers_it_p_1() {
        let root = parse_part(concat!(
            r#"(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 10 1)"#,
            r#"("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 300 ("Mon, 1 Jan 2024 00:00:00 +0000" "hi" NIL NIL NIL NIL NIL NIL NIL NIL) "#,
            r#"("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "BASE64" 100 2) 12) "MIXED")"#
        ));
        let sections: Vec<String> = root.walk().map(|p| p.section.to_string()).collect();
        assert_eq!(sections, ["TEXT", "1", "2", "2.1"]);
        assert_eq!(
            root.find(&"2.1".parse().unwrap()).unwrap().mime_type,
            "text/html"
        );
    }

    #[test]
    fn decodes_rfc2231_and_rfc2047_filenames() {
        let root = parse_part(concat!(
            r#"(("TEXT" "PLAIN" ("CHARSET" "gb2312") NIL NIL "BASE64" 8 1 NIL ("ATTACHMENT" ("FILENAME*" "gb2312''%C4%E3%BA%C3.txt" "SIZE" "6")) NIL NIL)"#,
            r#"("APPLICATION" "PDF" ("NAME" "=?UTF-8?B?5oql5ZGKLnBkZg==?=") NIL NIL "BASE64" 1000 NIL NIL NIL NIL)"#,
            r#"("TEXT" "HTML" ("CHARSET" "utf-8" "NAME" "body.html") NIL NIL "7BIT" 5 1 NIL ("INLINE" NIL) NIL NIL)"#,
            r#" "MIXED" ("BOUNDARY" "b1") NIL NIL NIL)"#
        ));
        let txt = &root.children[0];
        assert_eq!(txt.filename.as_deref(), Some("你好.txt"));
        assert_eq!(txt.disposition.as_deref(), Some("attachment"));
        assert_eq!(txt.size, 6);
        assert!(txt.is_attachment());
        let pdf = &root.children[1];
        assert_eq!(pdf.filename.as_deref(), Some("报告.pdf"));
        assert_eq!(pdf.disposition, None);
        assert!(pdf.is_attachment());
        let html = &root.children[2];
        assert_eq!(html.filename.as_deref(), Some("body.html"));
        assert!(!html.is_attachment());
        assert_eq!(root.params, [("boundary".to_string(), "b1".to_string())]);
    }

    #[test]
    fn empty_disposition_filename_falls_back_to_name() {
        let part = parse_part(
            r#"("application" "pdf" ("name" "x.pdf") NIL NIL "base64" 10 NIL ("attachment" ("filename" "")) NIL NIL)"#,
        );
        assert_eq!(part.filename.as_deref(), Some("x.pdf"));
        assert_eq!(part.mime_type, "application/pdf");
        assert_eq!(part.encoding, "base64");
    }
}
