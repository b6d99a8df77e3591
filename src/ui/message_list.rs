//! The message list's view state: the selection, the scroll offset and the tags. The
//! selection is a row index into the listed rows plus the UID on it; the UID is the truth,
//! the index a cache. Every change goes through a method given the current rows, so the two
//! always agree.

use std::collections::HashSet;

use crate::msg::Uid;
use crate::ui::layout::scroll_to;

#[derive(Debug, Default)]
pub struct MessageList {
    selected: usize,
    selected_uid: Option<Uid>,
    offset: usize,
    /// Tagged messages of the open folder, by UID.
    tagged: HashSet<Uid>,
    /// End was pressed before the folder's size was known (a cold open lists the first
    /// screen before its UIDs): the cursor goes to the last row once they are listed.
    to_end: bool,
}

impl MessageList {
    /// Row index of the selection among the listed rows.
    pub fn selected(&self) -> usize {
        self.selected
    }

    pub fn selected_uid(&self) -> Option<Uid> {
        self.selected_uid
    }

    /// First row shown.
    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn tagged(&self) -> &HashSet<Uid> {
        &self.tagged
    }

    /// Selects row `i` of `rows` (no message when there is no such row).
    pub(crate) fn select(&mut self, rows: &[Uid], i: usize) {
        self.to_end = false;
        self.selected = i;
        self.selected_uid = rows.get(i).copied();
    }

    /// Selects `want` if listed, else the first row.
    pub(crate) fn select_or_first(&mut self, rows: &[Uid], want: Option<Uid>) {
        let i = want
            .and_then(|u| rows.iter().position(|x| *x == u))
            .unwrap_or(0);
        self.select(rows, i);
    }

    /// Moves the cursor by `delta` rows, clamped to the list.
    pub(crate) fn move_by(&mut self, rows: &[Uid], delta: isize) {
        self.select(rows, step(self.selected, rows.len(), delta));
    }

    /// The next (or previous) row, wrapping.
    pub(crate) fn cycle(&mut self, rows: &[Uid], forward: bool) {
        let len = rows.len();
        if len == 0 {
            return;
        }
        let i = if forward {
            (self.selected + 1) % len
        } else {
            (self.selected + len - 1) % len
        };
        self.select(rows, i);
    }

    /// The list shows part of the folder only: the last row once all are listed.
    pub(crate) fn await_end(&mut self) {
        self.to_end = true;
    }

    /// The folder's UIDs are all listed: End pressed before is done once the cursor is on
    /// the last row.
    pub(crate) fn listed(&mut self) {
        self.to_end = false;
    }

    /// The rows above the cursor, taken before rows come or go, for [`MessageList::repair`].
    pub(crate) fn above(&self, rows: &[Uid]) -> Vec<Uid> {
        rows[..self.selected.min(rows.len())].to_vec()
    }

    /// Puts the cursor back on its message after rows came or went, or, if that message left
    /// the list, on the row that took its place (the last row when it was at the end).
    pub(crate) fn repair(&mut self, rows: &[Uid], above: &[Uid]) {
        if self.to_end {
            self.select(rows, rows.len().saturating_sub(1));
            // Rows may still come below until the folder is listed ([`MessageList::listed`]):
            // a big folder's first screen comes twice (again with its sizes) before End's.
            self.to_end = true;
            return;
        }
        if rows.get(self.selected).copied() == self.selected_uid && self.selected_uid.is_some() {
            return;
        }
        if let Some(i) = self
            .selected_uid
            .and_then(|u| rows.iter().position(|x| *x == u))
        {
            self.selected = i;
            return;
        }
        let listed: HashSet<Uid> = rows.iter().copied().collect();
        let i = above.iter().filter(|u| listed.contains(u)).count();
        self.select(rows, i.min(rows.len().saturating_sub(1)));
    }

    /// A folder was (re)opened: keep the selected message if it is the same folder (a
    /// reconnect), else start at the newest with no tags.
    pub(crate) fn reopened(&mut self, rows: &[Uid], same: bool) {
        let keep = self.selected_uid.filter(|_| same);
        let i = keep
            .and_then(|u| rows.iter().position(|x| *x == u))
            .unwrap_or(0);
        self.select(rows, i);
        if !same {
            self.tagged.clear();
            self.offset = 0;
        }
    }

    /// Search hits arrived: the first of them, at the top.
    pub(crate) fn restart(&mut self, rows: &[Uid]) {
        self.select(rows, 0);
        self.offset = 0;
    }

    /// A click or the wheel: the window starts at `offset`, the cursor on row `cursor`.
    pub(crate) fn set_window(&mut self, rows: &[Uid], offset: usize, cursor: usize) {
        self.offset = offset;
        self.select(rows, cursor);
    }

    /// Scrolls just far enough to show the cursor in a window `visible` rows high.
    pub(crate) fn scroll(&mut self, visible: usize, len: usize) {
        self.offset = scroll_to(self.offset, self.selected, visible, len);
    }

    /// Tags the selected message, or untags it; false when nothing is selected.
    pub(crate) fn toggle_tag(&mut self) -> bool {
        let Some(uid) = self.selected_uid else {
            return false;
        };
        if !self.tagged.remove(&uid) {
            self.tagged.insert(uid);
        }
        true
    }

    pub(crate) fn tag(&mut self, uids: impl IntoIterator<Item = Uid>) {
        self.tagged.extend(uids);
    }

    /// Untags everything; returns how many were tagged.
    pub(crate) fn untag_all(&mut self) -> usize {
        let n = self.tagged.len();
        self.tagged.clear();
        n
    }

    /// Untags `gone` (messages that left the folder, or a thread untagged).
    pub(crate) fn untag(&mut self, gone: &[Uid]) {
        for u in gone {
            self.tagged.remove(u);
        }
    }

    /// What an action applies to: every tagged message in folder order (`uids`), else the
    /// selected one.
    pub(crate) fn targets(&self, uids: &[Uid]) -> Vec<Uid> {
        if self.tagged.is_empty() {
            return self.selected_uid.into_iter().collect();
        }
        uids.iter()
            .copied()
            .filter(|u| self.tagged.contains(u))
            .collect()
    }
}

/// `at` moved by `delta` within `len` rows, clamped.
pub(crate) fn step(at: usize, len: usize, delta: isize) -> usize {
    let target = (at as isize).saturating_add(delta);
    target.clamp(0, len.saturating_sub(1) as isize) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selection_follows_its_message_or_the_row_that_took_its_place() {
        let mut list = MessageList::default();
        list.select(&[5, 4, 3, 2], 2);
        let above = list.above(&[5, 4, 3, 2]);
        list.repair(&[6, 5, 4, 3, 2], &above);
        assert_eq!((list.selected(), list.selected_uid()), (3, Some(3)));
        let above = list.above(&[6, 5, 4, 3, 2]);
        list.repair(&[6, 5, 4, 2], &above);
        assert_eq!((list.selected(), list.selected_uid()), (3, Some(2)));
        let above = list.above(&[6, 5, 4, 2]);
        list.repair(&[6, 5, 4], &above);
        assert_eq!(
            (list.selected(), list.selected_uid()),
            (2, Some(4)),
            "the last row"
        );
        list.repair(&[], &[]);
        assert_eq!(list.selected_uid(), None);
    }

    #[test]
    fn end_before_the_folder_is_listed_goes_to_the_last_row_once_it_is() {
        let mut list = MessageList::default();
        let first_screen = [100, 99, 98];
        list.move_by(&first_screen, isize::MAX / 2);
        list.await_end();
        // Rows that come before the list (End's own, or the first screen again) keep it at
        // the end.
        list.repair(&first_screen, &list.above(&first_screen));
        let oldest = [100, 99, 98, 2, 1];
        list.repair(&oldest, &list.above(&first_screen));
        assert_eq!((list.selected(), list.selected_uid()), (4, Some(1)));
        let all: Vec<Uid> = (1..=100).rev().collect();
        let above = list.above(&oldest);
        list.repair(&all, &above);
        list.listed();
        assert_eq!((list.selected(), list.selected_uid()), (99, Some(1)));
        // Only once: later rows do not pull the cursor down again.
        list.move_by(&all, -5);
        let above = list.above(&all);
        list.repair(&all, &above);
        assert_eq!(list.selected_uid(), Some(6));
    }
}
