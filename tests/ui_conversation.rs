//! The conversation view without a network: a message of a thread opened, `i` pressed, the
//! worker's answers (the user's reply found in Sent, structures, texts) fed back, and the
//! screen checked with quotes folded and unfolded.

mod support;

use support::ui::{
    WIDE, draw, folder, in_thread, load, new_app, notice, part, press, render, summary,
};
use tern::error::Error;
use tern::msg::related::Ids;
use tern::msg::{Cmd, Event, Flag, Folder, SpecialUse, Summary, Uid};
use tern::ui::app::App;

const PLAIN: &str = r#"("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "8BIT" 200 6)"#;

/// 李娜's plan (1), the demo user's reply to it (Sent 7), Dave's answer to both (3), and an
/// unrelated message (2); dated in that order.
fn thread() -> (Vec<Summary>, Summary) {
    let seen = Flag::Seen;
    let dated = |s: Summary, day: i64| Summary {
        date: 1_709_285_400 + day * 3600,
        ..s
    };
    let plan = dated(
        in_thread(
            summary(1, "李娜 <li.na@example.cn>", "项目计划和下周的安排", seen),
            "a@x",
            &[],
        ),
        0,
    );
    let other = dated(
        in_thread(
            summary(2, "Erin <erin@example.com>", "Lunch?", seen),
            "c@x",
            &[],
        ),
        1,
    );
    let dave = dated(
        in_thread(
            summary(
                3,
                "Dave <dave@example.com>",
                "Re: 项目计划和下周的安排",
                seen,
            ),
            "d@x",
            &["a@x", "me@x"],
        ),
        3,
    );
    let mine = Summary {
        to: "李娜 <li.na@example.cn>".into(),
        ..dated(
            in_thread(
                summary(7, "Me <me@example.org>", "Re: 项目计划和下周的安排", seen),
                "me@x",
                &["a@x"],
            ),
            2,
        )
    };
    (vec![plan, other, dave], mine)
}

fn text(uid: Uid) -> &'static str {
    match uid {
        1 => "大家好，\n请看下周的计划。\n",
        7 => "Looks good to me.\n\nOn Monday 李娜 wrote:\n> 大家好，\n> 请看下周的计划。\n",
        3 => "Agreed with both of you.\n\n> Looks good to me.\n>\n> > 大家好，\n",
        _ => "",
    }
}

/// Answers every structure and part fetch in `cmds` as the worker would, and the fetches
/// those answers lead to, until none is left.
fn answer(app: &mut App, mut cmds: Vec<Cmd>) {
    while !cmds.is_empty() {
        let mut next = Vec::new();
        for cmd in cmds {
            let ev = match cmd {
                Cmd::FetchStructure { req, folder, uid } => Event::Structure {
                    req,
                    folder,
                    uid,
                    root: Box::new(part(PLAIN)),
                    header: Vec::new(),
                    labels: Vec::new(),
                },
                Cmd::FetchPart {
                    req,
                    folder,
                    uid,
                    section,
                } => Event::PartData {
                    req,
                    folder,
                    uid,
                    section,
                    bytes: text(uid).as_bytes().to_vec(),
                },
                _ => continue,
            };
            next.extend(app.on_event(ev));
        }
        cmds = next;
    }
}

fn inbox() -> (App, Summary) {
    let mut app = new_app("INBOX");
    let folders = vec![
        folder("INBOX", Some(SpecialUse::Inbox), Some((0, 3))),
        folder("Sent", Some(SpecialUse::Sent), Some((0, 1))),
    ];
    let (rows, mine) = thread();
    load(&mut app, folders, "INBOX", rows);
    (app, mine)
}

#[test]
fn the_conversation_shows_the_reply_from_sent_between_the_others_with_quotes_folded() {
    let (mut app, mine) = inbox();
    // The list is newest first: 3, 2, 1. Open the plan.
    let cmds = press(&mut app, "G Enter");
    answer(&mut app, cmds);
    assert_eq!(app.reader().map(|r| r.uid), Some(1));

    let cmds = press(&mut app, "i");
    let (req, ids, members) = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Related {
                req,
                folder,
                ids,
                members_of,
                members,
            } if folder.name() == "Sent" && members_of.name() == "INBOX" => {
                Some((*req, ids, members))
            }
            _ => None,
        })
        .expect("Sent is asked for the user's replies");
    let named: Ids = ["a@x", "d@x", "me@x"].into_iter().collect();
    assert_eq!(ids, &named, "every id the thread names");
    assert!(
        members.contains(&1),
        "the server is searched for its ids: {members:?}"
    );
    let fetched: Vec<Uid> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::FetchStructure { uid, .. } => Some(*uid),
            _ => None,
        })
        .collect();
    assert_eq!(fetched, [3], "the open message's text is not fetched again");
    answer(&mut app, cmds);
    let c = app.conversation().expect("the conversation is shown");
    assert_eq!(c.counts(), (2, 0));

    let sent = Folder::named("Sent");
    let cmds = app.on_event(Event::Related {
        req,
        folder: sent.clone(),
        found: vec![mine],
    });
    assert!(
        matches!(&cmds[..], [Cmd::FetchStructure { folder, uid: 7, .. }] if *folder == sent),
        "the reply's text comes from Sent: {cmds:?}"
    );
    answer(&mut app, cmds);
    app.on_event(Event::Done { req });
    assert_eq!(app.conversation().map(|c| c.counts()), Some((3, 1)));
    insta::assert_snapshot!("conversation_folded_80x24", draw(&mut app, WIDE).backend());

    press(&mut app, "z");
    assert_eq!(notice(&app), "Quotes unfolded");
    press(&mut app, "G");
    insta::assert_snapshot!(
        "conversation_unfolded_80x24",
        draw(&mut app, WIDE).backend()
    );

    press(&mut app, "Esc");
    assert!(app.conversation().is_none());
    assert_eq!(app.reader().map(|r| r.uid), Some(1), "back to the message");
}

#[test]
fn a_later_answer_from_sent_replaces_the_cached_one_and_failures_say_why() {
    let (mut app, mine) = inbox();
    let cmds = press(&mut app, "G Enter");
    answer(&mut app, cmds);
    let cmds = press(&mut app, "i");
    let req = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Related { req, .. } => Some(*req),
            _ => None,
        })
        .unwrap();
    let sent = Folder::named("Sent");
    // The cache knew an old copy (UID 5) that the server no longer has.
    let stale = Summary {
        uid: 5,
        ..mine.clone()
    };
    app.on_event(Event::Related {
        req,
        folder: sent.clone(),
        found: vec![stale],
    });
    let cmds = app.on_event(Event::Related {
        req,
        folder: sent.clone(),
        found: vec![mine],
    });
    app.on_event(Event::Done { req });
    assert_eq!(app.conversation().unwrap().counts(), (3, 1), "the server's");
    // Its text cannot be fetched: the view says so in its place.
    let Some(Cmd::FetchStructure { req, uid: 7, .. }) = cmds.first() else {
        panic!("the reply's structure is asked for: {cmds:?}");
    };
    app.on_event(Event::Failed {
        req: Some(*req),
        error: Error::Network("connection reset".into()),
    });
    let screen = render(&mut app, WIDE);
    assert!(
        screen.contains("[could not fetch it: network error: connection reset]")
            || screen.contains("[could not fetch it:"),
        "{screen}"
    );
    // Opening it again asks only for what is neither here nor asked for.
    let again = press(&mut app, "Esc i");
    assert!(
        again
            .iter()
            .all(|c| matches!(c, Cmd::Related { .. } | Cmd::FetchStructure { uid: 7, .. })),
        "{again:?}"
    );
}

#[test]
fn without_an_open_message_there_is_no_conversation() {
    let (mut app, _) = inbox();
    assert!(press(&mut app, "i").is_empty());
    assert_eq!(
        notice(&app),
        "Open a message first, then see its conversation"
    );
}

/// With the thread view off the conversation is gathered on another thread: a hint until it
/// lands, a reply that arrives meanwhile joins it, and a gather for a message no longer open
/// shows nothing.
#[test]
fn a_conversation_is_gathered_beside_the_ui() {
    let (mut app, _) = inbox();
    let cmds = press(&mut app, "G Enter");
    answer(&mut app, cmds);
    app.on_key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('i'),
        crossterm::event::KeyModifiers::NONE,
    ));
    assert!(app.copying(), "gathered by a job");
    assert!(app.conversation().is_none(), "not shown until gathered");
    assert!(render(&mut app, WIDE).contains("Gathering the conversation…"));
    // Dave's second answer arrives before the job lands.
    app.on_event(support::ui::arrived("INBOX", vec![4]));
    let late = in_thread(
        summary(4, "Dave <dave@example.com>", "Re: again", Flag::Seen),
        "e@x",
        &["a@x", "d@x"],
    );
    app.on_event(support::ui::summaries("INBOX", vec![late]));
    let mut cmds = Vec::new();
    for job in app.take_jobs() {
        cmds.extend(app.job_done(job.run()));
    }
    assert!(!app.copying());
    let c = app.conversation().expect("shown once gathered");
    assert_eq!(c.counts(), (3, 0), "1, 3 and the late 4");
    // A message naming nothing but the late reply's own id.
    let names_late = in_thread(summary(9, "x", "x", Flag::Seen), "e@x", &[]);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::Related { ids, .. } if ids.touches(names_late.view()))),
        "Sent is asked with the late reply's ids too: {cmds:?}"
    );
    // Gathered for 1, but the user went back and opened 2 meanwhile.
    press(&mut app, "Esc");
    assert_eq!(app.reader().map(|r| r.uid), Some(1));
    app.on_key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('i'),
        crossterm::event::KeyModifiers::NONE,
    ));
    let jobs = app.take_jobs();
    assert_eq!(jobs.len(), 1, "a gather for 1");
    press(&mut app, "Esc k Enter");
    assert_eq!(app.reader().map(|r| r.uid), Some(2));
    for job in jobs {
        assert!(app.job_done(job.run()).is_empty());
    }
    assert!(
        app.conversation().is_none(),
        "{:?}",
        app.reader().map(|r| r.uid)
    );
}
