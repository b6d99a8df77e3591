//! The thread view without a network: an App fed summaries that reply to each other, the
//! rows, the folds and the commands checked after each key, and the screen folded and not.

mod support;

use support::ui::{
    WIDE, arrived, draw, folder, in_thread, listed, load, new_app, notice, press, summaries,
    summary,
};
use tern::msg::id_hash::IdHash;
use tern::msg::{Cmd, Event, Flag, Flags, Folder, SpecialUse, Summary, Uid};
use tern::ui::action::Action;
use tern::ui::app::App;

/// Three conversations, dated by UID: a Chinese plan (1, 2 replying to 1, 4 to 2; 4 unread),
/// lunch (3, 5 replying to 3, unread) and a weekly report alone (6).
fn messages() -> Vec<Summary> {
    let seen = Flags::from(Flag::Seen);
    vec![
        in_thread(
            summary(1, "李娜 <li.na@example.cn>", "项目计划和下周的安排", seen),
            "a@x",
            &[],
        ),
        in_thread(
            summary(
                2,
                "Dave <dave@example.com>",
                "Re: 项目计划和下周的安排",
                seen,
            ),
            "b@x",
            &["a@x"],
        ),
        in_thread(
            summary(3, "Erin <erin@example.com>", "Lunch?", seen),
            "c@x",
            &[],
        ),
        in_thread(
            summary(
                4,
                "王伟 <wang@example.cn>",
                "回复：项目计划和下周的安排",
                Flags::NONE,
            ),
            "d@x",
            &["a@x", "b@x"],
        ),
        in_thread(
            summary(5, "Dave <dave@example.com>", "Re: Lunch?", Flags::NONE),
            "e@x",
            &["c@x"],
        ),
        in_thread(
            summary(6, "tern CI <ci@example.org>", "周报：第 48 周", seen),
            "f@x",
            &[],
        ),
    ]
}

fn inbox() -> App {
    let mut app = new_app("INBOX");
    let folders = vec![
        folder("INBOX", Some(SpecialUse::Inbox), Some((2, 6))),
        folder("Archive", Some(SpecialUse::Archive), Some((0, 0))),
        folder("Trash", Some(SpecialUse::Trash), Some((0, 0))),
    ];
    load(&mut app, folders, "INBOX", messages());
    app
}

fn moved(cmds: &[Cmd]) -> Vec<Uid> {
    cmds.iter()
        .find_map(|c| match c {
            Cmd::Copy {
                uids, remove: true, ..
            } => Some(uids.clone()),
            _ => None,
        })
        .expect("a move")
}

#[test]
fn threads_list_conversations_newest_first_and_fold() {
    let mut app = inbox();
    assert_eq!(listed(&app), [6, 5, 4, 3, 2, 1]);
    let cmds = press(&mut app, "V");
    assert!(
        matches!(&cmds[..], [Cmd::RememberView { view, .. }] if view == "date threads"),
        "remembered for the next start: {cmds:?}"
    );
    assert_eq!(notice(&app), "Listing conversations, newest first");
    assert_eq!(
        listed(&app),
        [6, 3, 5, 1, 2, 4],
        "threads by their newest message"
    );
    assert_eq!(
        app.selected_uid(),
        Some(6),
        "the cursor stays on its message"
    );
    insta::assert_snapshot!("threads_unfolded_80x24", draw(&mut app, WIDE).backend());

    press(&mut app, "Z");
    assert_eq!(listed(&app), [6, 3, 1], "each thread as its first message");
    assert_eq!(notice(&app), "Every thread folded");
    insta::assert_snapshot!("threads_folded_80x24", draw(&mut app, WIDE).backend());

    // One thread unfolded, then folded again from one of its replies: the cursor goes to its
    // first message.
    press(&mut app, "j z");
    assert_eq!(listed(&app), [6, 3, 5, 1]);
    press(&mut app, "j z");
    assert_eq!(listed(&app), [6, 3, 1]);
    assert_eq!(app.selected_uid(), Some(3));
    press(&mut app, "Z");
    assert_eq!(listed(&app), [6, 3, 5, 1, 2, 4], "every thread unfolded");

    press(&mut app, "V");
    assert_eq!(listed(&app), [6, 5, 4, 3, 2, 1], "messages again");
}

#[test]
fn moving_by_thread_and_to_the_next_unread_reply() {
    let mut app = inbox();
    press(&mut app, "V");
    press(&mut app, "J");
    assert_eq!(app.selected_uid(), Some(3));
    press(&mut app, "J");
    assert_eq!(app.selected_uid(), Some(1));
    press(&mut app, "]");
    assert_eq!(app.selected_uid(), Some(4), "2 is read");
    press(&mut app, "]");
    assert_eq!(notice(&app), "No more unread messages in this thread");
    press(&mut app, "K");
    assert_eq!(app.selected_uid(), Some(1), "first the top of this thread");
    press(&mut app, "K");
    assert_eq!(app.selected_uid(), Some(3));
    // In a folded thread the next unread reply unfolds it.
    press(&mut app, "z ]");
    assert_eq!(app.selected_uid(), Some(5));
    assert_eq!(listed(&app), [6, 3, 5, 1, 2, 4]);
}

#[test]
fn a_folded_thread_is_archived_whole_and_a_thread_tagged_whole() {
    let mut app = inbox();
    press(&mut app, "V J J z");
    assert_eq!(app.selected_uid(), Some(1));
    let cmds = press(&mut app, "a");
    assert_eq!(
        moved(&cmds),
        [1, 2, 4],
        "every message of the thread, by UID"
    );
    assert_eq!(listed(&app), [6, 3, 5], "gone from the list at once");

    press(&mut app, "g C-t");
    assert_eq!(notice(&app), "Tagged 1 message");
    assert_eq!(app.selected_uid(), Some(3), "on to the next thread");
    press(&mut app, "C-t");
    let tagged: Vec<Uid> = [3, 5, 6]
        .into_iter()
        .filter(|u| app.list().tagged().contains(u))
        .collect();
    assert_eq!(tagged, [3, 5, 6]);
    let cmds = press(&mut app, "d");
    let mut uids = moved(&cmds);
    uids.sort_unstable();
    assert_eq!(uids, [3, 5, 6], "tags win over the cursor");
}

#[test]
fn new_mail_joins_its_thread_and_the_cursor_stays() {
    let mut app = inbox();
    press(&mut app, "V j j");
    assert_eq!(app.selected_uid(), Some(5));
    app.on_event(arrived("INBOX", vec![7]));
    let reply = in_thread(
        summary(
            7,
            "Erin <erin@example.com>",
            "Re: 项目计划和下周的安排",
            Flags::NONE,
        ),
        "g@x",
        &["a@x"],
    );
    app.on_event(summaries("INBOX", vec![reply]));
    assert_eq!(
        listed(&app),
        [1, 2, 4, 7, 6, 3, 5],
        "the plan is the newest thread now"
    );
    assert_eq!(app.selected_uid(), Some(5));
    assert_eq!(app.selected(), 6);

    // Its first message expunged, the replies stay together, under a missing parent.
    app.on_event(Event::Expunged {
        req: None,
        folder: Folder::named("INBOX"),
        uids: vec![1],
    });
    assert_eq!(listed(&app), [2, 4, 7, 6, 3, 5]);
    insta::assert_snapshot!(
        "threads_missing_parent_80x24",
        draw(&mut app, WIDE).backend()
    );
}

#[test]
fn thread_actions_say_how_to_list_threads() {
    let mut app = inbox();
    press(&mut app, "J");
    assert_eq!(notice(&app), "The list does not show threads; V lists them");
    assert_eq!(app.selected_uid(), Some(6));
    // `:threads` runs the action by name.
    press(&mut app, ":");
    support::ui::type_text(&mut app, "threads");
    press(&mut app, "Enter");
    assert_eq!(listed(&app), [6, 3, 5, 1, 2, 4]);
}

#[test]
fn a_remembered_view_lists_the_folder_so_when_it_opens() {
    let mut app = new_app("INBOX");
    // The worker reads the cache before the folder opens.
    app.on_event(Event::View {
        folder: Folder::named("INBOX"),
        view: "size threads".into(),
    });
    load(
        &mut app,
        vec![folder("INBOX", None, Some((2, 6)))],
        "INBOX",
        messages(),
    );
    assert_eq!(listed(&app), [6, 3, 5, 1, 2, 4]);
    assert_eq!(
        app.model().view().map(|v| v.to_string()).as_deref(),
        Some("size threads")
    );

    // Listed otherwise this session, a late read of the cache does not undo it.
    press(&mut app, "V");
    app.on_event(Event::View {
        folder: Folder::named("INBOX"),
        view: "size threads".into(),
    });
    app.on_event(support::ui::selected("INBOX", (1..=6).rev().collect()));
    app.on_event(summaries("INBOX", messages()));
    assert!(app.threaded().is_none(), "still listed as messages");
}

/// The words `cmds` asked the worker to remember for the open folder.
fn remembered(cmds: &[Cmd]) -> String {
    cmds.iter()
        .find_map(|c| match c {
            Cmd::RememberView { view, .. } => Some(view.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("a view to remember: {cmds:?}"))
}

/// A restart: a new App told by the cache how INBOX was listed, then loading `chunk`.
fn restarted(words: &str, chunk: Vec<Summary>) -> App {
    let mut app = new_app("INBOX");
    app.on_event(Event::View {
        folder: Folder::named("INBOX"),
        view: words.into(),
    });
    load(
        &mut app,
        vec![folder("INBOX", None, Some((2, 6)))],
        "INBOX",
        chunk,
    );
    app
}

#[test]
fn folds_are_remembered_by_thread_across_a_restart() {
    let mut app = inbox();
    press(&mut app, "V");
    let words = remembered(&press(&mut app, "j z"));
    let named = |id: &str| IdHash::of(id).to_string();
    assert_eq!(
        words,
        format!("date threads {}", named("c@x")),
        "lunch, named by its root"
    );
    assert_eq!(listed(&app), [6, 3, 1, 2, 4]);

    let mut app = restarted(&words, messages());
    assert_eq!(listed(&app), [6, 3, 1, 2, 4], "lunch folded again");
    // Unfolding forgets it.
    press(&mut app, "j");
    assert_eq!(remembered(&press(&mut app, "z")), "date threads");
    assert_eq!(listed(&app), [6, 3, 5, 1, 2, 4]);

    // Every thread folded but one.
    press(&mut app, "Z");
    let words = remembered(&press(&mut app, "g j j z"));
    assert_eq!(words, format!("date threads folded {}", named("a@x")));
    assert_eq!(listed(&app), [6, 3, 1, 2, 4]);
    let app = restarted(&words, messages());
    assert_eq!(listed(&app), [6, 3, 1, 2, 4], "only the plan unfolded");
}

#[test]
fn a_fold_follows_its_thread_when_the_missing_root_comes() {
    // The plan's first message (1) is not there yet: its replies hang from a placeholder.
    let without_root: Vec<Summary> = messages().into_iter().filter(|s| s.uid != 1).collect();
    let mut app = restarted("date threads", without_root);
    assert_eq!(listed(&app), [6, 3, 5, 2, 4]);
    let words = remembered(&press(&mut app, "j j j z"));
    assert_eq!(words, format!("date threads {}", IdHash::of("a@x")));
    assert_eq!(listed(&app), [6, 3, 5, 2]);

    // Next start the root is in the folder and heads the thread: still folded.
    let app = restarted(&words, messages());
    assert_eq!(listed(&app), [6, 3, 5, 1]);
}

#[test]
fn hostile_remembered_folds_are_ignored() {
    let huge = format!("<{}>", "x".repeat(100_000));
    let words = format!("date threads <a@x {huge} <\u{202e}c@x> folded> <<>>");
    let app = restarted(&words, messages());
    assert_eq!(listed(&app), [6, 3, 5, 1, 2, 4], "threaded, nothing folded");
}

#[test]
fn a_large_folder_is_threaded_over_several_frames_while_mail_comes() {
    let n: Uid = 25_000;
    let seen = Flags::from(Flag::Seen);
    let alone = |u: Uid| {
        in_thread(
            summary(u, "Dave <d@x>", "Note", seen),
            &format!("{u}@x"),
            &[],
        )
    };
    let mut app = new_app("INBOX");
    let inbox = vec![folder("INBOX", None, Some((0, n)))];
    load(&mut app, inbox, "INBOX", (1..=n).map(alone).collect());
    press(&mut app, "j j");
    let on = app.selected_uid();
    assert_eq!(on, Some(n - 2));

    app.act(Action::Threads, None);
    assert!(
        app.take_jobs().is_empty(),
        "one slice copied, the rest later"
    );
    assert!(app.copying());
    // A reply to the first message arrives between two frames.
    app.on_event(arrived("INBOX", vec![n + 1]));
    let reply = summary(n + 1, "Erin <e@x>", "Re: Note", Flags::NONE);
    app.on_event(summaries("INBOX", vec![in_thread(reply, "r@x", &["1@x"])]));
    let mut frames = 1;
    let job = loop {
        frames += 1;
        if let Some(job) = app.take_jobs().pop() {
            break job;
        }
    };
    assert_eq!(frames, 3, "10 000 messages a frame");
    assert!(app.threaded().is_none(), "listed as messages until built");
    app.job_done(job.run());
    let c = app.threaded().expect("threaded");
    assert_eq!(c.thread(1).unwrap().uids().collect::<Vec<_>>(), [1, n + 1]);
    assert_eq!(c.len(), n as usize + 1);
    assert_eq!(app.selected_uid(), on, "the cursor stays on its message");
}
