//! Parallel summary fetching for a cold sync: two extra connections each take the next chunk
//! of UIDs, fetch and decode it, and hand the rows back. While one waits for the server the
//! other decodes, so the server's work and ours overlap instead of taking turns — and the
//! worker's own connection stays free for whatever the user asks meanwhile.
//!
//! The fetchers connect once the first screen is fetched (their logins would slow it on a
//! small machine), and the chunks follow once the worker has the UID list: logging in costs
//! about as much as fetching 1 000 summaries.

use std::collections::HashSet;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crossbeam_channel::{Receiver, Sender, unbounded};

use crate::config::Account;
use crate::error::{Error, Result};
use crate::imap::messages;
use crate::imap::session;
use crate::msg::{Summary, Uid};

/// How many connections fetch in parallel: two keep both cores of a small machine busy
/// without asking much of the server.
pub const FETCHERS: usize = 2;

/// A chunk of UIDs and its place in the newest-first order.
type Chunk = (usize, Vec<Uid>);

pub enum Message {
    /// Rows of chunk `index`, newest first.
    Chunk(usize, Vec<Summary>),
    /// A fetcher gave up; the worker fetches what is left on its own connection.
    Failed(Error),
}

pub struct Bulk {
    pub results: Receiver<Message>,
    /// Chunks for the fetchers, until [`Bulk::fetch`] has sent them all.
    chunks: Option<Sender<Chunk>>,
    cancel: Arc<AtomicBool>,
    sockets: Arc<Mutex<Vec<TcpStream>>>,
    /// UIDs fetched elsewhere meanwhile (rows the user scrolled to): left out of the chunks.
    taken: Arc<Mutex<HashSet<Uid>>>,
}

impl Bulk {
    /// Connects the fetchers to the folder `raw`, which must still have `uid_validity`; they
    /// wait for [`Bulk::fetch`].
    pub fn start(account: &Account, password: &str, raw: &str, uid_validity: u32) -> Bulk {
        let (chunk_tx, queue) = unbounded();
        let (tx, rx) = unbounded();
        let cancel = Arc::new(AtomicBool::new(false));
        let sockets = Arc::new(Mutex::new(Vec::new()));
        let taken = Arc::new(Mutex::new(HashSet::new()));
        for n in 0..FETCHERS {
            let job = Job {
                account: account.clone(),
                password: password.to_string(),
                raw: raw.to_string(),
                uid_validity,
                queue: queue.clone(),
                out: tx.clone(),
                cancel: cancel.clone(),
                sockets: sockets.clone(),
                taken: taken.clone(),
            };
            let spawned = std::thread::Builder::new()
                .name(format!("imap-bulk-{n}"))
                .spawn(move || job.run());
            if let Err(e) = spawned {
                let _ = tx.send(Message::Failed(Error::Io(e.to_string())));
            }
        }
        Bulk {
            results: rx,
            chunks: Some(chunk_tx),
            cancel,
            sockets,
            taken,
        }
    }

    /// `uids` were fetched on another connection: the chunks not started yet leave them out.
    pub fn skip(&self, uids: &[Uid]) {
        if let Ok(mut taken) = self.taken.lock() {
            taken.extend(uids.iter().copied());
        }
    }

    /// Hands the fetchers `chunks` (index order = newest first), all there will be.
    pub fn fetch(&mut self, chunks: &[Vec<Uid>]) {
        if let Some(tx) = self.chunks.take() {
            for chunk in chunks.iter().cloned().enumerate() {
                let _ = tx.send(chunk);
            }
        }
    }
}

impl Drop for Bulk {
    /// Abandons the fetch: flags the threads and cuts their connections, so a new folder's
    /// sync never waits for the old one.
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::SeqCst);
        if let Ok(sockets) = self.sockets.lock() {
            for s in sockets.iter() {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
    }
}

struct Job {
    account: Account,
    password: String,
    raw: String,
    uid_validity: u32,
    queue: Receiver<Chunk>,
    out: Sender<Message>,
    cancel: Arc<AtomicBool>,
    sockets: Arc<Mutex<Vec<TcpStream>>>,
    taken: Arc<Mutex<HashSet<Uid>>>,
}

impl Job {
    fn run(self) {
        if let Err(e) = self.fetch_all()
            && !self.cancel.load(Ordering::SeqCst)
        {
            let _ = self.out.send(Message::Failed(e));
        }
    }

    fn fetch_all(&self) -> Result<()> {
        let mut conn = session::connect(&self.account, &self.password)?;
        if let (Ok(control), Ok(mut sockets)) = (conn.control.try_clone(), self.sockets.lock()) {
            sockets.push(control);
        }
        let opened = messages::open(&mut conn, &self.raw, true)?;
        if opened.uid_validity != self.uid_validity {
            return Err(Error::Protocol(
                "the folder changed while it was being read".into(),
            ));
        }
        while let Ok((index, uids)) = self.queue.recv() {
            if self.cancel.load(Ordering::SeqCst) {
                break;
            }
            let uids: Vec<Uid> = match self.taken.lock() {
                Ok(taken) => uids.into_iter().filter(|u| !taken.contains(u)).collect(),
                Err(_) => uids,
            };
            let rows = if uids.is_empty() {
                Vec::new()
            } else {
                messages::summaries(&mut conn, &uids)?
            };
            if self.out.send(Message::Chunk(index, rows)).is_err() {
                break;
            }
        }
        let _ = conn.session.logout();
        Ok(())
    }
}
