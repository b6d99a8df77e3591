//! All inboxes with two accounts whose INBOXes hold the same UIDs: the merged list, newest
//! first with each row's account, and every action on a row going to that row's account by
//! its UID (never to the other account's message of the same UID), undone there.

mod support;

use support::ui::{
    WIDE, connected, folder, load, new_app, notice, press, profile, render, selected, summaries,
    summary,
};
use tern::msg::{Cmd, Event, Flag, Flags, Folder, SpecialUse};
use tern::ui::accounts::AccountId;
use tern::ui::app::App;
use tern::ui::inboxes::InboxKey;

const DEMO: AccountId = AccountId(0);
const WORK: AccountId = AccountId(1);

fn key(account: AccountId, uid: u32) -> InboxKey {
    InboxKey { account, uid }
}

/// demo open at INBOX (UIDs 1, 2); work parked with UIDs 1, 2 too, dated between demo's.
fn two_inboxes() -> App {
    let mut app = new_app("INBOX");
    app.on_event(connected());
    load(
        &mut app,
        vec![
            folder("INBOX", Some(SpecialUse::Inbox), Some((1, 2))),
            folder("Archive", Some(SpecialUse::Archive), Some((0, 9))),
        ],
        "INBOX",
        vec![
            summary(1, "ann@example.org", "Lunch", Flags::default()),
            summary(2, "bo@example.org", "Notes", Flag::Seen),
        ],
    );
    app.add_account(profile("work", "Me <me@work.example>"));
    app.on_account_event(WORK, connected());
    app.on_account_event(
        WORK,
        Event::Folders(vec![
            folder("INBOX", Some(SpecialUse::Inbox), Some((1, 2))),
            folder("Archive", Some(SpecialUse::Archive), Some((0, 0))),
        ]),
    );
    // Pane: All inboxes, demo, Inbox (the cursor), Archive, work, Inbox, Archive.
    press(&mut app, "BackTab k k");
    let cmds = press(&mut app, "Enter");
    assert!(cmds.is_empty(), "demo's INBOX is open already: {cmds:?}");
    let routed = app.take_routed();
    assert!(
        matches!(&routed[..], [(WORK, Cmd::Select { folder, .. })] if folder.name() == "INBOX"),
        "work's worker opens its INBOX: {routed:?}"
    );
    assert!(app.inboxes().is_active());
    // Half a day after each of demo's: work's rows fall between them.
    let later = |s: tern::msg::Summary| tern::msg::Summary {
        date: s.date + 43_200,
        ..s
    };
    app.on_account_event(WORK, selected("INBOX", vec![2, 1]));
    app.on_account_event(
        WORK,
        summaries(
            "INBOX",
            vec![
                later(summary(
                    1,
                    "陈伟 <chen@work.example>",
                    "季度报告：请审阅",
                    Flags::default(),
                )),
                later(summary(2, "dan@work.example", "Standup", Flag::Seen)),
            ],
        ),
    );
    app
}

#[test]
fn all_inboxes_merges_both_inboxes_by_date_with_each_rows_account() {
    let mut app = two_inboxes();
    assert_eq!(
        app.inbox_rows(),
        [key(WORK, 2), key(DEMO, 2), key(WORK, 1), key(DEMO, 1)]
    );
    insta::assert_snapshot!(render(&mut app, WIDE));
    // New mail in the parked account shows at once, above the rest.
    app.on_account_event(WORK, support::ui::arrived("INBOX", vec![3]));
    app.on_account_event(
        WORK,
        summaries(
            "INBOX",
            vec![summary(3, "eve@work.example", "New", Flags::default())],
        ),
    );
    assert_eq!(app.inbox_rows()[0], key(WORK, 3));
    // And an expunge there takes its row, not demo's row of the same UID.
    app.on_account_event(
        WORK,
        Event::Expunged {
            req: None,
            folder: Folder::named("INBOX"),
            uids: vec![2],
        },
    );
    assert_eq!(
        app.inbox_rows(),
        [key(WORK, 3), key(DEMO, 2), key(WORK, 1), key(DEMO, 1)]
    );
}

#[test]
fn a_flag_goes_to_the_rows_account_by_uid_and_is_undone_there() {
    let mut app = two_inboxes();
    // The cursor is on work's 2; j goes to demo's 2.
    assert!(
        press(&mut app, "f").is_empty(),
        "routed, not sent to the open account"
    );
    let sent = app.take_routed();
    let [(WORK, Cmd::Store { req, change })] = &sent[..] else {
        panic!("{sent:?}");
    };
    assert_eq!((change.uids.as_slice(), change.add), ([2].as_slice(), true));
    // Shown at once on work's row only.
    assert!(app.inbox_flags(key(WORK, 2)).unwrap().has(Flag::Flagged));
    assert!(!app.inbox_flags(key(DEMO, 2)).unwrap().has(Flag::Flagged));
    app.on_account_event(
        WORK,
        Event::Stored {
            req: *req,
            change: change.clone(),
        },
    );
    let work = app.model_of(WORK).unwrap().mailbox.as_ref().unwrap();
    assert!(work.summaries[&2].flags.has(Flag::Flagged));
    let demo = app.model().mailbox.as_ref().unwrap();
    assert!(!demo.summaries[&2].flags.has(Flag::Flagged));

    // Then demo's 2, marked unread, in demo.
    press(&mut app, "j r");
    let sent = app.take_routed();
    let [(DEMO, Cmd::Store { req, change })] = &sent[..] else {
        panic!("{sent:?}");
    };
    assert_eq!(
        (change.uids.as_slice(), change.add),
        ([2].as_slice(), false)
    );
    app.on_event(Event::Stored {
        req: *req,
        change: change.clone(),
    });

    // Undo takes the newest first, whichever account it was in.
    press(&mut app, "u");
    let sent = app.take_routed();
    assert!(
        matches!(&sent[..], [(DEMO, Cmd::Store { change, .. })] if change.add && change.uids == [2]),
        "{sent:?}"
    );
    assert_eq!(notice(&app), "Undo: mark 1 message read");
    let Some((_, Cmd::Store { req, change })) = sent.into_iter().next() else {
        unreachable!()
    };
    app.on_event(Event::Stored { req, change });
    press(&mut app, "u");
    let sent = app.take_routed();
    assert!(
        matches!(&sent[..], [(WORK, Cmd::Store { change, .. })] if !change.add && change.uids == [2]),
        "{sent:?}"
    );
}

#[test]
fn tagged_rows_of_both_accounts_are_archived_each_in_its_own() {
    let mut app = two_inboxes();
    // Tag work's 2 and demo's 2 (t moves down), skip work's 1, tag demo's 1.
    press(&mut app, "t t j t");
    press(&mut app, "a");
    let sent = app.take_routed();
    let copies: Vec<(AccountId, Vec<u32>, &str)> = sent
        .iter()
        .map(|(a, c)| match c {
            Cmd::Copy {
                uids, dest, remove, ..
            } => {
                assert!(remove);
                (*a, uids.clone(), dest.name())
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        copies,
        [(WORK, vec![2], "Archive"), (DEMO, vec![2, 1], "Archive")]
    );
    // The moved rows leave the list at once; work's 1 stays.
    assert_eq!(app.inbox_rows(), [key(WORK, 1)]);
    // Work's server refuses: only its row comes back.
    let Cmd::Copy { req, .. } = &sent[0].1 else {
        unreachable!()
    };
    app.on_account_event(
        WORK,
        Event::Failed {
            req: Some(*req),
            error: tern::error::Error::Protocol("NO over quota".into()),
        },
    );
    assert_eq!(app.inbox_rows(), [key(WORK, 2), key(WORK, 1)]);
    assert!(
        notice(&app).starts_with("Could not move 1 message to Archive"),
        "{}",
        notice(&app)
    );
}

#[test]
fn reading_a_row_opens_it_in_its_account() {
    let mut app = two_inboxes();
    // work's 1 (the CJK one) is the third row.
    let cmds = press(&mut app, "j j Enter");
    assert_eq!(app.open_account(), WORK);
    assert!(app.inboxes().is_active(), "still in All inboxes");
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::FetchStructure { uid: 1, .. })),
        "{cmds:?}"
    );
    assert_eq!(app.reader().map(|r| r.uid), Some(1));
    // Back in the list, demo's rows are still there (its model parked with its INBOX).
    press(&mut app, "q");
    assert_eq!(app.inbox_rows().len(), 4);
    // Leaving for a folder closes All inboxes; the parked account forgets its rows.
    let cmds = press(&mut app, "BackTab G Enter");
    assert!(!app.inboxes().is_active());
    assert!(
        matches!(&cmds[..], [Cmd::Select { folder, .. }] if folder.name() == "Archive"),
        "{cmds:?}"
    );
    assert!(app.model_of(DEMO).unwrap().mailbox.is_none());
}
