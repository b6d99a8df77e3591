//! Turns a raw RFC 5322 message into what goes on the wire: envelope recipients from
//! To/Cc/Bcc, the Bcc header removed, `From`/`Date`/`Message-ID`/`MIME-Version` added when
//! missing, raw UTF-8 headers RFC 2047-encoded (mail-builder's header writers), CRLF lines.

use std::borrow::Cow;

use mail_builder::headers::Header as _;
use mail_builder::headers::address::Address as BuiltAddress;
use mail_builder::headers::text::Text;
use mail_parser::parsers::MessageStream;
use mail_parser::{Address, HeaderValue};

use super::SendError;
use crate::mime::address::{addresses, parse_mailbox};

/// A message ready to be queued and sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The message as transmitted: CRLF line ends, no Bcc header, 7-bit headers.
    pub bytes: Vec<u8>,
    /// Envelope sender (MAIL FROM).
    pub sender: String,
    /// Envelope recipients (RCPT TO): To, Cc and Bcc, each once.
    pub recipients: Vec<String>,
    /// With angle brackets, as in the header.
    pub message_id: String,
    /// Decoded, for listings.
    pub subject: String,
    /// The Date header's value.
    pub date: String,
}

/// Headers whose value is a list of addresses: re-encoded as addresses, not as text.
const ADDRESS_HEADERS: [&str; 6] = ["from", "to", "cc", "reply-to", "sender", "bcc"];

/// `from`: the account's sender (`Name <addr>`), used when the message has no From.
pub fn prepare(raw: &[u8], from: Option<&str>) -> Result<Prepared, SendError> {
    let (head, body) = split_head(raw);
    let fields = unfold(head)?;
    let mut out: Vec<u8> = Vec::with_capacity(raw.len() + 512);
    let mut recipients: Vec<String> = Vec::new();
    let mut sender = None;
    let seen = |name: &str| fields.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    let has_date = seen("date");
    let has_message_id = seen("message-id");
    let has_mime = seen("mime-version");
    let has_content_type = seen("content-type");
    let mut subject = String::new();
    let mut date = String::new();
    let mut message_id = String::new();

    if !seen("from") {
        let from = from.ok_or_else(|| {
            SendError::Invalid(
                "the message has no From, and the account sets no `from` address".into(),
            )
        })?;
        write_header(&mut out, "From", from)?;
        sender = mailbox_address(from);
    }
    for (name, value) in &fields {
        let lower = name.to_ascii_lowercase();
        if matches!(lower.as_str(), "to" | "cc" | "bcc") {
            for addr in addresses(value).ok_or_else(|| bad_address(name, value))? {
                if !recipients.iter().any(|r| r.eq_ignore_ascii_case(&addr)) {
                    recipients.push(addr);
                }
            }
        }
        match lower.as_str() {
            // Never transmitted: the Bcc recipients are in the envelope only.
            "bcc" => continue,
            "from" => {
                let first = addresses(value).and_then(|a| a.into_iter().next());
                sender = Some(first.ok_or_else(|| bad_address(name, value))?);
            }
            "subject" => subject = decode_text(value),
            "date" => date = value.trim().to_string(),
            "message-id" => message_id = value.trim().to_string(),
            _ => {}
        }
        write_header(&mut out, name, value)?;
    }
    let sender = sender.ok_or_else(|| SendError::Invalid("the From header is empty".into()))?;
    if recipients.is_empty() {
        return Err(SendError::Invalid(
            "no recipient: the message has no To, Cc or Bcc address".into(),
        ));
    }
    if !has_date {
        date = chrono::Local::now().to_rfc2822();
        write_raw(&mut out, "Date", &date);
    }
    if !has_message_id {
        message_id = new_message_id(&sender);
        write_raw(&mut out, "Message-ID", &message_id);
    }
    if !has_mime {
        write_raw(&mut out, "MIME-Version", "1.0");
    }
    if !has_content_type && !body.is_ascii() {
        // A bare 8-bit body needs its charset named, or readers guess Latin-1.
        write_raw(&mut out, "Content-Type", "text/plain; charset=utf-8");
        write_raw(&mut out, "Content-Transfer-Encoding", "8bit");
    }
    out.extend_from_slice(b"\r\n");
    push_crlf_lines(&mut out, body);
    Ok(Prepared {
        bytes: out,
        sender,
        recipients,
        message_id,
        subject,
        date,
    })
}

fn mailbox_address(text: &str) -> Option<String> {
    parse_mailbox(text)
}

fn bad_address(name: &str, value: &str) -> SendError {
    let shown: String = value.trim().chars().take(120).collect();
    SendError::Invalid(format!("{name}: cannot read the address(es) in {shown:?}"))
}

/// Head and body, split at the first empty line (CRLF or LF).
fn split_head(raw: &[u8]) -> (&[u8], &[u8]) {
    let mut start = 0;
    while start < raw.len() {
        let end = memchr::memchr(b'\n', &raw[start..]).map_or(raw.len(), |i| start + i + 1);
        let line = &raw[start..end];
        if line == b"\n" || line == b"\r\n" {
            return (&raw[..start], &raw[end..]);
        }
        start = end;
    }
    (raw, &[])
}

/// (name, unfolded value) pairs; a line that is not a header is an error.
fn unfold(head: &[u8]) -> Result<Vec<(String, String)>, SendError> {
    let text = std::str::from_utf8(head)
        .map_err(|_| SendError::Invalid("the headers are neither ASCII nor UTF-8".into()))?;
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            let Some((_, value)) = fields.last_mut() else {
                return Err(SendError::Invalid(
                    "the message starts with a continuation line".into(),
                ));
            };
            value.push_str("\r\n");
            value.push_str(line);
            continue;
        }
        let (name, value) = line.split_once(':').ok_or_else(|| {
            let shown: String = line.chars().take(60).collect();
            SendError::Invalid(format!("not a header line: {shown:?}"))
        })?;
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(SendError::Invalid(format!("bad header name {name:?}")));
        }
        let value = value.strip_prefix(' ').unwrap_or(value);
        fields.push((name.to_string(), value.to_string()));
    }
    Ok(fields)
}

fn decode_text(value: &str) -> String {
    let bytes = [value.as_bytes(), b"\r\n"].concat();
    match MessageStream::new(&bytes).parse_unstructured() {
        HeaderValue::Text(t) => t.into_owned(),
        _ => value.trim().to_string(),
    }
}

/// Writes `name: value`: ASCII values as they were (folding kept); UTF-8 ones encoded as
/// addresses (display names) or as unstructured text.
fn write_header(out: &mut Vec<u8>, name: &str, value: &str) -> Result<(), SendError> {
    if value.is_ascii() {
        write_raw(out, name, value);
        return Ok(());
    }
    let lower = name.to_ascii_lowercase();
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    let column = name.len() + 2;
    if ADDRESS_HEADERS.contains(&lower.as_str()) {
        let bytes = [value.as_bytes(), b"\r\n"].concat();
        let HeaderValue::Address(list) = MessageStream::new(&bytes).parse_address() else {
            return Err(bad_address(name, value));
        };
        built_address(&list).write_header(out, column);
    } else {
        let unfolded = value.replace("\r\n", "");
        Text::new(unfolded.trim().to_string()).write_header(out, column);
    }
    Ok(())
}

fn built_address(list: &Address) -> BuiltAddress<'static> {
    let one = |a: &mail_parser::Addr| {
        BuiltAddress::new_address(
            a.name().map(|n| Cow::Owned(n.to_string())),
            a.address().unwrap_or_default().to_string(),
        )
    };
    match list {
        Address::List(items) => BuiltAddress::new_list(items.iter().map(one).collect()),
        Address::Group(groups) => BuiltAddress::new_list(
            groups
                .iter()
                .map(|g| {
                    BuiltAddress::new_group(
                        g.name.as_ref().map(|n| Cow::Owned(n.to_string())),
                        g.addresses.iter().map(one).collect(),
                    )
                })
                .collect(),
        ),
    }
}

fn write_raw(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    push_crlf_lines(out, value.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Appends `text` with every line end (LF or CRLF) written as CRLF.
fn push_crlf_lines(out: &mut Vec<u8>, text: &[u8]) {
    let mut rest = text;
    while let Some(i) = memchr::memchr(b'\n', rest) {
        let line = &rest[..i];
        out.extend_from_slice(line.strip_suffix(b"\r").unwrap_or(line));
        out.extend_from_slice(b"\r\n");
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
}

/// `<time.random@domain>` on the sender's domain.
fn new_message_id(sender: &str) -> String {
    let domain = sender.rsplit_once('@').map_or("localhost", |(_, d)| d);
    let now = chrono::Utc::now().format("%Y%m%d%H%M%S");
    format!("<{now}.{:016x}@{domain}>", super::outbox::random_u64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'a>(bytes: &'a [u8], name: &str) -> Option<&'a str> {
        let text = std::str::from_utf8(bytes).unwrap();
        let head = text.split("\r\n\r\n").next().unwrap();
        head.split("\r\n")
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
    }

    #[test]
    fn envelope_from_to_cc_bcc_and_no_bcc_header() {
        let raw = b"From: Alice <alice@example.org>\nTo: bob@example.org, Carol <carol@example.org>\nCc: dave@example.org\nBcc: eve@example.org, BOB@example.org\nSubject: hi\n\nbody\n";
        let p = prepare(raw, None).unwrap();
        assert_eq!(p.sender, "alice@example.org");
        assert_eq!(
            p.recipients,
            [
                "bob@example.org",
                "carol@example.org",
                "dave@example.org",
                "eve@example.org"
            ]
        );
        let text = String::from_utf8(p.bytes.clone()).unwrap();
        assert!(!text.to_ascii_lowercase().contains("bcc"), "{text}");
        assert!(!text.contains("eve@"), "{text}");
        assert!(text.ends_with("\r\n\r\nbody\r\n"), "{text:?}");
        assert!(
            !text.replace("\r\n", "").contains('\n'),
            "bare LF left: {text:?}"
        );
    }

    #[test]
    fn missing_headers_are_added_on_the_senders_domain() {
        let p = prepare(
            b"To: bob@example.org\n\nhi",
            Some("Alice <alice@example.org>"),
        )
        .unwrap();
        assert_eq!(header(&p.bytes, "From"), Some("Alice <alice@example.org>"));
        let id = header(&p.bytes, "Message-ID").unwrap();
        assert!(id.starts_with('<') && id.ends_with("@example.org>"), "{id}");
        assert_eq!(p.message_id, id);
        assert_eq!(header(&p.bytes, "MIME-Version"), Some("1.0"));
        assert!(chrono::DateTime::parse_from_rfc2822(header(&p.bytes, "Date").unwrap()).is_ok());
        let again = prepare(b"To: bob@example.org\n\nhi", Some("alice@example.org")).unwrap();
        assert_ne!(again.message_id, p.message_id);
    }

    #[test]
    fn present_headers_are_kept() {
        let raw = b"From: a@example.org\r\nTo: b@example.org\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <x@y>\r\nMIME-Version: 1.0\r\nX-Long: one\r\n two\r\n\r\nbody";
        let p = prepare(raw, Some("other@example.org")).unwrap();
        assert_eq!(p.bytes, raw.to_vec());
        assert_eq!(p.message_id, "<x@y>");
    }

    #[test]
    fn utf8_headers_are_encoded_and_decode_back() {
        let raw = "From: Zoë Liddell <alice@example.org>\nTo: Борис <bob@example.org>\nSubject: Grüße aus 北京 — a long subject that has to be folded over more than one line\n\nhé";
        let p = prepare(raw.as_bytes(), None).unwrap();
        let head = p
            .bytes
            .split(|b| *b == b'\n')
            .take(8)
            .flatten()
            .copied()
            .collect::<Vec<_>>();
        assert!(head.is_ascii(), "{}", String::from_utf8_lossy(&p.bytes));
        let parsed = mail_parser::MessageParser::new().parse(&p.bytes).unwrap();
        assert_eq!(
            parsed.subject(),
            Some("Grüße aus 北京 — a long subject that has to be folded over more than one line")
        );
        assert_eq!(p.subject, parsed.subject().unwrap());
        let to = parsed.to().unwrap().first().unwrap();
        assert_eq!(
            (to.name(), to.address()),
            (Some("Борис"), Some("bob@example.org"))
        );
        let from = parsed.from().unwrap().first().unwrap();
        assert_eq!(from.name(), Some("Zoë Liddell"));
        assert_eq!(parsed.body_text(0).as_deref(), Some("hé"));
    }

    #[test]
    fn unusable_messages_say_why() {
        let e = prepare(b"From: a@example.org\nSubject: x\n\nbody", None).unwrap_err();
        assert!(e.to_string().contains("no recipient"), "{e}");
        let e = prepare(b"To: b@example.org\n\nbody", None).unwrap_err();
        assert!(e.to_string().contains("`from`"), "{e}");
        let e = prepare(b"From: a@example.org\nTo: not an address\n\nx", None).unwrap_err();
        assert!(e.to_string().contains("To:"), "{e}");
        let e = prepare(b"From: a@example.org\nthis is no header\n\nx", None).unwrap_err();
        assert!(e.to_string().contains("not a header line"), "{e}");
    }
}
