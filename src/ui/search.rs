//! `/`: a server-side search of the open folder. While one is active the list shows only its
//! hits (the model's `mailbox.search`); Esc ends it. A query that does not parse is never
//! sent: the line stays open with a caret under the bad token.

use crate::msg::{Cmd, Event, ReqId, Uid};
use crate::search;
use crate::ui::app::{App, Pending};
use crate::ui::prompt::{LineError, LineKind, Prompt};

/// The active search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub text: String,
    pub req: ReqId,
    /// The server has answered; until then the list is empty rather than stale.
    pub done: bool,
}

impl App {
    pub(crate) fn open_search(&mut self) {
        let text = self
            .search
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default();
        self.prompt = Some(Prompt::new(LineKind::Search, text));
    }

    /// Parses the line; sends the search, or puts the line back with the error under it.
    pub(crate) fn submit_search(&mut self, mut line: Prompt) -> Vec<Cmd> {
        let text = line.text.clone();
        if text.trim().is_empty() {
            self.clear_search();
            return Vec::new();
        }
        let query = match search::parse(&text) {
            Ok(q) => q,
            Err(e) => {
                line.error = Some(LineError {
                    column: e.column,
                    message: e.message,
                });
                self.prompt = Some(line);
                return Vec::new();
            }
        };
        let Some(folder) = self.mailbox().map(|m| m.folder.clone()) else {
            return Vec::new();
        };
        remember(&mut self.search_history, &text);
        let req = self.req(Pending::Search);
        let text = text.trim().to_string();
        self.keep_selection(&[], |app| {
            app.search = Some(Search {
                text,
                req,
                done: false,
            })
        });
        vec![Cmd::Search { req, folder, query }]
    }

    /// Asks the server again for the active search (e.g. an undone move brought messages
    /// back); the current hits stay listed until the answer comes.
    pub(crate) fn rerun_search(&mut self) -> Vec<Cmd> {
        let Some(text) = self.search.as_ref().map(|s| s.text.clone()) else {
            return Vec::new();
        };
        let (Ok(query), Some(folder)) = (
            search::parse(&text),
            self.mailbox().map(|m| m.folder.clone()),
        ) else {
            return Vec::new();
        };
        let req = self.req(Pending::Search);
        if let Some(s) = self.search.as_mut() {
            s.req = req;
        }
        vec![Cmd::Search { req, folder, query }]
    }

    /// The hits arrived: show them from the first, and fetch the summaries still missing.
    pub(crate) fn search_answered(&mut self, req: ReqId, ev: Event) -> Vec<Cmd> {
        self.pending.remove(&req);
        let current = self.search.as_ref().is_some_and(|s| s.req == req);
        self.model.apply(ev);
        if !current {
            return Vec::new();
        }
        if let Some(s) = self.search.as_mut() {
            s.done = true;
        }
        // The count is on the status line for as long as the search is active.
        let first = self.rows().first().copied();
        self.selected = 0;
        self.selected_uid = first;
        self.list_offset = 0;
        let Some(mb) = self.mailbox() else {
            return Vec::new();
        };
        let missing: Vec<Uid> = mb
            .search
            .iter()
            .flatten()
            .copied()
            .filter(|u| !mb.summaries.contains_key(u))
            .collect();
        if missing.is_empty() {
            return Vec::new();
        }
        let folder = mb.folder.clone();
        let req = self.req(Pending::Hits);
        vec![Cmd::FetchSummaries {
            req,
            folder,
            uids: missing,
        }]
    }

    pub(crate) fn clear_search(&mut self) {
        self.keep_selection(&[], |app| app.search = None);
    }

    /// Moves to the next (or previous) hit, wrapping, and shows it if a message is open.
    pub(crate) fn jump_hit(&mut self, forward: bool) -> Vec<Cmd> {
        if self.search.is_none() {
            self.say("No search; / starts one");
            return Vec::new();
        }
        let rows = self.rows();
        let len = rows.len();
        if len == 0 {
            return Vec::new();
        }
        let i = if forward {
            (self.selected + 1) % len
        } else {
            (self.selected + len - 1) % len
        };
        let uid = rows.get(i).copied();
        drop(rows);
        self.selected = i;
        self.selected_uid = uid;
        if self.reader.is_some() {
            let focus = self.focus;
            let cmds = self.open_message();
            self.focus = focus;
            return cmds;
        }
        Vec::new()
    }
}

/// Adds `line` to a history, newest last, without repeating the last entry.
pub(crate) fn remember(history: &mut Vec<String>, line: &str) {
    const HISTORY_LEN: usize = 100;
    if history.last().map(String::as_str) != Some(line) {
        history.push(line.to_string());
        if history.len() > HISTORY_LEN {
            history.remove(0);
        }
    }
}
