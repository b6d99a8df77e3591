//! The worker's answers to triage requests: on success the model takes the server's word and
//! the undo stack the action; on failure the overlay goes and the server's words are shown.

use crate::msg::{Cmd, Event, Folder, FolderOp, ReqId, Uid};
use crate::ui::app::{App, Pending};
use crate::ui::triage::{Origin, Undo, count, describe};

impl App {
    /// Handles an event answering `req`, a request [`Pending::is_triage`] says is ours.
    pub(crate) fn triage_answer(&mut self, req: ReqId, ev: Event) -> Vec<Cmd> {
        // A change queued while offline stays in flight, overlay and all, until it is sent.
        let Some(pending) = self.pending.get(&req).filter(|_| is_final(&ev)).cloned() else {
            self.model.apply(ev);
            return Vec::new();
        };
        if let Event::Failed { error, .. } = &ev {
            let error = error.to_string();
            return self.refused(req, pending, &error);
        }
        match pending {
            Pending::Store { change, origin } => {
                self.pending.remove(&req);
                self.model.apply(ev);
                if origin == Origin::User {
                    self.undo.push(Undo::Flags(change));
                }
                Vec::new()
            }
            Pending::Transfer {
                folder,
                uids,
                dest,
                remove,
                origin,
            } => self.transferred(req, ev, (folder, uids, dest, remove, origin)),
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
                self.untag(&gone);
                let cmds = self.keep_selection(&gone, |app| {
                    app.pending.remove(&req);
                    app.apply_rows(ev);
                });
                let what = format!("Expunging {n}");
                self.say(format!("Expunged {n}"));
                self.undo.push(Undo::Never(what));
                cmds
            }
            Pending::Search => self.search_answered(req, ev),
            Pending::Manage(op) => {
                self.pending.remove(&req);
                self.model.apply(ev);
                self.say(match &op {
                    FolderOp::Create(n) => format!("Created folder {n}"),
                    FolderOp::Delete(n) => format!("Deleted folder {n}"),
                    FolderOp::Rename { from, to } => format!("Renamed {from} to {to}"),
                    FolderOp::Subscribe(n) => format!("Subscribed to {n}"),
                    FolderOp::Unsubscribe(n) => format!("Unsubscribed from {n}"),
                });
                vec![Cmd::ListFolders]
            }
            Pending::Hits | Pending::Structure { .. } | Pending::Part { .. } | Pending::Raw(_) => {
                self.pending.remove(&req);
                self.model.apply(ev);
                Vec::new()
            }
        }
    }

    fn transferred(
        &mut self,
        req: ReqId,
        ev: Event,
        (folder, uids, dest, remove, origin): (Folder, Vec<Uid>, Folder, bool, Origin),
    ) -> Vec<Cmd> {
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
        self.untag(&gone);
        let mut cmds = self.keep_selection(&gone, |app| {
            app.pending.remove(&req);
            app.apply_rows(ev);
        });
        let n = count(uids.len());
        let verb = if remove { "Moved" } else { "Copied" };
        self.say(format!("{verb} {n} to {dest}"));
        if remove && !expunged {
            self.complain(format!(
                "This server cannot move exactly these messages: {n} stay in {folder} marked deleted; $ expunges them"
            ));
        }
        match origin {
            Origin::User if !remove => self
                .undo
                .push(Undo::Never(format!("Copying {n} to {dest}"))),
            Origin::User => self.undo.push(match dest_uids {
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
                if self.mailbox().is_some_and(|m| m.folder == dest) {
                    cmds.extend(self.rerun_search());
                }
            }
        }
        cmds
    }

    /// The server refused: drop the overlay, say what failed in its words, and give an undo
    /// back its stack entry so it can be tried again.
    fn refused(&mut self, req: ReqId, pending: Pending, error: &str) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        let doing = match pending {
            Pending::Store { change, origin } => {
                self.pending.remove(&req);
                if origin == Origin::Undo {
                    self.undo.push(Undo::Flags(change.inverse()));
                }
                describe(&change)
            }
            Pending::Transfer {
                folder,
                uids,
                dest,
                remove,
                origin,
            } => {
                // The hidden rows come back; the cursor stays where the user has moved it.
                cmds = self.keep_selection(&[], |app| {
                    app.pending.remove(&req);
                });
                let n = count(uids.len());
                if origin == Origin::Undo {
                    self.undo.push(Undo::Move {
                        from: dest.clone(),
                        to: folder,
                        uids,
                    });
                }
                format!("{} {n} to {dest}", if remove { "move" } else { "copy" })
            }
            Pending::Expunge { uids, .. } => {
                self.pending.remove(&req);
                format!("expunge {}", count(uids.len()))
            }
            Pending::Search => {
                self.pending.remove(&req);
                self.clear_search();
                "search".to_string()
            }
            Pending::Manage(op) => {
                self.pending.remove(&req);
                match op {
                    FolderOp::Create(n) => format!("create folder {n}"),
                    FolderOp::Delete(n) => format!("delete folder {n}"),
                    FolderOp::Rename { from, .. } => format!("rename folder {from}"),
                    FolderOp::Subscribe(n) => format!("subscribe to {n}"),
                    FolderOp::Unsubscribe(n) => format!("unsubscribe from {n}"),
                }
            }
            Pending::Hits => {
                self.pending.remove(&req);
                "load the search hits".to_string()
            }
            Pending::Structure { .. } | Pending::Part { .. } | Pending::Raw(_) => {
                self.pending.remove(&req);
                "do that".to_string()
            }
        };
        self.complain(format!("Could not {doing}: {error}"));
        cmds
    }
}

/// Whether `ev` settles a request. Others that name it (such as the worker queueing it while
/// offline) leave it in flight.
fn is_final(ev: &Event) -> bool {
    matches!(
        ev,
        Event::Stored { .. }
            | Event::Copied { .. }
            | Event::Expunged { .. }
            | Event::SearchResult { .. }
            | Event::Done { .. }
            | Event::Failed { .. }
    )
}
