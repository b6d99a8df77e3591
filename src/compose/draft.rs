//! The draft as the user edits it: the headers From, To, Cc, Bcc and Subject, a blank line,
//! then the body. Parsing says exactly what is wrong (which line, which address), so the
//! review screen or the CLI can show it and send the user back to the editor.

use std::fmt;

use super::address::{self, BadAddress, Mailbox};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub bcc: Vec<Mailbox>,
    pub subject: String,
    /// Lines end in `\n`.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftError {
    /// A line before the blank line that is not `Name: value`.
    NotAHeader {
        line: usize,
        text: String,
    },
    UnknownHeader {
        line: usize,
        name: String,
    },
    BadAddress {
        field: &'static str,
        bad: BadAddress,
    },
    NoFrom,
    NoRecipient,
}

impl fmt::Display for DraftError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DraftError::NotAHeader { line, text } => write!(
                f,
                "line {line}: \"{text}\" is not a header (write Name: value, then a blank line before the body)"
            ),
            DraftError::UnknownHeader { line, name } => write!(
                f,
                "line {line}: unknown header \"{name}\" (a draft has From, To, Cc, Bcc and Subject)"
            ),
            DraftError::BadAddress { field, bad } => write!(f, "{field}: {bad}"),
            DraftError::NoFrom => f.write_str("From: is empty; who is sending?"),
            DraftError::NoRecipient => f.write_str("no recipient: To, Cc and Bcc are all empty"),
        }
    }
}

impl std::error::Error for DraftError {}

/// The header names a draft holds, in the order it writes them.
const FIELDS: [&str; 5] = ["From", "To", "Cc", "Bcc", "Subject"];

impl Draft {
    /// A new, empty message from `from`.
    pub fn new(from: Mailbox) -> Draft {
        Draft {
            from,
            to: Vec::new(),
            cc: Vec::new(),
            bcc: Vec::new(),
            subject: String::new(),
            body: String::new(),
        }
    }

    /// The file the editor opens.
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(self.body.len() + 256);
        for name in FIELDS {
            let value = match name {
                "From" => self.from.to_string(),
                "To" => address::join(&self.to),
                "Cc" => address::join(&self.cc),
                "Bcc" => address::join(&self.bcc),
                _ => self.subject.clone(),
            };
            out.push_str(name);
            out.push(':');
            if !value.is_empty() {
                out.push(' ');
                out.push_str(&value);
            }
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.body);
        out
    }

    /// Reads an edited draft back, ready to send. A header may repeat (To lines add up) or
    /// continue on lines that start with a blank; names are case-insensitive.
    pub fn parse(text: &str) -> Result<Draft, DraftError> {
        Draft::parse_checked(text, true)
    }

    /// [`Draft::parse`] without requiring a recipient yet: for postponing.
    pub fn parse_unaddressed(text: &str) -> Result<Draft, DraftError> {
        Draft::parse_checked(text, false)
    }

    fn parse_checked(text: &str, need_recipient: bool) -> Result<Draft, DraftError> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let mut values: [String; 5] = Default::default();
        let mut current: Option<usize> = None;
        let mut body_start = text.len();
        let mut at = 0;
        for (n, raw) in text.split_inclusive('\n').enumerate() {
            let line = raw.trim_end_matches(['\n', '\r']);
            let line_no = n + 1;
            if line.trim().is_empty() {
                body_start = at + raw.len();
                break;
            }
            at += raw.len();
            if line.starts_with([' ', '\t']) {
                match current {
                    Some(i) => {
                        values[i].push(' ');
                        values[i].push_str(line.trim());
                        continue;
                    }
                    None => {
                        return Err(DraftError::NotAHeader {
                            line: line_no,
                            text: line.trim().to_string(),
                        });
                    }
                }
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(DraftError::NotAHeader {
                    line: line_no,
                    text: line.to_string(),
                });
            };
            let name = name.trim();
            let Some(i) = FIELDS.iter().position(|f| f.eq_ignore_ascii_case(name)) else {
                return Err(if name.contains(char::is_whitespace) || name.is_empty() {
                    DraftError::NotAHeader {
                        line: line_no,
                        text: line.to_string(),
                    }
                } else {
                    DraftError::UnknownHeader {
                        line: line_no,
                        name: name.to_string(),
                    }
                });
            };
            let value = value.trim();
            if !values[i].is_empty() && !value.is_empty() {
                // Repeated address headers add up; a repeated Subject continues the first.
                values[i].push_str(if i == 4 { " " } else { ", " });
            }
            values[i].push_str(value);
            current = Some(i);
        }
        let [from, to, cc, bcc, subject] = values;
        let list = |field: &'static str, v: &str| {
            address::parse_list(v).map_err(|bad| DraftError::BadAddress { field, bad })
        };
        let from = match list("From", &from)?.as_slice() {
            [] => return Err(DraftError::NoFrom),
            [one] => one.clone(),
            _ => {
                return Err(DraftError::BadAddress {
                    field: "From",
                    bad: BadAddress {
                        text: from,
                        why: "only one address is allowed here",
                    },
                });
            }
        };
        let (to, cc, bcc) = (list("To", &to)?, list("Cc", &cc)?, list("Bcc", &bcc)?);
        if need_recipient && to.is_empty() && cc.is_empty() && bcc.is_empty() {
            return Err(DraftError::NoRecipient);
        }
        let body = text[body_start..].replace("\r\n", "\n");
        Ok(Draft {
            from,
            to,
            cc,
            bcc,
            subject,
            body,
        })
    }

    /// Every recipient's address (To, Cc, then Bcc): the SMTP envelope.
    pub fn recipients(&self) -> Vec<String> {
        self.to
            .iter()
            .chain(&self.cc)
            .chain(&self.bcc)
            .map(|m| m.addr.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Draft {
        Draft {
            from: Mailbox::new(Some("Alice Liddell"), "alice@example.org"),
            to: vec![Mailbox::new(Some("Doe, Jane"), "jane@x.org")],
            cc: vec![],
            bcc: vec![Mailbox::new(None, "secret@x.org")],
            subject: "Re: café".into(),
            body: "Hello\n\n> quoted\n".into(),
        }
    }

    #[test]
    fn text_round_trips() {
        let d = sample();
        let text = d.to_text();
        assert_eq!(
            text,
            "From: Alice Liddell <alice@example.org>\nTo: \"Doe, Jane\" <jane@x.org>\nCc:\n\
             Bcc: secret@x.org\nSubject: Re: café\n\nHello\n\n> quoted\n"
        );
        assert_eq!(Draft::parse(&text).unwrap(), d);
        assert_eq!(Draft::parse(&text.replace('\n', "\r\n")).unwrap(), d);
    }

    #[test]
    fn headers_fold_repeat_and_ignore_case() {
        let d = Draft::parse(
            "from: a@x.org\nTO: b@x.org,\n  c@x.org\nto: d@x.org\nSubject: one\n two\n\nbody",
        )
        .unwrap();
        let to: Vec<&str> = d.to.iter().map(|m| m.addr.as_str()).collect();
        assert_eq!(to, ["b@x.org", "c@x.org", "d@x.org"]);
        assert_eq!(d.subject, "one two");
        assert_eq!(d.body, "body");
        assert_eq!(d.recipients(), ["b@x.org", "c@x.org", "d@x.org"]);
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let err = |t: &str| Draft::parse(t).unwrap_err().to_string();
        assert_eq!(
            err("From: a@x.org\nTo: bob@, c@x.org\n\nhi"),
            "To: \"bob@\" is not an address (no domain after the @)"
        );
        assert_eq!(
            err("From: a@x.org\nTo:\nCc:\nBcc:\nSubject: x\n\nhi"),
            "no recipient: To, Cc and Bcc are all empty"
        );
        assert_eq!(
            err("From: a@x.org\nTo: b@x.org\nX-Mailer: me\n\nhi"),
            "line 3: unknown header \"X-Mailer\" (a draft has From, To, Cc, Bcc and Subject)"
        );
        assert!(
            err("From: a@x.org\nTo: b@x.org\nHello Bob,\n")
                .starts_with("line 3: \"Hello Bob,\" is not a header")
        );
        assert_eq!(
            err("From:\nTo: b@x.org\n\n"),
            "From: is empty; who is sending?"
        );
        assert!(err("From: a@x.org, b@x.org\nTo: b@x.org\n\n").contains("only one address"));
    }
}
