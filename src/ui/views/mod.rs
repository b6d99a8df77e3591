//! Drawing: each view is a function of the app (model + view state) that writes into the
//! frame. Nothing here changes state; `App::prepare` has already laid things out, with the
//! sizes from `layout`.

mod compose;
mod folders;
mod help;
mod list;
mod parts;
mod picker;
mod reader;
mod sort_picker;
mod status;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::mime::sanitize::{sanitize_line, truncate_width};
use crate::msg::ConnState;
use crate::ui::app::App;
use crate::ui::layout::{Pane, inner};

/// Draws one frame.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let g = app.geometry();
    if app.composer().is_active() {
        let error = g.error.map_or(0, |e| e.height);
        let above = g.screen.height.saturating_sub(g.status.height + error);
        let area = ratatui::layout::Rect::new(g.screen.x, g.screen.y, g.screen.width, above);
        compose::draw(frame, area, app);
        if let Some(area) = g.error {
            status::draw_error(frame, area, app);
        }
        status::draw(frame, g.status, app);
        if let Some(scroll) = app.overlays().help() {
            help::draw(frame, g.screen, app, scroll);
        }
        return;
    }
    if let Some(area) = g.folders {
        folders::draw(frame, area, app);
    }
    if let Some(area) = g.list {
        list::draw(frame, area, app);
    }
    if let Some(area) = g.reader {
        reader::draw(frame, area, app);
    }
    if let Some(area) = g.parts {
        parts::draw(frame, area, app);
    }
    if let Some(area) = g.error {
        status::draw_error(frame, area, app);
    }
    status::draw(frame, g.status, app);
    if let Some(p) = app.overlays().picker() {
        picker::draw(frame, g.screen, app, p);
    }
    if let Some(p) = app.overlays().sort_picker() {
        sort_picker::draw(frame, g.screen, app, p);
    }
    if let Some(scroll) = app.overlays().help() {
        help::draw(frame, g.screen, app, scroll);
    }
}

/// A box over the panes with `title` on its focused border; returns the area inside it.
fn overlay_box(frame: &mut Frame<'_>, area: Rect, app: &App, title: &str) -> Rect {
    frame.render_widget(Clear, area);
    let title = truncate_width(title, area.width.saturating_sub(2) as usize);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme().focus)
        .title(Line::from(title).style(app.theme().focus));
    frame.render_widget(block, area);
    inner(area)
}

/// What a pane with nothing to show yet says: the connection's state when that is why, else
/// `what` it is waiting for. Wrapped, so a narrow pane still tells the whole reason; `why`
/// adds the reason for being offline (one pane is enough to tell it).
fn waiting<'a>(app: &App, what: &'a str, why: bool) -> Paragraph<'a> {
    let text = match &app.model().conn {
        Some(ConnState::Offline { reason, .. }) if why => {
            format!("Not connected: {}", sanitize_line(reason))
        }
        Some(ConnState::Offline { .. }) => "Not connected".to_string(),
        Some(ConnState::Connecting { host, .. }) => {
            format!("connecting to {}…", sanitize_line(host))
        }
        _ => what.to_string(),
    };
    Paragraph::new(Line::styled(text, app.theme().dim)).wrap(Wrap { trim: true })
}

/// A bordered pane; the focused one stands out in colour and, without colour, by its bold
/// title and thick border.
fn pane<'a>(title: Line<'a>, app: &App, pane: Pane) -> Block<'a> {
    let focused = app.focus() == pane;
    let style: Style = if focused {
        app.theme().focus
    } else {
        app.theme().border
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(title.style(style));
    if focused {
        block.border_type(ratatui::widgets::BorderType::Thick)
    } else {
        block
    }
}
