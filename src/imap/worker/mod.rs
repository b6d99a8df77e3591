//! The worker thread: owns the IMAP connection, takes [`Cmd`]s, sends [`Event`]s.
//!
//! - Between summary chunks of a folder sync it serves whatever commands are waiting, so
//!   opening a message never waits for a 100 000-message folder; a new `Select` abandons the
//!   old folder's sync ([`sync`]). Rows the list is about to show (`Cmd::FetchVisible`: End,
//!   a page far down, a click) are fetched then, ahead of the sync's newest-first order.
//! - It keeps the open folder in step with the server: an IDLE connection (or a poll timer)
//!   says when something changed, and a delta sync works out what ([`live`]).
//! - A dropped connection is retried with backoff; changes made meanwhile are queued and
//!   carried out once afterwards ([`offline`]).
//! - A message read before is served from the disk cache, with no round trip ([`bodies`]).

mod bodies;
mod cold;
mod commands;
mod live;
mod offline;
mod pace;
mod related;
mod save;
mod sync;
mod warm;

pub use cold::SIZES_APART_FROM;

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TryRecvError, select, unbounded};

use crate::cache::{self, Cache};
use crate::config::Account;
use crate::error::Error;
use crate::imap::bulk::Bulk;
use crate::imap::idler::{Idler, Notice};
use crate::imap::session::Connection;
use crate::msg::uid_map::UidMap;
use crate::msg::{Cmd, Event, Flags, Folder, ReqId, Uid};

/// A panic within this long of the last one reported is not reported again.
const PANIC_QUIET: Duration = Duration::from_secs(600);

pub struct Handle {
    pub commands: Sender<Cmd>,
    pub events: Receiver<Event>,
    thread: Option<JoinHandle<()>>,
}

impl Handle {
    /// For another protocol's worker answering the same contract.
    pub(crate) fn new(
        commands: Sender<Cmd>,
        events: Receiver<Event>,
        thread: JoinHandle<()>,
    ) -> Handle {
        Handle {
            commands,
            events,
            thread: Some(thread),
        }
    }

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
        // The imap-proto parser recurses per parenthesis; the stream guard caps nesting, and
        // this leaves a wide margin under that cap in debug builds too.
        .stack_size(16 << 20)
        .spawn(move || {
            // The login is most of the wait for the first screen, and opening the header
            // cache (creating it: 6–20 ms of fsyncs) needs none of it: side by side.
            let early = early_login(&account, &password);
            let mut worker = Worker::new(account, password, ev_tx);
            worker.early = early;
            worker.run(cmd_rx)
        })
        .expect("spawning a thread only fails when the OS is out of resources");
    Handle {
        commands: cmd_tx,
        events: ev_rx,
        thread: Some(thread),
    }
}

/// Logs in on a thread of its own while the worker opens its cache; the worker's first
/// [`Worker::connection`] takes the result.
fn early_login(
    account: &Account,
    password: &str,
) -> Option<JoinHandle<crate::error::Result<Connection>>> {
    let (account, password) = (account.clone(), password.to_string());
    std::thread::Builder::new()
        .name("imap-login".into())
        .stack_size(16 << 20)
        .spawn(move || crate::imap::session::connect(&account, &password))
        .ok()
}

struct OpenFolder {
    folder: Folder,
    read_only: bool,
    uid_validity: u32,
    /// Every UID the server has told us about, and the flags of those we have fetched: the
    /// baseline a delta sync compares against.
    uids: Vec<Uid>,
    flags: UidMap<Flags>,
}

struct Sync {
    folder: Folder,
    uid_validity: u32,
    /// Written to the cache when the sync completes: the rows are current as of it.
    highest_modseq: u64,
    /// Chunks still to fetch on the worker's own connection, newest first; fetched before
    /// the worker waits for the parallel ones.
    chunks: VecDeque<Vec<Uid>>,
    /// Chunks being fetched in parallel on other connections, and the rows that came back
    /// ahead of their turn (they are passed on newest first).
    bulk: Option<BulkSync>,
    /// A cold open's first screen is out but its UIDs are not listed yet: listing them is the
    /// sync's next step, after the commands already waiting (End's oldest rows).
    listing: Option<Listing>,
}

struct Listing {
    /// EXISTS at the open, and how many of the newest the first screen fetched.
    exists: u32,
    newest: u32,
    /// The parallel fetchers, logging in meanwhile.
    bulk: Option<Bulk>,
}

struct BulkSync {
    bulk: Bulk,
    chunks: Vec<Vec<Uid>>,
    next: usize,
    early: std::collections::BTreeMap<usize, Vec<crate::msg::Summary>>,
}

struct Worker {
    account: Account,
    password: String,
    conn: Option<Connection>,
    /// The first login, started before the cache was opened ([`early_login`]).
    early: Option<JoinHandle<crate::error::Result<Connection>>>,
    events: Sender<Event>,
    /// The folder list was asked for: its counts are kept fresh.
    folders_listed: bool,
    open: Option<OpenFolder>,
    /// The folder the user is looking at (the last Select) and, while a command works in
    /// another folder, its baseline, parked until we return to it.
    displayed: Option<(Folder, bool)>,
    parked: Option<(OpenFolder, Option<Sync>)>,
    sync: Option<Sync>,
    idler: Option<Idler>,
    notices: (Sender<Notice>, Receiver<Notice>),
    /// A delta sync is owed (a notice arrived during a sync, or after a reconnect).
    refresh_due: bool,
    next_poll: Instant,
    next_status: Instant,
    offline: Option<offline::Offline>,
    /// Paces every login of the worker's own connection.
    pace: pace::Pace,
    /// The last NOOP warned, and we reconnected for it: a warning on the new connection too
    /// is not acted on again.
    warned_reconnect: bool,
    /// When a panic was last reported: a repeat soon after is only logged.
    panic_reported: Option<Instant>,
    pending: VecDeque<offline::Pending>,
    /// The header cache, for reading; None when disabled or unusable.
    cache: Option<Arc<Cache>>,
    /// Writes to it, on the cache's own thread.
    cache_writes: Option<cache::Writer>,
}

impl Worker {
    fn new(account: Account, password: String, events: Sender<Event>) -> Worker {
        let now = Instant::now();
        let cache = account.cache_path().and_then(|p| {
            Cache::open(&p)
                .map_err(|e| tracing::warn!("running without the header cache: {e}"))
                .ok()
                .map(Arc::new)
        });
        tracing::debug!("timing: cache open");
        Worker {
            cache_writes: cache
                .as_ref()
                .filter(|c| !c.read_only())
                .map(|c| cache::Writer::start(c.clone())),
            cache,
            next_poll: now + Duration::from_secs(account.poll_interval_secs.max(1)),
            next_status: now + Duration::from_secs(account.status_interval_secs.max(1)),
            account,
            password,
            conn: None,
            early: None,
            events,
            folders_listed: false,
            open: None,
            displayed: None,
            parked: None,
            sync: None,
            idler: None,
            notices: unbounded(),
            refresh_due: false,
            offline: None,
            pace: pace::Pace::default(),
            warned_reconnect: false,
            panic_reported: None,
            pending: VecDeque::new(),
        }
    }

    fn run(mut self, commands: Receiver<Cmd>) {
        let notices = self.notices.1.clone();
        loop {
            let bulk = self
                .sync
                .as_ref()
                .filter(|s| s.chunks.is_empty())
                .and_then(|s| s.bulk.as_ref())
                .map(|b| b.bulk.results.clone());
            if let Some(results) = bulk {
                // Parallel fetch under way, and nothing left for this connection: whatever
                // comes first.
                select! {
                    recv(commands) -> cmd => match cmd {
                        Ok(Cmd::Shutdown) | Err(_) => break,
                        Ok(cmd) => self.command(cmd, &commands),
                    },
                    recv(notices) -> n => if let Ok(n) = n {
                        self.guarded(|w| w.on_notice(n));
                    },
                    recv(results) -> m => self.guarded(|w| w.on_bulk(m.ok())),
                }
                continue;
            }
            if self.sync.is_some() && self.offline.is_none() {
                // Mid-sync: waiting commands first, then notices, then the next chunk.
                match commands.try_recv() {
                    Ok(Cmd::Shutdown) | Err(TryRecvError::Disconnected) => break,
                    Ok(cmd) => self.command(cmd, &commands),
                    Err(TryRecvError::Empty) => match notices.try_recv() {
                        Ok(n) => self.guarded(|w| w.on_notice(n)),
                        Err(_) => self.guarded(Worker::sync_step),
                    },
                }
                continue;
            }
            let wait = self
                .next_deadline()
                .saturating_duration_since(Instant::now());
            select! {
                recv(commands) -> cmd => match cmd {
                    Ok(Cmd::Shutdown) | Err(_) => break,
                    Ok(cmd) => self.command(cmd, &commands),
                },
                recv(notices) -> n => if let Ok(n) = n {
                    self.guarded(|w| w.on_notice(n));
                },
                default(wait) => self.guarded(Worker::on_timer),
            }
        }
        self.sync = None;
        self.idler = None;
        if let Some(mut conn) = self.conn.take() {
            let _ = conn.session.logout();
        }
    }

    /// One command; once the queue is empty, back to the folder on screen (a command may
    /// have worked in another one).
    fn command(&mut self, cmd: Cmd, queue: &Receiver<Cmd>) {
        self.guarded(|w| w.handle(cmd));
        if queue.is_empty() {
            self.guarded(Worker::restore_displayed);
        }
    }

    /// Runs one unit of work; a panic inside a parser costs the connection, not the program.
    fn guarded(&mut self, f: impl FnOnce(&mut Worker)) {
        if catch_unwind(AssertUnwindSafe(|| f(self))).is_err() {
            tracing::error!("worker recovered from a panic; dropping the connection");
            self.sync = None;
            let error = Error::Protocol("internal error while reading the server's reply".into());
            // Reconnecting goes through the pace like any other; the user hears of it once.
            let now = Instant::now();
            let repeat = self
                .panic_reported
                .is_some_and(|t| now.duration_since(t) < PANIC_QUIET);
            if repeat {
                self.go_offline(&error);
            } else {
                self.panic_reported = Some(now);
                self.fail(None, error);
            }
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
}
