//! `F`: the instant local filter. Every keystroke narrows the list to the open folder's
//! summaries whose sender, recipient or subject contain the words typed (case and accents
//! ignored), with no server round trip. Enter keeps the filter, Esc clears it.
//!
//! The folded index is built when the filter opens and kept (also after Esc). When the folder's
//! rows change (a summary chunk of a sync, new mail, an expunge; told by the mailbox's
//! generation) it is updated: only new summaries are folded, so a filter open during a sync
//! follows every chunk.

use crate::model::Mailbox;
use crate::model::filter::Index;
use crate::msg::{Folder, Uid};

/// The active filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub text: String,
    /// Matching UIDs of the open folder, in list order.
    pub hits: Vec<Uid>,
    /// The message selected when the line opened: kept selected while it matches, and
    /// selected again when the filter is cleared.
    anchor: Option<Uid>,
}

/// The active filter and the index it matches against. Methods that move the selection
/// return the message to select; the app selects it among the rows.
#[derive(Debug, Default)]
pub struct FilterState {
    active: Option<Filter>,
    index: FilterIndex,
}

/// The folded summaries of the open folder, and the mailbox state they were last brought up
/// to.
#[derive(Debug, Default)]
struct FilterIndex {
    built: Option<Built>,
}

#[derive(Debug)]
struct Built {
    folder: Folder,
    uid_validity: u32,
    generation: u64,
    index: Index,
}

impl FilterIndex {
    /// The index for `mb`: updated first if the rows changed, built anew for another folder
    /// (or the same one under a new UIDVALIDITY, where the same UIDs mean other messages).
    fn get(&mut self, mb: &Mailbox) -> &mut Index {
        let built = match self.built.take() {
            Some(mut b) if b.folder == mb.folder && b.uid_validity == mb.uid_validity => {
                if b.generation != mb.generation {
                    b.index.update(mb);
                    b.generation = mb.generation;
                }
                b
            }
            _ => Built {
                folder: mb.folder.clone(),
                uid_validity: mb.uid_validity,
                generation: mb.generation,
                index: Index::build(mb),
            },
        };
        &mut self.built.insert(built).index
    }

    fn is_current(&self, mb: &Mailbox) -> bool {
        self.built.as_ref().is_some_and(|b| {
            b.generation == mb.generation
                && b.folder == mb.folder
                && b.uid_validity == mb.uid_validity
        })
    }
}

impl FilterState {
    pub fn active(&self) -> Option<&Filter> {
        self.active.as_ref()
    }

    /// Opens the line (again) with `selected` as the message to come back to; returns the
    /// text to start it with.
    pub(crate) fn open(&mut self, selected: Option<Uid>) -> String {
        match self.active.as_mut() {
            Some(f) => {
                f.anchor = selected;
                f.text.clone()
            }
            None => {
                self.active = Some(Filter {
                    text: String::new(),
                    hits: Vec::new(),
                    anchor: selected,
                });
                String::new()
            }
        }
    }

    /// The line changed: match `text` in `mb` at once. Returns the message to select (the
    /// anchor, else `selected`), or None when no filter is open.
    pub(crate) fn typed(
        &mut self,
        mb: &Mailbox,
        text: &str,
        selected: Option<Uid>,
    ) -> Option<Option<Uid>> {
        let f = self.active.as_mut()?;
        self.index.get(mb).matches_into(text, &mut f.hits);
        f.text = text.to_string();
        Some(f.anchor.or(selected))
    }

    /// Enter: keep the filter; from now on the selection is whatever the user moves to.
    pub(crate) fn keep(&mut self) {
        if let Some(f) = self.active.as_mut() {
            f.anchor = None;
        }
    }

    /// Esc: no filter. Returns the message to select (the one selected when the line opened,
    /// else `selected`), or None when there was no filter.
    pub(crate) fn clear(&mut self, selected: Option<Uid>) -> Option<Option<Uid>> {
        self.active.take().map(|f| f.anchor.or(selected))
    }

    /// Another folder was opened: the filter and its index go.
    pub(crate) fn reset(&mut self) {
        *self = FilterState::default();
    }

    /// Whether `mb`'s rows changed since the filter last matched.
    pub(crate) fn is_stale(&self, mb: Option<&Mailbox>) -> bool {
        match mb {
            Some(mb) => self.active.is_some() && !self.index.is_current(mb),
            None => false,
        }
    }

    /// Matches again if `mb`'s rows changed.
    pub(crate) fn match_again(&mut self, mb: Option<&Mailbox>) {
        if !self.is_stale(mb) {
            return;
        }
        let (Some(mb), Some(f)) = (mb, self.active.as_mut()) else {
            return;
        };
        self.index.get(mb).matches_into(&f.text, &mut f.hits);
    }
}
