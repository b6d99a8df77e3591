//! The thread view's state: which threads are folded, and the rows that leaves listed. The
//! thread order itself is the model's ([`Conversations`]); this only hides replies.
//!
//! A thread is named by its root's id ([`Mailbox::thread_name`]), which stays the same as
//! replies and older mail come and across restarts: folds are kept by name, and the model
//! remembers them per folder ([`Folded`]). A thread without any id is folded by its head (its
//! first message) for this session only. The listed rows are computed when the threads or
//! the folds change, not on every frame: `App::rows` borrows them.

use std::collections::HashSet;

use crate::model::conversations::Conversations;
use crate::model::{Folded, Mailbox};
use crate::msg::Uid;

#[derive(Debug, Default)]
pub struct Folds {
    /// Every thread is folded, except those named in it; or the other way round.
    named: Folded,
    /// Heads of the threads without a name folded (or unfolded) against `named.all`.
    unnamed: HashSet<Uid>,
    /// Heads of every thread folded (or unfolded) against `named.all`, as of the last
    /// [`Folds::refresh`]: the names found among the threads, and `unnamed`.
    toggled: HashSet<Uid>,
    /// The thread order with folded threads' replies left out.
    visible: Vec<Uid>,
    /// The mailbox generation `visible` was computed at, and whether the folds are the same
    /// since.
    generation: Option<u64>,
    current: bool,
}

impl Folds {
    /// Whether the thread whose head is `head` shows only its head.
    pub fn is_folded(&self, head: Uid) -> bool {
        self.named.all != self.toggled.contains(&head)
    }

    /// The listed rows, as of the last [`Folds::refresh`].
    pub(crate) fn visible(&self) -> &[Uid] {
        &self.visible
    }

    /// The folds to remember for the open folder.
    pub(crate) fn remembered(&self) -> Folded {
        self.named.clone()
    }

    /// Whether the threads or the folds changed since the last [`Folds::refresh`].
    pub(crate) fn is_stale(&self, mb: Option<&Mailbox>) -> bool {
        !self.current || self.generation != mb.map(|m| m.generation)
    }

    /// Computes the listed rows again if the threads or the folds changed.
    pub(crate) fn refresh(&mut self, mb: Option<&Mailbox>) {
        if !self.is_stale(mb) {
            return;
        }
        self.generation = mb.map(|m| m.generation);
        self.current = true;
        self.visible.clear();
        let Some((mb, c)) = mb.and_then(|m| Some((m, m.threads.as_ref()?))) else {
            return;
        };
        self.find_named(mb, c);
        for t in c.threads() {
            if self.is_folded(t.head()) {
                self.visible.push(t.head());
            } else {
                self.visible.extend(t.uids());
            }
        }
    }

    /// The heads of the named threads, looked up by name: a few hundred lookups at most,
    /// however large the folder.
    fn find_named(&mut self, mb: &Mailbox, c: &Conversations) {
        self.toggled.clone_from(&self.unnamed);
        for &id in self.named.ids() {
            let head = c
                .naming(id)
                .filter(|&u| mb.thread_name(u) == Some(id))
                .and_then(|u| c.thread(u));
            self.toggled.extend(head.map(|t| t.head()));
        }
    }

    /// Folds `uid`'s thread, or unfolds it; returns the thread's head, where the cursor goes
    /// when it folds.
    pub(crate) fn toggle(&mut self, mb: &Mailbox, uid: Uid) -> Option<Uid> {
        let head = mb.threads.as_ref()?.thread(uid)?.head();
        let on = !self.toggled.contains(&head);
        match mb.thread_name(head) {
            Some(id) if on => self.named.insert(id),
            Some(id) => self.named.remove(id),
            None if on => _ = self.unnamed.insert(head),
            None => _ = self.unnamed.remove(&head),
        }
        // Known at once, for `is_folded` before the next refresh.
        if on {
            self.toggled.insert(head);
        } else {
            self.toggled.remove(&head);
        }
        self.current = false;
        Some(head)
    }

    /// Folds every thread, or unfolds every thread when all are folded already; returns
    /// whether they are folded now.
    pub(crate) fn toggle_all(&mut self) -> bool {
        let all = !(self.named.all && self.toggled.is_empty());
        self.named = Folded::new(all);
        self.unnamed.clear();
        self.toggled.clear();
        self.current = false;
        all
    }

    /// Unfolds `uid`'s thread if it is folded; returns whether it was.
    pub(crate) fn unfold(&mut self, mb: &Mailbox, uid: Uid) -> bool {
        let head = mb
            .threads
            .as_ref()
            .and_then(|c| c.thread(uid))
            .map(|t| t.head());
        match head {
            Some(head) if self.is_folded(head) => self.toggle(mb, head).is_some(),
            _ => false,
        }
    }

    /// Another folder opened, or the thread view turned on or off: the folds remembered for
    /// it (none when the view is turned on or off).
    pub(crate) fn restore(&mut self, folds: Folded) {
        self.named = folds;
        self.unnamed.clear();
        self.toggled.clear();
        self.current = false;
    }

    /// What an action on `uid` acts on: the whole thread when `uid` is the head of a folded
    /// one, else `uid`.
    pub(crate) fn expand(&self, c: Option<&Conversations>, uid: Uid) -> Vec<Uid> {
        match c.and_then(|c| c.thread(uid)) {
            Some(t) if t.head() == uid && self.is_folded(uid) => t.uids().collect(),
            _ => vec![uid],
        }
    }
}
