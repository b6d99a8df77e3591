//! The TUI without a network or a terminal: an App fed hand-made worker events and key presses,
//! drawn into ratatui's TestBackend and compared with insta snapshots, plus the commands it
//! emits.

mod support;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use support::ui::{
    NESTED, WIDE, draw, folder, part, press, render, selected, settings, summaries, type_text,
};
use tern::error::Error;
use tern::mime::{Part, Section, safe_filename};
use tern::msg::{
    Cancel, Cmd, ConnState, Event, Flag, Flags, Folder, FolderInfo, SaveTo, SessionInfo,
    SpecialUse, Summary, Uid,
};
use tern::ui::app::{App, Settings};
use tern::ui::keymap::Keymap;
use tern::ui::layout::Pane;

const PLAIN: &str = r#"("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "8BIT" 300 10 NIL NIL NIL NIL)"#;
const HTML: &str = r#"("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "8BIT" 600 20 NIL NIL NIL NIL)"#;

fn folders() -> Vec<FolderInfo> {
    let mut noselect = folder("其他文件夹", None, None);
    noselect.selectable = false;
    noselect.attributes = vec!["\\Noselect".into(), "\\HasChildren".into()];
    vec![
        folder("Archive/2023", None, Some((0, 812))),
        folder("INBOX", Some(SpecialUse::Inbox), Some((3, 120))),
        folder("Trash", Some(SpecialUse::Trash), Some((0, 4))),
        folder("Sent Messages", Some(SpecialUse::Sent), Some((0, 57))),
        noselect,
        folder("其他文件夹/QQ邮件", None, Some((2, 15))),
        folder("Drafts", Some(SpecialUse::Drafts), Some((0, 1))),
    ]
}

/// A day apart, 30 the newest, sent from UTC+8; sizes grow with the UID.
fn summary(uid: Uid, from: &str, subject: &str, flags: impl Into<Flags>) -> Summary {
    Summary {
        date_offset: 8 * 3600,
        size: uid * 1234,
        ..support::ui::summary(uid, from, subject, flags)
    }
}

/// Numbered senders and subjects with every mix of flags.
fn numbered(uids: impl Iterator<Item = Uid>) -> Vec<Summary> {
    uids.map(|u| {
        let flags = match u % 4 {
            0 => Flags::from(Flag::Seen),
            1 => Flag::Seen | Flag::Answered,
            2 => Flags::from(Flag::Flagged),
            _ => Flags::NONE,
        };
        summary(
            u,
            &format!("Sender {u} <s{u}@example.org>"),
            &format!("Subject number {u}"),
            flags,
        )
    })
    .collect()
}

type Opened = Arc<Mutex<Vec<String>>>;

/// Settings whose launcher records what it was asked to open instead of opening it.
fn settings_with(size: (u16, u16), download_dir: PathBuf, opened: Opened) -> Settings {
    Settings {
        download_dir,
        launcher: Box::new(move |target| {
            opened
                .lock()
                .unwrap()
                .push(target.to_string_lossy().into_owned());
            Ok(())
        }),
        ..settings("INBOX", size)
    }
}

/// An app at `size` connected to a 30-message INBOX whose newest `loaded` summaries arrived.
fn app_with(size: (u16, u16), loaded: u32) -> App {
    let (mut app, _) = App::new(settings_with(size, std::env::temp_dir(), Opened::default()));
    let info = SessionInfo {
        greeting: "* OK ready".into(),
        tls: Some("TLSv1.3 TLS_AES_256_GCM_SHA384".into()),
        capabilities: vec!["IMAP4rev1".into()],
        auth: "LOGIN".into(),
    };
    app.on_event(Event::Conn(ConnState::Connected(info)));
    app.on_event(Event::Folders(folders()));
    app.on_event(selected("INBOX", (1..=30).rev().collect()));
    app.on_event(summaries("INBOX", numbered((31 - loaded..=30).rev())));
    app
}

/// Types `text` into the command line and submits it.
fn command(app: &mut App, text: &str) -> Vec<Cmd> {
    let mut cmds = press(app, ":");
    cmds.extend(type_text(app, text));
    cmds.extend(press(app, "Enter"));
    cmds
}

/// Opens the message under the cursor and answers its fetches with `header` and `bodies`
/// (raw part bytes, by section).
fn open_message(app: &mut App, root: Part, header: &str, bodies: &[(&str, &[u8])]) {
    open_labelled(app, root, header, Vec::new(), bodies);
}

/// [`open_message`] on a server that keeps Gmail's `labels`.
fn open_labelled(
    app: &mut App,
    root: Part,
    header: &str,
    labels: Vec<String>,
    bodies: &[(&str, &[u8])],
) {
    let cmds = press(app, "Enter");
    // Opening an unread message also marks it \Seen (seen_policy = "open").
    let (req, uid) = match cmds.as_slice() {
        [Cmd::FetchStructure { req, uid, .. }, rest @ ..]
            if rest.iter().all(|c| matches!(c, Cmd::Store { .. })) =>
        {
            (*req, *uid)
        }
        other => panic!("expected one FetchStructure, got {other:?}"),
    };
    let fetches = app.on_event(Event::Structure {
        req,
        folder: Folder::named("INBOX"),
        uid,
        root: Box::new(root),
        header: header.as_bytes().to_vec(),
        labels,
    });
    for cmd in fetches {
        let Cmd::FetchPart {
            req, uid, section, ..
        } = cmd
        else {
            panic!("unexpected {cmd:?}");
        };
        // Parts without a body given stay in flight, as on a slow link.
        if let Some((_, bytes)) = bodies.iter().find(|(s, _)| section.to_string() == *s) {
            let bytes = bytes.to_vec();
            app.on_event(Event::PartData {
                req,
                folder: Folder::named("INBOX"),
                uid,
                section,
                bytes,
            });
        }
    }
}

fn assert_no_escape(t: &Terminal<TestBackend>) {
    for cell in t.backend().buffer().content() {
        assert!(
            !cell.symbol().chars().any(|c| c.is_control()),
            "control character {:?} reached the screen",
            cell.symbol()
        );
    }
}

const NARROW: (u16, u16) = (40, 20);

#[test]
fn start_opens_the_default_folder_then_asks_for_folders() {
    let (_, cmds) = App::new(settings_with(WIDE, std::env::temp_dir(), Opened::default()));
    // The folder list needs the login; the folder's cached rows do not.
    assert_eq!(cmds[1], Cmd::ListFolders);
    match &cmds[0] {
        Cmd::Select {
            folder,
            read_only,
            first_screen,
        } => {
            assert_eq!(folder.name(), "INBOX");
            assert!(!read_only);
            assert!(
                *first_screen >= 20,
                "a screenful plus margin: {first_screen}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn folder_tree() {
    let mut app = app_with(WIDE, 30);
    insta::assert_snapshot!("folders_80x24", draw(&mut app, WIDE).backend());
    let mut narrow = app_with(NARROW, 30);
    press(&mut narrow, "h");
    assert_eq!(narrow.focus(), Pane::Folders);
    insta::assert_snapshot!("folders_40x20", draw(&mut narrow, NARROW).backend());
}

#[test]
fn noselect_folder_toggles_instead_of_opening() {
    let mut app = app_with(WIDE, 30);
    press(&mut app, "h");
    // Inbox, Drafts, Sent, Trash, Archive, 2023, 其他文件夹, QQ邮件
    let cmds = press(&mut app, "6 j Enter");
    assert!(cmds.is_empty(), "{cmds:?}");
    assert_eq!(
        app.folder_pane().tree()[app.folder_pane().cursor()].name,
        "其他文件夹"
    );
    assert_eq!(
        app.folder_pane().tree().len(),
        7,
        "the Noselect parent collapsed"
    );
    press(&mut app, "z");
    let cmds = press(&mut app, "j Enter");
    assert!(
        matches!(&cmds[..], [Cmd::Select { folder, .. }] if folder.name() == "其他文件夹/QQ邮件"),
        "{cmds:?}"
    );
    assert_eq!(app.focus(), Pane::List);
}

#[test]
fn list_while_syncing() {
    let mut app = app_with(WIDE, 8);
    let t = draw(&mut app, WIDE);
    insta::assert_snapshot!("list_syncing_80x24", t.backend());
    let mut narrow = app_with(NARROW, 8);
    insta::assert_snapshot!("list_syncing_40x20", draw(&mut narrow, NARROW).backend());
}

#[test]
fn cjk_list_is_laid_out_by_display_width() {
    let mut app = app_with((81, 12), 0);
    app.on_event(summaries(
        "INBOX",
        vec![
            summary(
                30,
                "张伟 <zhang@example.cn>",
                "关于下周项目评审会议的安排和准备材料清单",
                Flags::NONE,
            ),
            summary(
                29,
                "山田太郎",
                "請求書の送付について（三月分）",
                Flags::from(Flag::Seen),
            ),
            summary(
                28,
                "김민준",
                "회의 일정 변경 안내",
                Flag::Seen | Flag::Flagged,
            ),
            summary(
                27,
                "Mixed 混合 name",
                "半角と全角が混ざったsubject line 测试",
                Flags::from(Flag::Seen),
            ),
        ],
    ));
    press(&mut app, "h");
    press(&mut app, "6 j");
    insta::assert_snapshot!("cjk_81x12", draw(&mut app, (81, 12)).backend());
    let mut narrow = app_with((41, 8), 0);
    narrow.on_event(summaries(
        "INBOX",
        vec![summary(
            30,
            "张伟",
            "关于下周项目评审会议的安排和准备材料清单",
            Flags::NONE,
        )],
    ));
    insta::assert_snapshot!("cjk_41x8", draw(&mut narrow, (41, 8)).backend());
}

const PLAIN_HEADER: &str = "From: Alice Example <alice@example.org>\r\nTo: bob@example.org\r\nDate: Fri, 1 Mar 2024 09:30:00 +0800\r\nSubject: Lunch on Friday?\r\nX-Mailer: test\r\n\r\n";
const PLAIN_BODY: &[u8] = b"Hi Bob,\r\n\r\nShall we try the new noodle place on Friday? The menu is at https://noodles.example/menu and it opens at noon.\r\n\r\n> Last time you said you wanted dumplings.\r\n> Still true?\r\n\r\nAlice\r\n";

#[test]
fn reader_names_gmail_labels_under_the_subject() {
    let mut app = app_with(WIDE, 30);
    let labels = vec![
        "Inbox".to_string(),
        "工作".to_string(),
        "\x1b[2Jx".to_string(),
    ];
    open_labelled(
        &mut app,
        part(PLAIN),
        PLAIN_HEADER,
        labels,
        &[("1", PLAIN_BODY)],
    );
    let screen = draw(&mut app, WIDE);
    assert_no_escape(&screen);
    let text = screen.backend().to_string();
    let subject = text.find("Lunch on Friday?").expect("subject shown");
    let labels = text.find("Labels: Inbox, 工作").expect("labels shown");
    assert!(subject < labels, "{text}");
}

#[test]
fn reader_plain_text() {
    let mut app = app_with(WIDE, 30);
    open_message(&mut app, part(PLAIN), PLAIN_HEADER, &[("1", PLAIN_BODY)]);
    insta::assert_snapshot!("reader_plain_80x24", draw(&mut app, WIDE).backend());
    let mut narrow = app_with(NARROW, 30);
    open_message(&mut narrow, part(PLAIN), PLAIN_HEADER, &[("1", PLAIN_BODY)]);
    assert_eq!(narrow.focus(), Pane::Reader);
    insta::assert_snapshot!("reader_plain_40x20", draw(&mut narrow, NARROW).backend());
    press(&mut narrow, "H");
    let all = draw(&mut narrow, NARROW);
    assert!(
        all.backend().to_string().contains("X-Mailer"),
        "H shows all headers"
    );
}

#[test]
fn number_then_enter_opens_that_link() {
    let opened = Opened::default();
    let (mut app, _) = App::new(settings_with(WIDE, std::env::temp_dir(), opened.clone()));
    app.on_event(Event::Folders(folders()));
    app.on_event(selected("INBOX", vec![5]));
    open_message(&mut app, part(PLAIN), PLAIN_HEADER, &[("1", PLAIN_BODY)]);
    draw(&mut app, WIDE);
    press(&mut app, "1 Enter");
    assert_eq!(*opened.lock().unwrap(), ["https://noodles.example/menu"]);
    command(&mut app, "open 2");
    assert!(app.notice().unwrap().error, "there is no link 2");
}

#[test]
fn links_other_than_web_and_mail_are_shown_not_opened() {
    let opened = Opened::default();
    let (mut app, _) = App::new(settings_with(WIDE, std::env::temp_dir(), opened.clone()));
    app.on_event(Event::Folders(folders()));
    app.on_event(selected("INBOX", vec![5]));
    let body: &[u8] = br#"<p><a href="file:///etc/passwd">a</a> <a href="javascript:alert(1)">b</a>
<a href="/home/alice/.ssh/id_ed25519">c</a> <a href="mailto:bob@example.com">d</a></p>"#;
    let header = "From: x@example.com\r\nSubject: links\r\n\r\n";
    open_message(&mut app, part(HTML), header, &[("1", body)]);
    draw(&mut app, WIDE);
    for n in 1..=3 {
        command(&mut app, &format!("open {n}"));
        let notice = app.notice().unwrap().clone();
        assert!(
            notice.error && notice.text.contains("Not opening"),
            "{n}: {}",
            notice.text
        );
    }
    command(&mut app, "open 4");
    assert_eq!(*opened.lock().unwrap(), ["mailto:bob@example.com"]);
}

const HTML_BODY: &[u8] = br#"<html><head><style>p { color: red }</style></head><body>
<h1>Spring newsletter</h1>
<p>Our <b>spring sale</b> starts on Monday. <a href="https://shop.example/sale">See the offers</a>.</p>
<ul><li>Garden tools: 20% off</li><li>Seeds: buy two, get one free</li></ul>
<p>Unsubscribe <a href="https://shop.example/unsub">here</a>.</p>
</body></html>"#;

#[test]
fn reader_html() {
    let mut app = app_with(WIDE, 30);
    let header = "From: Shop <news@shop.example>\r\nSubject: Spring newsletter\r\n\r\n";
    open_message(&mut app, part(HTML), header, &[("1", HTML_BODY)]);
    let t = draw(&mut app, WIDE);
    insta::assert_snapshot!("reader_html_80x24", t.backend());
    assert!(
        !t.backend().to_string().contains("<p>"),
        "HTML is rendered, not shown raw"
    );
}

#[test]
fn hostile_subject_and_body_never_reach_the_terminal() {
    let evil = "\x1b]0;pwned\x07Invoice \x1b[2J\x1b[31mpaid\x1b[0m \u{202e}fdp.exe";
    let mut app = app_with(WIDE, 0);
    app.on_event(summaries(
        "INBOX",
        vec![summary(
            30,
            "Mallory \x1b[5m<m@evil.example>",
            evil,
            Flags::NONE,
        )],
    ));
    let header = format!("From: Mallory <m@evil.example>\r\nSubject: {evil}\r\n\r\n");
    let body = b"Hello\x1b[?1049h there\x07\r\n\x1bPq#0;2;0;0;0\x1b\\done\r\n";
    open_message(&mut app, part(PLAIN), &header, &[("1", body)]);
    let t = draw(&mut app, WIDE);
    assert_no_escape(&t);
    insta::assert_snapshot!("hostile_80x24", t.backend());
}

#[test]
fn parts_pane_shows_the_nested_tree() {
    let mut app = app_with(WIDE, 30);
    open_message(&mut app, part(NESTED), PLAIN_HEADER, &[]);
    press(&mut app, "p");
    assert_eq!(app.focus(), Pane::Parts);
    insta::assert_snapshot!("parts_80x24", draw(&mut app, WIDE).backend());
    let mut narrow = app_with(NARROW, 30);
    open_message(&mut narrow, part(NESTED), PLAIN_HEADER, &[]);
    press(&mut narrow, "p G");
    insta::assert_snapshot!("parts_40x20", draw(&mut narrow, NARROW).backend());
}

#[test]
fn reader_ends_with_the_attachments_by_section_number() {
    let bodies: &[(&str, &[u8])] = &[
        ("1", b"See the diff.\r\n"),
        ("3.1", b"Inner one.\r\n"),
        ("4.2.1", b"Inner two.\r\n"),
        ("4.2.2.1", b"Plain alternative.\r\n"),
    ];
    for (size, name) in [
        (WIDE, "reader_attachments_80x24"),
        (NARROW, "reader_attachments_40x20"),
    ] {
        let mut app = app_with(size, 30);
        open_message(&mut app, part(NESTED), PLAIN_HEADER, bodies);
        // The reader learns its height from a frame.
        draw(&mut app, size);
        press(&mut app, "G");
        let t = draw(&mut app, size);
        let screen = t.backend().to_string();
        assert!(
            screen.contains("Attachments") && screen.contains("4.1"),
            "{screen}"
        );
        insta::assert_snapshot!(name, t.backend());
    }
}

#[test]
fn parts_pane_of_a_one_part_message_leaves_the_reader_its_rows() {
    let mut app = app_with(WIDE, 30);
    open_message(&mut app, part(PLAIN), PLAIN_HEADER, &[("1", b"Hello.\r\n")]);
    press(&mut app, "p");
    assert_eq!(app.focus(), Pane::Parts);
    let t = draw(&mut app, WIDE);
    assert_eq!(app.geometry().parts_rows(), 1, "one part, one row");
    assert!(
        app.geometry().reader_inner().height >= 8,
        "the reader keeps the rest"
    );
    insta::assert_snapshot!("parts_one_part_80x24", t.backend());
}

#[test]
fn parts_pane_keeps_its_window_when_the_cursor_moves_back_up() {
    let mut app = app_with(WIDE, 30);
    open_message(&mut app, part(NESTED), PLAIN_HEADER, &[]);
    press(&mut app, "p G");
    draw(&mut app, WIDE);
    press(&mut app, "k");
    let t = draw(&mut app, WIDE);
    let screen = t.backend().to_string();
    assert!(
        screen.contains("4.2.2.2") && screen.contains("4.2.2.1"),
        "the last part stays in view after G k:\n{screen}"
    );
    insta::assert_snapshot!("parts_after_G_k_80x24", t.backend());
}

/// An app whose download folder is `dir`, with the NESTED message (UID 9) open and its
/// first text part (`1`) in memory.
fn nested_open_in(dir: &std::path::Path) -> App {
    let (mut app, _) = App::new(settings_with(WIDE, dir.to_path_buf(), Opened::default()));
    app.on_event(Event::Folders(folders()));
    app.on_event(selected("INBOX", vec![9]));
    open_message(
        &mut app,
        part(NESTED),
        PLAIN_HEADER,
        &[("1", "café au lait\r\n".as_bytes())],
    );
    app
}

/// The one `SavePart` in `cmds`: its request, section, destination and cancel token.
fn save_cmd(cmds: &[Cmd]) -> (u64, String, SaveTo, Cancel) {
    match cmds {
        [
            Cmd::SavePart {
                req,
                uid: 9,
                folder,
                part,
                to,
                cancel,
            },
        ] if folder.name() == "INBOX" => {
            (*req, part.section.to_string(), to.clone(), cancel.clone())
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn save_by_section_streams_in_the_worker_and_reports_progress() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = nested_open_in(dir.path());
    let (req, section, to, _) = save_cmd(&command(&mut app, "save 4.2.2.1"));
    assert_eq!(section, "4.2.2.1");
    assert_eq!(
        to,
        SaveTo {
            output: None,
            download_dir: dir.path().to_path_buf()
        }
    );
    app.on_event(Event::SaveProgress {
        req,
        done: 1_000_000,
        total: 2_000_000,
    });
    let text = app.notice().unwrap().text.clone();
    assert_eq!(text, "Saving part 4.2.2.1: 1.0 of 2.0 MB · Esc cancels");
    let path = dir.path().join("part-4.2.2.1.txt");
    app.on_event(Event::Saved {
        req,
        path: Some(path.clone()),
    });
    assert!(app.notice().unwrap().text.contains(path.to_str().unwrap()));
    command(&mut app, "save 9.9");
    assert!(app.notice().unwrap().text.contains("no part 9.9"));
}

#[test]
fn a_part_in_memory_is_written_at_once_never_overwriting() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = nested_open_in(dir.path());
    let section: Section = "1".parse().unwrap();
    assert!(command(&mut app, "save 1").is_empty());
    let saved = dir.path().join(safe_filename(None, &section, "text/plain"));
    assert_eq!(
        std::fs::read(&saved).unwrap(),
        "café au lait\r\n".as_bytes()
    );
    assert!(command(&mut app, "save 1").is_empty());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn esc_cancels_a_save_in_progress_before_it_closes_anything() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = nested_open_in(dir.path());
    let (req, _, _, cancel) = save_cmd(&command(&mut app, "save 2"));
    assert!(press(&mut app, "Esc").is_empty());
    assert!(cancel.is_cancelled());
    assert_eq!(app.notice().unwrap().text, "Cancelling the save…");
    assert!(
        render(&mut app, WIDE).contains("Lunch on Friday"),
        "the message stays open"
    );
    app.on_event(Event::Failed {
        req: Some(req),
        error: Error::Refused("saving part 2 was cancelled".into()),
    });
    assert_eq!(app.notice().unwrap().text, "Cancelled saving part 2");
    // Nothing left to cancel: Esc is back to closing.
    press(&mut app, "Esc");
    assert!(!render(&mut app, WIDE).contains("Subject: Lunch"));
}

#[test]
fn save_all_asks_for_every_attachment() {
    let mut app = app_with(WIDE, 30);
    open_message(&mut app, part(NESTED), PLAIN_HEADER, &[]);
    let sections: Vec<String> = press(&mut app, "S")
        .iter()
        .filter_map(|c| match c {
            Cmd::SavePart { part, .. } => Some(part.section.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(sections, ["2", "3.2", "4.1"]);
}

#[test]
fn help_overlay() {
    let mut app = app_with(WIDE, 30);
    press(&mut app, "?");
    let t = draw(&mut app, WIDE);
    insta::assert_snapshot!("help_80x24", t.backend());
    assert!(
        t.backend().to_string().contains("save_part")
            || t.backend().to_string().contains("Save the part")
    );
    let mut narrow = app_with(NARROW, 30);
    press(&mut narrow, "?");
    insta::assert_snapshot!("help_40x20", draw(&mut narrow, NARROW).backend());
    press(&mut narrow, "q");
    assert!(
        narrow.overlays().help().is_none() && !narrow.should_quit(),
        "q closes help first"
    );
}

#[test]
fn help_lists_every_action_and_scrolls_to_the_end() {
    let mut app = app_with(WIDE, 30);
    press(&mut app, "?");
    let mut seen = String::new();
    // Page through: every action's description shows up on some page.
    for _ in 0..6 {
        seen.push_str(&draw(&mut app, WIDE).backend().to_string());
        press(&mut app, "PageDown");
    }
    for action in tern::ui::action::Action::ALL {
        let start: String = action.doc().chars().take(30).collect();
        assert!(seen.contains(&start), "help lacks {}", action.name());
    }
    press(&mut app, "G");
    draw(&mut app, WIDE);
    let bottom = app.overlays().help();
    press(&mut app, "k");
    draw(&mut app, WIDE);
    assert_eq!(
        app.overlays().help(),
        bottom.map(|s| s - 1),
        "k after G moves up at once"
    );
    press(&mut app, "g");
    assert_eq!(app.overlays().help(), Some(0));
}

#[test]
fn j_j_enter_opens_the_third_newest() {
    let mut app = app_with(WIDE, 30);
    let cmds = press(&mut app, "j j Enter");
    assert!(
        matches!(&cmds[..], [Cmd::FetchStructure { uid: 28, folder, .. }] if folder.name() == "INBOX"),
        "{cmds:?}"
    );
    assert_eq!(app.focus(), Pane::Reader);
    let cmds = press(&mut app, "R");
    assert!(
        matches!(&cmds[..], [Cmd::FetchRaw { uid: 28, .. }]),
        "{cmds:?}"
    );
}

#[test]
fn selection_stays_on_its_uid_as_chunks_arrive_and_on_resize() {
    let mut app = app_with(WIDE, 5);
    press(&mut app, "3 j");
    assert_eq!(app.selected_uid(), Some(27));
    app.on_event(summaries("INBOX", numbered((1..=25).rev())));
    assert_eq!(app.selected_uid(), Some(27));
    draw(&mut app, NARROW);
    draw(&mut app, (200, 50));
    assert_eq!(app.selected_uid(), Some(27));
    // The same folder reopened (a reconnect) with a new message on top keeps the UID too.
    app.on_event(selected("INBOX", (1..=31).rev().collect()));
    assert_eq!(app.selected_uid(), Some(27));
    assert_eq!(app.selected(), 4);
}

#[test]
fn q_goes_back_then_quits_and_ctrl_c_always_quits() {
    let mut app = app_with(WIDE, 30);
    press(&mut app, "Enter p");
    assert_eq!(app.focus(), Pane::Parts);
    press(&mut app, "q");
    assert_eq!(app.focus(), Pane::Reader);
    press(&mut app, "q");
    assert_eq!(app.focus(), Pane::List);
    assert!(app.reader().is_none() && !app.should_quit());
    // At the top level q asks first; anything but y stays.
    press(&mut app, "q");
    assert_eq!(
        app.overlays().confirm().map(|c| c.question.as_str()),
        Some("Quit tern? (y/N)")
    );
    press(&mut app, "n");
    assert!(!app.should_quit() && app.overlays().confirm().is_none());
    press(&mut app, "Esc");
    insta::assert_snapshot!("quit_question_80x24", draw(&mut app, WIDE).backend());
    press(&mut app, "y");
    assert!(app.should_quit());
    // confirm_quit = false: q quits at once.
    let mut app = App::new(Settings {
        confirm_quit: false,
        ..settings("INBOX", WIDE)
    })
    .0;
    press(&mut app, "q");
    assert!(app.should_quit());
    let mut app = app_with(WIDE, 30);
    press(&mut app, ":");
    press(&mut app, "C-c");
    assert!(app.should_quit(), "Ctrl-C quits even from the command line");
}

#[test]
fn tab_cycles_through_the_open_panes() {
    let mut app = app_with(WIDE, 30);
    press(&mut app, "Tab");
    assert_eq!(app.focus(), Pane::Folders);
    press(&mut app, "Tab Enter");
    assert_eq!(app.focus(), Pane::Reader);
    press(&mut app, "Tab");
    assert_eq!(app.focus(), Pane::Folders);
    press(&mut app, "BackTab");
    assert_eq!(app.focus(), Pane::Reader);
}

#[test]
fn keys_from_config_override_the_defaults() {
    let config = tern::config::parse(
        "[keys]\ndown = \"n\"\n\n[[account]]\nname = \"a\"\nhost = \"h\"\nusername = \"u\"\n",
    )
    .unwrap();
    let (mut app, _) = App::new(settings_with(WIDE, std::env::temp_dir(), Opened::default()));
    app.set_keymap(Keymap::new(&config.keys));
    app.on_event(Event::Folders(folders()));
    app.on_event(selected("INBOX", vec![3, 2, 1]));
    press(&mut app, "j");
    assert_eq!(app.selected_uid(), Some(3), "j is no longer bound");
    press(&mut app, "n");
    assert_eq!(app.selected_uid(), Some(2));
    let e = tern::config::parse("[keys]\ndown = \"n\"\nwarp = \"w\"\n").unwrap_err();
    assert!(e.starts_with("3:8:"), "{e}");
}

#[test]
fn failures_are_shown_in_plain_words() {
    let mut app = app_with(WIDE, 30);
    let cmds = press(&mut app, "Enter");
    let Cmd::FetchStructure { req, .. } = cmds[0] else {
        panic!("{cmds:?}")
    };
    app.on_event(Event::Failed {
        req: Some(req),
        error: tern::error::Error::Server {
            command: "UID FETCH".into(),
            text: "[SERVERBUG] Internal error".into(),
        },
    });
    let t = draw(&mut app, WIDE);
    let screen = t.backend().to_string();
    assert!(screen.contains("Could not open message 30"), "{screen}");
    assert!(screen.contains("server said"), "{screen}");
}

#[test]
fn v_switches_to_the_html_alternative_and_fetches_it() {
    let mut app = app_with(WIDE, 30);
    let alt = format!(r#"({PLAIN}{HTML} "ALTERNATIVE")"#);
    open_message(&mut app, part(&alt), PLAIN_HEADER, &[("1", PLAIN_BODY)]);
    let cmds = press(&mut app, "v");
    let (req, section) = match &cmds[..] {
        [Cmd::FetchPart { req, section, .. }] => (*req, section.clone()),
        other => panic!("{other:?}"),
    };
    assert_eq!(section.to_string(), "2");
    app.on_event(Event::PartData {
        req,
        folder: Folder::named("INBOX"),
        uid: 30,
        section,
        bytes: HTML_BODY.to_vec(),
    });
    let screen = draw(&mut app, WIDE).backend().to_string();
    assert!(
        screen.contains("HTML ·") && screen.contains("Spring newsletter"),
        "{screen}"
    );
    assert!(
        press(&mut app, "v").is_empty(),
        "the plain part is already here"
    );
    let screen = draw(&mut app, WIDE).backend().to_string();
    assert!(screen.contains("plain text ·"), "{screen}");
}
