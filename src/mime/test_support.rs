//! The MIME fixtures shared by the unit tests (of `mime` and of the body cache).

use imap_proto::types::{AttributeValue, Response};

use crate::mime::structure::{Part, from_bodystructure};

/// The RFC 3501 section 6.4.5 example: parts 1 to 4.2.2.2. The integration tests read the
/// same file (tests/support/ui.rs).
pub(crate) const SEED_BODYSTRUCTURE: &str =
    include_str!("../../tests/fixtures/rfc3501.bodystructure").trim_ascii_end();

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
