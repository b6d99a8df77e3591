//! Just enough MIME writing for the generated demo messages: RFC 2047 words, quoted-printable,
//! base64 and nested multiparts. Everything produced is 7-bit ASCII with CRLF line ends, as it
//! would arrive from a real mail server.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// A message body.
pub(super) enum Body {
    /// One UTF-8 text part; `subtype` is "plain" or "html".
    Text { subtype: &'static str, text: String },
    /// multipart/alternative with a plain and an HTML version.
    Alternative { plain: String, html: String },
    /// multipart/mixed: the text first, then the attachments.
    Mixed(Box<Body>, Vec<Attachment>),
}

pub(super) struct Attachment {
    pub name: String,
    pub bytes: &'static [u8],
}

/// Renders `headers` (already encoded, see [`words`]) and `body` into a message. `tag` makes the
/// multipart boundaries unique per message, so they are stable across runs.
pub(super) fn message(headers: &[(&str, String)], body: &Body, tag: u32) -> Vec<u8> {
    let mut out = String::new();
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("MIME-Version: 1.0\r\n");
    write_part(&mut out, body, &format!("=_tern_demo_{tag}"));
    out.into_bytes()
}

fn write_part(out: &mut String, body: &Body, boundary: &str) {
    match body {
        Body::Text { subtype, text } => {
            let (cte, encoded) = encode_text(text, *subtype == "html");
            out.push_str(&format!(
                "Content-Type: text/{subtype}; charset=utf-8\r\nContent-Transfer-Encoding: {cte}\r\n\r\n{encoded}\r\n"
            ));
        }
        Body::Alternative { plain, html } => {
            let parts = [
                Body::Text {
                    subtype: "plain",
                    text: plain.clone(),
                },
                Body::Text {
                    subtype: "html",
                    text: html.clone(),
                },
            ];
            write_multipart(out, "alternative", boundary, |out, b| {
                for p in &parts {
                    open_part(out, b);
                    write_part(out, p, &format!("{b}_"));
                }
            });
        }
        Body::Mixed(text, attachments) => {
            write_multipart(out, "mixed", boundary, |out, b| {
                open_part(out, b);
                write_part(out, text, &format!("{b}_"));
                for a in attachments {
                    open_part(out, b);
                    out.push_str(&format!(
                        "Content-Type: {}; name=\"{}\"\r\nContent-Disposition: attachment; filename=\"{}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
                        mime_type(&a.name),
                        a.name,
                        a.name,
                        base64_lines(a.bytes)
                    ));
                }
            });
        }
    }
}

fn write_multipart(
    out: &mut String,
    subtype: &str,
    b: &str,
    parts: impl FnOnce(&mut String, &str),
) {
    out.push_str(&format!(
        "Content-Type: multipart/{subtype}; boundary=\"{b}\"\r\n\r\nThis is a multi-part message in MIME format.\r\n"
    ));
    parts(out, b);
    out.push_str(&format!("--{b}--\r\n"));
}

fn open_part(out: &mut String, boundary: &str) {
    out.push_str(&format!("\r\n--{boundary}\r\n"));
}

fn mime_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("csv") => "text/csv",
        Some("txt") => "text/plain",
        _ => "application/octet-stream",
    }
}

/// Scripts beyond Latin get base64 (as mailers do for CJK and Cyrillic); Latin text gets
/// quoted-printable, so the demo exercises both decoders.
fn is_mostly_latin(s: &str) -> bool {
    s.chars().all(|c| (c as u32) < 0x250)
}

/// (Content-Transfer-Encoding, encoded text). HTML is always QP, so `=3D` shows up in the raw
/// source exactly as in real newsletters.
fn encode_text(text: &str, html: bool) -> (&'static str, String) {
    let text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    if html || (!text.is_ascii() && is_mostly_latin(&text)) {
        ("quoted-printable", quoted_printable(&text))
    } else if text.is_ascii() {
        ("7bit", text)
    } else {
        ("base64", base64_lines(text.as_bytes()))
    }
}

/// RFC 2045 quoted-printable of CRLF text, lines at most 76 characters.
pub(super) fn quoted_printable(text: &str) -> String {
    let mut out = Vec::new();
    for line in text.split("\r\n") {
        let bytes = line.as_bytes();
        let mut cur = String::new();
        for (i, &b) in bytes.iter().enumerate() {
            let last = i + 1 == bytes.len();
            let token = if b == b'=' || b > 126 || (b < 32 && b != b'\t') || (last && b == b' ') {
                format!("={b:02X}")
            } else {
                char::from(b).to_string()
            };
            // Leave room for the soft line break '='.
            if cur.len() + token.len() > 75 {
                out.push(format!("{cur}="));
                cur.clear();
            }
            cur.push_str(&token);
        }
        out.push(cur);
    }
    out.join("\r\n")
}

pub(super) fn base64_lines(bytes: &[u8]) -> String {
    let enc = STANDARD.encode(bytes);
    enc.as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// An unstructured header value (Subject, a display name): ASCII as is, anything else as
/// RFC 2047 encoded words, folded so no word exceeds 75 characters.
pub(super) fn words(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let b = !is_mostly_latin(text);
    // Room for the payload within 75 characters after "=?utf-8?X?" and "?=".
    let budget = 63;
    let encoded_len = |s: &str| {
        if b {
            s.len().div_ceil(3) * 4
        } else {
            q_encode(s).len()
        }
    };
    let mut chunks = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        let mut next = cur.clone();
        next.push(c);
        if encoded_len(&next) > budget && !cur.is_empty() {
            chunks.push(std::mem::replace(&mut cur, c.to_string()));
        } else {
            cur = next;
        }
    }
    chunks.push(cur);
    let encoded: Vec<String> = chunks
        .iter()
        .map(|c| {
            if b {
                format!("=?utf-8?B?{}?=", STANDARD.encode(c))
            } else {
                format!("=?utf-8?Q?{}?=", q_encode(c))
            }
        })
        .collect();
    encoded.join("\r\n ")
}

fn q_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b' ' => "_".to_string(),
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'!' | b'*' | b'+' | b'-' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("={b:02X}"),
        })
        .collect()
}

/// `Name <email>`, with the name quoted or encoded as needed.
pub(super) fn mailbox(name: &str, email: &str) -> String {
    if !name.is_ascii() {
        format!("{} <{email}>", words(name))
    } else if name.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ') {
        format!("{name} <{email}>")
    } else {
        format!("\"{}\" <{email}>", name.replace(['"', '\\'], ""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::headers::decode_words;

    #[test]
    fn encoded_words_round_trip_and_stay_short() {
        for s in [
            "关于下周的会议，以及一个很长很长很长很长很长很长很长很长很长的主题",
            "Frage zur Rechnung 2025-117 für Herrn Müller, bitte prüfen",
            "Перевод документации",
        ] {
            let w = words(s);
            assert!(w.split("\r\n ").all(|x| x.len() <= 75), "{w}");
            assert_eq!(decode_words(w.replace("\r\n", "").as_bytes()), s);
        }
    }

    #[test]
    fn quoted_printable_escapes_and_wraps() {
        let qp = quoted_printable(&format!("<a href=\"x\">{}</a> ", "é".repeat(40)));
        assert!(qp.starts_with("<a href=3D\"x\">=C3=A9"));
        assert!(qp.lines().all(|l| l.len() <= 76));
        assert!(qp.ends_with("=20"));
    }
}
