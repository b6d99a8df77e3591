//! The `?` overlay, generated from the effective keymap and the command list, so it can never
//! disagree with what the keys do.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use crate::mime::sanitize::{pad_width, truncate_width};
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::layout::inner;
use crate::ui::prompt::COMMANDS;

const KEYS_W: usize = 22;

pub fn draw(frame: &mut Frame<'_>, screen: Rect, app: &App, scroll: usize) {
    let area = centered(screen);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.focus)
        .title(Line::from(" Help · j/k scroll · q or ? close ").style(app.theme.focus));
    frame.render_widget(block, area);
    let body = inner(area);
    let width = body.width as usize;
    let lines = lines(app, width);
    let scroll = scroll.min(max_scroll(app, screen));
    let shown: Vec<Line<'_>> = lines
        .into_iter()
        .skip(scroll)
        .take(body.height as usize)
        .collect();
    frame.render_widget(Paragraph::new(shown), body);
}

/// Lines below the first screen of help (prepare() clamps the scroll to this).
pub fn max_scroll(app: &App, screen: Rect) -> usize {
    let body = inner(centered(screen));
    lines(app, body.width as usize)
        .len()
        .saturating_sub(body.height as usize)
}

fn centered(screen: Rect) -> Rect {
    let w = screen.width.saturating_sub(4).min(90);
    let h = screen.height.saturating_sub(2);
    Rect::new(
        screen.x + (screen.width - w) / 2,
        screen.y + (screen.height - h) / 2,
        w,
        h,
    )
}

fn entry<'a>(keys: &str, doc: &str, width: usize, app: &App) -> Line<'a> {
    // Narrow windows give the keys a third, so the descriptions stay readable.
    let keys = pad_width(keys, KEYS_W.min(width / 3));
    let doc = truncate_width(doc, width.saturating_sub(keys.width() + 1));
    Line::from(vec![
        Span::styled(keys, app.theme.header),
        Span::raw(" "),
        Span::raw(doc),
    ])
}

pub fn lines<'a>(app: &App, width: usize) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    for action in Action::ALL {
        let keys = app.keymap.keys_for(*action);
        let keys = if keys.is_empty() {
            "(unbound)".to_string()
        } else {
            keys.join(" ")
        };
        out.push(entry(&keys, action.doc(), width, app));
    }
    out.push(entry(
        "C-c",
        "Always quits, whatever the keymap says",
        width,
        app,
    ));
    out.push(entry(
        "N then a key",
        "A number before a movement repeats it; before Enter, opens link N",
        width,
        app,
    ));
    out.push(entry(
        "y at a question",
        "Answers yes (expunge, delete folder); any other key cancels",
        width,
        app,
    ));
    out.push(entry(
        "In the picker",
        "Type letters of the folder name; Up/Down choose, Enter picks, Esc cancels",
        width,
        app,
    ));
    out.push(Line::raw(""));
    out.push(Line::styled("Commands (type : first)", app.theme.focus));
    for (cmd, doc) in COMMANDS {
        out.push(entry(cmd, doc, width, app));
    }
    out.push(Line::raw(""));
    out.push(Line::styled(
        truncate_width(
            "List flags: * tagged · N new · F flagged · A answered · D deleted · @ attachments",
            width,
        ),
        app.theme.dim,
    ));
    out
}
