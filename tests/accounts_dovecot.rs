//! Moving mail between two accounts on two private Dovecot servers: the message arrives with
//! its flags and INTERNALDATE, leaves the source only once the destination has it, and a
//! destination that refuses the APPEND leaves the source as it was.

mod support;

use support::{Env, tern_with};

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
