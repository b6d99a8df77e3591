//! The local copy of a POP3 mailbox: one directory per account under tern's data directory
//! (0700, files 0600) holding an index and the downloaded messages.
//!
//! Each message the server lists gets a local ID when first seen, keyed by its UIDL and never
//! reused: the `UID` of the [`crate::msg`] contract for this account, stable across
//! sessions. The index keeps per message its UIDL, local flags, the download date (for
//! `delete_after_days`), whether the server still has it, and its summary (from `TOP n 0`),
//! so a warm start needs no server. A message file appears only complete: written to
//! `tmp/`, synced, then renamed into `msg/`.

use std::borrow::Cow;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::intern::Interner;
use crate::mime::parse_headers;
use crate::msg::{Flags, HeaderFacts, Summary, Uid};

const INDEX: &str = "index";
const MAGIC: &str = "tern-pop3-store 1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: Uid,
    pub uidl: String,
    pub flags: Flags,
    /// When the whole message was stored (seconds since the epoch); None: headers only.
    pub downloaded: Option<i64>,
    /// The server no longer lists it (removed there); a downloaded copy stays here.
    pub gone: bool,
    /// From `TOP n 0`; None until the headers were fetched.
    pub summary: Option<Summary>,
}

pub struct Store {
    dir: PathBuf,
    /// Held (locked) while the store is open: one tern at a time writes it.
    _lock: File,
    /// By ascending ID: oldest first, as the server numbers them.
    entries: Vec<Entry>,
    by_uidl: foldhash::HashMap<String, Uid>,
    next_id: Uid,
}

fn io_err(what: &str, path: &Path, e: io::Error) -> Error {
    Error::Io(format!("{what} {}: {e}", path.display()))
}

fn private_dir(path: &Path) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .and_then(|()| fs::set_permissions(path, fs::Permissions::from_mode(0o700)))
        .map_err(|e| io_err("cannot create", path, e))
}

fn private_file(path: &Path) -> Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| io_err("cannot write", path, e))
}

/// A summary row from a header block; `size` from LIST.
pub fn summary_from_header(id: Uid, header: &[u8], size: u64, flags: Flags) -> Summary {
    let h = parse_headers(header);
    let first = |list: &str| list.split(", ").next().unwrap_or("").to_string();
    let (date, date_offset) = chrono::DateTime::parse_from_rfc3339(&h.date)
        .map(|d| (d.timestamp(), d.offset().local_minus_utc()))
        .unwrap_or((0, 0));
    Summary {
        uid: id,
        flags,
        date,
        date_offset,
        size: u32::try_from(size).unwrap_or(u32::MAX),
        from: Arc::from(first(&h.from)),
        to: Arc::from(first(&h.to)),
        subject: h.subject.into(),
        // The index file does not keep header facts; POP3 mail is listed without them.
        header: HeaderFacts::default(),
    }
}

impl Store {
    /// Opens (or creates) the store in `dir`, for this process only.
    pub fn open(dir: &Path) -> Result<Store> {
        private_dir(&dir.join("msg"))?;
        private_dir(&dir.join("tmp"))?;
        private_dir(dir)?;
        let lock_path = dir.join("lock");
        let lock = {
            use std::os::unix::fs::OpenOptionsExt;
            OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(&lock_path)
                .map_err(|e| io_err("cannot open", &lock_path, e))?
        };
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(Error::Refused(format!(
                    "another tern is using the POP3 store {}; close it first (tern search --local still works)",
                    dir.display()
                )));
            }
            Err(fs::TryLockError::Error(e)) => return Err(io_err("cannot lock", &lock_path, e)),
        }
        let Index {
            next_id,
            entries,
            by_uidl,
        } = read_index(dir)?;
        Ok(Store {
            dir: dir.to_path_buf(),
            _lock: lock,
            by_uidl,
            entries,
            next_id,
        })
    }

    /// The entries as last written, without opening the store (another tern may hold it):
    /// for `tern search --local`. The index is replaced whole, so it is never half-read.
    pub fn snapshot(dir: &Path) -> Result<Vec<Entry>> {
        read_index(dir).map(|index| index.entries)
    }

    /// Writes the index: to a temporary file, synced, then renamed over the old one.
    pub fn persist(&self) -> Result<()> {
        let mut text = format!("{MAGIC}\nnext {}\n", self.next_id);
        for e in &self.entries {
            text.push_str(&format_entry(e));
            text.push('\n');
        }
        let tmp = self.dir.join("tmp").join(INDEX);
        let mut file = private_file(&tmp)?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| io_err("cannot write", &tmp, e))?;
        let path = self.dir.join(INDEX);
        fs::rename(&tmp, &path).map_err(|e| io_err("cannot replace", &path, e))
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn get(&self, id: Uid) -> Option<&Entry> {
        self.entries
            .binary_search_by_key(&id, |e| e.id)
            .ok()
            .map(|i| &self.entries[i])
    }

    fn get_mut(&mut self, id: Uid) -> Option<&mut Entry> {
        let i = self.entries.binary_search_by_key(&id, |e| e.id).ok()?;
        Some(&mut self.entries[i])
    }

    pub fn id_of(&self, uidl: &str) -> Option<Uid> {
        self.by_uidl.get(uidl).copied()
    }

    /// The ID of `uidl`, assigning the next one to a message seen for the first time.
    pub fn id_for(&mut self, uidl: &str) -> Uid {
        if let Some(id) = self.id_of(uidl) {
            return id;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.by_uidl.insert(uidl.to_string(), id);
        self.entries.push(Entry {
            id,
            uidl: uidl.to_string(),
            flags: Flags::NONE,
            downloaded: None,
            gone: false,
            summary: None,
        });
        id
    }

    pub fn set_summary(&mut self, summary: Summary) {
        if let Some(e) = self.get_mut(summary.uid) {
            e.summary = Some(Summary {
                flags: e.flags,
                ..summary
            });
        }
    }

    pub fn set_flags(&mut self, id: Uid, flags: Flags) {
        if let Some(e) = self.get_mut(id) {
            e.flags = flags;
            if let Some(s) = &mut e.summary {
                s.flags = flags;
            }
        }
    }

    /// Marks what the server listed (or not) this session.
    pub fn set_gone(&mut self, id: Uid, gone: bool) {
        if let Some(e) = self.get_mut(id) {
            e.gone = gone;
        }
    }

    /// Forgets a message and its local copy.
    pub fn remove(&mut self, id: Uid) -> Result<()> {
        let Ok(i) = self.entries.binary_search_by_key(&id, |e| e.id) else {
            return Ok(());
        };
        let path = self.message_path(id);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("cannot remove", &path, e)),
        }
        let entry = self.entries.remove(i);
        self.by_uidl.remove(&entry.uidl);
        Ok(())
    }

    fn message_path(&self, id: Uid) -> PathBuf {
        self.dir.join("msg").join(id.to_string())
    }

    /// Stores a message as `fill` writes it. The file is visible only once complete: a
    /// failure (a dropped connection mid-RETR) leaves nothing behind.
    pub fn save(&mut self, id: Uid, fill: impl FnOnce(&mut File) -> Result<u64>) -> Result<()> {
        let tmp = self.dir.join("tmp").join(id.to_string());
        let result = private_file(&tmp).and_then(|mut file| {
            fill(&mut file)?;
            file.sync_all().map_err(|e| io_err("cannot write", &tmp, e))
        });
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        let path = self.message_path(id);
        fs::rename(&tmp, &path).map_err(|e| io_err("cannot store", &path, e))?;
        if let Some(e) = self.get_mut(id) {
            e.downloaded = Some(chrono::Utc::now().timestamp());
        }
        Ok(())
    }

    /// The stored message, or None when it was not downloaded.
    pub fn read(&self, id: Uid) -> Result<Option<Vec<u8>>> {
        if self.get(id).and_then(|e| e.downloaded).is_none() {
            return Ok(None);
        }
        let path = self.message_path(id);
        fs::read(&path)
            .map(Some)
            .map_err(|e| io_err("cannot read", &path, e))
    }
}

/// An index as read: the next ID, the entries by ascending ID, and each UIDL's ID.
struct Index {
    next_id: Uid,
    entries: Vec<Entry>,
    by_uidl: foldhash::HashMap<String, Uid>,
}

/// The index in `dir`; none yet is empty.
fn read_index(dir: &Path) -> Result<Index> {
    let path = dir.join(INDEX);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Index {
                next_id: 1,
                entries: Vec::new(),
                by_uidl: foldhash::HashMap::default(),
            });
        }
        Err(e) => return Err(io_err("cannot read", &path, e)),
    };
    parse_index(&text).map_err(|e| {
        Error::Io(format!(
            "{}: {e}; move it away to start afresh",
            path.display()
        ))
    })
}

fn parse_index(text: &str) -> std::result::Result<Index, String> {
    let mut lines = text.lines();
    if lines.next() != Some(MAGIC) {
        return Err("not a tern POP3 index".into());
    }
    let next_id: Uid = lines
        .next()
        .and_then(|l| l.strip_prefix("next "))
        .and_then(|n| n.parse().ok())
        .ok_or("no next ID")?;
    let mut by_uidl = foldhash::HashMap::default();
    let mut entries = Vec::new();
    // Senders repeat: rows share one copy of each, as the IMAP cache's do.
    let mut names = Interner::default();
    for (i, line) in lines.enumerate() {
        let entry =
            parse_entry(line, &mut names).ok_or_else(|| format!("line {} is damaged", i + 3))?;
        if entry.id >= next_id || by_uidl.insert(entry.uidl.clone(), entry.id).is_some() {
            return Err(format!("line {} repeats an ID or UIDL", i + 3));
        }
        entries.push(entry);
    }
    entries.sort_unstable_by_key(|e| e.id);
    Ok(Index {
        next_id,
        entries,
        by_uidl,
    })
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(s: &str) -> Cow<'_, str> {
    if !s.contains('\\') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    Cow::Owned(out)
}

/// `id uidl flags downloaded gone` and, once known, `size date offset from to subject`,
/// tab-separated.
fn format_entry(e: &Entry) -> String {
    let downloaded = e.downloaded.map_or("-".to_string(), |d| d.to_string());
    let mut line = format!(
        "{}\t{}\t{}\t{downloaded}\t{}",
        e.id,
        e.uidl,
        e.flags.to_byte(),
        u8::from(e.gone)
    );
    if let Some(s) = &e.summary {
        line.push_str(&format!(
            "\t{}\t{}\t{}\t{}\t{}\t{}",
            s.size,
            s.date,
            s.date_offset,
            escape(&s.from),
            escape(&s.to),
            escape(&s.subject)
        ));
    }
    line
}

fn parse_entry(line: &str, names: &mut Interner) -> Option<Entry> {
    let mut f = line.split('\t');
    let id: Uid = f.next()?.parse().ok()?;
    let uidl = f.next()?.to_string();
    let flags = Flags::from_byte(f.next()?.parse().ok()?);
    let downloaded = match f.next()? {
        "-" => None,
        d => Some(d.parse().ok()?),
    };
    let gone = match f.next()? {
        "0" => false,
        "1" => true,
        _ => return None,
    };
    let summary = match f.next() {
        None => None,
        Some(size) => Some(Summary {
            uid: id,
            flags,
            size: size.parse().ok()?,
            date: f.next()?.parse().ok()?,
            date_offset: f.next()?.parse().ok()?,
            from: names.get(&unescape(f.next()?)),
            to: names.get(&unescape(f.next()?)),
            subject: Box::from(&*unescape(f.next()?)),
            header: HeaderFacts::default(),
        }),
    };
    if f.next().is_some() {
        return None;
    }
    Some(Entry {
        id,
        uidl,
        flags,
        downloaded,
        gone,
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::Flag;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn ids_are_stable_across_opens_and_never_reused() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        assert_eq!((s.id_for("a"), s.id_for("b"), s.id_for("a")), (1, 2, 1));
        let header = b"From: =?UTF-8?B?5byg5LiJ?= <z@x>\r\nSubject: tab\there\r\nDate: Mon, 1 Jan 2024 10:00:00 +0100\r\n\r\n";
        s.set_summary(summary_from_header(2, header, 42, Flags::NONE));
        s.set_flags(2, Flag::Seen | Flag::Flagged);
        s.persist().unwrap();
        drop(s);
        let mut s = Store::open(dir.path()).unwrap();
        let b = s.get(2).unwrap().clone();
        assert_eq!(b.flags, Flag::Seen | Flag::Flagged);
        let row = b.summary.unwrap();
        assert_eq!(
            (&*row.from, &*row.subject, row.size),
            ("张三 <z@x>", "tab\there", 42)
        );
        assert_eq!((row.date, row.date_offset), (1_704_099_600, 3600));
        s.remove(1).unwrap();
        assert_eq!(s.id_for("a"), 3);
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(dir.path()), 0o700);
        assert_eq!(mode(&dir.path().join(INDEX)), 0o600);
    }

    #[test]
    fn a_failed_download_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        let id = s.id_for("x");
        let e = s.save(id, |f| {
            f.write_all(b"half").unwrap();
            Err(Error::Network("dropped".into()))
        });
        assert!(e.is_err());
        assert_eq!(s.read(id).unwrap(), None);
        assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);
        assert_eq!(fs::read_dir(dir.path().join("msg")).unwrap().count(), 0);
        s.save(id, |f| {
            f.write_all(b"whole")
                .map(|()| 5)
                .map_err(|e| Error::Io(e.to_string()))
        })
        .unwrap();
        assert_eq!(s.read(id).unwrap().as_deref(), Some(&b"whole"[..]));
        let mode = fs::metadata(dir.path().join("msg/1"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn one_opener_at_a_time_while_a_snapshot_is_always_readable() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        s.id_for("a");
        s.persist().unwrap();
        let e = Store::open(dir.path()).err().unwrap();
        assert!(e.to_string().contains("another tern"), "{e}");
        assert_eq!(Store::snapshot(dir.path()).unwrap().len(), 1);
        drop(s);
        assert!(Store::open(dir.path()).is_ok());
    }

    #[test]
    fn a_damaged_index_is_refused_not_guessed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join(INDEX),
            format!("{MAGIC}\nnext 2\n1\tu\tx\t-\t0\n"),
        )
        .unwrap();
        let e = Store::open(dir.path()).err().unwrap();
        assert!(e.to_string().contains("line 3"), "{e}");
    }
}
