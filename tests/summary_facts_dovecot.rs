//! What a summary carries beyond the list's columns (the Date header, Message-ID, In-Reply-To,
//! References, the attachment bit), against a real Dovecot: fetched with the summaries, so the
//! list marks `@` before any message is opened, and the header-fields fallback learns the same.

mod support;

use std::time::{Duration, Instant};

use support::Env;
use support::ui::{WIDE, draw, settings};
use tern::config::Account;
use tern::imap::{messages, session};
use tern::msg::{Cmd, Event, Folder, Summary};
use tern::ui::app::App;

fn account(env: &Env) -> Account {
    support::dovecot::plain_account(
        &env.server,
        "connect_timeout_secs = 3\nread_timeout_secs = 10\ncache = false",
    )
}

/// A reply deep in a thread: 300 References folded over lines, one of them hostile, and a Date
/// years before the day it is appended.
fn reply() -> Vec<u8> {
    let mut references: Vec<String> = (0..300).map(|i| format!("<t{i}@tern.test>")).collect();
    references[150] = "<evil\u{1b}]0;pwned\u{7}@tern.test>".into();
    format!(
        "From: Carol <carol@example.org>\r\nTo: alice@example.org\r\n\
         Subject: Re: the long thread\r\nDate: Tue, 02 Jan 2018 10:00:00 -0500\r\n\
         Message-ID: <reply@tern.test>\r\nIn-Reply-To: <t299@tern.test>\r\n\
         References: {}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAgreed.\r\n",
        references.join("\r\n ")
    )
    .into_bytes()
}

fn append_reply(env: &Env) {
    let mut s = env.server.session("alice").expect("session");
    s.append("INBOX", &reply()).finish().expect("APPEND");
    let _ = s.logout();
}

/// Every summary of INBOX as the worker syncs it, each event also handed to `app`; the app's
/// own commands are dropped, so no structure is ever fetched.
fn sync_inbox(env: &Env, app: &mut App) -> Vec<Summary> {
    let h = tern::imap::worker::spawn(account(env), "wonderland".into());
    h.commands.send(Cmd::ListFolders).unwrap();
    h.commands
        .send(Cmd::Select {
            folder: Folder::named("INBOX"),
            read_only: true,
            first_screen: 3,
        })
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut rows = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let ev = h.events.recv_timeout(left).expect("SyncDone within 30 s");
        if let Event::Summaries { chunk, .. } = &ev {
            rows.extend(chunk.iter().cloned());
        }
        let done = matches!(ev, Event::SyncDone { .. });
        app.on_event(ev);
        if done {
            return rows;
        }
    }
}

#[test]
fn attachments_are_marked_and_ids_known_before_any_message_is_opened() {
    let env = Env::start();
    append_reply(&env);
    let mut app = App::new(settings("INBOX", WIDE)).0;
    let rows = sync_inbox(&env, &mut app);
    let by_subject = |subject: &str| {
        rows.iter()
            .find(|s| &*s.subject == subject)
            .unwrap_or_else(|| panic!("no {subject:?} among {rows:#?}"))
    };

    let mixed = by_subject("Report with two attachments");
    assert!(mixed.has_attachment(), "multipart/mixed");
    assert_eq!(mixed.message_id(), Some("mixed@tern.test"));
    // Date: Mon, 01 Jan 2024 06:00:00 +0000.
    assert_eq!(mixed.sent(), (1_704_088_800, 0));
    assert!(!by_subject("Plain text hello").has_attachment());
    assert!(
        !by_subject("Alternative: plain and quoted-printable HTML").has_attachment(),
        "multipart/alternative"
    );

    let reply = by_subject("Re: the long thread");
    assert_eq!(reply.sent(), (1_514_905_200, -5 * 3600));
    assert!(reply.date > reply.sent().0, "appended today, sent in 2018");
    assert_eq!(reply.in_reply_to(), Some("t299@tern.test"));
    let references: Vec<&str> = reply.references().collect();
    assert_eq!(references.len(), tern::msg::facts::MAX_REFERENCES);
    assert_eq!(references[0], "t0@tern.test");
    assert_eq!(references.last(), Some(&"t299@tern.test"));
    assert!(
        !rows
            .iter()
            .any(|s| s.references().any(|r| r.contains("evil")))
    );

    let screen = draw(&mut app, WIDE).backend().to_string();
    let line = |subject: &str| {
        let found = screen.lines().find(|l| l.contains(subject));
        found.unwrap_or_else(|| panic!("no {subject:?} in\n{screen}"))
    };
    // The marker ends the flags cell, just before the date (sent on 2024-01-01, shown in UTC).
    let marker = |subject: &str| {
        let line = line(subject);
        let date = line.find(" 2024-01-01").expect("the date column");
        line[..date].chars().last()
    };
    assert_eq!(marker("Report with two"), Some('@'), "\n{screen}");
    assert_eq!(marker("RFC 2231 file"), Some('@'), "\n{screen}");
    assert_eq!(marker("Plain text"), Some(' '), "\n{screen}");
}

#[test]
fn the_header_fields_fallback_learns_the_same_facts() {
    let env = Env::start();
    append_reply(&env);
    let mut conn = session::connect(&account(&env), "wonderland").expect("login");
    messages::open(&mut conn, "INBOX", true).expect("EXAMINE");
    let uids = messages::uids(&mut conn).expect("UID SEARCH");
    let envelope = messages::summaries(&mut conn, &uids, false).expect("ENVELOPE fetch");
    let fallback = messages::summaries(&mut conn, &uids, true).expect("fallback fetch");
    assert_eq!(envelope.len(), uids.len());
    let facts = |rows: &[Summary]| -> Vec<_> {
        rows.iter()
            .map(|s| {
                (
                    s.uid,
                    s.sent(),
                    s.message_id().map(String::from),
                    s.in_reply_to().map(String::from),
                    s.references().map(String::from).collect::<Vec<_>>(),
                    s.has_attachment(),
                )
            })
            .collect()
    };
    assert_eq!(facts(&fallback), facts(&envelope));
    assert!(envelope.iter().any(Summary::has_attachment));
    assert!(envelope.iter().any(|s| s.references().count() > 0));
}
