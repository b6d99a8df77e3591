//! The worker thread against a real Dovecot: streaming order, serving requests between
//! chunks, abandoning a sync on a new SELECT.

mod support;

use std::time::Duration;

use support::dovecot::Seeding;
use tern::config::{Account, TlsMode};
use tern::devserver::{Dovecot, DovecotOptions};
use tern::imap::worker;
use tern::msg::{Cmd, Event, Folder};

fn account(server: &Dovecot) -> Account {
    let account = support::dovecot::plain_account(server, "cache = false");
    assert_eq!(account.tls, TlsMode::None);
    account
}

fn big_folder(server: &Dovecot, count: usize) {
    server.create_folder("alice", "Big").expect("create");
    let messages = (0..count).map(|i| {
        format!("From: a@example.com\r\nSubject: m{i}\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nbody {i}\r\n")
            .into_bytes()
    });
    server
        .seed_maildir_bulk("alice", "Big", messages)
        .expect("seed");
}

fn next(events: &crossbeam_channel::Receiver<Event>) -> Event {
    events
        .recv_timeout(Duration::from_secs(30))
        .expect("worker event")
}

#[test]
fn first_screen_comes_first_and_requests_are_served_mid_sync() {
    let server = Dovecot::start(DovecotOptions::default()).expect("dovecot");
    big_folder(&server, 5000);
    let h = worker::spawn(account(&server), "wonderland".into());
    h.commands
        .send(Cmd::Select {
            folder: Folder::named("Big"),
            read_only: true,
            first_screen: 40,
        })
        .unwrap();
    // The first screen comes before the UID list, then the whole list.
    let first = loop {
        if let Event::Selected { uids, .. } = next(&h.events) {
            break uids;
        }
    };
    assert_eq!(first.len(), 40);
    let mut chunks = Vec::new();
    let uids = loop {
        match next(&h.events) {
            Event::Listed { uids, .. } => break uids,
            Event::Summaries { chunk, .. } => chunks.push(chunk),
            _ => {}
        }
    };
    assert_eq!(uids.len(), 5000);
    assert_eq!(&uids[..40], &first[..]);
    assert!(uids.windows(2).all(|w| w[0] > w[1]), "newest first");
    // Ask for a message body while the sync still has thousands of summaries to go.
    h.commands
        .send(Cmd::FetchStructure {
            req: 7,
            folder: Folder::named("Big"),
            uid: uids[0],
        })
        .unwrap();
    let mut structure_at = None;
    loop {
        match next(&h.events) {
            Event::Summaries { chunk, .. } => chunks.push(chunk),
            Event::Structure { req: 7, .. } => structure_at = Some(chunks.len()),
            Event::SyncDone { .. } => break,
            Event::Failed { error, .. } => panic!("{error}"),
            _ => {}
        }
    }
    assert_eq!(
        chunks[0].len(),
        40,
        "the first screenful is sent on its own"
    );
    assert_eq!(chunks[0][0].uid, uids[0]);
    assert_eq!(chunks.iter().map(Vec::len).sum::<usize>(), 5000);
    let at = structure_at.expect("structure arrived");
    assert!(
        at < chunks.len(),
        "the body request did not wait for the whole sync ({at} of {} chunks)",
        chunks.len()
    );
    h.shutdown();
}

#[test]
fn a_new_select_abandons_the_old_sync() {
    let server = Dovecot::start(DovecotOptions::default()).expect("dovecot");
    big_folder(&server, 5000);
    server
        .append("alice", "INBOX", b"Subject: hi\r\n\r\nx\r\n", &[], None)
        .expect("append");
    let h = worker::spawn(account(&server), "wonderland".into());
    for folder in ["Big", "INBOX"] {
        h.commands
            .send(Cmd::Select {
                folder: Folder::named(folder),
                read_only: true,
                first_screen: 10,
            })
            .unwrap();
    }
    let mut big_rows = 0;
    let mut seen_inbox = false;
    loop {
        match next(&h.events) {
            Event::Selected { folder, .. } if folder.name() == "INBOX" => seen_inbox = true,
            Event::Summaries { folder, chunk, .. } if folder.name() == "Big" => {
                assert!(!seen_inbox, "no Big chunk after INBOX was selected");
                big_rows += chunk.len();
            }
            Event::SyncDone { folder } => {
                assert_eq!(folder.name(), "INBOX");
                break;
            }
            Event::Failed { error, .. } => panic!("{error}"),
            _ => {}
        }
    }
    assert!(big_rows < 5000, "Big's sync was abandoned, not finished");
    h.shutdown();
}

#[test]
fn server_errors_are_reported_and_the_worker_carries_on() {
    let server = Dovecot::start(DovecotOptions::default()).expect("dovecot");
    let h = worker::spawn(account(&server), "wonderland".into());
    h.commands
        .send(Cmd::Select {
            folder: Folder::named("Missing"),
            read_only: true,
            first_screen: 10,
        })
        .unwrap();
    loop {
        if let Event::Failed { error, .. } = next(&h.events) {
            assert!(error.to_string().contains("server said"), "{error}");
            break;
        }
    }
    h.commands.send(Cmd::ListFolders).unwrap();
    loop {
        if let Event::Folders(list) = next(&h.events) {
            assert!(list.iter().any(|f| f.folder.name() == "INBOX"));
            break;
        }
    }
    h.shutdown();
}
