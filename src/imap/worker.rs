//! The worker thread: owns the IMAP connection, takes [`Cmd`]s, sends [`Event`]s.
//!
//! Between summary chunks of a folder sync it serves whatever commands are waiting, so opening
//! a message never waits for a 100 000-message folder to finish syncing; a new `Select`
//! abandons the old folder's sync.

use std::collections::{HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, TryRecvError, unbounded};

use crate::config::Account;
use crate::error::{Error, Result};
use crate::imap::session::{self, Connection};
use crate::imap::{actions, folders, messages, utf7};
use crate::msg::{Cmd, ConnState, Event, ReqId, Uid};

/// Summaries per UID FETCH after the first screen: large enough for throughput, small enough
/// that the crate's whole-response buffering stays a few hundred kilobytes.
const CHUNK: usize = 1000;

pub struct Handle {
    pub commands: Sender<Cmd>,
    pub events: Receiver<Event>,
    thread: Option<JoinHandle<()>>,
}

impl Handle {
    /// Asks the worker to log out and waits for it to finish.
    pub fn shutdown(mut self) {
        let _ = self.commands.send(Cmd::Shutdown);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn spawn(account: Account, password: String) -> Handle {
    let (cmd_tx, cmd_rx) = unbounded();
    let (ev_tx, ev_rx) = unbounded();
    let thread = std::thread::Builder::new()
        .name(format!("imap-{}", account.name))
        .spawn(move || {
            Worker {
                account,
                password,
                conn: None,
                events: ev_tx,
                raw_names: HashMap::new(),
                open: None,
                sync: None,
            }
            .run(cmd_rx)
        })
        .expect("spawning a thread only fails when the OS is out of resources");
    Handle {
        commands: cmd_tx,
        events: ev_rx,
        thread: Some(thread),
    }
}

struct OpenFolder {
    name: String,
    raw: String,
    read_only: bool,
    uid_validity: u32,
}

struct Sync {
    folder: String,
    uid_validity: u32,
    chunks: VecDeque<Vec<Uid>>,
}

struct Worker {
    account: Account,
    password: String,
    conn: Option<Connection>,
    events: Sender<Event>,
    /// Decoded folder name → the server's own spelling, learnt from LIST.
    raw_names: HashMap<String, String>,
    open: Option<OpenFolder>,
    sync: Option<Sync>,
}

impl Worker {
    fn run(mut self, commands: Receiver<Cmd>) {
        loop {
            let next = if self.sync.is_some() {
                match commands.try_recv() {
                    Ok(cmd) => Some(cmd),
                    Err(TryRecvError::Empty) => None,
                    Err(TryRecvError::Disconnected) => break,
                }
            } else {
                match commands.recv() {
                    Ok(cmd) => Some(cmd),
                    Err(_) => break,
                }
            };
            match next {
                Some(Cmd::Shutdown) => break,
                Some(cmd) => self.guarded(|w| w.handle(cmd)),
                None => self.guarded(Worker::sync_step),
            }
        }
        if let Some(mut conn) = self.conn.take() {
            let _ = conn.session.logout();
        }
    }

    /// Runs one unit of work; a panic inside a parser costs the connection, not the program.
    fn guarded(&mut self, f: impl FnOnce(&mut Worker)) {
        if catch_unwind(AssertUnwindSafe(|| f(self))).is_err() {
            tracing::error!("worker recovered from a panic; dropping the connection");
            self.conn = None;
            self.sync = None;
            self.emit(Event::Failed {
                req: None,
                error: Error::Protocol("internal error while reading the server's reply".into()),
            });
        }
    }

    fn emit(&self, ev: Event) {
        // The receiver is gone only when the program is ending.
        let _ = self.events.send(ev);
    }

    fn fail(&mut self, req: Option<ReqId>, error: Error) {
        if error.is_fatal_for_connection() && self.conn.take().is_some() {
            self.emit(Event::Conn(ConnState::Offline {
                reason: error.to_string(),
            }));
        }
        self.emit(Event::Failed { req, error });
    }

    fn handle(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::ListFolders => match self.retrying(folders::list) {
                Ok(list) => {
                    self.raw_names = list
                        .iter()
                        .map(|f| (f.name.clone(), f.raw.clone()))
                        .collect();
                    self.emit(Event::Folders(list));
                }
                Err(e) => self.fail(None, e),
            },
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
            Cmd::FetchStructure { req, folder, uid } => {
                match self.in_folder(&folder, |c| messages::structure(c, uid)) {
                    Ok((root, header)) => self.emit(Event::Structure {
                        req,
                        folder,
                        uid,
                        root: Box::new(root),
                        header,
                    }),
                    Err(e) => self.fail(Some(req), e),
                }
            }
            Cmd::FetchPart {
                req,
                folder,
                uid,
                section,
            } => match self.in_folder(&folder, |c| messages::part(c, uid, &section)) {
                Ok(bytes) => self.emit(Event::PartData {
                    req,
                    folder,
                    uid,
                    section,
                    bytes,
                }),
                Err(e) => self.fail(Some(req), e),
            },
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
                let result = self.in_folder(&folder, |c| {
                    let mut rows = Vec::with_capacity(uids.len());
                    for chunk in uids.chunks(CHUNK) {
                        rows.extend(messages::summaries(c, chunk, false)?);
                    }
                    Ok(rows)
                });
                match result {
                    Ok(chunk) => {
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
            Cmd::Store {
                req,
                folder,
                uids,
                add,
                flags,
            } => match self.mutate(&folder, |c| actions::store(c, &uids, add, flags)) {
                Ok(()) => self.emit(Event::Stored {
                    req,
                    folder,
                    uids,
                    add,
                    flags,
                }),
                Err(e) => self.fail(Some(req), e),
            },
            Cmd::Copy {
                req,
                folder,
                uids,
                dest,
                remove,
            } => {
                let dest_raw = self.raw_name(&dest);
                match self.mutate(&folder, |c| actions::copy(c, &uids, &dest_raw, remove)) {
                    Ok(copied) => self.emit(Event::Copied {
                        req,
                        folder,
                        dest,
                        uids,
                        dest_uids: copied.dest_uids,
                        moved: remove,
                        expunged: copied.expunged,
                    }),
                    Err(e) => self.fail(Some(req), e),
                }
            }
            Cmd::Expunge {
                req,
                folder,
                uids,
                all_deleted,
            } => {
                let result = self.mutate(&folder, |c| {
                    if all_deleted && !c.has("UIDPLUS") {
                        actions::expunge_all_deleted(c)?;
                        messages::uids(c).map(|left| {
                            let left: std::collections::HashSet<Uid> = left.into_iter().collect();
                            uids.iter().copied().filter(|u| !left.contains(u)).collect()
                        })
                    } else {
                        actions::expunge(c, &uids)
                    }
                });
                match result {
                    Ok(gone) => self.emit(Event::Expunged {
                        req: Some(req),
                        folder,
                        uids: gone,
                    }),
                    Err(e) => self.fail(Some(req), e),
                }
            }
            Cmd::Search { req, folder, query } => {
                match self.in_folder(&folder, |c| actions::search(c, &query)) {
                    Ok(uids) => self.emit(Event::SearchResult { req, folder, uids }),
                    Err(e) => self.fail(Some(req), e),
                }
            }
            Cmd::Manage { req, op } => {
                let known = self.raw_names.clone();
                let raw = move |name: &str| {
                    known
                        .get(name)
                        .cloned()
                        .unwrap_or_else(|| utf7::encode(name))
                };
                match self.connection().and_then(|c| folders::manage(c, &op, raw)) {
                    Ok(()) => self.emit(Event::Done { req }),
                    Err(e) => self.fail(Some(req), e),
                }
            }
            Cmd::Append {
                req,
                folder,
                bytes,
                flags,
                date,
            } => {
                let raw = self.raw_name(&folder);
                match self
                    .connection()
                    .and_then(|c| actions::append(c, &raw, &bytes, flags, date))
                {
                    Ok(uid) => self.emit(Event::Appended { req, folder, uid }),
                    Err(e) => self.fail(Some(req), e),
                }
            }
            Cmd::Shutdown => {}
        }
    }

    /// Runs a change on `folder`, opened read-write. Never retried: after a dropped
    /// connection we cannot know whether the server applied it.
    fn mutate<T>(
        &mut self,
        folder: &str,
        op: impl FnOnce(&mut Connection) -> Result<T>,
    ) -> Result<T> {
        let writable = self
            .open
            .as_ref()
            .is_some_and(|o| o.name == folder && !o.read_only);
        if !writable {
            self.sync = None;
            let raw = self.raw_name(folder);
            self.open = None;
            let opened = self.retrying(|c| messages::open(c, &raw, false))?;
            if opened.read_only {
                return Err(Error::Server {
                    command: "SELECT".into(),
                    text: format!("{folder} is read-only"),
                });
            }
            self.open = Some(OpenFolder {
                name: folder.to_string(),
                raw,
                read_only: false,
                uid_validity: opened.uid_validity,
            });
        }
        op(self.connection()?)
    }

    fn connection(&mut self) -> Result<&mut Connection> {
        if self.conn.is_none() {
            self.emit(Event::Conn(ConnState::Connecting {
                host: self.account.host.clone(),
                port: self.account.port(),
            }));
            let mut conn = session::connect(&self.account, &self.password)?;
            self.emit(Event::Conn(ConnState::Connected(conn.info.clone())));
            if let Some(open) = &self.open {
                // A reconnect must not silently change which folder later commands act on.
                let opened = messages::open(&mut conn, &open.raw, open.read_only)?;
                if opened.uid_validity != open.uid_validity {
                    self.open = None;
                    self.sync = None;
                    return Err(Error::Protocol(
                        "the folder's UIDVALIDITY changed while reconnecting; reopen it".into(),
                    ));
                }
            }
            self.conn = Some(conn);
        }
        self.conn
            .as_mut()
            .ok_or_else(|| Error::Network("not connected".into()))
    }

    /// Runs `op` on a live connection; after a network or protocol failure reconnects and
    /// tries once more, since every operation it is used for is read-only.
    fn retrying<T>(&mut self, mut op: impl FnMut(&mut Connection) -> Result<T>) -> Result<T> {
        match op(self.connection()?) {
            Err(e) if e.is_fatal_for_connection() => {
                tracing::warn!("retrying after: {e}");
                self.conn = None;
                op(self.connection()?)
            }
            other => other,
        }
    }

    fn raw_name(&self, folder: &str) -> String {
        self.raw_names
            .get(folder)
            .cloned()
            .unwrap_or_else(|| utf7::encode(folder))
    }

    fn select(&mut self, folder: &str, read_only: bool, first_screen: usize) -> Result<()> {
        let raw = self.raw_name(folder);
        self.open = None;
        let (opened, uids) = self.retrying(|c| {
            let opened = messages::open(c, &raw, read_only)?;
            Ok((opened, messages::uids(c)?))
        })?;
        self.open = Some(OpenFolder {
            name: folder.to_string(),
            raw,
            read_only: opened.read_only,
            uid_validity: opened.uid_validity,
        });
        self.emit(Event::Selected {
            folder: folder.to_string(),
            uid_validity: opened.uid_validity,
            read_only: opened.read_only,
            uids: uids.clone(),
        });
        let first = first_screen.clamp(1, uids.len().max(1)).min(uids.len());
        let mut chunks: VecDeque<Vec<Uid>> = VecDeque::new();
        if first > 0 {
            chunks.push_back(uids[..first].to_vec());
        }
        chunks.extend(uids[first..].chunks(CHUNK).map(<[Uid]>::to_vec));
        self.sync = Some(Sync {
            folder: folder.to_string(),
            uid_validity: opened.uid_validity,
            chunks,
        });
        Ok(())
    }

    /// Makes sure `folder` is the open one (reopening read-only if needed) and runs `op`.
    fn in_folder<T>(
        &mut self,
        folder: &str,
        op: impl FnMut(&mut Connection) -> Result<T>,
    ) -> Result<T> {
        if self.open.as_ref().map(|o| o.name.as_str()) != Some(folder) {
            self.sync = None;
            let raw = self.raw_name(folder);
            self.open = None;
            let opened = self.retrying(|c| messages::open(c, &raw, true))?;
            self.open = Some(OpenFolder {
                name: folder.to_string(),
                raw,
                read_only: true,
                uid_validity: opened.uid_validity,
            });
        }
        self.retrying(op)
    }

    fn sync_step(&mut self) {
        let Some(sync) = self.sync.as_mut() else {
            return;
        };
        let Some(chunk) = sync.chunks.pop_front() else {
            let folder = sync.folder.clone();
            self.sync = None;
            self.emit(Event::SyncDone { folder });
            return;
        };
        let (folder, uid_validity) = (sync.folder.clone(), sync.uid_validity);
        let result = match self.retrying(|c| messages::summaries(c, &chunk, false)) {
            Err(Error::Protocol(why)) => {
                tracing::warn!("ENVELOPE fetch failed ({why}); falling back to header fields");
                self.conn = None;
                self.retrying(|c| messages::summaries(c, &chunk, true))
            }
            other => other,
        };
        match result {
            Ok(chunk) => self.emit(Event::Summaries {
                folder,
                uid_validity,
                chunk,
            }),
            Err(e) => {
                self.sync = None;
                self.fail(None, e);
            }
        }
    }
}
