//! Moving and copying to another account's folder. No IMAP command spans two servers, so each
//! message goes its own way: FETCH its raw bytes from the source, APPEND them with its flags
//! and INTERNALDATE to the destination, and — for a move, only once the destination confirmed
//! the APPEND — mark the original \Deleted and UID EXPUNGE it. A failure never loses the
//! message: before the APPEND is confirmed the source is untouched; after it, a failed removal
//! leaves the message in both places, and the status line says so. Undo is the same way back.
//!
//! The steps' commands go to the worker of the account each step is for (`App::take_routed`),
//! and their answers reach here from whichever worker gives them (`App::on_account_event`).

use crate::msg::{Cmd, Event, Flag, FlagChange, Flags, Folder, ReqId, Uid};
use crate::ui::accounts::AccountId;
use crate::ui::app::App;
use crate::ui::requests::Pending;
use crate::ui::triage::{Moved, Origin, Undo, count};

/// A move (`remove`) or copy between the folders of two accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Across {
    pub from: (AccountId, Folder),
    pub to: (AccountId, Folder),
    pub remove: bool,
    pub origin: Origin,
    /// The messages sent across together share it, and make one undo entry.
    pub batch: u64,
}

/// One message on its way across: a request in flight at `step`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crossing {
    pub across: Across,
    /// Its UID in the source folder.
    pub uid: Uid,
    pub flags: Flags,
    /// INTERNALDATE: seconds, and the UTC offset in seconds.
    pub date: (i64, i32),
    pub step: Step,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Fetch,
    Append,
    /// Marking the original \Deleted; the copy has UID `new` (None without UIDPLUS).
    Mark {
        new: Option<Uid>,
    },
    Remove {
        new: Option<Uid>,
    },
}

impl App {
    /// Sends `uids` of the open folder across, with their flags and dates from the model.
    pub(crate) fn transfer_across(&mut self, across: Across, uids: Vec<Uid>) -> Vec<Cmd> {
        let Some(mb) = self.mailbox() else {
            return Vec::new();
        };
        let known: Vec<(Uid, Flags, (i64, i32))> = uids
            .iter()
            .filter_map(|u| mb.summaries.get(u))
            .map(|s| {
                (
                    s.uid,
                    s.flags.minus(Flag::Recent.into()),
                    (s.date, s.date_offset),
                )
            })
            .collect();
        if known.len() < uids.len() {
            self.status
                .complain("Wait until the messages are loaded, then try again");
            return Vec::new();
        }
        self.status.say(format!(
            "{} {} to {}: {}…",
            if across.remove { "Moving" } else { "Copying" },
            count(known.len()),
            self.accounts.name(across.to.0),
            across.to.1
        ));
        // A move's messages leave the list at once, as within an account.
        let gone: Vec<Uid> = if across.remove && self.is_open(&across.from.1) {
            known.iter().map(|(uid, ..)| *uid).collect()
        } else {
            Vec::new()
        };
        self.keep_selection(&gone, |app| {
            for (uid, flags, date) in known {
                app.cross(Crossing {
                    across: across.clone(),
                    uid,
                    flags,
                    date,
                    step: Step::Fetch,
                });
            }
        })
    }

    /// Starts `c` at its first step: fetching the original.
    fn cross(&mut self, c: Crossing) {
        let (account, folder) = c.across.from.clone();
        let uid = c.uid;
        let req = self.requests.crossing(c);
        self.routed
            .push((account, Cmd::FetchRaw { req, folder, uid }));
    }

    /// Whether `req` is a step of a crossing or of undoing a copy (whose answer may come from
    /// any account).
    pub(crate) fn is_routed(&self, req: ReqId) -> bool {
        matches!(
            self.requests.get(req),
            Some(Pending::Crossing(_) | Pending::Uncopy(_))
        )
    }

    /// The answer to a routed step (see [`App::is_routed`]), from `account`'s worker.
    pub(crate) fn routed_answered(&mut self, account: AccountId, req: ReqId, ev: Event) {
        match self.requests.get(req) {
            Some(Pending::Uncopy(_)) => self.uncopy_answered(account, req, ev),
            _ => self.crossing_answered(account, req, ev),
        }
    }

    /// The answer to a crossing's step, from `account`'s worker: the next step, or the end.
    fn crossing_answered(&mut self, account: AccountId, req: ReqId, ev: Event) {
        // A change queued while offline is answered once the worker has carried it out.
        if matches!(ev, Event::Queued { .. }) {
            return;
        }
        let Some(Pending::Crossing(c)) = self.requests.take(req) else {
            return;
        };
        let (from, to) = (c.across.from.clone(), c.across.to.clone());
        let uid = c.uid;
        match (c.step, ev) {
            (Step::Fetch, Event::Raw { bytes, .. }) => {
                let next = Crossing {
                    step: Step::Append,
                    ..c.clone()
                };
                let req = self.requests.crossing(next);
                let append = Cmd::Append {
                    req,
                    folder: to.1,
                    bytes,
                    flags: c.flags,
                    date: Some(c.date),
                };
                self.routed.push((to.0, append));
            }
            (Step::Append, Event::Appended { uid: new, .. }) if c.across.remove => {
                let req = self.requests.crossing(Crossing {
                    step: Step::Mark { new },
                    ..c
                });
                let change = FlagChange {
                    folder: from.1,
                    uids: vec![uid],
                    add: true,
                    flags: Flag::Deleted.into(),
                };
                self.routed.push((from.0, Cmd::Store { req, change }));
            }
            (Step::Append, Event::Appended { uid: new, .. }) => self.crossed(c, new),
            (Step::Mark { new }, Event::Stored { .. }) => {
                let req = self.requests.crossing(Crossing {
                    step: Step::Remove { new },
                    ..c
                });
                let expunge = Cmd::Expunge {
                    req,
                    folder: from.1,
                    uids: vec![uid],
                    all_deleted: false,
                };
                self.routed.push((from.0, expunge));
            }
            (Step::Remove { new }, Event::Expunged { folder, uids, .. }) => {
                let gone = uids.contains(&uid);
                self.expunged_in(account, folder, uids);
                if gone {
                    self.crossed(c, new);
                } else {
                    self.in_both(&c, "the server kept it, marked \\Deleted");
                }
            }
            (Step::Fetch | Step::Append, Event::Failed { error, .. }) => {
                self.status.complain(format!(
                    "Message {uid} was not {}: {error}; it is still in {}",
                    if c.across.remove { "moved" } else { "copied" },
                    from.1
                ));
            }
            (Step::Mark { .. } | Step::Remove { .. }, Event::Failed { error, .. }) => {
                self.in_both(&c, &error.to_string());
            }
            (step, other) => {
                tracing::error!("crossing at {step:?} answered by {other:?}");
            }
        }
    }

    /// The message is across: a move by the user can be undone the same way back.
    fn crossed(&mut self, c: Crossing, new: Option<Uid>) {
        let Across {
            from,
            to,
            remove,
            origin,
            batch,
        } = c.across;
        let dest = format!("{}: {}", self.accounts.name(to.0), to.1);
        self.status.say(format!(
            "{} message {} to {dest}",
            if remove { "Moved" } else { "Copied" },
            c.uid
        ));
        if origin != Origin::User {
            return;
        }
        match (remove, new) {
            (true, Some(uid)) => {
                let moved = Moved {
                    uid,
                    flags: c.flags,
                    date: c.date,
                };
                match self.triage.batch_entry(batch) {
                    Some(Undo::Across { moved: all, .. }) => all.push(moved),
                    _ => self.triage.record(Undo::Across {
                        at: to,
                        back_to: from,
                        batch,
                        moved: vec![moved],
                    }),
                }
            }
            (false, Some(uid)) => match self.triage.batch_entry(batch) {
                Some(Undo::Copies { uids, .. }) => uids.push(uid),
                _ => self.triage.record(Undo::Copies {
                    at: to,
                    batch,
                    uids: vec![uid],
                }),
            },
            (remove, None) => self.triage.record(Undo::Never(format!(
                "{} to {dest}, whose server does not say the new UID,",
                if remove { "Moving" } else { "Copying" }
            ))),
        }
    }

    /// Undoes a move across: the messages go back the way they came, together.
    pub(crate) fn undo_across(
        &mut self,
        at: (AccountId, Folder),
        back_to: (AccountId, Folder),
        moved: Vec<Moved>,
    ) -> Vec<Cmd> {
        self.status.say(format!(
            "Undo: moving {} back to {}: {}",
            count(moved.len()),
            self.accounts.name(back_to.0),
            back_to.1
        ));
        let across = Across {
            from: at,
            to: back_to,
            remove: true,
            origin: Origin::Undo,
            batch: super::next_stamp(),
        };
        for m in moved {
            self.cross(Crossing {
                across: across.clone(),
                uid: m.uid,
                flags: m.flags,
                date: m.date,
                step: Step::Fetch,
            });
        }
        Vec::new()
    }

    fn in_both(&mut self, c: &Crossing, why: &str) {
        self.status.complain(format!(
            "Message {} is now in both {} and {}: {}: removing the original failed ({why})",
            c.uid,
            c.across.from.1,
            self.accounts.name(c.across.to.0),
            c.across.to.1
        ));
    }

    /// `uids` left `folder` of `account`: the model that holds that account's state learns it.
    pub(super) fn expunged_in(&mut self, account: AccountId, folder: Folder, uids: Vec<Uid>) {
        let ev = Event::Expunged {
            req: None,
            folder,
            uids,
        };
        match self.accounts.parked_mut(account) {
            Some(parked) => parked.model.apply(ev),
            // A reader that follows the cursor asks for the next message.
            None => {
                let follow = self.on_event(ev);
                self.routed
                    .extend(follow.into_iter().map(|cmd| (account, cmd)));
            }
        }
    }

    /// Commands for a given account's worker, made since the last call (the steps of
    /// crossings, which may be for an account that is not open).
    pub fn take_routed(&mut self) -> Vec<(AccountId, Cmd)> {
        std::mem::take(&mut self.routed)
    }
}
