//! The reader pane: a window onto the message's laid-out document.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::app::App;
use crate::ui::document::{DocLine, Document, LineKind, ReaderMode, shown_parts};
use crate::ui::layout::Pane;
use crate::ui::layout::inner;

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    if let Some(c) = app.conversation() {
        let (total, mine) = c.counts();
        let from_sent = match mine {
            0 => String::new(),
            n => format!(", {n} from Sent"),
        };
        let title = format!(" conversation · {total} messages{from_sent} ");
        return window(frame, area, app, title, &c.doc, c.scroll);
    }
    let Some(reader) = app.reader() else {
        return;
    };
    let view = if reader.mode.raw {
        "raw source"
    } else {
        kind(app, reader.mode)
    };
    window(
        frame,
        area,
        app,
        format!(" {view} "),
        &reader.doc,
        reader.scroll,
    );
}

/// The pane titled `title` and how far down it is, showing `doc` from line `scroll`.
fn window(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    title: String,
    doc: &Document,
    scroll: usize,
) {
    let body = inner(area);
    let total = doc.lines.len();
    let shown_to = (scroll + body.height as usize).min(total);
    let title = format!("{title}· {shown_to}/{total} ");
    frame.render_widget(super::pane(Line::from(title), app, Pane::Reader), area);
    let lines: Vec<Line<'_>> = doc
        .lines
        .iter()
        .skip(scroll)
        .take(body.height as usize)
        .map(|l| line(l, app))
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}

/// Names the version shown, so `v` visibly switches between plain text and HTML.
fn kind(app: &App, mode: ReaderMode) -> &'static str {
    let root = app.message().and_then(|m| m.root.as_ref());
    let shown = root.map(|r| shown_parts(r, mode)).unwrap_or_default();
    if shown.iter().any(|p| p.mime_type == "text/html") {
        "HTML"
    } else if shown.is_empty() {
        "message"
    } else {
        "plain text"
    }
}

/// Document lines are already sanitised and wrapped to the pane width.
fn line<'a>(l: &'a DocLine, app: &App) -> Line<'a> {
    let theme = app.theme();
    match &l.kind {
        LineKind::Header { name } => Line::from(vec![
            Span::styled(name.as_str(), theme.header),
            Span::raw(l.text.as_str()),
        ]),
        LineKind::Text => Line::raw(l.text.as_str()),
        LineKind::Quote => Line::styled(l.text.as_str(), theme.quote),
        LineKind::Notice => Line::styled(l.text.as_str(), theme.dim),
    }
}
