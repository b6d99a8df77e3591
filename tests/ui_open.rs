//! `o` on a part: mailcap first (its output shown in the reader, or a viewer that takes the
//! terminal), the desktop's opener with a display, the pager for text over SSH, and for
//! anything else a word on how to save it.

mod support;

use support::ui::{WIDE, draw, folder, load, part, press, settings, summary};
use tern::mailcap;
use tern::msg::{Cmd, Event, Flag, Folder, SpecialUse};
use tern::ui::app::{App, Settings};
use tern::ui::opener::Viewers;

const MIXED: &str = r#"(("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 6 1 NIL NIL NIL NIL)("APPLICATION" "PDF" ("NAME" "report.pdf") NIL NIL "BASE64" 8 NIL ("attachment" ("FILENAME" "report.pdf")) NIL NIL)("TEXT" "CSV" ("NAME" "t.csv") NIL NIL "7BIT" 4 1 NIL ("attachment" ("FILENAME" "t.csv")) NIL NIL) "MIXED" ("BOUNDARY" "b") NIL NIL NIL)"#;

/// An app with `viewers`, the message open and the part list showing, its cursor on part 2.
fn app(viewers: Viewers) -> App {
    let mut app = App::new(Settings {
        viewers,
        ..settings("INBOX", WIDE)
    })
    .0;
    load(
        &mut app,
        vec![folder("INBOX", Some(SpecialUse::Inbox), Some((0, 1)))],
        "INBOX",
        vec![summary(5, "Ann <ann@example.org>", "Report", Flag::Seen)],
    );
    let cmds = press(&mut app, "Enter");
    let Some(Cmd::FetchStructure { req, .. }) = cmds.first() else {
        panic!("{cmds:?}")
    };
    let cmds = app.on_event(Event::Structure {
        req: *req,
        folder: Folder::named("INBOX"),
        uid: 5,
        root: Box::new(part(MIXED)),
        header: b"Subject: Report\r\n\r\n".to_vec(),
        labels: Vec::new(),
    });
    for cmd in cmds {
        if let Cmd::FetchPart { req, section, .. } = cmd {
            app.on_event(Event::PartData {
                req,
                folder: Folder::named("INBOX"),
                uid: 5,
                section,
                bytes: b"hello\r\n".to_vec(),
            });
        }
    }
    press(&mut app, "p");
    app
}

/// Presses `o` on the part under the cursor, answers its fetch and runs the open job as the
/// main loop's thread would.
fn open_part(app: &mut App, body: &[u8]) {
    let cmds = press(app, "o");
    let Some(Cmd::FetchPart { req, section, .. }) = cmds.into_iter().next() else {
        panic!("no fetch")
    };
    app.on_event(Event::PartData {
        req,
        folder: Folder::named("INBOX"),
        uid: 5,
        section,
        bytes: body.to_vec(),
    });
    let job = app.take_open_job().expect("a part to open");
    assert!(app.take_open_job().is_none());
    app.on_opened(job.run());
}

fn notice(app: &App) -> String {
    app.notice().map(|n| n.text.clone()).unwrap_or_default()
}

#[test]
fn copiousoutput_is_shown_in_the_reader() {
    let rules = "application/pdf; echo converted %t && cat %s; copiousoutput\n";
    let mut app = app(Viewers {
        mailcap: mailcap::parse(rules),
        display: false,
        pager: "less".into(),
    });
    assert_eq!(app.parts_pane().cursor(), 2, "on the attachment, part 2");
    open_part(&mut app, b"UERGIGJ5dGVz"); // "PDF bytes"
    let screen = draw(&mut app, WIDE).backend().to_string();
    assert!(screen.contains("converted application/pdf"), "{screen}");
    assert!(screen.contains("PDF bytes"), "{screen}");
    press(&mut app, "Esc");
    let screen = draw(&mut app, WIDE).backend().to_string();
    assert!(
        !screen.contains("converted"),
        "Esc goes back to the message: {screen}"
    );
    assert!(app.reader().is_some());
}

#[test]
fn needsterminal_and_the_pager_wait_for_the_main_loop() {
    let rules = "application/pdf; zathura %s; needsterminal\n";
    let mut app = app(Viewers {
        mailcap: mailcap::parse(rules),
        display: false,
        pager: "most".into(),
    });
    open_part(&mut app, b"UERG");
    let run = app.take_viewer().expect("a terminal viewer");
    assert!(run.command.starts_with("zathura '"), "{}", run.command);
    assert!(app.take_viewer().is_none());
    // No rule for text/csv and no display: the pager.
    press(&mut app, "j");
    open_part(&mut app, b"a,b\r\n");
    let run = app.take_viewer().expect("the pager");
    assert!(run.command.starts_with("most '"), "{}", run.command);
}

#[test]
fn without_a_display_or_a_rule_it_says_how_to_save() {
    let mut app = app(Viewers {
        mailcap: Vec::new(),
        display: false,
        pager: "less".into(),
    });
    open_part(&mut app, b"UERG");
    assert!(app.take_viewer().is_none());
    let said = notice(&app);
    assert!(
        said.contains("no viewer for application/pdf without a display"),
        "{said}"
    );
    assert!(said.contains(":save 2 PATH"), "{said}");
}
