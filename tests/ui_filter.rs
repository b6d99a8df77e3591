//! The local filter (`F`) without a network: an App fed hand-made summaries, keys typed into
//! the filter line, and the list, the selection and the screen checked after each step.

mod support;

use support::ui::{
    BASE_DATE, WIDE, arrived, draw, folder, listed, load, new_app, press, selected, summaries,
    type_text,
};
use tern::msg::{Event, Flag, Flags, Folder, FolderInfo, SpecialUse, Summary, Uid};
use tern::ui::app::App;

fn inbox_info() -> FolderInfo {
    folder("INBOX", Some(SpecialUse::Inbox), Some((0, 8)))
}

/// One message a day before BASE_DATE, 8 the newest.
const MAIL: &[(Uid, &str, &str)] = &[
    (1, "Jörg Müller <joerg@example.de>", "Grüße aus Köln"),
    (2, "王小明 <wang@example.cn>", "测试邮件编码"),
    (3, "Alice <alice@example.com>", "Quarterly REPORT"),
    (4, "Bob <bob@example.com>", "lunch?"),
    (5, "Renée Dupont <renee@example.fr>", "Café demain ?"),
    (6, "李雷 <li@example.cn>", "关于邮件服务器的问题"),
    (7, "Alice <alice@example.com>", "Report draft, second pass"),
    (8, "Carol <carol@example.com>", "Weekend plans"),
];

fn summary(uid: Uid, from: &str, subject: &str) -> Summary {
    Summary {
        date: BASE_DATE + (i64::from(uid) - 8) * 86_400,
        size: 4096,
        to: "team@example.org".into(),
        ..support::ui::summary(uid, from, subject, Flags::from(Flag::Seen))
    }
}

/// INBOX with the eight messages above, newest (8) first and selected, fully synced.
fn inbox() -> App {
    let mut app = new_app("INBOX");
    let chunk = MAIL.iter().map(|(u, f, s)| summary(*u, f, s)).collect();
    load(&mut app, vec![inbox_info()], "INBOX", chunk);
    app
}

fn status_line(app: &mut App) -> String {
    let t = draw(app, WIDE);
    let buf = t.backend().buffer();
    let y = buf.area.height - 1;
    (0..buf.area.width)
        .map(|x| buf[(x, y)].symbol().to_string())
        .collect()
}

#[test]
fn typing_narrows_at_once_and_sends_nothing() {
    let mut app = inbox();
    assert!(press(&mut app, "F").is_empty());
    assert_eq!(listed(&app).len(), 8, "an empty filter shows everything");
    assert!(type_text(&mut app, "al").is_empty(), "no server round trip");
    assert_eq!(listed(&app), [7, 3]);
    type_text(&mut app, "ice rep");
    assert_eq!(listed(&app), [7, 3], "every word must match");
    type_text(&mut app, "ort dr");
    assert_eq!(listed(&app), [7]);
    press(&mut app, "Backspace Backspace Backspace");
    assert_eq!(listed(&app), [7, 3], "deleting widens again");
    assert!(status_line(&mut app).contains("filter: 2 of 8"));
}

#[test]
fn accents_case_and_cjk_are_ignored_or_matched() {
    let mut app = inbox();
    press(&mut app, "F");
    type_text(&mut app, "MULLER");
    assert_eq!(listed(&app), [1]);
    press(&mut app, "C-u");
    type_text(&mut app, "cafe");
    assert_eq!(listed(&app), [5]);
    press(&mut app, "C-u");
    type_text(&mut app, "邮件");
    assert_eq!(listed(&app), [6, 2]);
}

#[test]
fn selection_stays_on_its_message_while_visible_and_esc_restores() {
    let mut app = inbox();
    press(&mut app, "j j j j");
    assert_eq!(app.selected_uid(), Some(4));
    press(&mut app, "F");
    type_text(&mut app, "example.com");
    assert_eq!(listed(&app), [8, 7, 4, 3]);
    assert_eq!(app.selected_uid(), Some(4), "still visible: still selected");
    assert_eq!(app.selected(), 2);
    type_text(&mut app, " alice");
    assert_eq!(app.selected_uid(), Some(7), "filtered out: the first match");
    press(
        &mut app,
        "Backspace Backspace Backspace Backspace Backspace Backspace",
    );
    assert_eq!(app.selected_uid(), Some(4), "back in view: selected again");
    press(&mut app, "Esc");
    assert!(app.filter().active().is_none() && app.overlays().prompt().is_none());
    assert_eq!(listed(&app).len(), 8);
    assert_eq!((app.selected(), app.selected_uid()), (4, Some(4)));
}

#[test]
fn enter_keeps_the_filter_and_esc_in_the_list_clears_it() {
    let mut app = inbox();
    press(&mut app, "F");
    type_text(&mut app, "alice");
    press(&mut app, "Enter");
    assert!(app.overlays().prompt().is_none());
    assert_eq!(listed(&app), [7, 3]);
    press(&mut app, "j");
    assert_eq!(
        app.selected_uid(),
        Some(3),
        "moving stays among the matches"
    );
    let status = status_line(&mut app);
    assert!(status.contains("filter: 2 of 8 (alice)"), "{status}");
    // F again edits the same filter.
    press(&mut app, "F");
    assert_eq!(
        app.overlays().prompt().map(|p| p.text.as_str()),
        Some("alice")
    );
    press(&mut app, "Enter");
    press(&mut app, "Esc");
    assert!(app.filter().active().is_none());
    assert_eq!(
        app.selected_uid(),
        Some(3),
        "Esc after Enter keeps the cursor"
    );
    assert!(!app.should_quit(), "the first Esc only clears the filter");
}

#[test]
fn new_mail_that_matches_joins_the_filtered_list() {
    let mut app = inbox();
    press(&mut app, "F");
    type_text(&mut app, "alice");
    press(&mut app, "Enter");
    app.on_event(arrived("INBOX", vec![9]));
    app.on_event(summaries(
        "INBOX",
        vec![summary(9, "Alice <alice@example.com>", "One more thing")],
    ));
    assert_eq!(listed(&app), [9, 7, 3]);
    assert_eq!(
        app.selected_uid(),
        Some(7),
        "the cursor stays on its message"
    );
    app.on_event(Event::Expunged {
        req: None,
        folder: Folder::named("INBOX"),
        uids: vec![7],
    });
    assert_eq!(listed(&app), [9, 3]);
}

#[test]
fn a_filter_open_during_a_sync_follows_every_chunk() {
    let mut app = new_app("INBOX");
    app.on_event(Event::Folders(vec![inbox_info()]));
    app.on_event(selected("INBOX", (1..=8).rev().collect()));
    let chunk = |uids: &[Uid]| {
        let chunk = MAIL
            .iter()
            .filter(|(u, ..)| uids.contains(u))
            .map(|(u, f, s)| summary(*u, f, s))
            .collect();
        summaries("INBOX", chunk)
    };
    app.on_event(chunk(&[8, 7, 6]));
    press(&mut app, "F");
    type_text(&mut app, "alice");
    assert_eq!(listed(&app), [7]);
    app.on_event(chunk(&[5, 4, 3]));
    assert_eq!(listed(&app), [7, 3], "no waiting for the end of the sync");
    app.on_event(chunk(&[2, 1]));
    app.on_event(Event::SyncDone {
        folder: Folder::named("INBOX"),
    });
    assert_eq!(listed(&app), [7, 3]);
}

#[test]
fn filter_line_with_a_cjk_query() {
    let mut app = inbox();
    press(&mut app, "F");
    type_text(&mut app, "邮件");
    let t = draw(&mut app, WIDE);
    insta::assert_snapshot!("filter_cjk_80x24", t.backend());
}

#[test]
fn filter_line_with_an_accented_query() {
    let mut app = inbox();
    press(&mut app, "F");
    type_text(&mut app, "GRÜSSE köln");
    assert!(listed(&app).is_empty(), "ß is not ss");
    press(&mut app, "C-u");
    type_text(&mut app, "grüße KOLN");
    let t = draw(&mut app, WIDE);
    insta::assert_snapshot!("filter_accented_80x24", t.backend());
}
