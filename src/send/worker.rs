//! The send worker: a thread of its own that owns the outbox for the TUI, so the UI thread
//! never waits on SMTP. Commands and events are plain enums; after every change it reports
//! how many messages wait in the outbox ("1 in outbox"). Queued messages are retried with
//! backoff, and at start (what a previous run left behind); the thread sleeps until the next
//! retry is due, or for good while nothing waits.

use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, unbounded};

use super::attempt::{self, Secrets, Submitted};
use super::outbox::{Outbox, Status};
use super::{SendError, submit_to};
use crate::config::Account;
use crate::msg::{ReqId, Secret};

/// UI → send worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendCmd {
    /// Queue and send a raw RFC 5322 message; the events about it carry `req`.
    Submit {
        req: ReqId,
        raw: Vec<u8>,
    },
    /// Try every waiting message now (the user asked), ignoring the backoff.
    RetryNow,
    /// Send again a message that may have been sent (the user confirmed).
    Resend {
        id: String,
    },
    /// Drop a message from the outbox (refused, and taken back for editing).
    Discard {
        id: String,
    },
    /// The account's password, typed again after the IMAP server refused the one tern had.
    Password(Secret),
    Shutdown,
}

/// Send worker → UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendEvent {
    /// What waits in the outbox: `queued` will be retried; `attention` (refused, may have
    /// been sent) waits for the user.
    Outbox { queued: usize, attention: usize },
    Sent {
        req: Option<ReqId>,
        message_id: String,
        warning: Option<String>,
    },
    Queued {
        req: Option<ReqId>,
        message_id: String,
        reason: String,
    },
    /// A 5xx (or a login/TLS refusal): the server's words; `id` names the outbox entry, whose
    /// bytes the UI can take back to the review screen.
    Refused {
        req: Option<ReqId>,
        id: String,
        message_id: String,
        text: String,
    },
    MaybeSent {
        req: Option<ReqId>,
        id: String,
        message_id: String,
        text: String,
    },
    /// The message could not be queued at all (no recipient, the outbox not writable).
    Failed { req: Option<ReqId>, text: String },
}

pub struct Handle {
    pub commands: Sender<SendCmd>,
    pub events: Receiver<SendEvent>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        let _ = self.commands.send(SendCmd::Shutdown);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The shortest sleep before a retry: what failed just now is not tried again at once.
const MIN_WAIT: Duration = Duration::from_secs(5);

/// Starts the worker on `outbox` for `account`, whose IMAP password is known already.
pub fn spawn(account: Account, imap_password: String, outbox: Outbox) -> Handle {
    let (cmd_tx, cmd_rx) = unbounded();
    let (ev_tx, ev_rx) = unbounded();
    let thread = std::thread::Builder::new()
        .name("send".into())
        .spawn(move || {
            let secrets = Secrets::with_imap_password(&account, imap_password);
            let worker = Worker {
                account: &account,
                outbox: &outbox,
                secrets: &secrets,
                events: &ev_tx,
                reported: std::cell::Cell::new(None),
            };
            worker.run(&cmd_rx);
        })
        .ok();
    Handle {
        commands: cmd_tx,
        events: ev_rx,
        thread,
    }
}

struct Worker<'a> {
    account: &'a Account,
    outbox: &'a Outbox,
    secrets: &'a Secrets<'a>,
    events: &'a Sender<SendEvent>,
    /// The counts last reported, so an idle tick says nothing.
    reported: std::cell::Cell<Option<(usize, usize)>>,
}

impl Worker<'_> {
    fn run(&self, commands: &Receiver<SendCmd>) {
        // What an earlier run left behind goes first.
        self.retry(false);
        self.counts();
        loop {
            // Asleep until a command comes or a retry is due: with nothing waiting in the
            // outbox the thread never wakes by itself.
            let next = match self.next_retry() {
                Some(wait) => commands.recv_timeout(wait),
                None => commands.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match next {
                Ok(SendCmd::Shutdown) | Err(RecvTimeoutError::Disconnected) => return,
                Ok(SendCmd::Submit { req, raw }) => {
                    let result = submit_to(self.outbox, self.account, &raw, self.secrets);
                    self.report(Some(req), None, result);
                }
                Ok(SendCmd::RetryNow) => self.retry(true),
                Ok(SendCmd::Resend { id }) => {
                    let result =
                        attempt::attempt(self.outbox, self.account, &id, self.secrets, true);
                    self.report(None, Some(&id), result);
                }
                Ok(SendCmd::Discard { id }) => {
                    if let Err(e) = self.outbox.remove(&id) {
                        self.emit(SendEvent::Failed {
                            req: None,
                            text: e.to_string(),
                        });
                    }
                }
                Ok(SendCmd::Password(Secret(password))) => {
                    self.secrets.replace_imap_password(password);
                }
                Err(RecvTimeoutError::Timeout) => self.retry(false),
            }
            self.counts();
        }
    }

    /// How long until the next automatic retry, or None when nothing waits for one.
    fn next_retry(&self) -> Option<Duration> {
        let entries = self.outbox.list().ok()?;
        let now = attempt::now();
        let due = entries
            .iter()
            .filter_map(|e| match e.state.status {
                Status::Queued => Some(e.state.next_attempt),
                // Only its Sent copy is missing: tried again as soon as allowed.
                Status::Accepted => Some(now),
                Status::InFlight | Status::Refused | Status::MaybeSent => None,
            })
            .min()?;
        let secs = u64::try_from(due.saturating_sub(now)).unwrap_or(0);
        Some(Duration::from_secs(secs).max(MIN_WAIT))
    }

    /// Every due entry once (`all`: whatever its backoff says).
    fn retry(&self, all: bool) {
        let entries = match self.outbox.list() {
            Ok(e) => e,
            Err(e) => {
                return self.emit(SendEvent::Failed {
                    req: None,
                    text: e.to_string(),
                });
            }
        };
        let now = attempt::now();
        for entry in entries {
            let due = attempt::is_due(&entry, now)
                || (all && matches!(entry.state.status, Status::Queued | Status::Refused));
            if due {
                let result =
                    attempt::attempt(self.outbox, self.account, &entry.id, self.secrets, false);
                self.report(None, Some(&entry.id), result);
            }
        }
    }

    fn report(&self, req: Option<ReqId>, id: Option<&str>, result: Result<Submitted, SendError>) {
        let id = || id.unwrap_or_default().to_string();
        self.emit(match result {
            Ok(Submitted::Sent {
                message_id,
                warning,
            }) => SendEvent::Sent {
                req,
                message_id,
                warning,
            },
            Ok(Submitted::Queued { message_id, reason }) => SendEvent::Queued {
                req,
                message_id,
                reason,
            },
            Err(SendError::Refused { message_id, text }) => SendEvent::Refused {
                req,
                id: self.id_of(&message_id).unwrap_or_else(id),
                message_id,
                text,
            },
            Err(SendError::MaybeSent { message_id, text }) => SendEvent::MaybeSent {
                req,
                id: self.id_of(&message_id).unwrap_or_else(id),
                message_id,
                text,
            },
            Err(e) => SendEvent::Failed {
                req,
                text: e.to_string(),
            },
        });
    }

    /// The outbox entry holding `message_id` (a fresh submit does not know its id).
    fn id_of(&self, message_id: &str) -> Option<String> {
        self.outbox
            .list()
            .ok()?
            .into_iter()
            .find(|e| e.state.message_id == message_id)
            .map(|e| e.id)
    }

    fn counts(&self) {
        let Ok(entries) = self.outbox.list() else {
            return;
        };
        let queued = entries
            .iter()
            .filter(|e| {
                matches!(
                    e.state.status,
                    Status::Queued | Status::Accepted | Status::InFlight
                )
            })
            .count();
        let attention = entries.len() - queued;
        if self.reported.replace(Some((queued, attention))) != Some((queued, attention)) {
            self.emit(SendEvent::Outbox { queued, attention });
        }
    }

    fn emit(&self, event: SendEvent) {
        let _ = self.events.send(event);
    }
}
