//! The message list. Virtualised: only the rows on screen are looked at, each by one HashMap
//! lookup, so a frame costs the same for 50 messages and for 100 000.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::mime::sanitize::{sanitize_line, text_width, truncate_width};
use crate::model::Mailbox;
use crate::model::conversations::{Conversations, Row};
use crate::msg::{Flag, Flags, SummaryRef, Uid};
use crate::ui::app::{App, Zone};
use crate::ui::layout::Pane;
use crate::ui::layout::inner;

/// Columns: tag mark and flags, date, from, subject, size; from and subject share what is
/// left.
const FLAGS_W: usize = 6;
const SIZE_W: usize = 6;
/// Wide lists show the time after the date.
const DATE_TIME_FROM: usize = 100;
/// The account column of All inboxes at most.
const ACCOUNT_W: usize = 8;
/// Levels of tree lines drawn at most.
const MAX_INDENT: usize = 8;

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    if app.inboxes().is_active() {
        return draw_inboxes(frame, area, app);
    }
    let title = match app.mailbox() {
        Some(mb) => format!(" {} ", sanitize_line(mb.folder.name())),
        None => format!(" {} ", sanitize_line(app.folder_pane().wanted())),
    };
    let title = truncate_width(&title, area.width.saturating_sub(2) as usize);
    frame.render_widget(super::pane(Line::from(title), app, Pane::List), area);
    let body = inner(area);
    let Some(mb) = app.mailbox() else {
        frame.render_widget(super::waiting(app, "opening…", true), body);
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
    let recipients = app.lists_recipients();
    let end = (app.list().offset() + body.height as usize).min(rows.len());
    for (i, uid) in rows[app.list().offset().min(end)..end].iter().enumerate() {
        let selected = app.list().offset() + i == app.selected();
        let line = Rect::new(body.x, body.y + i as u16, body.width, 1);
        let tree = app.threaded().and_then(|c| place(app, c, *uid));
        let mark = Mark {
            flags: app.flags_of(*uid),
            tagged: app.list().tagged().contains(uid),
            account: None,
        };
        row(
            frame.buffer_mut(),
            line,
            mb,
            (*uid, tree),
            &cols,
            (selected, mark),
            recipients,
            app,
        );
    }
}

/// All inboxes: every account's INBOX rows, newest first, each after its account's name.
fn draw_inboxes(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let title = truncate_width(" All inboxes ", area.width.saturating_sub(2) as usize);
    frame.render_widget(super::pane(Line::from(title), app, Pane::List), area);
    let body = inner(area);
    let rows = app.inbox_rows();
    if rows.is_empty() {
        let note = Line::styled(
            truncate_width("no messages (or still opening)", body.width as usize),
            app.theme().dim,
        );
        frame.render_widget(Paragraph::new(note), body);
        return;
    }
    let accounts = app.accounts();
    // As wide as the longest account name, within reason: the tag tells rows apart, the
    // status bar and folder pane give the name in full.
    let tag_w = (0..accounts.len())
        .map(|i| text_width(accounts.name(crate::ui::accounts::AccountId(i))))
        .max()
        .unwrap_or(0)
        .clamp(1, ACCOUNT_W);
    let cols = Columns::for_width((body.width as usize).saturating_sub(tag_w + 1));
    let v = app.inboxes();
    let end = (v.offset() + body.height as usize).min(rows.len());
    for (i, key) in rows[v.offset().min(end)..end].iter().enumerate() {
        let Some(mb) = app.inbox(key.account) else {
            continue;
        };
        let line = Rect::new(body.x, body.y + i as u16, body.width, 1);
        let name = accounts.name(key.account);
        let mark = Mark {
            flags: app.inbox_flags(*key),
            tagged: v.is_tagged(key),
            account: Some((name, tag_w)),
        };
        let selected = v.offset() + i == v.cursor();
        row(
            frame.buffer_mut(),
            line,
            mb,
            (key.uid, None),
            &cols,
            (selected, mark),
            false,
            app,
        );
    }
}

/// What a row shows besides its summary: its flags with changes in flight, its tag, and in
/// All inboxes its account's name (and the width of that column).
struct Mark<'a> {
    flags: Option<Flags>,
    tagged: bool,
    account: Option<(&'a str, usize)>,
}

/// Where a row sits in the thread view: the tree lines before its subject, and for a folded
/// thread its size and how many of it are unread.
struct Tree {
    lines: String,
    folded: Option<(usize, usize)>,
}

fn place(app: &App, c: &Conversations, uid: Uid) -> Option<Tree> {
    let t = c.thread(uid)?;
    // A thread of one message shows nothing more folded than unfolded.
    if t.rows().len() > 1 && t.head() == uid && app.folds().is_folded(uid) {
        let unread = t
            .uids()
            .filter(|u| app.flags_of(*u).is_some_and(|f| !f.has(Flag::Seen)))
            .count();
        return Some(Tree {
            lines: String::new(),
            folded: Some((t.rows().len(), unread)),
        });
    }
    let i = t.rows().iter().position(|r| r.uid == uid)?;
    Some(Tree {
        lines: tree_lines(t.rows(), i),
        folded: None,
    })
}

/// The tree lines of row `i`: for each level above it, `│` while that ancestor has a reply
/// still to come, then `├─` or `└─` (whether a sibling follows). Deep threads keep the last
/// [`MAX_INDENT`] levels, so the subject stays readable.
fn tree_lines(rows: &[Row], i: usize) -> String {
    let depth = usize::from(rows[i].depth);
    if depth == 0 {
        return String::new();
    }
    // continues[k]: a later row sits at depth k with nothing shallower in between.
    let mut continues = vec![false; depth + 1];
    let mut shallowest = usize::MAX;
    for r in &rows[i + 1..] {
        let d = usize::from(r.depth);
        if d <= shallowest && d <= depth {
            continues[d] = true;
        }
        shallowest = shallowest.min(d);
        if shallowest <= 1 && continues[1] {
            break;
        }
    }
    let from = depth.saturating_sub(MAX_INDENT) + 1;
    let mut lines: String = (from..depth)
        .map(|k| if continues[k] { "│ " } else { "  " })
        .collect();
    lines.push_str(if continues[depth] { "├─" } else { "└─" });
    lines
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
        // Narrow lists still show a name like "To: Carol White"; wide ones have room for
        // the address after the name.
        let from = if with_time {
            (rest * 2 / 5).min(40)
        } else {
            (rest / 3).max(rest.min(32) / 2).min(24)
        };
        Columns {
            date,
            from,
            subject: rest - from,
            with_time,
        }
    }

    /// Where each column starts and how wide it is, left to right: flags, date, from,
    /// subject, size.
    fn cells(&self, x: u16) -> [(u16, usize); 5] {
        let mut at = x;
        [FLAGS_W, self.date, self.from, self.subject, SIZE_W].map(|w| {
            let cell = (at, w);
            at = at.saturating_add(w as u16 + 1);
            cell
        })
    }
}

/// One row, each column written into its own cell: a cell clips what it is given, so a
/// subject whose width is measured wrong cannot push the columns after it.
#[allow(clippy::too_many_arguments)]
fn row(
    buf: &mut Buffer,
    area: Rect,
    mb: &Mailbox,
    (uid, tree): (Uid, Option<Tree>),
    cols: &Columns,
    (selected, mark): (bool, Mark<'_>),
    recipients: bool,
    app: &App,
) {
    let theme = app.theme();
    // The account's column comes first; the others move right by its width.
    let (area, account) = match mark.account {
        Some((name, w)) => {
            let cell_at = (area.x, w);
            let rest = Rect::new(
                area.x + w as u16 + 1,
                area.y,
                area.width.saturating_sub(w as u16 + 1),
                1,
            );
            (rest, Some((name, cell_at, area)))
        }
        None => (area, None),
    };
    let base = if selected {
        theme.selected
    } else {
        Style::new()
    };
    let [flags_at, date_at, from_at, subject_at, size_at] = cols.cells(area.x);
    if let Some((name, at, whole)) = account {
        buf.set_style(whole, base);
        cell(buf, whole, at, name, theme.dim.patch(base));
    }
    let Some(s) = mb.summaries.get(&uid) else {
        buf.set_style(area, theme.dim.patch(base));
        let across = (from_at.0, from_at.1 + 1 + subject_at.1);
        cell(buf, area, across, "loading…", theme.dim.patch(base));
        return;
    };
    // Flags as the user last set them, even before the server has confirmed.
    let mut f = mark.flags.unwrap_or(s.flags);
    let folded = tree.as_ref().and_then(|t| t.folded);
    // A folded thread is unread while any of it is.
    if folded.is_some_and(|(_, unread)| unread > 0) {
        f = f.minus(Flag::Seen.into());
    }
    let tagged = mark.tagged;
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
    let style = style.patch(base);
    buf.set_style(area, style);
    let mark = format!(
        "{}{}",
        if tagged { '*' } else { ' ' },
        flags(f, s.has_attachment())
    );
    cell(buf, area, flags_at, &mark, style);
    let dim = style.patch(theme.dim);
    cell(
        buf,
        area,
        date_at,
        &date(s, cols.with_time, app.zone()),
        dim,
    );
    let own = recipients || app.is_mine(address(s.from));
    let who = if own {
        format!("To: {}", person(s.to, from_at.1.saturating_sub(4)))
    } else {
        person(s.from, from_at.1)
    };
    cell(buf, area, from_at, &who, style);
    let subject = sanitize_line(s.subject);
    let before = match &tree {
        Some(Tree {
            folded: Some((n, 0)),
            ..
        }) => format!("[{n}] "),
        Some(Tree {
            folded: Some((n, unread)),
            ..
        }) => format!("[{n}, {unread} new] "),
        Some(t) => t.lines.clone(),
        None => String::new(),
    };
    if subject.trim().is_empty() {
        cell(buf, area, subject_at, &format!("{before}(no subject)"), dim);
    } else {
        cell(buf, area, subject_at, &format!("{before}{subject}"), style);
    }
    let size = size(s.size);
    let right = (size_at.0 + size_at.1 as u16).saturating_sub(text_width(&size) as u16);
    cell(buf, area, (right.max(size_at.0), size_at.1), &size, dim);
}

/// Writes `text` (sanitised) at the cell's column, cut with `…` to its width, and never past
/// the row's end.
fn cell(buf: &mut Buffer, area: Rect, (x, w): (u16, usize), text: &str, style: Style) {
    if x >= area.right() {
        return;
    }
    let w = w.min(usize::from(area.right() - x));
    buf.set_stringn(x, area.y, truncate_width(text, w), w, style);
}

/// How a person is listed: the name when there is one, with the address after it when the
/// column holds both; the address when there is no name.
fn person(display: &str, width: usize) -> String {
    let display = sanitize_line(display);
    match name(&display) {
        Some(name) if text_width(&display) > width => name.to_string(),
        _ => display,
    }
}

/// The name of a `Name <addr>` display form.
fn name(display: &str) -> Option<&str> {
    let (name, _) = display.strip_suffix('>')?.rsplit_once(" <")?;
    Some(name.trim()).filter(|n| !n.is_empty())
}

/// The address of a `Name <addr>` or bare `addr` display form.
fn address(display: &str) -> &str {
    display
        .strip_suffix('>')
        .and_then(|d| d.rsplit_once(" <"))
        .map_or(display, |(_, addr)| addr)
}

/// After the `*` of a tagged row: N new, F flagged, A answered, D deleted, @ has attachments
/// (from the summary, so before the message is opened).
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

/// When it was sent (the date the list is sorted by), in the user's time zone; fixed formats
/// keep columns aligned.
fn date(s: SummaryRef<'_>, with_time: bool, zone: Zone) -> String {
    let format = if with_time {
        "%Y-%m-%d %H:%M"
    } else {
        "%Y-%m-%d"
    };
    zone.format(s.sent().0, format)
}

fn size(bytes: u32) -> String {
    const K: f64 = 1024.0;
    // Not known yet: a big folder's first screen comes before its sizes.
    if bytes == 0 {
        return String::new();
    }
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
    use crate::msg::Summary;

    #[test]
    fn sizes_are_short() {
        assert_eq!(size(512), "512B");
        assert_eq!(size(1536), "1.5K");
        assert_eq!(size(200 * 1024), "200K");
        assert_eq!(size(3 * 1024 * 1024), "3.0M");
        assert_eq!(size(u32::MAX), "4096M");
    }

    #[test]
    fn people_are_named_with_the_address_when_it_fits() {
        let carol = "Carol White <carol@example.org>";
        assert_eq!(person(carol, 40), carol);
        assert_eq!(person(carol, 20), "Carol White");
        assert_eq!(person("carol@example.org", 5), "carol@example.org");
        assert_eq!(address(carol), "carol@example.org");
        assert_eq!(address("carol@example.org"), "carol@example.org");
        assert_eq!(name("<carol@example.org>"), None);
    }

    #[test]
    fn dates_are_in_the_given_zone() {
        let s = Summary {
            uid: 1,
            flags: Flags::default(),
            date: 1_709_285_400, // 2024-03-01 09:30 UTC
            date_offset: 0,
            size: 0,
            from: "".into(),
            to: "".into(),
            subject: "".into(),
            header: Default::default(),
        };
        let tokyo = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
        assert_eq!(date(s.view(), true, Zone::Fixed(tokyo)), "2024-03-01 18:30");
        let samoa = chrono::FixedOffset::west_opt(11 * 3600).unwrap();
        assert_eq!(date(s.view(), false, Zone::Fixed(samoa)), "2024-02-29");
    }

    #[test]
    fn tree_lines_show_which_ancestors_have_replies_to_come() {
        // 1
        // ├─2
        // │ └─3
        // └─4
        //   ├─5
        //   └─6
        let rows: Vec<Row> = [(1, 0), (2, 1), (3, 2), (4, 1), (5, 2), (6, 2)]
            .map(|(uid, depth)| Row { uid, depth })
            .to_vec();
        let lines: Vec<String> = (0..rows.len()).map(|i| tree_lines(&rows, i)).collect();
        assert_eq!(lines, ["", "├─", "│ └─", "└─", "  ├─", "  └─"]);
        let deep: Vec<Row> = (0..20)
            .map(|d| Row {
                uid: d,
                depth: d as u16,
            })
            .collect();
        assert_eq!(
            tree_lines(&deep, 19).chars().count(),
            2 * MAX_INDENT,
            "deep threads keep the last levels"
        );
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
