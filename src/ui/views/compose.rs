//! The composer's screens: the To line before the editor, and the review screen after it
//! (headers, body, attachments, what is wrong, the keys, and its line or question).

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use unicode_width::UnicodeWidthStr;

use crate::mime::sanitize::{sanitize_line, truncate_width};
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::composer::{LineEdit, LineFor, Review, Stage, Start};
use crate::ui::layout::inner;
use crate::ui::wrap::wrap;

/// Draws the composer's screen over `area` (the screen minus the status bar).
pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    match app.composer().stage() {
        Stage::Addressing { start, line } => addressing(frame, area, app, start, line),
        Stage::Review(r) => review(frame, area, app, r),
        Stage::Idle | Stage::Fetching { .. } | Stage::Editing(_) => {}
    }
}

fn block<'a>(title: String, app: &App) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme().focus)
        .title(Line::from(title).style(app.theme().focus))
}

fn addressing(frame: &mut Frame<'_>, area: Rect, app: &App, start: &Start, line: &LineEdit) {
    let title = match start {
        Start::Forward {
            attached: false, ..
        } => " Forward ",
        Start::Forward { attached: true, .. } => " Forward as attachment ",
        _ => " New message ",
    };
    frame.render_widget(block(title.into(), app), area);
    let body = inner(area);
    let width = body.width as usize;
    let mut lines = vec![
        Line::styled(
            truncate_width(
                "Who to? Tab completes an address; Enter opens the editor (To may stay empty); Esc cancels",
                width,
            ),
            app.theme().dim,
        ),
        Line::raw(""),
    ];
    let to = truncate_width(&format!("To: {}", sanitize_line(&line.text)), width);
    let cursor = (to.width() as u16).min(body.width.saturating_sub(1));
    lines.push(Line::raw(to));
    push_line_extras(&mut lines, line, width, app);
    frame.render_widget(Paragraph::new(lines), body);
    if body.height > 2 {
        frame.set_cursor_position(Position::new(body.x + cursor, body.y + 2));
    }
}

/// A line's error and its completion choices, under it.
fn push_line_extras<'a>(lines: &mut Vec<Line<'a>>, line: &LineEdit, width: usize, app: &App) {
    if let Some(e) = &line.error {
        lines.push(Line::styled(
            truncate_width(&sanitize_line(e), width),
            app.theme().error,
        ));
    }
    let choices = line.completion.choices();
    if !choices.is_empty() {
        let text = choices
            .iter()
            .map(|c| sanitize_line(c))
            .collect::<Vec<_>>()
            .join("  ");
        lines.push(Line::styled(truncate_width(&text, width), app.theme().dim));
    }
}

fn review(frame: &mut Frame<'_>, area: Rect, app: &App, r: &Review) {
    let subject = r
        .split()
        .0
        .lines()
        .find_map(|l| l.strip_prefix("Subject:"))
        .map(|s| sanitize_line(s.trim()))
        .unwrap_or_default();
    frame.render_widget(block(format!(" Review: {subject} "), app), area);
    let body = inner(area);
    let width = body.width as usize;
    let theme = app.theme();

    // The bottom: attachments, the problem, the keys and the line or question.
    let mut foot: Vec<Line<'_>> = vec![Line::styled("─".repeat(width), theme.border)];
    if r.attachments.is_empty() {
        foot.push(Line::styled("No attachments", theme.dim));
    }
    for (i, a) in r.attachments.iter().enumerate() {
        let size = a.size.map_or_else(|| "missing".to_string(), human_size);
        let text = format!(
            "{:>2}. {}  {}  {}",
            i + 1,
            sanitize_line(&a.name),
            sanitize_line(&a.mime_type),
            size
        );
        foot.push(Line::raw(truncate_width(&text, width)));
    }
    if let Some(p) = &r.problem {
        // Wrapped, not cut: the server's words are the point.
        let text = format!("Cannot send: {}", sanitize_line(p));
        foot.extend(
            wrap(&text, width)
                .into_iter()
                .map(|l| Line::styled(l, theme.error)),
        );
    }
    let mut cursor = None;
    if let Some(ask) = &r.ask {
        let q = truncate_width(&sanitize_line(&ask.question()), width);
        foot.push(Line::styled(q, theme.error));
    } else if let Some((purpose, line)) = &r.line {
        let (label, hint) = match purpose {
            LineFor::Attach => (
                "Attach: ",
                "A file to attach: Tab completes the path, Enter on an empty line ends, Esc cancels",
            ),
            LineFor::Detach => ("Detach: ", "The number of the attachment to remove"),
        };
        foot.push(Line::styled(truncate_width(hint, width), theme.dim));
        let text = truncate_width(&format!("{label}{}", sanitize_line(&line.text)), width);
        cursor = Some((text.width() as u16, foot.len()));
        foot.push(Line::raw(text));
        push_line_extras(&mut foot, line, width, app);
    } else {
        foot.push(key_line(app, width));
    }

    let foot_h = (foot.len() as u16).min(body.height / 2);
    let text_h = body.height.saturating_sub(foot_h);
    let (head, text) = r.split();
    let mut lines: Vec<Line<'_>> = head.lines().map(|l| header_line(l, width, app)).collect();
    lines.push(Line::raw(""));
    let quote = theme.quote;
    lines.extend(text.lines().map(|l| {
        let shown = truncate_width(&sanitize_line(l), width);
        if l.starts_with('>') {
            Line::styled(shown, quote)
        } else {
            Line::raw(shown)
        }
    }));
    let max = lines.len().saturating_sub(text_h as usize);
    let shown: Vec<Line<'_>> = lines
        .into_iter()
        .skip(r.scroll.min(max))
        .take(text_h as usize)
        .collect();
    frame.render_widget(
        Paragraph::new(shown),
        Rect::new(body.x, body.y, body.width, text_h),
    );
    let foot_area = Rect::new(body.x, body.y + text_h, body.width, foot_h);
    let skip = foot.len().saturating_sub(foot_h as usize);
    frame.render_widget(
        Paragraph::new(foot.into_iter().skip(skip).collect::<Vec<_>>()),
        foot_area,
    );
    if let Some((x, row)) = cursor
        && row >= skip
    {
        let y = foot_area.y + (row - skip) as u16;
        frame.set_cursor_position(Position::new(
            foot_area.x + x.min(body.width.saturating_sub(1)),
            y,
        ));
    }
}

fn header_line<'a>(l: &str, width: usize, app: &App) -> Line<'a> {
    match l.split_once(':') {
        Some((name, value)) => {
            let name = format!("{}:", sanitize_line(name));
            let value = truncate_width(&sanitize_line(value), width.saturating_sub(name.width()));
            Line::from(vec![
                Span::styled(name, app.theme().header),
                Span::raw(value),
            ])
        }
        None => Line::raw(truncate_width(&sanitize_line(l), width)),
    }
}

/// `y send · e edit · …` from the keymap.
fn key_line<'a>(app: &App, width: usize) -> Line<'a> {
    let parts: Vec<String> = Action::ALL
        .iter()
        .filter(|a| a.is_review())
        .filter_map(|a| {
            let key = app.keymap().keys_for(*a).into_iter().next()?;
            Some(format!("{key} {}", a.name()))
        })
        .collect();
    Line::styled(truncate_width(&parts.join(" · "), width), app.theme().dim)
}

fn human_size(n: u64) -> String {
    match n {
        n if n < 1024 => format!("{n} B"),
        n if n < 1024 * 1024 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0)),
    }
}
