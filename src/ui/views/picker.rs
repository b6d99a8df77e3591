//! The move/copy folder picker: a box over the panes with the typed letters and the
//! matching folders, best first.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::mime::sanitize::{pad_width, sanitize_line, truncate_width};
use crate::ui::app::App;
use crate::ui::layout::{picker_area, picker_rows};
use crate::ui::picker::Picker;
use crate::ui::triage::count;

pub fn draw(frame: &mut Frame<'_>, screen: Rect, app: &App, p: &Picker) {
    let area = picker_area(screen, p.matches.len());
    let verb = if p.remove { "Move" } else { "Copy" };
    let title = format!(
        " {verb} {} to · Enter picks · Esc cancels ",
        count(p.uids.len())
    );
    let body = super::overlay_box(frame, area, app, &title);
    let width = body.width as usize;
    let query = truncate_width(&format!("> {}", sanitize_line(&p.query)), width);
    let cursor_x = body.x + (query.width() as u16).min(body.width.saturating_sub(1));
    let mut lines = vec![Line::raw(query)];
    let rows = picker_rows(screen, p.matches.len());
    let start = p.offset;
    if p.matches.is_empty() {
        lines.push(Line::styled(
            truncate_width("no folder matches", width),
            app.theme().dim,
        ));
    }
    for (i, dest) in p.matches.iter().enumerate().skip(start).take(rows) {
        let text = pad_width(&sanitize_line(&dest.label), width);
        let line = if i == p.cursor {
            Line::styled(text, app.theme().selected)
        } else {
            Line::raw(text)
        };
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), body);
    frame.set_cursor_position(Position::new(cursor_x, body.y));
}
