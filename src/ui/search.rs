//! `/`: a server-side search of the open folder. While one is active the list shows only its
//! hits (the model's `mailbox.search`); Esc ends it. A query that does not parse is never
//! sent: the line stays open with a caret under the bad token.

use crate::msg::ReqId;
use crate::search::{self, Query};
use crate::ui::prompt::{LineError, Prompt};

/// The active search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub text: String,
    pub req: ReqId,
    /// The server has answered; until then the list is empty rather than stale.
    pub done: bool,
}

#[derive(Debug, Default)]
pub struct SearchState {
    active: Option<Search>,
}

impl SearchState {
    pub fn active(&self) -> Option<&Search> {
        self.active.as_ref()
    }

    /// The text to start the `/` line with: the active search's.
    pub(crate) fn text(&self) -> String {
        self.active
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default()
    }

    pub(crate) fn start(&mut self, text: String, req: ReqId) {
        self.active = Some(Search {
            text,
            req,
            done: false,
        });
    }

    pub(crate) fn end(&mut self) {
        self.active = None;
    }

    /// The active search's query again, for asking anew; its answer will come as `req`.
    pub(crate) fn again(&self) -> Option<Query> {
        search::parse(&self.active.as_ref()?.text).ok()
    }

    pub(crate) fn asked_again(&mut self, req: ReqId) {
        if let Some(s) = self.active.as_mut() {
            s.req = req;
        }
    }

    /// The answer to `req` arrived; true if it is the active search's (now done).
    pub(crate) fn answered(&mut self, req: ReqId) -> bool {
        match self.active.as_mut() {
            Some(s) if s.req == req => {
                s.done = true;
                true
            }
            _ => false,
        }
    }
}

/// The query typed on `line`, or the line back with a caret under the error.
pub(crate) fn parse_line(mut line: Prompt) -> Result<Query, Prompt> {
    search::parse(&line.text).map_err(|e| {
        line.error = Some(LineError {
            column: e.column,
            message: e.message,
        });
        line
    })
}
