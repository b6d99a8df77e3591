//! IMAP part specifiers (RFC 3501 section 6.4.5), e.g. `4.2.2.1` or `4.2.TEXT`.

use std::fmt;
use std::str::FromStr;

/// A part number as used inside `BODY.PEEK[...]`.
///
/// A multipart that is the body of a message has no number of its own, so it
/// is addressed as the `TEXT` of that message: `TEXT` for the top-level
/// multipart, `4.2.TEXT` for the multipart body of the message/rfc822 part
/// `4.2`. An empty path without `text` is the whole message (`BODY[]`).
/// The derived order puts `p` before `p.TEXT` before `p.1`, which is
/// pre-order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Section {
    pub path: Vec<u32>,
    pub text: bool,
}

impl Section {
    /// What goes between the brackets of `BODY.PEEK[...]`.
    pub fn imap_spec(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, n) in self.path.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{n}")?;
        }
        if self.text {
            if !self.path.is_empty() {
                f.write_str(".")?;
            }
            f.write_str("TEXT")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionParseError(String);

impl fmt::Display for SectionParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid section {:?}: expected numbers separated by dots, like 4.2.1",
            self.0
        )
    }
}

impl std::error::Error for SectionParseError {}

impl FromStr for Section {
    type Err = SectionParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || SectionParseError(s.to_string());
        let mut path = Vec::new();
        let mut text = false;
        let mut pieces = s.split('.').peekable();
        while let Some(piece) = pieces.next() {
            if piece.eq_ignore_ascii_case("TEXT") && pieces.peek().is_none() {
                text = true;
                break;
            }
            // u32::from_str would also take "+1", which is not IMAP syntax.
            if piece.is_empty() || !piece.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err());
            }
            match piece.parse::<u32>() {
                Ok(n) if n > 0 => path.push(n),
                _ => return Err(err()),
            }
        }
        Ok(Section { path, text })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sec(path: &[u32], text: bool) -> Section {
        Section {
            path: path.to_vec(),
            text,
        }
    }

    #[test]
    fn displays_numbers_and_text() {
        assert_eq!(sec(&[4, 2, 2, 1], false).to_string(), "4.2.2.1");
        assert_eq!(sec(&[], true).to_string(), "TEXT");
        assert_eq!(sec(&[4, 2], true).to_string(), "4.2.TEXT");
        assert_eq!(sec(&[1], false).imap_spec(), "1");
        assert_eq!(sec(&[4, 2], true).imap_spec(), "4.2.TEXT");
    }

    #[test]
    fn parses_valid_specs() {
        assert_eq!("1".parse(), Ok(sec(&[1], false)));
        assert_eq!("4.2.2.1".parse(), Ok(sec(&[4, 2, 2, 1], false)));
        assert_eq!("TEXT".parse(), Ok(sec(&[], true)));
        assert_eq!("text".parse(), Ok(sec(&[], true)));
        assert_eq!("4.2.Text".parse(), Ok(sec(&[4, 2], true)));
        assert_eq!("4294967295".parse(), Ok(sec(&[u32::MAX], false)));
    }

    #[test]
    fn rejects_invalid_specs() {
        for bad in [
            "",
            "0",
            "1.0",
            "1..2",
            "a",
            ".1",
            "1.",
            "4294967296",
            "+1",
            "TEXT.1",
            "1.TEXT.",
            " 1",
            "１",
        ] {
            assert!(
                bad.parse::<Section>().is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn error_message_names_the_input() {
        let e = "1..2".parse::<Section>().unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"invalid section "1..2": expected numbers separated by dots, like 4.2.1"#
        );
    }

    #[test]
    fn round_trips_and_orders_in_pre_order() {
        let mut v: Vec<Section> = ["3.1", "3", "3.TEXT", "TEXT", "1", "4.2.TEXT", "4.2"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        v.sort();
        let shown: Vec<String> = v.iter().map(Section::to_string).collect();
        assert_eq!(
            shown,
            ["TEXT", "1", "3", "3.TEXT", "3.1", "4.2", "4.2.TEXT"]
        );
    }
}
