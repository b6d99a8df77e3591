//! Worker events into the app: the model takes what the server said, the view state follows
//! (selection, reader, tree), and answers to triage requests go to [`App::triage_answer`].

use crate::msg::{Cmd, ConnState, Event, Folder, Uid};
use crate::ui::app::{App, Pane, Pending, Purpose};

impl App {
    /// Applies a worker event and returns the follow-up commands it calls for.
    pub fn on_event(&mut self, ev: Event) -> Vec<Cmd> {
        let cmds = self.apply_event(ev);
        // Rows may have come or gone under an active filter.
        self.refresh_filter();
        cmds
    }

    fn apply_event(&mut self, ev: Event) -> Vec<Cmd> {
        if let Event::Queued { .. } = ev {
            self.say("offline: change queued");
        }
        if let Some(req) = ev.req()
            && self.pending.get(&req).is_some_and(Pending::is_triage)
        {
            return self.triage_answer(req, ev);
        }
        match ev {
            Event::Folders(list) => {
                self.model.apply(Event::Folders(list));
                let current = self.tree.get(self.folder_cursor).map(|r| r.name.clone());
                self.rebuild_tree(current.or_else(|| Some(self.wanted_folder.clone())));
                Vec::new()
            }
            Event::Selected { .. } => {
                let before = self.mailbox().map(|m| m.folder.clone());
                self.model.apply(ev);
                self.after_select(before);
                Vec::new()
            }
            Event::Conn(ConnState::Offline { ref reason, .. }) => {
                self.complain(format!("Offline: {reason}"));
                self.model.apply(ev);
                Vec::new()
            }
            Event::Structure { req, uid, .. } => {
                self.pending.remove(&req);
                self.model.apply(ev);
                self.touched(uid);
                if self.reader.as_ref().is_some_and(|r| r.uid == uid) {
                    self.parts_cursor = self.first_attachment();
                    return self.fetch_shown_parts();
                }
                Vec::new()
            }
            Event::PartData {
                req,
                uid,
                ref section,
                ..
            } => {
                let section = section.clone();
                let purpose = match self.pending.remove(&req) {
                    Some(Pending::Part { purpose, .. }) => purpose,
                    _ => Purpose::Display,
                };
                self.model.apply(ev);
                self.touched(uid);
                self.part_arrived(uid, &section, purpose);
                Vec::new()
            }
            Event::Raw { req, uid, .. } => {
                self.pending.remove(&req);
                self.model.apply(ev);
                self.touched(uid);
                Vec::new()
            }
            Event::Failed { req, ref error } => {
                let what = req.and_then(|r| self.pending.remove(&r));
                let doing = match what {
                    Some(Pending::Structure { uid, .. }) => format!("Could not open message {uid}"),
                    Some(Pending::Part { section, .. }) => {
                        format!("Could not fetch part {section}")
                    }
                    Some(Pending::Raw(_)) => "Could not fetch the raw message".to_string(),
                    _ => "Error".to_string(),
                };
                self.complain(format!("{doing}: {error}"));
                self.model.apply(ev);
                Vec::new()
            }
            Event::Summaries { .. } => {
                self.model.apply(ev);
                self.notify_if_ready();
                Vec::new()
            }
            Event::SyncDone { .. } | Event::Conn(_) => {
                self.model.apply(ev);
                Vec::new()
            }
            Event::Notice(ref text) => {
                self.say(text.clone());
                self.model.apply(ev);
                Vec::new()
            }
            Event::Arrived {
                ref folder,
                ref uids,
                ..
            } if self.is_open(folder) => {
                let (folder, newest) = (folder.clone(), uids.iter().max().copied());
                let before = self.mailbox().map_or(0, |m| m.uids.len());
                let cmds = self.keep_selection(&[], |app| app.apply_rows(ev));
                let after = self.mailbox().map_or(0, |m| m.uids.len());
                self.arrived(&folder, after.saturating_sub(before), newest);
                cmds
            }
            other => {
                // Anything else may add or remove rows (expunges and new mail from the
                // server, live updates), so the cursor is repaired around it.
                let gone: Vec<Uid> = match &other {
                    Event::Expunged { folder, uids, .. } if self.is_open(folder) => uids.clone(),
                    _ => Vec::new(),
                };
                self.untag(&gone);
                self.keep_selection(&gone, |app| app.apply_rows(other))
            }
        }
    }

    fn touched(&mut self, uid: Uid) {
        if self.reader.as_ref().is_some_and(|r| r.uid == uid) {
            self.bump_message();
        }
    }

    /// After a Select: keep the selection on the same UID when the same folder was reopened
    /// (a reconnect), else start at the newest message with the reader closed and no tags.
    /// The model forgets search hits on a Select, so the search ends either way.
    fn after_select(&mut self, before: Option<Folder>) {
        let Some(folder) = self.mailbox().map(|m| m.folder.clone()) else {
            return;
        };
        self.search = None;
        let same = before.as_ref() == Some(&folder);
        if !same {
            self.filter = None;
            self.filter_index = Default::default();
            self.waiting = None;
        }
        let rows = self.rows();
        let keep = self
            .selected_uid
            .filter(|_| same)
            .and_then(|u| rows.iter().position(|x| *x == u));
        let selected = keep.unwrap_or(0);
        let selected_uid = rows.get(selected).copied();
        drop(rows);
        self.selected = selected;
        self.selected_uid = selected_uid;
        if !same {
            self.tagged.clear();
            self.list_offset = 0;
            self.reader = None;
            self.show_parts = false;
            if matches!(self.focus, Pane::Reader | Pane::Parts) {
                self.focus = Pane::List;
            }
        }
        if let Some(i) = self.tree.iter().position(|r| r.name == folder.name()) {
            self.folder_cursor = i;
        }
    }
}
