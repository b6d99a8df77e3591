//! What a summary knows from a message's header beyond the list's columns: the Date it was
//! sent, the ids conversations are built from, and whether it carries attachments. Kept in
//! 32 bytes per message (one boxed string for every id, no `Option<String>` per field), since a
//! folder holds 100 000 summaries.

/// How many References ids a summary keeps: the first (the thread's root) and the last
/// [`MAX_REFERENCES`]` - 1` (the nearest ancestors). Threading links a message to its parent,
/// the last id; the others only matter where messages of the thread are missing, and then the
/// root and the nearest ancestors place it. Mailers trim long References the same way (RFC 5322
/// 3.6.4 allows it). A hostile header naming 10 000 ids costs no more than this.
pub const MAX_REFERENCES: usize = 8;

/// Bytes of a row's ids as hashes at most: Message-ID, In-Reply-To and the References kept.
pub const STORED_KEYS_MAX: usize = 8 * (2 + MAX_REFERENCES);

use super::id_hash::IdHash;
use super::id_text::{is_id, split_ids};
use crate::mime;
use crate::mime::list_fields::ListFields;

const HAS_SENT: u8 = 1;
const ATTACHMENT: u8 = 2;
/// In-Reply-To is the last References id, as mailers nearly always make it: kept once.
const REPLY_TO_LAST: u8 = 4;

/// See the module documentation. `Default` knows nothing: no Date (so the summary's INTERNALDATE
/// stands in), no ids, no attachment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderFacts {
    sent: i64,
    sent_offset: i32,
    bits: u8,
    /// `message-id in-reply-to ref ref …`, space-separated (ids never hold a space); the
    /// first two may be empty (In-Reply-To also when it is the last reference). Empty when
    /// there are no ids at all, which allocates nothing.
    ids: Box<str>,
}

impl HeaderFacts {
    /// Facts from values already parsed: the Date header as seconds since the epoch and UTC
    /// offset, the Message-ID, the first id of In-Reply-To, and the References ids oldest first.
    /// Ids are taken without their angle brackets; any that is not a plausible id (empty, too
    /// long, holding blanks or control characters) is dropped, and References are cut to
    /// [`MAX_REFERENCES`].
    pub fn new<'a>(
        sent: Option<(i64, i32)>,
        message_id: Option<&str>,
        in_reply_to: Option<&str>,
        references: impl IntoIterator<Item = &'a str>,
        attachment: bool,
    ) -> HeaderFacts {
        let mut bits = if attachment { ATTACHMENT } else { 0 };
        if sent.is_some() {
            bits |= HAS_SENT;
        }
        let (sent, sent_offset) = sent.unwrap_or_default();
        let (kept, count) = bounded(references.into_iter().filter(|i| is_id(i)));
        let references = &kept[..count];
        let message_id = message_id.filter(|i| is_id(i)).unwrap_or("");
        let mut in_reply_to = in_reply_to.filter(|i| is_id(i)).unwrap_or("");
        if !in_reply_to.is_empty() && references.last() == Some(&in_reply_to) {
            bits |= REPLY_TO_LAST;
            in_reply_to = "";
        }
        let mut ids = Box::default();
        if !(message_id.is_empty() && in_reply_to.is_empty() && references.is_empty()) {
            // Sized exactly: 100 000 of these are built in a sync and again on a warm start.
            let len = message_id.len() + 1 + in_reply_to.len();
            let len = len + references.iter().map(|r| r.len() + 1).sum::<usize>();
            let mut packed = String::with_capacity(len);
            packed.push_str(message_id);
            packed.push(' ');
            packed.push_str(in_reply_to);
            for r in references {
                packed.push(' ');
                packed.push_str(r);
            }
            ids = packed.into_boxed_str();
        }
        HeaderFacts {
            sent,
            sent_offset,
            bits,
            ids,
        }
    }

    /// Facts from the raw values of a header's fields, as a summary fetch brings them.
    pub fn from_fields(fields: &ListFields<'_>) -> HeaderFacts {
        HeaderFacts::new(
            fields.date.and_then(mime::facts::sent),
            fields.message_id.and_then(mime::facts::message_id),
            fields.in_reply_to.and_then(|v| mime::facts::ids(v).next()),
            fields.references.into_iter().flat_map(mime::facts::ids),
            fields.content_type.is_some_and(mime::facts::has_attachment),
        )
    }

    /// Facts from a raw header block holding every field they come from: Date, Message-ID,
    /// In-Reply-To, References and Content-Type.
    pub fn from_header(block: &[u8]) -> HeaderFacts {
        HeaderFacts::from_fields(&ListFields::read(block))
    }

    /// The facts as a borrowed view, as rows are read whether owned or in the model's store.
    pub fn view(&self) -> FactsRef<'_> {
        FactsRef {
            sent: self.sent,
            sent_offset: self.sent_offset,
            bits: self.bits,
            ids: Ids::Text(&self.ids),
        }
    }

    /// The Date header (seconds since the epoch, UTC offset in seconds), when it had one that
    /// parsed.
    pub fn sent(&self) -> Option<(i64, i32)> {
        self.view().sent()
    }

    pub fn has_attachment(&self) -> bool {
        self.view().has_attachment()
    }

    /// Marks whether the message carries attachments, once its structure says so exactly.
    pub fn set_attachment(&mut self, attachment: bool) {
        self.bits = with_attachment(self.bits, attachment);
    }

    /// The Message-ID, without angle brackets.
    pub fn message_id(&self) -> Option<&str> {
        self.field(0)
    }

    /// The first id of In-Reply-To, without angle brackets.
    pub fn in_reply_to(&self) -> Option<&str> {
        if self.reply_is_last_reference() {
            return self.references().last();
        }
        self.field(1)
    }

    /// Whether [`HeaderFacts::in_reply_to`] is the last of [`HeaderFacts::references`].
    pub fn reply_is_last_reference(&self) -> bool {
        self.bits & REPLY_TO_LAST != 0
    }

    /// The References ids kept, oldest first, without angle brackets.
    pub fn references(&self) -> impl Iterator<Item = &str> {
        self.ids.split(' ').skip(2)
    }

    /// Bytes held on the heap: the packed ids (for measuring memory, as `benches/sync.rs`
    /// does).
    pub fn heap_bytes(&self) -> usize {
        self.ids.len()
    }

    fn field(&self, n: usize) -> Option<&str> {
        self.ids.split(' ').nth(n).filter(|id| !id.is_empty())
    }
}

/// Where a row's ids are: as text in [`HeaderFacts`], or as hashes in the model's compact
/// store, which keeps [`IdHash::raw`] values little-endian in the order
/// `message-id in-reply-to ref ref …` (0 for a missing one), and nothing at all for a message
/// without ids.
#[derive(Debug, Clone, Copy)]
enum Ids<'a> {
    Text(&'a str),
    Hashed(&'a [u8]),
}

/// [`HeaderFacts`] borrowed: the same fields, the ids wherever they are kept. Ids are read as
/// hashes ([`FactsRef::keys`]): all that is done with a row's ids is compare them.
#[derive(Debug, Clone, Copy)]
pub struct FactsRef<'a> {
    sent: i64,
    sent_offset: i32,
    bits: u8,
    ids: Ids<'a>,
}

impl Default for FactsRef<'_> {
    fn default() -> Self {
        FactsRef {
            sent: 0,
            sent_offset: 0,
            bits: 0,
            ids: Ids::Text(""),
        }
    }
}

/// Equal when the same facts are known, however the ids are kept.
impl PartialEq for FactsRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.keys(), other.keys());
        (self.sent, self.sent_offset, self.bits) == (other.sent, other.sent_offset, other.bits)
            && (a.message_id, a.in_reply_to) == (b.message_id, b.in_reply_to)
            && a.references.iter().eq(b.references.iter())
    }
}

impl Eq for FactsRef<'_> {}

impl<'a> FactsRef<'a> {
    /// The fields as the compact store keeps them: the Date header's time and offset, the
    /// bits; [`FactsRef::stored_keys`] gives the ids.
    pub fn parts(&self) -> (i64, i32, u8) {
        (self.sent, self.sent_offset, self.bits)
    }

    /// The view of a compact store's row: [`FactsRef::parts`] and what
    /// [`FactsRef::stored_keys`] gave.
    pub fn from_parts(sent: i64, sent_offset: i32, bits: u8, keys: &'a [u8]) -> FactsRef<'a> {
        FactsRef {
            sent,
            sent_offset,
            bits,
            ids: Ids::Hashed(keys),
        }
    }

    /// The ids as hashes, as [`FactsRef::from_parts`] reads them, in the first bytes of the
    /// array (how many it says): none for a message without ids.
    pub fn stored_keys(&self) -> ([u8; STORED_KEYS_MAX], usize) {
        let mut out = [0; STORED_KEYS_MAX];
        let (message_id, own, references) = self.id_fields();
        // In-Reply-To that is the last reference is kept once, as the bit says.
        let own = own.filter(|_| self.bits & REPLY_TO_LAST == 0);
        let raw = |k: Option<IdHash>| k.map_or(0, IdHash::raw);
        let words = [raw(message_id), raw(own)]
            .into_iter()
            .chain(references.iter().map(IdHash::raw))
            .take(STORED_KEYS_MAX / 8);
        let mut len = 0;
        for w in words {
            out[len..len + 8].copy_from_slice(&w.to_le_bytes());
            len += 8;
        }
        // Each id is hashed once (a cold or warm load stores every row's): whether there was
        // any is known once they are written.
        if message_id.is_none() && own.is_none() && len == 16 {
            return (out, 0);
        }
        (out, len)
    }

    /// The same facts with the attachment bit set to `attachment`.
    pub fn with_attachment(self, attachment: bool) -> FactsRef<'a> {
        FactsRef {
            bits: with_attachment(self.bits, attachment),
            ..self
        }
    }

    pub fn sent(&self) -> Option<(i64, i32)> {
        (self.bits & HAS_SENT != 0).then_some((self.sent, self.sent_offset))
    }

    pub fn has_attachment(&self) -> bool {
        self.bits & ATTACHMENT != 0
    }

    /// The Message-ID, the first id of In-Reply-To and the References, as hashes, in one
    /// pass: threading reads them for every message of a folder.
    pub fn keys(&self) -> Keys<'a> {
        let (message_id, own, references) = self.id_fields();
        let in_reply_to = if self.bits & REPLY_TO_LAST != 0 {
            references.iter().last()
        } else {
            own
        };
        Keys {
            message_id,
            in_reply_to,
            references,
        }
    }

    /// The Message-ID, the In-Reply-To field as kept (unset when it is the last reference)
    /// and the References.
    fn id_fields(&self) -> (Option<IdHash>, Option<IdHash>, RefKeys<'a>) {
        match self.ids {
            Ids::Text(text) => {
                let mut ids = text.splitn(3, ' ');
                let mut next = || ids.next().filter(|id| !id.is_empty()).map(IdHash::of);
                let (message_id, own) = (next(), next());
                (message_id, own, RefKeys::Text(ids.next().unwrap_or("")))
            }
            Ids::Hashed(bytes) => {
                let at = |i: usize| {
                    let word = bytes.get(i * 8..i * 8 + 8)?;
                    IdHash::from_raw(u64::from_le_bytes(word.try_into().ok()?))
                };
                (
                    at(0),
                    at(1),
                    RefKeys::Hashed(bytes.get(16..).unwrap_or_default()),
                )
            }
        }
    }
}

/// A row's ids as hashes ([`FactsRef::keys`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keys<'a> {
    pub message_id: Option<IdHash>,
    pub in_reply_to: Option<IdHash>,
    pub references: RefKeys<'a>,
}

/// The References ids, oldest first, as hashes, read in place: from text (a header's value
/// or a summary's blank-separated ids) or from the compact store.
#[derive(Debug, Clone, Copy)]
pub enum RefKeys<'a> {
    Text(&'a str),
    Hashed(&'a [u8]),
}

impl Default for RefKeys<'_> {
    fn default() -> Self {
        RefKeys::Text("")
    }
}

/// Equal when they name the same ids, however they are kept.
impl PartialEq for RefKeys<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for RefKeys<'_> {}

impl<'a> RefKeys<'a> {
    pub fn iter(&self) -> impl Iterator<Item = IdHash> + Clone + use<'a> {
        let (text, bytes) = match *self {
            RefKeys::Text(t) => (t, &[][..]),
            RefKeys::Hashed(b) => ("", b),
        };
        split_ids(text).map(IdHash::of).chain(
            bytes
                .chunks_exact(8)
                .filter_map(|w| IdHash::from_raw(u64::from_le_bytes(w.try_into().ok()?))),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

fn with_attachment(bits: u8, attachment: bool) -> u8 {
    (bits & !ATTACHMENT) | if attachment { ATTACHMENT } else { 0 }
}

/// The first id and the last [`MAX_REFERENCES`]` - 1`, in order, and how many there are:
/// never more than that many held, and nothing on the heap.
fn bounded<'a>(ids: impl Iterator<Item = &'a str>) -> ([&'a str; MAX_REFERENCES], usize) {
    let mut kept = [""; MAX_REFERENCES];
    let mut count = 0;
    for id in ids {
        if count == MAX_REFERENCES {
            kept[1..].rotate_left(1);
            kept[MAX_REFERENCES - 1] = id;
        } else {
            kept[count] = id;
            count += 1;
        }
    }
    (kept, count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::id_text::MAX_ID;

    #[test]
    fn nothing_known_costs_no_allocation() {
        let f = HeaderFacts::new(None, None, None, [], false);
        assert_eq!(f, HeaderFacts::default());
        assert_eq!((f.message_id(), f.in_reply_to()), (None, None));
        assert_eq!(f.references().count(), 0);
        assert_eq!(f.sent(), None);
        assert!(!f.has_attachment());
        assert_eq!(std::mem::size_of::<HeaderFacts>(), 32);
    }

    #[test]
    fn each_field_reads_back_whichever_are_missing() {
        let refs = ["r1@x", "r2@x"];
        for mid in [None, Some("m@x")] {
            for irt in [None, Some("p@x")] {
                for refs in [&refs[..0], &refs[..1], &refs[..]] {
                    let f = HeaderFacts::new(Some((5, -3600)), mid, irt, refs.to_vec(), true);
                    assert_eq!(f.message_id(), mid);
                    assert_eq!(f.in_reply_to(), irt);
                    assert_eq!(f.references().collect::<Vec<_>>(), refs);
                    assert_eq!(f.sent(), Some((5, -3600)));
                    assert!(f.has_attachment());
                }
            }
        }
    }

    #[test]
    fn a_reply_to_the_last_reference_keeps_it_once() {
        let f = HeaderFacts::new(None, Some("m@x"), Some("p@x"), ["r@x", "p@x"], false);
        assert_eq!(f.in_reply_to(), Some("p@x"));
        assert_eq!(f.references().collect::<Vec<_>>(), ["r@x", "p@x"]);
        assert_eq!(&*f.ids, "m@x  r@x p@x");
        assert_eq!(f.heap_bytes(), 12);
        // Another parent than the last reference is kept as it is.
        let f = HeaderFacts::new(None, None, Some("q@x"), ["r@x", "p@x"], false);
        assert_eq!(f.in_reply_to(), Some("q@x"));
    }

    #[test]
    fn keys_agree_with_the_text_however_the_ids_are_kept() {
        let key = |id: Option<&str>| id.map(IdHash::of);
        for f in [
            HeaderFacts::new(None, None, None, [], false),
            HeaderFacts::new(None, Some("m@x"), None, [], false),
            HeaderFacts::new(None, None, Some("p@x"), [], false),
            HeaderFacts::new(None, None, None, ["r@x"], false),
            HeaderFacts::new(None, Some("m@x"), Some("p@x"), ["r@x", "p@x"], false),
            HeaderFacts::new(
                Some((9, 60)),
                Some("m@x"),
                Some("o@x"),
                ["r@x", "p@x"],
                true,
            ),
        ] {
            let (stored, len) = f.view().stored_keys();
            let (sent, offset, bits) = f.view().parts();
            let hashed = FactsRef::from_parts(sent, offset, bits, &stored[..len]);
            for keys in [f.view().keys(), hashed.keys()] {
                assert_eq!(keys.message_id, key(f.message_id()), "{f:?}");
                assert_eq!(keys.in_reply_to, key(f.in_reply_to()), "{f:?}");
                assert!(keys.references.iter().eq(f.references().map(IdHash::of)));
            }
            assert_eq!(hashed, f.view());
            assert_eq!(
                (hashed.sent(), hashed.has_attachment()),
                (f.sent(), f.has_attachment())
            );
        }
        let (a, b) = (
            HeaderFacts::new(None, Some("m@x"), None, ["r@x"], false),
            HeaderFacts::new(None, Some("m@x"), None, ["q@x"], false),
        );
        assert_ne!(a.view(), b.view());
    }

    #[test]
    fn implausible_ids_are_dropped() {
        let long = "x".repeat(MAX_ID + 1);
        for bad in [
            "",
            "a b",
            "a\u{1b}[2Jb",
            "a\nb",
            "<a>",
            "\u{202e}a",
            "a\u{200b}",
            &long,
        ] {
            let f = HeaderFacts::new(None, Some(bad), Some(bad), [bad, "ok@x"], false);
            assert_eq!(f.message_id(), None, "{bad:?}");
            assert_eq!(f.in_reply_to(), None, "{bad:?}");
            assert_eq!(f.references().collect::<Vec<_>>(), ["ok@x"], "{bad:?}");
        }
        let fine = "x".repeat(MAX_ID);
        let f = HeaderFacts::new(None, Some(&fine), Some("ü@例え.jp"), [], false);
        assert_eq!(f.message_id(), Some(&*fine));
        assert_eq!(f.in_reply_to(), Some("ü@例え.jp"));
    }

    #[test]
    fn references_keep_the_root_and_the_nearest_ancestors() {
        let ids: Vec<String> = (0..10_000).map(|i| format!("{i}@x")).collect();
        let f = HeaderFacts::new(None, None, None, ids.iter().map(String::as_str), false);
        let kept: Vec<&str> = f.references().collect();
        let mut want = vec!["0@x"];
        want.extend((10_000 - MAX_REFERENCES + 1..10_000).map(|i| ids[i].as_str()));
        assert_eq!(kept, want);
    }

    #[test]
    fn a_header_block_gives_every_fact() {
        let block = b"Date: Mon, 1 Jan 2024 10:00:00 +0100\r\nMessage-ID: <m@x>\r\n\
                      In-Reply-To: <p@x> <q@x>\r\nReferences: <r@x>\r\n <p@x>\r\n\
                      Content-Type: multipart/mixed; boundary=z\r\n\r\n";
        let f = HeaderFacts::from_header(block);
        assert_eq!(f.sent(), Some((1_704_099_600, 3600)));
        assert_eq!(
            (f.message_id(), f.in_reply_to()),
            (Some("m@x"), Some("p@x"))
        );
        assert_eq!(f.references().collect::<Vec<_>>(), ["r@x", "p@x"]);
        assert!(f.has_attachment());
        assert_eq!(
            HeaderFacts::from_header(b"Subject: hi\r\n\r\n"),
            HeaderFacts::default()
        );
    }

    #[test]
    fn the_attachment_bit_can_be_corrected() {
        let mut f = HeaderFacts::new(Some((1, 0)), Some("m@x"), None, [], true);
        f.set_attachment(false);
        assert!(!f.has_attachment());
        assert_eq!((f.sent(), f.message_id()), (Some((1, 0)), Some("m@x")));
        f.set_attachment(true);
        assert!(f.has_attachment());
    }
}
