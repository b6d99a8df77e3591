//! The worker thread against a real Dovecot: streaming order, serving requests between
//! chunks, abandoning a sync on a new SELECT.

mod support;

use std::time::Duration;

use support::dovecot::Seeding;
use support::gate::Gate;
use tern::config::{Account, TlsMode};
use tern::devserver::{Dovecot, DovecotOptions};
use tern::imap::worker;
use tern::msg::{Cmd, Event, Folder, Uid};

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

/// End during a cold sync (issue 17 item 3). The relay holds the first background chunk's
/// UID FETCH back, so the worker is mid-chunk for as long as the test needs; the rows asked
/// for meanwhile, the oldest, which the background order fetches last, come right after
/// that chunk, on the wire and as events, and are not fetched again.
#[test]
fn rows_coming_into_view_are_fetched_before_the_sync_order_reaches_them() {
    let server = Dovecot::start(DovecotOptions::default()).expect("dovecot");
    big_folder(&server, 3000);
    let gate = Gate::start(server.imap_port, |line| line.contains(" UID FETCH "));
    let mut account = account(&server);
    account.port = Some(gate.port);
    let h = worker::spawn(account, "wonderland".into());
    let big = Folder::named("Big");
    h.commands
        .send(Cmd::Select {
            folder: big.clone(),
            read_only: true,
            first_screen: 40,
        })
        .unwrap();
    let uids = loop {
        match next(&h.events) {
            Event::Listed { uids, .. } => break uids,
            Event::Failed { error, .. } => panic!("{error}"),
            _ => {}
        }
    };
    assert_eq!(uids.len(), 3000);
    let first_chunk = gate.held(1).remove(0);
    // End: the last rows of the list, the oldest messages.
    let oldest: Vec<Uid> = uids[uids.len() - 20..].to_vec();
    h.commands
        .send(Cmd::FetchVisible {
            folder: big.clone(),
            uids: oldest.clone(),
        })
        .unwrap();
    gate.release();
    let mut chunks = Vec::new();
    loop {
        match next(&h.events) {
            Event::Summaries { chunk, .. } => chunks.push(chunk),
            Event::SyncDone { .. } => break,
            Event::Failed { error, .. } => panic!("{error}"),
            _ => {}
        }
    }
    let rows = |c: &Vec<tern::msg::Summary>| c.iter().map(|s| s.uid).collect::<Vec<Uid>>();
    assert_eq!(chunks[0].len(), 1000, "the chunk that was under way");
    assert_eq!(rows(&chunks[1]), oldest, "then the rows in view");
    assert_eq!(chunks[1].last().map(|s| &*s.subject), Some("m0"));
    let fetched: Vec<Uid> = chunks.iter().flat_map(rows).collect();
    let once: std::collections::HashSet<Uid> = fetched.iter().copied().collect();
    assert_eq!((fetched.len(), once.len()), (2960, 2960), "each row once");
    let fetches: Vec<String> = gate
        .log()
        .into_iter()
        .filter(|l| l.contains(" UID FETCH "))
        .collect();
    assert_eq!(fetches[0], first_chunk);
    assert_eq!(fetches.len(), 4, "{fetches:#?}");
    h.shutdown();
}

/// The same with parallel fetchers: rows fetched ahead are left out of their chunks. The
/// relay holds both fetchers at their EXAMINE (the worker's own connection SELECTs), so the
/// worker fetches the rows in view before they fetch anything; its own connection takes no
/// chunk, so it serves them at once.
#[test]
fn rows_fetched_ahead_are_left_out_of_the_parallel_chunks() {
    let server = Dovecot::start(DovecotOptions::default()).expect("dovecot");
    big_folder(&server, 5000);
    let gate = Gate::start(server.imap_port, |line| line.contains(" EXAMINE "));
    let mut account = account(&server);
    account.port = Some(gate.port);
    // The IDLE connection EXAMINEs the folder too.
    account.idle = false;
    let h = worker::spawn(account, "wonderland".into());
    let big = Folder::named("Big");
    h.commands
        .send(Cmd::Select {
            folder: big.clone(),
            read_only: false,
            first_screen: 40,
        })
        .unwrap();
    let mut chunks = Vec::new();
    let uids = loop {
        match next(&h.events) {
            Event::Listed { uids, .. } => break uids,
            Event::Summaries { chunk, .. } => chunks.push(chunk),
            Event::Failed { error, .. } => panic!("{error}"),
            _ => {}
        }
    };
    gate.held(2);
    let oldest: Vec<Uid> = uids[uids.len() - 20..].to_vec();
    h.commands
        .send(Cmd::FetchVisible {
            folder: big.clone(),
            uids: oldest.clone(),
        })
        .unwrap();
    let ahead = loop {
        match next(&h.events) {
            Event::Summaries { chunk, .. } => break chunk,
            Event::Failed { error, .. } => panic!("{error}"),
            _ => {}
        }
    };
    assert_eq!(ahead.iter().map(|s| s.uid).collect::<Vec<_>>(), oldest);
    chunks.push(ahead);
    gate.release();
    loop {
        match next(&h.events) {
            Event::Summaries { chunk, .. } => chunks.push(chunk),
            Event::SyncDone { .. } => break,
            Event::Failed { error, .. } => panic!("{error}"),
            _ => {}
        }
    }
    let fetched: Vec<Uid> = chunks.iter().flatten().map(|s| s.uid).collect();
    let once: std::collections::HashSet<Uid> = fetched.iter().copied().collect();
    assert_eq!((fetched.len(), once.len()), (5000, 5000), "each row once");
    h.shutdown();
}

/// End at launch (issue 17 items 1 and 3): asked for while the first screen is on its way,
/// before the folder's UIDs are listed, the oldest screenful comes by sequence number right
/// after the first screen, ahead of the UID list; then the sync fetches every other row once.
/// The relay holds the first screen's FETCH until the request is queued.
#[test]
fn the_oldest_screenful_asked_for_before_the_uid_list_comes_by_sequence_number() {
    let server = Dovecot::start(DovecotOptions::default()).expect("dovecot");
    big_folder(&server, 3000);
    let gate = Gate::start(server.imap_port, |line| line.contains(" FETCH 2961:3000 "));
    let mut account = account(&server);
    account.port = Some(gate.port);
    account.idle = false;
    let h = worker::spawn(account, "wonderland".into());
    let big = Folder::named("Big");
    h.commands
        .send(Cmd::Select {
            folder: big.clone(),
            read_only: true,
            first_screen: 40,
        })
        .unwrap();
    gate.held(1);
    h.commands
        .send(Cmd::FetchOldest {
            folder: big.clone(),
            count: 20,
        })
        .unwrap();
    gate.release();
    let mut chunks = Vec::new();
    let mut listed_after = None;
    loop {
        match next(&h.events) {
            Event::Summaries { chunk, .. } => chunks.push(chunk),
            Event::Listed { uids, .. } => {
                assert_eq!(uids.len(), 3000);
                listed_after = Some(chunks.len());
            }
            Event::SyncDone { .. } => break,
            Event::Failed { error, .. } => panic!("{error}"),
            _ => {}
        }
    }
    let rows = |c: &Vec<tern::msg::Summary>| c.iter().map(|s| s.uid).collect::<Vec<Uid>>();
    assert_eq!(
        listed_after,
        Some(2),
        "the first screen and the oldest, then the list"
    );
    assert_eq!(rows(&chunks[1]), (1..=20).rev().collect::<Vec<Uid>>());
    assert_eq!(chunks[1].last().map(|s| &*s.subject), Some("m0"));
    let fetched: Vec<Uid> = chunks.iter().flat_map(rows).collect();
    let once: std::collections::HashSet<Uid> = fetched.iter().copied().collect();
    assert_eq!((fetched.len(), once.len()), (3000, 3000), "each row once");
    let asked: Vec<String> = gate
        .log()
        .into_iter()
        .filter(|l| l.contains("FETCH") || l.contains("SEARCH"))
        .map(|l| l.split_once(' ').map_or(l.clone(), |(_, c)| c.to_string()))
        .collect();
    assert!(asked[0].starts_with("FETCH 2961:3000 "), "{asked:#?}");
    assert!(asked[1].starts_with("FETCH 1:20 "), "{asked:#?}");
    assert_eq!(asked[2], "UID SEARCH ALL", "{asked:#?}");
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
