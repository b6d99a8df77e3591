//! Message structures and text bodies on disk, so a message read once opens again without
//! the server, offline too. Only what the reader shows is kept: the structure with its header
//! block, and inline text/plain and text/html parts up to a size cap; never attachments. The
//! total is bounded: past it, the least recently used items go first.
//!
//! Every row records the UIDVALIDITY it was fetched under and is served for that one only. A
//! folder's new UIDVALIDITY and expunges drop rows in the same transaction as its summaries.

mod structure;

use redb::{ReadableTable, Table, TableDefinition, WriteTransaction};

use super::{Cache, Op, db_err, guard, table};
use crate::error::Result;
use crate::mime::{Part, Section};
use crate::msg::Uid;

type Key<'a> = (&'a str, Uid, &'a str);

/// (folder, uid, item) → payload. The item is a part's section, or [`STRUCTURE`].
const BODIES: TableDefinition<Key, &[u8]> = TableDefinition::new("bodies");
/// (folder, uid, item) → (UIDVALIDITY, last use, payload length).
const BODY_USES: TableDefinition<Key, (u32, u64, u64)> = TableDefinition::new("body_uses");
/// Last use → (folder, uid, item): the eviction order, oldest first.
const BODY_LRU: TableDefinition<u64, Key> = TableDefinition::new("body_lru");
/// "bytes" → the payload length of every row.
const BODY_TOTAL: TableDefinition<&str, u64> = TableDefinition::new("body_total");

/// Not a section (those are digits, dots and `TEXT`), so no part can be mistaken for it.
const STRUCTURE: &str = "structure";
/// Long text mails fit; a bigger part is not worth evicting dozens of others for.
const ITEM_CAP: u64 = 1 << 20;

/// The largest item kept under `bound`: a quarter of it, so one item never flushes the rest.
fn item_cap(bound: u64) -> u64 {
    ITEM_CAP.min(bound / 4)
}

/// What the reader shows as text (as in `mime::body`); attachments stay on the server.
fn is_body_text(p: &Part) -> bool {
    matches!(p.mime_type.as_str(), "text/plain" | "text/html") && !p.is_attachment()
}

impl Cache {
    /// The structure and header block of a message read before; a damaged row is a miss.
    pub fn structure(
        &self,
        folder: &str,
        uid_validity: u32,
        uid: Uid,
    ) -> Result<Option<(Part, Vec<u8>)>> {
        let Some(payload) = self.read_item((folder, uid, STRUCTURE), uid_validity)? else {
            return Ok(None);
        };
        let decoded = structure::decode(&payload);
        if decoded.is_none() {
            tracing::warn!("cached structure of {folder} UID {uid} is damaged; fetching it again");
        }
        Ok(decoded)
    }

    /// The raw bytes of a text part read before.
    pub fn part(
        &self,
        folder: &str,
        uid_validity: u32,
        uid: Uid,
        section: &Section,
    ) -> Result<Option<Vec<u8>>> {
        self.read_item((folder, uid, &section.to_string()), uid_validity)
    }

    fn read_item(&self, key: Key, uid_validity: u32) -> Result<Option<Vec<u8>>> {
        guard(|| {
            let r = self.db.begin_read().map_err(db_err)?;
            let (Some(uses), Some(bodies)) = (table(&r, BODY_USES)?, table(&r, BODIES)?) else {
                return Ok(None);
            };
            payload(&uses, &bodies, key, uid_validity)
        })
    }
}

impl Op {
    /// Keeps `root` and `header` of a message.
    pub fn structure(
        folder: &str,
        uid_validity: u32,
        uid: Uid,
        (root, header): (&Part, &[u8]),
        bound: u64,
    ) -> Op {
        Op::Structure {
            folder: folder.into(),
            uid_validity,
            uid,
            payload: structure::encode(root, header),
            bound,
        }
    }

    /// The cached structure of a message was read.
    pub fn structure_used(folder: &str, uid: Uid) -> Op {
        Op::Touch {
            folder: folder.into(),
            uid,
            item: STRUCTURE.into(),
        }
    }

    /// A cached part was read.
    pub fn part_used(folder: &str, uid: Uid, section: &Section) -> Op {
        Op::Touch {
            folder: folder.into(),
            uid,
            item: section.to_string(),
        }
    }
}

pub(super) fn store_structure(
    w: &WriteTransaction,
    folder: &str,
    uid_validity: u32,
    uid: Uid,
    payload: &[u8],
    bound: u64,
) -> Result<()> {
    store(w, (folder, uid, STRUCTURE), uid_validity, payload, bound).map(drop)
}

/// Keeps a part if the cached structure says it is body text and it fits; says whether.
pub(super) fn store_part(
    w: &WriteTransaction,
    folder: &str,
    uid_validity: u32,
    uid: Uid,
    section: &Section,
    bytes: &[u8],
    bound: u64,
) -> Result<bool> {
    let root = {
        let uses = w.open_table(BODY_USES).map_err(db_err)?;
        let bodies = w.open_table(BODIES).map_err(db_err)?;
        payload(&uses, &bodies, (folder, uid, STRUCTURE), uid_validity)?
            .and_then(|p| structure::decode(&p))
    };
    if root.is_some_and(|(root, _)| root.find(section).is_some_and(is_body_text)) {
        store(
            w,
            (folder, uid, &section.to_string()),
            uid_validity,
            bytes,
            bound,
        )
    } else {
        Ok(false)
    }
}

/// Moves a row to the back of the eviction order.
pub(super) fn touch(w: &WriteTransaction, key: Key) -> Result<()> {
    let mut uses = w.open_table(BODY_USES).map_err(db_err)?;
    let mut lru = w.open_table(BODY_LRU).map_err(db_err)?;
    let old = uses.get(key).map_err(db_err)?.map(|g| g.value());
    if let Some((uv, stamp, len)) = old {
        lru.remove(stamp).map_err(db_err)?;
        let now = next_stamp(&lru)?;
        lru.insert(now, key).map_err(db_err)?;
        uses.insert(key, (uv, now, len)).map_err(db_err)?;
    }
    Ok(())
}

fn payload(
    uses: &impl ReadableTable<Key<'static>, (u32, u64, u64)>,
    bodies: &impl ReadableTable<Key<'static>, &'static [u8]>,
    key: Key,
    uid_validity: u32,
) -> Result<Option<Vec<u8>>> {
    let current = uses
        .get(key)
        .map_err(db_err)?
        .is_some_and(|g| g.value().0 == uid_validity);
    if !current {
        return Ok(None);
    }
    let got = bodies.get(key).map_err(db_err)?;
    Ok(got.map(|g| g.value().to_vec()))
}

fn next_stamp(lru: &Table<u64, Key>) -> Result<u64> {
    Ok(lru
        .last()
        .map_err(db_err)?
        .map_or(1, |(k, _)| k.value() + 1))
}

/// Inserts or replaces a row, then evicts the least recently used until the total fits.
fn store(
    w: &WriteTransaction,
    key: Key,
    uid_validity: u32,
    payload: &[u8],
    bound: u64,
) -> Result<bool> {
    let len = payload.len() as u64;
    if len > item_cap(bound) {
        return Ok(false);
    }
    let mut bodies = w.open_table(BODIES).map_err(db_err)?;
    let mut uses = w.open_table(BODY_USES).map_err(db_err)?;
    let mut lru = w.open_table(BODY_LRU).map_err(db_err)?;
    let mut total = w.open_table(BODY_TOTAL).map_err(db_err)?;
    let mut bytes = total.get("bytes").map_err(db_err)?.map_or(0, |g| g.value());
    let old = uses.get(key).map_err(db_err)?.map(|g| g.value());
    if let Some((_, stamp, old_len)) = old {
        lru.remove(stamp).map_err(db_err)?;
        bytes = bytes.saturating_sub(old_len);
    }
    let stamp = next_stamp(&lru)?;
    bodies.insert(key, payload).map_err(db_err)?;
    uses.insert(key, (uid_validity, stamp, len))
        .map_err(db_err)?;
    lru.insert(stamp, key).map_err(db_err)?;
    bytes += len;
    while bytes > bound {
        let Some(oldest) = lru
            .pop_first()
            .map_err(db_err)?
            .map(|(_, v)| owned(v.value()))
        else {
            break;
        };
        let key = (oldest.0.as_str(), oldest.1, oldest.2.as_str());
        if let Some(g) = uses.remove(key).map_err(db_err)? {
            bytes = bytes.saturating_sub(g.value().2);
        }
        bodies.remove(key).map_err(db_err)?;
    }
    total.insert("bytes", bytes).map_err(db_err)?;
    Ok(true)
}

fn owned((folder, uid, item): Key) -> (String, Uid, String) {
    (folder.to_string(), uid, item.to_string())
}

/// Drops the folder's rows fetched under another UIDVALIDITY.
pub(super) fn drop_stale(w: &WriteTransaction, folder: &str, uid_validity: u32) -> Result<()> {
    drop_where(w, folder, |_, uv| uv != uid_validity)
}

/// Drops the rows of expunged messages.
pub(super) fn drop_messages(w: &WriteTransaction, folder: &str, uids: &[Uid]) -> Result<()> {
    let gone: std::collections::HashSet<Uid> = uids.iter().copied().collect();
    drop_where(w, folder, |uid, _| gone.contains(&uid))
}

/// Drops the folder's rows for which `doomed(uid, UIDVALIDITY)` holds. The folder's rows are
/// few (the bound keeps them so), so one scan beats a lookup per UID.
fn drop_where(w: &WriteTransaction, folder: &str, doomed: impl Fn(Uid, u32) -> bool) -> Result<()> {
    let mut uses = w.open_table(BODY_USES).map_err(db_err)?;
    let mut rows = Vec::new();
    for row in uses.range((folder, 0, "")..).map_err(db_err)? {
        let (k, v) = row.map_err(db_err)?;
        let (f, uid, item) = k.value();
        if f != folder {
            break;
        }
        let (uv, stamp, len) = v.value();
        if doomed(uid, uv) {
            rows.push((uid, item.to_string(), stamp, len));
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    let mut bodies = w.open_table(BODIES).map_err(db_err)?;
    let mut lru = w.open_table(BODY_LRU).map_err(db_err)?;
    let mut total = w.open_table(BODY_TOTAL).map_err(db_err)?;
    let mut bytes = total.get("bytes").map_err(db_err)?.map_or(0, |g| g.value());
    for (uid, item, stamp, len) in rows {
        let key = (folder, uid, item.as_str());
        uses.remove(key).map_err(db_err)?;
        bodies.remove(key).map_err(db_err)?;
        lru.remove(stamp).map_err(db_err)?;
        bytes = bytes.saturating_sub(len);
    }
    total.insert("bytes", bytes).map_err(db_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use redb::ReadableTableMetadata;

    use super::*;
    pub(super) use crate::mime::test_support::parse_part;

    /// What the cache tells apart (modelled on RFC 3501's example, not the same tree): body
    /// text, an attachment, a forwarded message with plain and HTML text, a text attachment.
    pub const MIXED_TREE: &str = concat!(
        r#"(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23)"#,
        r#"("APPLICATION" "OCTET-STREAM" ("NAME" "cc.diff") NIL "Compiler diff" "BASE64" 4554)"#,
        r#"("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 2000 "#,
        r#"("Tue, 23 Jul 1996 16:34:07 -0700" "inner" NIL NIL NIL NIL NIL NIL NIL NIL) "#,
        r#"(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 300 10)"#,
        r#"("TEXT" "HTML" ("CHARSET" "UTF-8") NIL NIL "QUOTED-PRINTABLE" 500 15) "ALTERNATIVE") 50)"#,
        r#"("TEXT" "PLAIN" ("CHARSET" "UTF-8" "NAME" "notes.txt") NIL NIL "7BIT" 80 2 NIL ("ATTACHMENT" ("FILENAME" "notes.txt")) NIL)"#,
        r#" "MIXED")"#
    );

    const MB: u64 = 1 << 20;
    const HEADER: &[u8] = b"Subject: hi\r\n\r\n";

    /// Synchronous writes, as the cache's writer thread makes them.
    impl Cache {
        fn put_structure(
            &self,
            folder: &str,
            uv: u32,
            uid: Uid,
            it: (&Part, &[u8]),
            bound: u64,
        ) -> Result<()> {
            self.apply(&[Op::structure(folder, uv, uid, it, bound)])
        }

        #[allow(clippy::too_many_arguments)]
        fn put_part(
            &self,
            folder: &str,
            uv: u32,
            uid: Uid,
            section: &Section,
            bytes: &[u8],
            bound: u64,
        ) -> Result<bool> {
            let mut stored = false;
            self.write(|w| {
                stored = store_part(w, folder, uv, uid, section, bytes, bound)?;
                Ok(())
            })?;
            Ok(stored)
        }
    }

    fn section(s: &str) -> Section {
        s.parse().unwrap()
    }

    fn open() -> (tempfile::TempDir, Cache) {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.redb")).unwrap();
        (dir, cache)
    }

    /// Every row's length, from the index, and the running total: they must agree.
    fn totals(cache: &Cache) -> (u64, u64, usize) {
        let r = cache.db.begin_read().unwrap();
        let uses = r.open_table(BODY_USES).unwrap();
        let lru = r.open_table(BODY_LRU).unwrap();
        let sum = uses.iter().unwrap().map(|r| r.unwrap().1.value().2).sum();
        let total = r.open_table(BODY_TOTAL).unwrap();
        let counted = total.get("bytes").unwrap().unwrap().value();
        assert_eq!(
            uses.len().unwrap(),
            lru.len().unwrap(),
            "one LRU entry per row"
        );
        (sum, counted, uses.len().unwrap() as usize)
    }

    #[test]
    fn keeps_structure_and_body_text_but_not_attachments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.redb");
        let cache = Cache::open(&path).unwrap();
        let root = parse_part(MIXED_TREE);
        cache
            .put_structure("INBOX", 7, 3, (&root, HEADER), 64 * MB)
            .unwrap();
        let put = |s: &str, bytes: &[u8]| {
            cache
                .put_part("INBOX", 7, 3, &section(s), bytes, 64 * MB)
                .unwrap()
        };
        assert!(put("1", b"plain body"));
        assert!(
            put("3.1", b"inner plain"),
            "text inside a forwarded message"
        );
        assert!(put("3.2", b"<p>inner html</p>"));
        assert!(!put("2", b"binary"), "an attachment");
        assert!(!put("4", b"notes"), "a text/plain attachment");
        assert!(!put("9", b"?"), "no such part");
        let no_structure = cache
            .put_part("INBOX", 7, 4, &section("1"), b"x", 64 * MB)
            .unwrap();
        assert!(!no_structure, "nothing without the structure to judge by");
        let big = vec![b'a'; ITEM_CAP as usize + 1];
        assert!(!put("1", &big), "over the per-item cap");
        drop(cache);

        let cache = Cache::open(&path).unwrap();
        assert_eq!(
            cache.structure("INBOX", 7, 3).unwrap(),
            Some((root, HEADER.to_vec()))
        );
        let part = |s: &str| cache.part("INBOX", 7, 3, &section(s)).unwrap();
        assert_eq!(part("1").as_deref(), Some(&b"plain body"[..]));
        assert_eq!(part("3.2").as_deref(), Some(&b"<p>inner html</p>"[..]));
        assert_eq!(part("2"), None);
        assert_eq!(part("4"), None);
        assert_eq!(
            cache.structure("INBOX", 8, 3).unwrap(),
            None,
            "other UIDVALIDITY"
        );
        assert_eq!(cache.structure("Other", 7, 3).unwrap(), None);
        let (sum, counted, rows) = totals(&cache);
        assert_eq!((sum, rows), (counted, 4));
    }

    #[test]
    fn eviction_keeps_the_total_under_the_bound_and_drops_the_least_recent() {
        let (_dir, cache) = open();
        let root = parse_part(r#"("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1000 20)"#);
        let structure_len = structure::encode(&root, HEADER).len() as u64;
        let body = vec![b'x'; 1000];
        let bound = 8 * (1000 + structure_len);
        let read = |uid: Uid| {
            cache.put_structure("INBOX", 1, uid, (&root, HEADER), bound)?;
            cache.put_part("INBOX", 1, uid, &section("1"), &body, bound)
        };
        for uid in 1..=8 {
            assert!(read(uid).unwrap());
        }
        assert_eq!(totals(&cache).0, bound, "exactly full");
        // Reading message 1 again makes 2 the least recently used.
        assert!(cache.structure("INBOX", 1, 1).unwrap().is_some());
        assert!(cache.part("INBOX", 1, 1, &section("1")).unwrap().is_some());
        cache
            .apply(&[
                Op::structure_used("INBOX", 1),
                Op::part_used("INBOX", 1, &section("1")),
            ])
            .unwrap();
        for uid in 9..=20 {
            read(uid).unwrap();
            let (sum, counted, _) = totals(&cache);
            assert_eq!(sum, counted);
            assert!(sum <= bound, "{sum} > {bound}");
        }
        let has = |uid| {
            cache
                .part("INBOX", 1, uid, &section("1"))
                .unwrap()
                .is_some()
        };
        assert!(!has(2) && !has(12), "oldest gone");
        assert!(has(13) && has(20), "newest kept");
    }

    #[test]
    fn new_uidvalidity_and_expunge_drop_rows() {
        let (_dir, cache) = open();
        let root = parse_part(r#"("TEXT" "PLAIN" NIL NIL NIL "7BIT" 10 1)"#);
        cache.begin_folder("INBOX", 1).unwrap();
        for (folder, uid) in [("INBOX", 1), ("INBOX", 2), ("INBOX", 3), ("Other", 1)] {
            cache
                .put_structure(folder, 1, uid, (&root, HEADER), MB)
                .unwrap();
            assert!(
                cache
                    .put_part(folder, 1, uid, &section("1"), b"text", MB)
                    .unwrap()
            );
        }
        cache.remove("INBOX", &[2]).unwrap();
        let has = |folder, uv, uid| cache.structure(folder, uv, uid).unwrap().is_some();
        assert!(has("INBOX", 1, 1) && !has("INBOX", 1, 2) && has("INBOX", 1, 3));
        assert!(cache.part("INBOX", 1, 2, &section("1")).unwrap().is_none());

        cache.begin_folder("INBOX", 1).unwrap();
        assert!(has("INBOX", 1, 1), "same UIDVALIDITY keeps rows");
        cache.begin_folder("INBOX", 2).unwrap();
        assert!(!has("INBOX", 1, 1) && !has("INBOX", 2, 1));
        assert!(has("Other", 1, 1), "other folders untouched");
        let (sum, counted, rows) = totals(&cache);
        assert_eq!((sum, rows), (counted, 2));
    }

    #[test]
    fn a_damaged_row_is_a_miss_and_is_replaced() {
        let (_dir, cache) = open();
        let root = parse_part(MIXED_TREE);
        cache
            .put_structure("INBOX", 1, 5, (&root, HEADER), MB)
            .unwrap();
        cache
            .write(|w| {
                let mut t = w.open_table(BODIES).map_err(db_err)?;
                t.insert(("INBOX", 5, STRUCTURE), &[1u8, 200, 3][..])
                    .map_err(db_err)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(cache.structure("INBOX", 1, 5).unwrap(), None);
        assert!(
            !cache
                .put_part("INBOX", 1, 5, &section("1"), b"x", MB)
                .unwrap()
        );
        cache
            .put_structure("INBOX", 1, 5, (&root, HEADER), MB)
            .unwrap();
        assert!(cache.structure("INBOX", 1, 5).unwrap().is_some());
    }
}
