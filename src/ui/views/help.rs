//! The `?` overlay: the help lines of [`crate::ui::help`], styled and cut to the window.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use crate::mime::sanitize::{pad_width, truncate_width};
use crate::ui::app::App;
use crate::ui::help::{self, HelpLine};
use crate::ui::layout::{help_area, help_max_scroll, inner};

const KEYS_W: usize = 22;

pub fn draw(frame: &mut Frame<'_>, screen: Rect, app: &App, scroll: usize) {
    let theme = app.theme();
    let area = help_area(screen);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focus)
        .title(Line::from(" Help · j/k scroll · q or ? close ").style(theme.focus));
    frame.render_widget(block, area);
    let body = inner(area);
    let width = body.width as usize;
    let lines = help::lines(app.keymap());
    let scroll = scroll.min(help_max_scroll(screen, lines.len()));
    let shown: Vec<Line<'_>> = lines
        .iter()
        .skip(scroll)
        .take(body.height as usize)
        .map(|l| line(l, width, app))
        .collect();
    frame.render_widget(Paragraph::new(shown), body);
}

fn line<'a>(l: &HelpLine, width: usize, app: &App) -> Line<'a> {
    let theme = app.theme();
    match l {
        HelpLine::Entry { keys, doc } => {
            // Narrow windows give the keys a third, so the descriptions stay readable.
            let keys = pad_width(keys, KEYS_W.min(width / 3));
            let doc = truncate_width(doc, width.saturating_sub(keys.width() + 1));
            Line::from(vec![
                Span::styled(keys, theme.header),
                Span::raw(" "),
                Span::raw(doc),
            ])
        }
        HelpLine::Blank => Line::raw(""),
        HelpLine::Heading(text) => Line::styled(*text, theme.focus),
        HelpLine::Legend(text) => Line::styled(truncate_width(text, width), theme.dim),
    }
}
