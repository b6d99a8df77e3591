//! Several accounts in one App: the folder pane lists each with its unread total and
//! connection state, a parked account's worker events reach only its own state, and opening
//! another account (keys, `:account`, a folder of it in the pane) swaps the whole open state.

mod support;

use support::ui::{
    WIDE, connected, folder, load, new_app, notice, press, profile, render, summary, type_text,
};
use tern::msg::{Cmd, ConnState, Event, Flag, Flags, Folder, ReqId, SpecialUse};
use tern::ui::accounts::AccountId;
use tern::ui::app::App;
use tern::ui::layout::Pane;
use tern::ui::triage::Undo;

const WORK: AccountId = AccountId(1);

/// The open account's folder names, as the model has them.
fn open_folders(app: &App) -> Vec<&str> {
    app.model()
        .folders
        .iter()
        .map(|f| f.folder.name())
        .collect()
}

/// "demo" open and connected on INBOX, "work" added and offline with its folder list known.
fn two_accounts() -> App {
    let mut app = new_app("INBOX");
    app.on_event(connected());
    load(
        &mut app,
        vec![
            folder("INBOX", Some(SpecialUse::Inbox), Some((1, 2))),
            folder("Archive", None, Some((0, 9))),
        ],
        "INBOX",
        vec![
            summary(1, "ann@example.org", "Lunch", Flags::default()),
            summary(2, "bo@example.org", "Notes", tern::msg::Flag::Seen),
        ],
    );
    let (id, start) = app.add_account(profile("work", "Me <me@work.example>"));
    assert_eq!((id, start), (WORK, vec![Cmd::ListFolders]));
    let follow = app.on_account_event(
        WORK,
        Event::Folders(vec![
            folder("INBOX", Some(SpecialUse::Inbox), Some((4, 30))),
            folder("Projects", None, Some((2, 5))),
        ]),
    );
    assert!(follow.is_empty(), "a parked account asks for nothing");
    app.on_account_event(
        WORK,
        Event::Conn(ConnState::Offline {
            reason: "connection refused".into(),
            retry_in: Some(30),
        }),
    );
    app
}

#[test]
fn folder_pane_heads_each_account_with_its_unread_total_and_state() {
    let mut app = two_accounts();
    press(&mut app, "BackTab");
    assert_eq!(app.focus(), Pane::Folders);
    insta::assert_snapshot!(render(&mut app, WIDE));
}

#[test]
fn a_parked_accounts_events_stay_out_of_the_open_one() {
    let mut app = two_accounts();
    assert_eq!(
        open_folders(&app),
        ["INBOX", "Archive"],
        "work's folders are not demo's"
    );
    // The parked worker's folder (its INBOX, the same name) must not touch the list shown.
    app.on_account_event(WORK, support::ui::selected("INBOX", vec![99, 98]));
    assert_eq!(support::ui::listed(&app), [2, 1]);
    app.on_account_event(
        WORK,
        Event::Failed {
            req: None,
            error: tern::error::Error::Network("reset".into()),
        },
    );
    assert!(notice(&app).starts_with("work: "), "{}", notice(&app));
}

#[test]
fn keys_and_the_command_line_open_accounts_and_route_the_select() {
    let mut app = two_accounts();
    let cmds = press(&mut app, "}");
    assert_eq!(app.open_account(), WORK);
    assert_eq!(app.account(), "work");
    assert!(
        matches!(&cmds[..], [Cmd::Select { folder, .. }] if folder.name() == "INBOX"),
        "{cmds:?}"
    );
    assert!(
        app.mailbox().is_none(),
        "demo's INBOX is not shown as work's"
    );
    assert_eq!(open_folders(&app), ["INBOX", "Projects"]);
    assert!(
        render(&mut app, WIDE).contains(" work"),
        "the status bar names the open account"
    );

    press(&mut app, "{");
    assert_eq!(app.open_account(), AccountId(0));
    assert_eq!(open_folders(&app), ["INBOX", "Archive"]);

    press(&mut app, ":");
    type_text(&mut app, "account WORK");
    press(&mut app, "Enter");
    assert_eq!(app.open_account(), WORK);
    press(&mut app, ":");
    type_text(&mut app, "account nobody");
    press(&mut app, "Enter");
    assert_eq!(app.open_account(), WORK);
    assert_eq!(notice(&app), "There is no account \"nobody\"");
}

#[test]
fn opening_another_accounts_folder_in_the_pane_switches_to_it() {
    let mut app = two_accounts();
    press(&mut app, "BackTab");
    // All inboxes, demo, Inbox (the cursor, on the open folder), Archive, work, Inbox,
    // Projects.
    assert_eq!(app.folder_pane().cursor(), 2);
    let cmds = press(&mut app, "j j j j Enter");
    assert_eq!(app.open_account(), WORK);
    assert!(
        matches!(&cmds[..], [Cmd::Select { folder, .. }] if *folder == Folder::named("Projects")),
        "{cmds:?}"
    );
    assert_eq!(app.folder_pane().cursor(), 6);
}

#[test]
fn compose_writes_as_the_open_account() {
    let mut app = two_accounts();
    assert!(!app.is_mine("me@work.example"));
    press(&mut app, "}");
    assert!(app.is_mine("me@work.example"));
}

#[test]
fn no_switch_while_a_request_is_in_flight() {
    let mut app = two_accounts();
    // Opening a message asks for its structure; its answer must reach demo's state.
    let cmds = press(&mut app, "Enter");
    assert!(cmds.iter().any(|c| matches!(c, Cmd::FetchStructure { .. })));
    assert!(press(&mut app, "}").is_empty());
    assert_eq!(app.open_account(), AccountId(0));
    assert!(notice(&app).starts_with("Wait: 1 request(s) of demo"));
}

#[test]
fn an_account_row_collapses() {
    let mut app = two_accounts();
    press(&mut app, "BackTab j j z");
    let labels: Vec<&str> = app
        .folder_pane()
        .tree()
        .iter()
        .map(|r| r.label.as_str())
        .collect();
    assert_eq!(labels, ["All inboxes", "demo", "Inbox", "Archive", "work"]);
}

/// Moves the selected message (UID 2, \Seen) of demo's INBOX to work's Projects with the
/// picker, and answers each step as the workers would: returns what was sent, by account.
fn move_to_work(
    app: &mut App,
    answer_append: impl FnOnce(ReqId) -> Event,
) -> Vec<(AccountId, Cmd)> {
    press(app, "m");
    type_text(app, "work: proj");
    // Only a reader following the cursor asks the open account for something; every step
    // of the move is routed by account.
    let mut sent: Vec<(AccountId, Cmd)> = press(app, "Enter")
        .into_iter()
        .map(|c| (AccountId(0), c))
        .collect();
    assert_eq!(support::ui::listed(app), [1], "gone from the list at once");
    let fetch = app.take_routed();
    let [
        (
            AccountId(0),
            Cmd::FetchRaw {
                req,
                folder,
                uid: 2,
            },
        ),
    ] = &fetch[..]
    else {
        panic!("{fetch:?}");
    };
    assert_eq!(folder.name(), "INBOX");
    app.on_account_event(
        AccountId(0),
        Event::Raw {
            req: *req,
            folder: folder.clone(),
            uid: 2,
            bytes: b"Subject: Notes\r\n\r\nhi\r\n".to_vec(),
        },
    );
    let append = app.take_routed();
    let [
        (
            WORK,
            Cmd::Append {
                req,
                folder,
                flags,
                date,
                ..
            },
        ),
    ] = &append[..]
    else {
        panic!("{append:?}");
    };
    assert_eq!(folder.name(), "Projects");
    assert_eq!(
        *flags,
        Flags::from(Flag::Seen),
        "the original's flags travel"
    );
    assert_eq!(*date, Some((summary(2, "", "", Flags::default()).date, 0)));
    app.on_account_event(WORK, answer_append(*req));
    sent.extend(fetch);
    sent.extend(append);
    sent.extend(app.take_routed());
    sent
}

/// Answers the Store then the Expunge of a crossing's removal in demo's INBOX.
fn confirm_removal(app: &mut App, sent: &[(AccountId, Cmd)]) {
    let Some((AccountId(0), Cmd::Store { req, change })) = sent.last() else {
        panic!("{sent:?}");
    };
    assert_eq!((change.uids.as_slice(), change.add), ([2].as_slice(), true));
    assert_eq!(change.flags, Flags::from(Flag::Deleted));
    app.on_account_event(
        AccountId(0),
        Event::Stored {
            req: *req,
            change: change.clone(),
        },
    );
    let expunge = app.take_routed();
    let [(AccountId(0), Cmd::Expunge { req, uids, .. })] = &expunge[..] else {
        panic!("{expunge:?}");
    };
    assert_eq!(uids, &[2]);
    app.on_account_event(
        AccountId(0),
        Event::Expunged {
            req: Some(*req),
            folder: Folder::named("INBOX"),
            uids: vec![2],
        },
    );
}

#[test]
fn a_move_to_another_account_removes_the_original_only_after_the_append() {
    let mut app = two_accounts();
    let sent = move_to_work(&mut app, |req| Event::Appended {
        req,
        folder: Folder::named("Projects"),
        uid: Some(77),
    });
    assert_eq!(
        support::ui::listed(&app),
        [1],
        "hidden while the original is being removed"
    );
    confirm_removal(&mut app, &sent);
    assert_eq!(support::ui::listed(&app), [1]);
    assert_eq!(notice(&app), "Moved message 2 to work: Projects");

    // Undo: the same way back, from work's Projects (a parked account) to demo's INBOX.
    press(&mut app, "u");
    let fetch = app.take_routed();
    let [
        (
            WORK,
            Cmd::FetchRaw {
                uid: 77, folder, ..
            },
        ),
    ] = &fetch[..]
    else {
        panic!("{fetch:?}");
    };
    assert_eq!(folder.name(), "Projects");
}

#[test]
fn a_refused_append_leaves_the_original_in_place() {
    let mut app = two_accounts();
    let sent = move_to_work(&mut app, |req| Event::Failed {
        req: Some(req),
        error: tern::error::Error::Refused("no such folder".into()),
    });
    assert_eq!(sent.len(), 2, "no removal was asked for: {sent:?}");
    assert_eq!(support::ui::listed(&app), [2, 1]);
    assert!(notice(&app).contains("still in INBOX"), "{}", notice(&app));
    assert!(app.undo_stack().is_empty());
    assert!(press(&mut app, "}").len() == 1, "nothing left in flight");
}

#[test]
fn a_failed_removal_says_the_message_is_in_both_places() {
    let mut app = two_accounts();
    let sent = move_to_work(&mut app, |req| Event::Appended {
        req,
        folder: Folder::named("Projects"),
        uid: Some(77),
    });
    let Some((_, Cmd::Store { req, .. })) = sent.last() else {
        panic!("{sent:?}");
    };
    app.on_account_event(
        AccountId(0),
        Event::Failed {
            req: Some(*req),
            error: tern::error::Error::Network("reset".into()),
        },
    );
    assert!(
        notice(&app).contains("now in both INBOX and work: Projects"),
        "{}",
        notice(&app)
    );
    assert_eq!(support::ui::listed(&app), [2, 1]);
}

#[test]
fn a_reader_following_the_moved_message_asks_its_own_account_for_the_next() {
    let mut app = two_accounts();
    press(&mut app, "Enter");
    let sent = move_to_work(&mut app, |req| Event::Appended {
        req,
        folder: Folder::named("Projects"),
        uid: Some(77),
    });
    // The reader followed the cursor to the next message as soon as the move was asked.
    assert!(
        matches!(
            &sent[..],
            [(AccountId(0), Cmd::FetchStructure { uid: 1, .. }), ..]
        ),
        "{sent:?}"
    );
    confirm_removal(&mut app, &sent);
    assert_eq!(support::ui::listed(&app), [1]);
}

#[test]
fn an_account_refused_while_parked_asks_for_its_password_when_opened() {
    let mut app = two_accounts();
    app.on_account_event(
        WORK,
        Event::Conn(ConnState::Offline {
            reason: "authentication failed".into(),
            retry_in: None,
        }),
    );
    assert!(app.overlays().prompt().is_none(), "not while demo is open");
    assert!(!app.login().is_refused());
    press(&mut app, "}");
    assert!(app.login().is_refused());
    let prompt = app.overlays().prompt().expect("the password line");
    assert_eq!(prompt.kind, tern::ui::prompt::LineKind::Password);
}

#[test]
fn a_copy_to_another_account_keeps_the_original_and_undo_removes_the_copy() {
    let mut app = two_accounts();
    press(&mut app, "c");
    type_text(&mut app, "work: inbox");
    press(&mut app, "Enter");
    let [(AccountId(0), Cmd::FetchRaw { req, folder, uid })] = &app.take_routed()[..] else {
        panic!("no fetch");
    };
    let (req, folder, uid) = (*req, folder.clone(), *uid);
    app.on_account_event(
        AccountId(0),
        Event::Raw {
            req,
            folder,
            uid,
            bytes: b"Subject: x\r\n\r\n".to_vec(),
        },
    );
    let [(WORK, Cmd::Append { req, .. })] = &app.take_routed()[..] else {
        panic!("no append");
    };
    let req = *req;
    app.on_account_event(
        WORK,
        Event::Appended {
            req,
            folder: Folder::named("INBOX"),
            uid: Some(31),
        },
    );
    assert!(app.take_routed().is_empty(), "a copy removes nothing");
    assert_eq!(support::ui::listed(&app), [2, 1]);
    assert_eq!(notice(&app), "Copied message 2 to work: INBOX");
    press(&mut app, "u");
    let [(WORK, Cmd::Store { req, change })] = &app.take_routed()[..] else {
        panic!("no store at work");
    };
    assert_eq!(
        (change.folder.name(), change.uids.as_slice()),
        ("INBOX", &[31][..])
    );
    let (req, change) = (*req, change.clone());
    app.on_account_event(WORK, Event::Stored { req, change });
    let [(WORK, Cmd::Expunge { req, uids, .. })] = &app.take_routed()[..] else {
        panic!("no expunge at work");
    };
    assert_eq!(uids, &[31]);
    let req = *req;
    app.on_account_event(
        WORK,
        Event::Expunged {
            req: Some(req),
            folder: Folder::named("INBOX"),
            uids: vec![31],
        },
    );
    assert_eq!(notice(&app), "Undone: the copies left work: INBOX");
    assert_eq!(support::ui::listed(&app), [2, 1], "home's rows stay");
}

/// Answers every routed command as the workers would (all succeed; APPENDs get UIDs from
/// 100 on), until nothing more is asked; returns what was sent.
fn answer_routed(app: &mut App) -> Vec<(AccountId, Cmd)> {
    let (mut all, mut next_uid) = (Vec::new(), 100);
    loop {
        let sent = app.take_routed();
        if sent.is_empty() {
            return all;
        }
        for (account, cmd) in &sent {
            let ev = match cmd.clone() {
                Cmd::FetchRaw { req, folder, uid } => Event::Raw {
                    req,
                    folder,
                    uid,
                    bytes: b"Subject: x\r\n\r\n".to_vec(),
                },
                Cmd::Append { req, folder, .. } => {
                    next_uid += 1;
                    Event::Appended {
                        req,
                        folder,
                        uid: Some(next_uid),
                    }
                }
                Cmd::Store { req, change } => Event::Stored { req, change },
                Cmd::Expunge {
                    req, folder, uids, ..
                } => Event::Expunged {
                    req: Some(req),
                    folder,
                    uids,
                },
                other => panic!("{other:?}"),
            };
            app.on_account_event(*account, ev);
        }
        all.extend(sent);
    }
}

#[test]
fn a_move_of_several_messages_across_is_one_undo_entry() {
    let mut app = two_accounts();
    press(&mut app, "t t m");
    type_text(&mut app, "work: proj");
    press(&mut app, "Enter");
    assert!(support::ui::listed(&app).is_empty(), "both gone at once");
    answer_routed(&mut app);
    assert_eq!(notice(&app), "Moved message 1 to work: Projects");
    let [Undo::Across { moved, .. }] = app.undo_stack() else {
        panic!("{:?}", app.undo_stack());
    };
    let mut uids: Vec<u32> = moved.iter().map(|m| m.uid).collect();
    uids.sort_unstable();
    assert_eq!(uids, [101, 102]);
    press(&mut app, "u");
    assert_eq!(notice(&app), "Undo: moving 2 messages back to demo: INBOX");
    let sent = answer_routed(&mut app);
    let fetched: Vec<(AccountId, u32)> = sent
        .iter()
        .filter_map(|(a, c)| match c {
            Cmd::FetchRaw { uid, .. } => Some((*a, *uid)),
            _ => None,
        })
        .collect();
    assert_eq!(fetched.len(), 2);
    assert!(
        fetched
            .iter()
            .all(|(a, u)| *a == WORK && [101, 102].contains(u))
    );
    assert!(app.undo_stack().is_empty(), "an undo is not undone");
}

#[test]
fn the_command_line_moves_to_another_accounts_folder() {
    let mut app = two_accounts();
    press(&mut app, ":");
    type_text(&mut app, "move work:pro");
    press(&mut app, "Tab");
    assert_eq!(
        app.overlays().prompt().map(|p| p.text.as_str()),
        Some("move work: Projects")
    );
    assert!(press(&mut app, "Enter").is_empty());
    let sent = app.take_routed();
    assert!(
        matches!(&sent[..], [(AccountId(0), Cmd::FetchRaw { uid: 2, .. })]),
        "across, from demo: {sent:?}"
    );
    assert_eq!(support::ui::listed(&app), [1]);
    let [(_, Cmd::FetchRaw { req, folder, .. })] = &sent[..] else {
        unreachable!()
    };
    app.on_account_event(
        AccountId(0),
        Event::Raw {
            req: *req,
            folder: folder.clone(),
            uid: 2,
            bytes: b"Subject: x\r\n\r\n".to_vec(),
        },
    );
    answer_routed(&mut app);
    assert_eq!(notice(&app), "Moved message 2 to work: Projects");
}
