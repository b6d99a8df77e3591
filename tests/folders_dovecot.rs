//! Folder management through the TUI's keys against a Dovecot whose personal namespace is
//! `INBOX.` with `.` as separator (issue 12, item 10): `+` on Inbox creates under the prefix
//! NAMESPACE gives (a bare name there is refused: "nonexistent namespace"), and after a rename
//! the cursor stays on the renamed folder.

mod support;

use std::time::{Duration, Instant};

use support::ui::{new_app, press, type_text};
use tern::config::Account;
use tern::devserver::{Dovecot, DovecotOptions};
use tern::imap::worker::{self, Handle};
use tern::msg::{Cmd, Event};
use tern::ui::app::App;

fn account(server: &Dovecot) -> Account {
    support::dovecot::plain_account(server, "cache = false")
}

/// Sends `cmds`, then feeds the worker's events to the app until `want` matches one (30 s
/// failure deadline) and whatever follows within a quiet half second.
fn drive(
    h: &Handle,
    app: &mut App,
    cmds: Vec<Cmd>,
    what: &str,
    mut want: impl FnMut(&Event) -> bool,
) {
    let mut pending = cmds;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = false;
    loop {
        for cmd in pending.drain(..) {
            h.commands.send(cmd).unwrap();
        }
        let wait = if seen {
            Duration::from_millis(500)
        } else {
            deadline.saturating_duration_since(Instant::now())
        };
        match h.events.recv_timeout(wait) {
            Ok(ev) => {
                seen |= want(&ev);
                pending = app.on_event(ev);
            }
            Err(_) if seen => return,
            Err(_) => panic!("no {what} within 30 s"),
        }
    }
}

fn server_folders(server: &Dovecot) -> Vec<String> {
    let mut s = server.session("alice").unwrap();
    let names = s.list(Some(""), Some("*")).unwrap();
    names.iter().map(|n| n.name().to_string()).collect()
}

fn cursor(app: &App) -> String {
    app.folder_pane()
        .cursor_row()
        .map(|r| r.name.clone())
        .unwrap_or_default()
}

#[test]
fn create_under_the_personal_namespace_and_follow_a_rename() {
    let server = Dovecot::start(DovecotOptions {
        delimiter: '.',
        ..DovecotOptions::default()
    })
    .expect("dovecot");
    let h = worker::spawn(account(&server), "wonderland".into());
    let mut app = new_app("INBOX");
    drive(
        &h,
        &mut app,
        vec![Cmd::ListFolders],
        "NAMESPACE",
        |e| matches!(e, Event::Namespace { personal } if personal == "INBOX."),
    );

    // The folder pane, cursor on Inbox: `+` starts the name at the namespace's prefix.
    press(&mut app, "h");
    assert_eq!(cursor(&app), "INBOX");
    press(&mut app, "+");
    let cmds = type_text(&mut app, "Receipts");
    assert!(cmds.is_empty());
    let cmds = press(&mut app, "Enter");
    drive(
        &h,
        &mut app,
        cmds,
        "the new folder listed",
        |e| matches!(e, Event::Folders(list) if list.iter().any(|f| f.folder.name() == "INBOX.Receipts")),
    );
    assert!(
        server_folders(&server).contains(&"INBOX.Receipts".to_string()),
        "{:?}",
        server_folders(&server)
    );

    // Rename it: the cursor goes with it, though the new name sorts elsewhere.
    while cursor(&app) != "INBOX.Receipts" {
        let before = cursor(&app);
        press(&mut app, "j");
        assert_ne!(cursor(&app), before, "INBOX.Receipts not in the pane");
    }
    press(&mut app, "e");
    type_text(&mut app, "2024");
    let cmds = press(&mut app, "Enter");
    drive(
        &h,
        &mut app,
        cmds,
        "the renamed folder listed",
        |e| matches!(e, Event::Folders(list) if list.iter().any(|f| f.folder.name() == "INBOX.Receipts2024")),
    );
    assert_eq!(cursor(&app), "INBOX.Receipts2024");
    h.shutdown();
}
