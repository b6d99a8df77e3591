//! Thread actions: listing the folder as conversations, folding, moving by thread, and
//! tagging a whole thread. The model keeps the threads; [`Folds`](crate::ui::folds::Folds)
//! what is folded.

use crate::model::thread_job::Built;
use crate::msg::{Cmd, Flag, Uid};
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::triage::count;

impl App {
    /// `threads`: the open folder as conversations, or as messages again (remembered for the
    /// next start). The cursor stays on its message.
    pub(crate) fn toggle_threads(&mut self) -> Vec<Cmd> {
        let Some(on) = self.mailbox().map(|m| !m.is_threaded()) else {
            self.status.complain("No folder open");
            return Vec::new();
        };
        if on {
            // Built on another thread ([`App::take_jobs`]); listed when it is done.
            self.thread_job = self.model.start_threads();
            self.status.say("Threading…");
        } else {
            self.thread_job = None;
            self.keep_selection(&[], |app| {
                app.model.set_threads(false);
                app.folds.restore(Default::default());
                app.folds.refresh(app.model.mailbox.as_ref());
            });
            self.status.say("Listing messages");
        }
        self.remember_view()
    }

    /// A thread build is done: the folder is listed as conversations, the cursor on its
    /// message. A stale build (the view turned off, another folder opened since) is dropped.
    pub(super) fn threads_built(&mut self, built: Built) {
        let mut listed = false;
        self.keep_selection(&[], |app| {
            listed = app.model.threads_built(built);
            if listed {
                app.folds.restore(Default::default());
                app.folds.refresh(app.model.mailbox.as_ref());
            }
        });
        if listed {
            self.status.say("Listing conversations, newest first");
        }
    }

    /// `collapse` in the list: folds the thread under the cursor to its first message (the
    /// cursor goes there), or unfolds it. Remembered for the next start.
    pub(crate) fn fold_thread(&mut self) -> Vec<Cmd> {
        let Some(uid) = self.threaded_cursor() else {
            return Vec::new();
        };
        let Some(head) = self
            .model
            .mailbox
            .as_ref()
            .and_then(|mb| self.folds.toggle(mb, uid))
        else {
            return Vec::new();
        };
        let want = if self.folds.is_folded(head) {
            head
        } else {
            uid
        };
        self.relist(want);
        self.remember_folds()
    }

    /// `collapse_all`: every thread folded, or every one unfolded. Remembered for the next
    /// start.
    pub(crate) fn fold_all(&mut self) -> Vec<Cmd> {
        let Some(uid) = self.threaded_cursor() else {
            return Vec::new();
        };
        let folded = self.folds.toggle_all();
        let head = self
            .threaded()
            .and_then(|c| c.thread(uid))
            .map_or(uid, |t| t.head());
        self.relist(if folded { head } else { uid });
        self.status.say(if folded {
            "Every thread folded"
        } else {
            "Every thread unfolded"
        });
        self.remember_folds()
    }

    /// The folds changed: kept for when the folder is reopened, this session and the next.
    fn remember_folds(&mut self) -> Vec<Cmd> {
        self.model.set_folds(self.folds.remembered());
        self.remember_view()
    }

    /// `next_thread` / `prev_thread`: the first message of the next thread; back, the first
    /// message of this thread, or of the one before when already there.
    pub(crate) fn jump_thread(&mut self, forward: bool) {
        let Some(uid) = self.threaded_cursor() else {
            return;
        };
        let Some(c) = self.threaded() else {
            return;
        };
        let Some(at) = c.thread_of(uid) else {
            return;
        };
        let target = if forward {
            at + 1
        } else if c.thread_at(at).is_some_and(|t| t.head() != uid) {
            at
        } else if at > 0 {
            at - 1
        } else {
            return;
        };
        if let Some(head) = c.thread_at(target).map(|t| t.head()) {
            self.with_rows(|list, rows| list.select_or_first(rows, Some(head)));
        }
    }

    /// `next_unread_in_thread`: the next unread message after the cursor in its thread,
    /// unfolding the thread to show it.
    pub(crate) fn next_unread_in_thread(&mut self) -> Vec<Cmd> {
        let Some(uid) = self.threaded_cursor() else {
            return Vec::new();
        };
        let next = self.threaded().and_then(|c| c.thread(uid)).and_then(|t| {
            t.uids()
                .skip_while(|u| *u != uid)
                .skip(1)
                .find(|u| self.flags_of(*u).is_some_and(|f| !f.has(Flag::Seen)))
        });
        let Some(next) = next else {
            self.status.say("No more unread messages in this thread");
            return Vec::new();
        };
        let unfolded = (self.model.mailbox.as_ref()).is_some_and(|mb| self.folds.unfold(mb, next));
        self.relist(next);
        if unfolded {
            self.remember_folds()
        } else {
            Vec::new()
        }
    }

    /// `tag_thread`: tags every message of the thread under the cursor (untags them if all
    /// are tagged), then moves to the next thread.
    pub(crate) fn tag_thread(&mut self) {
        let Some(uid) = self.threaded_cursor() else {
            return;
        };
        let uids: Vec<Uid> = self
            .threaded()
            .and_then(|c| c.thread(uid))
            .map(|t| t.uids().collect())
            .unwrap_or_default();
        let n = count(uids.len());
        if uids.iter().all(|u| self.list.tagged().contains(u)) {
            self.list.untag(&uids);
            self.status.say(format!("Untagged {n}"));
        } else {
            self.list.tag(uids);
            self.status.say(format!("Tagged {n}"));
        }
        self.jump_thread(true);
    }

    /// The message under the cursor when the list shows threads; else says how to list them.
    fn threaded_cursor(&mut self) -> Option<Uid> {
        if self.threaded().is_none() {
            let key = self.settings.keymap.keys_for(Action::Threads);
            let how = key
                .first()
                .map_or(":threads".to_string(), |k| k.to_string());
            self.status
                .say(format!("The list does not show threads; {how} lists them"));
            return None;
        }
        self.list.selected_uid()
    }

    /// Lists the rows again after the folds changed, the cursor on `want`.
    fn relist(&mut self, want: Uid) {
        self.folds.refresh(self.model.mailbox.as_ref());
        self.with_rows(|list, rows| list.select_or_first(rows, Some(want)));
    }
}
