//! Turning the raw bytes of a fetched part (`BODY.PEEK[section]`) into its
//! content.

use crate::mime::charset::to_utf8;
use crate::mime::structure::Part;
use crate::mime::transfer;

/// Undoes the part's Content-Transfer-Encoding. `7bit`, `8bit`, `binary` and
/// unknown encodings are returned as they are.
pub fn decode_bytes(part: &Part, raw: &[u8]) -> Vec<u8> {
    match part.encoding.as_str() {
        "base64" => transfer::base64(raw),
        "quoted-printable" => transfer::quoted_printable(raw),
        _ => raw.to_vec(),
    }
}

/// A part's transfer decoding fed in pieces, so a large part is never held whole.
#[derive(Debug)]
pub struct Decoder(Kind);

#[derive(Debug)]
enum Kind {
    Base64(transfer::Base64),
    QuotedPrintable(transfer::QuotedPrintable),
    Identity,
}

impl Decoder {
    /// For a lowercase Content-Transfer-Encoding; anything unknown passes unchanged.
    pub fn for_encoding(encoding: &str) -> Decoder {
        Decoder(match encoding {
            "base64" => Kind::Base64(transfer::Base64::default()),
            "quoted-printable" => Kind::QuotedPrintable(transfer::QuotedPrintable::default()),
            _ => Kind::Identity,
        })
    }

    pub fn push(&mut self, input: &[u8], out: &mut Vec<u8>) {
        match &mut self.0 {
            Kind::Base64(d) => d.push(input, out),
            Kind::QuotedPrintable(d) => d.push(input, out),
            Kind::Identity => out.extend_from_slice(input),
        }
    }

    pub fn finish(self, out: &mut Vec<u8>) {
        if let Kind::QuotedPrintable(d) = self.0 {
            d.finish(out);
        }
    }
}

/// Transfer decoding, then the part's charset to UTF-8. A missing or unknown
/// charset is read as UTF-8, replacing invalid sequences.
pub fn decode_text(part: &Part, raw: &[u8]) -> String {
    let bytes = decode_bytes(part, raw);
    let text = to_utf8(&bytes, part.charset.as_deref());
    // A BOM is an encoding artefact, not text; it would show up as a stray
    // zero-width character at the start of the first line.
    match text.strip_prefix('\u{FEFF}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::test_support::parse_part;

    fn text_part(charset: &str, encoding: &str) -> Part {
        parse_part(&format!(
            r#"("TEXT" "PLAIN" ("CHARSET" "{charset}") NIL NIL "{encoding}" 10 1)"#
        ))
    }

    #[test]
    fn undoes_transfer_encodings() {
        let b64 = text_part("utf-8", "BASE64");
        assert_eq!(decode_bytes(&b64, b"aGVs\r\nbG8=\r\n"), b"hello");
        let qp = text_part("utf-8", "QUOTED-PRINTABLE");
        assert_eq!(decode_bytes(&qp, b"a=3Db=\r\nc"), b"a=bc");
        for enc in ["7BIT", "8BIT", "BINARY", "X-UUENCODE"] {
            assert_eq!(
                decode_bytes(&text_part("utf-8", enc), b"a=3D\xff"),
                b"a=3D\xff"
            );
        }
    }

    #[test]
    fn decodes_legacy_charsets() {
        let cases: &[(&str, &[u8], &str)] = &[
            (
                "gbk",
                b"\xc4\xe3\xba\xc3\xa3\xac\xca\xc0\xbd\xe7",
                "你好，世界",
            ),
            ("gb2312", b"\xd6\xd0\xce\xc4\xd3\xca\xbc\xfe", "中文邮件"),
            (
                "GB18030",
                b"\x95\x32\x82\x36\xba\xba\xd7\xd6\xa2\xe3",
                "𠀀汉字€",
            ),
            ("big5", b"\xc1\x63\xc5\xe9\xa4\xa4\xa4\xe5", "繁體中文"),
            ("iso-8859-1", b"\x63\x61\x66\xe9", "café"),
            ("iso-8859-2", b"\xa3\xf3\x64\xbc", "Łódź"),
            ("iso-8859-5", b"\xbf\xe0\xd8\xd2\xd5\xe2", "Привет"),
            ("iso-8859-7", b"\xc3\xe5\xe9\xdc", "Γειά"),
            ("ISO-8859-15", b"\xa4\x75\x72\x6f", "€uro"),
            ("windows-1250", b"\xa3\xf3\x64\x9f", "Łódź"),
            ("windows-1251", b"\xcf\xf0\xe8\xe2\xe5\xf2", "Привет"),
            ("windows-1252", b"\x93quotes\x94 \x80", "“quotes” €"),
            ("Shift_JIS", b"\x93\xfa\x96\x7b\x8c\xea", "日本語"),
            ("euc-kr", b"\xc7\xd1\xb1\xb9\xbe\xee", "한국어"),
            ("koi8-r", b"\xf0\xd2\xc9\xd7\xc5\xd4", "Привет"),
        ];
        for (charset, bytes, want) in cases {
            let part = text_part(charset, "8BIT");
            assert_eq!(decode_text(&part, bytes), *want, "charset {charset}");
        }
    }

    #[test]
    fn combines_transfer_and_charset_decoding() {
        // "你好，世界" in GBK, base64 with a line break.
        let part = text_part("gbk", "BASE64");
        assert_eq!(decode_text(&part, b"xOO6w6Os\r\nysC95w=="), "你好，世界");
        let qp = text_part("utf-8", "QUOTED-PRINTABLE");
        assert_eq!(decode_text(&qp, b"=EF=BB=BFcaf=C3=A9"), "café");
    }

    #[test]
    fn unknown_or_missing_charset_is_lossy_utf8() {
        let part = text_part("x-made-up", "8BIT");
        assert_eq!(decode_text(&part, b"ok \xe2\x9c\x93 \xff"), "ok ✓ \u{FFFD}");
        let none = parse_part(r#"("TEXT" "PLAIN" NIL NIL NIL "7BIT" 3 1)"#);
        assert_eq!(none.charset, None);
        assert_eq!(decode_text(&none, b"a\xffb"), "a\u{FFFD}b");
    }
}
