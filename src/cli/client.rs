//! A worker for one CLI command: send a command, wait for the event that answers it.

use std::time::Duration;

use crate::config::Account;
use crate::error::{Error, Result};
use crate::imap::worker;
use crate::mime::{Part, Section};
use crate::msg::{Cancel, Cmd, Event, Folder, FolderInfo, ReqId, SaveTo, Summary, Uid};

pub struct Client {
    handle: Option<worker::Handle>,
    next_req: ReqId,
}

/// No single step of a CLI command may take longer than this without the worker reporting.
const STEP_TIMEOUT: Duration = Duration::from_secs(600);

impl Client {
    pub fn new(account: Account, password: String) -> Self {
        Client {
            handle: Some(crate::backend::spawn(account, password)),
            next_req: 1,
        }
    }

    pub fn send(&mut self, cmd: Cmd) -> Result<()> {
        self.handle
            .as_ref()
            .and_then(|h| h.commands.send(cmd).ok())
            .ok_or_else(|| Error::Io("the IMAP worker stopped unexpectedly".into()))
    }

    /// The next event; a failure becomes an error.
    pub fn next(&mut self) -> Result<Event> {
        let event = self
            .handle
            .as_ref()
            .ok_or_else(|| Error::Io("the IMAP worker is gone".into()))?
            .events
            .recv_timeout(STEP_TIMEOUT)
            .map_err(|_| Error::Network("no answer from the IMAP worker".into()))?;
        match event {
            Event::Failed { error, .. } => Err(error),
            other => Ok(other),
        }
    }

    /// Sends the command `make` builds for a fresh request id; returns the event answering it.
    pub fn call(&mut self, make: impl FnOnce(ReqId) -> Cmd) -> Result<Event> {
        self.next_req += 1;
        let req = self.next_req;
        self.send(make(req))?;
        loop {
            let event = self.next()?;
            if event.req() == Some(req) {
                return Ok(event);
            }
        }
    }

    pub fn folders(&mut self) -> Result<Vec<FolderInfo>> {
        self.send(Cmd::ListFolders)?;
        loop {
            if let Event::Folders(list) = self.next()? {
                return Ok(list);
            }
        }
    }

    /// Structure and header of one message, without opening the folder for a full sync.
    pub fn structure(&mut self, folder: &Folder, uid: Uid) -> Result<(Part, Vec<u8>)> {
        self.structure_and_labels(folder, uid)
            .map(|(root, header, _)| (root, header))
    }

    /// [`Client::structure`] and Gmail's labels of the message (empty elsewhere).
    pub fn structure_and_labels(
        &mut self,
        folder: &Folder,
        uid: Uid,
    ) -> Result<(Part, Vec<u8>, Vec<String>)> {
        match self.call(|req| Cmd::FetchStructure {
            req,
            folder: folder.clone(),
            uid,
        })? {
            Event::Structure {
                root,
                header,
                labels,
                ..
            } => Ok((*root, header, labels)),
            _ => Err(Error::NotFound(format!("no message with UID {uid}"))),
        }
    }

    pub fn part(&mut self, folder: &Folder, uid: Uid, section: &Section) -> Result<Vec<u8>> {
        match self.call(|req| Cmd::FetchPart {
            req,
            folder: folder.clone(),
            uid,
            section: section.clone(),
        })? {
            Event::PartData { bytes, .. } => Ok(bytes),
            _ => Err(Error::NotFound(format!(
                "message {uid} has no part {section}"
            ))),
        }
    }

    /// Writes `part` to `to` as it arrives; the path written (None: standard output).
    pub fn save(
        &mut self,
        folder: &Folder,
        uid: Uid,
        part: Part,
        to: SaveTo,
    ) -> Result<Option<std::path::PathBuf>> {
        self.next_req += 1;
        let req = self.next_req;
        self.send(Cmd::SavePart {
            req,
            folder: folder.clone(),
            uid,
            part: Box::new(part),
            to,
            cancel: Cancel::default(),
        })?;
        loop {
            if let Event::Saved { req: r, path } = self.next()?
                && r == req
            {
                return Ok(path);
            }
        }
    }

    /// Summaries of exactly `uids`, newest first.
    pub fn summaries(&mut self, folder: &Folder, uids: Vec<Uid>) -> Result<Vec<Summary>> {
        self.next_req += 1;
        let req = self.next_req;
        self.send(Cmd::FetchSummaries {
            req,
            folder: folder.clone(),
            uids,
        })?;
        let mut rows = Vec::new();
        loop {
            match self.next()? {
                Event::Summaries { chunk, .. } => rows.extend(chunk),
                Event::Done { req: r } if r == req => break,
                _ => {}
            }
        }
        rows.sort_unstable_by_key(|s| std::cmp::Reverse(s.uid));
        Ok(rows)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.shutdown();
        }
    }
}
