//! The folder tree pane.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::mime::sanitize::{pad_width, sanitize_line, text_width, truncate_width};
use crate::ui::app::App;
use crate::ui::folder_tree::TreeRow;
use crate::ui::layout::Pane;
use crate::ui::layout::inner;

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let block = super::pane(Line::from(" Folders "), app, Pane::Folders);
    frame.render_widget(block, area);
    let body = inner(area);
    let rows = body.height as usize;
    let start = app.folder_pane().offset();
    let open = app.mailbox().map(|m| m.folder.name());
    let lines: Vec<Line<'_>> = app
        .folder_pane()
        .tree()
        .iter()
        .enumerate()
        .skip(start)
        .take(rows)
        .map(|(i, row)| {
            let selected = i == app.folder_pane().cursor();
            line(
                row,
                body.width as usize,
                selected,
                open == Some(row.name.as_str()),
                app,
            )
        })
        .collect();
    if lines.is_empty() {
        frame.render_widget(super::waiting(app, "loading…", false), body);
        return;
    }
    frame.render_widget(Paragraph::new(lines), body);
}

fn line<'a>(row: &TreeRow, width: usize, selected: bool, open: bool, app: &App) -> Line<'a> {
    let theme = app.theme();
    let marker = match (row.has_children, row.collapsed) {
        (true, true) => "▸ ",
        (true, false) => "▾ ",
        (false, _) => "  ",
    };
    let indent = "  ".repeat(row.depth);
    // From the model on every frame: reading, arrivals and expunges move these counts.
    let status = app
        .model
        .folders
        .iter()
        .find(|f| f.folder.name() == row.name)
        .and_then(|f| app.model.counts(f));
    let counts = match status {
        Some(s) if s.unseen > 0 => format!(" {}/{}", s.unseen, s.messages),
        Some(s) => format!(" {}", s.messages),
        None => String::new(),
    };
    let prefix = format!("{indent}{marker}");
    let room = width.saturating_sub(text_width(&prefix) + text_width(&counts));
    let label = pad_width(&sanitize_line(&row.label), room);
    let mut style = Style::new();
    if !row.selectable {
        style = style.patch(theme.dim);
    }
    if status.is_some_and(|s| s.unseen > 0) || open {
        style = style.patch(theme.unread);
    }
    if selected {
        style = style.patch(theme.selected);
    }
    // Very narrow panes drop the counts before the name.
    let counts = truncate_width(
        &counts,
        width.saturating_sub(text_width(&prefix) + text_width(&label)),
    );
    Line::from(vec![
        Span::raw(truncate_width(&prefix, width)),
        Span::raw(label),
        Span::styled(counts, theme.dim),
    ])
    .style(style)
}
