//! The folder pane's view state: the visible tree (rebuilt from the model's folder list when it
//! or a toggle changes), collapsed parents, the cursor and scroll, the subscribed-only toggle,
//! and the folder asked for last.

use std::collections::HashSet;

use crate::msg::FolderInfo;
use crate::ui::folder_tree::{self, TreeRow};
use crate::ui::layout::scroll_to;
use crate::ui::message_list::step;

#[derive(Debug, Default)]
pub struct FolderPane {
    tree: Vec<TreeRow>,
    collapsed: HashSet<String>,
    cursor: usize,
    offset: usize,
    /// The pane lists only subscribed folders (and INBOX).
    subscribed_only: bool,
    /// The folder asked for with the last Select.
    wanted: String,
    /// A folder just renamed under the cursor: its new name, for the next folder list.
    follow: Option<String>,
}

impl FolderPane {
    pub(crate) fn new(wanted: String) -> FolderPane {
        FolderPane {
            wanted,
            ..FolderPane::default()
        }
    }

    /// The visible rows, top to bottom.
    pub fn tree(&self) -> &[TreeRow] {
        &self.tree
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn wanted(&self) -> &str {
        &self.wanted
    }

    pub(crate) fn want(&mut self, name: &str) {
        self.wanted = name.to_string();
    }

    pub fn cursor_row(&self) -> Option<&TreeRow> {
        self.tree.get(self.cursor)
    }

    /// The folder under the cursor, if the server listed it (not a filled-in parent).
    pub(crate) fn cursor_folder<'f>(&self, folders: &'f [FolderInfo]) -> Option<&'f FolderInfo> {
        let name = &self.cursor_row()?.name;
        folders.iter().find(|f| f.folder.name() == name)
    }

    /// Rebuilds the tree from `folders`, the cursor on `keep` if it is still shown.
    pub(crate) fn rebuild(&mut self, folders: &[FolderInfo], keep: Option<String>) {
        let only = self.subscribed_only;
        let shown = folders
            .iter()
            .filter(|f| !only || f.subscribed || f.folder.name().eq_ignore_ascii_case("INBOX"));
        self.tree = folder_tree::build(shown, &self.collapsed);
        let found = keep.and_then(|k| self.tree.iter().position(|r| r.name == k));
        self.cursor = found.unwrap_or(0).min(self.tree.len().saturating_sub(1));
    }

    /// A new folder list: the cursor stays on its folder, or goes to the one asked for.
    pub(crate) fn listed(&mut self, folders: &[FolderInfo]) {
        let keep = self
            .follow
            .take()
            .or_else(|| self.cursor_row().map(|r| r.name.clone()));
        let keep = keep.or_else(|| Some(self.wanted.clone()));
        self.rebuild(folders, keep);
    }

    /// Collapses or expands the parent under the cursor.
    pub(crate) fn toggle_collapse(&mut self, folders: &[FolderInfo]) {
        let Some(row) = self.cursor_row().filter(|r| r.has_children) else {
            return;
        };
        let name = row.name.clone();
        if !self.collapsed.remove(&name) {
            self.collapsed.insert(name.clone());
        }
        self.rebuild(folders, Some(name));
    }

    /// Flips the subscribed-only view; returns whether it is now on.
    pub(crate) fn toggle_subscribed_only(&mut self, folders: &[FolderInfo]) -> bool {
        self.subscribed_only = !self.subscribed_only;
        let keep = self.cursor_row().map(|r| r.name.clone());
        self.rebuild(folders, keep);
        self.subscribed_only
    }

    /// Puts the cursor on `name` if it is shown.
    /// `from` was renamed to `to`: if the cursor is on it, it stays with it when the new
    /// folder list comes.
    pub(crate) fn renamed(&mut self, from: &str, to: &str) {
        if self.cursor_row().is_some_and(|r| r.name == from) {
            self.follow = Some(to.to_string());
        }
    }

    pub(crate) fn point_at(&mut self, name: &str) {
        if let Some(i) = self.tree.iter().position(|r| r.name == name) {
            self.cursor = i;
        }
    }

    pub(crate) fn move_by(&mut self, delta: isize) {
        self.cursor = step(self.cursor, self.tree.len(), delta);
    }

    pub(crate) fn set_window(&mut self, offset: usize, cursor: usize) {
        (self.offset, self.cursor) = (offset, cursor);
    }

    /// Scrolls just far enough to show the cursor in a window `visible` rows high.
    pub(crate) fn scroll(&mut self, visible: usize) {
        self.offset = scroll_to(self.offset, self.cursor, visible, self.tree.len());
    }

    /// A new folder's name to start from: the path of the folder under the cursor and the
    /// server's delimiter, so a child is created by typing its name; on INBOX (or nothing),
    /// the personal namespace's prefix (`INBOX.` on servers that keep folders under INBOX).
    pub(crate) fn new_folder_prefix(&self, folders: &[FolderInfo], personal: &str) -> String {
        let row = self.cursor_row().map(|r| r.name.clone());
        let delimiter = row
            .as_ref()
            .and_then(|n| folders.iter().find(|f| f.folder.name() == n))
            .or_else(|| folders.first())
            .and_then(|f| f.folder.delimiter());
        match (row, delimiter) {
            (Some(parent), Some(d)) if !parent.eq_ignore_ascii_case("INBOX") => {
                format!("{parent}{d}")
            }
            _ => personal.to_string(),
        }
    }
}
