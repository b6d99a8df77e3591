//! The connection the work runs on, and a folder's summaries streamed in chunks after its
//! cold open (`cold.rs`).

use super::{OpenFolder, Worker};
use crate::error::{Error, Result};
use crate::imap::bulk::Message as BulkMessage;
use crate::imap::messages;
use crate::imap::session::{self, Connection};
use crate::msg::{ConnState, Event, Folder, Uid};

/// Summaries per UID FETCH after the first screen: large enough for throughput, small enough
/// that the crate's whole-response buffering stays a few hundred kilobytes.
pub const CHUNK: usize = 1000;
impl Worker {
    /// The live connection, connecting (and reopening the open folder) if needed.
    pub(super) fn connection(&mut self) -> Result<&mut Connection> {
        if self.conn.is_none() {
            self.emit(Event::Conn(ConnState::Connecting {
                host: self.account.host.clone(),
                port: self.account.port(),
            }));
            if let Err(wait) = self.pace.admit(std::time::Instant::now()) {
                return Err(Error::Network(format!(
                    "reconnecting too often; next try in {} s",
                    wait.as_secs().max(1)
                )));
            }
            let early = self.early.take().and_then(|login| login.join().ok());
            let mut conn = match early {
                Some(Ok(conn)) => conn,
                // Refused: asking again at once would be refused too.
                Some(Err(e @ Error::Auth(_))) => return Err(e),
                // The server may have come up since (or the network back): try now.
                _ => session::connect(&self.account, &self.password)?,
            };
            self.show_alerts(&conn);
            self.emit(Event::Conn(ConnState::Connected(conn.info.clone())));
            self.offline = None;
            if let Some(open) = &self.open {
                // A reconnect must not silently change which folder later commands act on.
                let opened = messages::open(&mut conn, open.folder.raw(), open.read_only)?;
                if opened.uid_validity != open.uid_validity {
                    let folder = open.folder.clone();
                    self.open = None;
                    self.sync = None;
                    self.idler = None;
                    self.emit(Event::Notice(format!(
                        "{folder} was reset on the server (UIDVALIDITY changed); reloading it"
                    )));
                    self.conn = Some(conn);
                    self.select(&folder, false, 100)?;
                    return self
                        .conn
                        .as_mut()
                        .ok_or_else(|| Error::Network("not connected".into()));
                }
                self.refresh_due = true;
            }
            self.conn = Some(conn);
        }
        self.conn
            .as_mut()
            .ok_or_else(|| Error::Network("not connected".into()))
    }

    /// `[ALERT]` texts the server sent (RFC 3501 says to show them), for the status bar;
    /// other warnings are only logged, and reported back: whether there were any.
    pub(super) fn show_alerts(&self, conn: &Connection) -> bool {
        let mut warned = false;
        for w in conn.take_warnings() {
            if w.contains("[ALERT]") {
                self.emit(Event::Notice(format!(
                    "the server says: {}",
                    crate::mime::sanitize::sanitize_line(&w)
                )));
            } else {
                tracing::info!("the server warned: {w}");
                warned = true;
            }
        }
        warned
    }

    /// Runs `op` on a live connection; after a network or protocol failure reconnects and
    /// tries once more. Only for operations that change nothing on the server.
    pub(super) fn retrying<T>(
        &mut self,
        mut op: impl FnMut(&mut Connection) -> Result<T>,
    ) -> Result<T> {
        match op(self.connection()?) {
            Err(e @ Error::Limit(_)) => {
                self.conn = None;
                Err(e)
            }
            Err(e) if e.is_fatal_for_connection() => {
                tracing::warn!("retrying after: {e}");
                self.conn = None;
                op(self.connection()?)
            }
            other => other,
        }
    }

    /// Rows from a parallel fetcher: passed on in chunk order. A failed fetcher hands what is
    /// left back to the worker's own connection.
    pub(super) fn on_bulk(&mut self, message: Option<BulkMessage>) {
        let Some(sync) = self.sync.as_mut() else {
            return;
        };
        let Some(b) = sync.bulk.as_mut() else {
            return;
        };
        match message {
            Some(BulkMessage::Chunk(index, rows)) => {
                b.early.insert(index, rows);
            }
            failure => {
                if let Some(BulkMessage::Failed(e)) = failure {
                    tracing::warn!("parallel fetch stopped ({e}); continuing on one connection");
                }
                let left = b.chunks[b.next..].to_vec();
                sync.bulk = None;
                sync.chunks.extend(left);
                return;
            }
        }
        let (folder, uv) = (sync.folder.clone(), sync.uid_validity);
        let mut ready = Vec::new();
        while let Some(rows) = b.early.remove(&b.next) {
            b.next += 1;
            ready.push(rows);
        }
        let finished = b.next == b.chunks.len();
        if finished {
            // Nothing left for the fetchers: the normal end of a sync (SyncDone) follows.
            sync.bulk = None;
        }
        // A chunk is empty when every row of it was fetched ahead (`fetch_visible`).
        for rows in ready.into_iter().filter(|r| !r.is_empty()) {
            self.rows_fetched(&folder, uv, rows);
        }
    }

    /// Makes sure `folder` is the open one (reopening read-only if needed) and runs `op`.
    pub(super) fn in_folder<T>(
        &mut self,
        folder: &Folder,
        op: impl FnMut(&mut Connection) -> Result<T>,
    ) -> Result<T> {
        if self.open.as_ref().map(|o| &o.folder) != Some(folder) {
            self.reopen(folder, true)?;
        }
        self.retrying(op)
    }

    /// Opens `folder` for commands without streaming its summaries.
    pub(super) fn reopen(&mut self, folder: &Folder, read_only: bool) -> Result<()> {
        // The folder on screen comes back with its parked baseline, so the delta sync reports
        // what changed meanwhile (a fresh UID list would swallow an undone move's arrivals).
        if let Some((shown, shown_read_only)) = &self.displayed
            && shown == folder
            && (read_only || !shown_read_only)
            && self.open.as_ref().is_none_or(|o| o.folder != *folder)
        {
            return self.return_to_displayed();
        }
        let sync = self.sync.take();
        self.idler = None;
        if let Some(open) = self.open.take()
            && self
                .displayed
                .as_ref()
                .is_some_and(|(shown, _)| *shown == open.folder)
        {
            // Its unfinished sync resumes when we return to it.
            self.parked = Some((open, sync));
        }
        let (opened, uids) = self.retrying(|c| {
            let opened = messages::open(c, folder.raw(), read_only)?;
            Ok((opened, messages::uids(c)?))
        })?;
        if !read_only && opened.read_only {
            return Err(Error::Refused(format!(
                "{folder} is read-only on this server"
            )));
        }
        self.open = Some(OpenFolder {
            folder: folder.clone(),
            read_only: opened.read_only,
            uid_validity: opened.uid_validity,
            uids,
            flags: Default::default(),
        });
        Ok(())
    }

    /// After a command worked in another folder, goes back to the one the user is looking
    /// at, with its baseline, so live updates keep flowing for it.
    pub(super) fn restore_displayed(&mut self) {
        if self.conn.is_none() {
            return;
        }
        if let Err(e) = self.return_to_displayed() {
            self.fail(None, e);
        }
    }

    fn return_to_displayed(&mut self) -> Result<()> {
        let Some((shown, read_only)) = self.displayed.clone() else {
            return Ok(());
        };
        if self.open.as_ref().is_some_and(|o| o.folder == shown) {
            return Ok(());
        }
        let parked = self.parked.take();
        let opened = self.retrying(|c| messages::open(c, shown.raw(), read_only))?;
        match parked {
            Some((p, sync)) if p.folder == shown && p.uid_validity == opened.uid_validity => {
                self.open = Some(OpenFolder {
                    read_only: opened.read_only,
                    ..p
                });
                self.sync = sync;
                self.refresh_due = true;
                self.start_idler();
            }
            _ => self.select(&shown, read_only, 100)?,
        }
        Ok(())
    }

    pub(super) fn sync_step(&mut self) {
        let Some(sync) = self.sync.as_mut() else {
            return;
        };
        if sync.listing.is_some() {
            self.list_step();
            return;
        }
        let Some(chunk) = sync.chunks.pop_front() else {
            let (folder, uid_validity, modseq) =
                (sync.folder.clone(), sync.uid_validity, sync.highest_modseq);
            self.sync = None;
            self.cache_synced(folder.name(), uid_validity, modseq);
            self.emit(Event::SyncDone { folder });
            return;
        };
        let (folder, uid_validity) = (sync.folder.clone(), sync.uid_validity);
        match self.summaries(&chunk) {
            Ok(chunk) => self.rows_fetched(&folder, uid_validity, chunk),
            // The connection went (twice: `summaries` retries once): the rest of the sync
            // waits for the reconnect and resumes then. Dropped, its rows would never come,
            // since a refresh only looks for UIDs the folder did not list.
            Err(e) if e.is_fatal_for_connection() => {
                if let Some(sync) = self.sync.as_mut() {
                    sync.chunks.push_front(chunk);
                }
                self.fail(None, e);
            }
            Err(e) => {
                self.sync = None;
                self.fail(None, e);
            }
        }
    }

    /// Rows the user is about to see, ahead of the sync's order: fetched now on the worker's
    /// own connection (idle while the fetchers work, else free between two chunks) and taken
    /// out of the chunks still to fetch, its own and the fetchers'.
    pub(super) fn fetch_visible(&mut self, folder: &Folder, uids: &[Uid]) {
        let Some(open) = self.open.as_ref().filter(|o| o.folder == *folder) else {
            // The folder on screen is not the open one any more: its sync brings the rows.
            return;
        };
        let uid_validity = open.uid_validity;
        let want: Vec<Uid> = uids
            .iter()
            .copied()
            .filter(|u| !open.flags.contains(*u))
            .collect();
        if want.is_empty() {
            return;
        }
        if let Some(sync) = self.sync.as_mut().filter(|s| s.folder == *folder) {
            let taken: std::collections::HashSet<Uid> = want.iter().copied().collect();
            for chunk in sync.chunks.iter_mut() {
                chunk.retain(|u| !taken.contains(u));
            }
            sync.chunks.retain(|c| !c.is_empty());
            if let Some(b) = &sync.bulk {
                b.bulk.skip(&want);
            }
        }
        match self.summaries(&want) {
            Ok(chunk) => self.rows_fetched(folder, uid_validity, chunk),
            Err(e) => self.fail(None, e),
        }
    }

    /// Summaries of `uids` on the worker's connection, a chunk at a time.
    pub(super) fn summaries(&mut self, uids: &[Uid]) -> Result<Vec<crate::msg::Summary>> {
        let mut rows = Vec::with_capacity(uids.len());
        for chunk in uids.chunks(CHUNK) {
            rows.extend(self.retrying(|c| messages::summaries(c, chunk))?);
        }
        Ok(rows)
    }

    /// Summaries fetched for the open folder: their flags remembered, kept in the cache and
    /// handed to the model.
    pub(super) fn rows_fetched(
        &mut self,
        folder: &Folder,
        uid_validity: u32,
        rows: Vec<crate::msg::Summary>,
    ) {
        self.remember_flags(&rows);
        self.cache_put(folder.name(), &rows);
        self.emit(Event::Summaries {
            folder: folder.clone(),
            uid_validity,
            chunk: rows,
        });
    }

    pub(super) fn remember_flags(&mut self, rows: &[crate::msg::Summary]) {
        if let Some(open) = self.open.as_mut() {
            open.flags.extend(rows.iter().map(|s| (s.uid, s.flags)));
        }
    }
}
