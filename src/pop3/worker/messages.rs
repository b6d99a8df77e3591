//! Messages: downloaded once (RETR straight into the store), then served from it; flags kept
//! locally; deletion by DELE committed with QUIT.

use std::io::Write;

use super::Worker;
use crate::error::{Error, Result};
use crate::mime::raw::Message;
use crate::mime::{Part, Section};
use crate::msg::{FlagChange, Uid};

impl Worker {
    /// The whole message: from the store, or downloaded now.
    pub(super) fn message(&mut self, id: Uid) -> Result<Vec<u8>> {
        self.known(&[id])?;
        let store = self.store()?;
        if let Some(bytes) = store.read(id)? {
            return Ok(bytes);
        }
        self.downloads.retain(|d| *d != id);
        self.download(id)
    }

    /// Every ID is in the store; an empty store (never listed) is filled from the server
    /// first, so a script may name IDs `tern list` printed in an earlier run.
    pub(super) fn known(&mut self, ids: &[Uid]) -> Result<()> {
        if self.store()?.entries().is_empty() {
            self.live()?;
        }
        let store = self.store()?;
        match ids.iter().find(|id| store.get(**id).is_none()) {
            Some(id) => Err(Error::NotFound(format!("no message with ID {id}"))),
            None => Ok(()),
        }
    }

    /// RETR into the store; the file appears only once the message is complete.
    pub(super) fn download(&mut self, id: Uid) -> Result<Vec<u8>> {
        self.live()?;
        let (Some(live), Ok(store)) = (self.live.as_mut(), self.store.as_mut()) else {
            return Err(Error::Network("the POP3 session closed".into()));
        };
        let number = *live.numbers.get(&id).ok_or_else(|| {
            Error::NotFound(format!(
                "message {id} is no longer on the server and was never downloaded"
            ))
        })?;
        let session = &mut live.session;
        store.save(id, |file| {
            let mut out = std::io::BufWriter::new(file);
            let n = session.retrieve(number, |piece| out.write_all(piece))?;
            out.flush()
                .map_err(|e| Error::Io(format!("cannot store the message: {e}")))?;
            Ok(n)
        })?;
        store.persist()?;
        store
            .read(id)?
            .ok_or_else(|| Error::Io(format!("message {id} vanished from the store")))
    }

    pub(super) fn structure(&mut self, id: Uid) -> Result<(Part, Vec<u8>)> {
        let bytes = self.message(id)?;
        let message = Message::parse(&bytes);
        Ok((message.structure(), message.header().to_vec()))
    }

    pub(super) fn part(&mut self, id: Uid, section: &Section) -> Result<Vec<u8>> {
        let bytes = self.message(id)?;
        Message::parse(&bytes)
            .section(section)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| Error::NotFound(format!("message {id} has no part {section}")))
    }

    /// Flags live only here: POP3 has none on the server.
    pub(super) fn flag(&mut self, change: &FlagChange) -> Result<()> {
        self.known(&change.uids)?;
        let store = self.store()?;
        for &id in &change.uids {
            let now = store.get(id).map(|e| e.flags).unwrap_or_default();
            store.set_flags(id, change.apply(now));
        }
        store.persist()
    }

    /// DELE each message the server still has, then QUIT, which carries the deletions out.
    /// Until QUIT succeeds nothing is removed, here or there.
    pub(super) fn delete(&mut self, ids: &[Uid]) -> Result<()> {
        self.known(ids)?;
        // A fresh session, so nothing else (expiry) is committed with this.
        self.close_session();
        let rolled_back = |e: Error| {
            Error::Refused(format!(
                "nothing was deleted: {e}. The server undoes DELE when a session ends without QUIT, so the messages are still there and here"
            ))
        };
        let live = self.live().map_err(rolled_back)?;
        for id in ids {
            if let Some(&number) = live.numbers.get(id)
                && let Err(e) = live.session.delete(number)
            {
                let _ = live.session.reset();
                return Err(rolled_back(e));
            }
        }
        let Some(live) = self.live.take() else {
            return Err(rolled_back(Error::Network("the session closed".into())));
        };
        live.session.quit().map_err(rolled_back)?;
        let store = self.store()?;
        for &id in ids {
            store.remove(id)?;
        }
        store.persist()
    }
}
