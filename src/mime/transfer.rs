//! Content-Transfer-Encoding decoders that never fail.
//!
//! mail-parser's public `base64_decode` and `quoted_printable_decode` give up
//! on the first stray byte, but real mail has junk after the padding, broken
//! soft line breaks and lone `=` signs; showing most of a body beats showing
//! none of it.

/// Base64, skipping every byte outside the alphabet (line breaks, spaces,
/// garbage). A dangling partial group yields the bytes it completes.
pub(crate) fn base64(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &b in input {
        // Some mailers encode each line on its own, padding included, so
        // padding ends a group rather than the data.
        if b == b'=' {
            acc = 0;
            bits = 0;
            continue;
        }
        let Some(v) = base64_value(b) else { continue };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            // Truncation intended: the byte just completed sits in the low 8 bits.
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn base64_value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Quoted-printable (RFC 2045 6.7). Soft breaks (`=` at line end) join lines,
/// trailing whitespace before a hard break is dropped, and an `=` not followed
/// by two hex digits is kept literally.
pub(crate) fn quoted_printable(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut lines = input.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let last = lines.peek().is_none();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = trim_end_ws(line);
        let (line, soft) = match line.strip_suffix(b"=") {
            Some(rest) => (rest, true),
            None => (line, false),
        };
        decode_qp_line(line, &mut out);
        if !soft && !last {
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

fn trim_end_ws(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    &line[..end]
}

fn decode_qp_line(line: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(&b) = line.get(i) {
        if b == b'=' {
            let hi = line.get(i + 1).and_then(|&c| hex_value(c));
            let lo = line.get(i + 2).and_then(|&c| hex_value(c));
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push((hi << 4) | lo);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_tolerates_breaks_padding_and_garbage() {
        assert_eq!(base64(b"aGVsbG8gd29y\r\nbGQ="), b"hello world");
        assert_eq!(base64(b"aGVs bG8=\r\n\r\n-- !!"), b"hello");
        assert_eq!(base64(b"aGk=\r\naGk=\r\n"), b"hihi");
        assert_eq!(base64(b"aGVsbG8"), b"hello");
        assert_eq!(base64(b"!!!"), b"");
        assert_eq!(base64(b""), b"");
    }

    #[test]
    fn quoted_printable_decodes_soft_breaks_and_keeps_junk() {
        assert_eq!(
            quoted_printable(b"caf=C3=A9 =\r\nau lait  \r\nnext"),
            "café au lait\r\nnext".as_bytes()
        );
        assert_eq!(quoted_printable(b"a=3Db =ZZ =4"), b"a=b =ZZ =4");
        assert_eq!(quoted_printable(b"x=\nline2\n"), b"xline2\r\n");
        assert_eq!(quoted_printable(b"=e4=bd=a0"), "你".as_bytes());
    }
}
