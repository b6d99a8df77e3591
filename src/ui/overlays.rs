//! What takes the keys before the panes do: a question, the folder picker, the sort picker,
//! the line being edited (with the histories it recalls), the help overlay, and a count being typed.

use ratatui::layout::Rect;

use crate::ui::action::Action;
use crate::ui::layout::{picker_rows, scroll_to};
use crate::ui::picker::Picker;
use crate::ui::prompt::{LineKind, Prompt};
use crate::ui::sort_picker::SortPicker;
use crate::ui::triage::Confirm;

/// A count larger than any folder; stops `99999999999j` from overflowing.
const MAX_COUNT: usize = 10_000_000;
/// Entries kept per history.
const HISTORY_LEN: usize = 100;

#[derive(Debug, Default)]
pub struct Overlays {
    /// The help overlay's scroll, while it is open.
    help: Option<usize>,
    prompt: Option<Prompt>,
    picker: Option<Picker>,
    sort_picker: Option<SortPicker>,
    confirm: Option<Confirm>,
    /// A number typed before an action.
    count: Option<usize>,
    /// `:` lines and `/` queries entered, newest last.
    commands: Vec<String>,
    searches: Vec<String>,
}

/// What a key did to the help overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpKey {
    Stay,
    Close,
    Quit,
}

impl Overlays {
    pub fn help(&self) -> Option<usize> {
        self.help
    }

    pub fn prompt(&self) -> Option<&Prompt> {
        self.prompt.as_ref()
    }

    pub fn picker(&self) -> Option<&Picker> {
        self.picker.as_ref()
    }

    pub fn sort_picker(&self) -> Option<&SortPicker> {
        self.sort_picker.as_ref()
    }

    pub fn confirm(&self) -> Option<&Confirm> {
        self.confirm.as_ref()
    }

    pub fn count(&self) -> Option<usize> {
        self.count
    }

    /// The line, a picker or a question waits for keys; the mouse leaves them be.
    pub(crate) fn wants_keys(&self) -> bool {
        self.prompt.is_some()
            || self.picker.is_some()
            || self.sort_picker.is_some()
            || self.confirm.is_some()
    }

    pub(crate) fn open_line(&mut self, kind: LineKind, text: String) {
        self.prompt = Some(Prompt::new(kind, text));
    }

    /// Opens `line`, or puts it back after a key.
    pub(crate) fn set_line(&mut self, line: Prompt) {
        self.prompt = Some(line);
    }

    /// The line being edited, taken out while a key is applied to it.
    pub(crate) fn take_line(&mut self) -> Option<Prompt> {
        self.prompt.take()
    }

    pub(crate) fn set_picker(&mut self, picker: Picker) {
        self.picker = Some(picker);
    }

    pub(crate) fn take_picker(&mut self) -> Option<Picker> {
        self.picker.take()
    }

    pub(crate) fn set_sort_picker(&mut self, picker: SortPicker) {
        self.sort_picker = Some(picker);
    }

    pub(crate) fn take_sort_picker(&mut self) -> Option<SortPicker> {
        self.sort_picker.take()
    }

    /// Keeps the picker's cursor in view on `screen`.
    pub(crate) fn scroll_picker(&mut self, screen: Rect) {
        if let Some(p) = self.picker.as_mut() {
            let rows = picker_rows(screen, p.matches.len());
            p.offset = scroll_to(p.offset, p.cursor, rows, p.matches.len());
        }
    }

    /// Asks a question that only `y` answers yes.
    pub(crate) fn ask(&mut self, confirm: Confirm) {
        self.confirm = Some(confirm);
    }

    /// The question, answered by the key being handled.
    pub(crate) fn take_question(&mut self) -> Option<Confirm> {
        self.confirm.take()
    }

    pub(crate) fn show_help(&mut self) {
        self.help = Some(0);
    }

    /// The count typed so far, used by the action it was typed for (or dropped).
    pub(crate) fn take_count(&mut self) -> Option<usize> {
        self.count.take()
    }

    /// What Up and Down recall on a line of `kind`.
    pub(crate) fn history(&self, kind: &LineKind) -> &[String] {
        match kind {
            LineKind::Command => &self.commands,
            LineKind::Search => &self.searches,
            _ => &[],
        }
    }

    /// Adds `line` to the history of `kind`, without repeating the last entry.
    pub(crate) fn remember(&mut self, kind: &LineKind, line: &str) {
        let history = match kind {
            LineKind::Command => &mut self.commands,
            LineKind::Search => &mut self.searches,
            _ => return,
        };
        if history.last().map(String::as_str) != Some(line) {
            history.push(line.to_string());
            if history.len() > HISTORY_LEN {
                history.remove(0);
            }
        }
    }

    /// A digit typed before an action (a leading 0 is not a count).
    pub(crate) fn digit(&mut self, d: char) -> bool {
        let Some(digit) = d.to_digit(10) else {
            return false;
        };
        if digit == 0 && self.count.is_none() {
            return false;
        }
        let n = self.count.unwrap_or(0) * 10 + digit as usize;
        self.count = Some(n.min(MAX_COUNT));
        true
    }

    /// An action while help is open: movements scroll it (the layout clamps the scroll),
    /// Back and Help close it.
    pub(crate) fn help_key(&mut self, action: Option<Action>, page: usize) -> HelpKey {
        let Some(scroll) = self.help else {
            return HelpKey::Close;
        };
        let (scroll, key) = match action {
            Some(Action::Down) => (Some(scroll + 1), HelpKey::Stay),
            Some(Action::Up) => (Some(scroll.saturating_sub(1)), HelpKey::Stay),
            Some(Action::PageDown) => (Some(scroll + page), HelpKey::Stay),
            Some(Action::PageUp) => (Some(scroll.saturating_sub(page)), HelpKey::Stay),
            Some(Action::Top) => (Some(0), HelpKey::Stay),
            Some(Action::Bottom) => (Some(usize::MAX / 2), HelpKey::Stay),
            Some(Action::Quit) => (None, HelpKey::Quit),
            Some(Action::Back | Action::Help) => (None, HelpKey::Close),
            _ => (Some(scroll), HelpKey::Stay),
        };
        self.help = scroll;
        key
    }

    /// The wheel over help scrolls it by `delta` lines.
    pub(crate) fn help_wheel(&mut self, delta: isize) {
        if let Some(scroll) = self.help {
            self.help = Some(scroll.saturating_add_signed(delta));
        }
    }

    /// Keeps the help scroll within `max` lines.
    pub(crate) fn clamp_help(&mut self, max: usize) {
        if let Some(scroll) = self.help {
            self.help = Some(scroll.min(max));
        }
    }
}
