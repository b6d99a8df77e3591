//! The quoted part of a reply: an attribution line, then the original's text with `> ` before
//! each line and its signature left out.

use super::original::Original;

/// `On <date>, <author> wrote:` then the quoted text.
pub fn quoted_reply(original: &Original) -> String {
    let attribution = match &original.date {
        Some(date) => format!("On {date}, {} wrote:", original.author()),
        None => format!("{} wrote:", original.author()),
    };
    let mut out = attribution;
    out.push('\n');
    out.push_str(&quote(without_signature(&original.text)));
    out
}

/// Every line prefixed with `> ` (`>` alone on an empty line, so no trailing blank), trailing
/// blank lines dropped.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 20);
    for line in text.trim_end().lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            out.push_str(">\n");
        } else if line.starts_with('>') {
            // Nested quotes stay compact: `>> x`, as most clients write them.
            out.push('>');
            out.push_str(line);
            out.push('\n');
        } else {
            out.push_str("> ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `text` up to its signature separator: the last line that is exactly `-- ` (or `--`, as
/// editors that strip trailing blanks leave it).
pub fn without_signature(text: &str) -> &str {
    let mut cut = text.len();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == "-- " || bare == "--" {
            cut = at;
        }
        at += line.len();
    }
    &text[..cut]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_every_line_and_nests_quotes() {
        assert_eq!(
            quote("Hi Bob,\r\n\r\n> earlier\nthanks\n\n\n"),
            "> Hi Bob,\n>\n>> earlier\n> thanks\n"
        );
        assert_eq!(quote(""), "");
    }

    #[test]
    fn drops_the_signature() {
        assert_eq!(without_signature("text\n-- \nErin\nCTO\n"), "text\n");
        assert_eq!(without_signature("text\r\n--\r\nErin\r\n"), "text\r\n");
        assert_eq!(without_signature("a -- b\n--- \nc\n"), "a -- b\n--- \nc\n");
        // A quoted signature is text; the writer's own (the last) is cut.
        assert_eq!(
            without_signature("new\n-- \nsig1\n> old\n-- \nsig2"),
            "new\n-- \nsig1\n> old\n"
        );
    }

    #[test]
    fn attribution_names_date_and_author() {
        let o = Original {
            text: "Hello\n-- \nErin".into(),
            date: Some("Wed, 19 Nov 2025 19:05:00 +0100".into()),
            from: vec![super::super::address::Mailbox::new(
                Some("Erin Walsh"),
                "erin@acme.example",
            )],
            ..Original::default()
        };
        assert_eq!(
            quoted_reply(&o),
            "On Wed, 19 Nov 2025 19:05:00 +0100, Erin Walsh wrote:\n> Hello\n"
        );
        let undated = Original {
            text: "x".into(),
            ..Original::default()
        };
        assert_eq!(quoted_reply(&undated), "someone wrote:\n> x\n");
    }
}
