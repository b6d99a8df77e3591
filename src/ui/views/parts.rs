//! The attachment pane: the part tree with section numbers, type, file name and size.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::mime::Part;
use crate::mime::sanitize::{pad_width, sanitize_line, truncate_width};
use crate::ui::app::App;
use crate::ui::document::part_size;
use crate::ui::layout::Pane;
use crate::ui::layout::inner;

const TYPE_W: usize = 26;
const SIZE_W: usize = 7;
/// Deeper trees than this share a truncated section column.
const MAX_SECTION_W: usize = 20;

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let title = " Parts · s save · S save all · o open ";
    let title = truncate_width(title, area.width.saturating_sub(2) as usize);
    frame.render_widget(super::pane(Line::from(title), app, Pane::Parts), area);
    let body = inner(area);
    let parts = app.parts();
    if parts.is_empty() {
        let note = Line::styled(
            truncate_width("loading…", body.width as usize),
            app.theme().dim,
        );
        frame.render_widget(Paragraph::new(note), body);
        return;
    }
    let rows = body.height as usize;
    let start = app.parts_pane().offset();
    let cols = Columns::new(&parts, body.width as usize);
    let lines: Vec<Line<'_>> = parts
        .iter()
        .enumerate()
        .skip(start)
        .take(rows)
        .map(|(i, p)| line(p, &cols, i == app.parts_pane().cursor(), app))
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}

struct Columns {
    width: usize,
    section: usize,
    mime: usize,
    name: usize,
}

impl Columns {
    /// The section column fits the deepest number; type and name share the rest.
    fn new(parts: &[&Part], width: usize) -> Columns {
        let section = parts
            .iter()
            .map(|p| section_label(p).width())
            .max()
            .unwrap_or(0)
            .min(MAX_SECTION_W);
        let rest = width.saturating_sub(section + SIZE_W + 3);
        let mime = TYPE_W.min(rest * 3 / 5);
        Columns {
            width,
            section,
            mime,
            name: rest - mime,
        }
    }
}

fn section_label(p: &Part) -> String {
    format!("{}{}", "  ".repeat(p.depth), p.section)
}

fn line<'a>(p: &Part, cols: &Columns, selected: bool, app: &App) -> Line<'a> {
    let section = pad_width(&section_label(p), cols.section);
    let mime = pad_width(&sanitize_line(&p.mime_type), cols.mime);
    let name = pad_width(
        &sanitize_line(p.filename.as_deref().unwrap_or("")),
        cols.name,
    );
    let size = format!("{:>SIZE_W$}", part_size(p.size));
    let mut style = if p.is_multipart() {
        app.theme().dim
    } else {
        Style::new()
    };
    if selected {
        style = style.patch(app.theme().selected);
    }
    let text = format!("{section} {mime} {name} {size}");
    Line::from(Span::raw(truncate_width(&text, cols.width))).style(style)
}
