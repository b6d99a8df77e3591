//! Undoing a copy: the copies the server made (their UIDs from COPYUID or APPENDUID) are
//! marked \Deleted and then removed by UID EXPUNGE, in the folder and account they went to.
//! Only those UIDs are touched, so nothing else marked \Deleted there is expunged. Like the
//! steps of a move across, the commands go to that account's worker (`App::take_routed`) and
//! the answers reach here from whichever worker gives them.

use crate::msg::{Cmd, Event, Flag, FlagChange, Folder, ReqId, Uid};
use crate::ui::accounts::AccountId;
use crate::ui::app::App;
use crate::ui::requests::Pending;
use crate::ui::triage::{Undo, count, next_stamp};

/// Copies being removed from `at`: a request in flight at `step`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uncopy {
    /// The account whose undo stack the entry came from, where a refusal puts it back.
    pub home: AccountId,
    pub at: (AccountId, Folder),
    pub uids: Vec<Uid>,
    pub step: UncopyStep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UncopyStep {
    Mark,
    Remove,
}

impl App {
    /// Undoes a copy: removes the copies `uids` from `at`.
    pub(crate) fn undo_copies(&mut self, at: (AccountId, Folder), uids: Vec<Uid>) -> Vec<Cmd> {
        self.status.say(format!(
            "Undo: removing the {} copied to {}…",
            count(uids.len()),
            self.place(&at)
        ));
        let change = FlagChange {
            folder: at.1.clone(),
            uids: uids.clone(),
            add: true,
            flags: Flag::Deleted.into(),
        };
        let account = at.0;
        let req = self.requests.uncopy(Uncopy {
            home: self.accounts.open(),
            at,
            uids,
            step: UncopyStep::Mark,
        });
        self.routed.push((account, Cmd::Store { req, change }));
        Vec::new()
    }

    /// The answer to a step of undoing a copy, from `account`'s worker.
    pub(crate) fn uncopy_answered(&mut self, account: AccountId, req: ReqId, ev: Event) {
        if matches!(ev, Event::Queued { .. }) {
            return;
        }
        let Some(Pending::Uncopy(u)) = self.requests.take(req) else {
            return;
        };
        let place = self.place(&u.at);
        match (u.step, ev) {
            (UncopyStep::Mark, Event::Stored { .. }) => {
                let (folder, uids) = (u.at.1.clone(), u.uids.clone());
                let req = self.requests.uncopy(Uncopy {
                    step: UncopyStep::Remove,
                    ..u
                });
                let expunge = Cmd::Expunge {
                    req,
                    folder,
                    uids,
                    all_deleted: false,
                };
                self.routed.push((account, expunge));
            }
            (UncopyStep::Remove, Event::Expunged { folder, uids, .. }) => {
                let kept = u.uids.iter().filter(|x| !uids.contains(x)).count();
                let gone = uids.len();
                self.expunged_in(account, folder, uids);
                if kept == 0 {
                    self.status.say(format!("Undone: the copies left {place}"));
                } else {
                    self.status.complain(format!(
                        "Undo: {} removed from {place}; the server kept {}, marked \\Deleted",
                        count(gone),
                        count(kept)
                    ));
                }
            }
            // Nothing changed: the entry goes back on its stack, to be tried again.
            (UncopyStep::Mark, Event::Failed { error, .. }) => {
                self.status.complain(format!(
                    "Could not undo the copy: {error}; the copies stay in {place}"
                ));
                let entry = Undo::Copies {
                    at: u.at,
                    batch: next_stamp(),
                    uids: u.uids,
                };
                self.as_account(u.home, |app| app.triage.record(entry));
            }
            (UncopyStep::Remove, Event::Failed { error, .. }) => {
                self.status.complain(format!(
                    "Could not undo the copy: {error}; the copies stay in {place}, marked \\Deleted"
                ));
            }
            (step, other) => tracing::error!("undoing a copy at {step:?} answered by {other:?}"),
        }
    }

    /// "Archive", or "work: Archive" for another account's folder.
    fn place(&self, at: &(AccountId, Folder)) -> String {
        if at.0 == self.accounts.open() {
            at.1.to_string()
        } else {
            format!("{}: {}", self.accounts.name(at.0), at.1)
        }
    }
}
