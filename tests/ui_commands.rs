//! The `:` line: every action by its name (with what it would ask for after it), prefixes in
//! any case, Tab completion of commands and folder names.

mod support;

use support::ui::{WIDE, folder, load, new_app, notice, press, render, summary, type_text};
use tern::msg::{Cmd, Flag, SpecialUse};
use tern::ui::app::App;

fn app() -> App {
    let mut app = new_app("INBOX");
    let folders = vec![
        folder("INBOX", Some(SpecialUse::Inbox), Some((0, 3))),
        folder("Trash", Some(SpecialUse::Trash), Some((0, 0))),
        folder("Work/Projects", None, Some((0, 0))),
        folder("Work/Plans", None, Some((0, 0))),
    ];
    let mail = vec![
        summary(3, "Ann <ann@example.org>", "Invoice 3", Flag::Seen),
        summary(2, "Ben <ben@example.org>", "Lunch", Flag::Seen),
        summary(1, "Cy <cy@example.org>", "invoice 1", Flag::Seen),
    ];
    load(&mut app, folders, "INBOX", mail);
    app
}

fn command(app: &mut App, text: &str) -> Vec<Cmd> {
    press(app, ":");
    type_text(app, text);
    press(app, "Enter")
}

#[test]
fn actions_take_what_they_would_ask_for() {
    let mut app = app();
    let cmds = command(&mut app, "move Work/Projects");
    assert!(
        matches!(&cmds[..], [Cmd::Copy { dest, uids, remove: true, .. }] if dest.name() == "Work/Projects" && uids == &vec![3]),
        "{cmds:?}"
    );
    let cmds = command(&mut app, "copy work/pl");
    assert!(
        matches!(&cmds[..], [Cmd::Copy { dest, remove: false, .. }] if dest.name() == "Work/Plans"),
        "{cmds:?}"
    );
    assert!(command(&mut app, "tag-pattern invoice").is_empty());
    let mut tagged: Vec<_> = app.list().tagged().iter().copied().collect();
    tagged.sort();
    assert_eq!(tagged, [1]);
    command(&mut app, "untag");
    assert!(app.list().tagged().is_empty(), ":untag is :untag-all");
    command(&mut app, "toggle");
    assert!(notice(&app).contains("could be"), "{}", notice(&app));
    command(&mut app, "move Work/");
    assert!(notice(&app).contains("Work/Plans"), "{}", notice(&app));
}

#[test]
fn folders_open_by_any_case_and_prefix() {
    let mut app = app();
    let cmds = command(&mut app, "folder trash");
    assert!(
        matches!(&cmds[..], [Cmd::Select { folder, .. }] if folder.name() == "Trash"),
        "{cmds:?}"
    );
    let cmds = command(&mut app, "FOL work/pr");
    assert!(
        matches!(&cmds[..], [Cmd::Select { folder, .. }] if folder.name() == "Work/Projects"),
        "{cmds:?}"
    );
}

#[test]
fn tab_completes_commands_then_folder_names() {
    let mut app = app();
    press(&mut app, ":");
    type_text(&mut app, "arc");
    press(&mut app, "Tab");
    assert_eq!(app.overlays().prompt().unwrap().text, "archive");
    press(&mut app, "C-u");
    type_text(&mut app, "move work/p");
    press(&mut app, "Tab");
    assert_eq!(app.overlays().prompt().unwrap().text, "move Work/Plans");
    press(&mut app, "Tab");
    assert_eq!(app.overlays().prompt().unwrap().text, "move Work/Projects");
    assert!(render(&mut app, WIDE).contains(":move Work/Projects"));
    let cmds = press(&mut app, "Enter");
    assert!(
        matches!(&cmds[..], [Cmd::Copy { dest, .. }] if dest.name() == "Work/Projects"),
        "{cmds:?}"
    );
}
