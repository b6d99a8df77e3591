//! The on-disk form of summaries. Rows are grouped in blocks of 256 consecutive UIDs, one
//! stored value each, so loading 100 000 rows reads a few hundred values rather than 100 000
//! B-tree entries. A row is its UID, its length, then fixed fields and three length-prefixed
//! strings, then the header facts (a byte of bits, the Date, and the ids as length-prefixed
//! strings); the flags byte comes first so a flag change patches one byte. Decoding is
//! defensive: damage is `None`, never a panic, and ids are checked again as on arrival.

use crate::intern::Interner;
use crate::msg::facts::MAX_REFERENCES;
use crate::msg::{Flags, HeaderFacts, Summary, Uid};

const BLOCK_BITS: u32 = 8;
/// Bits of the facts byte.
const HAS_SENT: u8 = 1;
const ATTACHMENT: u8 = 2;

/// The block a UID's row lives in.
pub fn block_of(uid: Uid) -> u32 {
    uid >> BLOCK_BITS
}

/// A block's rows as (UID, encoded row), in UID order.
pub type Rows<'a> = Vec<(Uid, &'a [u8])>;

pub fn encode_row(s: &Summary) -> Vec<u8> {
    let h = &s.header;
    // One walk over the ids: a cold sync encodes every row, and each accessor splits them anew.
    let references: Vec<&str> = h.references().collect();
    let in_reply_to = if h.reply_is_last_reference() {
        references.last().copied()
    } else {
        h.in_reply_to()
    };
    let texts = [
        &*s.from,
        &*s.to,
        &*s.subject,
        h.message_id().unwrap_or_default(),
        in_reply_to.unwrap_or_default(),
    ];
    let referenced: usize = references.iter().map(|r| 4 + r.len()).sum();
    // Sized exactly: a cold sync encodes every row once, and growing each one was 100 000
    // reallocations at 100 000 messages.
    let len = 31 + texts.iter().map(|t| 4 + t.len()).sum::<usize>() + referenced;
    let mut out = Vec::with_capacity(len);
    out.push(s.flags.to_byte());
    out.extend_from_slice(&s.date.to_le_bytes());
    out.extend_from_slice(&s.date_offset.to_le_bytes());
    out.extend_from_slice(&s.size.to_le_bytes());
    for text in &texts[..3] {
        put_text(&mut out, text);
    }
    let sent = h.sent();
    out.push(
        if sent.is_some() { HAS_SENT } else { 0 } | if h.has_attachment() { ATTACHMENT } else { 0 },
    );
    let (sent, sent_offset) = sent.unwrap_or_default();
    out.extend_from_slice(&sent.to_le_bytes());
    out.extend_from_slice(&sent_offset.to_le_bytes());
    for text in &texts[3..] {
        put_text(&mut out, text);
    }
    out.push(references.len() as u8);
    for r in references {
        put_text(&mut out, r);
    }
    debug_assert_eq!(out.len(), len);
    out
}

fn put_text(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}

/// Sets the flags of an encoded row.
pub fn set_flags(row: &mut [u8], flags: Flags) {
    if let Some(first) = row.first_mut() {
        *first = flags.to_byte();
    }
}

/// Splits a stored block into its rows; `None` if any length or UID is out of place.
pub fn split(block: u32, bytes: &[u8]) -> Option<Rows<'_>> {
    let mut r = Reader(bytes);
    let mut rows = Vec::new();
    while !r.0.is_empty() {
        let uid = u32::from_le_bytes(r.take()?);
        let len = u32::from_le_bytes(r.take()?) as usize;
        let row = r.slice(len)?;
        if block_of(uid) != block || rows.last().is_some_and(|(u, _)| *u >= uid) {
            return None;
        }
        rows.push((uid, row));
    }
    Some(rows)
}

/// Joins rows (in UID order) into a stored block.
pub fn join<'a>(rows: impl IntoIterator<Item = (Uid, &'a [u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    for (uid, row) in rows {
        out.extend_from_slice(&uid.to_le_bytes());
        out.extend_from_slice(&(row.len() as u32).to_le_bytes());
        out.extend_from_slice(row);
    }
    out
}

/// One row back as a summary; senders and recipients come out shared through `names`.
pub fn decode_row(uid: Uid, row: &[u8], names: &mut Interner) -> Option<Summary> {
    let mut r = Reader(row);
    let flags = Flags::from_byte(r.take::<1>()?[0]);
    let date = i64::from_le_bytes(r.take()?);
    let date_offset = i32::from_le_bytes(r.take()?);
    let size = u32::from_le_bytes(r.take()?);
    let from = names.get(r.text()?);
    let to = names.get(r.text()?);
    let subject = r.text()?.into();
    let header = facts(&mut r)?;
    r.0.is_empty().then_some(Summary {
        uid,
        flags,
        date,
        date_offset,
        size,
        from,
        to,
        subject,
        header,
    })
}

fn facts(r: &mut Reader) -> Option<HeaderFacts> {
    let bits = r.take::<1>()?[0];
    let sent = (i64::from_le_bytes(r.take()?), i32::from_le_bytes(r.take()?));
    // Empty for none; `HeaderFacts::new` drops empty ids.
    let (message_id, in_reply_to) = (r.text()?, r.text()?);
    let count = usize::from(r.take::<1>()?[0]);
    let mut references = [""; MAX_REFERENCES];
    for slot in references.get_mut(..count)? {
        *slot = r.text()?;
    }
    Some(HeaderFacts::new(
        (bits & HAS_SENT != 0).then_some(sent),
        Some(message_id),
        Some(in_reply_to),
        references[..count].iter().copied(),
        bits & ATTACHMENT != 0,
    ))
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }

    fn slice(&mut self, len: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        Some(head)
    }

    fn text(&mut self) -> Option<&'a str> {
        let len = u32::from_le_bytes(self.take()?) as usize;
        std::str::from_utf8(self.slice(len)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::Flag;
    use crate::test_fixtures;

    fn summary(uid: Uid) -> Summary {
        let references = ["root@x", "parent@x"];
        Summary {
            flags: Flag::Seen | Flag::Flagged,
            date: 1_700_000_000,
            date_offset: -18_000,
            size: 4096,
            header: HeaderFacts::new(
                Some((1_699_999_000, 3600)),
                Some("m@x"),
                Some("parent@x"),
                references,
                true,
            ),
            ..test_fixtures::summary(uid, "王小明 <wang@example.cn>", "Grüße")
        }
    }

    #[test]
    fn rows_round_trip_and_share_names() {
        let mut names = Interner::default();
        let (a, b) = (summary(7), summary(9));
        let block = join([(7, &encode_row(&a)[..]), (9, &encode_row(&b)[..])]);
        let rows = split(0, &block).unwrap();
        let back: Vec<Summary> = rows
            .iter()
            .map(|(uid, row)| decode_row(*uid, row, &mut names).unwrap())
            .collect();
        assert_eq!(back, vec![a, b]);
        // Nothing known stays nothing known (the Date does not become 0).
        let bare = test_fixtures::summary(1, "a", "s");
        assert_eq!(decode_row(1, &encode_row(&bare), &mut names), Some(bare));
        assert!(std::sync::Arc::ptr_eq(&back[0].from, &back[1].from));
    }

    #[test]
    fn damage_is_detected_not_panicked_on() {
        let mut names = Interner::default();
        let row = encode_row(&summary(7));
        for cut in 0..row.len() {
            assert_eq!(decode_row(7, &row[..cut], &mut names), None, "cut at {cut}");
        }
        let mut extra = row.clone();
        extra.push(0);
        assert_eq!(decode_row(7, &extra, &mut names), None);

        let block = join([(7, &row[..])]);
        for cut in 1..block.len() {
            assert_eq!(split(0, &block[..cut]), None, "cut at {cut}");
        }
        assert_eq!(split(1, &block), None, "a row in the wrong block");
        let twice = join([(7, &row[..]), (7, &row[..])]);
        assert_eq!(split(0, &twice), None, "rows out of order");
    }

    #[test]
    fn a_flag_change_patches_the_row() {
        let mut row = encode_row(&summary(3));
        set_flags(&mut row, Flags::from(Flag::Deleted));
        let back = decode_row(3, &row, &mut Interner::default()).unwrap();
        assert_eq!(back.flags, Flags::from(Flag::Deleted));
        assert_eq!(back.subject, summary(3).subject);
    }
}
