//! Moving messages between folders (move, copy, archive, delete to Trash), expunging, and
//! undoing: everything that sends `Cmd::Copy` or `Cmd::Expunge`.

use crate::config::DeletePolicy;
use crate::msg::{Cmd, Flag, FlagChange, Folder, FolderInfo, FolderOp, SpecialUse, Uid};
use crate::ui::app::{App, Pending};
use crate::ui::picker::Picker;
use crate::ui::triage::{Confirm, Deferred, Origin, Undo, count, describe};

impl App {
    /// Opens the folder picker for a move (`remove`) or a copy of the targets.
    pub(crate) fn pick_destination(&mut self, remove: bool) {
        let Some((folder, uids)) = self.targets() else {
            return;
        };
        self.picker = Some(Picker::new(&self.model.folders, folder, uids, remove));
    }

    /// The folder with `role`, from the config when it names one, else from SPECIAL-USE.
    /// A configured name is looked up in the folder list for the server's own spelling.
    fn special_folder(&self, configured: Option<&String>, role: SpecialUse) -> Option<Folder> {
        let listed = |want: &dyn Fn(&FolderInfo) -> bool| {
            self.model
                .folders
                .iter()
                .find(|f| want(f))
                .map(|f| f.folder.clone())
        };
        match configured {
            Some(name) => {
                Some(listed(&|f| f.folder.name() == name).unwrap_or_else(|| Folder::named(name)))
            }
            None => listed(&|f| f.special == Some(role)),
        }
    }

    pub(crate) fn archive(&mut self) -> Vec<Cmd> {
        let Some(archive) =
            self.special_folder(self.policy.archive_folder.as_ref(), SpecialUse::Archive)
        else {
            self.complain(
                "This account has no Archive folder; set archive_folder for it in the config",
            );
            return Vec::new();
        };
        let Some((folder, uids)) = self.targets() else {
            return Vec::new();
        };
        self.transfer(folder, uids, archive, true, Origin::User)
    }

    /// To Trash; in Trash itself, or with `delete = "flag"`, mark \Deleted instead.
    pub(crate) fn delete(&mut self) -> Vec<Cmd> {
        let trash = self.special_folder(self.policy.trash_folder.as_ref(), SpecialUse::Trash);
        let Some((folder, uids)) = self.targets() else {
            return Vec::new();
        };
        let in_trash = trash.as_ref() == Some(&folder);
        if self.policy.delete == DeletePolicy::Flag || in_trash {
            let uids: Vec<Uid> = uids
                .into_iter()
                .filter(|u| self.flags_of(*u).is_some_and(|f| !f.has(Flag::Deleted)))
                .collect();
            if uids.is_empty() {
                self.say("Already marked deleted; $ expunges");
                return Vec::new();
            }
            let change = FlagChange {
                folder,
                uids,
                add: true,
                flags: Flag::Deleted.into(),
            };
            return self.store(change, Origin::User);
        }
        match trash {
            Some(trash) => self.transfer(folder, uids, trash, true, Origin::User),
            None => {
                self.complain(
                    "This account has no Trash folder; set trash_folder for it, or delete = \"flag\"",
                );
                Vec::new()
            }
        }
    }

    /// Sends a copy or move; a move's messages leave the list at once (see [`App::rows`]).
    pub(crate) fn transfer(
        &mut self,
        folder: Folder,
        uids: Vec<Uid>,
        dest: Folder,
        remove: bool,
        origin: Origin,
    ) -> Vec<Cmd> {
        if dest == folder {
            self.complain(format!("The messages are already in {dest}"));
            return Vec::new();
        }
        let cmd_uids = uids.clone();
        let (cmd_folder, cmd_dest) = (folder.clone(), dest.clone());
        let mut req = 0;
        let gone = if remove && self.is_open(&folder) {
            uids.clone()
        } else {
            Vec::new()
        };
        let mut cmds = self.keep_selection(&gone, |app| {
            req = app.req(Pending::Transfer {
                folder,
                uids,
                dest,
                remove,
                origin,
            });
        });
        cmds.insert(
            0,
            Cmd::Copy {
                req,
                folder: cmd_folder,
                uids: cmd_uids,
                dest: cmd_dest,
                remove,
            },
        );
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
            self.say("None of these messages is marked deleted");
            return;
        }
        self.confirm = Some(Confirm {
            question: format!("Expunge {} marked deleted? y/N", count(uids.len())),
            then: Deferred::Expunge { folder, uids },
        });
    }

    /// The user answered yes.
    pub(crate) fn run_deferred(&mut self, then: Deferred) -> Vec<Cmd> {
        match then {
            Deferred::Expunge { folder, uids } => {
                let req = self.req(Pending::Expunge {
                    folder: folder.clone(),
                    uids: uids.clone(),
                });
                vec![Cmd::Expunge {
                    req,
                    folder,
                    uids,
                    all_deleted: false,
                }]
            }
            Deferred::DeleteFolder(name) => self.manage(FolderOp::Delete(name)),
        }
    }

    pub(crate) fn undo(&mut self) -> Vec<Cmd> {
        match self.undo.pop() {
            None => {
                self.say("Nothing to undo");
                Vec::new()
            }
            Some(Undo::Flags(change)) => {
                let inverse = change.inverse();
                self.say(format!("Undo: {}", describe(&inverse)));
                self.store(inverse, Origin::Undo)
            }
            Some(Undo::Move { from, to, uids }) => {
                self.say(format!("Undo: moving {} back to {from}", count(uids.len())));
                self.transfer(to, uids, from, true, Origin::Undo)
            }
            Some(Undo::Never(what)) => {
                self.complain(format!("{what} cannot be undone"));
                Vec::new()
            }
        }
    }
}
