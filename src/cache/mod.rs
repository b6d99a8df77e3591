//! The header cache: summaries and flags of every folder synced, per account, on disk, so a
//! warm start shows the list before the server answers and fetches only what changed.
//!
//! Stored with redb: pure Rust (no C build), ACID transactions over checksummed copy-on-write
//! pages, so a crash or `kill -9` mid-write leaves the last committed state. A damaged file,
//! or one written by another schema, is detected on open, deleted and rebuilt.

mod bodies;
mod codec;
mod op;
mod writer;

pub use op::Op;
pub use writer::Writer;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use redb::{
    Builder, ConcurrencyMode, Database, ReadOnlyDatabase, ReadTransaction, ReadableDatabase,
    ReadableTable, TableDefinition,
};

use crate::error::{Error, Result};
use crate::intern::Interner;
use crate::msg::{Summary, Uid};

/// Bump when the meaning of any stored byte changes.
const SCHEMA: u32 = 4;

const INFO: TableDefinition<&str, u32> = TableDefinition::new("info");
/// (folder, block) → the encoded rows of up to 256 consecutive UIDs ([`codec`]).
const BLOCKS: TableDefinition<(&str, u32), &[u8]> = TableDefinition::new("blocks");
/// folder → (UIDVALIDITY, HIGHESTMODSEQ the rows are known to be current with; 0 = unknown).
const META: TableDefinition<&str, (u32, u64)> = TableDefinition::new("meta");
/// folder → how the user last listed it (`model::View`'s words, e.g. `size reverse threads`).
/// Kept apart from the rows: a folder reset on the server keeps its view.
const VIEWS: TableDefinition<&str, &str> = TableDefinition::new("views");

/// Rows per slice of [`Cache::load_slices`]: the first holds a few screenfuls of the newest
/// rows and as many of the oldest, the rest are large enough that handing them over costs
/// little.
const FIRST_SLICE: usize = 256;
const SLICE: usize = 16 * 1024;

/// redb keeps recently used pages in memory. Rows are written and read in blocks, a block
/// once per sync or start, so a small cache costs little time; 8 MiB of it was a sixth of
/// the TUI's memory with 100 000 messages, and 2 MiB still held 2 MB once a sync was done.
const PAGE_CACHE: usize = 512 << 10;

pub struct Cache {
    db: Handle,
}

/// The first tern on an account writes the cache; another one at the same time (a second
/// window, `tern search --local`) reads it and leaves the writing to the first.
enum Handle {
    Writer(Database),
    Reader(ReadOnlyDatabase),
}

impl Handle {
    fn begin_read(&self) -> std::result::Result<ReadTransaction, redb::TransactionError> {
        match self {
            Handle::Writer(db) => db.begin_read(),
            Handle::Reader(db) => db.begin_read(),
        }
    }
}

/// A folder's cached list as [`Cache::load_slices`] reads it, in this order.
pub enum Loaded {
    /// The newest rows and the oldest ones, newest first, with the UIDVALIDITY and MODSEQ
    /// the rows belong to; `complete` when they are all the folder's rows (nothing follows).
    First {
        meta: (u32, u64),
        rows: Vec<Summary>,
        complete: bool,
    },
    /// The next rows, newest first: those between the two ends of `First`.
    Rows(Vec<Summary>),
    /// Every UID, newest first, once every row has been handed over.
    Uids(Vec<Uid>),
}

/// What the cache holds for one folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedFolder {
    pub uid_validity: u32,
    pub highest_modseq: u64,
    /// Newest (highest UID) first.
    pub summaries: Vec<Summary>,
}

fn db_err(e: impl std::fmt::Display) -> Error {
    Error::Io(format!("header cache: {e}"))
}

impl Cache {
    /// Opens (or creates) the cache at `path`. A damaged or foreign file is replaced by an
    /// empty one; one another tern is writing is opened for reading only.
    pub fn open(path: &Path) -> Result<Cache> {
        if let Some(dir) = path.parent() {
            crate::private::create_dir(dir).map_err(db_err)?;
        }
        // It holds message text: 0600 before redb writes a byte to it.
        crate::private::create_file(path).map_err(db_err)?;
        match try_open(path) {
            Ok(cache) => Ok(cache),
            Err(Unusable::InUse) => open_reader(path),
            Err(Unusable::Damaged(why)) => {
                tracing::warn!(
                    "header cache {} is unusable ({why}); rebuilding it",
                    path.display()
                );
                std::fs::remove_file(path).map_err(db_err)?;
                crate::private::create_file(path).map_err(db_err)?;
                try_open(path).map_err(|e| db_err(e.to_string()))
            }
        }
    }

    /// Whether this handle only reads (another tern is writing the file).
    pub fn read_only(&self) -> bool {
        matches!(self.db, Handle::Reader(_))
    }

    /// The UIDVALIDITY of `folder`'s cached rows and the MODSEQ they are current with, if it
    /// was ever synced.
    pub fn meta(&self, folder: &str) -> Result<Option<(u32, u64)>> {
        guard(|| meta_in(&self.db.begin_read().map_err(db_err)?, folder))
    }

    /// How `folder` was last listed ([`Op::View`]), if it was ever remembered.
    pub fn view(&self, folder: &str) -> Result<Option<String>> {
        guard(|| {
            let r = self.db.begin_read().map_err(db_err)?;
            match table(&r, VIEWS)? {
                Some(t) => Ok(t
                    .get(folder)
                    .map_err(db_err)?
                    .map(|g| g.value().to_string())),
                None => Ok(None),
            }
        })
    }

    /// The cached state of `folder`, if it was ever synced. Rows that do not decode make the
    /// folder count as never synced (it is fetched afresh and rewritten).
    pub fn load(&self, folder: &str) -> Result<Option<CachedFolder>> {
        let mut summaries = Vec::new();
        let meta = self.load_slices(folder, |loaded| match loaded {
            Loaded::First { rows, .. } | Loaded::Rows(rows) => summaries.extend(rows),
            Loaded::Uids(_) => {}
        })?;
        // The oldest rows came with the first slice.
        summaries.sort_unstable_by_key(|s| std::cmp::Reverse(s.uid));
        Ok(meta.map(|(uid_validity, highest_modseq)| CachedFolder {
            uid_validity,
            highest_modseq,
            summaries,
        }))
    }

    /// Reads `folder`'s cached list, newest first, in slices as it is decoded: first the
    /// newest and the oldest rows ([`FIRST_SLICE`] of each, whichever end the list shows on
    /// top) with the folder's UIDVALIDITY and MODSEQ, so a screenful is on its way after a
    /// few blocks; then the rows between; then every UID. Returns UIDVALIDITY and MODSEQ, or
    /// None if the folder was never synced or its rows do not decode (then it is forgotten,
    /// to be fetched afresh).
    pub fn load_slices(
        &self,
        folder: &str,
        mut each: impl FnMut(Loaded),
    ) -> Result<Option<(u32, u64)>> {
        let loaded = guard(|| {
            let r = self.db.begin_read().map_err(db_err)?;
            let Some(meta) = meta_in(&r, folder)? else {
                return Ok(None);
            };
            let Some(blocks) = table(&r, BLOCKS)? else {
                each(Loaded::First {
                    meta,
                    rows: Vec::new(),
                    complete: true,
                });
                return Ok(Some(meta));
            };
            let mut reader = BlockReader::default();
            // The newest blocks, then the oldest below them: `first` ends newest first.
            let mut first = Vec::with_capacity(2 * FIRST_SLICE);
            let mut top = None;
            for entry in blocks
                .range((folder, 0)..=(folder, u32::MAX))
                .map_err(db_err)?
                .rev()
            {
                if first.len() >= FIRST_SLICE {
                    break;
                }
                let (k, v) = entry.map_err(db_err)?;
                top = Some(k.value().1);
                reader.newest_first(k.value().1, v.value(), &mut first)?;
            }
            let mut oldest = Vec::with_capacity(FIRST_SLICE);
            let mut bottom = None;
            if let Some(below) = top.and_then(|t| t.checked_sub(1)) {
                for entry in blocks
                    .range((folder, 0)..=(folder, below))
                    .map_err(db_err)?
                {
                    if oldest.len() >= FIRST_SLICE {
                        break;
                    }
                    let (k, v) = entry.map_err(db_err)?;
                    bottom = Some(k.value().1);
                    let at = oldest.len();
                    reader.newest_first(k.value().1, v.value(), &mut oldest)?;
                    oldest[at..].reverse();
                }
            }
            oldest.reverse();
            // The blocks between the two ends, if any.
            let middle = match (bottom.map_or(Some(0), |b| b.checked_add(1)), top) {
                (Some(from), Some(to)) if from < to => Some((folder, from)..=(folder, to - 1)),
                _ => None,
            };
            let mut rest = match &middle {
                Some(m) => Some(blocks.range(m.clone()).map_err(db_err)?.rev().peekable()),
                None => None,
            };
            let complete = rest.as_mut().is_none_or(|r| r.peek().is_none());
            // Every UID, newest first, for the end; the oldest go last.
            let mut uids: Vec<Uid> = Vec::new();
            let mut tail: Vec<Uid> = Vec::new();
            if !complete {
                uids.extend(first.iter().map(|s| s.uid));
                tail.extend(oldest.iter().map(|s| s.uid));
            }
            first.append(&mut oldest);
            each(Loaded::First {
                meta,
                rows: first,
                complete,
            });
            if complete {
                return Ok(Some(meta));
            }
            let mut slice = Vec::with_capacity(SLICE);
            for entry in rest.into_iter().flatten() {
                let (k, v) = entry.map_err(db_err)?;
                let at = slice.len();
                reader.newest_first(k.value().1, v.value(), &mut slice)?;
                uids.extend(slice[at..].iter().map(|s| s.uid));
                if slice.len() >= SLICE {
                    each(Loaded::Rows(std::mem::replace(
                        &mut slice,
                        Vec::with_capacity(SLICE),
                    )));
                }
            }
            if !slice.is_empty() {
                each(Loaded::Rows(slice));
            }
            uids.extend(tail);
            each(Loaded::Uids(uids));
            Ok(Some(meta))
        });
        match loaded {
            Err(Error::Io(why)) if why.contains(DAMAGED) => {
                tracing::warn!("header cache of {folder}: {why}; fetching it afresh");
                self.forget(folder)?;
                Ok(None)
            }
            other => other,
        }
    }

    /// Every folder with cached summaries.
    pub fn folders(&self) -> Result<Vec<String>> {
        guard(|| {
            let r = self.db.begin_read().map_err(db_err)?;
            let Some(meta) = table(&r, META)? else {
                return Ok(Vec::new());
            };
            let mut out = Vec::new();
            for row in meta.iter().map_err(db_err)? {
                let (k, _) = row.map_err(db_err)?;
                out.push(k.value().to_string());
            }
            Ok(out)
        })
    }

    /// Applies `ops` in order, in one durable transaction: all of them or none.
    pub fn apply(&self, ops: &[Op]) -> Result<()> {
        self.write(|w| ops.iter().try_for_each(|op| op.apply(w)))
    }

    /// Drops everything cached of `folder`.
    fn forget(&self, folder: &str) -> Result<()> {
        self.write(|w| {
            w.open_table(META)
                .map_err(db_err)?
                .remove(folder)
                .map_err(db_err)?;
            drop_rows(w, folder)
        })
    }

    /// Runs `f` in a write transaction, committed durably (a cache other processes may read
    /// takes no other kind); a reader leaves writing to the tern that writes.
    fn write(&self, f: impl FnOnce(&redb::WriteTransaction) -> Result<()>) -> Result<()> {
        let Handle::Writer(db) = &self.db else {
            return Ok(());
        };
        guard(|| {
            let w = db.begin_write().map_err(db_err)?;
            f(&w)?;
            w.commit().map_err(db_err)
        })
    }
}

/// Decodes stored blocks into summaries, sharing senders and recipients across them.
#[derive(Default)]
struct BlockReader {
    names: Interner,
}

impl BlockReader {
    /// Appends the rows of `block` to `out`, newest first.
    fn newest_first(&mut self, block: u32, bytes: &[u8], out: &mut Vec<Summary>) -> Result<()> {
        let rows = codec::split(block, bytes).ok_or_else(|| damaged(block))?;
        for (uid, row) in rows.into_iter().rev() {
            let s = codec::decode_row(uid, row, &mut self.names).ok_or_else(|| damaged(block))?;
            out.push(s);
        }
        Ok(())
    }
}

/// A table of `r`; one never written to yet reads as absent.
fn table<K: redb::Key + 'static, V: redb::Value + 'static>(
    r: &ReadTransaction,
    def: TableDefinition<K, V>,
) -> Result<Option<redb::ReadOnlyTable<K, V>>> {
    match r.open_table(def) {
        Ok(t) => Ok(Some(t)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(db_err(e)),
    }
}

fn meta_in(r: &ReadTransaction, folder: &str) -> Result<Option<(u32, u64)>> {
    match table(r, META)? {
        Some(t) => Ok(t.get(folder).map_err(db_err)?.map(|g| g.value())),
        None => Ok(None),
    }
}

fn drop_rows(w: &redb::WriteTransaction, folder: &str) -> Result<()> {
    let mut rows = w.open_table(BLOCKS).map_err(db_err)?;
    rows.retain_in((folder, 0)..=(folder, u32::MAX), |_, _| false)
        .map_err(db_err)
}

const DAMAGED: &str = "damaged rows";

fn damaged(block: u32) -> Error {
    db_err(format!("{DAMAGED} in block {block}"))
}

enum Unusable {
    InUse,
    Damaged(String),
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unusable::InUse => f.write_str("open in another tern"),
            Unusable::Damaged(why) => f.write_str(why),
        }
    }
}

fn builder() -> Builder {
    let mut b = Database::builder();
    b.set_concurrency_mode(ConcurrencyMode::SingleWriter)
        .set_cache_size(PAGE_CACHE);
    b
}

fn try_open(path: &Path) -> std::result::Result<Cache, Unusable> {
    let opened = catch_unwind(|| builder().create(path))
        .map_err(|_| Unusable::Damaged("the file could not be read".into()))?;
    let db = match opened {
        Ok(db) => db,
        Err(redb::DatabaseError::DatabaseAlreadyOpen) => return Err(Unusable::InUse),
        Err(e) => return Err(Unusable::Damaged(e.to_string())),
    };
    // Read first: a write, even of nothing new, is a durable commit (a disk flush) at every
    // start.
    let known = guard(|| {
        let r = db.begin_read().map_err(db_err)?;
        match table(&r, INFO)? {
            Some(info) => Ok(info.get("schema").map_err(db_err)?.map(|g| g.value())),
            None => Ok(None),
        }
    })
    .map_err(|e| Unusable::Damaged(e.to_string()))?;
    let schema = guard(|| {
        if known.is_some() {
            return Ok(known);
        }
        let w = db.begin_write().map_err(db_err)?;
        let found = {
            let mut info = w.open_table(INFO).map_err(db_err)?;
            let found = info.get("schema").map_err(db_err)?.map(|g| g.value());
            if found.is_none() {
                info.insert("schema", SCHEMA).map_err(db_err)?;
            }
            found
        };
        w.commit().map_err(db_err)?;
        Ok(found)
    })
    .map_err(|e| Unusable::Damaged(e.to_string()))?;
    match schema {
        None | Some(SCHEMA) => Ok(Cache {
            db: Handle::Writer(db),
        }),
        Some(other) => Err(Unusable::Damaged(format!(
            "schema {other}, expected {SCHEMA}"
        ))),
    }
}

/// Another tern writes the file: read it if it is of our schema, else do without.
fn open_reader(path: &Path) -> Result<Cache> {
    let db = catch_unwind(|| builder().open_read_only(path))
        .map_err(|_| db_err("the file could not be read"))?
        .map_err(db_err)?;
    let cache = Cache {
        db: Handle::Reader(db),
    };
    let schema = guard(|| {
        let r = cache.db.begin_read().map_err(db_err)?;
        let info = r.open_table(INFO).map_err(db_err)?;
        let found = info.get("schema").map_err(db_err)?.map(|g| g.value());
        Ok(found)
    })?;
    if schema != Some(SCHEMA) {
        return Err(db_err("another tern of a different version is writing it"));
    }
    tracing::info!(
        "header cache {} is being written by another tern; reading it only",
        path.display()
    );
    Ok(cache)
}

/// redb checks its pages; in debug builds some checks panic rather than return an error.
/// Either way the cache is unusable, which callers handle as an error.
fn guard<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(db_err("damaged file")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::{Flag, Flags, HeaderFacts};

    /// One change at a time, committed at once, as the writer thread would.
    impl Cache {
        pub(super) fn begin_folder(&self, folder: &str, uid_validity: u32) -> Result<()> {
            self.apply(&[Op::Begin {
                folder: folder.into(),
                uid_validity,
            }])
        }

        pub(super) fn set_modseq(
            &self,
            folder: &str,
            uid_validity: u32,
            modseq: u64,
        ) -> Result<()> {
            self.apply(&[Op::Synced {
                folder: folder.into(),
                uid_validity,
                highest_modseq: modseq,
            }])
        }

        pub(super) fn put(&self, folder: &str, rows: &[Summary]) -> Result<()> {
            self.apply(&[Op::put(folder, rows)])
        }

        pub(super) fn set_flags(&self, folder: &str, changes: &[(Uid, Flags)]) -> Result<()> {
            self.apply(&[Op::Flags {
                folder: folder.into(),
                changes: changes.to_vec(),
            }])
        }

        pub(super) fn remove(&self, folder: &str, uids: &[Uid]) -> Result<()> {
            self.apply(&[Op::Remove {
                folder: folder.into(),
                uids: uids.to_vec(),
            }])
        }
    }

    pub(super) fn row(uid: Uid, subject: &str) -> Summary {
        Summary {
            date: 1_700_000_000 + i64::from(uid),
            size: 100,
            ..crate::test_fixtures::summary(uid, "a@example.com", subject)
        }
    }

    #[test]
    fn stores_loads_updates_and_resets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.redb");
        let cache = Cache::open(&path).unwrap();
        assert_eq!(cache.load("INBOX").unwrap(), None);
        cache.begin_folder("INBOX", 5).unwrap();
        cache
            .put("INBOX", &[row(1, "a"), row(2, "b"), row(3, "c")])
            .unwrap();
        cache.put("Other", &[row(1, "x")]).unwrap();
        cache
            .set_flags("INBOX", &[(2, Flags::from(Flag::Seen))])
            .unwrap();
        cache.remove("INBOX", &[1]).unwrap();
        cache.set_modseq("INBOX", 5, 42).unwrap();
        drop(cache);

        let cache = Cache::open(&path).unwrap();
        let got = cache.load("INBOX").unwrap().unwrap();
        assert_eq!((got.uid_validity, got.highest_modseq), (5, 42));
        let uids: Vec<Uid> = got.summaries.iter().map(|s| s.uid).collect();
        assert_eq!(uids, vec![3, 2]);
        assert!(got.summaries[1].flags.has(Flag::Seen));

        // A new UIDVALIDITY drops the old rows.
        cache.begin_folder("INBOX", 6).unwrap();
        let got = cache.load("INBOX").unwrap().unwrap();
        assert_eq!((got.uid_validity, got.summaries.len()), (6, 0));
    }

    #[test]
    fn views_are_remembered_across_a_reset_and_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.redb");
        let cache = Cache::open(&path).unwrap();
        assert_eq!(cache.view("INBOX").unwrap(), None);
        let view = |v: &str| Op::View {
            folder: "INBOX".into(),
            view: v.into(),
        };
        cache
            .apply(&[view("date threads"), view("size reverse")])
            .unwrap();
        cache.begin_folder("INBOX", 9).unwrap();
        drop(cache);
        let cache = Cache::open(&path).unwrap();
        assert_eq!(
            cache.view("INBOX").unwrap().as_deref(),
            Some("size reverse")
        );
        assert_eq!(cache.view("Other").unwrap(), None);
    }

    #[test]
    fn a_cache_from_before_header_facts_is_discarded_and_filled_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.redb");
        let cache = Cache::open(&path).unwrap();
        cache.begin_folder("INBOX", 5).unwrap();
        cache.put("INBOX", &[row(1, "a")]).unwrap();
        cache.set_modseq("INBOX", 5, 9).unwrap();
        cache.begin_folder("Other", 5).unwrap();
        // Schema 3 rows ended after the subject (before 22 bytes of facts known to be empty);
        // the file says it is schema 3.
        cache
            .write(|w| {
                let mut old_row = codec::encode_row(&row(1, "a"));
                old_row.truncate(old_row.len() - 22);
                let mut t = w.open_table(BLOCKS).map_err(db_err)?;
                t.insert(("INBOX", 0), &codec::join([(1, &old_row[..])])[..])
                    .map_err(db_err)?;
                w.open_table(INFO)
                    .map_err(db_err)?
                    .insert("schema", 3)
                    .map_err(db_err)?;
                Ok(())
            })
            .unwrap();
        drop(cache);

        let cache = Cache::open(&path).unwrap();
        assert_eq!(cache.load("INBOX").unwrap(), None, "a full sync follows");
        assert_eq!(
            cache.folders().unwrap(),
            Vec::<String>::new(),
            "the whole file"
        );
        let facts = HeaderFacts::new(
            Some((1_600_000_000, 7200)),
            Some("m@x"),
            Some("p@x"),
            ["r@x", "p@x"],
            true,
        );
        let synced = Summary {
            header: facts,
            ..row(1, "a")
        };
        cache.begin_folder("INBOX", 5).unwrap();
        cache.put("INBOX", std::slice::from_ref(&synced)).unwrap();
        drop(cache);
        let got = Cache::open(&path).unwrap().load("INBOX").unwrap().unwrap();
        assert_eq!(got.summaries, [synced]);
    }

    #[test]
    fn a_second_opener_reads_what_the_first_writes_and_breaks_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.redb");
        let first = Cache::open(&path).unwrap();
        first.begin_folder("INBOX", 5).unwrap();
        first.put("INBOX", &[row(1, "a")]).unwrap();
        first.set_modseq("INBOX", 5, 7).unwrap();

        let second = Cache::open(&path).unwrap();
        assert!(second.read_only() && !first.read_only());
        assert_eq!(second.load("INBOX").unwrap().unwrap().summaries.len(), 1);
        second.put("INBOX", &[row(2, "from the second")]).unwrap();
        first.put("INBOX", &[row(3, "c")]).unwrap();
        let uids = |c: &Cache| -> Vec<Uid> {
            let got = c.load("INBOX").unwrap().unwrap();
            got.summaries.iter().map(|s| s.uid).collect()
        };
        assert_eq!(uids(&first), vec![3, 1], "the reader wrote nothing");
        assert_eq!(uids(&second), vec![3, 1], "the reader follows the writer");
    }

    #[test]
    fn rows_spread_over_blocks_load_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.redb")).unwrap();
        cache.begin_folder("F", 1).unwrap();
        let uids: Vec<Uid> = (1..2000).step_by(7).collect();
        let rows: Vec<Summary> = uids.iter().map(|u| row(*u, "x")).collect();
        cache.put("F", &rows[..100]).unwrap();
        cache.put("F", &rows[100..]).unwrap();
        cache.remove("F", &uids[..uids.len() / 2]).unwrap();
        cache
            .set_flags("F", &[(uids[uids.len() - 1], Flags::from(Flag::Flagged))])
            .unwrap();
        let got = cache.load("F").unwrap().unwrap().summaries;
        let want: Vec<Uid> = uids[uids.len() / 2..].iter().rev().copied().collect();
        assert_eq!(got.iter().map(|s| s.uid).collect::<Vec<_>>(), want);
        assert!(got[0].flags.has(Flag::Flagged));
        assert!(!got[1].flags.has(Flag::Flagged));
    }

    /// Every event of a load, and the rows in the order they came.
    fn slices(cache: &Cache, folder: &str) -> (Vec<Loaded>, Vec<Uid>) {
        let mut got: Vec<Loaded> = Vec::new();
        cache.load_slices(folder, |l| got.push(l)).unwrap().unwrap();
        let rows = got
            .iter()
            .flat_map(|l| match l {
                Loaded::First { rows, .. } | Loaded::Rows(rows) => {
                    rows.iter().map(|r| r.uid).collect()
                }
                Loaded::Uids(_) => Vec::new(),
            })
            .collect();
        (got, rows)
    }

    #[test]
    fn the_newest_and_oldest_rows_come_first_then_the_rest_then_every_uid() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.redb")).unwrap();
        cache.begin_folder("F", 4).unwrap();
        let rows: Vec<Summary> = (1..=40_000).map(|u| row(u, "x")).collect();
        cache.put("F", &rows).unwrap();
        cache.set_modseq("F", 4, 9).unwrap();
        let (got, order) = slices(&cache, "F");
        let Some(Loaded::First {
            meta,
            rows: first,
            complete: false,
        }) = got.first()
        else {
            panic!("the first slice comes first, and is not all");
        };
        assert_eq!(*meta, (4, 9));
        // Whole blocks (of 256 UIDs) from each end, at least FIRST_SLICE rows of each.
        let first: Vec<Uid> = first.iter().map(|s| s.uid).collect();
        let split = first.iter().position(|u| *u < 20_000).unwrap();
        let (newest, oldest) = first.split_at(split);
        assert!(newest.len() >= FIRST_SLICE && oldest.len() >= FIRST_SLICE);
        let low = 40_000 - newest.len() as Uid + 1;
        assert!(newest.iter().copied().eq((low..=40_000).rev()) && low.is_multiple_of(256));
        let high = oldest.len() as Uid;
        assert!(oldest.iter().copied().eq((1..=high).rev()) && (high + 1).is_multiple_of(256));
        let Some(Loaded::Uids(all)) = got.last() else {
            panic!("every UID comes last");
        };
        let want: Vec<Uid> = (1..=40_000).rev().collect();
        assert_eq!(all, &want);
        // Each row once; the rows between the ends newest first, in slices after the first.
        let mut each = order.clone();
        each.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(each, want);
        assert!(
            order[first.len()..]
                .iter()
                .copied()
                .eq((high + 1..low).rev())
        );
        assert!(got.len() > 4, "the rows between come in slices");
    }

    #[test]
    fn a_small_folder_is_one_complete_slice() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.redb")).unwrap();
        cache.begin_folder("F", 4).unwrap();
        // Two ends with nothing between, across a gap of blocks.
        let rows: Vec<Summary> = (1..=300)
            .chain(90_112..=90_400)
            .map(|u| row(u, "x"))
            .collect();
        cache.put("F", &rows).unwrap();
        let (got, order) = slices(&cache, "F");
        assert!(matches!(got[..], [Loaded::First { complete: true, .. }]));
        let want: Vec<Uid> = (90_112..=90_400).rev().chain((1..=300).rev()).collect();
        assert_eq!(order, want);

        cache.begin_folder("Empty", 4).unwrap();
        let (got, order) = slices(&cache, "Empty");
        assert!(matches!(got[..], [Loaded::First { complete: true, .. }]));
        assert!(order.is_empty());
    }

    #[test]
    fn a_block_that_does_not_decode_makes_the_folder_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.redb")).unwrap();
        cache.begin_folder("F", 1).unwrap();
        cache.put("F", &[row(1, "a"), row(300, "b")]).unwrap();
        cache
            .write(|w| {
                let mut t = w.open_table(BLOCKS).map_err(db_err)?;
                t.insert(("F", 0), &[1u8, 2, 3][..]).map_err(db_err)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(cache.load("F").unwrap(), None);
        assert_eq!(cache.folders().unwrap(), Vec::<String>::new(), "forgotten");
    }

    #[test]
    fn damaged_and_foreign_files_are_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.redb");
        std::fs::write(&path, vec![0xA5; 64 * 1024]).unwrap();
        let cache = Cache::open(&path).unwrap();
        cache.begin_folder("INBOX", 1).unwrap();
        drop(cache);

        // A file from a future schema is not trusted.
        {
            let db = Database::create(&path).unwrap();
            let w = db.begin_write().unwrap();
            w.open_table(INFO)
                .unwrap()
                .insert("schema", SCHEMA + 1)
                .unwrap();
            w.commit().unwrap();
        }
        let cache = Cache::open(&path).unwrap();
        assert_eq!(cache.load("INBOX").unwrap(), None, "rebuilt empty");
    }
}
