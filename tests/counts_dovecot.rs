//! Folder counts against a real Dovecot (issue 12, item 3): what the folder pane shows comes
//! from [`Model::counts`], and after a warm start with new mail and flag changes, or a move
//! and its undo, it must equal what the server's STATUS says — no arrival counted twice.
//! Other folders' counts follow the server on the periodic refresh (item 11), through one
//! LIST-STATUS command where the server has it and STATUS per folder where not.

mod support;

use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use support::dovecot::Seeding;
use tern::config::Account;
use tern::devserver::{Dovecot, DovecotOptions};
use tern::imap::worker::{self, Handle};
use tern::model::Model;
use tern::msg::{Cmd, Event, Folder};

fn account(server: &Dovecot, cache: &std::path::Path) -> Account {
    support::dovecot::plain_account(
        server,
        &format!(
            "connect_timeout_secs = 2\nread_timeout_secs = 5\ncache_file = \"{}\"\nstatus_interval_secs = 1",
            cache.display()
        ),
    )
}

fn message(n: usize) -> Vec<u8> {
    format!("From: bob@example.com\r\nSubject: count {n}\r\n\r\nhello {n}\r\n").into_bytes()
}

/// Applies events to `model` until one matches `want` (30 s failure deadline), then whatever
/// follows within a quiet half second, so a late double count would show.
fn settle(
    events: &Receiver<Event>,
    model: &mut Model,
    what: &str,
    mut want: impl FnMut(&Event) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let ev = events
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no {what} within 30 s"));
        let done = want(&ev);
        model.apply(ev);
        if done {
            break;
        }
    }
    while let Ok(ev) = events.recv_timeout(Duration::from_millis(500)) {
        model.apply(ev);
    }
}

fn start(server: &Dovecot, cache: &std::path::Path, model: &mut Model) -> Handle {
    let h = worker::spawn(account(server, cache), "wonderland".into());
    h.commands.send(Cmd::ListFolders).unwrap();
    h.commands
        .send(Cmd::Select {
            folder: Folder::named("INBOX"),
            read_only: false,
            first_screen: 50,
        })
        .unwrap();
    settle(&h.events, model, "SyncDone", |e| {
        matches!(e, Event::SyncDone { .. })
    });
    h
}

/// (messages, unseen) as the folder pane shows them, and as STATUS on another session says.
fn shown(model: &Model, name: &str) -> (u32, u32) {
    let info = model
        .folders
        .iter()
        .find(|f| f.folder.name() == name)
        .unwrap_or_else(|| panic!("{name} not listed"));
    let s = model.counts(info).expect("counts");
    (s.messages, s.unseen)
}

fn server_says(server: &Dovecot, name: &str) -> (u32, u32) {
    let mut s = server.session("alice").unwrap();
    let st = s.status(name, "(MESSAGES UNSEEN)").unwrap();
    (st.exists, st.unseen.unwrap_or(0))
}

#[test]
fn counts_match_status_after_a_warm_start_and_an_undone_move() {
    let server = Dovecot::start(DovecotOptions::default()).expect("dovecot");
    for n in 0..20 {
        let flags: &[&str] = if n % 3 == 0 { &["\\Seen"] } else { &[] };
        server
            .append("alice", "INBOX", &message(n), flags, None)
            .unwrap();
    }
    let home = tempfile::tempdir().unwrap();
    let cache = home.path().join("cache.redb");
    let mut model = Model::default();
    start(&server, &cache, &mut model).shutdown();

    // While tern is away: new mail, and flags changed both ways.
    for n in 20..25 {
        server
            .append("alice", "INBOX", &message(n), &[], None)
            .unwrap();
    }
    let mut other = server.session("alice").unwrap();
    other.select("INBOX").unwrap();
    other.uid_store("2,5", "+FLAGS (\\Seen)").unwrap();
    other.uid_store("1", "-FLAGS (\\Seen)").unwrap();
    other.logout().unwrap();

    // Warm start: the folder list's STATUS already holds the changes the cache lacks.
    let mut model = Model::default();
    let h = start(&server, &cache, &mut model);
    assert_eq!(shown(&model, "INBOX"), server_says(&server, "INBOX"));
    assert_eq!(shown(&model, "INBOX"), (25, 17));

    // A move to Archive, then its undo (a copy back, as `u` does).
    h.commands
        .send(Cmd::Copy {
            req: 1,
            folder: Folder::named("INBOX"),
            uids: vec![23, 24, 25],
            dest: Folder::named("Archive"),
            remove: true,
        })
        .unwrap();
    settle(
        &h.events,
        &mut model,
        "Archive's counts",
        |e| matches!(e, Event::FolderStatus { folder, .. } if folder.name() == "Archive"),
    );
    assert_eq!(shown(&model, "INBOX"), server_says(&server, "INBOX"));
    assert_eq!(shown(&model, "Archive"), server_says(&server, "Archive"));
    assert_eq!(shown(&model, "Archive"), (3, 3));

    h.commands
        .send(Cmd::Copy {
            req: 2,
            folder: Folder::named("Archive"),
            uids: vec![1, 2, 3],
            dest: Folder::named("INBOX"),
            remove: true,
        })
        .unwrap();
    settle(
        &h.events,
        &mut model,
        "the mail back in INBOX",
        |e| matches!(e, Event::Summaries { folder, chunk, .. } if folder.name() == "INBOX" && chunk.len() == 3),
    );
    assert_eq!(shown(&model, "INBOX"), server_says(&server, "INBOX"));
    assert_eq!(shown(&model, "INBOX"), (25, 17));
    assert_eq!(shown(&model, "Archive"), server_says(&server, "Archive"));
    assert_eq!(shown(&model, "Archive"), (0, 0));
    h.shutdown();
}

/// Mail delivered into a folder that is not open shows in its counts at the next refresh.
fn other_folders_follow_the_server(capabilities: Option<&str>) {
    let server = Dovecot::start(DovecotOptions {
        capabilities: capabilities.map(String::from),
        ..DovecotOptions::default()
    })
    .expect("dovecot");
    let home = tempfile::tempdir().unwrap();
    let mut model = Model::default();
    let h = start(&server, &home.path().join("cache.redb"), &mut model);
    assert_eq!(shown(&model, "Archive"), (0, 0));
    for n in 0..2 {
        server
            .append("alice", "Archive", &message(n), &[], None)
            .unwrap();
    }
    settle(
        &h.events,
        &mut model,
        "a refresh with Archive's new mail",
        |e| {
            matches!(e, Event::Folders(list) if list.iter().any(|f| {
                f.folder.name() == "Archive" && f.status.is_some_and(|s| s.messages == 2)
            }))
        },
    );
    assert_eq!(shown(&model, "Archive"), server_says(&server, "Archive"));
    assert_eq!(shown(&model, "INBOX"), server_says(&server, "INBOX"));
    h.shutdown();
}

#[test]
fn other_folders_counts_refresh_with_list_status() {
    other_folders_follow_the_server(None);
}

#[test]
fn other_folders_counts_refresh_without_list_status() {
    other_folders_follow_the_server(Some(
        "IMAP4rev1 IDLE NAMESPACE UIDPLUS MOVE CONDSTORE QRESYNC ENABLE SPECIAL-USE LIST-EXTENDED",
    ));
}

/// What the send thread files in Sent is counted when the UI asks (`Cmd::Counts`, answered by
/// `FolderStatus`), not only at the next refresh (which answers with `Folders`).
#[test]
fn counts_asked_for_come_from_the_server_at_once() {
    let server = Dovecot::start(DovecotOptions::default()).expect("dovecot");
    let home = tempfile::tempdir().unwrap();
    let mut model = Model::default();
    let h = start(&server, &home.path().join("cache.redb"), &mut model);
    assert_eq!(shown(&model, "Sent"), (0, 0));
    server
        .append("alice", "Sent", &message(1), &["\\Seen"], None)
        .unwrap();
    h.commands.send(Cmd::Counts(Folder::named("Sent"))).unwrap();
    settle(
        &h.events,
        &mut model,
        "Sent's counts",
        |e| matches!(e, Event::FolderStatus { folder, status } if folder.name() == "Sent" && status.messages == 1),
    );
    assert_eq!(shown(&model, "Sent"), server_says(&server, "Sent"));
    assert_eq!(shown(&model, "Sent"), (1, 0));
    h.shutdown();
}
