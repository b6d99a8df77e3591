//! The message list's columns: dates in the user's zone, who a message is from (or, in
//! folders of one's own mail, to), subjects that are missing or measured wrong.

mod support;

use chrono::FixedOffset;

use support::ui::{BASE_DATE, NESTED, WIDE, draw, folder, load, part, render, settings, summary};
use tern::compose::Identities;
use tern::msg::{Event, Flag, Folder, HeaderFacts, SpecialUse, Summary};
use tern::ui::app::{App, Settings, Zone};
use tern::ui::composer::ComposeSettings;

/// An app whose dates are shown at UTC+9 and whose own address is bob@example.org.
fn app(size: (u16, u16)) -> App {
    let mut app = App::new(Settings {
        zone: Zone::Fixed(FixedOffset::east_opt(9 * 3600).unwrap()),
        ..settings("INBOX", size)
    })
    .0;
    app.set_compose(ComposeSettings {
        identities: Ok(Identities::parse("Bob <bob@example.org>", &[]).unwrap()),
        ..ComposeSettings::default()
    });
    app
}

fn folders() -> Vec<tern::msg::FolderInfo> {
    vec![
        folder("INBOX", Some(SpecialUse::Inbox), Some((0, 4))),
        folder("Sent", Some(SpecialUse::Sent), Some((0, 2))),
    ]
}

fn inbox() -> Vec<Summary> {
    let lam_alef = "\u{644}\u{627}".repeat(30);
    vec![
        // 2024-03-01 20:00 UTC: already the 2nd at UTC+9.
        Summary {
            date: BASE_DATE + 37_800,
            ..summary(30, "Carol White <carol@example.org>", "Lunch?", Flag::Seen)
        },
        // Mail of one's own in the Inbox (a Bcc to oneself) names the recipient.
        Summary {
            to: "Dan Green <dan@example.org>".into(),
            ..summary(29, "Bob <bob@example.org>", "Minutes", Flag::Seen)
        },
        summary(28, "noname@example.org", "", Flag::Seen),
        summary(27, "Layla <layla@example.org>", &lam_alef, Flag::Seen),
    ]
}

#[test]
fn list_columns_at_80_columns() {
    let mut app = app(WIDE);
    load(&mut app, folders(), "INBOX", inbox());
    let t = draw(&mut app, WIDE);
    let screen = t.backend().to_string();
    assert!(screen.contains("2024-03-02 Carol White"), "{screen}");
    assert!(screen.contains("To: Dan Green"), "{screen}");
    assert!(screen.contains("noname@example.… (no subject)"), "{screen}");
    // A subject of lam-alef pairs (one column each to unicode-width, two on a terminal)
    // leaves the size column where it is on every row.
    let rows: Vec<&str> = screen.lines().skip(1).take(4).collect();
    for row in &rows {
        assert!(row.ends_with("2.0K┃\""), "{row}");
    }
    insta::assert_snapshot!("list_columns_80x24", t.backend());
}

#[test]
fn wide_lists_show_the_address_and_the_time() {
    let size = (140, 10);
    let mut app = app(size);
    load(&mut app, folders(), "INBOX", inbox());
    let screen = draw(&mut app, size).backend().to_string();
    assert!(
        screen.contains("2024-03-02 05:00 Carol White <carol@example.org>"),
        "{screen}"
    );
}

#[test]
fn sent_lists_the_recipients() {
    let mut app = app(WIDE);
    let sent = vec![
        Summary {
            to: "Carol White <carol@example.org>".into(),
            ..summary(2, "Bob <bob@example.org>", "Re: Lunch?", Flag::Seen)
        },
        // Sent from an address tern does not know as the user's: still the recipient here.
        Summary {
            to: "erin@example.org".into(),
            ..summary(1, "Robert <robert@elsewhere.example>", "Hi", Flag::Seen)
        },
    ];
    load(&mut app, folders(), "Sent", sent);
    let screen = draw(&mut app, WIDE).backend().to_string();
    assert!(screen.contains("To: Carol White"), "{screen}");
    assert!(screen.contains("To: erin@exampl…"), "{screen}");
}

/// The row showing `subject`, as drawn.
fn row_of(app: &mut App, subject: &str) -> String {
    let screen = draw(app, WIDE).backend().to_string();
    let row = screen.lines().find(|l| l.contains(subject));
    row.unwrap_or_else(|| panic!("no {subject} in\n{screen}"))
        .to_string()
}

#[test]
fn the_marker_and_the_date_come_from_the_summary_before_opening() {
    let mut app = app(WIDE);
    let facts = |attachment| {
        // Sent on 2020-01-02 10:00 UTC, restored into the folder much later.
        HeaderFacts::new(Some((1_577_959_200, 0)), None, None, [], attachment)
    };
    let rows = vec![
        Summary {
            header: facts(true),
            ..summary(
                30,
                "Carol <carol@example.org>",
                "Report attached",
                Flag::Seen,
            )
        },
        Summary {
            header: facts(false),
            ..summary(29, "Dan", "Just text", Flag::Seen)
        },
    ];
    load(&mut app, folders(), "INBOX", rows);
    let attached = row_of(&mut app, "Report attached");
    assert!(attached.contains("@ 2020-01-02"), "{attached}");
    assert!(!row_of(&mut app, "Just text").contains('@'));

    // Opened, the structure decides: the first has no attachment after all, the second has.
    let structure = |uid, root| Event::Structure {
        req: 0,
        folder: Folder::named("INBOX"),
        uid,
        root: Box::new(root),
        header: Vec::new(),
        labels: Vec::new(),
    };
    let text =
        part(r#"("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "8BIT" 300 10 NIL NIL NIL NIL)"#);
    app.on_event(structure(30, text));
    app.on_event(structure(29, part(NESTED)));
    assert!(!row_of(&mut app, "Report attached").contains('@'));
    assert!(row_of(&mut app, "Just text").contains('@'));
}

/// End during a cold sync (issue 17 item 3): before the folder's UIDs are listed it waits for
/// them, then goes to the oldest message; the rows on screen still loading are asked for,
/// and their summaries show where End put the cursor.
#[test]
fn end_during_a_cold_sync_goes_to_the_oldest_and_asks_for_it() {
    use tern::msg::{Cmd, Flags, Uid};
    let mut app = support::ui::new_app("INBOX");
    let row = |u: Uid| summary(u, "a@example.org", &format!("number {u}"), Flags::NONE);
    let first: Vec<Uid> = (961..=1000).rev().collect();
    app.on_event(Event::Selected {
        folder: Folder::named("INBOX"),
        uid_validity: 7,
        read_only: false,
        complete: false,
        uids: first.clone(),
    });
    app.on_event(support::ui::summaries(
        "INBOX",
        first.iter().map(|&u| row(u)).collect(),
    ));
    draw(&mut app, WIDE);
    assert!(app.fetch_visible().is_none(), "the first screen is loaded");
    support::ui::press(&mut app, "End");
    app.on_event(Event::Listed {
        folder: Folder::named("INBOX"),
        uid_validity: 7,
        uids: (1..=1000).rev().collect(),
    });
    assert_eq!(
        support::ui::listed(&app).last(),
        Some(&1),
        "the oldest UID is last"
    );
    // Rows of the list (not the folder pane, which waits for the folder list) still loading.
    let loading = |screen: &str| {
        screen
            .lines()
            .filter(|l| {
                l.split_once('┃')
                    .is_some_and(|(_, list)| list.contains("loading…"))
            })
            .count()
    };
    let screen = render(&mut app, WIDE);
    assert!(loading(&screen) > 10, "{screen}");
    let asked = match app.fetch_visible() {
        Some(Cmd::FetchVisible { folder, uids }) => {
            assert_eq!(folder, Folder::named("INBOX"));
            uids
        }
        other => panic!("{other:?}"),
    };
    assert!(
        asked.contains(&1) && asked.iter().all(|&u| u < 961),
        "{asked:?}"
    );
    assert!(app.fetch_visible().is_none(), "asked once");
    app.on_event(support::ui::summaries(
        "INBOX",
        asked.iter().map(|&u| row(u)).collect(),
    ));
    let screen = render(&mut app, WIDE);
    assert!(screen.contains("number 1 "), "{screen}");
    assert_eq!(loading(&screen), 0, "{screen}");
}

/// End at launch (issue 17 items 1 and 3): before the folder's UIDs are listed, End asks for
/// the oldest screenful by sequence number (once); its rows show as they come, with the
/// cursor on the oldest, which stays there when the whole list comes; none of those rows is
/// asked for again.
#[test]
fn end_before_the_list_asks_for_the_oldest_screenful_and_shows_it() {
    use tern::msg::{Cmd, Flags, Uid};
    let mut app = support::ui::new_app("INBOX");
    let row = |u: Uid| summary(u, "a@example.org", &format!("number {u}"), Flags::NONE);
    let first: Vec<Uid> = (961..=1000).rev().collect();
    app.on_event(Event::Selected {
        folder: Folder::named("INBOX"),
        uid_validity: 7,
        read_only: false,
        complete: false,
        uids: first.clone(),
    });
    app.on_event(support::ui::summaries(
        "INBOX",
        first.iter().map(|&u| row(u)).collect(),
    ));
    draw(&mut app, WIDE);
    let count = match support::ui::press(&mut app, "End").as_slice() {
        [Cmd::FetchOldest { folder, count }] => {
            assert_eq!(*folder, Folder::named("INBOX"));
            *count
        }
        other => panic!("{other:?}"),
    };
    assert!(count >= 20, "a screenful: {count}");
    assert!(
        support::ui::press(&mut app, "End").is_empty(),
        "asked for once"
    );
    // A big folder's first screen comes again first, with its sizes: End still waits.
    app.on_event(support::ui::summaries(
        "INBOX",
        first.iter().map(|&u| row(u)).collect(),
    ));
    draw(&mut app, WIDE);
    // The worker's answer: messages 1..=count by sequence number, the lowest UIDs.
    app.on_event(support::ui::summaries(
        "INBOX",
        (1..=count).rev().map(row).collect(),
    ));
    let screen = render(&mut app, WIDE);
    assert!(screen.contains("number 1 "), "{screen}");
    assert_eq!(app.selected_uid(), Some(1));
    assert!(
        app.fetch_visible().is_none(),
        "the rows on screen are loaded"
    );
    app.on_event(Event::Listed {
        folder: Folder::named("INBOX"),
        uid_validity: 7,
        uids: (1..=1000).rev().collect(),
    });
    assert_eq!(support::ui::listed(&app).last(), Some(&1));
    assert_eq!(app.selected_uid(), Some(1), "End stays on the oldest");
    let screen = render(&mut app, WIDE);
    assert!(screen.contains("number 1 "), "{screen}");
    assert!(
        app.fetch_visible().is_none(),
        "nothing on screen is fetched again"
    );
}
