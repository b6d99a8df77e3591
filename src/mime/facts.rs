//! Reading the header fields a summary keeps ([`crate::msg::HeaderFacts`]) from their raw
//! values: the Date, message ids, and the attachment rule on the top-level Content-Type.
//! Values come straight from a server: nothing here trusts them to be well formed.

/// The Date header (RFC 5322, obsolete forms included) as seconds since the epoch and UTC
/// offset in seconds; None when it does not parse.
pub fn sent(date: &[u8]) -> Option<(i64, i32)> {
    let date = std::str::from_utf8(date).ok()?.trim();
    let d = chrono::DateTime::parse_from_rfc2822(date).ok()?;
    Some((d.timestamp(), d.offset().local_minus_utc()))
}

/// The ids (`<…>`) of a References or In-Reply-To value, brackets and surrounding blanks
/// removed, in order; a stretch that is not UTF-8 is skipped. Lazy, so a caller that keeps
/// only some of 10 000 ids never holds them all.
pub fn ids(value: &[u8]) -> impl Iterator<Item = &str> {
    value
        .split(|&b| b == b'<')
        .skip(1)
        .filter_map(|s| memchr::memchr(b'>', s).map(|end| &s[..end]))
        .filter_map(|id| std::str::from_utf8(id).ok())
        .map(str::trim)
        .filter(|id| !id.is_empty())
}

/// A Message-ID: the first bracketed id, or the whole value when a mailer left the brackets
/// out.
pub fn message_id(value: &[u8]) -> Option<&str> {
    ids(value).next().or_else(|| {
        std::str::from_utf8(value)
            .ok()
            .map(str::trim)
            .filter(|v| !v.is_empty())
    })
}

/// Whether a message whose top-level Content-Type is `value` is marked as having attachments
/// before its structure is known. Like mutt's default, a part that is not the text of the
/// message counts; at the top level that means:
/// - `multipart/mixed` (text plus files) and `multipart/digest` (a bundle of messages): yes;
/// - any other multipart (`alternative`, `related`: one text in several forms and its inline
///   images; `signed`, `encrypted`, `report`): no, as their parts are the text itself or its
///   wrapping;
/// - a single part that is not text (a PDF, an image, a forwarded `message/rfc822` sent as the
///   whole message): yes, except S/MIME's `application/pkcs7-mime`, which wraps the text;
/// - text, or no Content-Type at all (RFC 2045: `text/plain`): no.
///
/// Once the message is opened its structure decides exactly ([`super::Part::is_attachment`]),
/// which also catches a signed message with files inside.
pub fn has_attachment(value: &[u8]) -> bool {
    let end = memchr::memchr(b';', value).unwrap_or(value.len());
    let Ok(kind) = std::str::from_utf8(&value[..end]) else {
        return false;
    };
    // Compared without a lower-cased copy: every row of a sync comes through here.
    let Some((top, sub)) = kind.trim().split_once('/') else {
        return false;
    };
    let (top, sub) = (top.trim(), sub.trim());
    let is = |s: &str, any: &[&str]| any.iter().any(|a| s.eq_ignore_ascii_case(a));
    if is(top, &["multipart"]) {
        is(sub, &["mixed", "digest"])
    } else if is(top, &["text", ""]) {
        false
    } else if is(top, &["application"]) {
        !is(sub, &["pkcs7-mime", "x-pkcs7-mime"])
    } else {
        !sub.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_with_their_offset() {
        assert_eq!(
            sent(b" Mon, 1 Jan 2024 10:00:00 +0100 "),
            Some((1_704_099_600, 3600))
        );
        // Obsolete forms: no weekday, a named zone, two-digit year.
        assert_eq!(sent(b"1 Jan 2024 09:00:00 GMT"), Some((1_704_099_600, 0)));
        assert_eq!(
            sent(b"Mon, 1 Jan 24 04:00:00 EST"),
            Some((1_704_099_600, -5 * 3600))
        );
        for bad in [
            &b""[..],
            b"yesterday",
            b"\xff\xfe",
            b"32 Jan 2024 10:00:00 +0000",
        ] {
            assert_eq!(sent(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ids_come_out_of_folded_and_noisy_values() {
        let refs = b"<a@x>\r\n\t<b@x> (comment) < c@x >\r\n <\xff@x> <> <d@x";
        assert_eq!(ids(refs).collect::<Vec<_>>(), ["a@x", "b@x", "c@x"]);
        assert_eq!(message_id(b" <m@x> "), Some("m@x"));
        assert_eq!(message_id(b" m@x "), Some("m@x"));
        assert_eq!(message_id(b"  "), None);
    }

    #[test]
    fn the_attachment_rule() {
        let yes = [
            "multipart/mixed; boundary=\"b\"",
            "Multipart/Mixed",
            "multipart/digest",
            "application/pdf; name=x.pdf",
            "image/png",
            "message/rfc822",
            "application/ms-tnef",
            "Image/PNG",
            "MULTIPART/DIGEST",
        ];
        let no = [
            "",
            "text/plain; charset=utf-8",
            "TEXT/HTML",
            "multipart/alternative; boundary=b",
            "multipart/related; type=\"text/html\"",
            "multipart/signed; protocol=\"application/pgp-signature\"",
            "multipart/encrypted",
            "multipart/report; report-type=delivery-status",
            "application/pkcs7-mime; smime-type=enveloped-data",
            "APPLICATION/X-PKCS7-MIME",
            "/png",
            "garbage",
            "image/",
        ];
        for v in yes {
            assert!(has_attachment(v.as_bytes()), "{v}");
        }
        for v in no {
            assert!(!has_attachment(v.as_bytes()), "{v}");
        }
        assert!(!has_attachment(b"\xffmultipart/mixed"));
    }
}
