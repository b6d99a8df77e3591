//! The mouse, when `mouse = true`: a click focuses the pane under the pointer and selects the
//! row under it; a click on the row already selected in the pane with focus opens it, as Enter
//! does; the wheel scrolls the pane under the pointer. Positions become rows through the
//! geometry and scroll offsets of the last frame drawn, which is what the user pointed at.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use crate::msg::Cmd;
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::layout::{Pane, inner};

/// Rows one notch of the wheel scrolls.
const WHEEL_ROWS: isize = 3;

impl App {
    /// Handles one mouse event and returns the commands it calls for.
    pub fn on_mouse(&mut self, ev: MouseEvent) -> Vec<Cmd> {
        let wheel = match ev.kind {
            MouseEventKind::Down(MouseButton::Left) => None,
            MouseEventKind::ScrollDown => Some(WHEEL_ROWS),
            MouseEventKind::ScrollUp => Some(-WHEEL_ROWS),
            _ => return Vec::new(),
        };
        // The command line, the picker and a question wait for keys; the mouse leaves them be.
        if self.overlays.wants_keys() {
            return Vec::new();
        }
        if self.overlays.help().is_some() {
            // prepare() clamps the scroll to the help text.
            self.overlays.help_wheel(wheel);
            return Vec::new();
        }
        let at = Position::new(ev.column, ev.row);
        let Some((pane, area)) = self.pane_at(at) else {
            return Vec::new();
        };
        // As with a key: the notice has been seen, and a half-typed count is dropped.
        self.status.clear();
        self.overlays.take_count();
        let body = inner(area);
        let row = body.contains(at).then(|| usize::from(at.y - body.y));
        match wheel {
            Some(delta) => {
                self.wheel(pane, delta, usize::from(body.height));
                Vec::new()
            }
            None => self.click(pane, row),
        }
    }

    /// The pane drawn at `at` in the last frame, and its area.
    fn pane_at(&self, at: Position) -> Option<(Pane, Rect)> {
        let g = &self.geometry;
        [
            (Pane::Folders, g.folders),
            (Pane::List, g.list),
            (Pane::Reader, g.reader),
            (Pane::Parts, g.parts),
        ]
        .into_iter()
        .find_map(|(pane, area)| area.filter(|a| a.contains(at)).map(|a| (pane, a)))
    }

    /// A click on `row` of `pane`'s body (None: on its border).
    fn click(&mut self, pane: Pane, row: Option<usize>) -> Vec<Cmd> {
        let focused = self.focus == pane;
        self.focus = pane;
        let (Some(row), Some((offset, cursor, len))) = (row, self.window(pane)) else {
            return Vec::new();
        };
        let i = offset.saturating_add(row);
        if i >= len {
            return Vec::new();
        }
        if focused && i == cursor {
            return self.act(Action::Open, None);
        }
        self.set_window(pane, offset, i);
        Vec::new()
    }

    /// Scrolls `pane` (`rows` high) by `delta` rows. A list's cursor is dragged along only as
    /// far as it must to stay on screen, so the view moves by exactly `delta` rows.
    fn wheel(&mut self, pane: Pane, delta: isize, rows: usize) {
        if pane == Pane::Reader {
            self.reader.wheel(delta, rows);
            return;
        }
        let Some((offset, cursor, len)) = self.window(pane) else {
            return;
        };
        if rows == 0 || len == 0 {
            return;
        }
        let offset = offset
            .saturating_add_signed(delta)
            .min(len.saturating_sub(rows));
        let last = (offset + rows - 1).min(len - 1);
        self.set_window(pane, offset, cursor.clamp(offset, last));
    }

    /// First visible row, cursor and row count of a list pane; None for the reader.
    fn window(&self, pane: Pane) -> Option<(usize, usize, usize)> {
        match pane {
            Pane::Folders => {
                let f = &self.folders;
                Some((f.offset(), f.cursor(), f.tree().len()))
            }
            Pane::List => Some((self.list.offset(), self.list.selected(), self.rows().len())),
            Pane::Parts => {
                let p = &self.parts;
                Some((p.offset(), p.cursor(), self.parts().len()))
            }
            Pane::Reader => None,
        }
    }

    fn set_window(&mut self, pane: Pane, offset: usize, cursor: usize) {
        match pane {
            Pane::Folders => self.folders.set_window(offset, cursor),
            Pane::List => self.with_rows(|list, rows| list.set_window(rows, offset, cursor)),
            Pane::Parts => self.parts.set_window(offset, cursor),
            Pane::Reader => {}
        }
    }
}
