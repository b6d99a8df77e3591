//! The mouse, when `mouse = true`: a click focuses the pane under the pointer and selects the
//! row under it; a click on the row already selected in the pane with focus opens it, as Enter
//! does; the wheel scrolls the pane under the pointer. Positions become rows through the
//! geometry and scroll offsets of the last frame drawn, which is what the user pointed at.
//! This file reads pointer events; `input` applies them.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;

use crate::ui::layout::{Geometry, Pane, inner};

/// Rows one notch of the wheel scrolls.
const WHEEL_ROWS: isize = 3;

/// A mouse event tern acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pointer {
    Click,
    /// Rows to scroll, down positive.
    Wheel(isize),
}

impl Pointer {
    pub(crate) fn read(ev: &MouseEvent) -> Option<Pointer> {
        match ev.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Pointer::Click),
            MouseEventKind::ScrollDown => Some(Pointer::Wheel(WHEEL_ROWS)),
            MouseEventKind::ScrollUp => Some(Pointer::Wheel(-WHEEL_ROWS)),
            _ => None,
        }
    }
}

/// Where the pointer is: the pane drawn there in the last frame, the row of its body under
/// the pointer (None on the border), and the body's height.
pub(crate) fn locate(g: &Geometry, ev: &MouseEvent) -> Option<(Pane, Option<usize>, usize)> {
    let at = Position::new(ev.column, ev.row);
    let (pane, area) = [
        (Pane::Folders, g.folders),
        (Pane::List, g.list),
        (Pane::Reader, g.reader),
        (Pane::Parts, g.parts),
    ]
    .into_iter()
    .find_map(|(pane, area)| area.filter(|a| a.contains(at)).map(|a| (pane, a)))?;
    let body = inner(area);
    let row = body.contains(at).then(|| usize::from(at.y - body.y));
    Some((pane, row, usize::from(body.height)))
}

/// The window (first row, cursor) of a pane `rows` high over `len` rows, scrolled by `delta`
/// rows: the cursor is dragged along only as far as it must to stay on screen, so the view
/// moves by exactly `delta` rows. None when there is nothing to scroll.
pub(crate) fn scrolled(
    (offset, cursor, len): (usize, usize, usize),
    rows: usize,
    delta: isize,
) -> Option<(usize, usize)> {
    if rows == 0 || len == 0 {
        return None;
    }
    let offset = offset
        .saturating_add_signed(delta)
        .min(len.saturating_sub(rows));
    let last = (offset + rows - 1).min(len - 1);
    Some((offset, cursor.clamp(offset, last)))
}
