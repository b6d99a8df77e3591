//! The thread view's state: which threads are folded, and the rows that leaves listed. The
//! thread order itself is the model's ([`Conversations`]); this only hides replies.
//!
//! A thread is named by its head (its first message), which stays the same as replies come.
//! The listed rows are computed when the threads or the folds change, not on every frame:
//! `App::rows` borrows them.

use std::collections::HashSet;

use crate::model::Mailbox;
use crate::model::conversations::Conversations;
use crate::msg::Uid;

#[derive(Debug, Default)]
pub struct Folds {
    /// Every thread is folded, except those in `toggled`; or the other way round.
    all_folded: bool,
    /// Heads of the threads folded (or unfolded) against `all_folded`.
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
        self.all_folded != self.toggled.contains(&head)
    }

    /// The listed rows, as of the last [`Folds::refresh`].
    pub(crate) fn visible(&self) -> &[Uid] {
        &self.visible
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
        let Some(c) = mb.and_then(|m| m.threads.as_ref()) else {
            return;
        };
        for t in c.threads() {
            if self.is_folded(t.head()) {
                self.visible.push(t.head());
            } else {
                self.visible.extend(t.uids());
            }
        }
    }

    /// Folds `uid`'s thread, or unfolds it; returns the thread's head, where the cursor goes
    /// when it folds.
    pub(crate) fn toggle(&mut self, c: &Conversations, uid: Uid) -> Option<Uid> {
        let head = c.thread(uid)?.head();
        if !self.toggled.remove(&head) {
            self.toggled.insert(head);
        }
        self.current = false;
        Some(head)
    }

    /// Folds every thread, or unfolds every thread when all are folded already; returns
    /// whether they are folded now.
    pub(crate) fn toggle_all(&mut self) -> bool {
        self.all_folded = !(self.all_folded && self.toggled.is_empty());
        self.toggled.clear();
        self.current = false;
        self.all_folded
    }

    /// Unfolds `uid`'s thread if it is folded.
    pub(crate) fn unfold(&mut self, c: &Conversations, uid: Uid) {
        if let Some(head) = c.thread(uid).map(|t| t.head())
            && self.is_folded(head)
        {
            self.toggle(c, head);
        }
    }

    /// Another folder, or the thread view turned on or off: every thread unfolded.
    pub(crate) fn reset(&mut self) {
        self.all_folded = false;
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
