//! Verification and seeding over IMAP, through the same `imap` crate tern
//! uses, so what a test sees is what a client sees.

use std::net::TcpStream;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use imap::types::Flag;
use imap_proto::UidSetMember;

use super::{DevServerError, Dovecot};

/// A plain (non-TLS) logged-in session.
pub type PlainSession = imap::Session<TcpStream>;

impl Dovecot {
    /// An independent logged-in plain session, for test verification.
    pub fn session(&self, user: &str) -> Result<PlainSession, DevServerError> {
        let password = self.password(user)?;
        let stream = TcpStream::connect(("127.0.0.1", self.imap_port)).map_err(
            DevServerError::io(format!("connecting to 127.0.0.1:{}", self.imap_port)),
        )?;
        // A wedged server must fail the test, not hang it.
        let timeout = Some(Duration::from_secs(30));
        stream
            .set_read_timeout(timeout)
            .and_then(|()| stream.set_write_timeout(timeout))
            .map_err(DevServerError::io("setting socket timeouts"))?;
        let mut client = imap::Client::new(stream);
        client
            .read_greeting()
            .map_err(DevServerError::imap("greeting"))?;
        client
            .login(user, password)
            .map_err(|(e, _)| DevServerError::imap(format!("LOGIN {user}"))(e))
    }

    /// Creates `folder` (raw IMAP name, already mUTF-7) unless it exists.
    pub fn create_folder(&self, user: &str, folder: &str) -> Result<(), DevServerError> {
        let mut s = self.session(user)?;
        ensure_folder(&mut s, folder)?;
        let _ = s.logout();
        Ok(())
    }

    /// APPENDs one message and returns its UID (from APPENDUID). `folder` is
    /// the raw IMAP name; it is created if missing. `internal_date` is IMAP
    /// style ("17-Jul-1996 02:44:25 -0700") or RFC 2822.
    pub fn append(
        &self,
        user: &str,
        folder: &str,
        raw: &[u8],
        flags: &[&str],
        internal_date: Option<&str>,
    ) -> Result<u32, DevServerError> {
        let mut s = self.session(user)?;
        ensure_folder(&mut s, folder)?;
        let uid = append_in(&mut s, folder, raw, flags, internal_date)?;
        let _ = s.logout();
        Ok(uid)
    }
}

pub(crate) fn ensure_folder(s: &mut PlainSession, folder: &str) -> Result<(), DevServerError> {
    if folder.eq_ignore_ascii_case("INBOX") {
        return Ok(());
    }
    let found = s
        .list(Some(""), Some(folder))
        .map_err(DevServerError::imap(format!("LIST {folder}")))?;
    if found.iter().any(|n| n.name() == folder) {
        return Ok(());
    }
    s.create(folder)
        .map_err(DevServerError::imap(format!("CREATE {folder}")))
}

pub(crate) fn append_in(
    s: &mut PlainSession,
    folder: &str,
    raw: &[u8],
    flags: &[&str],
    internal_date: Option<&str>,
) -> Result<u32, DevServerError> {
    let date = internal_date.map(parse_date).transpose()?;
    let mut cmd = s.append(folder, raw);
    cmd.flags(flags.iter().map(|f| Flag::from(*f)));
    if let Some(d) = date {
        cmd.internal_date(d);
    }
    let appended = cmd
        .finish()
        .map_err(DevServerError::imap(format!("APPEND {folder}")))?;
    match appended.uids.as_deref() {
        Some([UidSetMember::Uid(uid), ..]) => Ok(*uid),
        Some([UidSetMember::UidRange(r), ..]) => Ok(*r.start()),
        _ => Err(DevServerError::NoAppendUid(folder.to_string())),
    }
}

fn parse_date(s: &str) -> Result<DateTime<FixedOffset>, DevServerError> {
    DateTime::parse_from_str(s.trim(), "%d-%b-%Y %H:%M:%S %z")
        .or_else(|_| DateTime::parse_from_rfc2822(s))
        .map_err(|_| DevServerError::BadDate(s.to_string()))
}
