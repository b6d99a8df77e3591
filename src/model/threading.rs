//! Listing the open folder as conversations: turning threads on and off, the build on a
//! helper thread ([`ThreadJob`]) and taking its result, and threading new summaries in.

use super::conversations::Conversations;
use super::job::Stamp;
use super::thread_job::{Built, ThreadJob};
use super::threads::Header;
use super::{Folded, Mailbox, Model};
use crate::msg::id_hash::IdHash;
use crate::msg::{SummaryRef, Uid};

impl Model {
    /// Lists the open folder as conversations (or not) from now on, and again whenever it is
    /// reopened this session.
    pub fn set_threads(&mut self, on: bool) {
        let Some(mb) = self.mailbox.as_mut() else {
            return;
        };
        let view = self.views.entry(mb.folder.clone()).or_default();
        view.threads = on;
        if !on {
            view.folds = Folded::default();
        }
        mb.threading = None;
        // The summaries in the map's own order, read where they lie: one lookup per UID would
        // miss the cache on every message of a large folder.
        mb.threads =
            on.then(|| Conversations::build(mb.summaries.values().map(thread_header).collect()));
        mb.generation += 1;
    }

    /// Lists the open folder as conversations from now on, once the returned job, copied
    /// ([`Model::copy_threads`]) and run on another thread, has built them
    /// ([`Model::threads_built`]); until then it is listed as before.
    pub fn start_threads(&mut self) -> Option<ThreadJob> {
        let mb = self.mailbox.as_mut()?;
        self.views.entry(mb.folder.clone()).or_default().threads = true;
        let (stamp, changes) = Stamp::new(mb.folder.clone());
        mb.threads = None;
        mb.threading = Some(changes);
        Some(ThreadJob::new(stamp, &mb.summaries))
    }

    /// Copies up to `max` more messages into `job`: Some(true) once it can run, None when it
    /// is stale (another folder, or the thread view turned off or started again since).
    pub fn copy_threads(&self, job: &mut ThreadJob, max: usize) -> Option<bool> {
        let mb = self.mailbox.as_ref()?;
        let current = job.stamp.is_current(&mb.folder, mb.threading.as_ref());
        current.then(|| job.copy(&mb.summaries, max))
    }

    /// The threads a [`ThreadJob`] built: the folder is listed as them, with the messages
    /// that came and went meanwhile threaded in. False when the build is stale (another
    /// folder, or the thread view turned off or started again since).
    pub fn threads_built(&mut self, built: Built) -> bool {
        let Some(mb) = self.mailbox.as_mut() else {
            return false;
        };
        if !built.stamp.is_current(&mb.folder, mb.threading.as_ref()) {
            return false;
        }
        let Some(t) = mb.threading.take() else {
            return false;
        };
        let mut c = built.conversations;
        let summaries = &mb.summaries;
        c.remove(&t.removed, |u| summaries.get(&u).map(thread_header));
        c.add(&t.moved, |u| summaries.get(&u).map(thread_header));
        mb.threads = Some(c);
        mb.generation += 1;
        true
    }
}

impl Mailbox {
    /// Whether the folder is listed as conversations, or will be once their build is done.
    /// What names `uid`'s thread across restarts: the first id its first message names (the
    /// root of its References, else the message it replies to, else its own Message-ID). A
    /// placeholder root has no UID, and the first message may change as older mail comes;
    /// the root's id stays.
    pub fn thread_name(&self, uid: Uid) -> Option<IdHash> {
        let head = self.threads.as_ref()?.thread(uid)?.head();
        let h = thread_header(self.summaries.get(&head)?);
        h.references
            .iter()
            .next()
            .or(h.in_reply_to)
            .or(h.message_id)
    }

    pub fn is_threaded(&self) -> bool {
        self.threads.is_some() || self.threading.is_some()
    }

    /// Threads `changed` (new summaries) when listed as conversations.
    pub(super) fn thread(&mut self, changed: &[Uid]) {
        if let Some(t) = self.threading.as_mut() {
            t.moved.extend_from_slice(changed);
        }
        let summaries = &self.summaries;
        if let Some(c) = self.threads.as_mut() {
            c.add(changed, |u| summaries.get(&u).map(thread_header));
        }
    }
}

/// What threading reads of a summary.
pub(super) fn thread_header(s: SummaryRef<'_>) -> Header<'_> {
    let keys = s.header.keys();
    Header {
        uid: s.uid,
        message_id: keys.message_id,
        references: keys.references,
        in_reply_to: keys.in_reply_to,
        subject: s.subject,
        date: s.sent().0,
    }
}
