//! The POP3 worker thread: answers the same [`Cmd`]s as the IMAP worker for the one folder a
//! POP3 mailbox has, INBOX, so the TUI and CLI need no POP3 code of their own.
//!
//! - The list comes from the local [`Store`] at once (warm start), then from UIDL + LIST,
//!   with `TOP n 0` for the newest rows first; the rest follows between commands ([`listing`]).
//! - Messages are downloaded (RETR) when first opened, or all in the background with
//!   `pop3_download = "all"`, and served from the store afterwards ([`messages`]).
//! - A session holds the maildrop lock and sees no new mail, so it is closed (QUIT) once the
//!   worker has been idle for [`LINGER`]; each poll and delete opens a fresh one.

mod listing;
mod messages;

use std::collections::{HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TryRecvError, select, unbounded};

use crate::config::Account;
use crate::error::{Error, Result};
use crate::imap::worker::Handle;
use crate::msg::{Cmd, ConnState, Event, Folder, ReqId, Uid};
use crate::pop3::session::Session;
use crate::pop3::store::Store;
use crate::save::PartWriter;

/// The one folder of a POP3 mailbox.
pub const INBOX: &str = "INBOX";
/// POP3 has no UIDVALIDITY; the store's IDs never change meaning.
const UID_VALIDITY: u32 = 1;
/// How long an idle session stays open: reading message after message reuses it (a new one
/// costs a login and a listing of the whole maildrop), while another client waiting for the
/// maildrop lock waits only this long.
const LINGER: Duration = Duration::from_secs(5);

pub fn spawn(account: Account, password: String) -> Handle {
    let (cmd_tx, cmd_rx) = unbounded();
    let (ev_tx, ev_rx) = unbounded();
    let thread = std::thread::Builder::new()
        .name(format!("pop3-{}", account.name))
        .spawn(move || Worker::new(account, password, ev_tx).run(cmd_rx))
        .expect("spawning a thread only fails when the OS is out of resources");
    Handle::new(cmd_tx, ev_rx, thread)
}

/// A session and what its UIDL said: this session's message number of each local ID.
struct Live {
    session: Session,
    numbers: HashMap<Uid, u32>,
    sizes: HashMap<Uid, u64>,
}

struct Worker {
    account: Account,
    password: String,
    events: Sender<Event>,
    store: Result<Store>,
    live: Option<Live>,
    /// Told the UI we are connected (a session closed while idle is not "offline").
    online: bool,
    /// INBOX is open: polls run and report arrivals.
    selected: bool,
    /// The first listing of this run is still to come (it replaces the warm list).
    listed: bool,
    /// Headers still to fetch, newest first; then `SyncDone`.
    tops: VecDeque<Uid>,
    sync_done_owed: bool,
    /// Messages still to download (`pop3_download = "all"`), newest first.
    downloads: VecDeque<Uid>,
    next_poll: Instant,
    /// When the worker last did something: an open session is closed [`LINGER`] after it.
    last_used: Instant,
}

impl Worker {
    fn new(account: Account, password: String, events: Sender<Event>) -> Worker {
        let store = account
            .pop3_store_dir()
            .ok_or_else(|| Error::Io("no data directory for the POP3 store (is HOME set?)".into()))
            .and_then(|dir| Store::open(&dir));
        Worker {
            next_poll: Instant::now() + poll_interval(&account),
            last_used: Instant::now(),
            account,
            password,
            events,
            store,
            live: None,
            online: false,
            selected: false,
            listed: false,
            tops: VecDeque::new(),
            sync_done_owed: false,
            downloads: VecDeque::new(),
        }
    }

    fn run(mut self, commands: Receiver<Cmd>) {
        loop {
            // Every turn of this loop follows a command, a background step or a timer.
            self.last_used = Instant::now();
            if !self.tops.is_empty() || !self.downloads.is_empty() {
                match commands.try_recv() {
                    Ok(Cmd::Shutdown) | Err(TryRecvError::Disconnected) => break,
                    Ok(cmd) => self.guarded(|w| w.handle(cmd)),
                    Err(TryRecvError::Empty) => self.guarded(Worker::background_step),
                }
                continue;
            }
            // Idle: the maildrop is released (and any expiry committed) after the linger.
            let close_at = self.live.as_ref().map(|_| self.last_used + LINGER);
            let wake = close_at.map_or(self.next_poll, |c| c.min(self.next_poll));
            select! {
                recv(commands) -> cmd => match cmd {
                    Ok(Cmd::Shutdown) | Err(_) => break,
                    Ok(cmd) => self.guarded(|w| w.handle(cmd)),
                },
                default(wake.saturating_duration_since(Instant::now())) => {
                    if Instant::now() >= self.next_poll {
                        self.guarded(Worker::poll);
                    } else {
                        self.guarded(|w| w.close_session());
                    }
                }
            }
        }
        self.close_session();
    }

    /// A panic inside a parser costs the session, not the program.
    fn guarded(&mut self, f: impl FnOnce(&mut Worker)) {
        if catch_unwind(AssertUnwindSafe(|| f(self))).is_err() {
            tracing::error!("POP3 worker recovered from a panic; dropping the session");
            self.live = None;
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
        if error.is_fatal_for_connection() || matches!(error, Error::Auth(_)) {
            self.go_offline(&error);
        }
        self.emit(Event::Failed { req, error });
    }

    fn go_offline(&mut self, error: &Error) {
        self.live = None;
        self.online = false;
        // A refused login waits for the user (C-r); anything else is tried again at the poll.
        let retry = !matches!(error, Error::Auth(_));
        self.emit(Event::Conn(ConnState::Offline {
            reason: error.to_string(),
            retry_in: retry.then(|| poll_interval(&self.account).as_secs()),
        }));
    }

    fn store(&mut self) -> Result<&mut Store> {
        self.store.as_mut().map_err(|e| e.clone())
    }

    /// The session, opened (and the store brought in step with its listing) when needed.
    fn live(&mut self) -> Result<&mut Live> {
        if self.live.is_none() {
            if !self.online {
                self.emit(Event::Conn(ConnState::Connecting {
                    host: self.account.host.clone(),
                    port: self.account.port(),
                }));
            }
            let mut session = Session::connect(&self.account, &self.password)?;
            if !self.online {
                self.online = true;
                self.emit(Event::Conn(ConnState::Connected(session.info.clone())));
            }
            let listing = session.listing()?;
            self.live = Some(Live {
                session,
                numbers: HashMap::new(),
                sizes: HashMap::new(),
            });
            self.reconcile(listing)?;
        }
        self.live
            .as_mut()
            .ok_or_else(|| Error::Network("the POP3 session closed".into()))
    }

    /// QUIT, after marking what `leave_on_server`/`delete_after_days` say should go.
    fn close_session(&mut self) {
        let Some(mut live) = self.live.take() else {
            return;
        };
        let expired = self.expired(&live);
        let marked: Vec<Uid> = expired
            .into_iter()
            .filter(|id| {
                let number = live.numbers[id];
                live.session.delete(number).is_ok()
            })
            .collect();
        match live.session.quit() {
            Ok(()) if !marked.is_empty() => {
                if let Ok(store) = self.store.as_mut() {
                    for id in &marked {
                        store.set_gone(*id, true);
                    }
                    if let Err(e) = store.persist() {
                        tracing::warn!("POP3 store: {e}");
                    }
                }
                tracing::info!(
                    "removed {} downloaded messages from the server",
                    marked.len()
                );
            }
            Ok(()) => {}
            Err(e) => tracing::warn!("POP3 QUIT: {e}"),
        }
    }

    /// Downloaded messages the server should no longer keep.
    fn expired(&self, live: &Live) -> Vec<Uid> {
        let Ok(store) = &self.store else {
            return Vec::new();
        };
        let max_age = match (self.account.leave_on_server, self.account.delete_after_days) {
            (false, _) => Some(0),
            (true, Some(days)) => Some(i64::from(days) * 86_400),
            (true, None) => None,
        };
        let Some(max_age) = max_age else {
            return Vec::new();
        };
        let now = chrono::Utc::now().timestamp();
        store
            .entries()
            .iter()
            .filter(|e| live.numbers.contains_key(&e.id))
            .filter(|e| e.downloaded.is_some_and(|d| now - d >= max_age))
            .map(|e| e.id)
            .collect()
    }

    fn handle(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::ListFolders => self.list_folders(),
            Cmd::Select {
                folder,
                first_screen,
                ..
            } => {
                if let Err(e) = inbox(&folder).and_then(|()| self.select(first_screen)) {
                    self.fail(None, e);
                }
            }
            Cmd::FetchStructure { req, folder, uid } => {
                match inbox(&folder).and_then(|()| self.structure(uid)) {
                    Ok((root, header)) => self.emit(Event::Structure {
                        req,
                        folder,
                        uid,
                        root: Box::new(root),
                        header,
                        labels: Vec::new(),
                    }),
                    Err(e) => self.fail(Some(req), e),
                }
            }
            Cmd::FetchPart {
                req,
                folder,
                uid,
                section,
            } => match inbox(&folder).and_then(|()| self.part(uid, &section)) {
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
                ..
            } => {
                // The message is local once downloaded: the part is written at once.
                let saved = inbox(&folder)
                    .and_then(|()| self.part(uid, &part.section))
                    .and_then(|raw| {
                        let mut writer = PartWriter::create(&part, &to)?;
                        writer.write(&raw)?;
                        writer.finish()
                    });
                match saved {
                    Ok(path) => self.emit(Event::Saved { req, path }),
                    Err(e) => self.fail(Some(req), e),
                }
            }
            Cmd::FetchRaw { req, folder, uid } => {
                match inbox(&folder).and_then(|()| self.message(uid)) {
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
                match inbox(&folder).and_then(|()| self.summaries(&uids)) {
                    Ok(chunk) => {
                        self.emit(Event::Summaries {
                            folder,
                            uid_validity: UID_VALIDITY,
                            chunk,
                        });
                        self.emit(Event::Done { req });
                    }
                    Err(e) => self.fail(Some(req), e),
                }
            }
            // A POP3 mailbox is listed whole when opened (`Selected` is complete), so End
            // never waits for its list.
            Cmd::FetchOldest { .. } => {}
            Cmd::FetchVisible { folder, uids } => {
                match inbox(&folder).and_then(|()| self.summaries(&uids)) {
                    Ok(chunk) => self.emit(Event::Summaries {
                        folder,
                        uid_validity: UID_VALIDITY,
                        chunk,
                    }),
                    Err(e) => self.fail(None, e),
                }
            }
            Cmd::Store { req, change } => {
                match inbox(&change.folder).and_then(|()| self.flag(&change)) {
                    Ok(()) => self.emit(Event::Stored { req, change }),
                    Err(e) => self.fail(Some(req), e),
                }
            }
            Cmd::Expunge {
                req, folder, uids, ..
            } => match inbox(&folder).and_then(|()| self.delete(&uids)) {
                Ok(()) => self.emit(Event::Expunged {
                    req: Some(req),
                    folder,
                    uids,
                }),
                Err(e) => self.fail(Some(req), e),
            },
            Cmd::Search { req, folder, query } => {
                match inbox(&folder).and_then(|()| self.existing(&query)) {
                    Ok(uids) => self.emit(Event::SearchResult { req, folder, uids }),
                    Err(e) => self.fail(Some(req), e),
                }
            }
            // Only INBOX: no Sent folder to find the user's replies in.
            Cmd::Related { req, folder, .. } => {
                self.emit(Event::Related {
                    req,
                    folder,
                    found: Vec::new(),
                });
                self.emit(Event::Done { req });
            }
            // Keywords (`$Forwarded`) are a courtesy to other IMAP clients; POP3 has none.
            Cmd::Keyword { req, .. } => self.emit(Event::Done { req }),
            Cmd::Copy { req, .. } | Cmd::Manage { req, .. } | Cmd::Append { req, .. } => {
                self.fail(Some(req), no_folders())
            }
            Cmd::Login(password) => {
                self.password = password.0;
                self.close_session();
                if let Err(e) = self.live().map(drop) {
                    self.fail(None, e);
                }
            }
            // A POP3 mailbox has no header cache to keep it in: INBOX opens in the default
            // order each run.
            Cmd::RememberView { .. } => {}
            // Sending from a POP3 account files no Sent copy.
            Cmd::Counts(_) => {}
            Cmd::Reconnect => {
                self.close_session();
                if let Err(e) = self.live().map(drop) {
                    self.fail(None, e);
                }
            }
            Cmd::Shutdown => {}
        }
    }
}

impl Worker {
    /// The one search a POP3 account answers: which of a set of IDs exist (scripts ask
    /// before acting). Words are searched locally (`tern search --local`, the TUI filter).
    fn existing(&mut self, query: &crate::search::Query) -> Result<Vec<Uid>> {
        let crate::search::Query::Uids(set) = query else {
            return Err(Error::Refused(
                "POP3 has no server-side search; use tern search --local, or / in the list".into(),
            ));
        };
        let wanted = crate::imap::uidset::parse(set).map_err(Error::Config)?;
        let store = self.store()?;
        Ok(wanted
            .into_iter()
            .filter(|id| store.get(*id).is_some())
            .collect())
    }
}

/// What IMAP-only requests get.
pub fn no_folders() -> Error {
    Error::Refused(
        "POP3 has no folders: this account has only INBOX (no move, copy, folders or server search)"
            .into(),
    )
}

/// INBOX, as the events name it.
fn inbox_folder() -> Folder {
    Folder::named(INBOX)
}

fn inbox(folder: &Folder) -> Result<()> {
    if folder.raw().eq_ignore_ascii_case(INBOX) {
        Ok(())
    } else {
        Err(Error::NotFound(format!(
            "no folder \"{folder}\": POP3 has no folders, only INBOX"
        )))
    }
}

fn poll_interval(account: &Account) -> Duration {
    Duration::from_secs(account.poll_interval_secs.max(1))
}
