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

/// Longest id kept, in bytes. Real Message-IDs are well under 100; a longer one is hostile or
/// broken and is dropped, not cut (a cut id could match another one).
pub const MAX_ID: usize = 250;

use crate::mime;

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

    /// Facts from the raw values of an ENVELOPE's Date, Message-ID and In-Reply-To, and a
    /// header block holding References and Content-Type.
    pub fn from_envelope(
        date: Option<&[u8]>,
        message_id: Option<&[u8]>,
        in_reply_to: Option<&[u8]>,
        header: &[u8],
    ) -> HeaderFacts {
        HeaderFacts::new(
            date.and_then(mime::facts::sent),
            message_id.and_then(mime::facts::message_id),
            in_reply_to.and_then(|v| mime::facts::ids(v).next()),
            mime::facts::field(header, "References")
                .into_iter()
                .flat_map(mime::facts::ids),
            mime::facts::field(header, "Content-Type").is_some_and(mime::facts::has_attachment),
        )
    }

    /// Facts from a raw header block holding every field they come from: Date, Message-ID,
    /// In-Reply-To, References and Content-Type.
    pub fn from_header(block: &[u8]) -> HeaderFacts {
        let field = |name| mime::facts::field(block, name);
        HeaderFacts::from_envelope(
            field("Date"),
            field("Message-ID"),
            field("In-Reply-To"),
            block,
        )
    }

    /// The facts as a borrowed view: what the accessors read, and what a compact store keeps
    /// of them ([`FactsRef::parts`]).
    pub fn view(&self) -> FactsRef<'_> {
        FactsRef {
            sent: self.sent,
            sent_offset: self.sent_offset,
            bits: self.bits,
            ids: &self.ids,
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
        self.view().message_id()
    }

    /// The first id of In-Reply-To, without angle brackets.
    pub fn in_reply_to(&self) -> Option<&str> {
        self.view().in_reply_to()
    }

    /// The References ids kept, oldest first, without angle brackets.
    pub fn references(&self) -> impl Iterator<Item = &str> {
        self.view().references()
    }

    /// See [`FactsRef::ids`].
    pub fn ids(&self) -> (Option<&str>, Option<&str>, &str) {
        self.view().ids()
    }

    /// Bytes held on the heap: the packed ids (for measuring memory, as `benches/sync.rs`
    /// does).
    pub fn heap_bytes(&self) -> usize {
        self.ids.len()
    }
}

/// [`HeaderFacts`] borrowed: the same fields, the ids wherever they are kept (in the facts, or
/// in a compact store's text).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FactsRef<'a> {
    sent: i64,
    sent_offset: i32,
    bits: u8,
    ids: &'a str,
}

impl<'a> FactsRef<'a> {
    /// The fields as kept: the Date header's time and offset, the bits, the packed ids.
    pub fn parts(&self) -> (i64, i32, u8, &'a str) {
        (self.sent, self.sent_offset, self.bits, self.ids)
    }

    /// The view of fields [`FactsRef::parts`] gave.
    pub fn from_parts(sent: i64, sent_offset: i32, bits: u8, ids: &'a str) -> FactsRef<'a> {
        FactsRef {
            sent,
            sent_offset,
            bits,
            ids,
        }
    }

    /// Owned facts, as [`HeaderFacts::new`] made them.
    pub fn to_facts(&self) -> HeaderFacts {
        HeaderFacts {
            sent: self.sent,
            sent_offset: self.sent_offset,
            bits: self.bits,
            ids: self.ids.into(),
        }
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

    pub fn message_id(&self) -> Option<&'a str> {
        self.field(0)
    }

    pub fn in_reply_to(&self) -> Option<&'a str> {
        if self.bits & REPLY_TO_LAST != 0 {
            return self.references().last();
        }
        self.field(1)
    }

    pub fn references(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.ids.split(' ').skip(2)
    }

    /// The Message-ID, the first id of In-Reply-To and the References (blank-separated, as
    /// they are kept), as the methods above give them, in one pass: threading reads them for
    /// every message of a folder.
    pub fn ids(&self) -> (Option<&'a str>, Option<&'a str>, &'a str) {
        let mut ids = self.ids.splitn(3, ' ');
        let mut next = || ids.next().filter(|id| !id.is_empty());
        let (message_id, own) = (next(), next());
        let references = ids.next().unwrap_or("");
        let in_reply_to = if self.bits & REPLY_TO_LAST != 0 {
            references.rsplit(' ').next().filter(|id| !id.is_empty())
        } else {
            own
        };
        (message_id, in_reply_to, references)
    }

    fn field(&self, n: usize) -> Option<&'a str> {
        self.ids.split(' ').nth(n).filter(|id| !id.is_empty())
    }
}

fn with_attachment(bits: u8, attachment: bool) -> u8 {
    (bits & !ATTACHMENT) | if attachment { ATTACHMENT } else { 0 }
}

/// Not empty, not too long, and nothing that would break the packing or a terminal (blanks,
/// brackets, and what [`mime::sanitize`] never writes: controls, bidi overrides, invisibles).
pub(crate) fn is_id(id: &str) -> bool {
    let ascii = |b: u8| b.is_ascii_graphic() && b != b'<' && b != b'>';
    if id.is_empty() || id.len() > MAX_ID {
        return false;
    }
    // Nearly every id is ASCII: a byte test, where the general one was most of a warm
    // start's decoding.
    if id.is_ascii() {
        return id.bytes().all(ascii);
    }
    id.chars().all(|c| match u8::try_from(c) {
        Ok(b) if b.is_ascii() => ascii(b),
        _ => !c.is_whitespace() && !mime::sanitize::is_unsafe(c),
    })
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
    fn ids_in_one_pass_agree_with_each_accessor() {
        for f in [
            HeaderFacts::new(None, None, None, [], false),
            HeaderFacts::new(None, Some("m@x"), None, [], false),
            HeaderFacts::new(None, None, Some("p@x"), [], false),
            HeaderFacts::new(None, Some("m@x"), Some("p@x"), ["r@x", "p@x"], false),
            HeaderFacts::new(None, Some("m@x"), Some("o@x"), ["r@x", "p@x"], false),
        ] {
            let (message_id, in_reply_to, references) = f.ids();
            assert_eq!(message_id, f.message_id(), "{f:?}");
            assert_eq!(in_reply_to, f.in_reply_to(), "{f:?}");
            assert!(
                references
                    .split(' ')
                    .filter(|r| !r.is_empty())
                    .eq(f.references()),
                "{f:?}"
            );
        }
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
