//! Content-Transfer-Encoding decoders that never fail.
//!
//! mail-parser's public `base64_decode` and `quoted_printable_decode` give up
//! on the first stray byte, but real mail has junk after the padding, broken
//! soft line breaks and lone `=` signs; showing most of a body beats showing
//! none of it.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Base64, skipping every byte outside the alphabet (line breaks, spaces,
/// garbage). A dangling partial group yields the bytes it completes.
pub(crate) fn base64(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    Base64::default().push(input, &mut out);
    out
}

/// The base64 decoder, fed in pieces: the bits of a group cut between two
/// pieces wait for the next one.
#[derive(Debug, Default)]
pub(crate) struct Base64 {
    acc: u32,
    bits: u32,
}

impl Base64 {
    pub(crate) fn push(&mut self, mut input: &[u8], out: &mut Vec<u8>) {
        out.reserve(input.len() / 4 * 3 + 3);
        while !input.is_empty() {
            let end = memchr::memchr(b'\n', input).map_or(input.len(), |i| i + 1);
            let (line, rest) = input.split_at(end);
            let fast = self.bits == 0 && line.ends_with(b"\n") && whole_line(line, out);
            if !fast {
                for &b in line {
                    self.push_byte(b, out);
                }
            }
            input = rest;
        }
    }

    fn push_byte(&mut self, b: u8, out: &mut Vec<u8>) {
        // Some mailers encode each line on its own, padding included, so
        // padding ends a group rather than the data.
        if b == b'=' {
            self.acc = 0;
            self.bits = 0;
            return;
        }
        let Some(v) = base64_value(b) else { return };
        self.acc = (self.acc << 6) | u32::from(v);
        self.bits += 6;
        if self.bits >= 8 {
            self.bits -= 8;
            // Truncation intended: the byte just completed sits in the low 8 bits.
            out.push((self.acc >> self.bits) as u8);
            self.acc &= (1 << self.bits) - 1;
        }
    }
}

/// The base64 crate's decoder, as lenient as [`Base64::push_byte`] with a well-formed line.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// A complete line of whole groups (a body's usual 76 characters, padding at most at its
/// end), decoded by the base64 crate ten times faster than bit by bit; false, with nothing
/// written, for any other line, which is then decoded bit by bit.
fn whole_line(line: &[u8], out: &mut Vec<u8>) -> bool {
    let body = line.strip_suffix(b"\n").unwrap_or(line);
    let body = body.strip_suffix(b"\r").unwrap_or(body);
    if body.is_empty() || !body.len().is_multiple_of(4) {
        return false;
    }
    let start = out.len();
    out.resize(start + body.len() / 4 * 3, 0);
    match LENIENT.decode_slice(body, &mut out[start..]) {
        Ok(n) => {
            out.truncate(start + n);
            true
        }
        Err(_) => {
            out.truncate(start);
            false
        }
    }
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
    let mut qp = QuotedPrintable::default();
    qp.push(input, &mut out);
    qp.finish(&mut out);
    out
}

/// A line of quoted-printable held until its end, at most this long: a longer
/// one is decoded in pieces (its trailing blanks and a cut `=XX` still wait).
const QP_HELD: usize = 64 << 10;

/// The quoted-printable decoder, fed in pieces: the line not yet ended waits
/// for the next one, since its end decides about soft breaks and blanks.
#[derive(Debug, Default)]
pub(crate) struct QuotedPrintable {
    line: Vec<u8>,
}

impl QuotedPrintable {
    pub(crate) fn push(&mut self, mut input: &[u8], out: &mut Vec<u8>) {
        while let Some(end) = input.iter().position(|&b| b == b'\n') {
            self.line.extend_from_slice(&input[..end]);
            input = &input[end + 1..];
            self.end_line(false, out);
        }
        self.line.extend_from_slice(input);
        if self.line.len() > QP_HELD {
            let mut cut = trim_end_ws(&self.line).len();
            if let Some(eq) = self.line[cut.saturating_sub(2)..cut]
                .iter()
                .position(|&b| b == b'=')
            {
                cut = cut.saturating_sub(2) + eq;
            }
            decode_qp_line(&self.line[..cut], out);
            self.line.drain(..cut);
        }
    }

    /// The last line, which gets no line break of its own.
    pub(crate) fn finish(mut self, out: &mut Vec<u8>) {
        self.end_line(true, out);
    }

    fn end_line(&mut self, last: bool, out: &mut Vec<u8>) {
        let line = self.line.strip_suffix(b"\r").unwrap_or(&self.line);
        let line = trim_end_ws(line);
        let (line, soft) = match line.strip_suffix(b"=") {
            Some(rest) => (rest, true),
            None => (line, false),
        };
        decode_qp_line(line, out);
        if !soft && !last {
            out.extend_from_slice(b"\r\n");
        }
        self.line.clear();
    }
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

    /// Fed in pieces cut at every point, the decoders give what they give in one go.
    #[test]
    fn pieces_decode_like_the_whole() {
        let b64 = b"aGVsbG8gd29y\r\nbGQ=\r\naGk=\r\naGVsbG8";
        let qp = b"caf=C3=A9 =\r\nau lait  \r\nnext=3D =\n=e4=bd=a0\r\nend";
        for cut in 0..qp.len() {
            if cut <= b64.len() {
                let mut out = Vec::new();
                let mut d = Base64::default();
                d.push(&b64[..cut], &mut out);
                d.push(&b64[cut..], &mut out);
                assert_eq!(out, base64(b64), "cut at {cut}");
            }
            let mut out = Vec::new();
            let mut d = QuotedPrintable::default();
            d.push(&qp[..cut], &mut out);
            d.push(&qp[cut..], &mut out);
            d.finish(&mut out);
            assert_eq!(out, quoted_printable(qp), "cut at {cut}");
        }
        // Byte by byte never takes the whole-group path: both paths agree.
        let odd = b"aGVs bG8=\r\n\r\n-- !!aGk=aGVsbG8gd29ybGQ=\r\nQUJD\nRA==";
        let mut out = Vec::new();
        let mut d = Base64::default();
        for b in odd {
            d.push(std::slice::from_ref(b), &mut out);
        }
        assert_eq!(out, base64(odd));
        assert_eq!(base64(odd), b"hellohihello worldABCD");
    }

    #[test]
    fn an_endless_quoted_printable_line_is_decoded_in_pieces() {
        let line = [&b"=41"[..], &[b'x'; QP_HELD], b"=4", b"2  "].concat();
        let mut out = Vec::new();
        let mut d = QuotedPrintable::default();
        d.push(&line, &mut out);
        assert!(out.len() >= QP_HELD, "held {} bytes", d.line.len());
        assert!(d.line.len() < 8, "held {} bytes", d.line.len());
        d.finish(&mut out);
        assert_eq!(out, quoted_printable(&line));
        assert!(out.ends_with(b"xB"));
    }
}
