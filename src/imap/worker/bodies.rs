//! Structures and parts: from the disk cache when it has them (no round trip, so a message
//! read once opens offline too), else from the server, writing through on the cache's own
//! thread. The cache failing only costs the round trip it would have saved.

use super::Worker;
use crate::cache::{Cache, Op};
use crate::error::Result;
use crate::imap::{messages, quirks};
use crate::mime::{Part, Section};
use crate::msg::{Folder, Uid};

impl Worker {
    pub(super) fn structure(&mut self, folder: &Folder, uid: Uid) -> Result<(Part, Vec<u8>)> {
        if let Some((cache, uv)) = self.body_cache(folder) {
            match cache.structure(folder.name(), uv, uid) {
                Ok(Some(hit)) => {
                    self.cache_send(Op::structure_used(folder.name(), uid));
                    return Ok(hit);
                }
                Ok(None) => {}
                Err(e) => tracing::warn!("cannot read a cached structure: {e}"),
            }
        }
        let (root, header) = self.in_folder(folder, |c| messages::structure(c, uid))?;
        if let Some((uv, bound)) = self.body_store(folder) {
            self.cache_send(Op::structure(
                folder.name(),
                uv,
                uid,
                (&root, &header),
                bound,
            ));
        }
        Ok((root, header))
    }

    /// Gmail's labels of a message, where the server keeps them. Not cached: they change
    /// without the message changing. A failure only leaves them out.
    pub(super) fn gmail_labels(&mut self, folder: &Folder, uid: Uid) -> Vec<String> {
        if !self.conn.as_ref().is_some_and(|c| c.has(quirks::GMAIL)) {
            return Vec::new();
        }
        self.in_folder(folder, |c| messages::gmail_labels(c, uid))
            .unwrap_or_else(|e| {
                tracing::warn!("cannot fetch the labels of message {uid}: {e}");
                Vec::new()
            })
    }

    pub(super) fn part(&mut self, folder: &Folder, uid: Uid, section: &Section) -> Result<Vec<u8>> {
        if let Some(hit) = self.cached_part(folder, uid, section) {
            return Ok(hit);
        }
        let bytes = self.in_folder(folder, |c| messages::part(c, uid, section))?;
        if let Some((uv, bound)) = self.body_store(folder) {
            self.cache_send(Op::Part {
                folder: folder.name().into(),
                uid_validity: uv,
                uid,
                section: section.clone(),
                bytes: bytes.clone(),
                bound,
            });
        }
        Ok(bytes)
    }

    /// A part from the cache (text parts read before), if it has it.
    pub(super) fn cached_part(
        &mut self,
        folder: &Folder,
        uid: Uid,
        section: &Section,
    ) -> Option<Vec<u8>> {
        let (cache, uv) = self.body_cache(folder)?;
        match cache.part(folder.name(), uv, uid, section) {
            Ok(Some(hit)) => {
                self.cache_send(Op::part_used(folder.name(), uid, section));
                Some(hit)
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!("cannot read a cached part: {e}");
                None
            }
        }
    }

    /// The cache and the UIDVALIDITY its rows must have to be served: the server's, once the
    /// folder is open (opening it is needed for a fetch anyway), so a folder recreated on the
    /// server since it was cached never shows its old messages. Offline, or when the server
    /// cannot be reached, the UIDVALIDITY of the folder's cached list (the one on screen).
    fn body_cache(&mut self, folder: &Folder) -> Option<(&Cache, u32)> {
        self.account.body_cache_bytes()?;
        self.cache.as_ref()?;
        let open = |w: &Self| {
            w.open
                .as_ref()
                .filter(|o| o.folder == *folder)
                .map(|o| o.uid_validity)
        };
        let uv = match open(self) {
            Some(uv) => Some(uv),
            None if self.offline.is_some() => None,
            None => match self.in_folder(folder, |_| Ok(())) {
                Ok(()) => open(self),
                Err(e) if e.is_fatal_for_connection() => None,
                Err(_) => return None,
            },
        };
        // Offline, the cache is all there is: what was fetched before the link dropped may
        // still be queued for writing.
        if (uv.is_none() || self.offline.is_some())
            && let Some(w) = &self.cache_writes
        {
            w.flush();
        }
        let cache: &Cache = self.cache.as_ref()?;
        let uv = match uv {
            Some(uv) => uv,
            None => {
                cache
                    .meta(folder.name())
                    .map_err(|e| tracing::warn!("cannot read the cache of {folder}: {e}"))
                    .ok()??
                    .0
            }
        };
        Some((cache, uv))
    }

    /// The UIDVALIDITY a fetch from `folder` (now the open folder) is stored under, and the
    /// bound; None when bodies are not cached.
    fn body_store(&self, folder: &Folder) -> Option<(u32, u64)> {
        let bound = self.account.body_cache_bytes()?;
        self.cache_writes.as_ref()?;
        let open = self.open.as_ref().filter(|o| o.folder == *folder)?;
        Some((open.uid_validity, bound))
    }
}
