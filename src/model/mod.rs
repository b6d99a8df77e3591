//! The in-memory picture of an account that views render: folders, the open folder's
//! summaries (by UID, listed in the folder's [`sort`] order), and fetched message structure
//! and parts. Changed only by [`Model::apply`] with events from the worker, and by
//! [`Model::set_order`] / [`Model::start_sort`] and [`Model::set_threads`] /
//! [`Model::start_threads`] when the user sorts or lists threads.
//! [`threads`] groups messages into conversations, [`conversations`] keeps a folder's thread
//! order up to date.

pub mod conversations;
pub mod filter;
pub mod gather_job;
pub mod job;
mod mailbox;
pub mod sort;
pub mod sort_job;
mod sorting;
pub mod store;
pub mod thread_job;
mod threading;
pub mod threads;
pub mod view;

use std::collections::HashMap;

use crate::msg::{ConnState, Event, Flag, Flags, Folder, FolderInfo, FolderStatus, Uid};
use conversations::Conversations;
use mailbox::Known;
pub use mailbox::{BODY_BUDGET, Mailbox, Message};
use sort::SortOrder;
use store::Summaries;
pub use view::{Folded, View};

#[derive(Debug, Default)]
pub struct Model {
    pub conn: Option<ConnState>,
    pub folders: Vec<FolderInfo>,
    /// Where the server wants new top-level folders (NAMESPACE), e.g. `INBOX.`; empty when
    /// anywhere will do.
    pub personal_prefix: String,
    pub mailbox: Option<Mailbox>,
    pub last_error: Option<String>,
    /// The worker's last notice (not an error).
    pub notice: Option<String>,
    /// How each folder is listed, as chosen this session; a folder not named is in the
    /// default order, not threaded.
    views: HashMap<Folder, View>,
}

impl Model {
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Conn(state) => self.conn = Some(state),
            Event::Folders(list) => self.folders = list,
            Event::Namespace { personal } => self.personal_prefix = personal,
            // What the cache remembers, unless the folder was listed otherwise this session
            // (that choice may not have reached the cache yet).
            Event::View { folder, view } => match view.parse() {
                Ok(view) => {
                    self.views.entry(folder).or_insert(view);
                }
                Err(e) => tracing::warn!("ignoring how {folder} was listed ({view:?}): {e}"),
            },
            Event::FolderStatus { folder, status } => {
                if let Some(f) = self.folders.iter_mut().find(|f| f.folder == folder) {
                    f.status = Some(status);
                }
            }
            Event::Selected {
                folder,
                uid_validity,
                read_only,
                complete,
                uids,
            } => {
                let (order, threads) = self
                    .views
                    .get(&folder)
                    .map_or((SortOrder::default(), false), |v| (v.order, v.threads));
                let mut mb = Mailbox {
                    order,
                    threads: threads.then(Conversations::default),
                    threading: None,
                    sorting: None,
                    gathering: None,
                    folder,
                    uid_validity,
                    read_only,
                    listed: complete,
                    summaries: {
                        let mut all = Summaries::default();
                        all.reserve(uids.len());
                        all
                    },
                    uids,
                    generation: self.mailbox.as_ref().map_or(0, |m| m.generation + 1),
                    synced: false,
                    messages: HashMap::new(),
                    search: None,
                    arrivals: Default::default(),
                    unseen_rows: 0,
                    fetched: Default::default(),
                };
                mb.sort_from_server();
                self.mailbox = Some(mb);
            }
            Event::Summaries {
                folder,
                uid_validity,
                chunk,
            } => {
                if let Some(mb) = self.current(&folder, uid_validity) {
                    mb.rows_came(&chunk, false);
                }
            }
            Event::CachedSummaries {
                folder,
                uid_validity,
                chunk,
            } => {
                if let Some(mb) = self.current(&folder, uid_validity) {
                    mb.rows_came(&chunk, true);
                }
            }
            Event::Listed {
                folder,
                uid_validity,
                uids,
            } => {
                if let Some(mb) = self.current(&folder, uid_validity) {
                    mb.summaries.reserve(uids.len());
                    mb.uids = uids;
                    mb.listed = true;
                    mb.sort_now();
                    mb.sort_from_server();
                    mb.generation += 1;
                }
            }
            Event::SyncDone { folder } => {
                if let Some(mb) = self.mailbox.as_mut().filter(|m| m.folder == folder) {
                    mb.synced = true;
                }
            }
            Event::Structure {
                folder,
                uid,
                root,
                header,
                labels,
                ..
            } => {
                if let Some(mb) = self.open(&folder) {
                    // The structure says exactly what the summary's Content-Type suggested.
                    mb.summaries.set_attachment(&uid, root.has_attachments());
                    let m = mb.message_mut(uid);
                    m.root = Some(*root);
                    m.header = header;
                    m.labels = labels;
                    mb.trim_bodies();
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
                    mb.message_mut(uid).parts.insert(section, bytes);
                    mb.trim_bodies();
                }
            }
            Event::Raw {
                folder, uid, bytes, ..
            } => {
                if let Some(mb) = self.open(&folder) {
                    mb.message_mut(uid).raw = Some(bytes);
                    mb.trim_bodies();
                }
            }
            Event::Stored { change, .. } => {
                let changes: Vec<(Uid, Flags)> = self
                    .open(&change.folder)
                    .map(|mb| {
                        change
                            .uids
                            .iter()
                            .filter_map(|u| mb.summaries.get(u))
                            .map(|s| (s.uid, change.apply(s.flags)))
                            .collect()
                    })
                    .unwrap_or_default();
                self.set_flags(&change.folder, changes);
            }
            // Without UIDPLUS a move leaves the originals marked \\Deleted on the server.
            // The destination's counts come from the server: the worker asks for its STATUS
            // right after the copy ([`Event::FolderStatus`]).
            Event::Copied {
                folder,
                uids,
                moved,
                expunged,
                ..
            } => match (moved, expunged) {
                (true, true) => self.remove(&folder, &uids),
                (true, false) => {
                    let changes: Vec<(Uid, Flags)> = self
                        .open(&folder)
                        .map(|mb| {
                            uids.iter()
                                .filter_map(|u| mb.summaries.get(u))
                                .map(|s| (s.uid, s.flags.with(Flag::Deleted)))
                                .collect()
                        })
                        .unwrap_or_default();
                    self.set_flags(&folder, changes);
                }
                _ => {}
            },
            Event::Expunged { folder, uids, .. } => self.remove(&folder, &uids),
            Event::SearchResult { folder, uids, .. } => {
                if let Some(mb) = self.open(&folder) {
                    mb.search = Some(uids);
                    mb.sort_from_server();
                }
            }
            Event::Arrived {
                folder,
                uid_validity,
                uids,
            } => {
                if let Some(mb) = self.current(&folder, uid_validity)
                    && mb.arrive(&uids) > 0
                {
                    mb.generation += 1;
                }
            }
            Event::FlagsChanged { folder, changes } => self.set_flags(&folder, changes),
            Event::Notice(text) => self.notice = Some(text),
            // Messages of another folder, for the conversation view only.
            Event::Related { .. }
            | Event::Appended { .. }
            | Event::Done { .. }
            | Event::Queued { .. }
            | Event::SaveProgress { .. }
            | Event::Saved { .. } => {}
            Event::Failed { error, .. } => self.last_error = Some(error.to_string()),
        }
    }

    /// New flags for messages of `folder`, keeping its unread count in step.
    fn set_flags(&mut self, folder: &Folder, changes: Vec<(Uid, Flags)>) {
        let Some(mb) = self.open(folder) else {
            return;
        };
        let mut changed = Vec::with_capacity(changes.len());
        for (uid, flags) in changes {
            if let Some(old) = mb.summaries.set_flags(&uid, flags) {
                mb.unseen_rows -= usize::from(!old.has(Flag::Seen));
                mb.unseen_rows += usize::from(!flags.has(Flag::Seen));
                changed.push(uid);
            }
        }
        mb.note_moved(&changed);
        // Unread or flagged first: a message read or flagged moves.
        if mb.order.unread_first || mb.order.flagged_first {
            mb.reorder(&changed);
            mb.generation += 1;
        }
    }

    fn remove(&mut self, folder: &Folder, uids: &[Uid]) {
        let Some(mb) = self.open(folder) else {
            return;
        };
        mb.remove(uids);
        mb.generation += 1;
    }

    /// A folder's message and unread counts, decided here and nowhere else. The open folder,
    /// once synced, counts its own rows: exact, and moved at once by whatever happens in it
    /// (arrivals, expunges, flags), with no STATUS to add them to twice. Every other folder
    /// shows the server's last STATUS, which the worker refreshes periodically and at once
    /// after tern copies or moves mail in or out of it.
    pub fn counts(&self, info: &FolderInfo) -> Option<FolderStatus> {
        match &self.mailbox {
            Some(mb) if mb.synced && mb.folder == info.folder => Some(FolderStatus {
                messages: u32::try_from(mb.uids.len()).unwrap_or(u32::MAX),
                unseen: u32::try_from(mb.unseen()).unwrap_or(u32::MAX),
                ..info.status.unwrap_or_default()
            }),
            _ => info.status,
        }
    }

    /// Unseen messages in every folder whose count is known: an account's unread total.
    pub fn unseen_total(&self) -> u32 {
        self.folders
            .iter()
            .filter_map(|f| self.counts(f))
            .fold(0, |sum, s| sum.saturating_add(s.unseen))
    }

    /// How the open folder is listed.
    pub fn view(&self) -> Option<View> {
        let mb = self.mailbox.as_ref()?;
        Some(View {
            order: mb.wanted_order(),
            threads: mb.is_threaded(),
            folds: self.folded(&mb.folder),
        })
    }

    /// Which threads of `folder` were last folded ([`Model::set_folds`]), this session or,
    /// as the cache remembered them, before.
    pub fn folded(&self, folder: &Folder) -> Folded {
        self.views
            .get(folder)
            .map(|v| v.folds.clone())
            .unwrap_or_default()
    }

    /// Remembers which threads of the open folder are folded, for when it is reopened.
    pub fn set_folds(&mut self, folds: Folded) {
        if let Some(mb) = &self.mailbox {
            self.views.entry(mb.folder.clone()).or_default().folds = folds;
        }
    }

    /// Lists the open folder in `order` from now on, and again whenever it is reopened this
    /// session.
    pub fn set_order(&mut self, order: SortOrder) {
        let Some(mb) = self.mailbox.as_mut() else {
            return;
        };
        self.views.entry(mb.folder.clone()).or_default().order = order;
        mb.sorting = None;
        mb.order = order;
        mb.sort();
        mb.generation += 1;
    }

    fn open(&mut self, folder: &Folder) -> Option<&mut Mailbox> {
        self.mailbox.as_mut().filter(|m| m.folder == *folder)
    }

    /// The open mailbox, only if it is still the one an event is about (a late chunk of an
    /// abandoned sync must not land in the next folder).
    fn current(&mut self, folder: &Folder, uid_validity: u32) -> Option<&mut Mailbox> {
        self.mailbox
            .as_mut()
            .filter(|m| m.folder == *folder && m.uid_validity == uid_validity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::{FlagChange, Summary};
    use crate::test_fixtures;

    fn summary(uid: Uid) -> Summary {
        Summary {
            size: 1,
            ..test_fixtures::summary(uid, "a", &format!("s{uid}"))
        }
    }

    #[test]
    fn late_chunks_of_another_folder_are_ignored() {
        let mut m = Model::default();
        m.apply(Event::Selected {
            folder: Folder::named("INBOX"),
            uid_validity: 7,
            read_only: false,
            complete: true,
            uids: vec![3, 2, 1],
        });
        m.apply(Event::Summaries {
            folder: Folder::named("Old"),
            uid_validity: 7,
            chunk: vec![summary(3)],
        });
        assert!(m.mailbox.as_ref().unwrap().summaries.is_empty());
        m.apply(Event::Summaries {
            folder: Folder::named("INBOX"),
            uid_validity: 7,
            chunk: vec![summary(1), summary(3)],
        });
        let uids: Vec<Uid> = m.mailbox.as_ref().unwrap().rows().map(|s| s.uid).collect();
        assert_eq!(uids, vec![3, 1]);
    }

    /// A warm start's rows between its first screen and `Listed` wait in the store: the list
    /// stays the first screen's until `Listed` sorts every row once.
    #[test]
    fn cached_rows_before_the_list_wait_for_it() {
        let mut m = Model::default();
        let inbox = || Folder::named("INBOX");
        m.apply(Event::Selected {
            folder: inbox(),
            uid_validity: 7,
            read_only: false,
            complete: false,
            uids: vec![6, 1],
        });
        m.apply(Event::Summaries {
            folder: inbox(),
            uid_validity: 7,
            chunk: vec![summary(6), summary(1)],
        });
        m.apply(Event::CachedSummaries {
            folder: inbox(),
            uid_validity: 7,
            chunk: (2..=5).map(summary).collect(),
        });
        let mb = m.mailbox.as_ref().unwrap();
        assert_eq!(mb.uids, [6, 1], "listed by `Listed`, not slice by slice");
        assert_eq!(mb.summaries.len(), 6);
        m.apply(Event::Listed {
            folder: inbox(),
            uid_validity: 7,
            uids: (1..=6).rev().collect(),
        });
        let uids: Vec<Uid> = m.mailbox.as_ref().unwrap().rows().map(|s| s.uid).collect();
        assert_eq!(uids, [6, 5, 4, 3, 2, 1]);
        // A late slice (none comes after `Listed`, but one may) is placed like any row.
        let mut newer = summary(3);
        newer.date = 100;
        m.apply(Event::CachedSummaries {
            folder: inbox(),
            uid_validity: 7,
            chunk: vec![newer],
        });
        let uids: Vec<Uid> = m.mailbox.as_ref().unwrap().rows().map(|s| s.uid).collect();
        assert_eq!(uids[0], 3, "{uids:?}");
    }

    fn folder(name: &str, messages: u32, unseen: u32) -> FolderInfo {
        FolderInfo {
            folder: Folder::from_server(crate::utf7::encode(name), Some('/')),
            attributes: vec![],
            special: None,
            selectable: true,
            subscribed: true,
            status: Some(crate::msg::FolderStatus {
                messages,
                unseen,
                uid_next: 0,
                uid_validity: 7,
            }),
        }
    }

    fn counts(m: &Model, name: &str) -> (u32, u32) {
        let info = m.folders.iter().find(|f| f.folder.name() == name).unwrap();
        let s = m.counts(info).unwrap();
        (s.messages, s.unseen)
    }

    /// INBOX open and synced with three unread rows, Archive empty.
    fn synced_inbox() -> Model {
        let mut m = Model::default();
        m.apply(Event::Folders(vec![
            folder("INBOX", 3, 3),
            folder("Archive", 0, 0),
        ]));
        m.apply(Event::Selected {
            folder: Folder::named("INBOX"),
            uid_validity: 7,
            read_only: false,
            complete: true,
            uids: vec![3, 2, 1],
        });
        m.apply(Event::Summaries {
            folder: Folder::named("INBOX"),
            uid_validity: 7,
            chunk: vec![summary(1), summary(2), summary(3)],
        });
        m.apply(Event::SyncDone {
            folder: Folder::named("INBOX"),
        });
        m
    }

    #[test]
    fn folder_counts_follow_what_happens() {
        let mut m = synced_inbox();
        m.apply(Event::Stored {
            req: 1,
            change: FlagChange {
                folder: Folder::named("INBOX"),
                uids: vec![1, 2],
                add: true,
                flags: Flags::from(Flag::Seen),
            },
        });
        assert_eq!(counts(&m, "INBOX"), (3, 1));
        m.apply(Event::Copied {
            req: 2,
            folder: Folder::named("INBOX"),
            dest: Folder::named("Archive"),
            uids: vec![3],
            dest_uids: Some(vec![1]),
            moved: true,
            expunged: true,
        });
        assert_eq!(counts(&m, "INBOX"), (2, 0));
        // The other folder's counts are the server's, sent right after the copy.
        assert_eq!(counts(&m, "Archive"), (0, 0));
        m.apply(Event::FolderStatus {
            folder: Folder::named("Archive"),
            status: crate::msg::FolderStatus {
                messages: 1,
                unseen: 1,
                ..Default::default()
            },
        });
        assert_eq!(counts(&m, "Archive"), (1, 1));
        m.apply(Event::Arrived {
            folder: Folder::named("INBOX"),
            uid_validity: 7,
            uids: vec![9, 10],
        });
        assert_eq!(counts(&m, "INBOX"), (4, 2));
        let mut read = summary(10);
        read.flags = Flags::from(Flag::Seen);
        m.apply(Event::Summaries {
            folder: Folder::named("INBOX"),
            uid_validity: 7,
            chunk: vec![summary(9), read],
        });
        assert_eq!(counts(&m, "INBOX"), (4, 1));
        m.apply(Event::Expunged {
            req: None,
            folder: Folder::named("INBOX"),
            uids: vec![9, 1],
        });
        assert_eq!(counts(&m, "INBOX"), (2, 0));
    }

    /// The drift of issue 12 item 3: a STATUS taken after mail arrived (a warm start's folder
    /// list, an undone move) followed by the arrival itself counted it twice.
    #[test]
    fn a_status_that_already_holds_an_arrival_does_not_count_it_twice() {
        let mut m = synced_inbox();
        // The periodic refresh already sees the two new messages and one flag change...
        m.apply(Event::Folders(vec![
            folder("INBOX", 5, 4),
            folder("Archive", 0, 0),
        ]));
        // ...and then the delta sync reports them.
        m.apply(Event::Arrived {
            folder: Folder::named("INBOX"),
            uid_validity: 7,
            uids: vec![5, 4],
        });
        let mut read = summary(1);
        read.flags = Flags::from(Flag::Seen);
        m.apply(Event::FlagsChanged {
            folder: Folder::named("INBOX"),
            changes: vec![(1, read.flags)],
        });
        m.apply(Event::Summaries {
            folder: Folder::named("INBOX"),
            uid_validity: 7,
            chunk: vec![summary(4), summary(5)],
        });
        assert_eq!(counts(&m, "INBOX"), (5, 4));
        // A summary sent again (a refetch) replaces the row, it does not add to the count.
        m.apply(Event::Summaries {
            folder: Folder::named("INBOX"),
            uid_validity: 7,
            chunk: vec![summary(4), read],
        });
        assert_eq!(counts(&m, "INBOX"), (5, 4));
    }

    fn reply(uid: Uid, id: &str, parent: Option<&str>) -> Summary {
        Summary {
            date: i64::from(uid),
            header: crate::msg::HeaderFacts::new(None, Some(id), parent, parent, false),
            ..summary(uid)
        }
    }

    /// The thread build is copied over several frames and runs elsewhere while mail comes
    /// and goes: its result takes them in, and a build started before the view was turned
    /// off and on again is dropped.
    #[test]
    fn a_thread_build_takes_in_what_changed_while_it_ran() {
        let mut m = synced_inbox();
        let inbox = Folder::named("INBOX");
        m.apply(Event::Summaries {
            folder: inbox.clone(),
            uid_validity: 7,
            chunk: vec![reply(1, "a@x", None), reply(2, "b@x", Some("a@x"))],
        });
        let mut stale = m.start_threads().unwrap();
        let mut job = m.start_threads().unwrap();
        assert_eq!(m.copy_threads(&mut stale, 10), None, "stale at once");
        assert_eq!(
            m.copy_threads(&mut job, 1),
            Some(false),
            "a slice per frame"
        );
        assert!(m.view().unwrap().threads, "threaded as soon as asked");
        assert!(
            m.mailbox.as_ref().unwrap().threads.is_none(),
            "not listed yet"
        );
        m.apply(Event::Arrived {
            folder: inbox.clone(),
            uid_validity: 7,
            uids: vec![4],
        });
        m.apply(Event::Summaries {
            folder: inbox.clone(),
            uid_validity: 7,
            chunk: vec![reply(4, "d@x", Some("a@x"))],
        });
        m.apply(Event::Expunged {
            req: None,
            folder: inbox,
            uids: vec![2],
        });
        assert_eq!(m.copy_threads(&mut job, 10), Some(true), "the rest");
        assert!(!m.threads_built(stale.run()), "an earlier build is dropped");
        assert!(m.threads_built(job.run()));
        let c = m.mailbox.as_ref().unwrap().threads.as_ref().unwrap();
        assert_eq!(c.thread(1).unwrap().uids().collect::<Vec<_>>(), [1, 4]);
        assert!(c.thread(2).is_none(), "the expunged message is gone");
        assert_eq!(c.len(), 3, "1 and 4, and 3 alone");
    }

    #[test]
    fn fetched_bodies_stay_within_the_budget() {
        let mut m = Model::default();
        m.apply(Event::Selected {
            folder: Folder::named("INBOX"),
            uid_validity: 1,
            read_only: false,
            complete: true,
            uids: (1..=10).collect(),
        });
        let part = BODY_BUDGET / 4 + 1;
        for uid in 1..=10 {
            m.apply(Event::Raw {
                req: u64::from(uid),
                folder: Folder::named("INBOX"),
                uid,
                bytes: vec![0; part],
            });
        }
        let mb = m.mailbox.as_ref().unwrap();
        assert_eq!(mb.messages.len(), 3, "three quarters-plus fit");
        assert!(mb.messages.contains_key(&10) && !mb.messages.contains_key(&1));
        // One message alone over the budget is still kept: it is the one on screen.
        m.apply(Event::Raw {
            req: 11,
            folder: Folder::named("INBOX"),
            uid: 5,
            bytes: vec![0; BODY_BUDGET + 1],
        });
        let mb = m.mailbox.as_ref().unwrap();
        assert_eq!(mb.messages.keys().copied().collect::<Vec<_>>(), vec![5]);
    }
}
