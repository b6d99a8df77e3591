//! The in-memory picture of an account that views render: folders, the open folder's
//! summaries (by UID), and fetched message structure and parts. Changed only by
//! [`Model::apply`] with events from the worker.

pub mod filter;

use std::collections::HashMap;

use crate::mime::{Part, Section};
use crate::msg::{ConnState, Event, Flags, FolderInfo, Summary, Uid};

#[derive(Debug, Default)]
pub struct Model {
    pub conn: Option<ConnState>,
    pub folders: Vec<FolderInfo>,
    pub mailbox: Option<Mailbox>,
    pub last_error: Option<String>,
    /// The worker's last notice (not an error).
    pub notice: Option<String>,
}

/// The open folder.
#[derive(Debug, Default)]
pub struct Mailbox {
    pub name: String,
    pub uid_validity: u32,
    pub read_only: bool,
    /// Every UID, newest first; rows without a summary yet are still loading.
    pub uids: Vec<Uid>,
    pub summaries: HashMap<Uid, Summary>,
    pub synced: bool,
    pub messages: HashMap<Uid, Message>,
    /// Hits of the last server search, newest first; None when no search is active.
    pub search: Option<Vec<Uid>>,
}

/// What has been fetched of one message.
#[derive(Debug, Default)]
pub struct Message {
    pub root: Option<Part>,
    pub header: Vec<u8>,
    /// Raw (transfer-encoded) part bytes by section.
    pub parts: HashMap<Section, Vec<u8>>,
    pub raw: Option<Vec<u8>>,
}

impl Model {
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Conn(state) => self.conn = Some(state),
            Event::Folders(list) => self.folders = list,
            Event::Selected {
                folder,
                uid_validity,
                read_only,
                uids,
            } => {
                self.mailbox = Some(Mailbox {
                    name: folder,
                    uid_validity,
                    read_only,
                    uids,
                    ..Mailbox::default()
                })
            }
            Event::Summaries {
                folder,
                uid_validity,
                chunk,
            } => {
                if let Some(mb) = self.current(&folder, uid_validity) {
                    mb.summaries.extend(chunk.into_iter().map(|s| (s.uid, s)));
                }
            }
            Event::SyncDone { folder } => {
                if let Some(mb) = self.mailbox.as_mut().filter(|m| m.name == folder) {
                    mb.synced = true;
                }
            }
            Event::Structure {
                folder,
                uid,
                root,
                header,
                ..
            } => {
                if let Some(mb) = self.open(&folder) {
                    let m = mb.messages.entry(uid).or_default();
                    m.root = Some(*root);
                    m.header = header;
                }
            }
            Event::PartData {
                folder,
                uid,
                section,
                bytes,
                ..
            } => {
                if let Some(mb) = self.open(&folder) {
                    mb.messages
                        .entry(uid)
                        .or_default()
                        .parts
                        .insert(section, bytes);
                }
            }
            Event::Raw {
                folder, uid, bytes, ..
            } => {
                if let Some(mb) = self.open(&folder) {
                    mb.messages.entry(uid).or_default().raw = Some(bytes);
                }
            }
            Event::Stored {
                folder,
                uids,
                add,
                flags,
                ..
            } => {
                if let Some(mb) = self.open(&folder) {
                    for uid in uids {
                        if let Some(s) = mb.summaries.get_mut(&uid) {
                            s.flags = if add {
                                Flags(s.flags.0 | flags.0)
                            } else {
                                Flags(s.flags.0 & !flags.0)
                            };
                        }
                    }
                }
            }
            // Without UIDPLUS a move leaves the originals marked \\Deleted on the server.
            Event::Copied {
                folder,
                uids,
                moved: true,
                expunged: false,
                ..
            } => {
                if let Some(mb) = self.open(&folder) {
                    for uid in uids {
                        if let Some(s) = mb.summaries.get_mut(&uid) {
                            s.flags = Flags(s.flags.0 | Flags::DELETED);
                        }
                    }
                }
            }
            Event::Copied {
                folder,
                uids,
                moved: true,
                expunged: true,
                ..
            }
            | Event::Expunged { folder, uids, .. } => {
                if let Some(mb) = self.open(&folder) {
                    mb.remove(&uids);
                }
            }
            Event::SearchResult { folder, uids, .. } => {
                if let Some(mb) = self.open(&folder) {
                    mb.search = Some(uids);
                }
            }
            Event::Arrived {
                folder,
                uid_validity,
                uids,
            } => {
                if let Some(mb) = self.current(&folder, uid_validity) {
                    mb.arrive(&uids);
                }
            }
            Event::FlagsChanged { folder, changes } => {
                if let Some(mb) = self.open(&folder) {
                    for (uid, flags) in changes {
                        if let Some(s) = mb.summaries.get_mut(&uid) {
                            s.flags = flags;
                        }
                    }
                }
            }
            Event::Notice(text) => self.notice = Some(text),
            Event::Copied { .. }
            | Event::Appended { .. }
            | Event::Done { .. }
            | Event::Queued { .. } => {}
            Event::Failed { error, .. } => self.last_error = Some(error.to_string()),
        }
    }

    fn open(&mut self, folder: &str) -> Option<&mut Mailbox> {
        self.mailbox.as_mut().filter(|m| m.name == folder)
    }

    /// The open mailbox, only if it is still the one an event is about (a late chunk of an
    /// abandoned sync must not land in the next folder).
    fn current(&mut self, folder: &str, uid_validity: u32) -> Option<&mut Mailbox> {
        self.mailbox
            .as_mut()
            .filter(|m| m.name == folder && m.uid_validity == uid_validity)
    }
}

impl Mailbox {
    /// Adds newly arrived UIDs, keeping newest-first order.
    pub fn arrive(&mut self, new: &[Uid]) {
        let known: std::collections::HashSet<Uid> = self.uids.iter().copied().collect();
        let fresh: Vec<Uid> = new.iter().copied().filter(|u| !known.contains(u)).collect();
        if fresh.is_empty() {
            return;
        }
        self.uids.extend(fresh);
        self.uids.sort_unstable_by_key(|u| std::cmp::Reverse(*u));
    }

    /// Forgets messages that left the folder.
    pub fn remove(&mut self, gone: &[Uid]) {
        let gone: std::collections::HashSet<Uid> = gone.iter().copied().collect();
        self.uids.retain(|u| !gone.contains(u));
        if let Some(hits) = self.search.as_mut() {
            hits.retain(|u| !gone.contains(u));
        }
        for u in &gone {
            self.summaries.remove(u);
            self.messages.remove(u);
        }
    }

    /// Summaries in list order (newest first), skipping rows not fetched yet.
    pub fn rows(&self) -> impl Iterator<Item = &Summary> {
        self.uids.iter().filter_map(|u| self.summaries.get(u))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(uid: Uid) -> Summary {
        Summary {
            uid,
            flags: Flags::default(),
            date: 0,
            date_offset: 0,
            size: 1,
            from: "a".into(),
            to: "bob@example.org".into(),
            subject: format!("s{uid}"),
        }
    }

    #[test]
    fn late_chunks_of_another_folder_are_ignored() {
        let mut m = Model::default();
        m.apply(Event::Selected {
            folder: "INBOX".into(),
            uid_validity: 7,
            read_only: false,
            uids: vec![3, 2, 1],
        });
        m.apply(Event::Summaries {
            folder: "Old".into(),
            uid_validity: 7,
            chunk: vec![summary(3)],
        });
        assert!(m.mailbox.as_ref().unwrap().summaries.is_empty());
        m.apply(Event::Summaries {
            folder: "INBOX".into(),
            uid_validity: 7,
            chunk: vec![summary(1), summary(3)],
        });
        let uids: Vec<Uid> = m.mailbox.as_ref().unwrap().rows().map(|s| s.uid).collect();
        assert_eq!(uids, vec![3, 1]);
    }
}
