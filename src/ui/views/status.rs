//! The bottom line: account, connection, folder and sync progress, and the latest notice or
//! error in plain words. While the command line is open, it takes this line instead.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::mime::sanitize::{sanitize_line, truncate_width};
use crate::msg::ConnState;
use crate::ui::app::App;

/// The latest error, on its own line in the error style.
pub fn draw_error(frame: &mut Frame<'_>, area: Rect, app: &App) {
    if let Some(n) = app.notice.as_ref().filter(|n| n.error) {
        let text = truncate_width(&sanitize_line(&n.text), area.width as usize);
        frame.render_widget(Paragraph::new(Line::styled(text, app.theme.error)), area);
    }
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let width = area.width as usize;
    if let Some(p) = &app.prompt {
        let text = truncate_width(&format!(":{}", sanitize_line(&p.text)), width);
        let cursor_x = area.x + (text.width() as u16).min(area.width.saturating_sub(1));
        frame.render_widget(Paragraph::new(Line::raw(text)), area);
        frame.set_cursor_position(Position::new(cursor_x, area.y));
        return;
    }
    let mut left = format!(" {}", sanitize_line(&app.account));
    if let Some(mb) = app.mailbox() {
        let progress = if mb.synced {
            match mb.uids.len() {
                1 => "1 message".to_string(),
                n => format!("{n} messages"),
            }
        } else {
            format!("syncing {}/{}", mb.summaries.len(), mb.uids.len())
        };
        left.push_str(&format!(" · {} · {progress}", sanitize_line(&mb.name)));
    }
    // The reason for being offline can carry server text.
    left.push_str(&format!(" · {}", sanitize_line(&connection(app))));
    if let Some(n) = app.count {
        left.push_str(&format!(" · {n}"));
    }
    let notice = match &app.notice {
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
    .style(app.theme.status);
    frame.render_widget(Paragraph::new(line).style(app.theme.status), area);
}

fn connection(app: &App) -> String {
    match &app.model.conn {
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
        }) => format!("offline: {reason} (retrying in {secs} s; R retries now)"),
        Some(ConnState::Offline { reason, .. }) => format!("offline: {reason}"),
    }
}
