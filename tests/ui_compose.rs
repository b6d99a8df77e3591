//! Writing mail in the TUI without a network or an editor: key strings drive an App fed
//! hand-made worker events; the "editor" is a write to the draft file, and the send thread's
//! verdicts are hand-made too. The tests check the commands for the worker and the send
//! thread, and what the review screen shows.

mod support;

use std::path::{Path, PathBuf};

use support::ui::{folder, load, new_app, notice, press, render, summary, type_text};
use tern::compose::Identities;
use tern::compose::editor::Edited;
use tern::msg::{Cmd, Event, Flag, FlagChange, Folder, SpecialUse};
use tern::send::worker::{SendCmd, SendEvent};
use tern::ui::app::App;
use tern::ui::composer::{ComposeSettings, Stage};

const SIZE: (u16, u16) = (80, 24);

const ORIGINAL: &str = "From: Bob Builder <bob@example.org>\r\n\
To: Alice <alice@example.org>, carol@example.org\r\n\
Subject: Re: Lunch\r\n\
Message-ID: <lunch-2@example.org>\r\n\
References: <lunch-1@example.org>\r\n\
Date: Fri, 01 Mar 2024 09:30:00 +0000\r\n\
\r\n\
Shall we meet at noon?\r\n";

/// INBOX with message 7 from Bob; a Drafts folder; drafts kept under `tmp`.
fn app(tmp: &Path) -> App {
    let mut app = new_app("INBOX");
    let folders = vec![
        folder("INBOX", Some(SpecialUse::Inbox), Some((0, 1))),
        folder("Drafts", Some(SpecialUse::Drafts), Some((0, 0))),
    ];
    load(
        &mut app,
        folders,
        "INBOX",
        vec![summary(
            7,
            "Bob Builder <bob@example.org>",
            "Re: Lunch",
            Flag::Seen,
        )],
    );
    app.set_compose(ComposeSettings {
        identities: Ok(Identities::parse("Alice <alice@example.org>", &[]).unwrap()),
        drafts_dir: Some(tmp.join("drafts")),
        address_book: None,
    });
    app
}

/// The worker's answer to the composer's FetchRaw in `cmds`.
fn answer_raw(app: &mut App, cmds: &[Cmd], raw: &str) -> Vec<Cmd> {
    let req = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::FetchRaw { req, uid: 7, .. } => Some(*req),
            _ => None,
        })
        .expect("the original is fetched");
    app.on_event(Event::Raw {
        req,
        folder: Folder::named("INBOX"),
        uid: 7,
        bytes: raw.as_bytes().to_vec(),
    })
}

/// Plays the editor: `edit` changes the draft's text, then the editor "exits".
fn edit_draft(app: &mut App, edit: impl FnOnce(String) -> String) -> PathBuf {
    let file = app.take_edit().expect("the editor is asked for");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, edit(text)).unwrap();
    app.on_edited(Ok(Edited::Saved));
    file
}

fn reply_in_review(app: &mut App) -> PathBuf {
    let cmds = press(app, "y");
    assert!(matches!(app.composer().stage(), Stage::Fetching { .. }));
    answer_raw(app, &cmds, ORIGINAL);
    edit_draft(app, |t| t.replacen("\n\n", "\n\nNoon is fine.\n", 1))
}

/// The Message-ID header of a built message, with its angle brackets.
fn message_id_of(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .expect("a Message-ID");
    line.trim().to_string()
}

fn submitted(app: &mut App) -> (u64, Vec<u8>) {
    match app.take_send().as_slice() {
        [SendCmd::Submit { req, raw }] => (*req, raw.clone()),
        other => panic!("expected one submission, got {other:?}"),
    }
}

#[test]
fn a_reply_is_reviewed_sent_and_marks_the_original_answered() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = app(tmp.path());
    let file = reply_in_review(&mut app);
    insta::assert_snapshot!(support::ui::draw(&mut app, SIZE).backend());

    assert!(press(&mut app, "y").is_empty());
    let (job, bytes) = submitted(&mut app);
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.contains("In-Reply-To: <lunch-2@example.org>"),
        "{text}"
    );
    assert!(text.contains("Subject: Re: Lunch\r\n"), "{text}");
    assert!(text.contains("Noon is fine."), "{text}");
    assert_eq!(notice(&app), "sending…");
    // Keys wait for the verdict; the draft is still on disk.
    press(&mut app, "q");
    assert!(app.composer().review().is_some() && file.exists());

    let cmds = app.on_send_event(SendEvent::Sent {
        req: Some(job),
        message_id: "<x@example.org>".into(),
        warning: None,
    });
    assert_eq!(
        cmds,
        [Cmd::Store {
            req: match cmds[0] {
                Cmd::Store { req, .. } => req,
                _ => unreachable!(),
            },
            change: FlagChange {
                folder: Folder::named("INBOX"),
                uids: vec![7],
                add: true,
                flags: Flag::Answered.into(),
            }
        }]
    );
    assert_eq!(notice(&app), "sent");
    assert!(matches!(app.composer().stage(), Stage::Idle));
    assert!(!file.exists(), "a sent draft is removed");
    // The flag drawn at once, as for `A`.
    assert!(app.flags_of(7).unwrap().has(Flag::Answered));
}

#[test]
fn abort_asks_first_and_then_deletes_the_draft() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = app(tmp.path());
    let file = reply_in_review(&mut app);
    press(&mut app, "q");
    assert!(render(&mut app, SIZE).contains("Throw this draft away? y/N"));
    press(&mut app, "n");
    assert!(app.composer().review().is_some() && file.exists());
    press(&mut app, "Esc y");
    assert!(matches!(app.composer().stage(), Stage::Idle));
    assert!(!file.exists());
    assert_eq!(notice(&app), "Draft thrown away");
}

#[test]
fn a_draft_that_does_not_parse_stays_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = app(tmp.path());
    let file = reply_in_review(&mut app);
    let bad = std::fs::read_to_string(&file).unwrap().replacen(
        "To: Bob Builder <bob@example.org>",
        "To: bob@",
        1,
    );
    std::fs::write(&file, &bad).unwrap();
    press(&mut app, "e");
    edit_draft(&mut app, |t| t);
    let screen = render(&mut app, SIZE);
    assert!(
        screen.contains("Cannot send: To: \"bob@\" is not an address"),
        "{screen}"
    );
    press(&mut app, "y");
    assert!(app.take_send().is_empty(), "nothing goes out");
    assert!(notice(&app).starts_with("Not sent: To:"));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        bad,
        "nothing typed is lost"
    );
    assert!(app.composer().review().is_some());
}

#[test]
fn postpone_appends_to_drafts_and_then_drops_the_local_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = app(tmp.path());
    let file = reply_in_review(&mut app);
    let cmds = press(&mut app, "P");
    let [
        Cmd::Append {
            req,
            folder,
            bytes,
            flags,
            ..
        },
    ] = cmds.as_slice()
    else {
        panic!("one APPEND, got {cmds:?}");
    };
    assert_eq!(folder.name(), "Drafts");
    assert!(flags.has(Flag::Draft) && flags.has(Flag::Seen));
    assert!(String::from_utf8_lossy(bytes).contains("Noon is fine."));
    assert!(file.exists(), "kept until the server has it");
    app.on_event(Event::Appended {
        req: *req,
        folder: Folder::named("Drafts"),
        uid: Some(3),
    });
    assert!(matches!(app.composer().stage(), Stage::Idle));
    assert!(!file.exists());
    assert_eq!(notice(&app), "Postponed to Drafts");
}

#[test]
fn a_refusal_returns_to_the_review_screen_with_the_servers_words() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = app(tmp.path());
    reply_in_review(&mut app);
    press(&mut app, "y");
    let (job, _) = submitted(&mut app);
    app.on_send_event(SendEvent::Refused {
        req: Some(job),
        id: "entry-1".into(),
        message_id: "<r@example.org>".into(),
        text: "554 5.7.1 relay access denied".into(),
    });
    let screen = render(&mut app, SIZE);
    assert!(screen.contains("554 5.7.1 relay access denied"), "{screen}");
    assert_eq!(
        app.take_send(),
        [SendCmd::Discard {
            id: "entry-1".into()
        }]
    );
    // A lost answer after the final "." asks before sending again.
    press(&mut app, "y");
    let (job, raw) = submitted(&mut app);
    let message_id = message_id_of(&raw);
    app.on_send_event(SendEvent::MaybeSent {
        req: Some(job),
        id: "entry-2".into(),
        message_id: message_id.clone(),
        text: "connection lost".into(),
    });
    assert!(render(&mut app, SIZE).contains("Send it again? y/N"));
    press(&mut app, "y");
    assert_eq!(
        app.take_send(),
        [SendCmd::Resend {
            id: "entry-2".into()
        }]
    );
    // The resend's verdict names the message, not a request.
    app.on_send_event(SendEvent::Sent {
        req: None,
        message_id,
        warning: None,
    });
    assert_eq!(notice(&app), "sent");
    assert!(matches!(app.composer().stage(), Stage::Idle));
}

#[test]
fn attach_completes_paths_refuses_missing_files_and_takes_several() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = app(tmp.path());
    reply_in_review(&mut app);
    let base = tmp.path().to_str().unwrap();
    std::fs::write(tmp.path().join("report.pdf"), [1u8; 2048]).unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "n").unwrap();
    press(&mut app, "a");
    type_text(&mut app, &format!("{base}/missing.pdf"));
    press(&mut app, "Enter");
    assert!(render(&mut app, SIZE).contains("missing.pdf: no such file"));
    press(&mut app, "C-u");
    type_text(&mut app, &format!("{base}/rep"));
    press(&mut app, "Tab Enter");
    type_text(&mut app, &format!("{base}/notes.txt"));
    press(&mut app, "Enter Enter");
    let screen = render(&mut app, SIZE);
    assert!(
        screen.contains("1. report.pdf  application/pdf  2.0 KiB"),
        "{screen}"
    );
    assert!(screen.contains("2. notes.txt  text/plain  1 B"), "{screen}");
    insta::assert_snapshot!(support::ui::draw(&mut app, (60, 20)).backend());
    press(&mut app, "D");
    type_text(&mut app, "1");
    press(&mut app, "Enter");
    let r = app.composer().review().unwrap();
    assert_eq!(r.attachments.len(), 1);
    assert_eq!(r.attachments[0].name, "notes.txt");
}

#[test]
fn compose_asks_who_to_with_completion_then_opens_the_editor() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = app(tmp.path());
    assert!(press(&mut app, "C").is_empty());
    type_text(&mut app, "bo");
    press(&mut app, "Tab");
    assert!(render(&mut app, SIZE).contains("To: Bob Builder <bob@example.org>"));
    press(&mut app, "Enter");
    let file = app.take_edit().expect("the editor");
    let text = std::fs::read_to_string(file).unwrap();
    assert!(
        text.starts_with("From: Alice <alice@example.org>\nTo: Bob Builder <bob@example.org>\n"),
        "{text}"
    );
    // A bad address is refused on the line, which keeps what was typed.
    app.on_edited(Ok(Edited::Unchanged));
    press(&mut app, "Esc y");
    press(&mut app, "C");
    type_text(&mut app, "bob@");
    press(&mut app, "Enter");
    assert!(render(&mut app, SIZE).contains("To: bob@"));
    assert!(app.take_edit().is_none());
}

#[test]
fn edit_draft_resumes_a_postponed_message_and_sending_removes_it_by_uid() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = app(tmp.path());
    press(&mut app, "E");
    assert!(notice(&app).contains("open it first"), "{}", notice(&app));
    // Open Drafts, which holds message 7.
    app.on_event(support::ui::selected("Drafts", vec![7]));
    app.on_event(support::ui::summaries(
        "Drafts",
        vec![summary(7, "Alice <alice@example.org>", "Plans", Flag::Seen)],
    ));
    let draft = "From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: Plans\r\n\
                 Message-ID: <d1@example.org>\r\n\r\nHalf written\r\n";
    let cmds = press(&mut app, "E");
    let req = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::FetchRaw { req, uid: 7, .. } => Some(*req),
            _ => None,
        })
        .unwrap();
    app.on_event(Event::Raw {
        req,
        folder: Folder::named("Drafts"),
        uid: 7,
        bytes: draft.as_bytes().to_vec(),
    });
    edit_draft(&mut app, |t| t);
    press(&mut app, "y");
    let (job, bytes) = submitted(&mut app);
    assert!(String::from_utf8_lossy(&bytes).contains("Half written"));
    let cmds = app.on_send_event(SendEvent::Sent {
        req: Some(job),
        message_id: "<d@x>".into(),
        warning: None,
    });
    assert!(
        matches!(&cmds[..], [
            Cmd::Store { change, .. },
            Cmd::Expunge { folder, uids, all_deleted: false, .. },
        ] if change.folder.name() == "Drafts" && change.uids == [7] && change.flags.has(Flag::Deleted)
            && folder.name() == "Drafts" && uids == &[7]),
        "{cmds:?}"
    );
}

#[test]
fn compose_actions_are_commands_too() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = app(tmp.path());
    press(&mut app, ":");
    type_text(&mut app, "reply_all");
    let cmds = press(&mut app, "Enter");
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::FetchRaw { uid: 7, .. }))
    );
}

#[test]
fn the_address_book_command_answers_tab_before_the_people_seen() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = app(tmp.path());
    let book = tmp.path().join("book.sh");
    std::fs::write(
        &book,
        "#!/bin/sh\nprintf 'zed@example.net\\tZed Zebra\\n'\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&book, std::fs::Permissions::from_mode(0o755)).unwrap();
    app.set_compose(ComposeSettings {
        identities: Ok(Identities::parse("Alice <alice@example.org>", &[]).unwrap()),
        drafts_dir: Some(tmp.path().join("drafts")),
        address_book: Some(book.to_str().unwrap().to_string()),
    });
    press(&mut app, "C");
    type_text(&mut app, "bob@example.org, z");
    press(&mut app, "Tab");
    let screen = render(&mut app, SIZE);
    assert!(
        screen.contains("To: bob@example.org, Zed Zebra <zed@example.net>"),
        "{screen}"
    );
}

#[test]
fn the_status_bar_counts_the_outbox_when_it_is_not_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = app(tmp.path());
    assert!(!render(&mut app, SIZE).contains("in outbox"));
    app.on_send_event(SendEvent::Outbox {
        queued: 1,
        attention: 0,
    });
    assert!(render(&mut app, SIZE).contains("· 1 in outbox"));
    app.on_send_event(SendEvent::Outbox {
        queued: 0,
        attention: 0,
    });
    assert!(!render(&mut app, SIZE).contains("in outbox"));
}

#[test]
fn a_message_sent_asks_for_the_counts_of_sent() {
    let mut app = new_app("INBOX");
    let folders = vec![
        folder("INBOX", Some(SpecialUse::Inbox), Some((0, 1))),
        folder("Sent Messages", Some(SpecialUse::Sent), Some((0, 4))),
    ];
    load(&mut app, folders, "INBOX", Vec::new());
    // Sent from the outbox in the background: no draft under review, the counts all the same.
    let cmds = app.on_send_event(SendEvent::Sent {
        req: None,
        message_id: "<later@example.org>".into(),
        warning: None,
    });
    assert_eq!(cmds, [Cmd::Counts(Folder::named("Sent Messages"))]);
    // Not filed in Sent: nothing to count.
    let cmds = app.on_send_event(SendEvent::Sent {
        req: None,
        message_id: "<later@example.org>".into(),
        warning: Some("sent, but the copy in Sent failed".into()),
    });
    assert_eq!(cmds, []);
}
