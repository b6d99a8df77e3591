//! Cache writes on a thread of their own, in batches: the worker hands changes over and goes
//! on, so the disk flush of a durable commit never holds up mail. Whatever queued while one
//! batch was being committed becomes the next batch, so a fast sync makes few, large commits.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};

use super::{Cache, Op};

enum Msg {
    Op(Op),
    /// Answered once everything sent before it is written (or given up on).
    Flush(Sender<()>),
}

pub struct Writer {
    queue: Option<Sender<Msg>>,
    thread: Option<JoinHandle<()>>,
    /// Something was sent since the last flush: a flush with nothing to wait for (as at
    /// start, before a folder's cached rows are read) does not wake the writer's thread.
    unflushed: std::cell::Cell<bool>,
}

impl Writer {
    pub fn start(cache: Arc<Cache>) -> Writer {
        let (tx, rx) = unbounded();
        let thread = std::thread::Builder::new()
            .name("cache-writer".into())
            .spawn(move || run(&cache, &rx))
            .map_err(|e| tracing::warn!("header cache writes off: cannot start a thread: {e}"))
            .ok();
        Writer {
            queue: thread.as_ref().map(|_| tx),
            thread,
            unflushed: std::cell::Cell::new(false),
        }
    }

    pub fn send(&self, op: Op) {
        if let Some(q) = &self.queue {
            self.unflushed.set(true);
            let _ = q.send(Msg::Op(op));
        }
    }

    /// Waits until everything sent so far is on disk, so a read sees it.
    pub fn flush(&self) {
        if !self.unflushed.replace(false) {
            return;
        }
        let (done, wait) = bounded(1);
        if let Some(q) = &self.queue
            && q.send(Msg::Flush(done)).is_ok()
        {
            let _ = wait.recv();
        }
    }
}

impl Drop for Writer {
    /// Finishes the queued writes: the last one records that a folder is in sync.
    fn drop(&mut self) {
        self.queue = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Past this many changes a batch is committed even if more are waiting, so one commit's
/// memory stays bounded.
const MAX_BATCH: usize = 64;
/// Rows that stream in are gathered this long into one commit: a sync's chunks come a few
/// tens of milliseconds apart, and a commit each (pages rewritten, a disk flush) was a tenth
/// of a cold sync's CPU.
const GATHER: Duration = Duration::from_millis(250);

fn run(cache: &Cache, queue: &Receiver<Msg>) {
    let mut failed = false;
    while let Ok(first) = queue.recv() {
        let began = Instant::now();
        let mut ops = Vec::new();
        let mut waiting = Vec::new();
        // Only rows are worth waiting for: anyone flushing, or a sync's end, is answered at once.
        let mut only_rows = true;
        let mut next = Some(first);
        while let Some(msg) = next.take() {
            match msg {
                Msg::Op(op) => {
                    only_rows &= matches!(op, Op::Put { .. });
                    ops.push(op);
                }
                Msg::Flush(done) => {
                    only_rows = false;
                    waiting.push(done);
                }
            }
            if ops.len() >= MAX_BATCH {
                break;
            }
            next = match GATHER.checked_sub(began.elapsed()) {
                Some(left) if only_rows => queue.recv_timeout(left).ok(),
                _ => queue.try_recv().ok(),
            };
        }
        // After a failure nothing more is written: a later "in sync" mark must not vouch
        // for rows that were lost.
        if !failed && let Err(e) = cache.apply(&ops) {
            tracing::warn!("header cache: writes stopped after a failure: {e}");
            failed = true;
        }
        // A sync's last write: the rows it encoded (on the worker's thread, so in that
        // thread's arena) are freed now, after the UI handed memory back at the sync's end.
        let synced = ops.iter().any(|op| matches!(op, Op::Synced { .. }));
        drop(ops);
        if synced && queue.is_empty() {
            crate::memory::give_back();
        }
        for done in waiting {
            let _ = done.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::tests::row;

    #[test]
    fn queued_writes_are_seen_after_a_flush_and_kept_after_drop() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Arc::new(Cache::open(&dir.path().join("c.redb")).unwrap());
        let writer = Writer::start(cache.clone());
        writer.send(Op::Begin {
            folder: "INBOX".into(),
            uid_validity: 3,
        });
        for uid in 1..=300 {
            writer.send(Op::put("INBOX", &[row(uid, "s")]));
        }
        writer.flush();
        assert_eq!(cache.load("INBOX").unwrap().unwrap().summaries.len(), 300);
        writer.send(Op::Remove {
            folder: "INBOX".into(),
            uids: vec![1, 2],
        });
        writer.send(Op::Synced {
            folder: "INBOX".into(),
            uid_validity: 3,
            highest_modseq: 9,
        });
        drop(writer);
        let got = cache.load("INBOX").unwrap().unwrap();
        assert_eq!((got.summaries.len(), got.highest_modseq), (298, 9));
    }
}
