//! The on-disk form of a summary: fixed fields then three length-prefixed strings. Small,
//! versioned by the schema number in the database, and decoded defensively (a damaged value
//! is an error, never a panic).

use crate::msg::{Flags, Summary, Uid};

pub fn encode(s: &Summary) -> Vec<u8> {
    let from = clip(&s.from);
    let to = clip(&s.to);
    let subject = clip(&s.subject);
    let mut out = Vec::with_capacity(23 + from.len() + to.len() + subject.len());
    out.push(s.flags.0);
    out.extend_from_slice(&s.date.to_le_bytes());
    out.extend_from_slice(&s.date_offset.to_le_bytes());
    out.extend_from_slice(&s.size.to_le_bytes());
    for text in [from, to, subject] {
        out.extend_from_slice(&(text.len() as u16).to_le_bytes());
        out.extend_from_slice(text.as_bytes());
    }
    out
}

/// At most 65 535 bytes, cut on a character boundary.
fn clip(s: &str) -> &str {
    let mut end = s.len().min(u16::MAX as usize);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

pub fn decode(uid: Uid, bytes: &[u8]) -> Option<Summary> {
    let mut r = Reader(bytes);
    let flags = Flags(r.take::<1>()?[0]);
    let date = i64::from_le_bytes(r.take()?);
    let date_offset = i32::from_le_bytes(r.take()?);
    let size = u32::from_le_bytes(r.take()?);
    let from = r.string()?;
    let to = r.string()?;
    let subject = r.string()?;
    r.0.is_empty().then_some(Summary {
        uid,
        flags,
        date,
        date_offset,
        size,
        from,
        to,
        subject,
    })
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }

    fn string(&mut self) -> Option<String> {
        let len = u16::from_le_bytes(self.take()?) as usize;
        let (text, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        String::from_utf8(text.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let s = Summary {
            uid: 7,
            flags: Flags(Flags::SEEN | Flags::FLAGGED),
            date: 1_700_000_000,
            date_offset: -18_000,
            size: 4096,
            from: "王小明 <wang@example.cn>".into(),
            to: "bob@example.org".into(),
            subject: "Grüße".into(),
        };
        let bytes = encode(&s);
        assert_eq!(decode(7, &bytes), Some(s));
        for cut in 0..bytes.len() {
            assert_eq!(decode(7, &bytes[..cut]), None, "cut at {cut}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert_eq!(decode(7, &extra), None);
    }

    #[test]
    fn long_strings_are_clipped_on_char_boundaries() {
        let s = Summary {
            uid: 1,
            flags: Flags::default(),
            date: 0,
            date_offset: 0,
            size: 0,
            from: "é".repeat(40_000),
            to: "bob@example.org".into(),
            subject: String::new(),
        };
        let back = decode(1, &encode(&s)).unwrap();
        assert!(back.from.len() <= u16::MAX as usize);
        assert!(back.from.chars().all(|c| c == 'é'));
    }
}
