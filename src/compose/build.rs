//! The RFC 5322 message for a draft, built with mail-builder: UTF-8 text/plain
//! (quoted-printable or base64, whichever is shorter, lines ≤ 76), RFC 2047 headers, RFC 2231
//! attachment names, base64 attachments, `Date`, `Message-ID` on the sender's domain and
//! `MIME-Version`. An attached message (message/rfc822) goes in byte for byte.
//!
//! Bcc stays in what is built: the send step takes its envelope from To, Cc and Bcc and
//! removes the Bcc header before anything is transmitted or filed in Sent.

use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::raw::Raw;
use mail_builder::headers::text::Text;
use mail_builder::mime::MimePart;

use super::address::Mailbox;
use super::draft::Draft;
use super::meta::Meta;
use super::postpone;

/// An attachment's content, ready to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub name: String,
    pub mime_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// For the send step.
    Submit,
    /// For the Drafts folder: the sidecar's mark goes in `X-Tern-Mark`, so resuming restores
    /// everything.
    Postpone,
}

/// `<unique@domain-of-from>`.
pub fn message_id(draft: &Draft, meta: &Meta) -> String {
    format!("<{}>", bare_message_id(draft, meta))
}

fn bare_message_id(draft: &Draft, meta: &Meta) -> String {
    let domain = match draft.from.domain() {
        "" => "localhost",
        d => d,
    };
    format!("{}@{}", meta.id_local, domain)
}

fn address(m: &Mailbox) -> Address<'_> {
    Address::new_address(m.name.as_deref(), m.addr.as_str())
}

fn list(ms: &[Mailbox]) -> Address<'_> {
    Address::new_list(ms.iter().map(address).collect())
}

/// The whole message. `date` is an RFC 2822 date (see [`now`]).
pub fn build(
    draft: &Draft,
    meta: &Meta,
    attachments: &[Outgoing],
    date: &str,
    purpose: Purpose,
) -> Vec<u8> {
    let mut b = MessageBuilder::new()
        .from(address(&draft.from))
        .subject(draft.subject.as_str())
        .message_id(bare_message_id(draft, meta))
        .header("Date", Raw::new(date));
    if !draft.to.is_empty() {
        b = b.to(list(&draft.to));
    }
    if !draft.cc.is_empty() {
        b = b.cc(list(&draft.cc));
    }
    if !draft.bcc.is_empty() {
        b = b.bcc(list(&draft.bcc));
    }
    if purpose == Purpose::Postpone
        && let Some(mark) = postpone::mark_header(meta)
    {
        b = b.header(postpone::MARK_HEADER, Text::new(mark));
    }
    if let Some(id) = &meta.in_reply_to {
        b = b.in_reply_to(id.as_str());
    }
    if !meta.references.is_empty() {
        b = b.references(meta.references.clone());
    }
    let text = text_part(&draft.body);
    let body = if attachments.is_empty() {
        text
    } else {
        let mut parts = vec![text];
        parts.extend(attachments.iter().map(attachment_part));
        MimePart::new("multipart/mixed", parts)
    };
    b.body(body).write_to_vec().unwrap_or_default()
}

/// The local time now, as a `Date` header wants it.
pub fn now() -> String {
    chrono::Local::now().to_rfc2822()
}

fn text_part(body: &str) -> MimePart<'static> {
    let mut text = body.replace("\r\n", "\n");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    MimePart::new("text/plain", text)
}

fn attachment_part(a: &Outgoing) -> MimePart<'_> {
    let part = MimePart::new(a.mime_type.as_str(), a.bytes.as_slice());
    if a.mime_type.eq_ignore_ascii_case("message/rfc822") {
        // RFC 2046 forbids base64 here; 8bit keeps the original byte for byte.
        let cte = if a.bytes.is_ascii() { "7bit" } else { "8bit" };
        return part.attachment(a.name.as_str()).transfer_encoding(cte);
    }
    part.attachment(a.name.as_str())
}

/// A Content-Type from the file name, else from the first bytes.
pub fn guess_type(name: &str, bytes: &[u8]) -> String {
    if let Some(m) = mime_guess::from_path(name).first() {
        return m.essence_str().to_string();
    }
    let magic: &[(&[u8], &str)] = &[
        (b"%PDF-", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF8", "image/gif"),
        (b"PK\x03\x04", "application/zip"),
        (b"\x1f\x8b", "application/gzip"),
    ];
    if let Some((_, t)) = magic.iter().find(|(m, _)| bytes.starts_with(m)) {
        return (*t).to_string();
    }
    let head = &bytes[..bytes.len().min(8192)];
    let utf8 = match std::str::from_utf8(head) {
        Ok(_) => true,
        // A multi-byte character cut by the 8 KiB window is still text.
        Err(e) => e.error_len().is_none(),
    };
    if utf8 && !head.contains(&0) {
        "text/plain".into()
    } else {
        "application/octet-stream".into()
    }
}

#[cfg(test)]
mod tests {
    use mail_parser::{MessageParser, MimeHeaders};

    use super::*;
    use crate::compose::meta::new_id_local;

    fn draft() -> Draft {
        Draft {
            from: Mailbox::new(Some("Alice Liddell"), "alice@example.org"),
            to: vec![Mailbox::new(Some("Ольга Смирнова"), "olga@example.ru")],
            cc: vec![Mailbox::new(None, "dave@acme.example")],
            bcc: vec![Mailbox::new(None, "secret@example.org")],
            subject: "Re: Встреча в понедельник — café".into(),
            body: format!("Hello\n\n{}\n-- \nAlice\n", "long line ".repeat(30)),
        }
    }

    fn meta() -> Meta {
        Meta {
            id_local: new_id_local(),
            in_reply_to: Some("m2@acme.example".into()),
            references: vec!["m1@acme.example".into(), "m2@acme.example".into()],
            ..Meta::default()
        }
    }

    const DATE: &str = "Wed, 19 Nov 2025 19:05:00 +0100";

    #[test]
    fn headers_and_text_survive_and_lines_stay_short() {
        let (d, m) = (draft(), meta());
        let bytes = build(&d, &m, &[], DATE, Purpose::Submit);
        let text = String::from_utf8(bytes.clone()).unwrap();
        for line in text.split("\r\n") {
            assert!(line.len() <= 78, "{line:?}");
            assert!(line.is_ascii(), "{line:?}");
        }
        assert!(!text.contains(postpone::MARK_HEADER), "{text}");
        assert!(text.contains("MIME-Version: 1.0"), "{text}");
        let p = MessageParser::default().parse(&bytes).unwrap();
        assert_eq!(p.subject(), Some(d.subject.as_str()));
        assert_eq!(
            p.to().unwrap().first().unwrap().name(),
            Some("Ольга Смирнова")
        );
        assert_eq!(
            p.message_id().unwrap(),
            format!("{}@example.org", m.id_local)
        );
        assert_eq!(message_id(&d, &m), format!("<{}@example.org>", m.id_local));
        assert_eq!(p.in_reply_to().as_text(), Some("m2@acme.example"));
        assert_eq!(p.references().as_text_list().unwrap().len(), 2);
        assert_eq!(p.date().unwrap().to_rfc822(), DATE);
        assert_eq!(p.body_text(0).unwrap().replace("\r\n", "\n"), d.body);
        let ct = p.content_type().unwrap();
        assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("plain")));
        assert_eq!(ct.attribute("charset"), Some("utf-8"));
    }

    #[test]
    fn bcc_is_kept_for_the_send_step_and_the_drafts_folder() {
        let bytes = build(&draft(), &meta(), &[], DATE, Purpose::Submit);
        let p = MessageParser::default().parse(&bytes).unwrap();
        assert_eq!(
            p.bcc().unwrap().first().unwrap().address(),
            Some("secret@example.org")
        );
    }

    #[test]
    fn attachments_have_rfc2231_names_and_exact_bytes() {
        let binary: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        let inner = b"From: x@y.org\r\nSubject: inner\r\n\r\nb\xc3\xa9\r\n".to_vec();
        let atts = [
            Outgoing {
                name: "Jahresabschluß 2024.bin".into(),
                mime_type: "application/octet-stream".into(),
                bytes: binary.clone(),
            },
            Outgoing {
                name: "inner.eml".into(),
                mime_type: "message/rfc822".into(),
                bytes: inner.clone(),
            },
        ];
        let bytes = build(&draft(), &meta(), &atts, DATE, Purpose::Submit);
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("filename*=UTF-8''Jahresabschlu%C3%9F"),
            "{text}"
        );
        let p = MessageParser::default().parse(&bytes).unwrap();
        let got: Vec<_> = p.attachments().collect();
        assert_eq!(got[0].attachment_name(), Some("Jahresabschluß 2024.bin"));
        assert_eq!(got[0].contents(), binary.as_slice());
        assert_eq!(got[1].contents(), inner.as_slice());
        // Byte for byte: the attached message is not re-encoded.
        assert!(
            bytes.windows(inner.len()).any(|w| w == inner.as_slice()),
            "{text}"
        );
    }

    #[test]
    fn guesses_types_from_name_then_content() {
        assert_eq!(guess_type("a.pdf", b""), "application/pdf");
        assert_eq!(guess_type("photo.JPG", b""), "image/jpeg");
        assert_eq!(guess_type("noext", b"%PDF-1.7"), "application/pdf");
        assert_eq!(guess_type("noext", "plain text é".as_bytes()), "text/plain");
        assert_eq!(
            guess_type("noext", b"\x00\x01\x02"),
            "application/octet-stream"
        );
    }
}
