//! Seeding a private Dovecot for tests, benchmarks and examples: over IMAP through the same
//! `imap` crate tern uses (so what a test sees is what a client sees), APPEND with flags and
//! dates and CREATE; and, for 10k–100k messages, Maildir files written directly.
//!
//! `seed_fixtures` puts the fixture messages (tests/fixtures/*.eml) into a user's mailbox in a
//! fixed layout. INBOX gets [`INBOX_FIXTURES`] in order with increasing internal dates, so
//! UID order = date order. Folders, shown for the '/' delimiter (with '.' they are
//! `INBOX.`-prefixed and '.'-separated):
//! - `&UXZO1mWHTvZZOQ-` (其他文件夹): 2 messages
//! - `&UXZO1mWHTvZZOQ-/QQ&kK5O9ouilgU-` (QQ邮件订阅): 1 message
//! - `Work/Projects`: 1 message (so `Work` is a parent with no mail)

#![allow(dead_code)] // included by tests, benches and examples, each using a different subset

use std::fs;
use std::io::Write as _;
use std::net::TcpStream;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, FixedOffset};
use imap::types::Flag;
use imap_proto::UidSetMember;
use tern::devserver::Dovecot;

/// A plain (non-TLS) logged-in session.
pub type PlainSession = imap::Session<TcpStream>;

/// What went wrong while seeding, with the step that failed.
pub type Result<T> = std::result::Result<T, String>;

/// Seeding a running server as one of its users. Folder names are raw IMAP names (mUTF-7).
pub trait Seeding {
    /// Creates `folder` unless it exists.
    fn create_folder(&self, user: &str, folder: &str) -> Result<()>;

    /// APPENDs one message and returns its UID (from APPENDUID); `folder` is created if
    /// missing. `internal_date` is IMAP style ("17-Jul-1996 02:44:25 -0700") or RFC 2822.
    fn append(
        &self,
        user: &str,
        folder: &str,
        raw: &[u8],
        flags: &[&str],
        internal_date: Option<&str>,
    ) -> Result<u32>;

    /// Writes `messages` straight into the folder's Maildir `cur/` as seen (`:2,S`), in order,
    /// and returns how many were written: 1 500–10 000 msg/s against ~50 for APPEND. The
    /// folder is created over IMAP first if missing.
    fn seed_maildir_bulk(
        &self,
        user: &str,
        folder: &str,
        messages: impl Iterator<Item = Vec<u8>>,
    ) -> Result<usize>;
}

impl Seeding for Dovecot {
    fn create_folder(&self, user: &str, folder: &str) -> Result<()> {
        let mut s = session(self, user)?;
        ensure_folder(&mut s, folder)?;
        let _ = s.logout();
        Ok(())
    }

    fn append(
        &self,
        user: &str,
        folder: &str,
        raw: &[u8],
        flags: &[&str],
        internal_date: Option<&str>,
    ) -> Result<u32> {
        let mut s = session(self, user)?;
        ensure_folder(&mut s, folder)?;
        let uid = append_in(&mut s, folder, raw, flags, internal_date)?;
        let _ = s.logout();
        Ok(uid)
    }

    fn seed_maildir_bulk(
        &self,
        user: &str,
        folder: &str,
        messages: impl Iterator<Item = Vec<u8>>,
    ) -> Result<usize> {
        self.create_folder(user, folder)?;
        if folder.eq_ignore_ascii_case("INBOX") {
            // Dovecot makes the INBOX's Maildir when it is first opened.
            let mut s = session(self, user)?;
            s.select("INBOX").map_err(imap_err("SELECT INBOX"))?;
            let _ = s.logout();
        }
        let cur = maildir_of(self, user, folder).join("cur");
        // Dovecot created the folder, so `cur/` has the mail owner (the `dovecot` user when
        // the tests run as root); the files must have it too or Dovecot cannot read them.
        let owner = fs::metadata(&cur)
            .map_err(|e| format!("mail folder {} after CREATE: {e}", cur.display()))?;
        let pid = std::process::id();
        let mut count = 0;
        for raw in messages {
            let us = next_stamp_us();
            // Named as Dovecot names the mail it delivers: the size (S) and the size with CRLF
            // line ends (W, what RFC822.SIZE reports), so a size is never read from the file.
            let name = format!(
                "{}.M{}P{pid}.tern-seed,S={},W={}:2,S",
                us / 1_000_000,
                us % 1_000_000,
                raw.len(),
                crlf_size(&raw)
            );
            let path = cur.join(name);
            let mut f =
                fs::File::create(&path).map_err(|e| format!("creating {}: {e}", path.display()))?;
            f.write_all(&raw)
                .map_err(|e| format!("writing {}: {e}", path.display()))?;
            if f.metadata().map_err(|e| e.to_string())?.uid() != owner.uid() {
                std::os::unix::fs::fchown(&f, Some(owner.uid()), Some(owner.gid()))
                    .map_err(|e| format!("chown {}: {e}", path.display()))?;
            }
            count += 1;
        }
        Ok(count)
    }
}

/// `raw`'s size with every bare LF counted as CRLF: RFC822.SIZE.
fn crlf_size(raw: &[u8]) -> usize {
    let bare = raw
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' && (i == 0 || raw[i - 1] != b'\r'))
        .count();
    raw.len() + bare
}

/// Last timestamp (µs) used in a Maildir file name. Dovecot assigns UIDs to new files sorted
/// by the time in their names, so strictly increasing stamps make UID order equal seeding
/// order, also across calls.
static LAST_STAMP_US: AtomicU64 = AtomicU64::new(0);

fn next_stamp_us() -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64);
    let mut prev = LAST_STAMP_US.load(Ordering::Relaxed);
    loop {
        let next = now.max(prev + 1);
        match LAST_STAMP_US.compare_exchange_weak(prev, next, Ordering::Relaxed, Ordering::Relaxed)
        {
            Ok(_) => return next,
            Err(p) => prev = p,
        }
    }
}

/// Maildir++ layout of the devserver (`mail_location = maildir:DIR/mail/%n`): INBOX is the
/// root, other folders are dot-separated directories (`.Work.Projects`) below it, without the
/// "INBOX." prefix of the Cyrus-style namespace.
fn maildir_of(server: &Dovecot, user: &str, folder: &str) -> PathBuf {
    let root = server.dir.join("mail").join(user);
    let delim = server.delimiter();
    let name = if delim == '.' {
        folder.strip_prefix("INBOX.").unwrap_or(folder)
    } else {
        folder
    };
    if name.eq_ignore_ascii_case("INBOX") {
        return root;
    }
    root.join(format!(".{}", name.replace(delim, ".")))
}

fn session(server: &Dovecot, user: &str) -> Result<PlainSession> {
    server.session(user).map_err(|e| e.to_string())
}

fn imap_err(op: impl Into<String>) -> impl FnOnce(imap::Error) -> String {
    let op = op.into();
    move |e| format!("IMAP {op} failed: {e}")
}

fn ensure_folder(s: &mut PlainSession, folder: &str) -> Result<()> {
    if folder.eq_ignore_ascii_case("INBOX") {
        return Ok(());
    }
    let found = s
        .list(Some(""), Some(folder))
        .map_err(imap_err(format!("LIST {folder}")))?;
    if found.iter().any(|n| n.name() == folder) {
        return Ok(());
    }
    s.create(folder)
        .map_err(imap_err(format!("CREATE {folder}")))
}

fn append_in(
    s: &mut PlainSession,
    folder: &str,
    raw: &[u8],
    flags: &[&str],
    internal_date: Option<&str>,
) -> Result<u32> {
    let date = internal_date.map(parse_date).transpose()?;
    let mut cmd = s.append(folder, raw);
    cmd.flags(flags.iter().map(|f| Flag::from(*f)));
    if let Some(d) = date {
        cmd.internal_date(d);
    }
    let appended = cmd.finish().map_err(imap_err(format!("APPEND {folder}")))?;
    match appended.uids.as_deref() {
        Some([UidSetMember::Uid(uid), ..]) => Ok(*uid),
        Some([UidSetMember::UidRange(r), ..]) => Ok(*r.start()),
        _ => Err(format!(
            "the server did not return APPENDUID for the APPEND to {folder:?} (UIDPLUS missing?)"
        )),
    }
}

fn parse_date(s: &str) -> Result<DateTime<FixedOffset>> {
    DateTime::parse_from_str(s.trim(), "%d-%b-%Y %H:%M:%S %z")
        .or_else(|_| DateTime::parse_from_rfc2822(s))
        .map_err(|_| {
            format!(
                "bad internal date {s:?}: expected e.g. \"17-Jul-1996 02:44:25 -0700\" or RFC 2822"
            )
        })
}

/// INBOX contents in UID order: (file, flags).
pub const INBOX_FIXTURES: [(&str, &[&str]); 10] = [
    ("plain.eml", &["\\Seen"]),
    ("iso8859.eml", &[]),
    ("koi8r.eml", &[]),
    ("gbk.eml", &[]),
    ("html_only_qp.eml", &[]),
    ("alt_qp_html.eml", &[]),
    ("mixed_attachments.eml", &["\\Flagged"]),
    ("rfc2231.eml", &[]),
    ("nested.eml", &[]),
    ("hostile.eml", &[]),
];

/// mUTF-7 of 其他文件夹 and of QQ邮件订阅.
pub const OTHER_FOLDER: &str = "&UXZO1mWHTvZZOQ-";
pub const QQ_FOLDER: &str = "QQ&kK5O9ouilgU-";

/// One message put in place by [`seed_fixtures`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeededMessage {
    /// Raw IMAP folder name as used on this server.
    pub folder: String,
    /// Fixture file name, e.g. "nested.eml".
    pub fixture: String,
    pub uid: u32,
}

/// What [`seed_fixtures`] created.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// In seeding order.
    pub messages: Vec<SeededMessage>,
}

impl SeedReport {
    /// UID of `fixture` in `folder`, if it was seeded there.
    pub fn uid(&self, folder: &str, fixture: &str) -> Option<u32> {
        self.messages
            .iter()
            .find(|m| m.folder == folder && m.fixture == fixture)
            .map(|m| m.uid)
    }

    /// Raw names of the folders that received mail, INBOX first.
    pub fn folders(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for m in &self.messages {
            if !out.contains(&m.folder.as_str()) {
                out.push(&m.folder);
            }
        }
        out
    }
}

/// The raw folder names for `delimiter`: (other, other/QQ, Work/Projects).
pub fn folder_names(delimiter: char) -> [String; 3] {
    let (p, d) = if delimiter == '.' {
        ("INBOX.", '.')
    } else {
        ("", '/')
    };
    [
        format!("{p}{OTHER_FOLDER}"),
        format!("{p}{OTHER_FOLDER}{d}{QQ_FOLDER}"),
        format!("{p}Work{d}Projects"),
    ]
}

/// Seeds `user`'s mailbox from `fixtures_dir` (see the module doc).
pub fn seed_fixtures(server: &Dovecot, user: &str, fixtures_dir: &Path) -> Result<SeedReport> {
    let [other, qq, projects] = folder_names(server.delimiter());
    let mut plan: Vec<(&str, &str, &[&str])> = INBOX_FIXTURES
        .iter()
        .map(|(file, flags)| ("INBOX", *file, *flags))
        .collect();
    plan.push((&other, "plain.eml", &[]));
    plan.push((&other, "gbk.eml", &["\\Seen"]));
    plan.push((&qq, "html_only_qp.eml", &[]));
    plan.push((&projects, "alt_qp_html.eml", &[]));

    let mut s = session(server, user)?;
    let mut report = SeedReport::default();
    for (i, (folder, file, flags)) in plan.into_iter().enumerate() {
        let path = fixtures_dir.join(file);
        let raw = std::fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        ensure_folder(&mut s, folder)?;
        // One hour apart from a fixed day, so dates are stable across runs.
        let date = format!("{:02}-Jan-2024 {:02}:00:00 +0000", 1 + i / 24, i % 24);
        let uid = append_in(&mut s, folder, &raw, flags, Some(&date))?;
        report.messages.push(SeededMessage {
            folder: folder.to_string(),
            fixture: file.to_string(),
            uid,
        });
    }
    let _ = s.logout();
    Ok(report)
}

/// alice's account on `server` over plain IMAP, with `extra` config lines (timeouts, cache, …).
pub fn plain_account(server: &Dovecot, extra: &str) -> tern::config::Account {
    let text = format!(
        "[[account]]\nname = \"t\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nusername = \"alice\"\n{extra}\n",
        server.imap_port
    );
    tern::config::parse(&text)
        .expect("config")
        .accounts
        .remove(0)
}
