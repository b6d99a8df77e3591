//! Submitting and retrying: the outbox entry is written first, then one delivery attempt,
//! then the acknowledgement is recorded before the Sent copy, so a tern killed at any
//! moment neither loses the message nor sends twice what the server acknowledged.

use std::cell::{OnceCell, RefCell};

use super::deliver::{self, Delivery, Message};
use super::outbox::{Entry, Outbox, Status};
use super::{SendError, prepare, sent_copy};
use crate::config::{self, Account};

/// A message that reached its first verdict without an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Accepted by the server (and copied to Sent, unless `warning` says why not).
    Sent {
        message_id: String,
        warning: Option<String>,
    },
    /// Kept in the outbox for a later try: server unreachable or a 4xx answer.
    Queued { message_id: String, reason: String },
}

/// Passwords, each resolved at most once and only when a step needs it.
pub struct Secrets<'a> {
    account: &'a Account,
    /// Replaced when the user types the account's password again.
    imap: RefCell<Option<Result<String, String>>>,
    smtp: OnceCell<Result<String, String>>,
}

impl<'a> Secrets<'a> {
    pub fn new(account: &'a Account) -> Self {
        Secrets {
            account,
            imap: RefCell::new(None),
            smtp: OnceCell::new(),
        }
    }

    /// When the IMAP password is known already (the TUI logged in with it).
    pub fn with_imap_password(account: &'a Account, password: String) -> Self {
        let s = Secrets::new(account);
        s.replace_imap_password(password);
        s
    }

    /// The account's password as the user typed it again after the server refused the one
    /// tern had: later attempts use it (SMTP too, unless `[account.smtp]` has its own).
    pub fn replace_imap_password(&self, password: String) {
        self.imap.replace(Some(Ok(password)));
    }

    fn imap(&self) -> Result<String, String> {
        if let Some(known) = self.imap.borrow().as_ref() {
            return known.clone();
        }
        let resolved = config::resolve_password(self.account).map_err(|e| e.to_string());
        self.imap.replace(Some(resolved.clone()));
        resolved
    }

    fn smtp(&self) -> Result<String, String> {
        match &self.account.smtp {
            Some(s) if s.has_password_source() => self
                .smtp
                .get_or_init(|| {
                    config::resolve_smtp_password(self.account).map_err(|e| e.to_string())
                })
                .clone(),
            _ => self.imap(),
        }
    }
}

/// Sends `raw` (an RFC 5322 message) with the account's settings, through its outbox in the
/// state directory.
pub fn submit(account: &Account, raw: &[u8]) -> Result<Submitted, SendError> {
    let outbox = Outbox::for_account(&account.name)?;
    submit_to(&outbox, account, raw, &Secrets::new(account))
}

/// [`submit`] with an explicit outbox and passwords.
pub fn submit_to(
    outbox: &Outbox,
    account: &Account,
    raw: &[u8],
    secrets: &Secrets,
) -> Result<Submitted, SendError> {
    if account.route().is_none() {
        return Err(SendError::Config(format!(
            "account \"{}\" cannot send: add an [account.smtp] table (or sendmail_command) to the config",
            account.name
        )));
    }
    let prepared = prepare(raw, account.from_address())?;
    let entry = outbox.add(&prepared)?;
    attempt(outbox, account, &entry.id, secrets, false)
}

/// One attempt for the entry `id`: delivery (unless the server accepted it already), then
/// the Sent copy. `resend_maybe_sent`: the user confirmed that a message which may have been
/// sent is to be sent again.
pub fn attempt(
    outbox: &Outbox,
    account: &Account,
    id: &str,
    secrets: &Secrets,
    resend_maybe_sent: bool,
) -> Result<Submitted, SendError> {
    let Some(_lock) = outbox.try_lock(id)? else {
        return Ok(Submitted::Queued {
            message_id: id.to_string(),
            reason: "another tern is sending it right now".into(),
        });
    };
    let Some(mut entry) = outbox.load(id)? else {
        return Err(SendError::Outbox(format!(
            "{id} is no longer in the outbox"
        )));
    };
    let message_id = entry.state.message_id.clone();
    match entry.state.status {
        Status::Accepted => return finish(outbox, account, entry, secrets),
        Status::MaybeSent | Status::InFlight if !resend_maybe_sent => {
            return Err(SendError::MaybeSent {
                message_id,
                text: entry
                    .state
                    .last_error
                    .unwrap_or_else(|| "the server's answer never came".into()),
            });
        }
        _ => {}
    }
    let bytes = outbox.message(id)?;
    let msg = Message {
        sender: entry.state.sender.clone(),
        recipients: entry.state.recipients.clone(),
        bytes: &bytes,
    };
    let mut in_flight = entry.clone();
    in_flight.state.status = Status::InFlight;
    let mark = Box::new(move || {
        // Best effort: failing to note this only loses the "may have been sent" hint.
        if let Err(e) = outbox.save(&in_flight) {
            tracing::warn!("outbox: cannot mark {} in flight: {e}", in_flight.id);
        }
    });
    let delivery = deliver::deliver(account, &msg, &|| secrets.smtp(), mark);
    match delivery {
        Delivery::Accepted => {
            entry.state.status = Status::Accepted;
            entry.state.last_error = None;
            outbox.save(&entry)?;
            finish(outbox, account, entry, secrets)
        }
        Delivery::Transient(text) => {
            entry.state.status = Status::Queued;
            entry.state.attempts += 1;
            entry.state.next_attempt = now() + backoff_secs(entry.state.attempts);
            entry.state.last_error = Some(text.clone());
            outbox.save(&entry)?;
            Ok(Submitted::Queued {
                message_id,
                reason: text,
            })
        }
        Delivery::Permanent(text) => {
            entry.state.status = Status::Refused;
            entry.state.last_error = Some(text.clone());
            outbox.save(&entry)?;
            Err(SendError::Refused { message_id, text })
        }
        Delivery::MaybeSent(text) => {
            entry.state.status = Status::MaybeSent;
            entry.state.last_error = Some(text.clone());
            outbox.save(&entry)?;
            Err(SendError::MaybeSent { message_id, text })
        }
    }
}

/// After the acknowledgement: the Sent copy, then out of the outbox. A failed copy keeps the
/// entry as accepted (retried as a copy only, never as a send).
fn finish(
    outbox: &Outbox,
    account: &Account,
    mut entry: Entry,
    secrets: &Secrets,
) -> Result<Submitted, SendError> {
    let message_id = entry.state.message_id.clone();
    if account.files_sent_copy() {
        let bytes = outbox.message(&entry.id)?;
        if let Err(e) = secrets
            .imap()
            .and_then(|p| sent_copy::store(account, &p, &bytes))
        {
            let warning = format!("sent, but the copy to Sent failed (tern will retry): {e}");
            entry.state.last_error = Some(warning.clone());
            outbox.save(&entry)?;
            return Ok(Submitted::Sent {
                message_id,
                warning: Some(warning),
            });
        }
    }
    outbox.remove(&entry.id)?;
    Ok(Submitted::Sent {
        message_id,
        warning: None,
    })
}

/// Which entries an automatic retry takes now: queued ones whose wait is over, and accepted
/// ones still missing their Sent copy. Refused and may-have-been-sent ones wait for the user.
pub fn is_due(entry: &Entry, now: i64) -> bool {
    match entry.state.status {
        Status::Queued => entry.state.next_attempt <= now,
        Status::Accepted => true,
        Status::InFlight | Status::Refused | Status::MaybeSent => false,
    }
}

/// 30 s after the first failure, doubling up to 30 minutes.
pub fn backoff_secs(attempts: u32) -> i64 {
    (30i64 << attempts.saturating_sub(1).min(6)).min(1800)
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_and_is_capped() {
        let waits: Vec<i64> = (1..=9).map(super::backoff_secs).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1800, 1800, 1800]);
    }
}
