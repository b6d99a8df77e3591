//! `tern send` and `tern outbox`: the scriptable face of [`crate::send`], like sendmail.
//! Exit 0 sent, 75 queued (try later), 1 refused (the server's words on stderr).

use std::io::{Read as _, Write};
use std::path::Path;

use super::output::{io_err, record};
use crate::config::Account;
use crate::error::{Error, Result};
use crate::send::{self, Outbox, Secrets, SendError, Status, Submitted};

/// Sends FILE (or stdin) and prints its Message-ID.
pub fn send_file(account: &Account, file: Option<&Path>, out: &mut impl Write) -> Result<()> {
    let raw = match file {
        Some(p) if p != Path::new("-") => {
            std::fs::read(p).map_err(|e| Error::Io(format!("cannot read {}: {e}", p.display())))?
        }
        _ => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| Error::Io(format!("cannot read standard input: {e}")))?;
            buf
        }
    };
    let outbox = outbox(account)?;
    let result = send::submit_to(&outbox, account, &raw, &Secrets::new(account));
    report(result, out)
}

/// Lists the outbox: Message-ID, date, recipients, subject, status, last error.
pub fn list(account: &Account, out: &mut impl Write) -> Result<()> {
    for entry in outbox(account)?.list().map_err(to_error)? {
        let s = &entry.state;
        record(
            out,
            &[
                &s.message_id,
                &s.date,
                &s.recipients.join(", "),
                &s.subject,
                status_word(s.status),
                s.last_error.as_deref().unwrap_or(""),
            ],
        )?;
    }
    Ok(())
}

/// Tries every queued, refused and accepted-but-not-filed message once, now. A message that
/// may have been sent is skipped unless its Message-ID is in `resend`.
pub fn send_all(account: &Account, resend: &[String], out: &mut impl Write) -> Result<()> {
    let outbox = outbox(account)?;
    let secrets = Secrets::new(account);
    let mut worst: Option<Error> = None;
    for entry in outbox.list().map_err(to_error)? {
        let confirmed = resend.contains(&entry.state.message_id);
        if matches!(entry.state.status, Status::MaybeSent | Status::InFlight) && !confirmed {
            eprintln!(
                "tern: {} may have been sent already; not resent (pass --resend {} to send it again)",
                entry.state.message_id, entry.state.message_id
            );
            continue;
        }
        let result = send::attempt(&outbox, account, &entry.id, &secrets, confirmed);
        if let Err(e) = report(result, out) {
            eprintln!(
                "tern: {}",
                crate::mime::sanitize::sanitize_line(&e.to_string())
            );
            // A refusal outweighs a deferral for the exit code.
            if worst.as_ref().is_none_or(|w| w.exit_code() == 75) {
                worst = Some(e);
            }
        }
    }
    match worst {
        // Already printed per message; exit with its code.
        Some(e) => Err(match e {
            Error::Deferred(_) => Error::Deferred("some messages are still queued".into()),
            _ => Error::Io("some messages were not sent".into()),
        }),
        None => Ok(()),
    }
}

pub(super) fn report(
    result: std::result::Result<Submitted, SendError>,
    out: &mut impl Write,
) -> Result<()> {
    match result {
        Ok(Submitted::Sent {
            message_id,
            warning,
        }) => {
            writeln!(out, "{message_id}").map_err(io_err)?;
            if let Some(w) = warning {
                eprintln!(
                    "tern: warning: {}",
                    crate::mime::sanitize::sanitize_line(&w)
                );
            }
            Ok(())
        }
        Ok(Submitted::Queued { message_id, reason }) => {
            writeln!(out, "{message_id}").map_err(io_err)?;
            Err(Error::Deferred(format!(
                "queued in the outbox, tern will retry: {reason}"
            )))
        }
        Err(e) => {
            if let SendError::Refused { message_id, .. } | SendError::MaybeSent { message_id, .. } =
                &e
            {
                writeln!(out, "{message_id}").map_err(io_err)?;
            }
            Err(to_error(e))
        }
    }
}

fn outbox(account: &Account) -> Result<Outbox> {
    Outbox::for_account(&account.name).map_err(to_error)
}

fn to_error(e: SendError) -> Error {
    match e {
        SendError::Invalid(t) | SendError::Config(t) => Error::Config(t),
        SendError::Outbox(_) => Error::Io(e.to_string()),
        SendError::Refused { .. } => Error::Io(format!("{e} (kept in the outbox)")),
        SendError::MaybeSent { .. } => Error::Io(format!(
            "{e} (kept in the outbox; check the recipient's mail before `tern outbox send --resend`)"
        )),
    }
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Queued => "queued",
        Status::InFlight => "sending",
        Status::Accepted => "sent, not yet in Sent",
        Status::Refused => "refused",
        Status::MaybeSent => "may have been sent",
    }
}
