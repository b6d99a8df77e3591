//! Choosing which parts a reader shows as the message text.

use crate::mime::structure::Part;

/// The text parts to show, in order. In a multipart/alternative only one
/// alternative is shown (plain text preferred); elsewhere every inline
/// text/plain or text/html part that is not an attachment, including those of
/// forwarded messages (message/rfc822), which readers show inline.
pub fn display_parts(root: &Part) -> Vec<&Part> {
    let mut out = Vec::new();
    if root.children.is_empty() {
        if root.mime_type.starts_with("text/") {
            out.push(root);
        }
    } else {
        collect(root, &mut out);
    }
    out
}

/// The other text rendering of `chosen` in its multipart/alternative (the
/// HTML one if `chosen` is plain, and the other way round), for a toggle.
pub fn alternatives<'a>(root: &'a Part, chosen: &Part) -> Option<&'a Part> {
    // Pre-order visits ancestors outside in, so the last match is innermost.
    let alt = root
        .walk()
        .filter(|p| is_alternative(p) && contains(p, chosen))
        .last()?;
    let wanted = if chosen.mime_type == "text/plain" {
        "text/html"
    } else {
        "text/plain"
    };
    let mut candidates = Vec::new();
    for child in alt.children.iter().filter(|c| !contains(c, chosen)) {
        if child.children.is_empty() {
            if child.mime_type.starts_with("text/") {
                candidates.push(child);
            }
        } else {
            collect(child, &mut candidates);
        }
    }
    candidates
        .iter()
        .find(|c| c.mime_type == wanted)
        .or_else(|| candidates.first())
        .copied()
}

fn collect<'a>(part: &'a Part, out: &mut Vec<&'a Part>) {
    if is_alternative(part) {
        match preferred_alternative(part) {
            Some(leaf) if leaf.children.is_empty() => out.push(leaf),
            Some(nested) => collect(nested, out),
            None => {}
        }
    } else if !part.children.is_empty() {
        for child in &part.children {
            collect(child, out);
        }
    } else if is_body_text(part) {
        out.push(part);
    }
}

/// Plain text, else HTML, else a nested multipart that has something to show
/// (e.g. multipart/related around the HTML), else any other text/*. Among
/// equals the last wins: RFC 2046 orders alternatives by increasing preference.
fn preferred_alternative(alt: &Part) -> Option<&Part> {
    let leaf_of = |ty: &str| {
        alt.children
            .iter()
            .rev()
            .find(|c| c.children.is_empty() && c.mime_type == ty)
    };
    leaf_of("text/plain")
        .or_else(|| leaf_of("text/html"))
        .or_else(|| {
            alt.children
                .iter()
                .rev()
                .find(|c| !c.children.is_empty() && shows_text(c))
        })
        .or_else(|| {
            alt.children
                .iter()
                .rev()
                .find(|c| c.children.is_empty() && c.mime_type.starts_with("text/"))
        })
}

fn shows_text(part: &Part) -> bool {
    let mut found = Vec::new();
    collect(part, &mut found);
    !found.is_empty()
}

fn is_alternative(part: &Part) -> bool {
    part.mime_type == "multipart/alternative"
}

fn is_body_text(part: &Part) -> bool {
    matches!(part.mime_type.as_str(), "text/plain" | "text/html") && !part.is_attachment()
}

fn contains(ancestor: &Part, part: &Part) -> bool {
    ancestor.walk().any(|p| p.section == part.section)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::test_support::{SEED_BODYSTRUCTURE, parse_part};

    fn sections(parts: &[&Part]) -> Vec<String> {
        parts.iter().map(|p| p.section.to_string()).collect()
    }

    #[test]
    fn seed_shows_the_inline_texts() {
        let root = parse_part(SEED_BODYSTRUCTURE);
        assert_eq!(
            sections(&display_parts(&root)),
            ["1", "3.1", "4.2.1", "4.2.2.1"]
        );
    }

    #[test]
    fn seed_toggle_finds_the_other_alternative() {
        let root = parse_part(SEED_BODYSTRUCTURE);
        let plain = root.find(&"4.2.2.1".parse().unwrap()).unwrap();
        let other = alternatives(&root, plain).unwrap();
        assert_eq!(other.section.to_string(), "4.2.2.2");
        let first = root.find(&"1".parse().unwrap()).unwrap();
        assert!(alternatives(&root, first).is_none());
    }

    const PLAIN: &str = r#"("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 10 1)"#;
    const HTML: &str = r#"("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "7BIT" 10 1)"#;
    const IMG: &str = r#"("IMAGE" "PNG" ("NAME" "logo.png") "<logo>" NIL "BASE64" 10 NIL ("INLINE" NIL) NIL NIL)"#;

    #[test]
    fn alternative_prefers_plain_and_toggles_into_related_html() {
        let root = parse_part(&format!(
            r#"({PLAIN}({HTML}{IMG} "RELATED") "ALTERNATIVE")"#
        ));
        let shown = display_parts(&root);
        assert_eq!(sections(&shown), ["1"]);
        let html = alternatives(&root, shown[0]).unwrap();
        assert_eq!(html.section.to_string(), "2.1");
        let back = alternatives(&root, html).unwrap();
        assert_eq!(back.section.to_string(), "1");
    }

    #[test]
    fn alternative_without_plain_uses_html_inside_related() {
        let root = parse_part(&format!(
            r#"(({HTML}{IMG} "RELATED")("TEXT" "ENRICHED" NIL NIL NIL "7BIT" 5 1) "ALTERNATIVE")"#
        ));
        assert_eq!(sections(&display_parts(&root)), ["1.1"]);
    }

    #[test]
    fn single_part_messages() {
        let html = parse_part(HTML);
        assert_eq!(sections(&display_parts(&html)), ["1"]);
        let pdf = parse_part(r#"("APPLICATION" "PDF" NIL NIL NIL "BASE64" 10)"#);
        assert!(display_parts(&pdf).is_empty());
    }

    #[test]
    fn attachments_are_not_shown_as_text() {
        let root = parse_part(&format!(
            r#"({HTML}("TEXT" "PLAIN" ("NAME" "notes.txt") NIL NIL "7BIT" 10 1 NIL ("ATTACHMENT" NIL) NIL NIL) "MIXED")"#
        ));
        assert_eq!(sections(&display_parts(&root)), ["1"]);
    }
}
