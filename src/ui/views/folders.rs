//! The folder tree pane.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::mime::sanitize::{pad_width, sanitize_line, text_width, truncate_width};
use crate::model::Model;
use crate::msg::{ConnState, FolderStatus};
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
    let open = app.mailbox().map(|m| (app.open_account(), m.folder.name()));
    let sections = app.accounts().sections(app.model());
    let lines: Vec<Line<'_>> = app
        .folder_pane()
        .tree()
        .iter()
        .enumerate()
        .skip(start)
        .take(rows)
        .map(|(i, row)| {
            let selected = i == app.folder_pane().cursor();
            let is_open = if app.inboxes().is_active() {
                row.all_inboxes
            } else {
                !row.is_account
                    && !row.all_inboxes
                    && open == Some((row.account, row.name.as_str()))
            };
            let model = sections
                .iter()
                .find(|s| s.account == row.account)
                .map_or(app.model(), |s| s.model);
            line(row, body.width as usize, selected, is_open, model, app)
        })
        .collect();
    if lines.is_empty() {
        frame.render_widget(super::waiting(app, "loading…", false), body);
        return;
    }
    frame.render_widget(Paragraph::new(lines), body);
}

fn line<'a>(
    row: &TreeRow,
    width: usize,
    selected: bool,
    open: bool,
    model: &Model,
    app: &App,
) -> Line<'a> {
    let theme = app.theme();
    let marker = match (row.has_children, row.collapsed) {
        (true, true) => "▸ ",
        (true, false) => "▾ ",
        (false, _) => "  ",
    };
    let indent = "  ".repeat(row.depth);
    // From the account's model on every frame: reading, arrivals and expunges move these
    // counts.
    let status = if row.all_inboxes {
        Some(FolderStatus {
            unseen: inbox_unseen(app),
            ..FolderStatus::default()
        })
    } else if row.is_account {
        Some(FolderStatus {
            unseen: model.unseen_total(),
            ..FolderStatus::default()
        })
    } else {
        model
            .folders
            .iter()
            .find(|f| f.folder.name() == row.name)
            .and_then(|f| model.counts(f))
    };
    let counts = match status {
        Some(s) if row.all_inboxes && s.unseen > 0 => format!(" {}", s.unseen),
        _ if row.all_inboxes => String::new(),
        _ if row.is_account => account_counts(model),
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

/// Unread messages in every account's INBOX.
fn inbox_unseen(app: &App) -> u32 {
    app.accounts()
        .sections(app.model())
        .iter()
        .filter_map(|s| {
            let f = s
                .folders()
                .iter()
                .find(|f| f.folder.name().eq_ignore_ascii_case("INBOX"))?;
            s.model.counts(f)
        })
        .fold(0, |sum, c| sum.saturating_add(c.unseen))
}

/// An account row's unread total and, unless connected, its connection state.
fn account_counts(model: &Model) -> String {
    let state = match &model.conn {
        Some(ConnState::Connected(_)) => "",
        Some(ConnState::Offline { .. }) => " offline",
        Some(ConnState::Connecting { .. }) | None => " connecting",
    };
    match model.unseen_total() {
        0 => state.to_string(),
        n => format!(" {n}{state}"),
    }
}
