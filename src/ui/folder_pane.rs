//! The folder pane's view state: the visible tree (rebuilt from the accounts' folder lists when
//! one or a toggle changes), collapsed parents and accounts, the cursor and scroll, the
//! subscribed-only toggle, and the folder asked for last. With more than one account each
//! account is a top-level row with its folders below it; with one, the folders alone.

use std::collections::HashSet;

use crate::msg::FolderInfo;
use crate::ui::accounts::{AccountId, Section};
use crate::ui::folder_tree::{self, TreeRow};
use crate::ui::layout::scroll_to;
use crate::ui::message_list::step;

#[derive(Debug, Default)]
pub struct FolderPane {
    tree: Vec<TreeRow>,
    collapsed: HashSet<(AccountId, String)>,
    collapsed_accounts: HashSet<AccountId>,
    cursor: usize,
    offset: usize,
    /// The pane lists only subscribed folders (and INBOX).
    subscribed_only: bool,
    /// The folder asked for with the last Select.
    wanted: String,
    /// A folder just renamed under the cursor: its new name, for the next folder list.
    follow: Option<String>,
}

/// Which row the cursor should stay on across a rebuild.
type RowKey = (AccountId, bool, String);

fn key(row: &TreeRow) -> RowKey {
    (row.account, row.is_account, row.name.clone())
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

    /// The folder under the cursor, if it is one of the `open` account's and the server listed
    /// it (not a filled-in parent).
    pub(crate) fn cursor_folder<'f>(
        &self,
        open: AccountId,
        folders: &'f [FolderInfo],
    ) -> Option<&'f FolderInfo> {
        let row = self
            .cursor_row()
            .filter(|r| r.account == open && !r.is_account)?;
        folders.iter().find(|f| f.folder.name() == row.name)
    }

    /// Rebuilds the tree from `sections`, the cursor on `keep` if it is still shown.
    fn rebuild(&mut self, sections: &[Section<'_>], keep: Option<RowKey>) {
        let only = self.subscribed_only;
        let headed = sections.len() > 1;
        self.tree.clear();
        if headed {
            self.tree.push(TreeRow {
                account: AccountId(0),
                is_account: false,
                all_inboxes: true,
                name: String::new(),
                label: "All inboxes".into(),
                depth: 0,
                has_children: false,
                collapsed: false,
                selectable: true,
                special: None,
            });
        }
        for s in sections {
            let collapsed: HashSet<String> = self
                .collapsed
                .iter()
                .filter(|(a, _)| *a == s.account)
                .map(|(_, name)| name.clone())
                .collect();
            let shown = s
                .folders()
                .iter()
                .filter(|f| !only || f.subscribed || f.folder.name().eq_ignore_ascii_case("INBOX"));
            let mut rows = folder_tree::build(s.account, shown, &collapsed);
            if !headed {
                self.tree = rows;
                break;
            }
            let folded = self.collapsed_accounts.contains(&s.account);
            self.tree.push(TreeRow {
                account: s.account,
                is_account: true,
                all_inboxes: false,
                name: s.name.to_string(),
                label: s.name.to_string(),
                depth: 0,
                has_children: true,
                collapsed: folded,
                selectable: false,
                special: None,
            });
            if !folded {
                rows.iter_mut().for_each(|r| r.depth += 1);
                self.tree.extend(rows);
            }
        }
        let found = keep.and_then(|k| self.tree.iter().position(|r| key(r) == k));
        self.cursor = found.unwrap_or(0).min(self.tree.len().saturating_sub(1));
    }

    /// A new folder list: the cursor stays on its row, or goes to the folder asked for in the
    /// `open` account.
    pub(crate) fn listed(&mut self, open: AccountId, sections: &[Section<'_>]) {
        let keep = self
            .follow
            .take()
            .map(|name| (open, false, name))
            .or_else(|| self.cursor_row().map(key))
            .unwrap_or_else(|| (open, false, self.wanted.clone()));
        self.rebuild(sections, Some(keep));
    }

    /// Collapses or expands the parent or account under the cursor.
    pub(crate) fn toggle_collapse(&mut self, sections: &[Section<'_>]) {
        let Some(row) = self.cursor_row().filter(|r| r.has_children) else {
            return;
        };
        let keep = key(row);
        let (account, is_account, name) = keep.clone();
        if is_account {
            if !self.collapsed_accounts.remove(&account) {
                self.collapsed_accounts.insert(account);
            }
        } else {
            let folder = (account, name);
            if !self.collapsed.remove(&folder) {
                self.collapsed.insert(folder);
            }
        }
        self.rebuild(sections, Some(keep));
    }

    /// Flips the subscribed-only view; returns whether it is now on.
    pub(crate) fn toggle_subscribed_only(&mut self, sections: &[Section<'_>]) -> bool {
        self.subscribed_only = !self.subscribed_only;
        let keep = self.cursor_row().map(key);
        self.rebuild(sections, keep);
        self.subscribed_only
    }

    /// `from` was renamed to `to`: if the cursor is on it, it stays with it when the new
    /// folder list comes.
    pub(crate) fn renamed(&mut self, from: &str, to: &str) {
        if self
            .cursor_row()
            .is_some_and(|r| !r.is_account && r.name == from)
        {
            self.follow = Some(to.to_string());
        }
    }

    /// Puts the cursor on `account`'s folder `name` if it is shown.
    pub(crate) fn point_at(&mut self, account: AccountId, name: &str) {
        let at = (account, false, name.to_string());
        if let Some(i) = self.tree.iter().position(|r| key(r) == at) {
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
    pub(crate) fn new_folder_prefix(
        &self,
        open: AccountId,
        folders: &[FolderInfo],
        personal: &str,
    ) -> String {
        let row = self
            .cursor_row()
            .filter(|r| r.account == open && !r.is_account)
            .map(|r| r.name.clone());
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
