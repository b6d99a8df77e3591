//! Fixtures shared by the unit tests.

use imap_proto::types::{AttributeValue, Response};

use crate::mime::structure::{Part, from_bodystructure};

/// The RFC 3501 section 6.4.5 example: parts 1 to 4.2.2.2.
pub(crate) const SEED_BODYSTRUCTURE: &str = concat!(
    "(",
    r#"("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23)"#,
    r#"("APPLICATION" "OCTET-STREAM" ("NAME" "cc.diff") NIL "Compiler diff" "BASE64" 4554)"#,
    r#"("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 2000 "#,
    r#"("Tue, 23 Jul 1996 16:34:07 -0700" "inner one" NIL NIL NIL NIL NIL NIL NIL NIL) "#,
    r#"(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 300 10)"#,
    r#"("APPLICATION" "OCTET-STREAM" ("NAME" "a.bin") NIL NIL "BASE64" 1200) "MIXED") 50)"#,
    r#"(("IMAGE" "GIF" ("NAME" "cc.gif") "<960723163407.20117h@cac.washington.edu>" NIL "BASE64" 1500)"#,
    r#"("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 2500 "#,
    r#"("Tue, 23 Jul 1996 16:34:07 -0700" "inner two" NIL NIL NIL NIL NIL NIL NIL NIL) "#,
    r#"(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 400 12)"#,
    r#"(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "QUOTED-PRINTABLE" 500 15)"#,
    r#"("TEXT" "RICHTEXT" ("CHARSET" "US-ASCII") NIL NIL "QUOTED-PRINTABLE" 700 20) "ALTERNATIVE") "MIXED") 60) "MIXED")"#,
    " \"MIXED\")"
);

/// Parses `bs` the way a server response would be parsed, then builds the tree.
pub(crate) fn parse_part(bs: &str) -> Part {
    let line = format!("* 1 FETCH (BODYSTRUCTURE {bs})\r\n");
    match imap_proto::parser::parse_response(line.as_bytes()) {
        Ok((_, Response::Fetch(_, attrs))) => attrs
            .iter()
            .find_map(|a| match a {
                AttributeValue::BodyStructure(b) => Some(from_bodystructure(b)),
                _ => None,
            })
            .expect("no BODYSTRUCTURE in the fetch"),
        other => panic!("unparseable BODYSTRUCTURE: {other:?}"),
    }
}
