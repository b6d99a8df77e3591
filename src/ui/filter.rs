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
use crate::msg::{Event, Folder, Uid};
use crate::ui::app::App;
use crate::ui::prompt::{LineKind, Prompt};

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

/// The folded summaries of the open folder, and the mailbox state they were last brought up
/// to.
#[derive(Debug, Default)]
pub struct FilterIndex {
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
    fn get(&mut self, mb: &Mailbox) -> &Index {
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
        &self.built.insert(built).index
    }

    fn is_current(&self, mb: &Mailbox) -> bool {
        self.built.as_ref().is_some_and(|b| {
            b.generation == mb.generation
                && b.folder == mb.folder
                && b.uid_validity == mb.uid_validity
        })
    }
}

impl App {
    pub(crate) fn open_filter(&mut self) {
        if self.mailbox().is_none() {
            return;
        }
        let anchor = self.selected_uid;
        let text = match self.filter.as_mut() {
            Some(f) => {
                f.anchor = anchor;
                f.text.clone()
            }
            None => {
                self.filter = Some(Filter {
                    text: String::new(),
                    hits: Vec::new(),
                    anchor,
                });
                String::new()
            }
        };
        self.filter_typed(&text);
        self.prompt = Some(Prompt::new(LineKind::Filter, text));
    }

    /// The line changed: narrow the list at once.
    pub(crate) fn filter_typed(&mut self, text: &str) {
        let Some(mb) = self.model.mailbox.as_ref() else {
            return;
        };
        let hits = self.filter_index.get(mb).matches(text);
        let Some(f) = self.filter.as_mut() else {
            return;
        };
        f.text = text.to_string();
        f.hits = hits;
        let want = f.anchor.or(self.selected_uid);
        self.select_or_first(want);
    }

    /// Enter: keep the filter (an empty one is no filter) and go back to the list.
    pub(crate) fn submit_filter(&mut self, text: &str) {
        if text.is_empty() {
            self.clear_filter();
        } else if let Some(f) = self.filter.as_mut() {
            // From now on the selection is whatever the user moves to.
            f.anchor = None;
        }
    }

    /// Esc: the whole list again; the cursor goes back to the message it was on when the
    /// line opened, or (after Enter) stays where it is.
    pub(crate) fn clear_filter(&mut self) {
        if let Some(f) = self.filter.take() {
            self.select_or_first(f.anchor.or(self.selected_uid));
        }
    }

    /// Applies an event that may add or remove rows. The filter's matches follow at once,
    /// so a selection repaired around the change never lands on a message that left.
    pub(crate) fn apply_rows(&mut self, ev: Event) {
        self.model.apply(ev);
        self.match_again();
    }

    /// Rows came or went: match again, keeping the cursor on its message.
    pub(crate) fn refresh_filter(&mut self) {
        if self.filter_is_stale() {
            self.keep_selection(&[], App::match_again);
        }
    }

    fn filter_is_stale(&self) -> bool {
        match self.model.mailbox.as_ref() {
            Some(mb) => self.filter.is_some() && !self.filter_index.is_current(mb),
            None => false,
        }
    }

    fn match_again(&mut self) {
        if !self.filter_is_stale() {
            return;
        }
        let (Some(mb), Some(f)) = (self.model.mailbox.as_ref(), self.filter.as_mut()) else {
            return;
        };
        f.hits = self.filter_index.get(mb).matches(&f.text);
    }

    /// Messages listed before the filter: "M" of "filter: N of M".
    pub fn unfiltered_len(&self) -> usize {
        self.base_rows().len()
    }

    fn select_or_first(&mut self, want: Option<Uid>) {
        let rows = self.rows();
        let i = want
            .and_then(|u| rows.iter().position(|x| *x == u))
            .unwrap_or(0);
        let uid = rows.get(i).copied();
        drop(rows);
        self.selected = i;
        self.selected_uid = uid;
    }
}
