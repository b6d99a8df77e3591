//! New mail and the worker's notices in the status bar, the bell and the notification command
//! (through an injected launcher, so nothing is spawned), and the folder tree's counts
//! following what happens in the open folder.

mod support;

use std::sync::{Arc, Mutex};

use support::ui::{
    BASE_DATE, WIDE, draw, folder, listed, load, new_app, notice, press, render, summaries,
};
use tern::msg::{Cmd, Event, Flag, FlagChange, Flags, Folder, SpecialUse, Summary, Uid};
use tern::ui::app::App;
use tern::ui::notify::NotifyPolicy;

/// An hour apart, 20 the newest.
fn summary(uid: Uid, seen: bool, from: &str, subject: &str) -> Summary {
    Summary {
        date: BASE_DATE - i64::from(20 - uid) * 3_600,
        size: 1500,
        to: "me@example.org".into(),
        ..support::ui::summary(
            uid,
            from,
            subject,
            if seen {
                Flags::from(Flag::Seen)
            } else {
                Flags::NONE
            },
        )
    }
}

type Runs = Arc<Mutex<Vec<Vec<String>>>>;

/// The default new-mail settings with a notification command.
fn notify_send() -> NotifyPolicy {
    NotifyPolicy {
        command: Some(vec!["notify-send".into(), "--app-name=tern".into()]),
        ..NotifyPolicy::default()
    }
}

/// `folder` open with UIDs 5 … 1 (1 and 2 unread); notification commands are recorded.
fn app_in(folder_name: &str) -> (App, Runs) {
    let mut app = new_app(folder_name);
    let runs = Runs::default();
    let seen = Arc::clone(&runs);
    app.set_notifier(Box::new(move |argv| {
        seen.lock().unwrap().push(argv.to_vec());
        Ok(())
    }));
    app.set_notify(notify_send());
    let folders = vec![
        folder("INBOX", Some(SpecialUse::Inbox), Some((2, 5))),
        folder("Lists", None, Some((2, 5))),
    ];
    let chunk = (1..=5)
        .map(|u| summary(u, u > 2, &format!("Sender {u} <s{u}@example.org>"), "Hello"))
        .collect();
    load(&mut app, folders, folder_name, chunk);
    (app, runs)
}

fn arrive(app: &mut App, folder: &str, uids: Vec<Uid>) {
    app.on_event(Event::Arrived {
        folder: Folder::named(folder),
        uid_validity: 7,
        uids,
    });
}

fn newest_summary(app: &mut App, folder: &str, s: Summary) {
    app.on_event(summaries(folder, vec![s]));
}

#[test]
fn arrival_in_inbox_shows_the_count_and_runs_the_command_once_the_summary_is_in() {
    let (mut app, runs) = app_in("INBOX");
    arrive(&mut app, "INBOX", vec![7, 6]);
    assert_eq!(notice(&app), "2 new messages");
    assert!(runs.lock().unwrap().is_empty(), "waits for the sender");
    newest_summary(
        &mut app,
        "INBOX",
        summary(6, false, "Old <old@example.org>", "older"),
    );
    assert!(runs.lock().unwrap().is_empty(), "6 is not the newest");
    let hostile = "Mallory\u{1b}[31m <m@example.org>";
    newest_summary(
        &mut app,
        "INBOX",
        summary(7, false, hostile, "$(rm -rf ~); `x`\nBcc: y"),
    );
    let runs = runs.lock().unwrap();
    assert_eq!(runs.len(), 1);
    let argv = &runs[0];
    assert_eq!(
        argv[..3],
        ["notify-send", "--app-name=tern", "2 new messages in INBOX"]
    );
    assert!(argv[3].starts_with("From Mallory"), "{argv:?}");
    assert!(
        argv[3].contains("$(rm -rf ~); `x`"),
        "passed as data, not run"
    );
    assert!(
        !argv[3].chars().any(char::is_control),
        "sanitised: {:?}",
        argv[3]
    );
    assert_eq!(argv.len(), 4);
}

#[test]
fn new_mail_notice_in_the_status_bar() {
    let (mut app, _) = app_in("INBOX");
    arrive(&mut app, "INBOX", vec![6]);
    newest_summary(
        &mut app,
        "INBOX",
        summary(6, false, "Dana <dana@example.org>", "Lunch?"),
    );
    assert_eq!(notice(&app), "1 new message");
    insta::assert_snapshot!("new_mail_80x24", draw(&mut app, WIDE).backend());
}

#[test]
fn other_folders_only_get_the_notice_and_the_bell_is_optional() {
    let (mut app, runs) = app_in("Lists");
    arrive(&mut app, "Lists", vec![6]);
    newest_summary(&mut app, "Lists", summary(6, false, "list", "digest"));
    assert_eq!(notice(&app), "1 new message");
    assert!(
        runs.lock().unwrap().is_empty(),
        "Lists is not in notify_folders"
    );
    assert!(!app.take_bell());

    let mut policy = notify_send();
    policy.folders.push("Lists".into());
    policy.bell = true;
    app.set_notify(policy);
    arrive(&mut app, "Lists", vec![7]);
    assert!(app.take_bell());
    assert!(!app.take_bell(), "rings once");
    newest_summary(&mut app, "Lists", summary(7, false, "list", "digest 2"));
    assert_eq!(runs.lock().unwrap().len(), 1);
}

#[test]
fn a_failing_command_is_reported_and_no_command_means_no_run() {
    let (mut app, runs) = app_in("INBOX");
    app.set_notifier(Box::new(|_| Err(std::io::Error::other("no such program"))));
    arrive(&mut app, "INBOX", vec![6]);
    newest_summary(&mut app, "INBOX", summary(6, false, "a", "b"));
    assert!(notice(&app).contains("no such program"), "{}", notice(&app));
    app.set_notify(NotifyPolicy::default());
    arrive(&mut app, "INBOX", vec![7]);
    newest_summary(&mut app, "INBOX", summary(7, false, "a", "b"));
    assert!(runs.lock().unwrap().is_empty());
}

#[test]
fn worker_notices_and_queued_changes_are_shown() {
    let (mut app, _) = app_in("INBOX");
    app.on_event(Event::Notice("INBOX was reset by the server".into()));
    assert_eq!(notice(&app), "INBOX was reset by the server");
    let cmds = press(&mut app, "f");
    let Some(Cmd::Store { req, .. }) = cmds.first() else {
        panic!("{cmds:?}");
    };
    app.on_event(Event::Queued { req: *req });
    assert_eq!(notice(&app), "offline: change queued");
    let flagged = app.flags_of(5).is_some_and(|f| f.has(Flag::Flagged));
    assert!(flagged, "the overlay stays until the change is sent");
}

fn tree_counts(app: &mut App, label: &str) -> String {
    let t = draw(app, WIDE);
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..18)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .find(|l| l.contains(label))
        .unwrap_or_default()
}

#[test]
fn folder_tree_counts_follow_reading_and_new_mail() {
    let (mut app, _) = app_in("INBOX");
    assert!(tree_counts(&mut app, "Inbox").contains("2/5"));
    // Open the unread UID 2: it is marked read, and the server confirms.
    press(&mut app, "j j j");
    assert_eq!(app.selected_uid(), Some(2));
    let cmds = press(&mut app, "Enter");
    let Some((req, uids)) = cmds.iter().find_map(|c| match c {
        Cmd::Store { req, change } => Some((*req, change.uids.clone())),
        _ => None,
    }) else {
        panic!("{cmds:?}");
    };
    app.on_event(Event::Stored {
        req,
        change: FlagChange {
            folder: Folder::named("INBOX"),
            uids,
            add: true,
            flags: Flags::from(Flag::Seen),
        },
    });
    assert!(tree_counts(&mut app, "Inbox").contains("1/5"));
    arrive(&mut app, "INBOX", vec![6]);
    assert!(tree_counts(&mut app, "Inbox").contains("2/6"));
}

/// INBOX with 40 read messages, drawn, the cursor on the newest.
fn forty_read() -> App {
    let mut app = new_app("INBOX");
    let chunk = (1..=40)
        .map(|u| support::ui::summary(u, "Old <old@example.org>", &format!("old {u}"), Flag::Seen))
        .collect();
    let folders = vec![folder("INBOX", Some(SpecialUse::Inbox), Some((0, 40)))];
    load(&mut app, folders, "INBOX", chunk);
    render(&mut app, (80, 24));
    app
}

/// Item 12 of issue 12: INBOX with 40 messages, the cursor on the newest, and 30 new ones
/// arriving (as on a warm start after a few days away).
fn forty_then_thirty_new(moved: bool) -> App {
    let mut app = forty_read();
    if moved {
        press(&mut app, "j");
        render(&mut app, (80, 24));
    }
    arrive(&mut app, "INBOX", (41..=70).collect());
    let new = (41..=70)
        .map(|u| {
            support::ui::summary(
                u,
                "New <new@example.org>",
                &format!("fresh {u}"),
                Flags::NONE,
            )
        })
        .collect();
    app.on_event(summaries("INBOX", new));
    app
}

#[test]
fn new_mail_comes_into_view_when_the_cursor_was_on_the_newest() {
    let mut app = forty_then_thirty_new(false);
    let screen = render(&mut app, (80, 24));
    assert!(screen.contains("fresh 70"), "{screen}");
    assert_eq!(app.selected_uid(), Some(70));
    assert_eq!(notice(&app), "30 new messages");
}

#[test]
fn away_from_the_top_new_mail_is_one_key_away() {
    let mut app = forty_then_thirty_new(true);
    // The cursor stays on the message the user chose.
    assert_eq!(app.selected_uid(), Some(39));
    assert_eq!(notice(&app), "30 new messages above: g jumps there");
    press(&mut app, "g");
    let screen = render(&mut app, (80, 24));
    assert!(screen.contains("fresh 70"), "{screen}");
    assert_eq!(app.selected_uid(), Some(70));
}

/// Under the default date order, mail whose summary has not come yet is placed as the newest
/// (it is, by arrival), so the top of the list shows it at once; its summary then places it
/// by when it was sent.
#[test]
fn new_mail_is_on_top_before_its_summary_and_placed_by_date_after() {
    let mut app = forty_read();
    arrive(&mut app, "INBOX", vec![41]);
    render(&mut app, (80, 24));
    assert_eq!(listed(&app)[..2], [41, 40]);
    assert_eq!(app.selected_uid(), Some(41), "the cursor was on the newest");
    // Delivered late: sent after the tenth message, before the eleventh.
    let late = Summary {
        date: support::ui::summary(10, "", "", Flags::NONE).date + 1,
        ..support::ui::summary(41, "Late <late@example.org>", "late", Flags::NONE)
    };
    app.on_event(summaries("INBOX", vec![late]));
    assert_eq!(listed(&app)[29..32], [11, 41, 10]);
    let screen = render(&mut app, (80, 24));
    assert!(
        screen.contains("late"),
        "the cursor stays on its message: {screen}"
    );
    assert_eq!(app.selected_uid(), Some(41));
}
