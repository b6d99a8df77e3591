//! Where each pane goes for a window size. Wide windows show folders | list over reader (with
//! the part list under the reader); narrow ones (< 80 columns) show only the pane with focus.

use ratatui::layout::{Constraint, Layout, Rect};

/// Below this width panes are shown one at a time.
pub const WIDE: u16 = 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Folders,
    List,
    Reader,
    Parts,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Geometry {
    pub folders: Option<Rect>,
    pub list: Option<Rect>,
    pub reader: Option<Rect>,
    pub parts: Option<Rect>,
    /// The bottom line: status bar, or the command line while one is open.
    pub status: Rect,
    /// A line above the status bar for the latest error, while there is one.
    pub error: Option<Rect>,
    /// The whole window, for overlays.
    pub screen: Rect,
}

impl Geometry {
    /// Message rows the list shows (inside its border).
    pub fn list_rows(&self) -> usize {
        self.list.map_or(0, |r| r.height.saturating_sub(2) as usize)
    }

    /// The reader's text area (inside its border).
    pub fn reader_inner(&self) -> Rect {
        self.reader.map_or(Rect::default(), inner)
    }

    pub fn parts_rows(&self) -> usize {
        self.parts
            .map_or(0, |r| r.height.saturating_sub(2) as usize)
    }

    pub fn folder_rows(&self) -> usize {
        self.folders
            .map_or(0, |r| r.height.saturating_sub(2) as usize)
    }
}

/// The first visible row of a pane `rows` high over `len` rows after the cursor moved to
/// `cursor`: the old `offset` unless the cursor left the window (then just far enough to show
/// it again), and never so far down that rows are left empty while some are hidden above.
/// A pane not on screen (`rows` 0) keeps its offset.
pub fn scroll_to(offset: usize, cursor: usize, rows: usize, len: usize) -> usize {
    if rows == 0 {
        return offset;
    }
    let offset = if cursor < offset {
        cursor
    } else if cursor >= offset + rows {
        cursor + 1 - rows
    } else {
        offset
    };
    offset.min(len.saturating_sub(rows))
}

/// The area inside a one-cell border.
pub fn inner(r: Rect) -> Rect {
    Rect::new(
        r.x.saturating_add(1),
        r.y.saturating_add(1),
        r.width.saturating_sub(2),
        r.height.saturating_sub(2),
    )
}

/// The help overlay: centred, at most 90 columns wide.
pub fn help_area(screen: Rect) -> Rect {
    let w = screen.width.saturating_sub(4).min(90);
    let h = screen.height.saturating_sub(2);
    Rect::new(
        screen.x + (screen.width - w) / 2,
        screen.y + (screen.height - h) / 2,
        w,
        h,
    )
}

/// How far `lines` lines of help can scroll on `screen`.
pub fn help_max_scroll(screen: Rect, lines: usize) -> usize {
    lines.saturating_sub(inner(help_area(screen)).height as usize)
}

/// The move/copy picker's box: as tall as `matches` folders need, up to the screen.
pub fn picker_area(screen: Rect, matches: usize) -> Rect {
    let w = screen.width.saturating_sub(4).min(60);
    let h = (matches as u16 + 3).clamp(4, screen.height.saturating_sub(2).max(4));
    Rect::new(
        screen.x + (screen.width.saturating_sub(w)) / 2,
        screen.y + (screen.height.saturating_sub(h)) / 2,
        w,
        h.min(screen.height),
    )
}

/// Folder rows the picker shows under the typed line.
pub fn picker_rows(screen: Rect, matches: usize) -> usize {
    (inner(picker_area(screen, matches)).height as usize).saturating_sub(1)
}

/// What decides the layout besides the window size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub focus: Pane,
    pub reader_open: bool,
    pub show_parts: bool,
    /// Rows the part list holds, so a short one takes only the room it needs.
    pub parts: usize,
    pub error: bool,
}

pub fn compute(area: Rect, shape: Shape) -> Geometry {
    let error_rows = u16::from(shape.error);
    let [body, error, status] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(error_rows),
        Constraint::Length(1),
    ])
    .areas(area);
    let Shape {
        focus,
        reader_open,
        show_parts,
        parts,
        ..
    } = shape;
    let mut g = Geometry {
        status,
        error: shape.error.then_some(error),
        screen: area,
        ..Geometry::default()
    };
    if area.width < WIDE {
        let slot = match focus {
            Pane::Folders => &mut g.folders,
            Pane::List => &mut g.list,
            Pane::Reader => &mut g.reader,
            Pane::Parts => &mut g.parts,
        };
        *slot = Some(body);
        return g;
    }
    let folders_width = (area.width / 5).clamp(18, 32);
    let [folders, right] =
        Layout::horizontal([Constraint::Length(folders_width), Constraint::Min(1)]).areas(body);
    g.folders = Some(folders);
    if !reader_open {
        g.list = Some(right);
        return g;
    }
    let list_height = (right.height * 2 / 5).max(5).min(right.height);
    let [list, reader] =
        Layout::vertical([Constraint::Length(list_height), Constraint::Min(1)]).areas(right);
    g.list = Some(list);
    if show_parts {
        // The part list grows while it has focus, but never past its rows (plus its border);
        // the text above stays in view either way.
        let cap = if focus == Pane::Parts {
            reader.height * 2 / 3
        } else {
            (reader.height / 2).min(12)
        };
        let needed = u16::try_from(parts.max(1))
            .unwrap_or(u16::MAX)
            .saturating_add(2);
        let parts_height = needed.min(cap);
        let [text, parts] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(parts_height)]).areas(reader);
        g.reader = Some(text);
        g.parts = Some(parts);
    } else {
        g.reader = Some(reader);
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scroll_moves_only_when_the_cursor_leaves_the_window() {
        // 12 rows in a window of 8: G puts the cursor on the last row, k keeps the window.
        let at_end = scroll_to(0, 11, 8, 12);
        assert_eq!(at_end, 4);
        assert_eq!(scroll_to(at_end, 10, 8, 12), 4);
        assert_eq!(scroll_to(4, 3, 8, 12), 3, "up past the top scrolls by one");
        assert_eq!(
            scroll_to(4, 4, 8, 6),
            0,
            "no empty rows while rows are hidden above"
        );
        assert_eq!(scroll_to(4, 9, 0, 12), 4, "a hidden pane keeps its place");
    }

    #[test]
    fn the_part_list_takes_the_rows_it_needs() {
        let shape = |parts, focus| Shape {
            focus,
            reader_open: true,
            show_parts: true,
            parts,
            error: false,
        };
        let area = Rect::new(0, 0, 100, 40);
        let one = compute(area, shape(1, Pane::Parts));
        assert_eq!(one.parts_rows(), 1, "one part, one row");
        assert!(one.reader_inner().height > 10, "the reader keeps the rest");
        // 39 body rows: the list takes 15, reader and parts share 24.
        let many = compute(area, shape(50, Pane::Parts));
        assert_eq!(many.parts.unwrap().height, 16, "two thirds while focused");
        assert_eq!(compute(area, shape(50, Pane::Reader)).parts_rows(), 10);
    }
}
