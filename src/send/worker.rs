//! The send thread for the TUI: submissions and outbox retries run here, so a slow SMTP
//! server never holds up the screen. It takes [`SendCmd`]s and answers with [`SendEvent`]s,
//! plain enums like the IMAP worker's; every answer ends with the outbox's size.

use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, bounded, select, tick, unbounded};

use super::{Outbox, SendError, Status, Submitted, attempt, is_due, now, submit_to};
use crate::config::Account;
use crate::send::Secrets;

/// How often queued messages are looked at for a retry (each has its own backoff).
const RETRY_EVERY: Duration = Duration::from_secs(30);
/// How long quitting waits for a message being handed to the server.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(10);

/// Which submission an answer is about.
pub type JobId = u64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendCmd {
    /// A new message (RFC 5322 bytes): into the outbox, then one attempt.
    Submit {
        job: JobId,
        bytes: Vec<u8>,
    },
    /// The user confirmed sending again a message that may have been sent.
    Resend {
        job: JobId,
        message_id: String,
    },
    /// Drop a refused message from the outbox: its draft went back to the user.
    Discard {
        message_id: String,
    },
    Shutdown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendEvent {
    /// Accepted by the server; `warning` when the Sent copy is still missing.
    Sent {
        job: JobId,
        message_id: String,
        warning: Option<String>,
    },
    /// Kept in the outbox for a later try (unreachable server or a 4xx answer).
    Queued {
        job: JobId,
        message_id: String,
        reason: String,
    },
    /// Refused for good (5xx, login, certificate): the server's words.
    Refused {
        job: JobId,
        message_id: String,
        text: String,
    },
    /// The connection was lost after the whole message went out: ask before resending.
    MaybeSent {
        job: JobId,
        message_id: String,
        text: String,
    },
    /// Not submitted at all (no route configured, unreadable outbox, bad message).
    Failed { job: JobId, text: String },
    /// Messages waiting in the outbox (queued, refused or may-have-been-sent).
    Outbox(usize),
}

pub struct SendHandle {
    pub commands: Sender<SendCmd>,
    pub events: Receiver<SendEvent>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for SendHandle {
    /// Ends the thread after the attempt in progress, waiting at most `SHUTDOWN_WAIT` for
    /// it; whatever is not sent stays in the outbox for the next start.
    fn drop(&mut self) {
        let _ = self.commands.send(SendCmd::Shutdown);
        let Some(t) = self.thread.take() else {
            return;
        };
        let (done_tx, done_rx) = bounded::<()>(1);
        let joiner = std::thread::Builder::new().spawn(move || {
            let _ = t.join();
            let _ = done_tx.send(());
        });
        if joiner.is_ok() {
            let _ = done_rx.recv_timeout(SHUTDOWN_WAIT);
        }
    }
}

/// Starts the send thread for `account`; `password` is the IMAP one the TUI logged in with
/// (used for SMTP too unless the account gives SMTP its own).
pub fn spawn(account: Account, password: String) -> std::io::Result<SendHandle> {
    let (cmd_tx, cmd_rx) = unbounded();
    let (ev_tx, ev_rx) = unbounded();
    let thread = std::thread::Builder::new()
        .name(format!("send-{}", account.name))
        .spawn(move || run(&account, password, &cmd_rx, &ev_tx))?;
    Ok(SendHandle {
        commands: cmd_tx,
        events: ev_rx,
        thread: Some(thread),
    })
}

fn run(account: &Account, password: String, cmds: &Receiver<SendCmd>, events: &Sender<SendEvent>) {
    let secrets = Secrets::with_imap_password(account, password);
    let outbox = match Outbox::for_account(&account.name) {
        Ok(o) => Some(o),
        Err(e) => {
            tracing::error!("send: {e}");
            None
        }
    };
    let retry = tick(RETRY_EVERY);
    let emit = |ev| {
        let _ = events.send(ev);
    };
    if let Some(o) = &outbox {
        retry_due(o, account, &secrets);
        emit(SendEvent::Outbox(waiting(o)));
    }
    loop {
        let cmd = select! {
            recv(cmds) -> c => match c {
                Ok(c) => Some(c),
                Err(_) => return,
            },
            recv(retry) -> _ => None,
        };
        let Some(outbox) = &outbox else {
            if let Some(SendCmd::Submit { job, .. } | SendCmd::Resend { job, .. }) = cmd {
                emit(SendEvent::Failed {
                    job,
                    text: "tern has no outbox (no home directory); nothing was sent".into(),
                });
            }
            if cmd == Some(SendCmd::Shutdown) {
                return;
            }
            continue;
        };
        match cmd {
            None => retry_due(outbox, account, &secrets),
            Some(SendCmd::Shutdown) => return,
            Some(SendCmd::Submit { job, bytes }) => {
                emit(answer(job, submit_to(outbox, account, &bytes, &secrets)));
            }
            Some(SendCmd::Resend { job, message_id }) => {
                let result = match entry_id(outbox, &message_id) {
                    Some(id) => attempt(outbox, account, &id, &secrets, true),
                    None => Err(SendError::Outbox(format!(
                        "{message_id} is no longer in the outbox"
                    ))),
                };
                emit(answer(job, result));
            }
            Some(SendCmd::Discard { message_id }) => {
                if let Some(id) = entry_id(outbox, &message_id)
                    && let Err(e) = outbox.remove(&id)
                {
                    tracing::warn!("send: cannot drop {message_id} from the outbox: {e}");
                }
            }
        }
        emit(SendEvent::Outbox(waiting(outbox)));
    }
}

fn answer(job: JobId, result: Result<Submitted, SendError>) -> SendEvent {
    match result {
        Ok(Submitted::Sent {
            message_id,
            warning,
        }) => SendEvent::Sent {
            job,
            message_id,
            warning,
        },
        Ok(Submitted::Queued { message_id, reason }) => SendEvent::Queued {
            job,
            message_id,
            reason,
        },
        Err(SendError::Refused { message_id, text }) => SendEvent::Refused {
            job,
            message_id,
            text,
        },
        Err(SendError::MaybeSent { message_id, text }) => SendEvent::MaybeSent {
            job,
            message_id,
            text,
        },
        Err(e) => SendEvent::Failed {
            job,
            text: e.to_string(),
        },
    }
}

/// The outbox entry holding `message_id`.
fn entry_id(outbox: &Outbox, message_id: &str) -> Option<String> {
    let entries = outbox.list().ok()?;
    entries
        .into_iter()
        .find(|e| e.state.message_id == message_id)
        .map(|e| e.id)
}

/// One attempt for each entry whose wait is over; failures stay in the outbox.
fn retry_due(outbox: &Outbox, account: &Account, secrets: &Secrets) {
    let Ok(entries) = outbox.list() else {
        return;
    };
    let t = now();
    for e in entries.iter().filter(|e| is_due(e, t)) {
        if let Err(err) = attempt(outbox, account, &e.id, secrets, false) {
            tracing::warn!("send: retry of {} failed: {err}", e.state.message_id);
        }
    }
}

fn waiting(outbox: &Outbox) -> usize {
    outbox.list().map_or(0, |entries| {
        entries
            .iter()
            .filter(|e| e.state.status != Status::Accepted)
            .count()
    })
}
