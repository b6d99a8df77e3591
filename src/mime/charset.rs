//! Charset conversion to UTF-8 through mail-parser's decoders (encoding_rs
//! with the `full_encoding` feature).

use mail_parser::decoders::charsets::map::charset_decoder;

/// Decodes `bytes` from `charset`; a missing or unknown label is read as UTF-8.
pub(crate) fn to_utf8(bytes: &[u8], charset: Option<&str>) -> String {
    let label = charset.map(|c| c.trim().trim_matches('"').trim());
    let Some(decode) = label.and_then(|l| charset_decoder(l.as_bytes())) else {
        return String::from_utf8_lossy(bytes).into_owned();
    };
    let text = decode(bytes);
    // encoding_rs maps ISO-2022-KR, HZ and friends to the WHATWG "replacement"
    // decoder, which turns the whole input into one U+FFFD. These encodings are
    // 7-bit, so lossy UTF-8 at least keeps the ASCII readable.
    if text == "\u{FFFD}" && !bytes.is_empty() {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    text
}

/// Text of unknown encoding: UTF-8 if valid, else the most likely legacy
/// charset. GB18030 comes first because unlabelled 8-bit headers are mostly
/// Chinese in practice; windows-1252 accepts any byte sequence.
pub(crate) fn guess_to_utf8(bytes: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    if looks_like_gb(bytes) {
        let gb = to_utf8(bytes, Some("gb18030"));
        if !gb.contains('\u{FFFD}') {
            return gb;
        }
    }
    to_utf8(bytes, Some("windows-1252"))
}

/// Whether every 8-bit byte pairs up as Chinese text does: a lead byte followed by another
/// 8-bit byte (GB2312, and nearly all of GBK), or a four-byte GB18030 sequence. GBK also
/// allows an ASCII second byte, but Latin-1 text looks like that far more often
/// (`f\xfcr` is "für", not "f黵").
fn looks_like_gb(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i..] {
            [a, ..] if a < 0x80 => i += 1,
            [0x81..=0xfe, 0x30..=0x39, 0x81..=0xfe, 0x30..=0x39, ..] => i += 4,
            [0x81..=0xfe, 0x80..=0xfe, ..] => i += 2,
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_or_missing_labels_fall_back_to_utf8() {
        assert_eq!(to_utf8("héllo".as_bytes(), None), "héllo");
        assert_eq!(to_utf8("héllo".as_bytes(), Some("x-unknown")), "héllo");
        assert_eq!(to_utf8(b"a\xffb", Some("utf-8")), "a\u{FFFD}b");
        assert_eq!(to_utf8(b"\xe9t\xe9", Some(" \"ISO-8859-1\" ")), "été");
    }

    #[test]
    fn replacement_decoders_keep_the_ascii() {
        assert_eq!(
            to_utf8(b"~{<:Ky2;S{#,~}", Some("hz-gb-2312")),
            "~{<:Ky2;S{#,~}"
        );
    }

    #[test]
    fn guesses_gb18030_then_windows_1252() {
        assert_eq!(guess_to_utf8("你好".as_bytes()), "你好");
        assert_eq!(guess_to_utf8(b"\xc4\xe3\xba\xc3"), "你好");
        // 0x80 followed by ASCII is not valid GB18030.
        assert_eq!(guess_to_utf8(b"caf\xe9 \x80"), "café €");
        // A Latin-1 byte before an ASCII letter is not read as a GBK pair.
        assert_eq!(guess_to_utf8(b"f\xfcr sch\xf6n"), "für schön");
        assert_eq!(guess_to_utf8(b"\xb1\xa8\xb8\xe6.pdf"), "报告.pdf");
    }
}
