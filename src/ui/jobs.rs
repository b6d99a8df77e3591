//! The open folder's helper-thread jobs as the UI runs them (a thread build, a sort, a
//! conversation gathered; see
//! [`model::job`](crate::model::job)): the main loop takes each once copied, a slice per
//! frame, runs it on a thread of its own and hands the result back here.

use crate::model::job::{Done, Job};
use crate::model::sort_job::Sorted;
use crate::msg::Cmd;
use crate::ui::app::App;

/// Messages copied for a job per frame: ~1 ms of the UI thread's time.
pub const COPY_PER_FRAME: usize = 10_000;

impl App {
    /// The jobs the main loop is to run now, on threads of their own, once copied: each call
    /// copies up to [`COPY_PER_FRAME`] more messages of each job, so that no frame waits for
    /// a whole large folder's copy. A stale job (another folder, a newer request) is dropped.
    pub fn take_jobs(&mut self) -> Vec<Job> {
        let mut ready = Vec::new();
        if let Some(mut job) = self.thread_job.take() {
            match self.model.copy_threads(&mut job, COPY_PER_FRAME) {
                Some(true) => ready.push(Job::Threads(job)),
                Some(false) => self.thread_job = Some(job),
                None => {}
            }
        }
        if let Some(mut job) = self.sort_job.take() {
            match self.model.copy_sort(&mut job, COPY_PER_FRAME) {
                Some(true) => ready.push(Job::Sort(job)),
                Some(false) => self.sort_job = Some(job),
                None => {}
            }
        }
        if let Some(mut job) = self.gather_job.take() {
            match self.model.copy_gather(&mut job, COPY_PER_FRAME) {
                Some(true) => ready.push(Job::Gather(job)),
                Some(false) => self.gather_job = Some(job),
                None => {}
            }
        }
        ready
    }

    /// Whether a job is being copied: the main loop comes back for the rest without waiting
    /// for an event.
    pub fn copying(&self) -> bool {
        self.thread_job.is_some() || self.sort_job.is_some() || self.gather_job.is_some()
    }

    /// A job is done: its result is listed (the cursor on its message) or shown, with the
    /// requests that leads to.
    pub fn job_done(&mut self, done: Done) -> Vec<Cmd> {
        match done {
            Done::Threads(built) => self.threads_built(built),
            Done::Sorted(sorted) => self.sorted(sorted),
            Done::Gathered(g) => return self.conversation_gathered(g),
        }
        Vec::new()
    }

    /// A sort is done: the folder is listed in its order, the cursor on its message, which
    /// the next frame scrolls into view. A stale sort (a newer one, another folder) is
    /// dropped.
    fn sorted(&mut self, sorted: Sorted) {
        let mut listed = false;
        self.keep_selection(&[], |app| {
            listed = app.model.sorted(sorted);
            if listed {
                app.filter.match_again(app.model.mailbox.as_ref());
            }
        });
        if let Some(order) = self.mailbox().filter(|_| listed).map(|m| m.order) {
            self.status.say(format!("Sorted by {order}"));
        }
    }
}
