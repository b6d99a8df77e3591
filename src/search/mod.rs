//! The search language of `/` and `tern search`, compiled to IMAP SEARCH criteria.
//!
//! ```text
//! from:alice is:unread            both must hold
//! subject:"quarterly report"      quoted phrases
//! from:alice or from:bob          or binds looser than juxtaposition
//! not is:seen   -is:seen          negation
//! (from:a or to:a) since:2026-01-01 larger:1M
//! invoice                         a bare word searches the whole message (TEXT)
//! ```
//! A malformed query is refused with the column of the bad token; nothing is sent.

mod lexer;

use std::fmt;

use lexer::{Token, TokenKind, tokenize};

/// A parsed query, ready to be written as IMAP criteria.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    All,
    And(Vec<Query>),
    Or(Box<Query>, Box<Query>),
    Not(Box<Query>),
    /// `FROM "x"`, `SUBJECT "x"`, `BODY "x"`, `TEXT "x"`…
    Text {
        key: &'static str,
        value: String,
    },
    /// `SINCE 1-Feb-2026`, `BEFORE`, `ON`.
    Date {
        key: &'static str,
        day: String,
    },
    /// `LARGER n`, `SMALLER n`.
    Size {
        key: &'static str,
        bytes: u64,
    },
    /// `SEEN`, `UNSEEN`, `FLAGGED`…
    Flag(&'static str),
    /// Messages whose top-level type is multipart/mixed: the closest IMAP SEARCH gets to
    /// "has an attachment" without downloading structures.
    HasAttachment,
    /// `UID 2:4,7`: a set already written in IMAP's sequence-set syntax, to learn which of
    /// the UIDs a script named exist before acting on them.
    Uids(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based column (in characters) of the offending token.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

pub fn parse(input: &str) -> Result<Query, ParseError> {
    let tokens = tokenize(input)?;
    let mut p = Parser { tokens, pos: 0 };
    if p.tokens.is_empty() {
        return Ok(Query::All);
    }
    let q = p.or_expr()?;
    match p.tokens.get(p.pos) {
        Some(t) => Err(err(t, format!("unexpected {}", t.describe()))),
        None => Ok(q),
    }
}

fn err(t: &Token, message: String) -> ParseError {
    ParseError {
        column: t.column,
        message,
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn or_expr(&mut self) -> Result<Query, ParseError> {
        let mut left = self.and_expr()?;
        while matches!(self.peek(), Some(t) if t.kind == TokenKind::Or) {
            let or = self.tokens[self.pos].clone();
            self.pos += 1;
            if self.peek().is_none() {
                return Err(err(&or, "\"or\" needs something on its right".into()));
            }
            let right = self.and_expr()?;
            left = Query::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Query, ParseError> {
        let mut parts = vec![self.unary()?];
        while let Some(t) = self.peek() {
            if matches!(t.kind, TokenKind::Or | TokenKind::Close) {
                break;
            }
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Query, ParseError> {
        let Some(t) = self.peek().cloned() else {
            let column = self.tokens.last().map_or(1, |t| t.column + t.width);
            return Err(ParseError {
                column,
                message: "the query ends too early".into(),
            });
        };
        self.pos += 1;
        match t.kind {
            TokenKind::Not => {
                if self.peek().is_none() {
                    return Err(err(&t, "\"not\" needs something to negate".into()));
                }
                Ok(Query::Not(Box::new(self.unary()?)))
            }
            TokenKind::Open => {
                let inner = self.or_expr()?;
                match self.peek() {
                    Some(c) if c.kind == TokenKind::Close => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    _ => Err(err(&t, "this ( is never closed".into())),
                }
            }
            TokenKind::Close => Err(err(&t, "unexpected )".into())),
            TokenKind::Or => Err(err(&t, "\"or\" needs something on its left".into())),
            TokenKind::Word(ref w) => Ok(Query::Text {
                key: "TEXT",
                value: w.clone(),
            }),
            TokenKind::Field(ref key, ref value) => term(&t, key, value),
        }
    }
}

fn term(t: &Token, key: &str, value: &str) -> Result<Query, ParseError> {
    let text = |key| {
        Ok(Query::Text {
            key,
            value: value.to_string(),
        })
    };
    if value.is_empty() {
        return Err(err(t, format!("{key}: needs a value")));
    }
    match key {
        "from" => text("FROM"),
        "to" => text("TO"),
        "cc" => text("CC"),
        "bcc" => text("BCC"),
        "subject" => text("SUBJECT"),
        "body" => text("BODY"),
        "text" => text("TEXT"),
        "since" | "before" | "on" => Ok(Query::Date {
            key: match key {
                "since" => "SINCE",
                "before" => "BEFORE",
                _ => "ON",
            },
            day: imap_date(value).ok_or_else(|| {
                err(
                    t,
                    format!("{key}: \"{value}\" is not a date like 2026-01-31"),
                )
            })?,
        }),
        "larger" | "smaller" => Ok(Query::Size {
            key: if key == "larger" { "LARGER" } else { "SMALLER" },
            bytes: size(value).ok_or_else(|| {
                err(
                    t,
                    format!("{key}: \"{value}\" is not a size like 500, 20k or 5M"),
                )
            })?,
        }),
        "is" => Ok(Query::Flag(match value.to_ascii_lowercase().as_str() {
            "unread" | "unseen" | "new" => "UNSEEN",
            "read" | "seen" => "SEEN",
            "flagged" | "starred" => "FLAGGED",
            "unflagged" => "UNFLAGGED",
            "answered" | "replied" => "ANSWERED",
            "unanswered" => "UNANSWERED",
            "deleted" => "DELETED",
            "undeleted" => "UNDELETED",
            "draft" => "DRAFT",
            _ => {
                return Err(err(
                    t,
                    format!(
                        "is:{value} is unknown; use unread, read, flagged, unflagged, answered, unanswered, deleted, undeleted or draft"
                    ),
                ));
            }
        })),
        "has" if value.eq_ignore_ascii_case("attachment") => Ok(Query::HasAttachment),
        "has" => Err(err(
            t,
            format!("has:{value} is unknown; use has:attachment"),
        )),
        _ => Err(err(
            t,
            format!(
                "unknown key \"{key}:\"; use from, to, cc, bcc, subject, body, text, since, before, on, larger, smaller, is or has"
            ),
        )),
    }
}

/// `2026-01-31` → `31-Jan-2026` (the IMAP date format).
fn imap_date(s: &str) -> Option<String> {
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(d.format("%-d-%b-%Y").to_string())
}

fn size(s: &str) -> Option<u64> {
    let lower = s.to_ascii_lowercase();
    let (digits, unit) = match lower.strip_suffix(['k', 'm', 'g']) {
        Some(d) => (d, lower.chars().last()),
        None => (lower.as_str(), None),
    };
    let n: u64 = digits.parse().ok()?;
    let mult = match unit {
        Some('k') => 1 << 10,
        Some('m') => 1 << 20,
        Some('g') => 1 << 30,
        _ => 1,
    };
    n.checked_mul(mult)
}

impl Query {
    /// True when some text value is not ASCII, so the command needs `CHARSET UTF-8`.
    pub fn needs_utf8(&self) -> bool {
        match self {
            Query::And(v) => v.iter().any(Query::needs_utf8),
            Query::Or(a, b) => a.needs_utf8() || b.needs_utf8(),
            Query::Not(q) => q.needs_utf8(),
            Query::Text { value, .. } => !value.is_ascii(),
            _ => false,
        }
    }

    /// IMAP SEARCH criteria. With `literal_plus`, non-ASCII strings are sent as
    /// non-synchronising literals (RFC 7888); otherwise as quoted UTF-8, which servers accept
    /// after `CHARSET UTF-8`.
    pub fn to_imap(&self, literal_plus: bool) -> String {
        let mut out = String::new();
        self.write(&mut out, literal_plus);
        out
    }

    fn write(&self, out: &mut String, lp: bool) {
        match self {
            Query::All => out.push_str("ALL"),
            Query::And(v) => {
                out.push('(');
                for (i, q) in v.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    q.write(out, lp);
                }
                out.push(')');
            }
            Query::Or(a, b) => {
                out.push_str("OR ");
                a.write(out, lp);
                out.push(' ');
                b.write(out, lp);
            }
            Query::Not(q) => {
                out.push_str("NOT ");
                q.write(out, lp);
            }
            Query::Text { key, value } => {
                out.push_str(key);
                out.push(' ');
                out.push_str(&string(value, lp));
            }
            Query::Date { key, day } => out.push_str(&format!("{key} {day}")),
            Query::Size { key, bytes } => out.push_str(&format!("{key} {bytes}")),
            Query::Flag(f) => out.push_str(f),
            Query::HasAttachment => out.push_str("HEADER Content-Type \"multipart/mixed\""),
            Query::Uids(set) => {
                out.push_str("UID ");
                out.push_str(set);
            }
        }
    }
}

fn string(value: &str, literal_plus: bool) -> String {
    let clean: String = value.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    if literal_plus && !clean.is_ascii() {
        format!("{{{}+}}\r\n{clean}", clean.len())
    } else {
        crate::utf7::quote(&clean)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imap(q: &str) -> String {
        parse(q).unwrap().to_imap(false)
    }

    #[test]
    fn every_operator_compiles() {
        assert_eq!(imap("from:alice is:unread"), "(FROM \"alice\" UNSEEN)");
        assert_eq!(
            imap("from:alice or from:bob"),
            "OR FROM \"alice\" FROM \"bob\""
        );
        assert_eq!(imap("not is:seen"), "NOT SEEN");
        assert_eq!(imap("-is:flagged"), "NOT FLAGGED");
        assert_eq!(
            imap("subject:\"quarterly report\""),
            "SUBJECT \"quarterly report\""
        );
        assert_eq!(
            imap("since:2026-02-01 before:2026-03-01"),
            "(SINCE 1-Feb-2026 BEFORE 1-Mar-2026)"
        );
        assert_eq!(imap("on:2026-12-25"), "ON 25-Dec-2026");
        assert_eq!(
            imap("larger:1M smaller:20k"),
            "(LARGER 1048576 SMALLER 20480)"
        );
        assert_eq!(
            imap("(from:a or to:a) has:attachment"),
            "(OR FROM \"a\" TO \"a\" HEADER Content-Type \"multipart/mixed\")"
        );
        assert_eq!(imap("invoice"), "TEXT \"invoice\"");
        assert_eq!(
            imap("body:x cc:y text:z is:answered is:deleted"),
            "(BODY \"x\" CC \"y\" TEXT \"z\" ANSWERED DELETED)"
        );
        assert_eq!(imap(""), "ALL");
        assert_eq!(imap("from:\"a \\\"b\\\"\""), "FROM \"a \\\"b\\\"\"");
    }

    #[test]
    fn non_ascii_uses_utf8() {
        let q = parse("subject:报告").unwrap();
        assert!(q.needs_utf8());
        assert_eq!(q.to_imap(true), "SUBJECT {6+}\r\n报告");
        assert_eq!(q.to_imap(false), "SUBJECT \"报告\"");
    }

    #[test]
    fn errors_point_at_the_bad_token() {
        let e = parse("from:alice frm:bob").unwrap_err();
        assert_eq!(e.column, 12);
        assert!(e.message.contains("frm"), "{e}");
        assert_eq!(parse("since:yesterday").unwrap_err().column, 1);
        assert_eq!(parse("is:maybe").unwrap_err().column, 1);
        assert_eq!(parse("a or").unwrap_err().column, 3);
        assert_eq!(parse("(a b").unwrap_err().column, 1);
        assert_eq!(parse("a )").unwrap_err().column, 3);
        assert_eq!(parse("subject:\"open").unwrap_err().column, 9);
        assert_eq!(parse("larger:huge").unwrap_err().column, 1);
        assert!(parse("from:").is_err());
    }
}
