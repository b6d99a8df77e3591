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
mod status;

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders};

use crate::ui::app::App;
use crate::ui::layout::Pane;

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
    if let Some(scroll) = app.overlays().help() {
        help::draw(frame, g.screen, app, scroll);
    }
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
