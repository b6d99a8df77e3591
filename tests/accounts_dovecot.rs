//! Moving mail between two accounts on two private Dovecot servers: the message arrives with
//! its flags and INTERNALDATE, leaves the source only once the destination has it, and a
//! destination that refuses the APPEND leaves the source as it was; through the CLI, and
//! through the TUI's App driven with a real worker per account.

mod support;

use support::accounts::Session;
use support::dovecot::Seeding;
use support::ui::notice;
use support::{Env, tern_with};
use tern::msg::Event;
use tern::ui::accounts::AccountId;

/// Flags (but \Recent, which whoever looks first takes) and INTERNALDATE of `uid` in
/// `folder`, straight from the server; None when it is gone.
fn facts(env: &Env, folder: &str, uid: u32) -> Option<(Vec<String>, String)> {
    let mut s = env.server.session("alice").unwrap();
    s.select(folder).unwrap();
    let fetched = s
        .uid_fetch(uid.to_string(), "(UID FLAGS INTERNALDATE)")
        .unwrap();
    let f = fetched.iter().find(|f| f.uid == Some(uid))?;
    let flags = f
        .flags()
        .iter()
        .map(|f| f.to_string())
        .filter(|f| f != "\\Recent")
        .collect();
    Some((flags, f.internal_date().unwrap().to_rfc3339()))
}

/// The new UID tern printed for the one message moved.
fn new_uid(stdout: &str, old: u32) -> u32 {
    let line = stdout.lines().next().unwrap_or_default();
    let (was, now) = line.split_once('\t').unwrap_or_else(|| panic!("{stdout}"));
    assert_eq!(was, old.to_string());
    now.parse()
        .unwrap_or_else(|_| panic!("no new UID in {stdout:?}"))
}

#[test]
fn cli_moves_across_accounts_and_back_keeping_flags_and_date() {
    let (home, work) = (Env::start(), Env::start());
    let config = home.config_with(&work);
    let tern = |args: &[&str]| tern_with(&config, "wonderland", args);
    let uid = home.uid("INBOX", "plain.eml");
    let before = facts(&home, "INBOX", uid).unwrap();
    assert!(before.0.contains(&"\\Seen".to_string()), "{before:?}");

    let moved = tern(&[
        "--account",
        "home",
        "move",
        "INBOX",
        &uid.to_string(),
        "Work/Projects",
        "--to-account",
        "work",
    ])
    .ok();
    let there = new_uid(&moved.stdout, uid);
    assert_eq!(facts(&work, "Work/Projects", there), Some(before.clone()));
    assert_eq!(facts(&home, "INBOX", uid), None, "the original is gone");

    // Undo is the same move back.
    let back = tern(&[
        "--account",
        "work",
        "move",
        "Work/Projects",
        &there.to_string(),
        "INBOX",
        "--to-account",
        "home",
    ])
    .ok();
    let back = new_uid(&back.stdout, there);
    assert_eq!(facts(&home, "INBOX", back), Some(before));
    assert_eq!(facts(&work, "Work/Projects", there), None);
}

#[test]
fn a_refused_append_leaves_the_source_untouched() {
    let (home, work) = (Env::start(), Env::start());
    let config = home.config_with(&work);
    let uid = home.uid("INBOX", "nested.eml");
    let before = facts(&home, "INBOX", uid).unwrap();
    let run = tern_with(
        &config,
        "wonderland",
        &[
            "--account",
            "home",
            "move",
            "INBOX",
            &uid.to_string(),
            "No such folder",
            "--to-account",
            "work",
        ],
    );
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains("still in INBOX"), "{}", run.stderr);
    assert_eq!(run.stdout, "", "nothing was moved");
    assert_eq!(facts(&home, "INBOX", uid), Some(before));
}

#[test]
fn an_unknown_destination_account_is_refused_before_connecting() {
    let home = Env::start();
    let config = home.config("");
    let run = tern_with(
        &config,
        "wonderland",
        &["move", "INBOX", "1", "INBOX", "--to-account", "nobody"],
    );
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("nobody"), "{}", run.stderr);
}

/// The two accounts of `home.config_with(work)`, without a cache (it would be the user's).
fn accounts(home: &Env, work: &Env) -> Vec<tern::config::Account> {
    let text = std::fs::read_to_string(home.config_with(work)).unwrap();
    let mut accounts = tern::config::parse(&text).unwrap().accounts;
    accounts.iter_mut().for_each(|a| a.cache = false);
    accounts
}

/// A session with home's INBOX open and listed, and work's folders known.
fn session(home: &Env, work: &Env) -> Session {
    let mut s = Session::start(accounts(home, work));
    let (mut synced, mut listed) = (false, false);
    s.run_until("both accounts ready", |account, ev| {
        synced |= account == AccountId(0) && matches!(ev, Event::SyncDone { .. });
        listed |= account == WORK && matches!(ev, Event::Folders(_));
        synced && listed
    });
    s
}

/// Puts the list cursor on `uid` and moves it with the picker to `dest` (as typed).
fn move_with_picker(s: &mut Session, uid: u32, dest: &str) {
    with_picker(s, uid, "m", dest);
}

/// Puts the list cursor on `uid` and sends it with `key` (m or c) and the picker to `dest`.
fn with_picker(s: &mut Session, uid: u32, key: &str, dest: &str) {
    let row = s.app.rows().iter().position(|u| *u == uid).unwrap();
    s.press("g");
    s.press(&"j ".repeat(row));
    assert_eq!(s.app.selected_uid(), Some(uid));
    s.press(key);
    s.type_text(dest);
    s.press("Enter");
}

/// The UIDs in `folder` on the server.
fn uids(env: &Env, folder: &str) -> Vec<u32> {
    let mut s = env.server.session("alice").unwrap();
    s.select(folder).unwrap();
    let mut all: Vec<u32> = s.uid_search("ALL").unwrap().into_iter().collect();
    all.sort_unstable();
    all
}

const WORK: AccountId = AccountId(1);

#[test]
fn tui_moves_across_accounts_with_real_workers_and_undoes_it() {
    let (home, work) = (Env::start(), Env::start());
    let uid = home.uid("INBOX", "plain.eml");
    let before = facts(&home, "INBOX", uid).unwrap();
    let mut s = session(&home, &work);
    move_with_picker(&mut s, uid, "work: work/proj");
    s.run_until("the original expunged", |account, ev| {
        account == AccountId(0) && matches!(ev, Event::Expunged { .. })
    });
    assert_eq!(
        notice(&s.app),
        "Moved message {uid} to work: Work/Projects".replace("{uid}", &uid.to_string())
    );
    assert_eq!(facts(&home, "INBOX", uid), None);
    let mut there = work.server.session("alice").unwrap();
    there.select("Work/Projects").unwrap();
    let new = *there.uid_search("ALL").unwrap().iter().max().unwrap();
    assert_eq!(facts(&work, "Work/Projects", new), Some(before.clone()));

    s.press("u");
    s.run_until("the copy expunged from work", |account, ev| {
        account == WORK && matches!(ev, Event::Expunged { .. })
    });
    assert_eq!(facts(&work, "Work/Projects", new), None);
    let mut back = home.server.session("alice").unwrap();
    back.select("INBOX").unwrap();
    let returned = *back.uid_search("ALL").unwrap().iter().max().unwrap();
    assert!(returned > uid, "it came back as a new message");
    assert_eq!(facts(&home, "INBOX", returned), Some(before));
}

#[test]
fn tui_keeps_the_message_when_the_destination_refuses_the_append() {
    let (home, work) = (Env::start(), Env::start());
    let uid = home.uid("INBOX", "nested.eml");
    let before = facts(&home, "INBOX", uid).unwrap();
    let mut s = session(&home, &work);
    // Gone from work's server after the app listed it: the APPEND there is refused.
    work.server
        .session("alice")
        .unwrap()
        .delete("Work/Projects")
        .unwrap();
    move_with_picker(&mut s, uid, "work: work/proj");
    // A refusal, not a broken link: the worker neither reconnects nor tries again.
    let mut reconnected = false;
    s.run_until("the refusal", |account, ev| {
        reconnected |= account == WORK && matches!(ev, Event::Conn(_) | Event::Queued { .. });
        account == WORK && matches!(ev, Event::Failed { .. })
    });
    assert!(!reconnected);
    assert!(
        notice(&s.app).contains("refused to store the message in Work/Projects")
            && notice(&s.app).contains("still in INBOX"),
        "{}",
        notice(&s.app)
    );
    assert_eq!(facts(&home, "INBOX", uid), Some(before));
    assert!(s.app.rows().contains(&uid));
}

#[test]
fn tui_undoes_copies_in_the_account_and_across_removing_only_the_copies() {
    let (home, work) = (Env::start(), Env::start());
    let uid = home.uid("INBOX", "plain.eml");
    // A message already marked \Deleted in the destination: undoing a copy must not take it.
    home.server
        .append(
            "alice",
            "Work/Projects",
            b"Subject: keep me\r\n\r\nhi\r\n",
            &["\\Deleted"],
            None,
        )
        .unwrap();
    let kept = uids(&home, "Work/Projects");
    let mut s = session(&home, &work);

    with_picker(&mut s, uid, "c", "work/proj");
    s.run_until("the copy", |account, ev| {
        account == AccountId(0) && matches!(ev, Event::Copied { .. })
    });
    assert_eq!(uids(&home, "Work/Projects").len(), kept.len() + 1);
    s.press("u");
    s.run_until("the copy removed", |account, ev| {
        account == AccountId(0) && matches!(ev, Event::Expunged { .. })
    });
    assert_eq!(notice(&s.app), "Undone: the copies left Work/Projects");
    assert_eq!(uids(&home, "Work/Projects"), kept, "only the copy went");
    assert!(facts(&home, "INBOX", uid).is_some(), "the original stays");

    let before = uids(&work, "Work/Projects");
    with_picker(&mut s, uid, "c", "work: work/proj");
    s.run_until("the copy appended at work", |account, ev| {
        account == WORK && matches!(ev, Event::Appended { .. })
    });
    assert_eq!(uids(&work, "Work/Projects").len(), before.len() + 1);
    s.press("u");
    s.run_until("the copy removed from work", |account, ev| {
        account == WORK && matches!(ev, Event::Expunged { .. })
    });
    assert_eq!(
        notice(&s.app),
        "Undone: the copies left work: Work/Projects"
    );
    assert_eq!(uids(&work, "Work/Projects"), before);
    assert!(facts(&home, "INBOX", uid).is_some(), "the original stays");
    s.press("u");
    assert_eq!(notice(&s.app), "Nothing to undo");
}
