//! The bottom line: account, connection, folder and sync progress, and the latest notice or
//! error in plain words. While the command line is open, it takes this line instead.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::mime::sanitize::{sanitize_line, truncate_width};
use crate::msg::ConnState;
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::prompt::{LineError, LineKind, Prompt};
use crate::ui::triage;

/// The latest error, on its own line in the error style. A refused search line is drawn here
/// instead, so that its error can point up at the bad token from the line below.
pub fn draw_error(frame: &mut Frame<'_>, area: Rect, app: &App) {
    if let Some(p) = app.overlays().prompt().filter(|p| p.error.is_some()) {
        draw_line(frame, area, p);
        return;
    }
    if let Some(n) = app.notice().filter(|n| n.error) {
        let text = truncate_width(&sanitize_line(&n.text), area.width as usize);
        frame.render_widget(Paragraph::new(Line::styled(text, app.theme().error)), area);
    }
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let width = area.width as usize;
    if let Some(c) = app.overlays().confirm() {
        let text = truncate_width(&format!(" {}", sanitize_line(&c.question)), width);
        frame.render_widget(Paragraph::new(Line::styled(text, app.theme().error)), area);
        return;
    }
    if let Some(p) = app.overlays().prompt() {
        match &p.error {
            Some(e) => draw_caret(frame, area, p, e, app),
            None if p.kind == LineKind::Filter => draw_filter(frame, area, p, app),
            None => draw_line(frame, area, p),
        }
        return;
    }
    let mut left = format!(" {}", sanitize_line(app.account()));
    if app.inboxes().is_active() {
        // The account of the row being read comes first, as for a folder.
        let n = app.inbox_rows().len();
        left.push_str(&format!(" · All inboxes · {}", triage::count(n)));
    } else if let Some(mb) = app.mailbox() {
        let progress = if mb.synced {
            match mb.uids.len() {
                1 => "1 message".to_string(),
                n => format!("{n} messages"),
            }
        } else if mb.listed {
            format!("syncing {}/{}", mb.summaries.len(), mb.uids.len())
        } else {
            // Only the first screen is known: its count is not the folder's.
            "syncing…".to_string()
        };
        left.push_str(&format!(
            " · {} · {progress}",
            sanitize_line(mb.folder.name())
        ));
    }
    let tagged = if app.inboxes().is_active() {
        app.inboxes().tagged_count()
    } else {
        app.list().tagged().len()
    };
    if tagged > 0 {
        left.push_str(&format!(" · {tagged} tagged"));
    }
    match app.search().active() {
        Some(s) if s.done => left.push_str(&format!(
            " · /{}: {} found",
            sanitize_line(&s.text),
            app.rows().len()
        )),
        Some(s) => left.push_str(&format!(" · /{}: searching…", sanitize_line(&s.text))),
        None => {}
    }
    if let Some(f) = app.filter().active() {
        left.push_str(&format!(
            " · filter: {} of {} ({})",
            app.rows().len(),
            app.unfiltered_len(),
            sanitize_line(&f.text)
        ));
    }
    match app.composer().outbox() {
        0 => {}
        n => left.push_str(&format!(" · {n} in outbox")),
    }
    // The reason for being offline can carry server text.
    left.push_str(&format!(" · {}", sanitize_line(&connection(app))));
    if let Some(n) = app.overlays().count() {
        left.push_str(&format!(" · {n}"));
    }
    let notice = match app.notice() {
        Some(n) if !n.error => n.text.as_str(),
        _ => "? help",
    };
    // A notice may take up to two thirds of the line: what just happened matters more than
    // the connection details it pushes out.
    let notice = sanitize_line(notice);
    let left_room = width.saturating_sub(notice.width() + 2).max(width / 3);
    let left = truncate_width(&left, left_room);
    let notice = truncate_width(&notice, width.saturating_sub(left.width() + 2));
    let gap = width.saturating_sub(left.width() + notice.width() + 1);
    let line = Line::from(vec![
        Span::raw(left),
        Span::raw(" ".repeat(gap)),
        Span::raw(notice),
        Span::raw(" "),
    ])
    .style(app.theme().status);
    frame.render_widget(Paragraph::new(line).style(app.theme().status), area);
}

/// The line being edited, after what it is for (`:`, `/`, `New folder: `…).
fn draw_line(frame: &mut Frame<'_>, area: Rect, p: &Prompt) {
    let text = format!("{}{}", p.kind.label(), p.kind.shown(&p.text));
    let text = truncate_width(&text, area.width as usize);
    let cursor_x = area.x + (text.width() as u16).min(area.width.saturating_sub(1));
    frame.render_widget(Paragraph::new(Line::raw(text)), area);
    frame.set_cursor_position(Position::new(cursor_x, area.y));
}

/// The filter line, with how many messages match on the right.
fn draw_filter(frame: &mut Frame<'_>, area: Rect, p: &Prompt, app: &App) {
    let width = area.width as usize;
    let count = format!(
        "filter: {} of {} · Enter keeps · Esc clears ",
        app.rows().len(),
        app.unfiltered_len()
    );
    // The typed text wins over the count when the line is narrow.
    let text = format!("{}{}", p.kind.label(), sanitize_line(&p.text));
    let count = truncate_width(&count, width.saturating_sub(text.width() + 2));
    let text = truncate_width(&text, width.saturating_sub(count.width()));
    let gap = width.saturating_sub(text.width() + count.width());
    let cursor_x = area.x + (text.width() as u16).min(area.width.saturating_sub(1));
    let line = Line::from(vec![
        Span::raw(text),
        Span::raw(" ".repeat(gap)),
        Span::styled(count, app.theme().dim),
    ]);
    frame.render_widget(Paragraph::new(line), area);
    frame.set_cursor_position(Position::new(cursor_x, area.y));
}

/// A caret under the refused token of the line above, and why.
fn draw_caret(frame: &mut Frame<'_>, area: Rect, p: &Prompt, e: &LineError, app: &App) {
    let before: String = p.text.chars().take(e.column.saturating_sub(1)).collect();
    let indent = p.kind.label().width() + sanitize_line(&before).width();
    let text = format!(
        "{}^ column {}: {}",
        " ".repeat(indent),
        e.column,
        sanitize_line(&e.message)
    );
    let text = truncate_width(&text, area.width as usize);
    frame.render_widget(Paragraph::new(Line::styled(text, app.theme().error)), area);
}

fn connection(app: &App) -> String {
    match &app.model().conn {
        None => "starting".into(),
        Some(ConnState::Connecting { host, port }) => format!("connecting to {host}:{port}"),
        Some(ConnState::Connected(info)) => match &info.tls {
            Some(tls) => format!(
                "logged in ({})",
                tls.split_whitespace().next().unwrap_or(tls)
            ),
            None => "logged in (no TLS)".into(),
        },
        Some(ConnState::Offline {
            reason,
            retry_in: Some(secs),
        }) => match app.keymap().keys_for(Action::Reconnect).first() {
            Some(key) => format!("offline: {reason} (retrying in {secs} s; {key} retries now)"),
            None => format!("offline: {reason} (retrying in {secs} s)"),
        },
        Some(ConnState::Offline { reason, .. }) => {
            match app.keymap().keys_for(Action::Reconnect).first() {
                Some(key) if app.login().is_refused() => {
                    format!("offline: {reason} ({key} to type the password again)")
                }
                _ => format!("offline: {reason}"),
            }
        }
    }
}
