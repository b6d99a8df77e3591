//! The list: warm from the store, then UIDL + LIST, headers (`TOP n 0`) newest first, and
//! polls that report arrivals and removals like IMAP's.

use std::collections::HashSet;
use std::time::Instant;

use super::{UID_VALIDITY, Worker, inbox_folder, poll_interval};
use crate::config::Pop3Download;
use crate::error::Result;
use crate::msg::{Event, Flag, FolderInfo, FolderStatus, SpecialUse, Summary, Uid};
use crate::pop3::session::Listed;
use crate::pop3::store::summary_from_header;

/// Headers fetched between two looks at the command queue.
const TOP_BATCH: usize = 50;
/// Rows fetched between two writes of the store's index.
const PERSIST_EVERY: usize = 1000;

impl Worker {
    pub(super) fn list_folders(&mut self) {
        let status = self.store.as_ref().ok().map(|s| {
            let listed = s
                .entries()
                .iter()
                .filter(|e| !e.gone || e.downloaded.is_some());
            let (messages, unseen) = listed.fold((0, 0), |(m, u), e| {
                (m + 1, u + u32::from(!e.flags.has(Flag::Seen)))
            });
            FolderStatus {
                messages,
                unseen,
                uid_next: 0,
                uid_validity: UID_VALIDITY,
            }
        });
        self.emit(Event::Folders(vec![FolderInfo {
            folder: inbox_folder(),
            attributes: Vec::new(),
            special: Some(SpecialUse::Inbox),
            selectable: true,
            subscribed: true,
            status,
        }]));
    }

    /// Every ID in the list, newest first.
    fn ids(&self) -> Vec<Uid> {
        self.store.as_ref().map_or_else(
            |_| Vec::new(),
            |s| s.entries().iter().rev().map(|e| e.id).collect(),
        )
    }

    /// Warm rows first (no server), then the server's list and the first screen's headers.
    pub(super) fn select(&mut self, first_screen: usize) -> Result<()> {
        // A fresh session: an open one holds the listing of its start.
        self.close_session();
        self.selected = true;
        self.listed = false;
        self.tops.clear();
        let ids = self.ids();
        let warm = !ids.is_empty();
        if warm {
            self.emit(Event::Selected {
                folder: inbox_folder(),
                uid_validity: UID_VALIDITY,
                read_only: false,
                complete: true,
                uids: ids,
            });
            // The first screen on its own, so it shows before the rest is copied.
            let mut rows = self.store()?.entries().iter().rev();
            let screen: Vec<Summary> = rows
                .by_ref()
                .filter_map(|e| e.summary.clone())
                .take(first_screen.max(1))
                .collect();
            let rest: Vec<Summary> = rows.filter_map(|e| e.summary.clone()).collect();
            self.send_rows(screen);
            self.send_rows(rest);
        }
        self.sync_done_owed = true;
        if let Err(e) = self.live() {
            // Offline (or refused): the stored list, if any, is what there is; the error
            // comes first, so a script listing the mailbox fails rather than prints nothing.
            self.fail(None, e);
            if warm {
                self.finish_sync();
            }
            self.sync_done_owed = false;
            return Ok(());
        }
        let first: Vec<Uid> = (0..first_screen.max(1))
            .map_while(|_| self.tops.pop_front())
            .collect();
        let chunk = self.fetch_headers(&first)?;
        if !chunk.is_empty() {
            self.send_rows(chunk);
            self.store()?.persist()?;
        }
        if self.tops.is_empty() {
            self.finish_sync();
        }
        Ok(())
    }

    fn finish_sync(&mut self) {
        if std::mem::take(&mut self.sync_done_owed) {
            self.emit(Event::SyncDone {
                folder: inbox_folder(),
            });
        }
        if self.account.pop3_download == Pop3Download::All && self.live.is_some() {
            self.downloads = self
                .store
                .as_ref()
                .map(|s| {
                    s.entries()
                        .iter()
                        .rev()
                        .filter(|e| e.downloaded.is_none() && !e.gone)
                        .map(|e| e.id)
                        .collect()
                })
                .unwrap_or_default();
        }
    }

    fn send_rows(&self, chunk: Vec<Summary>) {
        if !chunk.is_empty() {
            self.emit(Event::Summaries {
                folder: inbox_folder(),
                uid_validity: UID_VALIDITY,
                chunk,
            });
        }
    }

    /// Brings the store in step with a session's listing: new messages get IDs, messages
    /// the server dropped are marked gone (kept when downloaded, else forgotten). Reports
    /// the changes when INBOX is open.
    pub(super) fn reconcile(&mut self, listing: Vec<Listed>) -> Result<()> {
        let store = self.store.as_mut().map_err(|e| e.clone())?;
        let known: HashSet<Uid> = store.entries().iter().map(|e| e.id).collect();
        let mut numbers = std::collections::HashMap::with_capacity(listing.len());
        let mut sizes = std::collections::HashMap::with_capacity(listing.len());
        let mut new = Vec::new();
        // The index is rewritten (and synced) only when this listing changed it.
        let mut changed = false;
        for l in &listing {
            let id = store.id_for(&l.uidl);
            if !known.contains(&id) {
                new.push(id);
            }
            if store.get(id).is_some_and(|e| e.gone) {
                store.set_gone(id, false);
                changed = true;
            }
            numbers.insert(id, l.number);
            sizes.insert(id, l.size);
        }
        let mut removed = Vec::new();
        let stale: Vec<(Uid, bool)> = store
            .entries()
            .iter()
            .filter(|e| !numbers.contains_key(&e.id) && !e.gone)
            .map(|e| (e.id, e.downloaded.is_some()))
            .collect();
        changed |= !new.is_empty() || !stale.is_empty();
        for (id, downloaded) in stale {
            if downloaded {
                store.set_gone(id, true);
            } else {
                store.remove(id)?;
                removed.push(id);
            }
        }
        if changed {
            store.persist()?;
        }
        let missing: Vec<Uid> = store
            .entries()
            .iter()
            .rev()
            .filter(|e| e.summary.is_none() && numbers.contains_key(&e.id))
            .map(|e| e.id)
            .collect();
        if let Some(live) = self.live.as_mut() {
            live.numbers = numbers;
            live.sizes = sizes;
        }
        if !self.selected {
            return Ok(());
        }
        self.tops = missing.into();
        if !self.listed {
            self.listed = true;
            let ids = self.ids();
            let ev = if self.store()?.entries().len() == new.len() {
                Event::Selected {
                    folder: inbox_folder(),
                    uid_validity: UID_VALIDITY,
                    read_only: false,
                    complete: true,
                    uids: ids,
                }
            } else {
                Event::Listed {
                    folder: inbox_folder(),
                    uid_validity: UID_VALIDITY,
                    uids: ids,
                }
            };
            self.emit(ev);
            return Ok(());
        }
        if !removed.is_empty() {
            self.emit(Event::Expunged {
                req: None,
                folder: inbox_folder(),
                uids: removed,
            });
        }
        if !new.is_empty() {
            new.reverse();
            self.emit(Event::Arrived {
                folder: inbox_folder(),
                uid_validity: UID_VALIDITY,
                uids: new.clone(),
            });
            self.tops.retain(|id| !new.contains(id));
            let rows = self.fetch_headers(&new)?;
            self.send_rows(rows);
            self.store()?.persist()?;
        }
        Ok(())
    }

    /// `TOP n 0` for these IDs (those the session lists), kept in the store (written to
    /// disk by the caller) and returned as rows.
    pub(super) fn fetch_headers(&mut self, ids: &[Uid]) -> Result<Vec<Summary>> {
        let live = self.live()?;
        let listed: Vec<(Uid, u32, u64)> = ids
            .iter()
            .filter_map(|id| Some((*id, *live.numbers.get(id)?, *live.sizes.get(id)?)))
            .collect();
        let numbers: Vec<u32> = listed.iter().map(|(_, n, _)| *n).collect();
        let headers = live.session.headers(&numbers)?;
        let store = self.store()?;
        let mut rows = Vec::with_capacity(listed.len());
        for ((id, _, size), header) in listed.into_iter().zip(headers) {
            let flags = store.get(id).map(|e| e.flags).unwrap_or_default();
            store.set_summary(summary_from_header(id, &header, size, flags));
            rows.extend(store.get(id).and_then(|e| e.summary.clone()));
        }
        Ok(rows)
    }

    /// One batch of background work: headers, then downloads.
    pub(super) fn background_step(&mut self) {
        let result = if !self.tops.is_empty() {
            let batch: Vec<Uid> = (0..TOP_BATCH)
                .map_while(|_| self.tops.pop_front())
                .collect();
            self.fetch_headers(&batch).and_then(|rows| {
                self.send_rows(rows);
                // The index is rewritten whole: every thousand rows, not every batch.
                if self.tops.len() % PERSIST_EVERY < TOP_BATCH {
                    self.store()?.persist()?;
                }
                if self.tops.is_empty() {
                    self.finish_sync();
                }
                Ok(())
            })
        } else if let Some(id) = self.downloads.pop_front() {
            self.download(id).map(drop)
        } else {
            Ok(())
        };
        if let Err(e) = result {
            self.tops.clear();
            self.downloads.clear();
            self.finish_sync();
            self.fail(None, e);
        }
    }

    /// A fresh session's UIDL: arrivals and removals since the last one.
    pub(super) fn poll(&mut self) {
        self.next_poll = Instant::now() + poll_interval(&self.account);
        if !self.selected {
            return;
        }
        self.close_session();
        if let Err(e) = self.live() {
            self.fail(None, e);
        }
    }

    /// Rows for exactly these IDs: from the store, headers fetched for those without.
    pub(super) fn summaries(&mut self, ids: &[Uid]) -> Result<Vec<Summary>> {
        let store = self.store()?;
        let (mut rows, missing): (Vec<Summary>, Vec<Uid>) =
            ids.iter()
                .fold((Vec::new(), Vec::new()), |(mut rows, mut missing), id| {
                    match store.get(*id).and_then(|e| e.summary.clone()) {
                        Some(row) => rows.push(row),
                        None if store.get(*id).is_some() => missing.push(*id),
                        None => {}
                    }
                    (rows, missing)
                });
        if !missing.is_empty() {
            rows.extend(self.fetch_headers(&missing)?);
            self.store()?.persist()?;
        }
        rows.sort_unstable_by_key(|s| std::cmp::Reverse(s.uid));
        Ok(rows)
    }
}
