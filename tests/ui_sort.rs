//! Sorting the list (`O`, `:sort`) without a network: an App fed hand-made summaries, the
//! order and the selection checked after each step, and the screen after a re-sort.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::ui::{
    WIDE, arrived, draw, folder, listed, load, new_app, notice, press, render, selected, summaries,
    type_text,
};
use tern::msg::{Cmd, Event, Flag, Flags, SpecialUse, Summary, Uid};
use tern::ui::app::App;

/// Sizes fall as UIDs rise, so size order is the reverse of arrival order; subjects go
/// z…a with the UID, under a reply prefix on every other message.
fn summary(uid: Uid) -> Summary {
    let letter = char::from(b'z' - (uid % 26) as u8);
    let subject = if uid.is_multiple_of(2) {
        format!("Re: {letter} topic {uid}")
    } else {
        format!("{letter} topic {uid}")
    };
    let flags = if uid.is_multiple_of(3) {
        Flags::NONE
    } else {
        Flags::from(Flag::Seen)
    };
    Summary {
        size: 1_000_000 - uid * 10,
        ..support::ui::summary(uid, "Alice <alice@example.com>", &subject, flags)
    }
}

/// INBOX with `n` messages, the newest selected.
fn inbox(n: Uid) -> App {
    let mut app = new_app("INBOX");
    let inbox = folder("INBOX", Some(SpecialUse::Inbox), Some((0, n)));
    let archive = folder("Archive", Some(SpecialUse::Archive), Some((0, 1)));
    load(
        &mut app,
        vec![inbox, archive],
        "INBOX",
        (1..=n).map(summary).collect(),
    );
    app
}

fn sort(app: &mut App, words: &str) {
    press(app, ":");
    type_text(app, &format!("sort {words}"));
    press(app, "Enter");
}

fn picked(app: &App) -> String {
    let picker = app.overlays().sort_picker().expect("the sort picker");
    picker.order.to_string()
}

#[test]
fn the_key_opens_the_picker_on_the_current_order() {
    let mut app = inbox(5);
    press(&mut app, "O");
    assert_eq!(picked(&app), "date");
    let screen = render(&mut app, WIDE);
    assert!(screen.contains("size     largest first"), "{screen}");
    // Up from date, the first key: around to size.
    press(&mut app, "k r");
    assert_eq!(picked(&app), "size reverse");
    assert!(render(&mut app, WIDE).contains("size     smallest first"));
    let cmds = press(&mut app, "Enter");
    assert!(
        matches!(&cmds[..], [Cmd::RememberView { view, .. }] if view == "size reverse"),
        "the worker keeps the order for the next start: {cmds:?}"
    );
    assert!(app.overlays().sort_picker().is_none());
    assert_eq!(listed(&app), [5, 4, 3, 2, 1], "smallest first");
    assert_eq!(notice(&app), "Sorted by size reverse");
    press(&mut app, "O");
    assert_eq!(picked(&app), "size reverse");
    press(&mut app, "j Esc");
    assert_eq!(
        listed(&app),
        [5, 4, 3, 2, 1],
        "Esc leaves the order as it was"
    );
}

#[test]
fn every_key_from_the_command_line() {
    let mut app = inbox(6);
    sort(&mut app, "size");
    assert_eq!(listed(&app), [1, 2, 3, 4, 5, 6]);
    sort(&mut app, "subject");
    // z…a with the UID: 6 is "t", 1 is "y"; the "Re:" of even UIDs does not count.
    assert_eq!(listed(&app), [6, 5, 4, 3, 2, 1]);
    sort(&mut app, "unread arrival reverse");
    assert_eq!(listed(&app), [3, 6, 1, 2, 4, 5], "3 and 6 are unread");
    sort(&mut app, "weight");
    assert_eq!(
        listed(&app),
        [3, 6, 1, 2, 4, 5],
        "a bad order changes nothing"
    );
    assert!(render(&mut app, WIDE).contains("unknown sort key"));
}

#[test]
fn the_selected_message_stays_selected_and_in_view() {
    let mut app = inbox(200);
    draw(&mut app, WIDE);
    assert_eq!(app.selected_uid(), Some(200));
    sort(&mut app, "arrival reverse");
    assert_eq!(listed(&app)[0], 1);
    assert_eq!(
        (app.selected_uid(), app.selected()),
        (Some(200), 199),
        "still on its message, now the last row"
    );
    let screen = render(&mut app, WIDE);
    assert!(screen.contains("topic 200"), "{screen}");
    assert!(!screen.contains("topic 1 "), "{screen}");
}

#[test]
fn the_order_follows_a_sync_new_mail_and_a_filter() {
    let mut app = new_app("INBOX");
    let inbox = folder("INBOX", Some(SpecialUse::Inbox), Some((0, 9)));
    app.on_event(Event::Folders(vec![inbox]));
    app.on_event(selected("INBOX", (1..=6).rev().collect()));
    app.on_event(summaries("INBOX", (4..=6).map(summary).collect()));
    sort(&mut app, "size");
    assert_eq!(
        listed(&app),
        [4, 5, 6, 3, 2, 1],
        "rows still loading go last"
    );
    app.on_event(summaries("INBOX", (1..=3).map(summary).collect()));
    assert_eq!(
        listed(&app),
        [1, 2, 3, 4, 5, 6],
        "a later chunk takes its place"
    );
    press(&mut app, "F");
    type_text(&mut app, "topic");
    press(&mut app, "Enter");
    app.on_event(arrived("INBOX", vec![9]));
    app.on_event(summaries(
        "INBOX",
        vec![Summary {
            size: 1,
            ..summary(9)
        }],
    ));
    assert_eq!(listed(&app), [1, 2, 3, 4, 5, 6, 9], "the smallest, last");
    sort(&mut app, "size reverse");
    assert_eq!(listed(&app), [9, 6, 5, 4, 3, 2, 1], "the filter follows");
}

#[test]
fn each_folder_keeps_its_order_this_session() {
    let mut app = inbox(4);
    sort(&mut app, "size");
    app.on_event(selected("Archive", vec![1]));
    press(&mut app, "O");
    assert_eq!(picked(&app), "date", "another folder, the default order");
    press(&mut app, "Esc");
    app.on_event(selected("INBOX", (1..=4).rev().collect()));
    app.on_event(summaries("INBOX", (1..=4).map(summary).collect()));
    assert_eq!(listed(&app), [1, 2, 3, 4]);
}

/// Types `:sort WORDS` and Enter, leaving the sort it starts to the caller's frames.
fn start_sort(app: &mut App, words: &str) {
    press(app, ":");
    type_text(app, &format!("sort {words}"));
    app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
}

/// Runs the jobs under way as the main loop does: a slice copied per frame, then the helper
/// thread's part. How many frames the copy took.
fn frames(app: &mut App) -> usize {
    let mut n = 0;
    while app.copying() {
        n += 1;
        for job in app.take_jobs() {
            app.job_done(job.run());
        }
    }
    n
}

#[test]
fn a_sort_runs_beside_the_ui_and_the_newest_wins() {
    let mut app = inbox(25_000);
    press(&mut app, "j j");
    let on = app.selected_uid();
    assert_eq!(on, Some(24_998));
    start_sort(&mut app, "size");
    assert!(app.copying());
    let screen = render(&mut app, WIDE);
    assert!(screen.contains("Sorting by size…"), "{screen}");
    assert_eq!(listed(&app)[0], 25_000, "listed as before until sorted");
    // The user changes their mind while the first sort is copied.
    assert!(app.take_jobs().is_empty(), "one slice a frame");
    start_sort(&mut app, "arrival reverse");
    // New mail comes between two frames.
    app.on_event(arrived("INBOX", vec![25_001]));
    app.on_event(summaries("INBOX", vec![summary(25_001)]));
    assert_eq!(frames(&mut app), 3, "10 000 messages a frame");
    assert_eq!(listed(&app)[..3], [1, 2, 3], "the newest sort, not size's");
    assert_eq!(listed(&app).last(), Some(&25_001), "new mail in its place");
    assert_eq!(app.selected_uid(), on, "the cursor stays on its message");
    let screen = render(&mut app, WIDE);
    assert!(screen.contains("Sorted by arrival reverse"), "{screen}");
    assert!(screen.contains("topic 24998"), "in view: {screen}");
}
