//! The header cache: summaries and flags of every folder synced, per account, on disk, so a
//! warm start shows the list before the server answers and fetches only what changed.
//!
//! Stored with redb: pure Rust (no C build), ACID transactions over checksummed copy-on-write
//! pages, so a crash or `kill -9` mid-write leaves the last committed state. A damaged file,
//! or one written by another schema, is detected on open, deleted and rebuilt.

mod bodies;
mod codec;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition};

use crate::error::{Error, Result};
use crate::msg::{Flags, Summary, Uid};

/// Bump when the meaning of any stored byte changes.
const SCHEMA: u32 = 2;

const INFO: TableDefinition<&str, u32> = TableDefinition::new("info");
/// (folder, uid) → encoded summary.
const SUMMARIES: TableDefinition<(&str, u32), &[u8]> = TableDefinition::new("summaries");
/// folder → (UIDVALIDITY, HIGHESTMODSEQ the rows are known to be current with; 0 = unknown).
const META: TableDefinition<&str, (u32, u64)> = TableDefinition::new("meta");

pub struct Cache {
    db: Database,
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

/// The default cache file of an account: `$XDG_CACHE_HOME/tern/<account>.redb`.
pub fn default_path(account: &str) -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "tern")?;
    let safe: String = account
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Some(dirs.cache_dir().join(format!("{safe}.redb")))
}

impl Cache {
    /// Opens (or creates) the cache at `path`. A damaged or foreign file is replaced by an
    /// empty one; a cache already open in another tern process is an error (run without it).
    pub fn open(path: &Path) -> Result<Cache> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(db_err)?;
        }
        match try_open(path) {
            Ok(cache) => Ok(cache),
            Err(Damaged(why)) => {
                tracing::warn!(
                    "header cache {} is unusable ({why}); rebuilding it",
                    path.display()
                );
                std::fs::remove_file(path).map_err(db_err)?;
                try_open(path).map_err(|Damaged(why)| db_err(why))
            }
        }
    }

    /// The cached state of `folder`, if it was ever synced.
    pub fn load(&self, folder: &str) -> Result<Option<CachedFolder>> {
        guard(|| {
            let r = self.db.begin_read().map_err(db_err)?;
            let meta = match r.open_table(META) {
                Ok(t) => t.get(folder).map_err(db_err)?.map(|g| g.value()),
                Err(redb::TableError::TableDoesNotExist(_)) => None,
                Err(e) => return Err(db_err(e)),
            };
            let Some((uid_validity, highest_modseq)) = meta else {
                return Ok(None);
            };
            let mut summaries = Vec::new();
            if let Ok(t) = r.open_table(SUMMARIES) {
                for row in t.range((folder, 0)..=(folder, u32::MAX)).map_err(db_err)? {
                    let (k, v) = row.map_err(db_err)?;
                    let uid = k.value().1;
                    let s = codec::decode(uid, v.value())
                        .ok_or_else(|| db_err(format!("damaged row for UID {uid}")))?;
                    summaries.push(s);
                }
            }
            summaries.reverse();
            Ok(Some(CachedFolder {
                uid_validity,
                highest_modseq,
                summaries,
            }))
        })
    }

    /// Every folder with cached summaries.
    pub fn folders(&self) -> Result<Vec<String>> {
        guard(|| {
            let r = self.db.begin_read().map_err(db_err)?;
            let meta = match r.open_table(META) {
                Ok(t) => t,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
                Err(e) => return Err(db_err(e)),
            };
            let mut out = Vec::new();
            for row in meta.iter().map_err(db_err)? {
                let (k, _) = row.map_err(db_err)?;
                out.push(k.value().to_string());
            }
            Ok(out)
        })
    }

    /// Starts (or restarts) a folder's record: rows of another UIDVALIDITY are dropped.
    pub fn begin_folder(&self, folder: &str, uid_validity: u32) -> Result<()> {
        self.write(Durability::Immediate, |w| {
            let mut meta = w.open_table(META).map_err(db_err)?;
            let known = meta.get(folder).map_err(db_err)?.map(|g| g.value());
            if known.map(|(v, _)| v) != Some(uid_validity) {
                let mut rows = w.open_table(SUMMARIES).map_err(db_err)?;
                rows.retain_in((folder, 0)..=(folder, u32::MAX), |_, _| false)
                    .map_err(db_err)?;
                bodies::drop_stale(w, folder, uid_validity)?;
                meta.insert(folder, (uid_validity, 0)).map_err(db_err)?;
            }
            Ok(())
        })
    }

    /// Records that the rows are current as of `highest_modseq`.
    pub fn set_modseq(&self, folder: &str, uid_validity: u32, highest_modseq: u64) -> Result<()> {
        self.write(Durability::Immediate, |w| {
            let mut meta = w.open_table(META).map_err(db_err)?;
            meta.insert(folder, (uid_validity, highest_modseq))
                .map_err(db_err)?;
            Ok(())
        })
    }

    pub fn put(&self, folder: &str, rows: &[Summary]) -> Result<()> {
        self.write(Durability::None, |w| {
            let mut t = w.open_table(SUMMARIES).map_err(db_err)?;
            for s in rows {
                t.insert((folder, s.uid), codec::encode(s).as_slice())
                    .map_err(db_err)?;
            }
            Ok(())
        })
    }

    pub fn set_flags(&self, folder: &str, changes: &[(Uid, Flags)]) -> Result<()> {
        self.write(Durability::None, |w| {
            let mut t = w.open_table(SUMMARIES).map_err(db_err)?;
            for (uid, flags) in changes {
                let current = t
                    .get((folder, *uid))
                    .map_err(db_err)?
                    .map(|g| g.value().to_vec());
                if let Some(mut bytes) = current.filter(|b| !b.is_empty()) {
                    bytes[0] = flags.0;
                    t.insert((folder, *uid), bytes.as_slice()).map_err(db_err)?;
                }
            }
            Ok(())
        })
    }

    pub fn remove(&self, folder: &str, uids: &[Uid]) -> Result<()> {
        self.write(Durability::None, |w| {
            let mut t = w.open_table(SUMMARIES).map_err(db_err)?;
            for uid in uids {
                t.remove((folder, *uid)).map_err(db_err)?;
            }
            bodies::drop_messages(w, folder, uids)?;
            Ok(())
        })
    }

    fn write(
        &self,
        durability: Durability,
        f: impl FnOnce(&redb::WriteTransaction) -> Result<()>,
    ) -> Result<()> {
        guard(|| {
            let mut w = self.db.begin_write().map_err(db_err)?;
            w.set_durability(durability).map_err(db_err)?;
            f(&w)?;
            w.commit().map_err(db_err)
        })
    }
}

struct Damaged(String);

fn try_open(path: &Path) -> std::result::Result<Cache, Damaged> {
    let opened = catch_unwind(|| Database::create(path))
        .map_err(|_| Damaged("the file could not be read".into()))?;
    let db = match opened {
        Ok(db) => db,
        Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
            return Err(Damaged("already open in another tern".into()));
        }
        Err(e) => return Err(Damaged(e.to_string())),
    };
    let cache = Cache { db };
    let schema = guard(|| {
        let w = cache.db.begin_write().map_err(db_err)?;
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
    .map_err(|e| Damaged(e.to_string()))?;
    match schema {
        None | Some(SCHEMA) => Ok(cache),
        Some(other) => Err(Damaged(format!("schema {other}, expected {SCHEMA}"))),
    }
}

/// redb checks its pages; in debug builds some checks panic rather than return an error.
/// Either way the cache is unusable, which callers handle as an error.
fn guard<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(db_err("damaged file")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(uid: Uid, subject: &str) -> Summary {
        Summary {
            uid,
            flags: Flags::default(),
            date: 1_700_000_000 + i64::from(uid),
            date_offset: 0,
            size: 100,
            from: "a@example.com".into(),
            to: "bob@example.org".into(),
            subject: subject.into(),
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
            .set_flags("INBOX", &[(2, Flags(Flags::SEEN))])
            .unwrap();
        cache.remove("INBOX", &[1]).unwrap();
        cache.set_modseq("INBOX", 5, 42).unwrap();
        drop(cache);

        let cache = Cache::open(&path).unwrap();
        let got = cache.load("INBOX").unwrap().unwrap();
        assert_eq!((got.uid_validity, got.highest_modseq), (5, 42));
        let uids: Vec<Uid> = got.summaries.iter().map(|s| s.uid).collect();
        assert_eq!(uids, vec![3, 2]);
        assert!(got.summaries[1].flags.has(Flags::SEEN));

        // A new UIDVALIDITY drops the old rows.
        cache.begin_folder("INBOX", 6).unwrap();
        let got = cache.load("INBOX").unwrap().unwrap();
        assert_eq!((got.uid_validity, got.summaries.len()), (6, 0));
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
