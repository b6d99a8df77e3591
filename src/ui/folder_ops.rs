//! Folder management from the folder tree: create, rename, delete, (un)subscribe, and the
//! subscribed-only view. After the server agrees the folder list is fetched again.

use crate::msg::{Cmd, Folder, FolderInfo, FolderOp};
use crate::ui::app::{App, Pending};
use crate::ui::prompt::{LineKind, Prompt};
use crate::ui::triage::{Confirm, Deferred, count};

impl App {
    /// The folder under the folder cursor, if the server listed it (not a filled-in parent).
    fn cursor_folder(&mut self) -> Option<FolderInfo> {
        let name = self.tree.get(self.folder_cursor).map(|r| r.name.clone());
        let info = name
            .as_ref()
            .and_then(|n| self.model.folders.iter().find(|f| f.folder.name() == n))
            .cloned();
        if info.is_none() {
            self.complain("Put the folder cursor on a folder first");
        }
        info
    }

    /// Opens the line for a new folder's name, already holding the path of the folder under
    /// the cursor and the server's delimiter, so a child is created by typing its name.
    pub(crate) fn ask_create_folder(&mut self) {
        let row = self.tree.get(self.folder_cursor).map(|r| r.name.clone());
        let delimiter = row
            .as_ref()
            .and_then(|n| self.model.folders.iter().find(|f| f.folder.name() == n))
            .or_else(|| self.model.folders.first())
            .and_then(|f| f.folder.delimiter());
        let text = match (row, delimiter) {
            (Some(parent), Some(d)) if !parent.eq_ignore_ascii_case("INBOX") => {
                format!("{parent}{d}")
            }
            _ => String::new(),
        };
        self.prompt = Some(Prompt::new(LineKind::CreateFolder, text));
    }

    pub(crate) fn ask_rename_folder(&mut self) {
        if let Some(f) = self.cursor_folder() {
            let text = f.folder.name().to_string();
            let kind = LineKind::RenameFolder { from: f.folder };
            self.prompt = Some(Prompt::new(kind, text));
        }
    }

    pub(crate) fn ask_delete_folder(&mut self) {
        let Some(f) = self.cursor_folder() else {
            return;
        };
        let holds = match f.status {
            Some(s) => format!(" and the {} it holds", count(s.messages as usize)),
            None => String::new(),
        };
        self.confirm = Some(Confirm {
            question: format!("Delete folder {}{holds}? y/N", f.folder),
            then: Deferred::DeleteFolder(f.folder),
        });
    }

    pub(crate) fn toggle_subscribed(&mut self) -> Vec<Cmd> {
        match self.cursor_folder() {
            Some(f) if f.subscribed => self.manage(FolderOp::Unsubscribe(f.folder)),
            Some(f) => self.manage(FolderOp::Subscribe(f.folder)),
            None => Vec::new(),
        }
    }

    pub(crate) fn toggle_subscribed_only(&mut self) {
        self.subscribed_only = !self.subscribed_only;
        let keep = self.tree.get(self.folder_cursor).map(|r| r.name.clone());
        self.rebuild_tree(keep);
        self.say(if self.subscribed_only {
            "Showing subscribed folders only"
        } else {
            "Showing all folders"
        });
    }

    /// A submitted folder name line.
    pub(crate) fn submit_folder_name(&mut self, kind: LineKind, name: String) -> Vec<Cmd> {
        match kind {
            LineKind::CreateFolder => self.manage(FolderOp::Create(Folder::named(&name))),
            LineKind::RenameFolder { from } if from.name() != name => {
                let to = Folder::named(&name);
                self.manage(FolderOp::Rename { from, to })
            }
            _ => Vec::new(),
        }
    }

    pub(crate) fn manage(&mut self, op: FolderOp) -> Vec<Cmd> {
        let req = self.req(Pending::Manage(op.clone()));
        vec![Cmd::Manage { req, op }]
    }
}
