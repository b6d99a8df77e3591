//! Keyboard triage without a network: key strings go into an App fed hand-made worker events,
//! and the tests check the commands it emits, what it shows before the server answers, and
//! what it does with the answer (or the refusal).

mod support;

use ratatui::style::Modifier;

use support::ui::{
    BASE_DATE, WIDE, draw, folder, listed, load, new_app, notice, press, render, type_text,
};
use tern::config::{DeletePolicy, SeenPolicy};
use tern::error::Error;
use tern::msg::{
    Cmd, Event, Flag, FlagChange, Flags, Folder, FolderInfo, FolderOp, SpecialUse, Summary, Uid,
};
use tern::ui::app::App;
use tern::ui::layout::Pane;
use tern::ui::triage::Policy;

fn folders() -> Vec<FolderInfo> {
    let mut work = folder("Work", None, None);
    work.selectable = false;
    work.attributes = vec!["\\Noselect".into()];
    let mut old = folder("Old", None, Some((0, 2)));
    old.subscribed = false;
    vec![
        folder("INBOX", Some(SpecialUse::Inbox), Some((0, 6))),
        folder("Trash", Some(SpecialUse::Trash), Some((0, 9))),
        folder("Archive", Some(SpecialUse::Archive), Some((0, 812))),
        work,
        folder("Work/2024", None, Some((0, 3))),
        folder("其他文件夹/QQ邮件", None, Some((0, 15))),
        old,
    ]
}

/// The folders the move/copy picker offers, best first.
fn picker_names(app: &App) -> Vec<&str> {
    let picker = app.overlays().picker().unwrap();
    picker.matches.iter().map(|d| d.label.as_str()).collect()
}

/// Invoices on even UIDs, lunch plans on odd ones, one a day with 45 the newest.
fn summary(uid: Uid, flags: impl Into<Flags>) -> Summary {
    let subject = if uid.is_multiple_of(2) {
        format!("Invoice {uid}")
    } else {
        format!("Lunch plans {uid}")
    };
    let from = format!("Sender {uid} <s{uid}@example.org>");
    Summary {
        date: BASE_DATE - i64::from(45 - uid) * 86_400,
        ..support::ui::summary(uid, &from, &subject, flags)
    }
}

/// INBOX with UIDs 45 … 40 (newest first); 43 is unread, 41 flagged, the rest read.
fn app_in(folder: &str) -> App {
    let mut app = new_app(folder);
    let chunk = (40..=45)
        .rev()
        .map(|u| match u {
            43 => summary(u, Flags::NONE),
            41 => summary(u, Flag::Seen | Flag::Flagged),
            _ => summary(u, Flag::Seen),
        })
        .collect();
    load(&mut app, folders(), folder, chunk);
    app
}

fn inbox() -> App {
    app_in("INBOX")
}

fn refused(req: u64, command: &str, text: &str) -> Event {
    Event::Failed {
        req: Some(req),
        error: Error::Server {
            command: command.into(),
            text: text.into(),
        },
    }
}

/// Moves the cursor onto `uid`.
fn select(app: &mut App, uid: Uid) {
    press(app, "g");
    while app.selected_uid() != Some(uid) {
        press(app, "j");
    }
}

#[test]
fn d_moves_to_trash_hides_the_row_and_the_next_one_takes_its_place() {
    let mut app = inbox();
    select(&mut app, 42);
    let cmds = press(&mut app, "d");
    let [
        Cmd::Copy {
            req,
            folder,
            uids,
            dest,
            remove: true,
        },
    ] = &cmds[..]
    else {
        panic!("{cmds:?}");
    };
    assert_eq!(
        (folder.name(), uids.as_slice(), dest.name()),
        ("INBOX", &[42][..], "Trash")
    );
    assert_eq!(listed(&app), [45, 44, 43, 41, 40], "gone at once");
    assert_eq!(app.selected_uid(), Some(41));
    app.on_event(Event::Copied {
        req: *req,
        folder: Folder::named("INBOX"),
        dest: Folder::named("Trash"),
        uids: vec![42],
        dest_uids: Some(vec![10]),
        moved: true,
        expunged: true,
    });
    assert_eq!(app.mailbox().unwrap().uids, [45, 44, 43, 41, 40]);
    assert_eq!(app.selected_uid(), Some(41));
    assert!(
        notice(&app).contains("Moved 1 message to Trash"),
        "{}",
        notice(&app)
    );
}

#[test]
fn d_in_trash_or_with_the_flag_policy_marks_deleted() {
    let mut app = app_in("Trash");
    select(&mut app, 42);
    let cmds = press(&mut app, "d");
    assert_eq!(
        cmds,
        [Cmd::Store {
            req: 1,
            change: FlagChange {
                folder: Folder::named("Trash"),
                uids: vec![42],
                add: true,
                flags: Flags::from(Flag::Deleted)
            }
        }]
    );
    assert!(
        app.flags_of(42).unwrap().has(Flag::Deleted),
        "shown at once"
    );
    assert_eq!(listed(&app).len(), 6, "the row stays, struck through");

    let mut app = inbox();
    app.set_policy(Policy {
        delete: DeletePolicy::Flag,
        ..Policy::default()
    });
    select(&mut app, 42);
    assert!(matches!(
        &press(&mut app, "d")[..],
        [Cmd::Store { change: FlagChange { folder, uids, add: true, flags }, .. }]
            if folder.name() == "INBOX" && uids == &[42] && *flags == Flags::from(Flag::Deleted)
    ));
}

#[test]
fn tag_three_then_move_with_the_picker_sends_one_copy() {
    let mut app = inbox();
    press(&mut app, "t j t Space");
    assert_eq!(app.list().tagged().len(), 3);
    assert!(render(&mut app, WIDE).contains("3 tagged"));
    assert!(press(&mut app, "m").is_empty());
    type_text(&mut app, "wk24");
    assert_eq!(picker_names(&app), ["Work/2024"]);
    let cmds = press(&mut app, "Enter");
    let [
        Cmd::Copy {
            folder,
            uids,
            dest,
            remove: true,
            ..
        },
    ] = &cmds[..]
    else {
        panic!("{cmds:?}");
    };
    assert_eq!(folder.name(), "INBOX");
    assert_eq!(uids, &[45, 43, 42], "tagged, in list order");
    assert_eq!(dest.name(), "Work/2024");
}

#[test]
fn picker_offers_no_noselect_folder_and_matches_cjk() {
    let mut app = inbox();
    press(&mut app, "c");
    let all = picker_names(&app);
    assert!(!all.contains(&"Work") && !all.contains(&"INBOX"));
    type_text(&mut app, "qq邮");
    assert_eq!(picker_names(&app), ["其他文件夹/QQ邮件"]);
    let cmds = press(&mut app, "Enter");
    assert!(
        matches!(&cmds[..], [Cmd::Copy { remove: false, uids, .. }] if uids == &[45]),
        "{cmds:?}"
    );
    assert_eq!(listed(&app).len(), 6, "a copy leaves the rows");
}

/// Moves the first two messages to Work/2024; the server answers with `dest_uids`.
fn moved(app: &mut App, dest_uids: Option<Vec<Uid>>) {
    press(app, "t t");
    to_2024(app, "m", dest_uids);
}

/// Sends the tagged messages (or the cursor's) to Work/2024 with `key` (m or c), the server
/// answering with `dest_uids`.
fn to_2024(app: &mut App, key: &str, dest_uids: Option<Vec<Uid>>) {
    assert!(press(app, key).is_empty());
    type_text(app, "2024");
    let cmds = press(app, "Enter");
    let [Cmd::Copy { req, uids, .. }] = &cmds[..] else {
        panic!("{cmds:?}");
    };
    let moved = key == "m";
    app.on_event(Event::Copied {
        req: *req,
        folder: Folder::named("INBOX"),
        dest: Folder::named("Work/2024"),
        uids: uids.clone(),
        dest_uids,
        moved,
        expunged: moved,
    });
}

#[test]
fn u_after_a_move_with_copyuid_moves_them_back() {
    let mut app = inbox();
    moved(&mut app, Some(vec![7, 8]));
    assert_eq!(listed(&app), [43, 42, 41, 40]);
    let cmds = press(&mut app, "u");
    let [
        Cmd::Copy {
            req,
            folder,
            uids,
            dest,
            remove: true,
        },
        ..,
    ] = &cmds[..]
    else {
        panic!("{cmds:?}");
    };
    assert_eq!(
        (folder.name(), uids.as_slice(), dest.name()),
        ("Work/2024", &[7, 8][..], "INBOX")
    );
    // Back in the open folder under new UIDs: the worker's delta sync reports them, so the
    // folder is not reopened (that would end a search and lose the selection).
    let after = app.on_event(Event::Copied {
        req: *req,
        folder: Folder::named("Work/2024"),
        dest: Folder::named("INBOX"),
        uids: vec![7, 8],
        dest_uids: Some(vec![46, 47]),
        moved: true,
        expunged: true,
    });
    assert!(
        !after.iter().any(|c| matches!(c, Cmd::Select { .. })),
        "{after:?}"
    );
    assert!(
        app.undo_stack().is_empty(),
        "an undo is not itself undoable"
    );
}

#[test]
fn u_after_a_move_without_copyuid_says_it_cannot() {
    let mut app = inbox();
    moved(&mut app, None);
    assert!(press(&mut app, "u").is_empty());
    let n = app.notice().cloned().unwrap();
    assert!(n.error && n.text.contains("cannot be undone"), "{n:?}");
}

#[test]
fn u_after_stored_sends_the_inverse_and_a_refused_action_is_not_offered() {
    let mut app = inbox();
    select(&mut app, 43);
    let cmds = press(&mut app, "r");
    let Some(Cmd::Store {
        req,
        change:
            FlagChange {
                folder,
                uids,
                add: true,
                flags,
            },
    }) = cmds.into_iter().next()
    else {
        panic!("no Store");
    };
    assert_eq!(
        (folder.name(), uids.as_slice(), flags),
        ("INBOX", &[43][..], Flags::from(Flag::Seen))
    );
    app.on_event(Event::Stored {
        req,
        change: FlagChange {
            folder,
            uids,
            add: true,
            flags,
        },
    });
    let cmds = press(&mut app, "u");
    assert!(
        matches!(&cmds[..], [Cmd::Store { change: FlagChange { uids, add: false, flags, .. }, .. }] if uids == &[43] && *flags == Flags::from(Flag::Seen)),
        "{cmds:?}"
    );

    let mut app = inbox();
    select(&mut app, 44);
    let [Cmd::Store { req, .. }] = press(&mut app, "f")[..] else {
        panic!();
    };
    app.on_event(refused(req, "UID STORE", "[NOPERM] read-only"));
    assert!(press(&mut app, "u").is_empty());
    assert_eq!(notice(&app), "Nothing to undo");
}

#[test]
fn toggles_send_only_the_messages_that_change() {
    let mut app = inbox();
    press(&mut app, "t j t"); // tags 45 (read) and 43 (unread): t moves down
    let cmds = press(&mut app, "r");
    assert!(
        matches!(&cmds[..], [Cmd::Store { change: FlagChange { uids, add: true, .. }, .. }] if uids == &[43]),
        "{cmds:?}"
    );
    // Now both are read (optimistically): r marks both unread.
    let cmds = press(&mut app, "r");
    assert!(
        matches!(&cmds[..], [Cmd::Store { change: FlagChange { uids, add: false, .. }, .. }] if uids == &[45, 43]),
        "{cmds:?}"
    );
}

#[test]
fn optimistic_flags_are_shown_then_rolled_back_on_failure() {
    let mut app = inbox();
    press(&mut app, "t t t");
    let cmds = press(&mut app, "f");
    let [
        Cmd::Store {
            req,
            change:
                FlagChange {
                    ref uids,
                    add: true,
                    ..
                },
        },
    ] = cmds[..]
    else {
        panic!("{cmds:?}");
    };
    assert_eq!(uids, &[45, 44, 43]);
    assert!(
        app.flags_of(44).unwrap().has(Flag::Flagged),
        "shown before the server answers"
    );
    assert!(
        !app.mailbox()
            .unwrap()
            .summaries
            .get(&44)
            .unwrap()
            .flags
            .has(Flag::Flagged),
        "model untouched"
    );
    app.on_event(refused(req, "UID STORE", "[CANNOT] mailbox is over quota"));
    assert!(!app.flags_of(44).unwrap().has(Flag::Flagged), "rolled back");
    let s = render(&mut app, WIDE);
    assert!(
        s.contains("Could not flag 3 messages: UID STORE failed: server said: [CANNOT] mailbox is"),
        "{s}"
    );
}

#[test]
fn stored_makes_the_model_the_truth() {
    let mut app = inbox();
    select(&mut app, 43);
    let [Cmd::Store { req, ref change }] = press(&mut app, "r")[..] else {
        panic!();
    };
    let ev = Event::Stored {
        req,
        change: change.clone(),
    };
    app.on_event(ev);
    assert!(
        app.mailbox()
            .unwrap()
            .summaries
            .get(&43)
            .unwrap()
            .flags
            .has(Flag::Seen)
    );
    assert!(app.flags_of(43).unwrap().has(Flag::Seen));
}

#[test]
fn expunge_asks_and_only_y_sends_the_deleted_ones() {
    let mut app = app_in("Trash");
    // Mark 45 deleted; 44 stays undeleted.
    let [Cmd::Store { req, .. }] = press(&mut app, "d")[..] else {
        panic!();
    };
    app.on_event(Event::Stored {
        req,
        change: FlagChange {
            folder: Folder::named("Trash"),
            uids: vec![45],
            add: true,
            flags: Flags::from(Flag::Deleted),
        },
    });
    press(&mut app, "t t");
    assert!(press(&mut app, "$").is_empty());
    assert_eq!(
        app.overlays().confirm().unwrap().question,
        "Expunge 1 message marked deleted? y/N"
    );
    assert!(press(&mut app, "n").is_empty(), "anything but y cancels");
    assert!(app.overlays().confirm().is_none());
    press(&mut app, "x");
    let cmds = press(&mut app, "y");
    let req = expunge_of(&cmds, "Trash", &[45]);
    app.on_event(Event::Expunged {
        req: Some(req),
        folder: Folder::named("Trash"),
        uids: vec![45],
    });
    assert_eq!(listed(&app), [44, 43, 42, 41, 40]);
    assert!(app.list().tagged().iter().all(|u| *u != 45));
    assert!(press(&mut app, "u").is_empty());
    assert!(
        notice(&app).contains("cannot be undone"),
        "{}",
        notice(&app)
    );
}

#[test]
fn malformed_search_sends_nothing_and_points_at_the_column() {
    let mut app = inbox();
    press(&mut app, "/");
    type_text(&mut app, "from:alice frm:bob");
    assert!(press(&mut app, "Enter").is_empty());
    let e = app
        .overlays()
        .prompt()
        .and_then(|p| p.error.clone())
        .expect("the line stays open");
    assert_eq!(e.column, 12);
    let s = render(&mut app, WIDE);
    let lines: Vec<&str> = s.lines().collect();
    let n = lines.len();
    assert!(lines[n - 2].contains("/from:alice frm:bob"), "{s}");
    // The caret sits under the "f" of "frm" (column 12, after the "/" and the border quote).
    assert_eq!(lines[n - 1].find('^'), lines[n - 2].find("frm"), "{s}");
    assert!(lines[n - 1].contains("column 12"), "{s}");
}

#[test]
fn search_shows_only_the_hits_and_fetches_missing_summaries() {
    let mut app = inbox();
    press(&mut app, "/");
    type_text(&mut app, "is:unread");
    let cmds = press(&mut app, "Enter");
    let [Cmd::Search { req, folder, .. }] = &cmds[..] else {
        panic!("{cmds:?}");
    };
    assert_eq!(folder.name(), "INBOX");
    assert!(listed(&app).is_empty(), "no stale list while searching");
    // 99 is a hit whose summary is not loaded (the model only lists what it knows).
    let more = app.on_event(Event::SearchResult {
        req: *req,
        folder: Folder::named("INBOX"),
        uids: vec![43, 41, 40],
    });
    assert!(more.is_empty(), "all hit summaries are here: {more:?}");
    assert_eq!(listed(&app), [43, 41, 40]);
    assert_eq!(app.selected_uid(), Some(43));
    press(&mut app, "n n");
    assert_eq!(app.selected_uid(), Some(40));
    press(&mut app, "n");
    assert_eq!(app.selected_uid(), Some(43), "n wraps");
    press(&mut app, "N");
    assert_eq!(app.selected_uid(), Some(40));
    press(&mut app, "Esc");
    assert!(app.search().active().is_none() && !app.should_quit());
    assert_eq!(listed(&app).len(), 6);
    assert_eq!(
        app.selected_uid(),
        Some(40),
        "the cursor stays on its message"
    );
}

#[test]
fn hits_without_summaries_are_fetched() {
    let mut app = inbox();
    app.on_event(Event::Selected {
        folder: Folder::named("INBOX"),
        uid_validity: 7,
        read_only: false,
        complete: true,
        uids: (30..=45).rev().collect(),
    });
    press(&mut app, "/");
    type_text(&mut app, "invoice");
    let [Cmd::Search { req, .. }] = press(&mut app, "Enter")[..] else {
        panic!();
    };
    let more = app.on_event(Event::SearchResult {
        req,
        folder: Folder::named("INBOX"),
        uids: vec![44, 31],
    });
    assert!(
        matches!(&more[..], [Cmd::FetchSummaries { uids, .. }] if uids == &[44, 31]),
        "{more:?}"
    );
}

#[test]
fn opening_marks_seen_unless_the_policy_says_never() {
    let mut app = inbox();
    select(&mut app, 43);
    let cmds = press(&mut app, "Enter");
    assert!(matches!(&cmds[0], Cmd::FetchStructure { uid: 43, .. }));
    assert!(
        matches!(&cmds[1..], [Cmd::Store { change: FlagChange { uids, add: true, flags, .. }, .. }] if uids == &[43] && *flags == Flags::from(Flag::Seen)),
        "{cmds:?}"
    );
    let mut app = inbox();
    app.set_policy(Policy {
        seen: SeenPolicy::Never,
        ..Policy::default()
    });
    select(&mut app, 43);
    assert_eq!(press(&mut app, "Enter").len(), 1);
    let mut app = inbox();
    select(&mut app, 44);
    assert_eq!(
        press(&mut app, "Enter").len(),
        1,
        "already read: nothing to store"
    );
}

#[test]
fn archive_goes_to_the_configured_or_special_folder() {
    let mut app = inbox();
    assert!(
        matches!(&press(&mut app, "a")[..], [Cmd::Copy { dest, remove: true, .. }] if dest.name() == "Archive")
    );
    let mut app = inbox();
    app.set_policy(Policy {
        archive_folder: Some("Old".into()),
        ..Policy::default()
    });
    assert!(matches!(&press(&mut app, "a")[..], [Cmd::Copy { dest, .. }] if dest.name() == "Old"));
    let mut app = inbox();
    let without: Vec<FolderInfo> = folders()
        .into_iter()
        .filter(|f| f.folder.name() != "Archive")
        .collect();
    app.on_event(Event::Folders(without));
    assert!(press(&mut app, "a").is_empty());
    assert!(
        notice(&app).contains("no Archive folder"),
        "{}",
        notice(&app)
    );
}

#[test]
fn a_refused_move_brings_the_rows_back_with_the_servers_words() {
    let mut app = inbox();
    let [Cmd::Copy { req, .. }] = press(&mut app, "a")[..] else {
        panic!();
    };
    assert_eq!(listed(&app).len(), 5);
    app.on_event(refused(req, "UID MOVE", "[TRYCREATE] no such mailbox"));
    assert_eq!(listed(&app).len(), 6);
    assert!(
        notice(&app).starts_with("Could not move 1 message to Archive: "),
        "{}",
        notice(&app)
    );
    assert!(app.undo_stack().is_empty());
}

#[test]
fn folder_create_rename_delete_and_subscribe() {
    let mut app = inbox();
    press(&mut app, "h");
    assert_eq!(app.focus(), Pane::Folders);
    while app.folder_pane().tree()[app.folder_pane().cursor()].name != "Work/2024" {
        press(&mut app, "j");
    }
    press(&mut app, "+");
    assert_eq!(
        app.overlays().prompt().unwrap().text,
        "Work/2024/",
        "typed under the cursor"
    );
    type_text(&mut app, "Q1");
    let cmds = press(&mut app, "Enter");
    let [Cmd::Manage { req, op }] = &cmds[..] else {
        panic!("{cmds:?}");
    };
    assert_eq!(op, &FolderOp::Create(Folder::named("Work/2024/Q1")));
    assert_eq!(app.on_event(Event::Done { req: *req }), [Cmd::ListFolders]);

    press(&mut app, "e C-u");
    type_text(&mut app, "Work/2025");
    assert!(matches!(
        &press(&mut app, "Enter")[..],
        [Cmd::Manage { op: FolderOp::Rename { from, to }, .. }] if from.name() == "Work/2024" && to.name() == "Work/2025"
    ));

    press(&mut app, "D");
    assert_eq!(
        app.overlays().confirm().unwrap().question,
        "Delete folder Work/2024 and the 3 messages it holds? y/N"
    );
    let [Cmd::Manage { req, ref op }] = press(&mut app, "y")[..] else {
        panic!();
    };
    assert_eq!(op, &FolderOp::Delete(Folder::named("Work/2024")));
    app.on_event(refused(
        req,
        "DELETE",
        "[INUSE] Mailbox has children, delete them first",
    ));
    assert!(
        notice(&app).contains("Mailbox has children"),
        "{}",
        notice(&app)
    );

    assert!(matches!(
        &press(&mut app, "*")[..],
        [Cmd::Manage { op: FolderOp::Unsubscribe(n), .. }] if n.name() == "Work/2024"
    ));
    let before = app.folder_pane().tree().len();
    press(&mut app, "~");
    assert_eq!(
        app.folder_pane().tree().len(),
        before - 1,
        "Old is not subscribed"
    );
}

#[test]
fn message_actions_stay_out_of_the_folder_pane() {
    let mut app = inbox();
    press(&mut app, "h");
    assert!(press(&mut app, "d").is_empty());
    assert!(notice(&app).contains("message list"));
}

// Snapshots.

#[test]
fn snapshot_tagged_and_deleted_rows() {
    let mut app = app_in("Trash");
    select(&mut app, 41);
    press(&mut app, "d");
    press(&mut app, "g j t t");
    let t = draw(&mut app, WIDE);
    insta::assert_snapshot!("triage_tagged_deleted_80x24", t.backend());
    let buf = t.backend().buffer();
    let row = (0..24)
        .find(|y| {
            (0..80)
                .map(|x| buf[(x, *y)].symbol())
                .collect::<String>()
                .contains("Lunch plans 41")
        })
        .unwrap();
    let cell = (20..70)
        .map(|x| &buf[(x, row)])
        .find(|c| c.symbol() == "L")
        .unwrap();
    assert!(
        cell.modifier.contains(Modifier::CROSSED_OUT),
        "the deleted row is struck through"
    );
}

#[test]
fn snapshot_move_picker() {
    let mut app = inbox();
    press(&mut app, "t j t m");
    type_text(&mut app, "o");
    insta::assert_snapshot!("triage_move_picker_80x24", draw(&mut app, WIDE).backend());
}

#[test]
fn snapshot_expunge_confirmation() {
    let mut app = inbox();
    app.set_policy(Policy {
        delete: DeletePolicy::Flag,
        ..Policy::default()
    });
    press(&mut app, "t t t d $");
    insta::assert_snapshot!(
        "triage_expunge_confirm_80x24",
        draw(&mut app, WIDE).backend()
    );
}

#[test]
fn snapshot_search_results() {
    let mut app = inbox();
    press(&mut app, "/");
    type_text(&mut app, "subject:invoice");
    let [Cmd::Search { req, .. }] = press(&mut app, "Enter")[..] else {
        panic!();
    };
    app.on_event(Event::SearchResult {
        req,
        folder: Folder::named("INBOX"),
        uids: vec![44, 42, 40],
    });
    insta::assert_snapshot!("triage_search_80x24", draw(&mut app, WIDE).backend());
}

/// The request of the one command in `cmds`, a UID EXPUNGE of exactly `uids` in `folder`.
fn expunge_of(cmds: &[Cmd], folder: &str, uids: &[Uid]) -> u64 {
    let [
        Cmd::Expunge {
            req,
            folder: f,
            uids: u,
            all_deleted: false,
        },
    ] = cmds
    else {
        panic!("{cmds:?}");
    };
    assert_eq!((f.name(), u.as_slice()), (folder, uids));
    *req
}

#[test]
fn u_after_a_copy_removes_exactly_the_copies_by_uid() {
    let mut app = inbox();
    to_2024(&mut app, "c", Some(vec![9]));
    assert!(press(&mut app, "u").is_empty());
    assert_eq!(
        notice(&app),
        "Undo: removing the 1 message copied to Work/2024…"
    );
    let routed = app.take_routed();
    let [(_, Cmd::Store { req, change })] = &routed[..] else {
        panic!("{routed:?}");
    };
    assert_eq!(
        (change.folder.name(), change.uids.as_slice(), change.add),
        ("Work/2024", &[9][..], true)
    );
    assert!(change.flags.has(Flag::Deleted));
    app.on_event(Event::Stored {
        req: *req,
        change: change.clone(),
    });
    let routed: Vec<Cmd> = app.take_routed().into_iter().map(|(_, c)| c).collect();
    let req = expunge_of(&routed, "Work/2024", &[9]);
    app.on_event(Event::Expunged {
        req: Some(req),
        folder: Folder::named("Work/2024"),
        uids: vec![9],
    });
    assert_eq!(notice(&app), "Undone: the copies left Work/2024");
    assert_eq!(listed(&app), [45, 44, 43, 42, 41, 40], "the originals stay");
    assert!(app.undo_stack().is_empty());
}

#[test]
fn a_refused_undo_of_a_copy_goes_back_on_the_stack_and_no_copyuid_cannot_be_undone() {
    let mut app = inbox();
    to_2024(&mut app, "c", Some(vec![9]));
    press(&mut app, "u");
    let routed = app.take_routed();
    let [(_, Cmd::Store { req, .. })] = &routed[..] else {
        panic!("{routed:?}");
    };
    app.on_event(refused(*req, "UID STORE", "mailbox is read-only"));
    assert!(
        notice(&app).contains("copies stay in Work/2024"),
        "{}",
        notice(&app)
    );
    assert!(app.take_routed().is_empty(), "nothing expunged");
    assert!(
        matches!(app.undo_stack(), [tern::ui::triage::Undo::Copies { uids, .. }] if uids == &[9]),
        "{:?}",
        app.undo_stack()
    );

    let mut app = inbox();
    to_2024(&mut app, "c", None);
    press(&mut app, "u");
    assert!(
        notice(&app).contains("cannot be undone"),
        "{}",
        notice(&app)
    );
    assert!(app.take_routed().is_empty());
}
