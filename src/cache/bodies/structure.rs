//! The on-disk form of a message's structure: a version byte, the header block, then the part
//! tree in pre-order with varint lengths. Depths are not stored (they follow from the tree).
//! Decoded defensively: anything damaged, truncated or of another version is `None`.

use crate::mime::{Part, Section};

const VERSION: u8 = 1;
/// Deeper than the IMAP stream guard lets any BODYSTRUCTURE be, so only garbage hits it.
const MAX_DEPTH: usize = 128;

pub fn encode(root: &Part, header: &[u8]) -> Vec<u8> {
    let mut out = vec![VERSION];
    bytes(&mut out, header);
    part(&mut out, root);
    out
}

pub fn decode(data: &[u8]) -> Option<(Part, Vec<u8>)> {
    let (&version, rest) = data.split_first()?;
    if version != VERSION {
        return None;
    }
    let mut r = Reader(rest);
    let header = r.bytes()?.to_vec();
    let root = r.part(0)?;
    r.0.is_empty().then_some((root, header))
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn opt(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            bytes(out, s.as_bytes());
        }
    }
}

fn part(out: &mut Vec<u8>, p: &Part) {
    varint(out, p.section.path.len() as u64);
    for n in &p.section.path {
        varint(out, u64::from(*n));
    }
    out.push(u8::from(p.section.text));
    bytes(out, p.mime_type.as_bytes());
    varint(out, p.params.len() as u64);
    for (k, v) in &p.params {
        bytes(out, k.as_bytes());
        bytes(out, v.as_bytes());
    }
    opt(out, p.charset.as_deref());
    bytes(out, p.encoding.as_bytes());
    opt(out, p.disposition.as_deref());
    opt(out, p.filename.as_deref());
    varint(out, p.size);
    opt(out, p.content_id.as_deref());
    varint(out, p.children.len() as u64);
    for c in &p.children {
        part(out, c);
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    /// A count of items still to read; each takes at least one byte, so a count larger than
    /// what is left is damage (and must not size an allocation).
    fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.varint()?).ok()?;
        (n <= self.0.len()).then_some(n)
    }

    fn bytes(&mut self) -> Option<&[u8]> {
        let len = usize::try_from(self.varint()?).ok()?;
        let (head, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        Some(head)
    }

    fn string(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?.to_vec()).ok()
    }

    fn opt(&mut self) -> Option<Option<String>> {
        match self.byte()? {
            0 => Some(None),
            1 => Some(Some(self.string()?)),
            _ => None,
        }
    }

    fn part(&mut self, depth: usize) -> Option<Part> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut path = Vec::new();
        for _ in 0..self.count()? {
            path.push(u32::try_from(self.varint()?).ok()?);
        }
        let text = match self.byte()? {
            0 => false,
            1 => true,
            _ => return None,
        };
        let mime_type = self.string()?;
        let mut params = Vec::new();
        for _ in 0..self.count()? {
            params.push((self.string()?, self.string()?));
        }
        let charset = self.opt()?;
        let encoding = self.string()?;
        let disposition = self.opt()?;
        let filename = self.opt()?;
        let size = self.varint()?;
        let content_id = self.opt()?;
        let mut children = Vec::new();
        for _ in 0..self.count()? {
            children.push(self.part(depth + 1)?);
        }
        Some(Part {
            section: Section { path, text },
            mime_type,
            params,
            charset,
            encoding,
            disposition,
            filename,
            size,
            content_id,
            depth,
            children,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{MIXED_TREE, parse_part};
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let mut root = parse_part(MIXED_TREE);
        root.children[0].filename = Some("café.txt".into());
        root.children[0].size = u64::MAX;
        let header = b"Subject: hi\r\nFrom: a@example.com\r\n\r\n";
        let bytes = encode(&root, header);
        assert_eq!(decode(&bytes), Some((root, header.to_vec())));
        for cut in 0..bytes.len() {
            assert_eq!(decode(&bytes[..cut]), None, "cut at {cut}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert_eq!(decode(&extra), None);
        let mut other = bytes;
        other[0] = VERSION + 1;
        assert_eq!(decode(&other), None, "another version is a miss");
    }

    #[test]
    fn garbage_neither_panics_nor_allocates_wildly() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for len in 0..2000 {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            let _ = decode(&data);
        }
        // Children nested past any real message.
        let mut deep = vec![VERSION, 0];
        for _ in 0..10_000 {
            deep.extend_from_slice(&[0, 0, 1, b'x', 0, 0, 1, b'y', 0, 0, 0, 0, 1]);
        }
        assert_eq!(decode(&deep), None);
    }
}
