//! `F`: the instant local filter. Every keystroke narrows the list to the open folder's
//! summaries whose sender, recipient or subject contain the words typed (case and accents
//! ignored), with no server round trip. Enter keeps the filter, Esc clears it.
//!
//! The folded index costs a pass over every summary, so it is built when the filter opens and
//! kept (also after Esc) until the folder's rows change. While a folder is still syncing it is
//! not rebuilt for every chunk; it catches up when the sync is done.

use crate::model::Mailbox;
use crate::model::filter::Index;
use crate::msg::{Event, Uid};
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

/// What the index was built from; a cheap stand-in for "the rows changed".
#[derive(Debug, Clone, PartialEq, Eq)]
struct Version {
    folder: String,
    uid_validity: u32,
    uids: usize,
    summaries: usize,
    newest: Option<Uid>,
}

impl Version {
    fn of(mb: &Mailbox) -> Version {
        Version {
            folder: mb.name.clone(),
            uid_validity: mb.uid_validity,
            uids: mb.uids.len(),
            summaries: mb.summaries.len(),
            newest: mb.uids.first().copied(),
        }
    }
}

/// The folded summaries of the open folder, and what they were built from.
#[derive(Debug, Default)]
pub struct FilterIndex {
    built: Option<(Version, Index)>,
}

impl FilterIndex {
    /// The index for `mb`, rebuilt first if it is stale.
    fn get(&mut self, mb: &Mailbox) -> &Index {
        if !self.is_current(mb) {
            self.built = None;
        }
        let (_, index) = self
            .built
            .get_or_insert_with(|| (Version::of(mb), Index::build(mb)));
        index
    }

    /// Built for `mb`'s rows; while `mb` syncs, built for it at all.
    fn is_current(&self, mb: &Mailbox) -> bool {
        self.built.as_ref().is_some_and(|(v, _)| {
            *v == Version::of(mb)
                || (!mb.synced && v.folder == mb.name && v.uid_validity == mb.uid_validity)
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
