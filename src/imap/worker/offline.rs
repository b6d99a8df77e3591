//! Losing and regaining the connection: backoff with jitter, and changes queued meanwhile.

use std::collections::HashSet;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::Worker;
use crate::error::Error;
use crate::imap::messages;
use crate::msg::{Cmd, ConnState, Event, Folder, ReqId, Uid};

pub struct Offline {
    attempt: u32,
    /// None: do not retry on our own (a refused login would only be refused again).
    pub next_try: Option<Instant>,
}

/// A change waiting for the connection. `in_flight`: it was sent, but the link dropped
/// before the server answered, so the server may or may not have applied it.
pub struct Pending {
    pub cmd: Cmd,
    pub in_flight: bool,
}

impl Pending {
    pub fn req(&self) -> ReqId {
        match &self.cmd {
            Cmd::Store { req, .. }
            | Cmd::Keyword { req, .. }
            | Cmd::Copy { req, .. }
            | Cmd::Expunge { req, .. }
            | Cmd::Manage { req, .. }
            | Cmd::Append { req, .. } => *req,
            _ => 0,
        }
    }
}

/// 1, 2, 4 … 60 seconds, each scaled by a factor in [0.5, 1.5) so many clients do not
/// reconnect in lockstep after a server restart.
pub(super) fn backoff(attempt: u32) -> Duration {
    let base = 2f64.powi(attempt.min(6) as i32).min(60.0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let jitter = 0.5 + f64::from(nanos % 1000) / 1000.0;
    Duration::from_secs_f64(base * jitter)
}

impl Worker {
    pub(super) fn go_offline(&mut self, error: &Error) {
        self.conn = None;
        self.idler = None;
        let attempt = self.offline.as_ref().map_or(0, |o| o.attempt + 1);
        let now = Instant::now();
        let next_try = match error {
            Error::Auth(_) => None,
            _ => Some(now + backoff(attempt).max(self.pace.wait(now))),
        };
        self.offline = Some(Offline { attempt, next_try });
        self.emit(Event::Conn(ConnState::Offline {
            reason: error.to_string(),
            retry_in: next_try
                .map(|t| t.saturating_duration_since(Instant::now()).as_secs().max(1)),
        }));
    }

    pub(super) fn queue(&mut self, pending: Pending) {
        self.emit(Event::Queued { req: pending.req() });
        self.pending.push_back(pending);
    }

    pub(super) fn reconnect_now(&mut self) {
        if let Some(o) = self.offline.as_mut() {
            o.next_try = Some(Instant::now());
        }
        self.try_reconnect();
    }

    /// One reconnection attempt; on success the open folder is brought up to date and the
    /// queued changes are carried out.
    pub(super) fn try_reconnect(&mut self) {
        match self.connection() {
            Ok(_) => {
                self.offline = None;
                // What failed while the server was out of reach (as when tern starts with it
                // down): the folder on screen and the folder list are asked for again.
                if self.open.is_none() {
                    self.restore_displayed();
                }
                if !self.folders_listed {
                    self.list_folders();
                }
                self.start_idler();
                self.replay();
            }
            Err(e) => self.go_offline(&e),
        }
    }

    /// Carries out queued changes once each. A change that may already have reached the
    /// server is only repeated where repeating is harmless or can be checked.
    fn replay(&mut self) {
        while let Some(p) = self.pending.pop_front() {
            if self.conn.is_none() {
                self.pending.push_front(p);
                return;
            }
            let req = p.req();
            match (&p.cmd, p.in_flight) {
                // Setting or clearing flags, and expunging, give the same result twice.
                (Cmd::Store { .. } | Cmd::Keyword { .. } | Cmd::Expunge { .. }, _) => {
                    self.change(p)
                }
                // A move is checked by UID: only what is still in the source folder moves.
                (
                    Cmd::Copy {
                        folder,
                        uids,
                        remove: true,
                        ..
                    },
                    true,
                ) => {
                    let (folder, uids) = (folder.clone(), uids.clone());
                    match self.still_there(&folder, &uids) {
                        Ok(left) if left.is_empty() => self.emit(Event::Done { req }),
                        Ok(left) => {
                            let mut cmd = p.cmd;
                            if let Cmd::Copy { uids, .. } = &mut cmd {
                                *uids = left;
                            }
                            self.change(Pending {
                                cmd,
                                in_flight: false,
                            });
                        }
                        Err(e) => self.fail(Some(req), e),
                    }
                }
                (Cmd::Copy { dest, .. }, true) => {
                    let text = format!(
                        "the connection dropped during a copy to {dest}; it may or may not have been made, so it was not repeated"
                    );
                    self.emit(Event::Failed {
                        req: Some(req),
                        error: Error::Network(text),
                    });
                }
                (Cmd::Append { folder, .. }, true) => {
                    let text = format!(
                        "the connection dropped while adding a message to {folder}; check the folder before trying again"
                    );
                    self.emit(Event::Failed {
                        req: Some(req),
                        error: Error::Network(text),
                    });
                }
                _ => self.change(p),
            }
        }
    }

    fn still_there(&mut self, folder: &Folder, uids: &[Uid]) -> crate::error::Result<Vec<Uid>> {
        let set: HashSet<Uid> = self
            .in_folder(folder, messages::uids)?
            .into_iter()
            .collect();
        Ok(uids.iter().copied().filter(|u| set.contains(u)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        for attempt in 0..10 {
            let d = backoff(attempt).as_secs_f64();
            let base = 2f64.powi(attempt.min(6) as i32).min(60.0);
            assert!(d >= base * 0.5 && d < base * 1.5, "{attempt}: {d}");
        }
    }
}
