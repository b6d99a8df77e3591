//! Structures and parts: from the disk cache when it has them (no round trip, so a message
//! read once opens offline too), else from the server, writing through. The cache failing
//! only costs the round trip it would have saved.

use super::Worker;
use crate::cache::Cache;
use crate::error::Result;
use crate::imap::messages;
use crate::mime::{Part, Section};
use crate::msg::Uid;

impl Worker {
    pub(super) fn structure(&mut self, folder: &str, uid: Uid) -> Result<(Part, Vec<u8>)> {
        if let Some((cache, uv)) = self.body_cache(folder) {
            match cache.structure(folder, uv, uid) {
                Ok(Some(hit)) => return Ok(hit),
                Ok(None) => {}
                Err(e) => tracing::warn!("cannot read a cached structure: {e}"),
            }
        }
        let (root, header) = self.in_folder(folder, |c| messages::structure(c, uid))?;
        if let Some((cache, uv, bound)) = self.body_store(folder)
            && let Err(e) = cache.put_structure(folder, uv, uid, (&root, &header), bound)
        {
            tracing::warn!("cannot cache a structure: {e}");
        }
        Ok((root, header))
    }

    pub(super) fn part(&mut self, folder: &str, uid: Uid, section: &Section) -> Result<Vec<u8>> {
        if let Some((cache, uv)) = self.body_cache(folder) {
            match cache.part(folder, uv, uid, section) {
                Ok(Some(hit)) => return Ok(hit),
                Ok(None) => {}
                Err(e) => tracing::warn!("cannot read a cached part: {e}"),
            }
        }
        let bytes = self.in_folder(folder, |c| messages::part(c, uid, section))?;
        if let Some((cache, uv, bound)) = self.body_store(folder)
            && let Err(e) = cache.put_part(folder, uv, uid, section, &bytes, bound)
        {
            tracing::warn!("cannot cache a part: {e}");
        }
        Ok(bytes)
    }

    /// The cache and the UIDVALIDITY its rows must have to be served: the open folder's, else
    /// that of the folder's cached list (the one on screen when offline).
    fn body_cache(&self, folder: &str) -> Option<(&Cache, u32)> {
        self.account.body_cache_bytes()?;
        let cache = self.cache.as_ref()?;
        let uv = match self.open.as_ref().filter(|o| o.name == folder) {
            Some(open) => open.uid_validity,
            None => cache
                .uid_validity(folder)
                .map_err(|e| tracing::warn!("cannot read the cache of {folder}: {e}"))
                .ok()??,
        };
        Some((cache, uv))
    }

    /// Where a fetch from `folder` (now the open folder) is written through, and the bound.
    fn body_store(&self, folder: &str) -> Option<(&Cache, u32, u64)> {
        let bound = self.account.body_cache_bytes()?;
        let open = self.open.as_ref().filter(|o| o.name == folder)?;
        Some((self.cache.as_ref()?, open.uid_validity, bound))
    }
}
