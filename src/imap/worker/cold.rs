//! Opening a folder: with its cache, the warm start (`warm.rs`); without, the cold open, which
//! shows the newest screenful by sequence number first, then lists the UIDs and hands the rest
//! to the chunked sync (`sync.rs`).

use std::collections::{BTreeMap, VecDeque};

use super::sync::CHUNK;
use super::{BulkSync, Listing, OpenFolder, Sync, Worker};
use crate::error::Result;
use crate::imap::bulk::Bulk;
use crate::imap::messages;
use crate::msg::{Event, Folder, Uid};

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
        let mut first = self.by_sequence(from, opened.exists, !apart)?;
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
            if apart {
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

    /// Summaries of the messages numbered `first..=last`, with their sizes if `sizes` (a big
    /// folder's first screen goes without: [`SIZES_APART_FROM`]).
    fn by_sequence(
        &mut self,
        first: u32,
        last: u32,
        sizes: bool,
    ) -> Result<Vec<crate::msg::Summary>> {
        self.retrying(|c| {
            if sizes {
                messages::by_sequence(c, first, last)
            } else {
                messages::by_sequence_without_size(c, first, last)
            }
        })
    }

    /// The cold open's UID list: the rows not fetched yet (neither on the first screen nor
    /// ahead of it) become the sync's chunks, for the fetchers when the folder is big.
    pub(super) fn list_step(&mut self) {
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
            .filter(|u| !open.flags.contains(*u))
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
        match self.by_sequence(1, last, true) {
            Ok(rows) if rows.is_empty() => {}
            Ok(rows) => {
                tracing::debug!("timing: oldest {} rows fetched", rows.len());
                self.rows_fetched(folder, uid_validity, rows);
            }
            Err(e) => self.fail(None, e),
        }
    }
}
