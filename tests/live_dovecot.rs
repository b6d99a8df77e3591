//! Live updates and resilience against a real Dovecot: another session appends, flags and
//! expunges while the worker has the folder open; the server is restarted mid-session; a
//! refused login is not retried in a loop, and a password typed again logs in; a folder reset (new UIDVALIDITY) is noticed.

mod support;

use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use support::dovecot::Seeding;
use tern::config::Account;
use tern::devserver::{Dovecot, DovecotOptions};
use tern::imap::worker::{self, Handle};
use tern::msg::{Cmd, ConnState, Event, Flag, FlagChange, Folder, Secret};

fn account(server: &Dovecot, extra: &str) -> Account {
    support::dovecot::plain_account(
        server,
        &format!("connect_timeout_secs = 2\nread_timeout_secs = 5\ncache = false\n{extra}"),
    )
}

fn message(n: usize) -> Vec<u8> {
    format!("From: bob@example.com\r\nSubject: live {n}\r\n\r\nhello {n}\r\n").into_bytes()
}

/// Waits (up to a generous failure deadline) for an event matching `want`.
fn wait_for(events: &Receiver<Event>, what: &str, mut want: impl FnMut(&Event) -> bool) -> Event {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(ev) if want(&ev) => return ev,
            Ok(_) => {}
            Err(_) => panic!("no {what} within 30 s"),
        }
    }
}

fn open_inbox(server: &Dovecot, extra: &str) -> Handle {
    let h = worker::spawn(account(server, extra), "wonderland".into());
    h.commands
        .send(Cmd::Select {
            folder: Folder::named("INBOX"),
            read_only: false,
            first_screen: 50,
        })
        .unwrap();
    wait_for(&h.events, "SyncDone", |e| {
        matches!(e, Event::SyncDone { .. })
    });
    h
}

fn follows_another_session(extra: &str) {
    let server = Dovecot::start(DovecotOptions::default()).expect("dovecot");
    for n in 0..3 {
        server
            .append("alice", "INBOX", &message(n), &[], None)
            .unwrap();
    }
    let h = open_inbox(&server, extra);
    let mut other = server.session("alice").unwrap();
    other.select("INBOX").unwrap();

    let uid = server
        .append("alice", "INBOX", &message(9), &[], None)
        .unwrap();
    let ev = wait_for(&h.events, "Arrived", |e| matches!(e, Event::Arrived { .. }));
    assert!(
        matches!(ev, Event::Arrived { ref uids, .. } if uids == &vec![uid]),
        "{ev:?}"
    );
    wait_for(
        &h.events,
        "its summary",
        |e| matches!(e, Event::Summaries { chunk, .. } if chunk.iter().any(|s| s.uid == uid && &*s.subject == "live 9")),
    );

    other.uid_store("1", "+FLAGS (\\Flagged)").unwrap();
    let ev = wait_for(&h.events, "FlagsChanged", |e| {
        matches!(e, Event::FlagsChanged { .. })
    });
    let Event::FlagsChanged { changes, .. } = ev else {
        unreachable!()
    };
    assert!(
        changes.iter().any(|(u, f)| *u == 1 && f.has(Flag::Flagged)),
        "{changes:?}"
    );

    other.uid_store("2", "+FLAGS (\\Deleted)").unwrap();
    other.uid_expunge("2").unwrap();
    let ev = wait_for(&h.events, "Expunged", |e| {
        matches!(e, Event::Expunged { .. })
    });
    assert!(
        matches!(ev, Event::Expunged { req: None, ref uids, .. } if uids == &vec![2]),
        "{ev:?}"
    );
    h.shutdown();
}

#[test]
fn idle_follows_another_session() {
    // A long poll interval, so only IDLE can deliver within the deadline.
    follows_another_session("poll_interval_secs = 600");
}

#[test]
fn polling_follows_another_session() {
    follows_another_session("idle = false\npoll_interval_secs = 1");
}

#[test]
fn a_server_restart_is_ridden_out_and_a_queued_change_applied_once() {
    let mut server = Dovecot::start(DovecotOptions::default()).expect("dovecot");
    for n in 0..3 {
        server
            .append("alice", "INBOX", &message(n), &[], None)
            .unwrap();
    }
    let h = open_inbox(&server, "idle = false\npoll_interval_secs = 600");
    server.restart().expect("restart");
    // The worker learns of the dead link from this command: it is queued, not lost.
    h.commands
        .send(Cmd::Store {
            req: 7,
            change: FlagChange {
                folder: Folder::named("INBOX"),
                uids: vec![3],
                add: true,
                flags: Flag::Flagged.into(),
            },
        })
        .unwrap();
    let mut queued = false;
    let mut stored = 0;
    // Until it is stored, then a little longer to catch a second application.
    let mut deadline = Instant::now() + Duration::from_secs(30);
    while let Ok(ev) = h
        .events
        .recv_timeout(deadline.saturating_duration_since(Instant::now()))
    {
        match ev {
            Event::Queued { req: 7 } => queued = true,
            Event::Stored { req: 7, .. } => {
                stored += 1;
                deadline = Instant::now() + Duration::from_millis(1500);
            }
            Event::Failed {
                req: Some(7),
                error,
            } => panic!("the change failed: {error}"),
            _ => {}
        }
    }
    assert!(queued, "the change was queued while offline");
    assert_eq!(stored, 1, "applied exactly once");
    let mut s = server.session("alice").unwrap();
    s.select("INBOX").unwrap();
    assert_eq!(
        s.uid_search("FLAGGED")
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        vec![3]
    );
    h.shutdown();
}

#[test]
fn dropped_sessions_reconnect_and_keep_following() {
    let server = Dovecot::start(DovecotOptions::default()).expect("dovecot");
    server
        .append("alice", "INBOX", &message(0), &[], None)
        .unwrap();
    let h = open_inbox(&server, "idle = false\npoll_interval_secs = 1");
    server.kill_imap_sessions();
    wait_for(&h.events, "Offline", |e| {
        matches!(e, Event::Conn(ConnState::Offline { .. }))
    });
    wait_for(&h.events, "Connected", |e| {
        matches!(e, Event::Conn(ConnState::Connected(_)))
    });
    let uid = server
        .append("alice", "INBOX", &message(1), &[], None)
        .unwrap();
    let ev = wait_for(&h.events, "Arrived", |e| matches!(e, Event::Arrived { .. }));
    assert!(
        matches!(ev, Event::Arrived { ref uids, .. } if uids == &vec![uid]),
        "{ev:?}"
    );
    h.shutdown();
}

#[test]
fn a_refused_login_is_not_retried_in_a_loop() {
    let server = Dovecot::start(DovecotOptions::default()).expect("dovecot");
    let h = worker::spawn(account(&server, ""), "wrong".into());
    h.commands.send(Cmd::ListFolders).unwrap();
    let ev = wait_for(&h.events, "Offline", |e| {
        matches!(e, Event::Conn(ConnState::Offline { .. }))
    });
    assert!(
        matches!(ev, Event::Conn(ConnState::Offline { retry_in: None, ref reason }) if reason.contains("Authentication failed")),
        "{ev:?}"
    );
    // Nothing more happens on its own: no new attempt within a few seconds.
    let quiet = h.events.recv_timeout(Duration::from_secs(3));
    assert!(
        !matches!(quiet, Ok(Event::Conn(ConnState::Connecting { .. }))),
        "{quiet:?}"
    );
    // The password typed again logs in, and the folders can be listed.
    h.commands
        .send(Cmd::Login(Secret("wonderland".into())))
        .unwrap();
    wait_for(&h.events, "Connected", |e| {
        matches!(e, Event::Conn(ConnState::Connected(_)))
    });
    h.commands.send(Cmd::ListFolders).unwrap();
    wait_for(&h.events, "Folders", |e| matches!(e, Event::Folders(_)));
    h.shutdown();
}

#[test]
fn a_reset_folder_is_reloaded_with_a_notice() {
    let server = Dovecot::start(DovecotOptions::default()).expect("dovecot");
    server.create_folder("alice", "Box").unwrap();
    server
        .append("alice", "Box", &message(0), &[], None)
        .unwrap();
    let h = worker::spawn(
        account(&server, "idle = false\npoll_interval_secs = 1"),
        "wonderland".into(),
    );
    h.commands
        .send(Cmd::Select {
            folder: Folder::named("Box"),
            read_only: false,
            first_screen: 10,
        })
        .unwrap();
    let Event::Selected {
        uid_validity: before,
        ..
    } = wait_for(&h.events, "Selected", |e| {
        matches!(e, Event::Selected { .. })
    })
    else {
        unreachable!()
    };
    // Recreate the folder until the server gives it a new UIDVALIDITY: Dovecot derives it
    // from the clock, so a delete and create within one second can reuse the old value.
    let mut other = server.session("alice").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        other.delete("Box").unwrap();
        other.create("Box").unwrap();
        let now = other.status("Box", "(UIDVALIDITY)").unwrap().uid_validity;
        if now != Some(before) || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    drop(other);
    server
        .append("alice", "Box", &message(1), &[], None)
        .unwrap();
    wait_for(
        &h.events,
        "Notice",
        |e| matches!(e, Event::Notice(t) if t.contains("UIDVALIDITY")),
    );
    let ev = wait_for(&h.events, "Selected again", |e| {
        matches!(e, Event::Selected { .. })
    });
    let Event::Selected {
        uid_validity, uids, ..
    } = ev
    else {
        unreachable!()
    };
    assert_ne!(uid_validity, before);
    assert_eq!(uids.len(), 1);
    h.shutdown();
}

#[test]
fn a_keyword_is_stored_by_uid_and_a_bad_one_refused() {
    let server = Dovecot::start(DovecotOptions::default()).expect("dovecot");
    for n in 0..2 {
        server
            .append("alice", "INBOX", &message(n), &[], None)
            .unwrap();
    }
    let h = open_inbox(&server, "idle = false\npoll_interval_secs = 600");
    let keyword = |req, keyword: &str| Cmd::Keyword {
        req,
        folder: Folder::named("INBOX"),
        uids: vec![2],
        add: true,
        keyword: keyword.into(),
    };
    h.commands.send(keyword(1, "$Forwarded")).unwrap();
    wait_for(&h.events, "Done", |e| matches!(e, Event::Done { req: 1 }));
    h.commands.send(keyword(2, "$x) \\Deleted")).unwrap();
    let ev = wait_for(&h.events, "Failed", |e| e.req() == Some(2));
    assert!(matches!(ev, Event::Failed { .. }), "{ev:?}");
    let mut s = server.session("alice").unwrap();
    s.select("INBOX").unwrap();
    let found: Vec<u32> = s
        .uid_search("KEYWORD $Forwarded")
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(found, vec![2]);
    assert!(s.uid_search("DELETED").unwrap().is_empty());
    h.shutdown();
}

#[test]
fn mail_moved_back_while_another_folder_is_selected_still_arrives() {
    // An undone move: the worker selects Trash to move the message back, and a search of the
    // folder on screen, queued behind it, brings that folder back before the worker returns
    // to it on its own. The message must still be reported as arrived, not absorbed silently.
    let server = Dovecot::start(DovecotOptions::default()).expect("dovecot");
    server.create_folder("alice", "Trash").unwrap();
    server
        .append("alice", "INBOX", &message(0), &[], None)
        .unwrap();
    let trashed = server
        .append("alice", "Trash", &message(1), &[], None)
        .unwrap();
    let h = open_inbox(&server, "idle = false\npoll_interval_secs = 600");
    let inbox = Folder::named("INBOX");
    h.commands
        .send(Cmd::Copy {
            req: 1,
            folder: Folder::named("Trash"),
            uids: vec![trashed],
            dest: inbox.clone(),
            remove: true,
        })
        .unwrap();
    h.commands
        .send(Cmd::Search {
            req: 2,
            folder: inbox,
            query: tern::search::parse("live").unwrap(),
        })
        .unwrap();
    let ev = wait_for(&h.events, "Copied", |e| matches!(e, Event::Copied { .. }));
    let Event::Copied { dest_uids, .. } = ev else {
        unreachable!()
    };
    let new = dest_uids.expect("UIDPLUS gives the new UID");
    let ev = wait_for(&h.events, "Arrived", |e| matches!(e, Event::Arrived { .. }));
    assert!(
        matches!(ev, Event::Arrived { ref uids, .. } if *uids == new),
        "{ev:?}"
    );
    h.shutdown();
}

#[test]
fn a_start_while_the_server_is_down_opens_the_folder_once_it_is_back() {
    let mut server = Dovecot::start(DovecotOptions::default()).expect("dovecot");
    server
        .append("alice", "INBOX", &message(0), &[], None)
        .unwrap();
    server.stop();
    let h = worker::spawn(
        account(&server, "idle = false\npoll_interval_secs = 600"),
        "wonderland".into(),
    );
    // What the TUI asks for at start.
    h.commands
        .send(Cmd::Select {
            folder: Folder::named("INBOX"),
            read_only: false,
            first_screen: 50,
        })
        .unwrap();
    h.commands.send(Cmd::ListFolders).unwrap();
    wait_for(&h.events, "Offline", |e| {
        matches!(e, Event::Conn(ConnState::Offline { .. }))
    });
    server.restart().expect("the server is back");
    let (mut listed, mut synced) = (false, false);
    wait_for(&h.events, "the folder list and INBOX's sync", |e| {
        listed |= matches!(e, Event::Folders(_));
        synced |= matches!(e, Event::SyncDone { .. });
        listed && synced
    });
    h.shutdown();
}
