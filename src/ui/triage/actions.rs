//! Triage keys into requests: tags, flag changes, move/copy (through the picker), archive,
//! delete, expunge (after a question) and undo. [`Triage`](super::Triage) decides what an
//! action means; the answers are settled in `ui::events`.

use crossterm::event::KeyEvent;

use crate::msg::{Cmd, Flag, FlagChange, Folder, FolderOp, Uid};
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::layout::Pane;
use crate::ui::picker::{Pick, Picker};
use crate::ui::triage::{
    Across, Confirm, Deferred, DeletePlan, Origin, Transfer, Undo, count, describe, toggle,
};

impl App {
    /// The open folder and the messages an action applies to: every tagged one (in list
    /// order), else the one under the cursor (a folded thread: all its messages). None, with a notice, when there are none or
    /// the folder cannot be changed.
    pub(crate) fn targets(&mut self) -> Option<(Folder, Vec<Uid>)> {
        if self.focus == Pane::Folders {
            self.status
                .complain("Message actions work in the message list; Tab or l goes there");
            return None;
        }
        let mb = self.model.mailbox.as_ref()?;
        if mb.read_only {
            let name = mb.folder.clone();
            self.status.complain(format!(
                "{name} is open read-only; its messages cannot be changed"
            ));
            return None;
        }
        let mut uids = self.list.targets(&mb.uids);
        // A folded thread stands for all its messages.
        if self.list.tagged().is_empty()
            && let Some(&uid) = uids.first()
        {
            uids = self.folds.expand(self.threaded(), uid);
        }
        let folder = mb.folder.clone();
        if uids.is_empty() {
            self.status.say("No message selected");
            return None;
        }
        Some((folder, uids))
    }

    pub(crate) fn toggle_tag(&mut self) {
        // Tagging a run of messages is tag, next, tag, next…
        if self.list.toggle_tag() && self.focus == Pane::List {
            self.act(Action::Down, None);
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
        self.list.tag(hits);
        self.status
            .say(format!("Tagged {} matching \"{text}\"", count(n)));
    }

    pub(crate) fn untag_all(&mut self) {
        let n = self.list.untag_all();
        self.status.say(format!("Untagged {}", count(n)));
    }

    /// Sets `flag` on the targets, or clears it when every target has it already.
    pub(crate) fn toggle_flag(&mut self, flag: Flag) -> Vec<Cmd> {
        let Some((folder, uids)) = self.targets() else {
            return Vec::new();
        };
        let change = toggle(folder, uids, flag, |u| self.flags_of(u));
        self.requests.store(change, Origin::User)
    }

    /// `Store +\Seen` for a message just opened, if the config wants it and it is unread.
    pub(crate) fn mark_seen_on_open(&mut self, folder: Folder, uid: Uid) -> Vec<Cmd> {
        let unread = self.flags_of(uid).is_some_and(|f| !f.has(Flag::Seen));
        let writable = self.mailbox().is_some_and(|m| !m.read_only);
        if !self.triage.seen_on_open() || !unread || !writable {
            return Vec::new();
        }
        let change = FlagChange {
            folder,
            uids: vec![uid],
            add: true,
            flags: Flag::Seen.into(),
        };
        self.requests.store(change, Origin::Open)
    }

    /// Opens the folder picker for a move (`remove`) or a copy of the targets.
    pub(crate) fn pick_destination(&mut self, remove: bool) {
        let Some((folder, uids)) = self.targets() else {
            return;
        };
        let sections = self.accounts.sections(&self.model);
        let picker = Picker::new(self.accounts.open(), &sections, folder, uids, remove);
        self.overlays.set_picker(picker);
    }

    /// A key while the picker is open.
    pub(crate) fn picker_key(&mut self, key: &KeyEvent) -> Vec<Cmd> {
        let Some(mut p) = self.overlays.take_picker() else {
            return Vec::new();
        };
        let pick = p.key(key);
        // Rows of All inboxes go each to its account's worker.
        if !matches!(pick, Pick::Editing)
            && let Some(groups) = self.inboxes.take_picking()
        {
            if let Pick::Chosen(dest) = pick {
                self.transfer_groups(groups, dest, p.remove);
            } else if let Pick::NoMatch = pick {
                self.status
                    .complain(format!("No folder matches \"{}\"", p.query));
            }
            return Vec::new();
        }
        match pick {
            Pick::Editing => self.overlays.set_picker(p),
            Pick::Cancel => {}
            Pick::NoMatch => self
                .status
                .complain(format!("No folder matches \"{}\"", p.query)),
            Pick::Chosen(dest) if dest.account != self.accounts.open() => {
                return self.transfer_across(
                    Across {
                        from: (self.accounts.open(), p.folder),
                        to: (dest.account, dest.folder),
                        remove: p.remove,
                        origin: Origin::User,
                        batch: crate::ui::triage::next_stamp(),
                    },
                    p.uids,
                );
            }
            Pick::Chosen(dest) => {
                return self.transfer(Transfer {
                    folder: p.folder,
                    uids: p.uids,
                    dest: dest.folder,
                    remove: p.remove,
                    origin: Origin::User,
                });
            }
        }
        Vec::new()
    }

    pub(crate) fn archive(&mut self) -> Vec<Cmd> {
        if let Err(notice) = self.triage.archive_folder(&self.model.folders) {
            self.status.show(notice);
            return Vec::new();
        }
        let Some((folder, uids)) = self.targets() else {
            return Vec::new();
        };
        self.archive_these(folder, uids)
    }

    /// Moves `uids` of `folder` to the account's archive.
    pub(crate) fn archive_these(&mut self, folder: Folder, uids: Vec<Uid>) -> Vec<Cmd> {
        let archive = match self.triage.archive_folder(&self.model.folders) {
            Ok(f) => f,
            Err(notice) => {
                self.status.show(notice);
                return Vec::new();
            }
        };
        self.transfer(Transfer {
            folder,
            uids,
            dest: archive,
            remove: true,
            origin: Origin::User,
        })
    }

    pub(crate) fn delete(&mut self) -> Vec<Cmd> {
        let Some((folder, uids)) = self.targets() else {
            return Vec::new();
        };
        self.delete_these(folder, uids)
    }

    /// Deletes `uids` of `folder` as the account's policy says.
    pub(crate) fn delete_these(&mut self, folder: Folder, uids: Vec<Uid>) -> Vec<Cmd> {
        let folders = &self.model.folders;
        let plan = self
            .triage
            .delete(folders, folder.clone(), uids.clone(), |u| self.flags_of(u));
        match plan {
            Ok(DeletePlan::Flag(change)) => self.requests.store(change, Origin::User),
            Ok(DeletePlan::MoveTo(dest)) => self.transfer(Transfer {
                folder,
                uids,
                dest,
                remove: true,
                origin: Origin::User,
            }),
            Err(notice) => {
                self.status.show(notice);
                Vec::new()
            }
        }
    }

    /// Sends a copy or move; a move's messages leave the list at once (see [`App::rows`]).
    pub(crate) fn transfer(&mut self, t: Transfer) -> Vec<Cmd> {
        if t.dest == t.folder {
            self.status
                .complain(format!("The messages are already in {}", t.dest));
            return Vec::new();
        }
        let gone = if t.remove && self.is_open(&t.folder) {
            t.uids.clone()
        } else {
            Vec::new()
        };
        let mut copy = None;
        let mut cmds = self.keep_selection(&gone, |app| {
            copy = Some(app.requests.transfer(t));
        });
        cmds.splice(0..0, copy);
        cmds
    }

    /// Asks before expunging the targets that are marked \Deleted.
    pub(crate) fn ask_expunge(&mut self) {
        let Some((folder, uids)) = self.targets() else {
            return;
        };
        let uids: Vec<Uid> = uids
            .into_iter()
            .filter(|u| self.flags_of(*u).is_some_and(|f| f.has(Flag::Deleted)))
            .collect();
        if uids.is_empty() {
            self.status.say("None of these messages is marked deleted");
            return;
        }
        self.overlays.ask(Confirm {
            question: format!("Expunge {} marked deleted? y/N", count(uids.len())),
            then: Deferred::Expunge { folder, uids },
        });
    }

    /// The user answered yes.
    pub(crate) fn run_deferred(&mut self, then: Deferred) -> Vec<Cmd> {
        vec![match then {
            Deferred::Expunge { folder, uids } => self.requests.expunge(folder, uids),
            Deferred::DeleteFolder(name) => self.requests.manage(FolderOp::Delete(name)),
            Deferred::Quit => {
                self.quit = true;
                return Vec::new();
            }
        }]
    }

    pub(crate) fn undo(&mut self) -> Vec<Cmd> {
        match self.triage.pop() {
            None => {
                self.status.say("Nothing to undo");
                Vec::new()
            }
            Some(Undo::Flags(change)) => {
                let inverse = change.inverse();
                self.status.say(format!("Undo: {}", describe(&inverse)));
                self.requests.store(inverse, Origin::Undo)
            }
            Some(Undo::Move { from, to, uids }) => {
                self.status
                    .say(format!("Undo: moving {} back to {from}", count(uids.len())));
                self.transfer(Transfer {
                    folder: to,
                    uids,
                    dest: from,
                    remove: true,
                    origin: Origin::Undo,
                })
            }
            Some(Undo::Across {
                at, back_to, moved, ..
            }) => self.undo_across(at, back_to, moved),
            Some(Undo::Copies { at, uids, .. }) => self.undo_copies(at, uids),
            Some(Undo::Never(what)) => {
                self.status.complain(format!("{what} cannot be undone"));
                Vec::new()
            }
        }
    }
}
