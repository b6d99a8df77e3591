//! Warm start: show the cached list before the server answers, then fetch only what changed
//! since — QRESYNC's answer to SELECT where enabled, else a UID comparison plus CONDSTORE
//! `CHANGEDSINCE` (or, on small folders, every message's flags).

use std::collections::HashSet;
use std::thread::JoinHandle;

use crossbeam_channel::Sender;

use super::{OpenFolder, Worker};
use crate::cache::{Cache, Loaded, Op};
use crate::error::Result;
use crate::imap::messages::{self, Delta, Opened};
use crate::msg::uid_map::UidMap;
use crate::msg::{Event, Flags, Folder, Summary, Uid};

/// What a warm sync starts from: the cached folder's identity and every message's flags.
pub struct Baseline {
    pub uid_validity: u32,
    pub highest_modseq: u64,
    known: UidMap<Flags>,
    /// The cached UIDs, newest first.
    uids: Vec<Uid>,
}

/// The thread reading a cached list; it ends with the warm sync's baseline.
pub type Loading = JoinHandle<Option<Baseline>>;

/// Above this many messages, a warm start without CONDSTORE does not fetch every message's
/// flags (new and vanished messages are still found).
pub const FLAG_SCAN_LIMIT: usize = 20_000;

impl Worker {
    /// The cached folder's UIDVALIDITY and MODSEQ, and a thread reading its rows that puts
    /// them on screen as they are read, while this one logs in. None if it is not cached.
    pub(super) fn load_cached(
        &self,
        folder: &Folder,
        read_only: bool,
    ) -> Option<((u32, u64), Loading)> {
        let cache = self.cache.clone()?;
        if let Some(w) = &self.cache_writes {
            w.flush();
        }
        let known = cache
            .meta(folder.name())
            .map_err(|e| tracing::warn!("cannot read the cache of {folder}: {e}"))
            .ok()??;
        let events = self.events.clone();
        let folder = folder.clone();
        std::thread::Builder::new()
            .name("cache-load".into())
            .spawn(move || show_cached(&cache, &events, &folder, read_only))
            .map_err(|e| tracing::warn!("cannot read the cache: {e}"))
            .ok()
            .map(|loading| (known, loading))
    }

    pub(super) fn warm_sync(
        &mut self,
        folder: &Folder,
        opened: Opened,
        delta: Delta,
        cached: Baseline,
    ) -> Result<()> {
        let known = cached.known;
        let qresync =
            cached.highest_modseq > 0 && self.conn.as_ref().is_some_and(|c| c.enabled("QRESYNC"));
        // The new messages are those the server names that the cache does not know: with
        // QRESYNC only the changes it reports, else every UID (a million lookups at a million).
        type Found = (Vec<Uid>, Vec<(Uid, Flags)>, Vec<Uid>, Option<Vec<Uid>>);
        let (gone, server_flags, uids, new): Found = if qresync {
            let vanished = &delta.vanished;
            let mut uids: Vec<Uid> = cached.uids;
            uids.retain(|u| !vanished.contains(*u));
            let mut new: Vec<Uid> = delta
                .changed
                .iter()
                .map(|(u, _)| *u)
                .filter(|u| !known.contains(*u))
                .collect();
            new.sort_unstable_by_key(|u| std::cmp::Reverse(*u));
            new.dedup();
            uids.extend(&new);
            let gone = known.keys().filter(|u| vanished.contains(*u)).collect();
            (gone, delta.changed, uids, Some(new))
        } else {
            let uids = self.retrying(messages::uids)?;
            let now: HashSet<Uid> = uids.iter().copied().collect();
            let gone = known.keys().filter(|u| !now.contains(u)).collect();
            let modseq = cached.highest_modseq;
            let flags = if modseq > 0 && self.conn.as_ref().is_some_and(|c| c.enabled("CONDSTORE"))
            {
                self.retrying(|c| messages::flags_changed_since(c, modseq))?
            } else if uids.len() <= FLAG_SCAN_LIMIT {
                self.retrying(messages::flags_of_all)?
            } else {
                Vec::new()
            };
            (gone, flags, uids, None)
        };
        let mut uids = uids;
        uids.sort_unstable_by_key(|u| std::cmp::Reverse(*u));
        uids.dedup();
        let new: Vec<Uid> = new.unwrap_or_else(|| {
            uids.iter()
                .copied()
                .filter(|u| !known.contains(*u))
                .collect()
        });
        let changes: Vec<(Uid, Flags)> = server_flags
            .into_iter()
            .filter(|(u, f)| known.get(*u).is_some_and(|k| k != *f))
            .collect();

        let mut flags = known;
        for u in &gone {
            flags.remove(*u);
        }
        flags.extend(changes.iter().copied());
        self.open = Some(OpenFolder {
            folder: folder.clone(),
            read_only: opened.read_only,
            uid_validity: opened.uid_validity,
            uids: uids.clone(),
            flags,
        });
        self.report_delta(folder, opened.uid_validity, gone, changes, new)?;
        self.cache_synced(folder.name(), opened.uid_validity, opened.highest_modseq);
        tracing::debug!("timing: {folder} in sync");
        self.emit(Event::SyncDone {
            folder: folder.clone(),
        });
        Ok(())
    }

    /// Cache writes never hold up mail: they queue for the cache's own thread.
    pub(super) fn cache_send(&self, op: Op) {
        if let Some(w) = &self.cache_writes {
            w.send(op);
        }
    }

    pub(super) fn cache_begin(&self, folder: &str, uid_validity: u32) {
        self.cache_send(Op::Begin {
            folder: folder.into(),
            uid_validity,
        });
    }

    pub(super) fn cache_put(&self, folder: &str, rows: &[Summary]) {
        if self.cache_writes.is_some() {
            self.cache_send(Op::put(folder, rows));
        }
    }

    /// Tells the UI how `folder` was last listed, before it opens.
    pub(super) fn remembered_view(&self, folder: &Folder) {
        let view = self.cache.as_ref().map(|c| c.view(folder.name()));
        match view {
            Some(Ok(Some(view))) => self.emit(Event::View {
                folder: folder.clone(),
                view,
            }),
            Some(Err(e)) => tracing::warn!("cannot read how {folder} was listed: {e}"),
            _ => {}
        }
    }

    pub(super) fn cache_flags(&self, folder: &str, changes: &[(Uid, Flags)]) {
        self.cache_send(Op::Flags {
            folder: folder.into(),
            changes: changes.to_vec(),
        });
    }

    pub(super) fn cache_remove(&self, folder: &str, uids: &[Uid]) {
        self.cache_send(Op::Remove {
            folder: folder.into(),
            uids: uids.to_vec(),
        });
    }

    pub(super) fn cache_synced(&self, folder: &str, uid_validity: u32, highest_modseq: u64) {
        self.cache_send(Op::Synced {
            folder: folder.into(),
            uid_validity,
            highest_modseq,
        });
    }
}

/// Puts the cached list on screen: the newest and the oldest rows first (a screenful whichever
/// way the list is sorted), then the rows between in slices as they are read, then every UID.
/// Keeps only what the warm sync compares against (the rows themselves move into the events).
/// None if the folder is not cached.
fn show_cached(
    cache: &Cache,
    events: &Sender<Event>,
    folder: &Folder,
    read_only: bool,
) -> Option<Baseline> {
    // The receiver is gone only when the program is ending.
    let emit = |ev| {
        let _ = events.send(ev);
    };
    let mut uids: Vec<Uid> = Vec::new();
    let mut known = UidMap::<Flags>::default();
    let mut uid_validity = 0;
    let loaded = cache.load_slices(folder.name(), |loaded| match loaded {
        Loaded::First {
            meta: (uv, _),
            rows,
            complete,
        } => {
            uid_validity = uv;
            tracing::debug!("timing: first cached rows read, {}", rows.len());
            known.extend(rows.iter().map(|s| (s.uid, s.flags)));
            uids = rows.iter().map(|s| s.uid).collect();
            emit(Event::Selected {
                folder: folder.clone(),
                uid_validity,
                read_only,
                complete,
                uids: uids.clone(),
            });
            if !rows.is_empty() {
                emit(Event::Summaries {
                    folder: folder.clone(),
                    uid_validity,
                    chunk: rows,
                });
            }
        }
        Loaded::Rows(rows) => {
            known.extend(rows.iter().map(|s| (s.uid, s.flags)));
            emit(Event::CachedSummaries {
                folder: folder.clone(),
                uid_validity,
                chunk: rows,
            });
        }
        Loaded::Uids(all) => {
            tracing::debug!("timing: every cached row read, {}", all.len());
            emit(Event::Listed {
                folder: folder.clone(),
                uid_validity,
                uids: all.clone(),
            });
            uids = all;
        }
    });
    let (uid_validity, highest_modseq) = loaded
        .map_err(|e| tracing::warn!("cannot read the cache of {folder}: {e}"))
        .ok()
        .flatten()?;
    Some(Baseline {
        uid_validity,
        highest_modseq,
        known,
        uids,
    })
}
