//! Opening folders and streaming their summaries, and the connection the work runs on.

use std::collections::{BTreeMap, VecDeque};

use super::{BulkSync, Listing, OpenFolder, Sync, Worker};
use crate::error::{Error, Result};
use crate::imap::bulk::{Bulk, Message as BulkMessage};
use crate::imap::messages;
use crate::imap::session::{self, Connection};
use crate::msg::{ConnState, Event, Folder, Uid};

/// Summaries per UID FETCH after the first screen: large enough for throughput, small enough
/// that the crate's whole-response buffering stays a few hundred kilobytes.
pub const CHUNK: usize = 1000;
/// Below this many chunks after the first screen, one connection is enough.
const MIN_BULK_CHUNKS: usize = 4;
/// At most this many chunks after the first screen: the UI places each chunk into the sorted
/// list with a pass over the whole list, so a million messages in chunks of 1 000 cost it a
/// thousand passes (three quarters of the cold sync's CPU, measured); bigger folders get
/// bigger chunks instead.
const MAX_CHUNKS: usize = 100;

/// From this many messages, a cold open's first screen is fetched without its sizes, which
/// follow in a second FETCH: on Dovecot's Maildir the first size of a session costs a read of
/// the folder's whole UID list (see [`crate::imap::summary_reader::ITEMS_WITHOUT_SIZE`]),
/// about 70 ms at 50 000 messages and 1.4 s at a million.
pub const SIZES_APART_FROM: u32 = 50_000;

/// UIDs per chunk for `rest` UIDs after the first screen.
fn chunk_len(rest: usize) -> usize {
    CHUNK.max(rest.div_ceil(MAX_CHUNKS))
}

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

    /// Opens a folder for the user. With a cached copy, the list is shown at once and only
    /// the changes are fetched ([`Worker::warm_sync`]); otherwise summaries stream in chunks.
    pub(super) fn select(
        &mut self,
        folder: &Folder,
        read_only: bool,
        first_screen: usize,
    ) -> Result<()> {
        self.open = None;
        self.parked = None;
        self.displayed = Some((folder.clone(), read_only));
        self.remembered_view(folder);
        self.idler = None;
        // Reading the cached rows, and logging in and asking what changed since they were
        // current, take about as long as each other: side by side.
        let (known, loading) = self.load_cached(folder, read_only).unzip();
        let opened = self.retrying(|c| messages::open_with(c, folder.raw(), read_only, known));
        if let Ok((o, _)) = &opened {
            tracing::debug!("timing: {folder} opened, {} messages", o.exists);
        }
        let cached = loading.and_then(|l| l.join().ok()).flatten();
        let (opened, delta) = opened?;
        if let Some(conn) = &self.conn {
            self.show_alerts(conn);
        }
        match cached {
            Some(c) if c.uid_validity == opened.uid_validity => {
                self.warm_sync(folder, opened, delta, c)?;
            }
            stale => {
                if stale.is_some() {
                    self.emit(Event::Notice(format!(
                        "{folder} was reset on the server (UIDVALIDITY changed); reloading it"
                    )));
                }
                self.cold_sync(folder, opened, first_screen)?;
            }
        }
        self.start_idler();
        Ok(())
    }

    /// No usable cache: the newest screenful by sequence number first (no UID list needed);
    /// the UID list is the sync's next step ([`Worker::list_step`]), so a command already
    /// waiting (End's oldest rows, [`Worker::fetch_oldest`]) goes before it; then the rest
    /// newest-first in chunks between other commands.
    fn cold_sync(
        &mut self,
        folder: &Folder,
        opened: messages::Opened,
        first_screen: usize,
    ) -> Result<()> {
        let uv = opened.uid_validity;
        self.cache_begin(folder.name(), uv);
        let screen = u32::try_from(first_screen.max(1)).unwrap_or(u32::MAX);
        let from = opened.exists.saturating_sub(screen) + 1;
        let apart = opened.exists >= SIZES_APART_FROM;
        let (mut first, sized) = if apart {
            self.first_screen_without_size(from, opened.exists)?
        } else {
            (self.by_sequence(from, opened.exists)?, true)
        };
        tracing::debug!("timing: first screen fetched, {} rows", first.len());
        self.emit(Event::Selected {
            folder: folder.clone(),
            uid_validity: uv,
            read_only: opened.read_only,
            complete: false,
            uids: first.iter().map(|s| s.uid).collect(),
        });
        if !first.is_empty() {
            self.emit(Event::Summaries {
                folder: folder.clone(),
                uid_validity: uv,
                chunk: first.clone(),
            });
            if !sized {
                // The same rows again, with their sizes: they replace the ones on screen.
                let sizes: std::collections::HashMap<Uid, u32> = self
                    .retrying(|c| messages::sizes_by_sequence(c, from, opened.exists))?
                    .into_iter()
                    .collect();
                tracing::debug!("timing: first screen's sizes fetched");
                for s in &mut first {
                    s.size = sizes.get(&s.uid).copied().unwrap_or(s.size);
                }
                self.emit(Event::Summaries {
                    folder: folder.clone(),
                    uid_validity: uv,
                    chunk: first.clone(),
                });
            }
            self.cache_put(folder.name(), &first);
        }
        // Big folders are fetched in parallel; a few chunks are not worth the connections.
        // Those connect now, while the UID list is fetched here: not before the first
        // screen, whose fetch their logins would slow on a small machine.
        let expected_chunks = (opened.exists as usize)
            .saturating_sub(first_screen)
            .div_ceil(CHUNK);
        let big = expected_chunks >= MIN_BULK_CHUNKS;
        let bulk = big.then(|| Bulk::start(&self.account, &self.password, folder.raw(), uv));
        // Open with the rows known so far; the UID list completes `uids`.
        self.open = Some(OpenFolder {
            folder: folder.clone(),
            read_only: opened.read_only,
            uid_validity: uv,
            uids: first.iter().map(|s| s.uid).collect(),
            flags: first.iter().map(|s| (s.uid, s.flags)).collect(),
        });
        self.sync = Some(Sync {
            folder: folder.clone(),
            uid_validity: uv,
            highest_modseq: opened.highest_modseq,
            chunks: VecDeque::new(),
            bulk: None,
            listing: Some(Listing {
                exists: opened.exists,
                newest: u32::try_from(first.len()).unwrap_or(u32::MAX),
                bulk,
            }),
        });
        Ok(())
    }

    /// Summaries of the messages numbered `first..=last`. A server whose ENVELOPE the parser
    /// refuses leaves the session unusable: reconnect and ask for the raw header fields.
    fn by_sequence(&mut self, first: u32, last: u32) -> Result<Vec<crate::msg::Summary>> {
        match self.retrying(|c| messages::by_sequence(c, first, last, false)) {
            Err(Error::Protocol(why)) => {
                tracing::warn!("ENVELOPE fetch failed ({why}); falling back to header fields");
                self.conn = None;
                self.retrying(|c| messages::by_sequence(c, first, last, true))
            }
            other => other,
        }
    }

    /// A big folder's first screen without its sizes, and whether they came anyway (after a
    /// parse failure, the header-field fallback asks for them).
    fn first_screen_without_size(
        &mut self,
        first: u32,
        last: u32,
    ) -> Result<(Vec<crate::msg::Summary>, bool)> {
        match self.retrying(|c| messages::by_sequence_without_size(c, first, last)) {
            Err(Error::Protocol(why)) => {
                tracing::warn!("ENVELOPE fetch failed ({why}); falling back to header fields");
                self.conn = None;
                let rows = self.retrying(|c| messages::by_sequence(c, first, last, true))?;
                Ok((rows, true))
            }
            other => other.map(|rows| (rows, false)),
        }
    }

    /// The cold open's UID list: the rows not fetched yet (neither on the first screen nor
    /// ahead of it) become the sync's chunks, for the fetchers when the folder is big.
    fn list_step(&mut self) {
        let Some(listing) = self.sync.as_mut().and_then(|s| s.listing.take()) else {
            return;
        };
        let uids = match self.retrying(messages::uids) {
            Ok(uids) => uids,
            // Lost twice: listed after the reconnect, like a chunk (`sync_step`).
            Err(e) if e.is_fatal_for_connection() => {
                if let Some(sync) = self.sync.as_mut() {
                    sync.listing = Some(Listing {
                        bulk: None,
                        ..listing
                    });
                }
                self.fail(None, e);
                return;
            }
            Err(e) => {
                self.sync = None;
                self.fail(None, e);
                return;
            }
        };
        tracing::debug!("timing: UID list, {} UIDs", uids.len());
        let (Some(sync), Some(open)) = (self.sync.as_mut(), self.open.as_mut()) else {
            return;
        };
        let (folder, uv) = (sync.folder.clone(), sync.uid_validity);
        open.uids = uids.clone();
        let rest: Vec<Uid> = uids
            .iter()
            .copied()
            .filter(|u| !open.flags.contains_key(u))
            .collect();
        let chunks: Vec<Vec<Uid>> = rest
            .chunks(chunk_len(rest.len()))
            .map(<[Uid]>::to_vec)
            .collect();
        let mut bulk = listing.bulk;
        if bulk.is_none() && chunks.len() >= MIN_BULK_CHUNKS {
            bulk = Some(Bulk::start(&self.account, &self.password, folder.raw(), uv));
        }
        // With fetchers, this connection takes no chunk: it stays free for the rows the user
        // scrolls or jumps to (`fetch_visible`), which then wait for no chunk of 1 000.
        let mut own: VecDeque<Vec<Uid>> = chunks.into();
        // EXISTS promised more than UID SEARCH found (another client emptied the folder
        // meanwhile, or a server that miscounts): the fetchers may have nothing to do.
        sync.bulk = bulk.filter(|_| own.len() > 1).map(|mut bulk| {
            let parallel: Vec<Vec<Uid>> = own.drain(..).collect();
            bulk.fetch(&parallel);
            BulkSync {
                bulk,
                chunks: parallel,
                next: 0,
                early: BTreeMap::new(),
            }
        });
        sync.chunks = own;
        self.emit(Event::Listed {
            folder,
            uid_validity: uv,
            uids,
        });
    }

    /// End pressed before the folder is listed: its oldest `count` rows. Before the UID list
    /// they are messages `1:count` by sequence number (the lowest UIDs), so they need not
    /// wait for it; once listed, the lowest `count` UIDs, fetched as rows in view.
    pub(super) fn fetch_oldest(&mut self, folder: &Folder, count: u32) {
        let unlisted = self
            .sync
            .as_ref()
            .filter(|s| s.folder == *folder)
            .and_then(|s| s.listing.as_ref())
            .map(|l| (l.exists, l.newest));
        let Some((exists, newest)) = unlisted else {
            let oldest: Vec<Uid> = self
                .open
                .as_ref()
                .filter(|o| o.folder == *folder)
                .map(|o| {
                    let from = o.uids.len().saturating_sub(count as usize);
                    o.uids[from..].to_vec()
                })
                .unwrap_or_default();
            self.fetch_visible(folder, &oldest);
            return;
        };
        // Not the rows the first screen has already.
        let last = count.min(exists.saturating_sub(newest));
        let uid_validity = self.sync.as_ref().map_or(0, |s| s.uid_validity);
        match self.by_sequence(1, last) {
            Ok(rows) if rows.is_empty() => {}
            Ok(rows) => {
                tracing::debug!("timing: oldest {} rows fetched", rows.len());
                self.remember_flags(&rows);
                self.cache_put(folder.name(), &rows);
                self.emit(Event::Summaries {
                    folder: folder.clone(),
                    uid_validity,
                    chunk: rows,
                });
            }
            Err(e) => self.fail(None, e),
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
            self.remember_flags(&rows);
            self.cache_put(folder.name(), &rows);
            self.emit(Event::Summaries {
                folder: folder.clone(),
                uid_validity: uv,
                chunk: rows,
            });
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
            Ok(chunk) => {
                self.remember_flags(&chunk);
                self.cache_put(folder.name(), &chunk);
                self.emit(Event::Summaries {
                    folder,
                    uid_validity,
                    chunk,
                })
            }
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
            .filter(|u| !open.flags.contains_key(u))
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
            Ok(chunk) => {
                self.remember_flags(&chunk);
                self.cache_put(folder.name(), &chunk);
                self.emit(Event::Summaries {
                    folder: folder.clone(),
                    uid_validity,
                    chunk,
                });
            }
            Err(e) => self.fail(None, e),
        }
    }

    /// Summaries of `uids` on the worker's connection. A server whose ENVELOPE the parser
    /// refuses leaves the session unusable: reconnect and ask for the raw header fields.
    pub(super) fn summaries(&mut self, uids: &[Uid]) -> Result<Vec<crate::msg::Summary>> {
        let mut rows = Vec::with_capacity(uids.len());
        for chunk in uids.chunks(CHUNK) {
            let got = match self.retrying(|c| messages::summaries(c, chunk, false)) {
                Err(Error::Protocol(why)) => {
                    tracing::warn!("ENVELOPE fetch failed ({why}); falling back to header fields");
                    self.conn = None;
                    self.retrying(|c| messages::summaries(c, chunk, true))
                }
                other => other,
            }?;
            rows.extend(got);
        }
        Ok(rows)
    }

    pub(super) fn remember_flags(&mut self, rows: &[crate::msg::Summary]) {
        if let Some(open) = self.open.as_mut() {
            open.flags.extend(rows.iter().map(|s| (s.uid, s.flags)));
        }
    }
}
