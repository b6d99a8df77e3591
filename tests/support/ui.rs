//! Driving the TUI without a network or a terminal: an App built with default keys and theme,
//! fed hand-made worker events, given key strings and drawn into ratatui's TestBackend.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use imap_proto::types::{AttributeValue, Response};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use tern::config::keys::KeyChord;
use tern::config::theme::Theme;
use tern::mime::{Part, from_bodystructure};
use tern::msg::{
    Cmd, Event, Flags, Folder, FolderInfo, FolderStatus, HeaderFacts, SpecialUse, Summary, Uid,
};
use tern::ui::app::{App, Settings, Zone};
use tern::ui::keymap::Keymap;
use tern::ui::opener::Viewers;
use tern::ui::views;

pub const WIDE: (u16, u16) = (80, 24);

/// 2024-03-01 09:30 UTC: the dates are fixed so snapshots do not depend on the clock.
pub const BASE_DATE: i64 = 1_709_285_400;

/// Default keys and theme, `default_folder` opened at start, and a launcher that opens nothing.
pub fn settings(default_folder: &str, size: (u16, u16)) -> Settings {
    Settings {
        account: "demo".into(),
        default_folder: default_folder.into(),
        download_dir: std::env::temp_dir(),
        keymap: Keymap::default(),
        theme: Theme::default(),
        size,
        launcher: Box::new(|_| Ok(())),
        confirm_quit: true,
        zone: Zone::Fixed(chrono::FixedOffset::east_opt(0).unwrap()),
        // A desktop without mailcap rules: parts go to the launcher.
        viewers: Viewers {
            display: true,
            ..Viewers::default()
        },
    }
}

pub fn new_app(default_folder: &str) -> App {
    App::new(settings(default_folder, WIDE)).0
}

/// A selectable, subscribed folder; `status` is (unseen, messages).
pub fn folder(name: &str, special: Option<SpecialUse>, status: Option<(u32, u32)>) -> FolderInfo {
    FolderInfo {
        folder: Folder::from_server(tern::utf7::encode(name), Some('/')),
        attributes: Vec::new(),
        special,
        selectable: true,
        subscribed: true,
        status: status.map(|(unseen, messages)| FolderStatus {
            messages,
            unseen,
            uid_next: messages + 1,
            uid_validity: 7,
        }),
    }
}

/// A message to bob dated one day before BASE_DATE per UID below 30; tests wanting other
/// dates or sizes override those fields (the sum is signed so any UID is safe to pass).
pub fn summary(uid: Uid, from: &str, subject: &str, flags: impl Into<Flags>) -> Summary {
    Summary {
        uid,
        flags: flags.into(),
        date: BASE_DATE + (i64::from(uid) - 30) * 86_400,
        date_offset: 0,
        size: 2048,
        from: from.into(),
        to: "bob@example.org".into(),
        subject: subject.into(),
        header: Default::default(),
    }
}

/// `s` as a message with Message-ID `id` replying to the last of `references` (oldest first).
pub fn in_thread(s: Summary, id: &str, references: &[&str]) -> Summary {
    let parent = references.last().copied();
    Summary {
        header: HeaderFacts::new(None, Some(id), parent, references.iter().copied(), false),
        ..s
    }
}

/// `folder` selected with UID validity 7.
pub fn selected(folder: &str, uids: Vec<Uid>) -> Event {
    Event::Selected {
        folder: Folder::named(folder),
        uid_validity: 7,
        read_only: false,
        complete: true,
        uids,
    }
}

pub fn summaries(folder: &str, chunk: Vec<Summary>) -> Event {
    Event::Summaries {
        folder: Folder::named(folder),
        uid_validity: 7,
        chunk,
    }
}

/// New mail in `folder`, UID validity 7.
pub fn arrived(folder: &str, uids: Vec<Uid>) -> Event {
    Event::Arrived {
        folder: Folder::named(folder),
        uid_validity: 7,
        uids,
    }
}

/// The worker's answer to starting up: the folder list, then `folder` holding exactly `chunk`,
/// fully synced.
pub fn load(app: &mut App, folders: Vec<FolderInfo>, folder: &str, chunk: Vec<Summary>) {
    // The worker sends the UIDs newest first, whatever order the summaries come in.
    let mut uids: Vec<Uid> = chunk.iter().map(|s| s.uid).collect();
    uids.sort_unstable_by(|a, b| b.cmp(a));
    app.on_event(Event::Folders(folders));
    app.on_event(selected(folder, uids));
    app.on_event(summaries(folder, chunk));
    app.on_event(Event::SyncDone {
        folder: Folder::named(folder),
    });
}

/// Presses space-separated keys, written as in the keymap ("j", "Enter", "C-c", "Space"). A
/// job a key starts (a thread build, a sort) is run before the next key, as the main loop's
/// helper thread would.
pub fn press(app: &mut App, keys: &str) -> Vec<Cmd> {
    keys.split(' ')
        .filter(|k| !k.is_empty())
        .flat_map(|k| {
            let chord: KeyChord = k.parse().unwrap();
            let mut cmds = app.on_key(KeyEvent::new(chord.code, chord.mods));
            // The main loop copies a job a slice per frame.
            while app.copying() {
                for job in app.take_jobs() {
                    cmds.extend(app.job_done(job.run()));
                }
            }
            cmds
        })
        .collect()
}

/// Types text into whatever line or picker is open (spaces included, unlike `press`).
pub fn type_text(app: &mut App, text: &str) -> Vec<Cmd> {
    text.chars()
        .flat_map(|c| app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)))
        .collect()
}

/// Draws one frame; `prepare` first, as the real loop does, so geometry and scroll are current.
pub fn draw(app: &mut App, (w, h): (u16, u16)) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        app.prepare(f.area());
        views::draw(f, app);
    })
    .unwrap();
    t
}

/// The frame as text, for `contains` checks.
pub fn render(app: &mut App, size: (u16, u16)) -> String {
    draw(app, size).backend().to_string()
}

/// The UIDs in the list, top to bottom.
pub fn listed(app: &App) -> Vec<Uid> {
    app.rows().to_vec()
}

pub fn notice(app: &App) -> String {
    app.notice().map(|n| n.text.clone()).unwrap_or_default()
}

/// The RFC 3501 section 6.4.5 example, with parts 1 … 4.2.2.2 (the unit tests read the same
/// file).
pub const NESTED: &str = include_str!("../fixtures/rfc3501.bodystructure").trim_ascii_end();

/// Parses a BODYSTRUCTURE the way the worker does, through a whole FETCH line.
pub fn part(bodystructure: &str) -> Part {
    let line = format!("* 1 FETCH (BODYSTRUCTURE {bodystructure})\r\n");
    match imap_proto::parser::parse_response(line.as_bytes()) {
        Ok((_, Response::Fetch(_, attrs))) => attrs
            .iter()
            .find_map(|a| match a {
                AttributeValue::BodyStructure(b) => Some(from_bodystructure(b)),
                _ => None,
            })
            .expect("a BODYSTRUCTURE in the fetch"),
        other => panic!("unparseable BODYSTRUCTURE: {other:?}"),
    }
}

/// An account added after the first, writing mail as `from`, INBOX opened first.
pub fn profile(name: &str, from: &str) -> tern::ui::accounts::Profile {
    tern::ui::accounts::Profile {
        name: name.into(),
        default_folder: "INBOX".into(),
        policy: Default::default(),
        compose: tern::ui::composer::ComposeSettings {
            identities: Ok(tern::compose::Identities::parse(from, &[]).unwrap()),
            drafts_dir: None,
            address_book: None,
        },
        oauth2: false,
    }
}

/// A connection as the worker reports it after logging in.
pub fn connected() -> Event {
    Event::Conn(tern::msg::ConnState::Connected(tern::msg::SessionInfo {
        greeting: "* OK ready".into(),
        tls: None,
        capabilities: vec!["IMAP4rev1".into()],
        auth: "LOGIN".into(),
    }))
}
