//! Acting on messages: tags, flag changes, and the types the other triage files share.
//!
//! Every change goes to the worker as a command and is shown at once, but only as an overlay
//! of the request in flight (flags drawn on top of the model, moved rows hidden): the model
//! changes only when the server confirms, and a refusal just drops the overlay and says why.
//! The undo stack takes an entry only on confirmation, so a refused action is never offered.

mod answers;
mod transfer;

use crate::config::{Account, Config, DeletePolicy, SeenPolicy};
use crate::msg::{Cmd, Flag, FlagChange, Folder, Uid};
use crate::ui::app::{App, Pane, Pending};

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
            delete: config.delete,
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
    /// An action that cannot be undone, as the subject of "… cannot be undone".
    Never(String),
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
}

/// "1 message", "3 messages".
pub fn count(n: usize) -> String {
    match n {
        1 => "1 message".into(),
        n => format!("{n} messages"),
    }
}

impl App {
    /// The open folder and the messages an action applies to: every tagged one (in list
    /// order), else the one under the cursor. None, with a notice, when there are none or
    /// the folder cannot be changed.
    pub(crate) fn targets(&mut self) -> Option<(Folder, Vec<Uid>)> {
        if self.focus == Pane::Folders {
            self.complain("Message actions work in the message list; Tab or l goes there");
            return None;
        }
        let mb = self.mailbox()?;
        if mb.read_only {
            let name = mb.folder.clone();
            self.complain(format!(
                "{name} is open read-only; its messages cannot be changed"
            ));
            return None;
        }
        let uids: Vec<Uid> = if self.tagged.is_empty() {
            self.selected_uid.into_iter().collect()
        } else {
            mb.uids
                .iter()
                .copied()
                .filter(|u| self.tagged.contains(u))
                .collect()
        };
        let folder = mb.folder.clone();
        if uids.is_empty() {
            self.say("No message selected");
            return None;
        }
        Some((folder, uids))
    }

    pub(crate) fn toggle_tag(&mut self) {
        let Some(uid) = self.selected_uid else {
            return;
        };
        if !self.tagged.remove(&uid) {
            self.tagged.insert(uid);
        }
        // Tagging a run of messages is tag, next, tag, next…
        if self.focus == Pane::List {
            self.act(crate::ui::action::Action::Down, None);
        }
    }

    /// Tags every listed message whose sender or subject contains `text`, ignoring case.
    pub(crate) fn tag_matching(&mut self, text: &str) {
        let needle = text.to_lowercase();
        let Some(mb) = self.mailbox() else {
            return;
        };
        let hits: Vec<Uid> = self
            .rows()
            .iter()
            .filter_map(|u| mb.summaries.get(u))
            .filter(|s| {
                s.subject.to_lowercase().contains(&needle)
                    || s.from.to_lowercase().contains(&needle)
            })
            .map(|s| s.uid)
            .collect();
        let n = hits.len();
        self.tagged.extend(hits);
        self.say(format!("Tagged {} matching \"{text}\"", count(n)));
    }

    pub(crate) fn untag_all(&mut self) {
        let n = self.tagged.len();
        self.tagged.clear();
        self.say(format!("Untagged {}", count(n)));
    }

    /// Sets `flag` on the targets, or clears it when every target has it already. Only the
    /// messages whose flag really changes are sent, so undo restores exactly what was.
    pub(crate) fn toggle_flag(&mut self, flag: Flag) -> Vec<Cmd> {
        let Some((folder, uids)) = self.targets() else {
            return Vec::new();
        };
        let has = |app: &App, u: Uid| app.flags_of(u).is_some_and(|f| f.has(flag));
        let add = !uids.iter().all(|u| has(self, *u));
        let uids: Vec<Uid> = uids.into_iter().filter(|u| has(self, *u) != add).collect();
        let change = FlagChange {
            folder,
            uids,
            add,
            flags: flag.into(),
        };
        self.store(change, Origin::User)
    }

    pub(crate) fn store(&mut self, change: FlagChange, origin: Origin) -> Vec<Cmd> {
        if change.uids.is_empty() {
            return Vec::new();
        }
        let req = self.req(Pending::Store {
            change: change.clone(),
            origin,
        });
        vec![Cmd::Store { req, change }]
    }

    /// `Store +\Seen` for a message just opened, if the config wants it and it is unread.
    pub(crate) fn mark_seen_on_open(&mut self, folder: Folder, uid: Uid) -> Vec<Cmd> {
        let unread = self.flags_of(uid).is_some_and(|f| !f.has(Flag::Seen));
        let writable = self.mailbox().is_some_and(|m| !m.read_only);
        if self.policy.seen != SeenPolicy::Open || !unread || !writable {
            return Vec::new();
        }
        let change = FlagChange {
            folder,
            uids: vec![uid],
            add: true,
            flags: Flag::Seen.into(),
        };
        self.store(change, Origin::Open)
    }
}

impl Pending {
    /// Requests whose answers [`App::triage_answer`] handles.
    pub fn is_triage(&self) -> bool {
        !matches!(
            self,
            Pending::Structure { .. } | Pending::Part { .. } | Pending::Raw(_)
        )
    }
}
