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

/// Senders and recipients as mailers write them, each From/To pair in a message of its own.
const ADDRESSES: &[(&str, &str)] = &[
    ("Al Smith <al@example.org>", "bo@example.org"),
    ("\"Smith, Al\" <al@example.org>", "<bo@example.org>"),
    (
        "al@example.org (Al Smith)",
        "Bo <bo@example.org>, Cy <cy@example.org>",
    ),
    (
        "=?UTF-8?B?5byg5LiJ?= <zs@example.cn>",
        "undisclosed-recipients:;",
    ),
    (
        "\"=?ISO-8859-1?Q?Andr=E9?= P.\" <andre@example.fr>",
        "Friends: a@example.org, b@example.org;",
    ),
    (
        "\"Al \\\"the\\\" Smith\" <al@example.org>",
        "John Q. Public <jqp@example.org>",
    ),
    (
        "\"Very Long Name, Indeed\"\r\n <long@example.org>",
        "\"\" <empty@example.org>",
    ),
];

/// The list's columns read from the header fields, as tern asks for them, agree with what
/// Dovecot's own ENVELOPE says of the same messages: the sender's and first recipient's name
/// and address, the subject, the Date and the ids.
#[test]
fn rows_read_from_header_fields_agree_with_dovecots_envelope() {
    let env = Env::start();
    append_reply(&env);
    let mut s = env.server.session("alice").expect("session");
    for (i, (from, to)) in ADDRESSES.iter().enumerate() {
        let message = format!(
            "From: {from}\r\nTo: {to}\r\nSubject: =?UTF-8?Q?caf=C3=A9?= number\r\n {i}\r\n\
             Date: Tue, 02 Jan 2018 10:00:0{i} -0500\r\nMessage-ID: <m{i}@tern.test>\r\n\
             In-Reply-To: <p{i}@tern.test>\r\n\r\nBody.\r\n"
        );
        s.append("INBOX", message.as_bytes())
            .finish()
            .expect("APPEND");
    }
    s.examine("INBOX").expect("EXAMINE");
    let fetches = s.uid_fetch("1:*", "(UID ENVELOPE)").expect("ENVELOPE");
    let _ = s.logout();

    let mut conn = session::connect(&account(&env), "wonderland").expect("login");
    messages::open(&mut conn, "INBOX", true).expect("EXAMINE");
    let uids = messages::uids(&mut conn).expect("UID SEARCH");
    let rows = messages::summaries(&mut conn, &uids).expect("summaries");
    assert_eq!(rows.len(), fetches.len());
    assert!(rows.len() > ADDRESSES.len(), "the corpus and the appended");
    for f in fetches.iter() {
        let uid = f.uid.expect("UID");
        let row = rows.iter().find(|r| r.uid == uid).expect("a row per UID");
        let e = f.envelope().expect("an ENVELOPE");
        let text = |b: &Option<std::borrow::Cow<[u8]>>| {
            String::from_utf8_lossy(b.as_deref().unwrap_or_default()).into_owned()
        };
        let first = |list: &Option<Vec<imap_proto::types::Address>>| {
            let Some(a) = list.as_deref().and_then(|l| l.first()) else {
                return String::new();
            };
            let name = tern::mime::decode_words(a.name.as_deref().unwrap_or_default());
            let (mailbox, host) = (text(&a.mailbox), text(&a.host));
            let address = if host.is_empty() {
                mailbox
            } else {
                format!("{mailbox}@{host}")
            };
            match (name.trim(), address.as_str()) {
                ("", a) => a.to_string(),
                (n, "") => n.to_string(),
                (n, a) => format!("{n} <{a}>"),
            }
        };
        let said = format!("UID {uid}: {e:?}");
        assert_eq!(&*row.from, first(&e.from), "{said}");
        assert_eq!(&*row.to, first(&e.to), "{said}");
        let subject = tern::mime::decode_words(e.subject.as_deref().unwrap_or_default());
        assert_eq!(&*row.subject, subject, "{said}");
        let date = e.date.as_deref().and_then(tern::mime::facts::sent);
        assert_eq!(
            row.sent(),
            date.unwrap_or((row.date, row.date_offset)),
            "{said}"
        );
        let id = |v: &Option<std::borrow::Cow<[u8]>>| {
            v.as_deref()
                .and_then(|v| tern::mime::facts::ids(v).next().map(String::from))
        };
        assert_eq!(
            row.message_id().map(String::from),
            id(&e.message_id),
            "{said}"
        );
        assert_eq!(
            row.in_reply_to().map(String::from),
            id(&e.in_reply_to),
            "{said}"
        );
    }
}
