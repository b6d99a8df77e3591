//! The TUI's workers: one protocol worker and one send thread per account. Each worker's
//! events are tagged with their account on the way in (a small forwarding thread per
//! account feeds one channel, so the main loop selects over a fixed set however many
//! accounts there are); commands go to the worker of the account they are for.

use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, unbounded};

use crate::config::Account;
use crate::imap::worker::Handle;
use crate::msg::{Cmd, Event};
use crate::send::Outbox;
use crate::send::worker::{self as send_worker, Handle as SendHandle, SendEvent};
use crate::ui::accounts::AccountId;

/// How long quitting waits for the workers to log out before leaving them behind.
const LOGOUT_WAIT: Duration = Duration::from_secs(2);

/// An event from an account's worker; `None` when the worker stopped.
pub type Tagged = (AccountId, Option<Event>);

pub struct Workers {
    /// By [`AccountId`]: the order the accounts were given to [`Workers::spawn`].
    handles: Vec<Handle>,
    senders: Vec<Option<SendHandle>>,
    pub events: Receiver<Tagged>,
    pub sent: Receiver<SendEvent>,
}

impl Workers {
    /// Starts every account's workers; `accounts[i]` becomes `AccountId(i)`.
    pub fn spawn(accounts: &[(Account, String)]) -> Workers {
        let (tag_tx, events) = unbounded();
        let (sent_tx, sent) = unbounded();
        let mut handles = Vec::new();
        let mut senders = Vec::new();
        for (i, (account, password)) in accounts.iter().enumerate() {
            let handle = crate::backend::spawn(account.clone(), password.clone());
            let (from, to) = (handle.events.clone(), tag_tx.clone());
            spawn_named("events", move || {
                while let Ok(ev) = from.recv() {
                    if to.send((AccountId(i), Some(ev))).is_err() {
                        return;
                    }
                }
                // The worker is gone: the loop tells the user.
                let _ = to.send((AccountId(i), None));
            });
            handles.push(handle);
            // Without an outbox nothing can be sent safely; the review screen then says so.
            let sender = match Outbox::for_account(&account.name) {
                Ok(outbox) => Some(send_worker::spawn(
                    account.clone(),
                    password.clone(),
                    outbox,
                )),
                Err(e) => {
                    tracing::error!("{}: no outbox: {e}", account.name);
                    None
                }
            };
            if let Some(s) = &sender {
                forward(s.events.clone(), sent_tx.clone());
            }
            senders.push(sender);
        }
        Workers {
            handles,
            senders,
            events,
            sent,
        }
    }

    /// Sends `cmds` to `account`'s worker.
    pub fn send(&self, account: AccountId, cmds: Vec<Cmd>) {
        let Some(handle) = self.handles.get(account.0) else {
            return;
        };
        for cmd in cmds {
            if handle.commands.send(cmd).is_err() {
                tracing::error!(
                    "the worker of account {} is gone; command dropped",
                    account.0
                );
            }
        }
    }

    /// `account`'s send thread, if it has an outbox.
    pub fn sender(&self, account: AccountId) -> Option<&SendHandle> {
        self.senders.get(account.0)?.as_ref()
    }

    /// Asks every worker to log out, but does not keep the user waiting on a slow server:
    /// the terminal is already restored, and after `LOGOUT_WAIT` the process just exits.
    pub fn shutdown(self) {
        drop(self.senders);
        let (done_tx, done_rx) = crossbeam_channel::bounded::<()>(self.handles.len());
        let count = self.handles.len();
        for handle in self.handles {
            let done = done_tx.clone();
            spawn_named("logout", move || {
                handle.shutdown();
                let _ = done.send(());
            });
        }
        let deadline = std::time::Instant::now() + LOGOUT_WAIT;
        for _ in 0..count {
            if done_rx.recv_deadline(deadline).is_err() {
                break;
            }
        }
    }
}

/// Copies everything from `from` into `to` until either side closes.
fn forward<T: Send + 'static>(from: Receiver<T>, to: Sender<T>) {
    spawn_named("events", move || {
        while let Ok(ev) = from.recv() {
            if to.send(ev).is_err() {
                return;
            }
        }
    });
}

fn spawn_named(name: &str, f: impl FnOnce() + Send + 'static) {
    if let Err(e) = std::thread::Builder::new().name(name.into()).spawn(f) {
        tracing::error!("cannot start the {name} thread: {e}");
    }
}
