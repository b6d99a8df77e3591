//! The outbox: every message is on disk (0600 files, fsynced, in a 0700 directory under
//! tern's state directory) before any network step, and leaves only once the server accepted
//! it and its Sent copy is stored.
//!
//! One directory per message, created under a temporary name and renamed into place, so an
//! entry is either whole or absent: `message.eml` (exactly the bytes transmitted) and
//! `state.toml` (envelope, status, last error), the latter replaced atomically on each change.
//! A `lock` file is held (flock) while the message is being sent, so two tern processes never
//! send the same entry at once, and an `in-flight` state found unlocked means tern died
//! after the final "." — the message may have been sent.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::os::unix::io::AsRawFd as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Prepared, SendError};

/// Where a queued message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Waiting to be sent (new, or after an unreachable server or a 4xx answer).
    Queued,
    /// The final "." went out and the answer is awaited.
    InFlight,
    /// The server accepted it; only the Sent copy is missing. Never sent again.
    Accepted,
    /// Refused for good (5xx, login, certificate); kept for the user to edit or drop.
    Refused,
    /// The connection was lost after the final "."; resent only when the user says so.
    MaybeSent,
}

/// `state.toml`: everything about an entry except its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryState {
    pub message_id: String,
    pub sender: String,
    /// Bcc recipients included: they are nowhere else once the header is gone.
    pub recipients: Vec<String>,
    pub subject: String,
    pub date: String,
    pub status: Status,
    /// Delivery attempts that reached no verdict (unreachable, 4xx).
    pub attempts: u32,
    pub last_error: Option<String>,
    /// Unix seconds before which no automatic retry is made.
    pub next_attempt: i64,
}

/// One message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The directory name: unique, file-name safe.
    pub id: String,
    pub state: EntryState,
}

#[derive(Debug, Clone)]
pub struct Outbox {
    dir: PathBuf,
}

/// Held while an entry is being sent; released on drop (or by the kernel when tern dies).
pub struct EntryLock {
    _file: File,
}

impl Outbox {
    /// `$XDG_STATE_HOME/tern/outbox/<account>` (created 0700).
    pub fn for_account(account: &str) -> Result<Outbox, SendError> {
        let dirs = directories::ProjectDirs::from("", "", "tern")
            .ok_or_else(|| SendError::Outbox("no home directory to keep the outbox in".into()))?;
        let base = dirs
            .state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .join("outbox");
        Outbox::at(base.join(crate::config::safe_file_name(account)))
    }

    /// An outbox in `dir` (created 0700 with its parents; an existing one, perhaps made by
    /// an older tern, is tightened to 0700: it holds whole messages).
    pub fn at(dir: PathBuf) -> Result<Outbox, SendError> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(io_err(&dir))?;
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).map_err(io_err(&dir))?;
        Ok(Outbox { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes a new entry (status queued) and syncs it to disk.
    pub fn add(&self, prepared: &Prepared) -> Result<Entry, SendError> {
        let id = format!(
            "{}-{:016x}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f"),
            random_u64()
        );
        let state = EntryState {
            message_id: prepared.message_id.clone(),
            sender: prepared.sender.clone(),
            recipients: prepared.recipients.clone(),
            subject: prepared.subject.clone(),
            date: prepared.date.clone(),
            status: Status::Queued,
            attempts: 0,
            last_error: None,
            next_attempt: 0,
        };
        let tmp = self.dir.join(format!(".new-{id}"));
        fs::DirBuilder::new()
            .mode(0o700)
            .create(&tmp)
            .map_err(io_err(&tmp))?;
        write_synced(&tmp.join("message.eml"), &prepared.bytes)?;
        write_synced(&tmp.join("state.toml"), encode(&state)?.as_bytes())?;
        sync_dir(&tmp)?;
        let dest = self.dir.join(&id);
        fs::rename(&tmp, &dest).map_err(io_err(&dest))?;
        sync_dir(&self.dir)?;
        Ok(Entry { id, state })
    }

    /// Every entry, oldest first. An in-flight entry nobody holds is reported as may-have-
    /// been-sent (and saved so): the tern sending it died before the server's answer.
    pub fn list(&self) -> Result<Vec<Entry>, SendError> {
        let mut out = Vec::new();
        for item in fs::read_dir(&self.dir).map_err(io_err(&self.dir))? {
            let item = item.map_err(io_err(&self.dir))?;
            let name = item.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !item.path().join("state.toml").exists() {
                continue;
            }
            if let Some(entry) = self.load_checked(&name)? {
                out.push(entry);
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// The entry `id` as on disk now, or None when it has left the outbox.
    pub fn load(&self, id: &str) -> Result<Option<Entry>, SendError> {
        let path = self.dir.join(id).join("state.toml");
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(&path)(e)),
        };
        let state = toml::from_str(&text)
            .map_err(|e| SendError::Outbox(format!("{}: {}", path.display(), e.message())))?;
        Ok(Some(Entry {
            id: id.to_string(),
            state,
        }))
    }

    fn load_checked(&self, id: &str) -> Result<Option<Entry>, SendError> {
        let Some(mut entry) = self.load(id)? else {
            return Ok(None);
        };
        if entry.state.status == Status::InFlight
            && let Some(_lock) = self.try_lock(id)?
            && let Some(again) = self.load(id)?
            && again.state.status == Status::InFlight
        {
            entry = again;
            entry.state.status = Status::MaybeSent;
            entry.state.last_error = Some(
                "tern stopped after the whole message went out, before the server answered".into(),
            );
            self.save(&entry)?;
        }
        Ok(Some(entry))
    }

    /// The bytes to transmit.
    pub fn message(&self, id: &str) -> Result<Vec<u8>, SendError> {
        let path = self.dir.join(id).join("message.eml");
        fs::read(&path).map_err(io_err(&path))
    }

    /// Replaces the entry's state atomically and durably.
    pub fn save(&self, entry: &Entry) -> Result<(), SendError> {
        let dir = self.dir.join(&entry.id);
        let tmp = dir.join(".state.toml.tmp");
        write_synced(&tmp, encode(&entry.state)?.as_bytes())?;
        let dest = dir.join("state.toml");
        fs::rename(&tmp, &dest).map_err(io_err(&dest))?;
        sync_dir(&dir)
    }

    /// Takes the entry out of the outbox for good.
    pub fn remove(&self, id: &str) -> Result<(), SendError> {
        let dir = self.dir.join(id);
        // Renamed first, so a crash halfway never leaves a half-deleted entry behind.
        let gone = self.dir.join(format!(".gone-{id}"));
        fs::rename(&dir, &gone).map_err(io_err(&dir))?;
        sync_dir(&self.dir)?;
        fs::remove_dir_all(&gone).map_err(io_err(&gone))
    }

    /// The entry's lock, or None while another tern is sending it.
    pub fn try_lock(&self, id: &str) -> Result<Option<EntryLock>, SendError> {
        let path = self.dir.join(id).join("lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .map_err(io_err(&path))?;
        // SAFETY: flock on a file descriptor we own; no memory is involved.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        Ok((rc == 0).then_some(EntryLock { _file: file }))
    }
}

fn encode(state: &EntryState) -> Result<String, SendError> {
    toml::to_string(state).map_err(|e| SendError::Outbox(format!("encoding a state: {e}")))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), SendError> {
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(path)
        .map_err(io_err(path))?;
    file.write_all(bytes).map_err(io_err(path))?;
    file.sync_all().map_err(io_err(path))
}

fn sync_dir(dir: &Path) -> Result<(), SendError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir))
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SendError + '_ {
    move |e| SendError::Outbox(format!("{}: {e}", path.display()))
}

/// 64 random bits from the kernel (outbox ids, Message-IDs); the clock if that fails.
pub(crate) fn random_u64() -> u64 {
    let mut buf = [0u8; 8];
    match File::open("/dev/urandom").and_then(|mut f| std::io::Read::read_exact(&mut f, &mut buf)) {
        Ok(()) => u64::from_le_bytes(buf),
        Err(_) => {
            let t = chrono::Utc::now();
            (t.timestamp_subsec_nanos() as u64) ^ ((std::process::id() as u64) << 32)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn prepared() -> Prepared {
        super::super::prepare(
            b"From: a@example.org\nTo: b@example.org\nBcc: c@example.org\nSubject: s\n\nx",
            None,
        )
        .unwrap()
    }

    #[test]
    fn entries_are_private_whole_and_round_trip() {
        let tmp = tempfile::tempdir().unwrap();
        let outbox = Outbox::at(tmp.path().join("o")).unwrap();
        let p = prepared();
        let entry = outbox.add(&p).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(outbox.dir()), 0o700);
        assert_eq!(
            mode(&outbox.dir().join(&entry.id).join("message.eml")),
            0o600
        );
        assert_eq!(outbox.message(&entry.id).unwrap(), p.bytes);
        assert_eq!(outbox.list().unwrap(), vec![entry.clone()]);
        assert!(
            entry
                .state
                .recipients
                .contains(&"c@example.org".to_string())
        );
        outbox.remove(&entry.id).unwrap();
        assert!(outbox.list().unwrap().is_empty());
        assert_eq!(outbox.load(&entry.id).unwrap(), None);
    }

    #[test]
    fn an_existing_outbox_open_to_others_is_tightened() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("o");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        Outbox::at(dir.clone()).unwrap();
        assert_eq!(
            fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }

    #[test]
    fn an_abandoned_in_flight_entry_may_have_been_sent() {
        let tmp = tempfile::tempdir().unwrap();
        let outbox = Outbox::at(tmp.path().to_path_buf()).unwrap();
        let mut entry = outbox.add(&prepared()).unwrap();
        entry.state.status = Status::InFlight;
        outbox.save(&entry).unwrap();
        {
            let _held = outbox.try_lock(&entry.id).unwrap().unwrap();
            assert!(outbox.try_lock(&entry.id).unwrap().is_none());
            assert_eq!(outbox.list().unwrap()[0].state.status, Status::InFlight);
        }
        assert_eq!(outbox.list().unwrap()[0].state.status, Status::MaybeSent);
        assert_eq!(
            outbox.load(&entry.id).unwrap().unwrap().state.status,
            Status::MaybeSent
        );
    }
}
