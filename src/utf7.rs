//! Modified UTF-7 mailbox names (RFC 3501 §5.1.3) and IMAP string quoting.
//!
//! Written here rather than taken from `utf7-imap`, which panics on malformed names: a hostile
//! server must not be able to crash us with a folder called `&!!-`.

use base64::Engine;
use base64::alphabet::Alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

fn engine() -> GeneralPurpose {
    // Modified BASE64: ',' instead of '/', and never padded.
    let alphabet =
        Alphabet::new("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,")
            .expect("static alphabet is valid");
    GeneralPurpose::new(
        &alphabet,
        GeneralPurposeConfig::new()
            .with_encode_padding(false)
            .with_decode_padding_mode(DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(true),
    )
}

/// Decodes a server mailbox name. Malformed shift sequences are kept literally.
pub fn decode(raw: &str) -> String {
    let engine = engine();
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(dash) = after.find('-') else {
            out.push_str(&rest[amp..]);
            return out;
        };
        let b64 = &after[..dash];
        if b64.is_empty() {
            out.push('&');
        } else {
            match engine
                .decode(b64)
                .ok()
                .filter(|bytes| bytes.len() % 2 == 0)
                .and_then(|bytes| {
                    let units = bytes.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
                    char::decode_utf16(units)
                        .collect::<Result<String, _>>()
                        .ok()
                }) {
                Some(text) => out.push_str(&text),
                None => out.push_str(&rest[amp..amp + 1 + dash + 1]),
            }
        }
        rest = &after[dash + 1..];
    }
    out.push_str(rest);
    out
}

/// Encodes a name for use in a command.
pub fn encode(name: &str) -> String {
    let engine = engine();
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    let flush = |pending: &mut Vec<u16>, out: &mut String| {
        if !pending.is_empty() {
            let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
            out.push('&');
            out.push_str(&engine.encode(bytes));
            out.push('-');
            pending.clear();
        }
    };
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut pending, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut buf = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush(&mut pending, &mut out);
    out
}

/// An IMAP quoted string. Callers pass names that were already mUTF-7-encoded (pure ASCII);
/// CR and LF cannot appear in a quoted string, so they are dropped rather than sent.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars().filter(|c| *c != '\r' && *c != '\n') {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_seed_names() {
        assert_eq!(decode("&UXZO1mWHTvZZOQ-"), "其他文件夹");
        assert_eq!(
            decode("&UXZO1mWHTvZZOQ-/QQ&kK5O9ouilgU-"),
            "其他文件夹/QQ邮件订阅"
        );
        assert_eq!(decode("&XfJT0ZAB-"), "已发送");
        assert_eq!(decode("Deleted Messages"), "Deleted Messages");
        assert_eq!(decode("A&-B"), "A&B");
    }

    #[test]
    fn round_trips() {
        for name in [
            "其他文件夹",
            "Проекты/2026",
            "a \"b\" \\ c",
            "Šiukšliadėžė",
            "x&y",
            "😀 mail",
        ] {
            assert_eq!(decode(&encode(name)), name);
        }
        assert_eq!(encode("Отправленные"), "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-");
    }

    #[test]
    fn malformed_input_is_kept_not_panicked_on() {
        assert_eq!(decode("&!!!-"), "&!!!-");
        assert_eq!(decode("open&"), "open&");
        assert_eq!(decode("&2D3-x"), "&2D3-x");
    }

    #[test]
    fn quoting_escapes() {
        assert_eq!(quote("a \"b\" \\ c"), r#""a \"b\" \\ c""#);
        assert_eq!(quote("x\r\ny"), "\"xy\"");
    }
}
