//! What the worker does for each [`Cmd`].

use std::collections::HashSet;

use super::Worker;
use super::offline::Pending;
use crate::cache::Op;
use crate::error::Result;
use crate::imap::session::Connection;
use crate::imap::{actions, folders, messages};
use crate::msg::{Cmd, Event, Folder, Uid};

impl Worker {
    pub(super) fn handle(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::ListFolders => self.list_folders(),
            Cmd::Select {
                folder,
                read_only,
                first_screen,
            } => {
                self.sync = None;
                if let Err(e) = self.select(&folder, read_only, first_screen) {
                    self.fail(None, e);
                }
            }
            Cmd::FetchStructure { req, folder, uid } => match self.structure(&folder, uid) {
                Ok((root, header)) => {
                    let labels = self.gmail_labels(&folder, uid);
                    self.emit(Event::Structure {
                        req,
                        folder,
                        uid,
                        root: Box::new(root),
                        header,
                        labels,
                    })
                }
                Err(e) => self.fail(Some(req), e),
            },
            Cmd::FetchPart {
                req,
                folder,
                uid,
                section,
            } => match self.part(&folder, uid, &section) {
                Ok(bytes) => self.emit(Event::PartData {
                    req,
                    folder,
                    uid,
                    section,
                    bytes,
                }),
                Err(e) => self.fail(Some(req), e),
            },
            Cmd::SavePart {
                req,
                folder,
                uid,
                part,
                to,
                cancel,
            } => self.save_part(req, &folder, uid, &part, &to, &cancel),
            Cmd::FetchRaw { req, folder, uid } => {
                match self.in_folder(&folder, |c| messages::raw(c, uid)) {
                    Ok(bytes) => self.emit(Event::Raw {
                        req,
                        folder,
                        uid,
                        bytes,
                    }),
                    Err(e) => self.fail(Some(req), e),
                }
            }
            Cmd::FetchSummaries { req, folder, uids } => {
                let result = self
                    .in_folder(&folder, |_| Ok(()))
                    .and_then(|()| self.summaries(&uids));
                match result {
                    Ok(chunk) => {
                        self.remember_flags(&chunk);
                        let uid_validity = self.open.as_ref().map_or(0, |o| o.uid_validity);
                        self.emit(Event::Summaries {
                            folder,
                            uid_validity,
                            chunk,
                        });
                        self.emit(Event::Done { req });
                    }
                    Err(e) => self.fail(Some(req), e),
                }
            }
            Cmd::Related {
                req,
                folder,
                ids,
                members_of,
                members,
            } => self.related(req, &folder, ids, (&members_of, &members)),
            Cmd::FetchVisible { folder, uids } => self.fetch_visible(&folder, &uids),
            Cmd::FetchOldest { folder, count } => self.fetch_oldest(&folder, count),
            Cmd::Search { req, folder, query } => {
                match self.in_folder(&folder, |c| actions::search(c, &query)) {
                    Ok(uids) => self.emit(Event::SearchResult { req, folder, uids }),
                    Err(e) => self.fail(Some(req), e),
                }
            }
            Cmd::RememberView { folder, view } => self.cache_send(Op::View {
                folder: folder.name().into(),
                view,
            }),
            Cmd::Counts(folder) => self.announce_counts(&folder),
            Cmd::Reconnect => self.reconnect_now(),
            Cmd::Login(password) => {
                self.password = password.0;
                self.reconnect_now();
            }
            Cmd::Store { .. }
            | Cmd::Keyword { .. }
            | Cmd::Copy { .. }
            | Cmd::Expunge { .. }
            | Cmd::Manage { .. }
            | Cmd::Append { .. } => self.change(Pending {
                cmd,
                in_flight: false,
            }),
            Cmd::Shutdown => {}
        }
    }

    pub(super) fn list_folders(&mut self) {
        match self.retrying(folders::list) {
            Ok(list) => {
                self.folders_listed = true;
                self.emit(Event::Folders(list));
            }
            Err(e) => return self.fail(None, e),
        }
        match self.retrying(folders::personal_namespace) {
            Ok(Some(personal)) => self.emit(Event::Namespace { personal }),
            Ok(None) => {}
            Err(e) => tracing::info!("no NAMESPACE: {e}"),
        }
    }

    /// Carries out a change. Offline, or when the link drops before the server answers, the
    /// change is queued and carried out once after reconnecting ([`Worker::replay`]).
    pub(super) fn change(&mut self, pending: Pending) {
        let req = pending.req();
        if self.conn.is_none() && self.offline.is_some() {
            self.queue(pending);
            return;
        }
        let cmd = pending.cmd.clone();
        let result = self.apply_change(cmd);
        match result {
            Ok(()) => {}
            Err(e) if e.is_fatal_for_connection() => {
                self.go_offline(&e);
                self.queue(Pending {
                    in_flight: true,
                    ..pending
                });
            }
            Err(e) => self.fail(Some(req), e),
        }
    }

    /// One change, emitting its success event; errors are returned for [`Worker::change`].
    fn apply_change(&mut self, cmd: Cmd) -> Result<()> {
        match cmd {
            Cmd::Store { req, change } => {
                self.mutate(&change.folder, |c| {
                    actions::store(c, &change.uids, change.add, change.flags)
                })?;
                let mut now = Vec::with_capacity(change.uids.len());
                if let Some(open) = self.open.as_mut() {
                    for uid in &change.uids {
                        let f = change.apply(open.flags.get(*uid).unwrap_or_default());
                        open.flags.insert(*uid, f);
                        now.push((*uid, f));
                    }
                }
                self.cache_flags(change.folder.name(), &now);
                self.emit(Event::Stored { req, change });
            }
            Cmd::Keyword {
                req,
                folder,
                uids,
                add,
                keyword,
            } => {
                self.mutate(&folder, |c| actions::store_keyword(c, &uids, add, &keyword))?;
                self.emit(Event::Done { req });
            }
            Cmd::Copy {
                req,
                folder,
                uids,
                dest,
                remove,
            } => {
                let copied =
                    self.mutate(&folder, |c| actions::copy(c, &uids, dest.raw(), remove))?;
                if remove && copied.expunged {
                    self.forget(&uids);
                    self.cache_remove(folder.name(), &uids);
                }
                // Messages copied into the folder on screen (an undone move) show up through
                // the delta sync, summaries and all.
                if self
                    .displayed
                    .as_ref()
                    .is_some_and(|(shown, _)| *shown == dest)
                {
                    self.refresh_due = true;
                }
                self.emit(Event::Copied {
                    req,
                    folder: folder.clone(),
                    dest: dest.clone(),
                    uids,
                    dest_uids: copied.dest_uids,
                    moved: remove,
                    expunged: copied.expunged,
                });
                self.announce_counts(&dest);
                if remove {
                    self.announce_counts(&folder);
                }
            }
            Cmd::Expunge {
                req,
                folder,
                uids,
                all_deleted,
            } => {
                let gone = self.mutate(&folder, |c| {
                    if all_deleted && !c.has("UIDPLUS") {
                        actions::expunge_all_deleted(c)?;
                        let left: HashSet<Uid> = messages::uids(c)?.into_iter().collect();
                        Ok(uids.iter().copied().filter(|u| !left.contains(u)).collect())
                    } else {
                        actions::expunge(c, &uids)
                    }
                })?;
                self.forget(&gone);
                self.cache_remove(folder.name(), &gone);
                self.emit(Event::Expunged {
                    req: Some(req),
                    folder,
                    uids: gone,
                });
            }
            Cmd::Manage { req, op } => {
                folders::manage(self.connection()?, &op)?;
                self.emit(Event::Done { req });
            }
            Cmd::Append {
                req,
                folder,
                bytes,
                flags,
                date,
            } => {
                let uid = actions::append(self.connection()?, folder.raw(), &bytes, flags, date)?;
                if self.open.as_ref().is_some_and(|o| o.folder == folder) {
                    self.refresh_due = true;
                }
                self.emit(Event::Appended {
                    req,
                    folder: folder.clone(),
                    uid,
                });
                self.announce_counts(&folder);
            }
            _ => {}
        }
        Ok(())
    }

    /// Tells the UI the fresh counts of a folder tern just changed from the outside (copied
    /// or moved mail into or out of it, appended to it), rather than waiting for the next
    /// refresh. The folder on screen is skipped: the UI counts its rows itself. A failed
    /// STATUS costs only the early update.
    fn announce_counts(&mut self, folder: &Folder) {
        let on_screen = self.displayed.as_ref().is_some_and(|(f, _)| f == folder);
        if !self.folders_listed || on_screen {
            return;
        }
        let status = self
            .connection()
            .and_then(|conn| folders::status(conn, folder.raw()));
        match status {
            Ok(status) => self.emit(Event::FolderStatus {
                folder: folder.clone(),
                status,
            }),
            Err(e) => tracing::info!("{folder}: no fresh counts: {e}"),
        }
    }

    /// Runs a change on `folder`, opened read-write. Never retried here: after a dropped
    /// connection we cannot know whether the server applied it.
    fn mutate<T>(
        &mut self,
        folder: &Folder,
        op: impl FnOnce(&mut Connection) -> Result<T>,
    ) -> Result<T> {
        let writable = self
            .open
            .as_ref()
            .is_some_and(|o| o.folder == *folder && !o.read_only);
        if !writable {
            self.reopen(folder, false)?;
        }
        op(self.connection()?)
    }

    /// Drops UIDs we removed ourselves from the delta-sync baseline.
    fn forget(&mut self, gone: &[Uid]) {
        if let Some(open) = self.open.as_mut() {
            let gone: HashSet<Uid> = gone.iter().copied().collect();
            open.uids.retain(|u| !gone.contains(u));
            open.flags.retain(|u| !gone.contains(&u));
        }
    }
}
