//! A second connection that sits in IDLE (RFC 2177) on the open folder and only says
//! "something changed". The worker then works out what changed on its own connection, so
//! responses IDLE loses (the crate drops data that arrives around DONE) cannot cost us
//! anything, and the worker's commands never wait behind an IDLE.

use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::Sender;
use imap::extensions::idle::{WaitOutcome, stop_on_any};

use crate::config::Account;
use crate::imap::messages;
use crate::imap::session::{self, Connection};

/// What the idler tells the worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The server reported a change in the folder.
    Changed,
    /// The IDLE connection failed; the worker falls back to polling until it restarts one.
    Failed(String),
}

/// Re-issue IDLE well before the 29-minute limit servers may enforce.
const REFRESH: Duration = Duration::from_secs(10 * 60);

pub struct Idler {
    stop: Arc<AtomicBool>,
    /// The socket under the IDLE, once connected: shut down to end a blocking read.
    control: Arc<Mutex<Option<TcpStream>>>,
    thread: Option<JoinHandle<()>>,
}

impl Idler {
    /// Connects, opens `raw_folder` read-only and starts idling, on a thread of its own: the
    /// worker's next command (a cold open's UID list, End's oldest rows) does not wait for
    /// this login. A failure, then or later, comes as [`Notice::Failed`].
    pub fn start(
        account: &Account,
        password: &str,
        raw_folder: &str,
        notify: Sender<Notice>,
    ) -> crate::error::Result<Idler> {
        let stop = Arc::new(AtomicBool::new(false));
        let control = Arc::new(Mutex::new(None));
        let job = Job {
            account: account.clone(),
            password: password.to_string(),
            raw_folder: raw_folder.to_string(),
            stop: stop.clone(),
            control: control.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("imap-idle".into())
            .spawn(move || job.run(&notify))
            .map_err(|e| crate::error::Error::Io(e.to_string()))?;
        Ok(Idler {
            stop,
            control,
            thread: Some(thread),
        })
    }
}

/// What the idle thread needs to connect.
struct Job {
    account: Account,
    password: String,
    raw_folder: String,
    stop: Arc<AtomicBool>,
    control: Arc<Mutex<Option<TcpStream>>>,
}

impl Job {
    fn run(self, notify: &Sender<Notice>) {
        let conn = match self.connect() {
            Ok(conn) => conn,
            Err(e) => {
                // A stopped idler's failure is nobody's news (the worker may have a new one).
                if !self.stop.load(Ordering::SeqCst) {
                    let _ = notify.send(Notice::Failed(e.to_string()));
                }
                return;
            }
        };
        let read_timeout = Duration::from_secs(self.account.read_timeout_secs.max(1));
        idle_loop(conn, read_timeout, &self.stop, notify);
    }

    fn connect(&self) -> crate::error::Result<Connection> {
        let mut conn = session::connect(&self.account, &self.password)?;
        if !conn.has("IDLE") {
            return Err(crate::error::Error::Refused(
                "this server does not support IDLE".into(),
            ));
        }
        messages::open(&mut conn, &self.raw_folder, true)?;
        let control = conn
            .control
            .try_clone()
            .map_err(|e| crate::error::Error::Network(e.to_string()))?;
        if let Ok(mut c) = self.control.lock() {
            *c = Some(control);
        }
        // Stopped while connecting: Drop found no socket to shut down.
        if self.stop.load(Ordering::SeqCst) {
            return Err(crate::error::Error::Network("stopped".into()));
        }
        Ok(conn)
    }
}

impl Drop for Idler {
    /// Interrupts the blocking read by shutting the socket down (the crate has no other way
    /// to end an IDLE from outside), then waits for the thread. One still connecting is
    /// left to finish on its own: it sees `stop` once connected and ends.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let connected = match self.control.lock() {
            Ok(c) => c.as_ref().map(|s| s.shutdown(Shutdown::Both)).is_some(),
            Err(_) => false,
        };
        if connected && let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn idle_loop(
    mut conn: Connection,
    read_timeout: Duration,
    stop: &AtomicBool,
    notify: &Sender<Notice>,
) {
    while !stop.load(Ordering::SeqCst) {
        let outcome = {
            let Connection {
                session, control, ..
            } = &mut conn;
            let mut handle = session.idle();
            handle.timeout(REFRESH).keepalive(false);
            let outcome = handle.wait_while(stop_on_any);
            // wait_while leaves the socket without a read timeout, and dropping the handle
            // sends DONE and reads the reply: re-arm first so a dead server cannot hang us.
            let _ = control.set_read_timeout(Some(read_timeout));
            outcome
        };
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let result = match outcome {
            Ok(WaitOutcome::MailboxChanged) => notify.send(Notice::Changed).map_err(|_| ()),
            // A quiet refresh: prove the connection is alive before idling again.
            Ok(WaitOutcome::TimedOut) => conn.session.noop().map_err(|e| {
                let _ = notify.send(Notice::Failed(e.to_string()));
            }),
            Err(e) => {
                let _ = notify.send(Notice::Failed(e.to_string()));
                Err(())
            }
        };
        if result.is_err() {
            return;
        }
    }
}
