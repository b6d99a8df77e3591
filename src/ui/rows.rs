//! Which messages the list shows, and keeping the cursor on its message while rows come and
//! go: the open folder's messages (or only the search hits), minus those being moved away.

use std::borrow::Cow;
use std::collections::HashSet;

use crate::msg::{Cmd, Folder, Uid};
use crate::ui::app::{App, Pane, Pending};

impl App {
    /// The listed UIDs, newest first. Borrowed in the common case (no move in flight), so
    /// a frame of a 100 000-message folder does not copy it.
    pub fn rows(&self) -> Cow<'_, [Uid]> {
        let Some(mb) = self.mailbox() else {
            return Cow::Borrowed(&[]);
        };
        let base = self.base_rows();
        let shown: Cow<'_, [Uid]> = match &self.filter {
            None => Cow::Borrowed(base),
            // The filter's hits are already in list order.
            Some(f) if self.search.is_none() => Cow::Borrowed(&f.hits),
            Some(f) => Cow::Owned(intersect(base, &f.hits)),
        };
        let hidden = self.hidden(&mb.folder);
        if hidden.is_empty() {
            shown
        } else {
            Cow::Owned(
                shown
                    .iter()
                    .copied()
                    .filter(|u| !hidden.contains(u))
                    .collect(),
            )
        }
    }

    /// The open folder's messages, or only the search hits: what the local filter narrows.
    pub(crate) fn base_rows(&self) -> &[Uid] {
        let Some(mb) = self.mailbox() else {
            return &[];
        };
        match &self.search {
            None => &mb.uids,
            Some(s) if s.done => mb.search.as_deref().unwrap_or(&[]),
            // The hits of an earlier search must not pass for this one's.
            Some(_) => &[],
        }
    }

    /// Messages of `folder` with a move in flight: shown as gone at once, back on failure.
    fn hidden(&self, folder: &Folder) -> HashSet<Uid> {
        self.pending
            .values()
            .filter_map(|p| match p {
                Pending::Transfer {
                    folder: f,
                    uids,
                    remove: true,
                    ..
                } if f == folder => Some(uids),
                _ => None,
            })
            .flatten()
            .copied()
            .collect()
    }

    /// Runs `change` (which may add or remove rows), then puts the cursor back on its message,
    /// or, if that message left the list, on the row that took its place (the last row when
    /// it was at the end). A reader showing one of `gone` follows the cursor while it has
    /// focus, and closes otherwise.
    pub(crate) fn keep_selection(
        &mut self,
        gone: &[Uid],
        change: impl FnOnce(&mut App),
    ) -> Vec<Cmd> {
        let above: Vec<Uid> = {
            let rows = self.rows();
            rows[..self.selected.min(rows.len())].to_vec()
        };
        change(self);
        let rows = self.rows();
        let (selected, uid) = if rows.get(self.selected).copied() == self.selected_uid
            && self.selected_uid.is_some()
        {
            (self.selected, self.selected_uid)
        } else if let Some(i) = self
            .selected_uid
            .and_then(|u| rows.iter().position(|x| *x == u))
        {
            (i, self.selected_uid)
        } else {
            let listed: HashSet<Uid> = rows.iter().copied().collect();
            let i = above.iter().filter(|u| listed.contains(u)).count();
            let i = i.min(rows.len().saturating_sub(1));
            (i, rows.get(i).copied())
        };
        drop(rows);
        self.selected = selected;
        self.selected_uid = uid;
        let reader_gone = self.reader.as_ref().is_some_and(|r| gone.contains(&r.uid));
        if !reader_gone {
            return Vec::new();
        }
        if matches!(self.focus, Pane::Reader | Pane::Parts) && self.selected_uid.is_some() {
            return self.open_message();
        }
        self.reader = None;
        self.show_parts = false;
        if matches!(self.focus, Pane::Reader | Pane::Parts) {
            self.focus = Pane::List;
        }
        Vec::new()
    }

    /// Forgets tags of messages that left the folder.
    pub(crate) fn untag(&mut self, gone: &[Uid]) {
        for u in gone {
            self.tagged.remove(u);
        }
    }
}

/// UIDs in both lists, which are in the same (list) order: the shorter one is hashed.
fn intersect(a: &[Uid], b: &[Uid]) -> Vec<Uid> {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let set: HashSet<Uid> = short.iter().copied().collect();
    long.iter().copied().filter(|u| set.contains(u)).collect()
}
