//! Puts the generated mailbox on the demo server over IMAP (CREATE and APPEND with flags and
//! internal dates), the way any client would, so what the demo shows is what a server holds.

use std::thread;

use imap::types::Flag;

use super::mailbox::DemoMessage;
use crate::devserver::{DevServerError, Dovecot};
use crate::utf7;

/// Creates `folders` and appends `messages` (oldest first) as `user`; returns how many.
pub(super) fn seed(
    server: &Dovecot,
    user: &str,
    folders: &[String],
    messages: &[DemoMessage],
) -> Result<usize, DevServerError> {
    let mut s = server.session(user)?;
    for folder in folders {
        let raw = utf7::encode(folder);
        // The special-use folders already exist (the devserver config auto-creates them).
        if raw.eq_ignore_ascii_case("INBOX")
            || !s
                .list(Some(""), Some(&raw))
                .map_err(imap_err("LIST"))?
                .is_empty()
        {
            continue;
        }
        s.create(&raw).map_err(imap_err(&format!("CREATE {raw}")))?;
    }
    let _ = s.logout();
    // INBOX holds most of the mail, so it gets its own connection and the other folders share
    // a second one: this halves the seeding time. Each folder is still appended by a single
    // connection in date order, which is what makes its UIDs follow the dates.
    let (inbox, rest): (Vec<&DemoMessage>, Vec<&DemoMessage>) =
        messages.iter().partition(|m| m.folder == "INBOX");
    thread::scope(|scope| {
        let other = scope.spawn(|| append_all(server, user, &rest));
        let a = append_all(server, user, &inbox);
        let b = other.join().unwrap_or_else(|_| {
            Err(DevServerError::InvalidOption(
                "seeding thread panicked".into(),
            ))
        });
        Ok(a? + b?)
    })
}

fn append_all(
    server: &Dovecot,
    user: &str,
    messages: &[&DemoMessage],
) -> Result<usize, DevServerError> {
    let mut s = server.session(user)?;
    for m in messages {
        let folder = utf7::encode(&m.folder);
        let mut cmd = s.append(&folder, &m.raw);
        cmd.flags(m.flags.iter().map(|f| Flag::from(*f)));
        cmd.internal_date(m.date);
        cmd.finish()
            .map_err(imap_err(&format!("APPEND {folder}")))?;
    }
    let _ = s.logout();
    Ok(messages.len())
}

fn imap_err(op: &str) -> impl FnOnce(imap::Error) -> DevServerError {
    let op = op.to_string();
    move |source| DevServerError::Imap {
        op,
        source: Box::new(source),
    }
}
