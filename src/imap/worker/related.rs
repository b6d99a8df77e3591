//! [`Cmd::Related`](crate::msg::Cmd::Related): the messages of another folder (the user's
//! Sent) that belong with a conversation. The header cache answers at once, offline too; then
//! the server, which also knows what was sent since that folder was last synced, answers for
//! good. Both answers are filtered by the same rule ([`Ids::gather`]).

use super::Worker;
use crate::error::Result;
use crate::imap::actions;
use crate::msg::related::{self, Ids};
use crate::msg::{Event, Folder, ReqId, Summary, Uid};
use crate::search::Query;

/// Ids put in one SEARCH at most (each is three criteria); a longer conversation is matched
/// by its first ones, which its later messages name in their References anyway.
const MAX_SEARCH_IDS: usize = 64;

impl Worker {
    pub(super) fn related(
        &mut self,
        req: ReqId,
        folder: &Folder,
        ids: Ids,
        members: (&Folder, &[Uid]),
    ) {
        let from_cache = self.related_cached(folder, &ids);
        if let Some(found) = &from_cache {
            self.emit(Event::Related {
                req,
                folder: folder.clone(),
                found: found.clone(),
            });
        }
        if self.offline.is_some() && from_cache.is_some() {
            self.emit(Event::Done { req });
            return;
        }
        match self.related_on_server(folder, &ids, members) {
            Ok(found) => {
                self.emit(Event::Related {
                    req,
                    folder: folder.clone(),
                    found,
                });
                self.emit(Event::Done { req });
            }
            // The cached answer stands.
            Err(e) if from_cache.is_some() => {
                tracing::info!("{folder}: conversation from the cache only: {e}");
                self.emit(Event::Done { req });
            }
            Err(e) => self.fail(Some(req), e),
        }
    }

    /// The matches among `folder`'s cached rows; None when it was never synced.
    fn related_cached(&self, folder: &Folder, ids: &Ids) -> Option<Vec<Summary>> {
        let cached = self
            .cache
            .as_ref()?
            .load(folder.name())
            .map_err(|e| tracing::warn!("cannot read the cache of {folder}: {e}"))
            .ok()??;
        Some(matching(ids, cached.summaries))
    }

    /// SEARCH for any of the members' ids in the three header fields, then the hits'
    /// summaries.
    fn related_on_server(
        &mut self,
        folder: &Folder,
        ids: &Ids,
        (members_of, members): (&Folder, &[Uid]),
    ) -> Result<Vec<Summary>> {
        self.in_folder(members_of, |_| Ok(()))?;
        let texts = related::texts(&self.summaries(members)?);
        let Some(query) = search(&texts) else {
            return Ok(Vec::new());
        };
        let uids = self.in_folder(folder, |c| actions::search(c, &query))?;
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self.summaries(&uids)?;
        Ok(matching(ids, rows))
    }
}

/// The rows that belong with the conversation, oldest first. A server's HEADER search
/// matches substrings, so its hits are checked again here.
fn matching(ids: &Ids, rows: Vec<Summary>) -> Vec<Summary> {
    let keep = ids.clone().gather(|| rows.iter().map(Summary::view));
    let mut found: Vec<Summary> = rows
        .into_iter()
        .filter(|s| keep.binary_search(&s.uid).is_ok())
        .collect();
    found.sort_by_key(|s| (s.sent().0, s.uid));
    found
}

/// `OR HEADER Message-ID id OR HEADER In-Reply-To id OR HEADER References id …`.
fn search(ids: &[String]) -> Option<Query> {
    ids.iter()
        .take(MAX_SEARCH_IDS)
        .flat_map(|id| {
            [
                "HEADER Message-ID",
                "HEADER In-Reply-To",
                "HEADER References",
            ]
            .map(|key| Query::Text {
                key,
                value: id.clone(),
            })
        })
        .reduce(|a, b| Query::Or(Box::new(a), Box::new(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_names_every_id_in_the_three_fields() {
        let ids = ["a@x".to_string(), "b@y".to_string()];
        let q = search(&ids).unwrap().to_imap(false);
        assert_eq!(q.matches("HEADER ").count(), 6, "{q}");
        assert!(q.contains("HEADER References \"b@y\""), "{q}");
        assert!(search(&[]).is_none());
    }
}
