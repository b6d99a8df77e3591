//! The message list. Virtualised: only the rows on screen are looked at, each by one HashMap
//! lookup, so a frame costs the same for 50 messages and for 100 000.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::mime::sanitize::{pad_width, sanitize_line, truncate_width};
use crate::model::Mailbox;
use crate::msg::{Flag, Flags, Summary, Uid};
use crate::ui::app::App;
use crate::ui::layout::Pane;
use crate::ui::layout::inner;

/// Columns: tag mark and flags, date, from, subject, size; from and subject share what is
/// left.
const FLAGS_W: usize = 6;
const SIZE_W: usize = 6;
/// Wide lists show the time after the date.
const DATE_TIME_FROM: usize = 100;

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let title = match app.mailbox() {
        Some(mb) => format!(" {} ", sanitize_line(mb.folder.name())),
        None => format!(" {} ", sanitize_line(app.folder_pane().wanted())),
    };
    let title = truncate_width(&title, area.width.saturating_sub(2) as usize);
    frame.render_widget(super::pane(Line::from(title), app, Pane::List), area);
    let body = inner(area);
    let Some(mb) = app.mailbox() else {
        let note = Line::styled(
            truncate_width("opening…", body.width as usize),
            app.theme().dim,
        );
        frame.render_widget(Paragraph::new(note), body);
        return;
    };
    let rows = app.rows();
    if rows.is_empty() {
        let empty = match (app.search().active(), app.filter().active()) {
            (Some(s), _) if !s.done => "searching…",
            (_, Some(_)) => "no messages match the filter; Esc clears it",
            (Some(_), None) => "no messages match; Esc shows all",
            (None, None) => "no messages",
        };
        let note = Line::styled(truncate_width(empty, body.width as usize), app.theme().dim);
        frame.render_widget(Paragraph::new(note), body);
        return;
    }
    let cols = Columns::for_width(body.width as usize);
    let end = (app.list().offset() + body.height as usize).min(rows.len());
    let lines: Vec<Line<'_>> = rows[app.list().offset().min(end)..end]
        .iter()
        .enumerate()
        .map(|(i, uid)| {
            let selected = app.list().offset() + i == app.selected();
            row(mb, *uid, &cols, selected, app)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}

struct Columns {
    date: usize,
    from: usize,
    subject: usize,
    with_time: bool,
}

impl Columns {
    fn for_width(width: usize) -> Columns {
        let with_time = width >= DATE_TIME_FROM;
        let date = if with_time { 16 } else { 10 };
        // Separating spaces: after flags, date, from and subject.
        let rest = width.saturating_sub(FLAGS_W + date + SIZE_W + 4);
        let from = (rest / 3).min(24);
        Columns {
            date,
            from,
            subject: rest - from,
            with_time,
        }
    }
}

fn row<'a>(mb: &Mailbox, uid: Uid, cols: &Columns, selected: bool, app: &App) -> Line<'a> {
    let theme = app.theme();
    let base = if selected {
        theme.selected
    } else {
        Style::new()
    };
    let Some(s) = mb.summaries.get(&uid) else {
        let text = format!(
            "{} {}",
            " ".repeat(FLAGS_W + cols.date + 1),
            pad_width("loading…", cols.from + cols.subject + 1)
        );
        return Line::styled(text, theme.dim.patch(base));
    };
    let attachment = mb
        .messages
        .get(&uid)
        .and_then(|m| m.root.as_ref())
        .is_some_and(|r| r.walk().any(|p| p.is_attachment()));
    // Flags as the user last set them, even before the server has confirmed.
    let f = app.flags_of(uid).unwrap_or(s.flags);
    let tagged = app.list().tagged().contains(&uid);
    let mut style = Style::new();
    if !f.has(Flag::Seen) {
        style = style.patch(theme.unread);
    }
    if f.has(Flag::Flagged) {
        style = style.patch(theme.flagged);
    }
    if f.has(Flag::Deleted) {
        style = style.patch(theme.deleted);
    }
    if tagged {
        style = style.patch(theme.tagged);
    }
    Line::from(vec![
        Span::raw(format!(
            "{}{} ",
            if tagged { '*' } else { ' ' },
            flags(f, attachment)
        )),
        Span::styled(
            format!("{} ", pad_width(&date(s, cols.with_time), cols.date)),
            theme.dim,
        ),
        Span::raw(format!(
            "{} ",
            pad_width(&sanitize_line(&s.from), cols.from)
        )),
        Span::raw(format!(
            "{} ",
            pad_width(&sanitize_line(&s.subject), cols.subject)
        )),
        Span::styled(format!("{:>SIZE_W$}", size(s.size)), theme.dim),
    ])
    .style(style.patch(base))
}

/// After the `*` of a tagged row: N new, F flagged, A answered, D deleted, @ has attachments
/// (known once opened).
fn flags(f: Flags, attachment: bool) -> String {
    [
        (!f.has(Flag::Seen), 'N'),
        (f.has(Flag::Flagged), 'F'),
        (f.has(Flag::Answered), 'A'),
        (f.has(Flag::Deleted), 'D'),
        (attachment, '@'),
    ]
    .iter()
    .map(|(on, c)| if *on { *c } else { ' ' })
    .collect()
}

/// In the sender's own time zone, as the CLI prints it; fixed formats keep columns aligned.
fn date(s: &Summary, with_time: bool) -> String {
    let format = if with_time {
        "%Y-%m-%d %H:%M"
    } else {
        "%Y-%m-%d"
    };
    chrono::DateTime::from_timestamp(s.date, 0)
        .zip(chrono::FixedOffset::east_opt(s.date_offset))
        .map(|(d, off)| d.with_timezone(&off).format(format).to_string())
        .unwrap_or_default()
}

fn size(bytes: u32) -> String {
    const K: f64 = 1024.0;
    let b = f64::from(bytes);
    if b < K {
        format!("{bytes}B")
    } else if b < 10.0 * K {
        format!("{:.1}K", b / K)
    } else if b < K * K {
        format!("{:.0}K", b / K)
    } else if b < 10.0 * K * K {
        format!("{:.1}M", b / K / K)
    } else {
        format!("{:.0}M", b / K / K)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_short() {
        assert_eq!(size(512), "512B");
        assert_eq!(size(1536), "1.5K");
        assert_eq!(size(200 * 1024), "200K");
        assert_eq!(size(3 * 1024 * 1024), "3.0M");
        assert_eq!(size(u32::MAX), "4096M");
    }

    #[test]
    fn columns_fit_the_width() {
        for w in [0, 10, 40, 78, 120, 300] {
            let c = Columns::for_width(w);
            let total = FLAGS_W + c.date + c.from + c.subject + SIZE_W + 4;
            assert!(total <= w.max(FLAGS_W + c.date + SIZE_W + 4), "{w}");
        }
    }
}
