//! The connection on screen: a refused login asks for the password again (masked), or offers
//! an OAuth2 account a sign-in, and loads what it could not; panes say why they are empty; a
//! reconnect clears the old error; a cold open does not pass its first screen off as the
//! folder's size.

mod support;

use support::ui::{
    WIDE, draw, folder, new_app, notice, press, render, selected, summaries, summary, type_text,
};
use tern::msg::{Cmd, ConnState, Event, Flag, Folder, Secret, SessionInfo, SpecialUse};
use tern::send::worker::SendCmd;

fn refused() -> Event {
    Event::Conn(ConnState::Offline {
        reason: "the server refused the login: Authentication failed.".into(),
        retry_in: None,
    })
}

fn connected() -> Event {
    Event::Conn(ConnState::Connected(SessionInfo {
        greeting: "* OK ready".into(),
        tls: None,
        capabilities: vec!["IMAP4rev1".into()],
        auth: "LOGIN".into(),
    }))
}

#[test]
fn a_refused_login_asks_for_the_password_and_loads_what_it_could_not() {
    let mut app = new_app("INBOX");
    app.on_event(Event::Conn(ConnState::Connecting {
        host: "mail.example.org".into(),
        port: 993,
    }));
    assert!(render(&mut app, WIDE).contains("connecting to mail.example.org…"));
    app.on_event(refused());
    type_text(&mut app, "s3cret ");
    let t = draw(&mut app, WIDE);
    let screen = t.backend().to_string();
    assert!(
        !screen.contains("loading…") && !screen.contains("opening…"),
        "{screen}"
    );
    assert!(!screen.contains("s3cret"), "{screen}");
    insta::assert_snapshot!("login_refused_80x24", t.backend());
    // The space at the end is part of the password.
    let cmds = press(&mut app, "Enter");
    assert_eq!(cmds, vec![Cmd::Login(Secret("s3cret ".into()))]);
    assert_eq!(format!("{:?}", cmds[0]), "Login(Secret(…))");
    // The send thread gets it too: SMTP uses the account's password unless it has its own.
    assert_eq!(
        app.take_send(),
        vec![SendCmd::Password(Secret("s3cret ".into()))]
    );
    app.on_event(refused());
    press(&mut app, "Esc");
    assert!(app.overlays().prompt().is_none());
    // reconnect (C-r) offers the line again instead of retrying the refused password.
    assert!(press(&mut app, "C-r").is_empty());
    type_text(&mut app, "right");
    assert_eq!(
        press(&mut app, "Enter"),
        vec![Cmd::Login(Secret("right".into()))]
    );
    let cmds = app.on_event(connected());
    assert!(
        matches!(&cmds[..], [Cmd::Select { folder, .. }, Cmd::ListFolders] if folder.name() == "INBOX"),
        "{cmds:?}"
    );
    assert_eq!(notice(&app), "", "the refusal is old news once logged in");
    // A later reconnect is an ordinary one.
    assert_eq!(press(&mut app, "C-r"), vec![Cmd::Reconnect]);
}

#[test]
fn cached_rows_shown_before_a_refused_login_are_synced_once_logged_in() {
    let mut app = new_app("INBOX");
    // The worker shows the cached rows while it logs in; the login is then refused.
    app.on_event(selected("INBOX", vec![2, 1]));
    app.on_event(summaries(
        "INBOX",
        vec![
            summary(1, "Ann", "Cached one", Flag::Seen),
            summary(2, "Bob", "Cached two", Flag::Seen),
        ],
    ));
    app.on_event(refused());
    assert!(render(&mut app, WIDE).contains("Cached two"));
    type_text(&mut app, "right");
    press(&mut app, "Enter");
    let cmds = app.on_event(connected());
    assert!(
        matches!(&cmds[..], [Cmd::Select { folder, .. }, Cmd::ListFolders] if folder.name() == "INBOX"),
        "{cmds:?}"
    );
}

#[test]
fn a_refused_oauth2_account_is_offered_a_sign_in_and_reconnects_after_it() {
    let mut app = new_app("INBOX");
    app.set_oauth2(true);
    app.on_event(Event::Conn(ConnState::Offline {
        reason: "login failed: account \"demo\": tern has no sign-in for it yet; run `tern login --account demo`".into(),
        retry_in: None,
    }));
    assert!(app.overlays().prompt().is_none(), "no password line");
    let said = notice(&app);
    assert!(
        said.contains("run `tern login --account demo`, or press C-r to sign in here"),
        "{said}"
    );
    assert!(!app.take_sign_in(), "nothing starts before the user asks");
    // reconnect (C-r) asks the main loop for the browser sign-in, once.
    assert!(press(&mut app, "C-r").is_empty());
    assert!(app.take_sign_in());
    assert!(!app.take_sign_in());
    assert!(press(&mut app, "C-r").is_empty());
    assert!(!app.take_sign_in(), "one sign-in at a time");
    assert!(notice(&app).contains("under way"), "{}", notice(&app));
    app.sign_in_url("http://127.0.0.1:1/authorize?x");
    assert!(notice(&app).contains("http://127.0.0.1:1/authorize?x"));
    // A failed sign-in says why, and a new one can be asked for.
    let failed = Err(tern::error::Error::Auth(
        "the sign-in was not finished".into(),
    ));
    assert!(app.signed_in(failed).is_empty());
    assert!(notice(&app).contains("Not signed in"), "{}", notice(&app));
    press(&mut app, "C-r");
    assert!(app.take_sign_in());
    assert_eq!(app.signed_in(Ok(())), vec![Cmd::Reconnect]);
    let cmds = app.on_event(connected());
    assert!(cmds.contains(&Cmd::ListFolders), "{cmds:?}");
}

#[test]
fn reconnecting_clears_the_error_it_caused() {
    let mut app = new_app("INBOX");
    app.on_event(connected());
    app.on_event(Event::Conn(ConnState::Offline {
        reason: "connection reset by peer".into(),
        retry_in: Some(4),
    }));
    assert!(notice(&app).contains("connection reset"));
    assert!(app.overlays().prompt().is_none(), "no password asked");
    assert!(app.on_event(connected()).is_empty());
    assert_eq!(notice(&app), "");
    assert!(!render(&mut app, WIDE).contains("connection reset"));
}

#[test]
fn a_cold_open_says_syncing_until_the_folder_size_is_known() {
    let mut app = new_app("INBOX");
    app.on_event(connected());
    app.on_event(Event::Folders(vec![folder(
        "INBOX",
        Some(SpecialUse::Inbox),
        Some((0, 500)),
    )]));
    app.on_event(Event::Selected {
        folder: Folder::named("INBOX"),
        uid_validity: 7,
        read_only: false,
        complete: false,
        uids: vec![500, 499],
    });
    app.on_event(Event::Summaries {
        folder: Folder::named("INBOX"),
        uid_validity: 7,
        chunk: vec![
            summary(500, "a@example.org", "one", Flag::Seen),
            summary(499, "b@example.org", "two", Flag::Seen),
        ],
    });
    let screen = render(&mut app, WIDE);
    assert!(screen.contains("INBOX · syncing…"), "{screen}");
    assert!(!screen.contains("2/2"), "{screen}");
    app.on_event(Event::Listed {
        folder: Folder::named("INBOX"),
        uid_validity: 7,
        uids: (1..=500).rev().collect(),
    });
    assert!(render(&mut app, WIDE).contains("syncing 2/500"));
}
