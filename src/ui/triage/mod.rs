//! Acting on messages: tags, flag changes, and the types the other triage files share.
//!
//! Every change goes to the worker as a command and is shown at once, but only as an overlay
//! of the request in flight (flags drawn on top of the model, moved rows hidden): the model
//! changes only when the server confirms, and a refusal just drops the overlay and says why.
//! The undo stack takes an entry only on confirmation, so a refused action is never offered.
//! [`Triage`] owns the policy and the undo stack and decides what an action means; `actions`
//! turns key presses into requests and `ui::events` settles their answers; `across` moves and
//! copies to another account's folders.

mod across;
mod actions;
mod uncopy;

pub use across::{Across, Crossing, Step};
pub use uncopy::{Uncopy, UncopyStep};

use crate::config::{Account, Config, DeletePolicy, SeenPolicy};
use crate::msg::{Flag, FlagChange, Flags, Folder, FolderInfo, SpecialUse, Uid};
use crate::policy::{self, Deletion};
use crate::ui::status::Notice;

/// What the config says about deleting, archiving and \Seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    pub delete: DeletePolicy,
    /// Overrides the server's \Trash folder.
    pub trash_folder: Option<String>,
    /// Overrides the server's \Archive folder.
    pub archive_folder: Option<String>,
    pub seen: SeenPolicy,
}

impl Policy {
    pub fn new(config: &Config, account: &Account) -> Policy {
        Policy {
            // POP3 has no Trash: `d` marks (locally), `$` deletes on the server, confirmed.
            delete: if account.is_pop3() {
                DeletePolicy::Flag
            } else {
                config.delete
            },
            trash_folder: account.trash_folder.clone(),
            archive_folder: account.archive_folder.clone(),
            seen: config.seen_policy,
        }
    }
}

/// "mark 3 messages read", for notices and errors.
pub fn describe(change: &FlagChange) -> String {
    let n = count(change.uids.len());
    let mut flags = change.flags.iter();
    let (added, removed) = match (flags.next(), flags.next()) {
        (Some(Flag::Seen), None) => ("mark {n} read", "mark {n} unread"),
        (Some(Flag::Flagged), None) => ("flag {n}", "unflag {n}"),
        (Some(Flag::Answered), None) => ("mark {n} answered", "mark {n} not answered"),
        (Some(Flag::Deleted), None) => ("mark {n} deleted", "undelete {n}"),
        _ => ("change the flags of {n}", "change the flags of {n}"),
    };
    let text = if change.add { added } else { removed };
    text.replace("{n}", &n)
}

/// A copy, or a move (`remove`), of `uids` from `folder` to `dest`, as sent with `Cmd::Copy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub folder: Folder,
    pub uids: Vec<Uid>,
    pub dest: Folder,
    pub remove: bool,
    pub origin: Origin,
}

/// Who asked for a change; decides what its confirmation does to the undo stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A key press: confirmed, it can be undone.
    User,
    /// An undo: refused, the entry goes back on the stack.
    Undo,
    /// Opening a message (seen_policy): not something the user would think to undo.
    Open,
}

/// One confirmed action of this session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undo {
    /// The change that was made; undone by its inverse.
    Flags(FlagChange),
    /// Messages moved from `from` to `to`, where they now have `uids` (from COPYUID).
    Move {
        from: Folder,
        to: Folder,
        uids: Vec<Uid>,
    },
    /// Messages moved to another account's folder `at` together (one `batch`); undone by
    /// moving them back across.
    Across {
        at: (crate::ui::accounts::AccountId, Folder),
        back_to: (crate::ui::accounts::AccountId, Folder),
        batch: u64,
        moved: Vec<Moved>,
    },
    /// Copies made in `at` (their UIDs there, from COPYUID or APPENDUID), together (one
    /// `batch`: copies across arrive one by one); undone by removing exactly those.
    Copies {
        at: (crate::ui::accounts::AccountId, Folder),
        batch: u64,
        uids: Vec<Uid>,
    },
    /// An action that cannot be undone, as the subject of "… cannot be undone".
    Never(String),
}

/// A message moved across: its UID where it is now, and the flags and INTERNALDATE it goes
/// back with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub uid: Uid,
    pub flags: Flags,
    pub date: (i64, i32),
}

/// A question on the status line that only `y` answers yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub question: String,
    pub then: Deferred,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deferred {
    Expunge { folder: Folder, uids: Vec<Uid> },
    DeleteFolder(Folder),
    Quit,
}

/// "1 message", "3 messages".
pub fn count(n: usize) -> String {
    match n {
        1 => "1 message".into(),
        n => format!("{n} messages"),
    }
}

/// The triage sub-state: what the config allows and what this session can undo.
#[derive(Debug, Default)]
pub struct Triage {
    policy: Policy,
    /// The session's confirmed actions, newest last.
    undo: Vec<Undo>,
    /// When each of `undo` was recorded, on the session's clock ([`next_stamp`]): each
    /// account has its own stack, and All inboxes undoes the newest entry of any of them.
    stamps: Vec<u64>,
}

/// The order of undo entries across the accounts' stacks; also names a batch of messages
/// moved across together.
pub(crate) fn next_stamp() -> u64 {
    static CLOCK: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    CLOCK.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// What deleting the targets means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeletePlan {
    /// Mark them \Deleted.
    Flag(FlagChange),
    /// Move them to this folder.
    MoveTo(Folder),
}

impl Triage {
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub(crate) fn set_policy(&mut self, policy: Policy) {
        self.policy = policy;
    }

    /// Confirmed actions, oldest first.
    pub fn undo_stack(&self) -> &[Undo] {
        &self.undo
    }

    pub(crate) fn record(&mut self, undo: Undo) {
        self.undo.push(undo);
        self.stamps.push(next_stamp());
    }

    pub(crate) fn pop(&mut self) -> Option<Undo> {
        self.stamps.pop();
        self.undo.pop()
    }

    /// The entry of `batch`, if it has one already: the messages of a move or copy across
    /// arrive one by one, and are undone together.
    pub(crate) fn batch_entry(&mut self, batch: u64) -> Option<&mut Undo> {
        self.undo.iter_mut().rev().find(|u| {
            matches!(u, Undo::Across { batch: b, .. } | Undo::Copies { batch: b, .. } if *b == batch)
        })
    }

    /// When the newest entry was recorded, for finding the newest of several stacks.
    pub(crate) fn newest(&self) -> Option<u64> {
        self.stamps.last().copied()
    }

    /// Whether opening a message marks it \Seen.
    pub(crate) fn seen_on_open(&self) -> bool {
        self.policy.seen == SeenPolicy::Open
    }

    pub(crate) fn archive_folder(&self, folders: &[FolderInfo]) -> Result<Folder, Notice> {
        let configured = self.policy.archive_folder.as_deref();
        policy::special_folder(configured, folders, SpecialUse::Archive).ok_or_else(|| {
            Notice::error(
                "This account has no Archive folder; set archive_folder for it in the config",
            )
        })
    }

    /// [`policy::deletion`]; marking \Deleted sends only the messages not marked yet (by
    /// `flags_of`).
    pub(crate) fn delete(
        &self,
        folders: &[FolderInfo],
        folder: Folder,
        uids: Vec<Uid>,
        flags_of: impl Fn(Uid) -> Option<Flags>,
    ) -> Result<DeletePlan, Notice> {
        let configured = self.policy.trash_folder.as_deref();
        let trash = policy::special_folder(configured, folders, SpecialUse::Trash);
        match policy::deletion(self.policy.delete, trash, &folder) {
            Ok(Deletion::Flag) => {
                let uids: Vec<Uid> = uids
                    .into_iter()
                    .filter(|u| flags_of(*u).is_some_and(|f| !f.has(Flag::Deleted)))
                    .collect();
                if uids.is_empty() {
                    return Err(Notice::info("Already marked deleted; $ expunges"));
                }
                Ok(DeletePlan::Flag(FlagChange {
                    folder,
                    uids,
                    add: true,
                    flags: Flag::Deleted.into(),
                }))
            }
            Ok(Deletion::MoveTo(trash)) => Ok(DeletePlan::MoveTo(trash)),
            Err(no_trash) => Err(Notice::error(sentence(&no_trash.to_string()))),
        }
    }
}

/// `text` with its first letter capitalised, as the status line shows errors.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Sets `flag` on `uids`, or clears it when every one has it already. Only the messages whose
/// flag really changes are in the change, so undo restores exactly what was.
pub(crate) fn toggle(
    folder: Folder,
    uids: Vec<Uid>,
    flag: Flag,
    flags_of: impl Fn(Uid) -> Option<Flags>,
) -> FlagChange {
    let has = |u: Uid| flags_of(u).is_some_and(|f| f.has(flag));
    let add = !uids.iter().all(|u| has(*u));
    let uids: Vec<Uid> = uids.into_iter().filter(|u| has(*u) != add).collect();
    FlagChange {
        folder,
        uids,
        add,
        flags: flag.into(),
    }
}
