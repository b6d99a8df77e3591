//! Worker events into the app, in one place: the model takes what the server said, then the
//! sub-states follow (selection, reader, tree, requests, undo). The match names every event,
//! so a new one does not compile until it is handled here.

use crate::msg::{Cmd, ConnState, Event, Folder, FolderOp, ReqId, Uid};
use crate::ui::action::Action;
use crate::ui::app::{App, FIRST_SCREEN_MARGIN};
use crate::ui::layout::Pane;
use crate::ui::notify::new_messages;
use crate::ui::parts::first_attachment;
use crate::ui::prompt::LineKind;
use crate::ui::requests::{Pending, Purpose};
use crate::ui::status::Notice;
use crate::ui::triage::{Origin, Transfer, Undo, count, describe};

impl App {
    /// Applies a worker event and returns the follow-up commands it calls for.
    pub fn on_event(&mut self, ev: Event) -> Vec<Cmd> {
        let cmds = self.apply_event(ev);
        // Rows may have come or gone in the threads or under an active filter.
        self.refresh_threads();
        self.refresh_filter();
        cmds
    }

    fn apply_event(&mut self, ev: Event) -> Vec<Cmd> {
        if let Some(req) = ev.req()
            && self.is_routed(req)
        {
            self.routed_answered(self.accounts.open(), req, ev);
            return Vec::new();
        }
        if let Some(req) = ev.req()
            && matches!(self.requests.get(req), Some(Pending::Compose(_)))
        {
            return self.compose_answered(req, ev);
        }
        if let Some(req) = ev.req()
            && matches!(self.requests.get(req), Some(Pending::Conversation(_)))
        {
            return self.conversation_answered(req, ev);
        }
        match ev {
            Event::Conn(ConnState::Offline {
                ref reason,
                retry_in,
            }) => {
                // Only a refused login waits for the user.
                let refused = retry_in.is_none();
                let text = if refused && !self.login.wants_password() {
                    let keys = self.keymap().keys_for(Action::Reconnect);
                    let key = keys.first().map_or("reconnect", String::as_str);
                    format!("Offline: {reason}, or press {key} to sign in here")
                } else {
                    format!("Offline: {reason}")
                };
                self.status.about_connection(Notice::error(text));
                self.model.apply(ev);
                if refused {
                    self.login.refuse();
                    if self.login.wants_password() {
                        self.ask_password();
                    }
                }
            }
            Event::Conn(ConnState::Connected(_)) => {
                self.status.connected();
                self.model.apply(ev);
                if self.login.take_refused() {
                    return self.load_what_the_refusal_stopped();
                }
            }
            Event::SyncDone { .. } => {
                self.model.apply(ev);
                crate::memory::give_back();
            }
            Event::Conn(ConnState::Connecting { .. })
            | Event::FolderStatus { .. }
            | Event::Namespace { .. }
            | Event::View { .. } => self.model.apply(ev),
            // For a conversation view closed since it asked.
            Event::Related { .. } => {}
            Event::Folders(list) => {
                self.model.apply(Event::Folders(list));
                self.relist_folders();
            }
            Event::Selected { .. } => {
                let before = self.mailbox().map(|m| m.folder.clone());
                self.model.apply(ev);
                self.after_select(before);
            }
            Event::Summaries { .. } | Event::CachedSummaries { .. } => {
                self.model.apply(ev);
                self.notify_if_ready();
            }
            Event::Structure { req, uid, .. } => {
                self.requests.take(req);
                self.model.apply(ev);
                self.reader.touched(uid);
                if self.reader.shows(uid) {
                    let i = first_attachment(&self.parts());
                    self.parts.point_at(i);
                    return self.fetch_shown_parts();
                }
            }
            Event::PartData {
                req,
                uid,
                ref section,
                ..
            } => {
                let section = section.clone();
                let purpose = match self.requests.take(req) {
                    Some(Pending::Part { purpose, .. }) => purpose,
                    _ => Purpose::Display,
                };
                self.model.apply(ev);
                self.reader.touched(uid);
                if purpose != Purpose::Display {
                    self.finish(uid, &section, purpose);
                }
            }
            Event::SaveProgress { req, done, total } => {
                if let Some(Pending::Save { section, .. }) = self.requests.get(req) {
                    let mb = |bytes: u64| bytes as f64 / 1e6;
                    self.status.say(format!(
                        "Saving part {section}: {:.1} of {:.1} MB · Esc cancels",
                        mb(done),
                        mb(total)
                    ));
                }
            }
            Event::Saved { req, path } => {
                if let Some(Pending::Save { section, .. }) = self.requests.take(req) {
                    let to = path.map_or("standard output".into(), |p| p.display().to_string());
                    self.status.say(format!("Saved part {section} to {to}"));
                }
            }
            Event::Raw { req, uid, .. } => {
                self.requests.take(req);
                self.model.apply(ev);
                self.reader.touched(uid);
            }
            Event::Arrived {
                ref folder,
                ref uids,
                ..
            } if self.is_open(folder) => {
                let (folder, newest) = (folder.clone(), uids.iter().max().copied());
                let before = self.mailbox().map_or(0, |m| m.uids.len());
                // On the newest message with nothing open (as after a warm start): the list
                // stays at the top, so the new mail comes into view instead of pushing the
                // cursor, and the window with it, below it.
                let at_top = self.list.selected() == 0 && self.reader.open().is_none();
                let cmds = self.keep_selection(&[], |app| app.apply_rows(ev));
                if at_top {
                    self.with_rows(|list, rows| list.restart(rows));
                }
                let after = self.mailbox().map_or(0, |m| m.uids.len());
                self.arrived(&folder, after.saturating_sub(before), newest, at_top);
                return cmds;
            }
            // Rows may come or go: the cursor is repaired around the change.
            Event::Arrived { .. }
            | Event::Listed { .. }
            | Event::FlagsChanged { .. }
            | Event::Expunged { req: None, .. } => return self.rows_changed(ev),
            Event::Stored { req, .. }
            | Event::Copied { req, .. }
            | Event::SearchResult { req, .. }
            | Event::Appended { req, .. }
            | Event::Done { req }
            | Event::Expunged { req: Some(req), .. } => return self.settle(req, ev),
            // The change stays in flight, overlay and all, until it is sent.
            Event::Queued { .. } => {
                self.status.say("offline: change queued");
                self.model.apply(ev);
            }
            Event::Notice(ref text) => {
                self.status.say(text.clone());
                self.model.apply(ev);
            }
            Event::Failed { req, ref error } => {
                let error = error.to_string();
                let pending = req.and_then(|r| Some((r, self.requests.get(r)?.clone())));
                if let Some((req, p)) = pending.filter(|(_, p)| p.is_triage()) {
                    return self.refused(req, p, &error);
                }
                let doing = match req.and_then(|r| self.requests.take(r)) {
                    Some(Pending::Structure { uid, .. }) => format!("Could not open message {uid}"),
                    Some(Pending::Part { section, .. }) => {
                        format!("Could not fetch part {section}")
                    }
                    Some(Pending::Raw(_)) => "Could not fetch the raw message".to_string(),
                    Some(Pending::Save { section, cancel }) if cancel.is_cancelled() => {
                        self.status.say(format!("Cancelled saving part {section}"));
                        return Vec::new();
                    }
                    Some(Pending::Save { section, .. }) => format!("Could not save part {section}"),
                    _ => "Error".to_string(),
                };
                self.status.complain(format!("{doing}: {error}"));
                self.model.apply(ev);
            }
        }
        Vec::new()
    }

    /// Offers the password line, unless the user is typing in another line.
    /// Whether the main loop should start a sign-in in the browser now.
    pub fn take_sign_in(&mut self) -> bool {
        self.login.take_sign_in()
    }

    /// The sign-in's address, for when no browser opened.
    pub fn sign_in_url(&mut self, url: &str) {
        self.status.about_connection(Notice::info(format!(
            "Signing in: finish in the browser ({url})"
        )));
    }

    /// The sign-in ended: reconnect with the new tokens, or say why not.
    pub fn signed_in(&mut self, result: crate::error::Result<()>) -> Vec<Cmd> {
        self.login.sign_in_ended();
        match result {
            Ok(()) => {
                self.status
                    .about_connection(Notice::info("Signed in; connecting…"));
                vec![Cmd::Reconnect]
            }
            Err(e) => {
                self.status
                    .about_connection(Notice::error(format!("Not signed in: {e}")));
                Vec::new()
            }
        }
    }

    pub(crate) fn ask_password(&mut self) {
        if self.overlays.prompt().is_none() {
            self.overlays.open_line(LineKind::Password, String::new());
        }
    }

    /// Logged in after a refusal: the folder list and the folder the start could not load.
    fn load_what_the_refusal_stopped(&mut self) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        // Cached rows on screen are not an open folder: the refusal stopped its sync.
        if self.mailbox().is_none_or(|m| !m.synced) {
            cmds.push(Cmd::Select {
                folder: Folder::named(self.folders.wanted()),
                read_only: false,
                first_screen: self.geometry.list_rows().max(1) + FIRST_SCREEN_MARGIN,
            });
        }
        if self.model.folders.is_empty() {
            cmds.push(Cmd::ListFolders);
        }
        cmds
    }

    /// An event that may add or remove rows; an expunge in the open folder takes its
    /// messages' tags and, if one is open, the reader with them.
    pub(crate) fn rows_changed(&mut self, ev: Event) -> Vec<Cmd> {
        let gone: Vec<Uid> = match &ev {
            Event::Expunged { folder, uids, .. } if self.is_open(folder) => uids.clone(),
            _ => Vec::new(),
        };
        self.list.untag(&gone);
        self.keep_selection(&gone, |app| app.apply_rows(ev))
    }

    /// Applies an event that may add or remove rows. The filter's matches follow at once,
    /// so a selection repaired around the change never lands on a message that left.
    pub(crate) fn apply_rows(&mut self, ev: Event) {
        self.model.apply(ev);
        self.folds.refresh(self.model.mailbox.as_ref());
        self.filter.match_again(self.model.mailbox.as_ref());
    }

    /// Messages joined or left threads: list them again, keeping the cursor on its message.
    fn refresh_threads(&mut self) {
        if self.folds.is_stale(self.model.mailbox.as_ref()) {
            self.keep_selection(&[], |app| app.folds.refresh(app.model.mailbox.as_ref()));
        }
    }

    /// Rows came or went: match again, keeping the cursor on its message.
    fn refresh_filter(&mut self) {
        if self.filter.is_stale(self.model.mailbox.as_ref()) {
            self.keep_selection(&[], |app| {
                app.filter.match_again(app.model.mailbox.as_ref())
            });
        }
    }

    /// New mail in the open folder: say so, ring, notify.
    fn arrived(&mut self, folder: &Folder, fresh: usize, newest: Option<Uid>, in_view: bool) {
        if fresh == 0 {
            return;
        }
        // Away from the top, the notice says where the new mail is and the one key that goes
        // there.
        let top = self.settings.keymap.keys_for(Action::Top);
        match top.first().filter(|_| !in_view) {
            Some(key) => self
                .status
                .say(format!("{} above: {key} jumps there", new_messages(fresh))),
            None => self.status.say(new_messages(fresh)),
        }
        let mb = self.model.mailbox.as_ref();
        if let Err(e) = self.new_mail.arrived(mb, folder, fresh, newest) {
            self.status.complain(e);
        }
    }

    fn notify_if_ready(&mut self) {
        if let Err(e) = self.new_mail.notify_if_ready(self.model.mailbox.as_ref()) {
            self.status.complain(e);
        }
    }

    /// After a Select: keep the selection on the same UID when the same folder was reopened
    /// (a reconnect), else start at the newest message with the reader closed and no tags.
    /// The model forgets search hits on a Select, so the search ends either way.
    fn after_select(&mut self, before: Option<Folder>) {
        let Some(folder) = self.mailbox().map(|m| m.folder.clone()) else {
            return;
        };
        self.search.end();
        let same = before.as_ref() == Some(&folder);
        if !same {
            self.filter.reset();
            self.folds.restore(self.model.folded(&folder));
            self.new_mail.forget();
        }
        self.folds.refresh(self.model.mailbox.as_ref());
        self.with_rows(|list, rows| list.reopened(rows, same));
        if !same {
            self.close_reader();
            if matches!(self.focus, Pane::Reader | Pane::Parts) {
                self.focus = Pane::List;
            }
        }
        if !self.inboxes.is_active() {
            self.folders.point_at(self.accounts.open(), folder.name());
        }
    }

    /// A final answer to `req`: on success the model takes the server's word and the undo
    /// stack the action. Answers to requests the app no longer tracks just change rows.
    fn settle(&mut self, req: ReqId, ev: Event) -> Vec<Cmd> {
        let Some(pending) = self.requests.get(req).filter(|p| p.is_triage()).cloned() else {
            return self.rows_changed(ev);
        };
        match pending {
            Pending::Store { change, origin } => {
                self.requests.take(req);
                self.model.apply(ev);
                if origin == Origin::User {
                    self.triage.record(Undo::Flags(change));
                }
                Vec::new()
            }
            Pending::Transfer(t) => self.transferred(req, ev, t),
            Pending::Expunge { folder, .. } => {
                let expunged: Vec<Uid> = match &ev {
                    Event::Expunged { uids, .. } => uids.clone(),
                    _ => Vec::new(),
                };
                let n = count(expunged.len());
                let gone = if self.is_open(&folder) {
                    expunged
                } else {
                    Vec::new()
                };
                self.list.untag(&gone);
                let cmds = self.keep_selection(&gone, |app| {
                    app.requests.take(req);
                    app.apply_rows(ev);
                });
                self.status.say(format!("Expunged {n}"));
                self.triage.record(Undo::Never(format!("Expunging {n}")));
                cmds
            }
            Pending::Search => self.search_answered(req, ev),
            Pending::Manage(op) => {
                self.requests.take(req);
                self.model.apply(ev);
                if let FolderOp::Rename { from, to } = &op {
                    self.folders.renamed(from.name(), to.name());
                }
                self.status.say(match &op {
                    FolderOp::Create(n) => format!("Created folder {n}"),
                    FolderOp::Delete(n) => format!("Deleted folder {n}"),
                    FolderOp::Rename { from, to } => format!("Renamed {from} to {to}"),
                    FolderOp::Subscribe(n) => format!("Subscribed to {n}"),
                    FolderOp::Unsubscribe(n) => format!("Unsubscribed from {n}"),
                });
                vec![Cmd::ListFolders]
            }
            Pending::Hits
            | Pending::Structure { .. }
            | Pending::Part { .. }
            | Pending::Raw(_)
            | Pending::Save { .. }
            | Pending::Compose(_)
            | Pending::Crossing(_)
            | Pending::Uncopy(_)
            | Pending::Conversation(_) => {
                self.requests.take(req);
                self.model.apply(ev);
                Vec::new()
            }
        }
    }

    fn transferred(&mut self, req: ReqId, ev: Event, t: Transfer) -> Vec<Cmd> {
        let Transfer {
            folder,
            uids,
            dest,
            remove,
            origin,
        } = t;
        let (dest_uids, expunged) = match &ev {
            Event::Copied {
                dest_uids,
                expunged,
                ..
            } => (dest_uids.clone(), *expunged),
            _ => (None, false),
        };
        let gone = if remove && expunged && self.is_open(&folder) {
            uids.clone()
        } else {
            Vec::new()
        };
        self.list.untag(&gone);
        let mut cmds = self.keep_selection(&gone, |app| {
            app.requests.take(req);
            app.apply_rows(ev);
        });
        let n = count(uids.len());
        let verb = if remove { "Moved" } else { "Copied" };
        self.status.say(format!("{verb} {n} to {dest}"));
        if remove && !expunged {
            self.status.complain(format!(
                "This server cannot move exactly these messages: {n} stay in {folder} marked deleted; $ expunges them"
            ));
        }
        match origin {
            Origin::User if !remove => self.triage.record(match dest_uids {
                Some(new) if new.len() == uids.len() => Undo::Copies {
                    at: (self.accounts.open(), dest),
                    batch: crate::ui::triage::next_stamp(),
                    uids: new,
                },
                _ => Undo::Never(format!(
                    "Copying {n} to {dest} (the server did not say where they went)"
                )),
            }),
            Origin::User => self.triage.record(match dest_uids {
                Some(new) if new.len() == uids.len() => Undo::Move {
                    from: folder,
                    to: dest,
                    uids: new,
                },
                _ => Undo::Never(format!(
                    "Moving {n} to {dest} (the server did not say where they went)"
                )),
            }),
            // An undone move put the messages back in the open folder under new UIDs: the
            // worker's delta sync reports them (Arrived, then their summaries), so the list
            // and the selection stay as they are; an active search is asked again so the
            // returned messages show among its hits.
            Origin::Undo | Origin::Open => {
                if self.is_open(&dest) {
                    cmds.extend(self.rerun_search());
                }
            }
        }
        cmds
    }

    /// The hits arrived: show them from the first, and fetch the summaries still missing.
    fn search_answered(&mut self, req: ReqId, ev: Event) -> Vec<Cmd> {
        self.requests.take(req);
        self.model.apply(ev);
        if !self.search.answered(req) {
            return Vec::new();
        }
        // The count is on the status line for as long as the search is active.
        self.with_rows(|list, rows| list.restart(rows));
        let Some(mb) = self.model.mailbox.as_ref() else {
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
        vec![self.requests.hits(folder, missing)]
    }

    /// The server refused: drop the overlay, say what failed in its words, and give an undo
    /// back its stack entry so it can be tried again.
    fn refused(&mut self, req: ReqId, pending: Pending, error: &str) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        let doing = match pending {
            Pending::Store { change, origin } => {
                self.requests.take(req);
                if origin == Origin::Undo {
                    self.triage.record(Undo::Flags(change.inverse()));
                }
                describe(&change)
            }
            Pending::Transfer(Transfer {
                folder,
                uids,
                dest,
                remove,
                origin,
            }) => {
                // The hidden rows come back; the cursor stays where the user has moved it.
                cmds = self.keep_selection(&[], |app| {
                    app.requests.take(req);
                });
                let n = count(uids.len());
                if origin == Origin::Undo {
                    self.triage.record(Undo::Move {
                        from: dest.clone(),
                        to: folder,
                        uids,
                    });
                }
                format!("{} {n} to {dest}", if remove { "move" } else { "copy" })
            }
            Pending::Expunge { uids, .. } => {
                self.requests.take(req);
                format!("expunge {}", count(uids.len()))
            }
            Pending::Search => {
                self.requests.take(req);
                self.clear_search();
                "search".to_string()
            }
            Pending::Manage(op) => {
                self.requests.take(req);
                match op {
                    FolderOp::Create(n) => format!("create folder {n}"),
                    FolderOp::Delete(n) => format!("delete folder {n}"),
                    FolderOp::Rename { from, .. } => format!("rename folder {from}"),
                    FolderOp::Subscribe(n) => format!("subscribe to {n}"),
                    FolderOp::Unsubscribe(n) => format!("unsubscribe from {n}"),
                }
            }
            Pending::Hits => {
                self.requests.take(req);
                "load the search hits".to_string()
            }
            Pending::Structure { .. }
            | Pending::Part { .. }
            | Pending::Raw(_)
            | Pending::Save { .. }
            | Pending::Compose(_)
            | Pending::Crossing(_)
            | Pending::Uncopy(_)
            | Pending::Conversation(_) => {
                self.requests.take(req);
                "do that".to_string()
            }
        };
        self.status.complain(format!("Could not {doing}: {error}"));
        cmds
    }
}
