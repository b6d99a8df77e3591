//! The mouse (`mouse = true`) without a terminal: crossterm mouse events go into an App fed
//! hand-made worker events, at positions taken from the geometry of the frame last drawn, and
//! the tests check focus, selection, scroll and the commands emitted.

mod support;

use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use support::ui::{WIDE, draw, folder, load, new_app, part, press, summary};
use tern::msg::{Cmd, Event, Flag, Flags, Folder, SpecialUse, Uid};
use tern::ui::app::App;
use tern::ui::layout::Pane;

/// A long text and a PDF: parts (multipart, 1, 2).
const MIXED: &str = concat!(
    r#"(("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "8BIT" 3000 60)"#,
    r#"("APPLICATION" "PDF" ("NAME" "report.pdf") NIL NIL "BASE64" 20000) "MIXED")"#
);

/// INBOX with UIDs 30 … 1 (newest first), all read, drawn once at 80x24.
fn inbox() -> App {
    let mut app = new_app("INBOX");
    let folders = vec![
        folder("INBOX", Some(SpecialUse::Inbox), Some((0, 30))),
        folder("Archive", None, Some((0, 30))),
        folder("Trash", Some(SpecialUse::Trash), Some((0, 30))),
    ];
    let chunk = (1..=30)
        .rev()
        .map(|u| {
            let from = format!("Sender {u} <s{u}@example.org>");
            summary(
                u,
                &from,
                &format!("Subject number {u}"),
                Flags::from(Flag::Seen),
            )
        })
        .collect();
    load(&mut app, folders, "INBOX", chunk);
    draw(&mut app, WIDE);
    app
}

fn mouse(app: &mut App, kind: MouseEventKind, column: u16, row: u16) -> Vec<Cmd> {
    app.on_mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

/// The area of `pane` in the last frame.
fn area(app: &App, pane: Pane) -> Rect {
    let g = app.geometry();
    match pane {
        Pane::Folders => g.folders,
        Pane::List => g.list,
        Pane::Reader => g.reader,
        Pane::Parts => g.parts,
    }
    .unwrap_or_else(|| panic!("{pane:?} is not on screen"))
}

/// A left click on body row `row` (0 = first row inside the border) of `pane`.
fn click(app: &mut App, pane: Pane, row: u16) -> Vec<Cmd> {
    let a = area(app, pane);
    mouse(
        app,
        MouseEventKind::Down(MouseButton::Left),
        a.x + 2,
        a.y + 1 + row,
    )
}

/// One notch of the wheel over the middle of `pane`.
fn wheel(app: &mut App, pane: Pane, down: bool) -> Vec<Cmd> {
    let a = area(app, pane);
    let kind = if down {
        MouseEventKind::ScrollDown
    } else {
        MouseEventKind::ScrollUp
    };
    mouse(app, kind, a.x + a.width / 2, a.y + a.height / 2)
}

/// Opens the message on `row` with a click (the selected one) and answers with MIXED and a 60-line text.
fn open_mixed(app: &mut App, row: u16) {
    let cmds = click(app, Pane::List, row);
    let [Cmd::FetchStructure { req, uid, .. }] = cmds[..] else {
        panic!("{cmds:?}");
    };
    let fetches = app.on_event(Event::Structure {
        req,
        folder: Folder::named("INBOX"),
        uid,
        root: Box::new(part(MIXED)),
        header: b"From: Alice <alice@example.org>\r\nSubject: Long\r\n\r\n".to_vec(),
        labels: Vec::new(),
    });
    let [
        Cmd::FetchPart {
            req, ref section, ..
        },
    ] = fetches[..]
    else {
        panic!("{fetches:?}");
    };
    let body: String = (1..=60).map(|n| format!("line {n}\r\n")).collect();
    app.on_event(Event::PartData {
        req,
        folder: Folder::named("INBOX"),
        uid,
        section: section.clone(),
        bytes: body.into_bytes(),
    });
    draw(app, WIDE);
}

#[test]
fn a_click_selects_the_row_and_a_click_on_the_selected_row_opens_it() {
    let mut app = inbox();
    assert!(click(&mut app, Pane::List, 2).is_empty());
    assert_eq!((app.selected(), app.selected_uid()), (2, Some(28)));
    let cmds = click(&mut app, Pane::List, 2);
    assert!(
        matches!(cmds[..], [Cmd::FetchStructure { uid: 28, .. }]),
        "{cmds:?}"
    );
    assert_eq!(app.focus(), Pane::Reader);
    assert_eq!(app.reader().map(|r| r.uid), Some(28));
}

#[test]
fn a_click_maps_screen_rows_through_the_scroll_offset() {
    let mut app = inbox();
    press(&mut app, "G");
    draw(&mut app, WIDE);
    let offset = app.list().offset();
    assert!(offset > 0);
    click(&mut app, Pane::List, 0);
    assert_eq!(app.selected(), offset);
    assert_eq!(app.selected_uid(), Some(30 - offset as Uid));
}

#[test]
fn a_click_on_another_pane_only_focuses_it_first() {
    let mut app = inbox();
    let archive = app
        .folder_pane()
        .tree()
        .iter()
        .position(|r| r.name == "Archive")
        .unwrap();
    assert!(click(&mut app, Pane::Folders, archive as u16).is_empty());
    assert_eq!(app.focus(), Pane::Folders);
    assert_eq!(app.folder_pane().cursor(), archive);
    let cmds = click(&mut app, Pane::Folders, archive as u16);
    assert!(
        matches!(&cmds[..], [Cmd::Select { folder, .. }] if folder.name() == "Archive"),
        "{cmds:?}"
    );

    // Back in the list: its selected row is not opened by the click that brings focus there.
    let mut app = inbox();
    click(&mut app, Pane::Folders, 0);
    assert!(click(&mut app, Pane::List, 0).is_empty());
    assert_eq!((app.focus(), app.selected_uid()), (Pane::List, Some(30)));
}

#[test]
fn the_wheel_scrolls_the_list_under_the_pointer() {
    let mut app = inbox();
    assert!(wheel(&mut app, Pane::List, true).is_empty());
    // The view moves three rows; the cursor comes along just enough to stay on screen.
    assert_eq!((app.list().offset(), app.selected_uid()), (3, Some(27)));
    let t = draw(&mut app, WIDE);
    assert_eq!(app.list().offset(), 3, "drawing keeps the scrolled view");
    insta::assert_snapshot!("mouse_wheel_80x24", t.backend());
    wheel(&mut app, Pane::List, false);
    assert_eq!((app.list().offset(), app.selected_uid()), (0, Some(27)));
    for _ in 0..20 {
        wheel(&mut app, Pane::List, true);
    }
    let rows = app.geometry().list_rows();
    assert_eq!(app.list().offset(), 30 - rows, "no scrolling past the end");
    // The wheel over the folder tree leaves the focus where it was.
    wheel(&mut app, Pane::Folders, true);
    assert_eq!(app.focus(), Pane::List);
}

#[test]
fn the_wheel_scrolls_the_reader_and_clicks_pick_parts() {
    let mut app = inbox();
    open_mixed(&mut app, 0);
    wheel(&mut app, Pane::Reader, true);
    wheel(&mut app, Pane::Reader, true);
    assert_eq!(app.reader().map(|r| r.scroll), Some(6));
    wheel(&mut app, Pane::Reader, false);
    assert_eq!(app.reader().map(|r| r.scroll), Some(3));

    press(&mut app, "p");
    draw(&mut app, WIDE);
    assert_eq!(
        app.parts_pane().cursor(),
        2,
        "the attachment is preselected"
    );
    assert!(click(&mut app, Pane::Parts, 1).is_empty());
    assert_eq!(app.parts_pane().cursor(), 1);
    click(&mut app, Pane::Parts, 2);
    let cmds = click(&mut app, Pane::Parts, 2);
    assert!(
        matches!(&cmds[..], [Cmd::FetchPart { uid: 30, section, .. }] if section.to_string() == "2"),
        "{cmds:?}"
    );
    assert!(click(&mut app, Pane::Reader, 0).is_empty());
    assert_eq!(app.focus(), Pane::Reader);
}

#[test]
fn clicks_off_the_panes_or_off_the_screen_change_nothing() {
    let mut app = inbox();
    let status = app.geometry().status;
    let down = MouseEventKind::Down(MouseButton::Left);
    for (kind, x, y) in [
        (down, status.x + 1, status.y),
        (down, u16::MAX, u16::MAX),
        (MouseEventKind::ScrollDown, 500, 3),
        (MouseEventKind::Down(MouseButton::Right), 30, 3),
        (MouseEventKind::Moved, 30, 3),
    ] {
        assert!(mouse(&mut app, kind, x, y).is_empty());
    }
    assert_eq!(
        (app.focus(), app.selected(), app.list().offset()),
        (Pane::List, 0, 0)
    );

    // A click on a border focuses without selecting; rows past the end select nothing.
    let folders = area(&app, Pane::Folders);
    mouse(&mut app, down, folders.x, folders.y);
    assert_eq!(
        (app.focus(), app.folder_pane().cursor()),
        (Pane::Folders, 0)
    );
    click(&mut app, Pane::Folders, 15);
    assert_eq!(app.folder_pane().cursor(), 0);

    // A smaller window than the one last drawn: stale positions are harmless.
    let mut app = inbox();
    app.prepare(Rect::new(0, 0, 20, 5));
    assert!(mouse(&mut app, down, 79, 23).is_empty());
    assert!(mouse(&mut app, MouseEventKind::ScrollDown, 79, 22).is_empty());
}

#[test]
fn the_mouse_leaves_the_command_line_alone_and_scrolls_help() {
    let mut app = inbox();
    press(&mut app, "F");
    click(&mut app, Pane::List, 3);
    assert_eq!(app.selected(), 0);
    assert!(app.overlays().prompt().is_some());
    press(&mut app, "Esc ?");
    draw(&mut app, WIDE);
    wheel(&mut app, Pane::List, true);
    assert_eq!(app.overlays().help(), Some(3));
}
