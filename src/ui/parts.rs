//! The parts pane's view state: whether it shows, its cursor and its scroll.

use crate::mime::Part;
use crate::ui::layout::scroll_to;
use crate::ui::message_list::step;
use crate::ui::open_job::OpenJob;
use crate::ui::opener::Run;

#[derive(Debug, Default)]
pub struct PartsPane {
    shown: bool,
    cursor: usize,
    offset: usize,
    /// A part to open, for the main loop to hand to a thread.
    job: Option<OpenJob>,
    /// A viewer that takes the terminal, for the main loop to run with the TUI suspended.
    viewer: Option<Run>,
}

impl PartsPane {
    pub(crate) fn open(&mut self, job: OpenJob) {
        self.job = Some(job);
    }

    /// The part the main loop is to open now, if any.
    pub fn take_job(&mut self) -> Option<OpenJob> {
        self.job.take()
    }

    pub(crate) fn run_in_terminal(&mut self, run: Run) {
        self.viewer = Some(run);
    }

    /// The viewer the main loop is to run now, if any.
    pub fn take_viewer(&mut self) -> Option<Run> {
        self.viewer.take()
    }

    pub fn is_shown(&self) -> bool {
        self.shown
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn offset(&self) -> usize {
        self.offset
    }

    pub(crate) fn show(&mut self) {
        self.shown = true;
    }

    pub(crate) fn hide(&mut self) {
        self.shown = false;
    }

    pub(crate) fn point_at(&mut self, i: usize) {
        self.cursor = i;
    }

    pub(crate) fn move_by(&mut self, len: usize, delta: isize) {
        self.cursor = step(self.cursor, len, delta);
    }

    pub(crate) fn set_window(&mut self, offset: usize, cursor: usize) {
        (self.offset, self.cursor) = (offset, cursor);
    }

    /// Scrolls just far enough to show the cursor in a window `visible` rows high.
    pub(crate) fn scroll(&mut self, visible: usize, len: usize) {
        self.offset = scroll_to(self.offset, self.cursor, visible, len);
    }
}

/// Where `s` most likely aims among `parts`: the first attachment, else the first leaf.
pub(crate) fn first_attachment(parts: &[&Part]) -> usize {
    parts
        .iter()
        .position(|p| p.is_attachment())
        .or_else(|| parts.iter().position(|p| p.children.is_empty()))
        .unwrap_or(0)
}
