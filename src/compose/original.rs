//! The message being answered or forwarded, reduced to what a reply or forward needs: its
//! addresses, threading ids, subject, date, the text to quote, and (for an inline forward) its
//! attachments. Built from a whole raw message, or from a header block plus the parts a caller
//! fetched by section (so a reply never downloads attachments).

use mail_parser::{Address, HeaderValue, Message, MessageParser, MimeHeaders, PartType};

use super::address::Mailbox;
use crate::mime::{html_to_text, sanitize_text};

/// HTML originals are quoted from a rendering this wide, leaving room for the `> `.
const HTML_QUOTE_WIDTH: usize = 76;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Original {
    pub from: Vec<Mailbox>,
    pub reply_to: Vec<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    /// `Delivered-To` and `X-Original-To`: where the mail arrived when To/Cc do not say (Bcc,
    /// lists).
    pub delivered_to: Vec<Mailbox>,
    /// Without angle brackets.
    pub message_id: Option<String>,
    pub references: Vec<String>,
    pub in_reply_to: Vec<String>,
    pub subject: String,
    /// RFC 822 form, for the attribution line.
    pub date: Option<String>,
    /// The body as text (HTML rendered), signature included; quoting drops it.
    pub text: String,
    pub attachments: Vec<Attachment>,
}

/// A decoded attachment of the original, carried by an inline forward.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub mime_type: String,
    pub bytes: Vec<u8>,
}

/// One text part as fetched: its MIME type and its decoded text.
pub struct TextPart<'a> {
    pub mime_type: &'a str,
    pub text: &'a str,
}

impl Original {
    /// From a header block (`BODY[HEADER]`) and the text parts a reader would show, in order.
    pub fn from_parts(header: &[u8], texts: &[TextPart<'_>]) -> Original {
        let mut original = MessageParser::default()
            .parse_headers(header)
            .map(|m| from_headers(&m))
            .unwrap_or_default();
        let rendered: Vec<String> = texts.iter().map(|t| as_text(t.mime_type, t.text)).collect();
        original.text = rendered.join("\n");
        original
    }

    /// From a whole raw message: headers, text bodies and attachments.
    pub fn from_raw(raw: &[u8]) -> Original {
        let Some(message) = MessageParser::default().parse(raw) else {
            return Original::default();
        };
        let mut original = from_headers(&message);
        let texts: Vec<String> = message
            .text_bodies()
            .map(|p| match &p.body {
                PartType::Html(h) => as_text("text/html", h),
                _ => as_text("text/plain", p.text_contents().unwrap_or_default()),
            })
            .collect();
        original.text = texts.join("\n");
        original.attachments = attachments(&message);
        original
    }

    /// The mailboxes a reply goes to: Reply-To when given, else From.
    pub fn reply_target(&self) -> &[Mailbox] {
        if self.reply_to.is_empty() {
            &self.from
        } else {
            &self.reply_to
        }
    }

    /// Who wrote it, for the attribution line: the first sender's name, else address.
    pub fn author(&self) -> String {
        self.from.first().map_or_else(
            || "someone".to_string(),
            |m| m.name.clone().unwrap_or_else(|| m.addr.clone()),
        )
    }
}

/// The text as the user will see it in the editor: HTML rendered, escape sequences and
/// control characters a hostile mail may hold removed (as the reader removes them).
fn as_text(mime_type: &str, text: &str) -> String {
    if mime_type.eq_ignore_ascii_case("text/html") {
        html_to_text(text, HTML_QUOTE_WIDTH).lines.join("\n")
    } else {
        sanitize_text(text)
    }
}

fn from_headers(m: &Message<'_>) -> Original {
    let list = |a: Option<&Address<'_>>| -> Vec<Mailbox> {
        a.map(|a| {
            a.iter()
                .filter_map(|x| x.address().map(|addr| Mailbox::new(x.name(), addr)))
                .collect()
        })
        .unwrap_or_default()
    };
    let mut delivered_to = Vec::new();
    for name in ["Delivered-To", "X-Original-To"] {
        for v in m.header_values(name) {
            if let Some(t) = v.as_text() {
                delivered_to.push(Mailbox::new(None, t.trim_matches(['<', '>', ' '])));
            }
        }
    }
    Original {
        from: list(m.from()),
        reply_to: list(m.reply_to()),
        to: list(m.to()),
        cc: list(m.cc()),
        delivered_to,
        message_id: m.message_id().map(str::to_string),
        references: ids(m.references()),
        in_reply_to: ids(m.in_reply_to()),
        subject: m.subject().unwrap_or_default().to_string(),
        date: m.date().map(|d| d.to_rfc822()),
        ..Original::default()
    }
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    }
}

fn attachments(m: &Message<'_>) -> Vec<Attachment> {
    m.attachments()
        .enumerate()
        .map(|(i, p)| {
            let mime_type = p.content_type().map_or_else(
                || "application/octet-stream".to_string(),
                |c| match c.subtype() {
                    Some(s) => format!("{}/{}", c.ctype(), s).to_ascii_lowercase(),
                    None => c.ctype().to_ascii_lowercase(),
                },
            );
            let name = p
                .attachment_name()
                .map(str::to_string)
                .unwrap_or_else(|| format!("attachment-{}", i + 1));
            Attachment {
                name,
                mime_type,
                bytes: p.contents().to_vec(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAW: &[u8] = b"From: Erin Walsh <erin@acme.example>\r\n\
Reply-To: team@acme.example\r\n\
To: Alice <alice@example.com>, dave@acme.example\r\n\
Cc: =?UTF-8?B?0J7Qu9GM0LPQsA==?= <olga@example.ru>\r\n\
Delivered-To: alice@example.org\r\n\
Subject: =?UTF-8?Q?Re:_caf=C3=A9?=\r\n\
Date: Wed, 19 Nov 2025 19:05:00 +0100\r\n\
Message-ID: <m2@acme.example>\r\n\
In-Reply-To: <m1@acme.example>\r\n\
References: <m0@acme.example> <m1@acme.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\
\r\n\
--b\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Hello\r\n\
--b\r\n\
Content-Type: application/pdf; name=\"r.pdf\"\r\n\
Content-Disposition: attachment; filename=\"r.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0=\r\n\
--b--\r\n";

    #[test]
    fn reads_addresses_ids_and_attachments() {
        let o = Original::from_raw(RAW);
        assert_eq!(
            o.from,
            [Mailbox::new(Some("Erin Walsh"), "erin@acme.example")]
        );
        assert_eq!(o.reply_target()[0].addr, "team@acme.example");
        assert_eq!(o.to.len(), 2);
        assert_eq!(o.cc[0].name.as_deref(), Some("Ольга"));
        assert_eq!(o.delivered_to[0].addr, "alice@example.org");
        assert_eq!(o.message_id.as_deref(), Some("m2@acme.example"));
        assert_eq!(o.references, ["m0@acme.example", "m1@acme.example"]);
        assert_eq!(o.in_reply_to, ["m1@acme.example"]);
        assert_eq!(o.subject, "Re: café");
        assert_eq!(o.date.as_deref(), Some("Wed, 19 Nov 2025 19:05:00 +0100"));
        assert_eq!(o.text.trim_end(), "Hello");
        assert_eq!(
            o.attachments,
            [Attachment {
                name: "r.pdf".into(),
                mime_type: "application/pdf".into(),
                bytes: b"%PDF-".to_vec(),
            }]
        );
    }

    #[test]
    fn escape_sequences_do_not_reach_the_editor() {
        let raw = b"From: a@x.org\r\n\r\nred \x1b[31mtext\x1b]0;title\x07 end\r\n";
        let o = Original::from_raw(raw);
        assert!(
            !o.text.contains('\x1b') && !o.text.contains('\x07'),
            "{:?}",
            o.text
        );
        assert!(
            o.text.starts_with("red ") && o.text.contains("text"),
            "{:?}",
            o.text
        );
    }

    #[test]
    fn html_only_is_quoted_from_its_rendering() {
        let header = b"From: a@x.org\r\nSubject: news\r\n\r\n";
        let o = Original::from_parts(
            header,
            &[TextPart {
                mime_type: "text/html",
                text: "<p>Hello <b>there</b></p><p>Second &amp; last</p>",
            }],
        );
        assert!(o.text.contains("Hello"), "{}", o.text);
        assert!(o.text.contains("Second & last"), "{}", o.text);
        assert!(!o.text.contains('<'), "{}", o.text);
        let raw =
            b"From: a@x.org\r\nContent-Type: text/html\r\n\r\n<div>Only <i>HTML</i></div>\r\n";
        let o = Original::from_raw(raw);
        assert!(o.text.contains("Only"), "{}", o.text);
        assert!(!o.text.contains("<div>"), "{}", o.text);
    }
}
