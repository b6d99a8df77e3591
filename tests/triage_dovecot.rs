//! Triage from the command line against a real Dovecot, each result checked through an
//! independent IMAP session: flags, move/copy (with and without MOVE and UIDPLUS), delete,
//! expunge of exactly the chosen UIDs, search operators, folder management, import/export.

mod support;

use std::collections::BTreeSet;

use support::dovecot::PlainSession;
use support::{Env, fixtures, tern_with};
use tern::devserver::DovecotOptions;

fn session(env: &Env, folder: &str) -> PlainSession {
    let mut s = env.server.session("alice").expect("session");
    s.select(folder).expect("select");
    s
}

fn uids_in(env: &Env, folder: &str) -> BTreeSet<u32> {
    session(env, folder)
        .uid_search("ALL")
        .expect("search")
        .into_iter()
        .collect()
}

fn flagged(env: &Env, folder: &str, flag: &str) -> BTreeSet<u32> {
    session(env, folder)
        .uid_search(flag)
        .expect("search")
        .into_iter()
        .collect()
}

fn set(v: &[u32]) -> BTreeSet<u32> {
    v.iter().copied().collect()
}

#[test]
fn mark_changes_exactly_the_chosen_messages() {
    let env = Env::start();
    env.tern(&["mark", "INBOX", "2:3,5", "+seen"]).ok();
    assert_eq!(flagged(&env, "INBOX", "SEEN"), set(&[1, 2, 3, 5]));
    env.tern(&["mark", "INBOX", "3", "-seen"]).ok();
    assert_eq!(flagged(&env, "INBOX", "SEEN"), set(&[1, 2, 5]));
    env.tern(&["mark", "INBOX", "4", "+flagged"]).ok();
    env.tern(&["mark", "INBOX", "4", "+answered"]).ok();
    assert_eq!(flagged(&env, "INBOX", "FLAGGED"), set(&[4, 7]));
    assert_eq!(flagged(&env, "INBOX", "ANSWERED"), set(&[4]));
    let bad = env.tern(&["mark", "INBOX", "4", "+bogus"]);
    assert_eq!(bad.code, 2);
    let bad = env.tern(&["mark", "INBOX", "x:y", "+seen"]);
    assert_eq!(bad.code, 2);
}

fn check_move(env: &Env) {
    let before = uids_in(env, "INBOX");
    let run = env.tern(&["move", "INBOX", "2:3", "Archive"]).ok();
    let rows = run.rows();
    assert_eq!(rows.len(), 2, "{}", run.stdout);
    assert_eq!(uids_in(env, "INBOX"), &before - &set(&[2, 3]));
    let new: BTreeSet<u32> = rows
        .iter()
        .map(|r| r[1].parse().expect("new uid"))
        .collect();
    assert_eq!(
        uids_in(env, "Archive"),
        new,
        "printed UIDs are the ones in Archive"
    );
    assert!(
        flagged(env, "INBOX", "DELETED").is_empty(),
        "nothing left marked \\Deleted"
    );
}

#[test]
fn move_with_move_capability() {
    check_move(&Env::start());
}

#[test]
fn move_without_move_capability_uses_copy_and_uid_expunge() {
    let env = Env::with(DovecotOptions {
        capabilities: Some(
            "IMAP4rev1 LITERAL+ UIDPLUS ID ENABLE IDLE NAMESPACE SPECIAL-USE".into(),
        ),
        ..DovecotOptions::default()
    });
    let caps = env.tern(&["check"]).ok().stdout;
    assert!(!caps.contains(" MOVE"), "{caps}");
    check_move(&env);
}

#[test]
fn move_without_uidplus_only_marks_and_never_expunges_others() {
    let env = Env::with(DovecotOptions {
        capabilities: Some("IMAP4rev1 LITERAL+ ID ENABLE IDLE NAMESPACE SPECIAL-USE".into()),
        ..DovecotOptions::default()
    });
    // Another client has marked message 9 \Deleted; it must survive anything we do.
    session(&env, "INBOX")
        .uid_store("9", "+FLAGS (\\Deleted)")
        .unwrap();
    let run = env.tern(&["move", "INBOX", "2", "Archive"]).ok();
    assert!(run.stderr.contains("UIDPLUS"), "{}", run.stderr);
    assert!(uids_in(&env, "INBOX").contains(&9));
    assert!(
        uids_in(&env, "INBOX").contains(&2),
        "original kept, only marked"
    );
    assert_eq!(flagged(&env, "INBOX", "DELETED"), set(&[2, 9]));
    assert_eq!(uids_in(&env, "Archive").len(), 1);

    let refused = env.tern(&["expunge", "INBOX", "2"]);
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("UIDPLUS"), "{}", refused.stderr);
    assert!(uids_in(&env, "INBOX").contains(&2));
    let all = env.tern(&["expunge", "INBOX", "2", "--all-deleted"]).ok();
    assert_eq!(all.stdout.trim(), "2");
    assert!(
        !uids_in(&env, "INBOX").contains(&9),
        "--all-deleted removes every \\Deleted message"
    );
}

#[test]
fn copy_keeps_the_original() {
    let env = Env::start();
    let run = env.tern(&["copy", "INBOX", "1", "Work/Projects"]).ok();
    assert_eq!(run.rows().len(), 1);
    assert!(uids_in(&env, "INBOX").contains(&1));
    assert_eq!(uids_in(&env, "Work/Projects").len(), 2);
    let missing = env.tern(&["copy", "INBOX", "1", "No/Such"]);
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("server said"), "{}", missing.stderr);
}

#[test]
fn delete_moves_to_trash_then_flags_inside_trash() {
    let env = Env::start();
    env.tern(&["delete", "INBOX", "4"]).ok();
    assert!(!uids_in(&env, "INBOX").contains(&4));
    let trash = uids_in(&env, "Trash");
    assert_eq!(trash.len(), 1);
    let in_trash = trash.iter().next().unwrap().to_string();
    env.tern(&["delete", "Trash", &in_trash]).ok();
    assert_eq!(
        flagged(&env, "Trash", "DELETED"),
        trash,
        "inside Trash it is only marked"
    );

    let config = env.config("");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("delete = \"flag\"\n{text}")).unwrap();
    tern_with(&config, "wonderland", &["delete", "INBOX", "5"]).ok();
    assert!(uids_in(&env, "INBOX").contains(&5));
    assert!(flagged(&env, "INBOX", "DELETED").contains(&5));
}

/// `Deleted Messages` is a usual Trash name, but the server marks `Trash` with \\Trash: the
/// attribute wins, and the config's `trash_folder` overrides both.
#[test]
fn delete_prefers_the_servers_trash_over_a_usual_name() {
    let env = Env::start();
    env.tern(&["mkdir", "Deleted Messages"]).ok();
    env.tern(&["delete", "INBOX", "4"]).ok();
    assert_eq!(
        uids_in(&env, "Trash").len(),
        1,
        "moved to the \\Trash folder"
    );
    assert!(uids_in(&env, "Deleted Messages").is_empty());
    // Inside the name-guessed folder a delete is a move to the real Trash, not a mark.
    env.tern(&["copy", "INBOX", "5", "Deleted Messages"]).ok();
    let guessed = uids_in(&env, "Deleted Messages");
    let uid = guessed.iter().next().unwrap().to_string();
    env.tern(&["delete", "Deleted Messages", &uid]).ok();
    assert!(uids_in(&env, "Deleted Messages").is_empty());
    assert_eq!(uids_in(&env, "Trash").len(), 2);

    let config = env.config("trash_folder = \"Deleted Messages\"");
    tern_with(&config, "wonderland", &["delete", "INBOX", "6"]).ok();
    let configured = uids_in(&env, "Deleted Messages");
    assert_eq!(configured.len(), 1, "the config overrides the server");
    assert_eq!(uids_in(&env, "Trash").len(), 2);
    let uid = configured.iter().next().unwrap().to_string();
    tern_with(&config, "wonderland", &["delete", "Deleted Messages", &uid]).ok();
    assert_eq!(flagged(&env, "Deleted Messages", "DELETED"), configured);
}

#[test]
fn expunge_removes_only_the_chosen_uids() {
    let env = Env::start();
    let mut other = session(&env, "INBOX");
    other.uid_store("6", "+FLAGS (\\Deleted)").unwrap();
    env.tern(&["mark", "INBOX", "2,3", "+deleted"]).ok();
    let run = env.tern(&["expunge", "INBOX", "2"]).ok();
    assert_eq!(run.stdout.trim(), "2");
    let left = uids_in(&env, "INBOX");
    assert!(!left.contains(&2));
    assert!(left.contains(&3), "marked but not chosen: kept");
    assert!(left.contains(&6), "marked by another session: kept");
    // A chosen UID that is not marked \Deleted is not removed, and not reported.
    let run = env.tern(&["expunge", "INBOX", "1"]).ok();
    assert_eq!(run.stdout.trim(), "");
    assert!(uids_in(&env, "INBOX").contains(&1));
}

fn hits(env: &Env, query: &str) -> BTreeSet<u32> {
    let mut args = vec!["search", "INBOX"];
    args.extend(query.split(' '));
    let run = env.tern(&args).ok();
    run.rows().iter().map(|r| r[0].parse().unwrap()).collect()
}

#[test]
fn search_operators() {
    let env = Env::start();
    env.tern(&["mark", "INBOX", "3", "+answered"]).ok();
    let all: BTreeSet<u32> = (1..=10).collect();
    assert_eq!(hits(&env, "from:alice"), set(&[1, 6, 7, 8, 9]));
    assert_eq!(hits(&env, "to:lisi"), set(&[4]));
    assert_eq!(hits(&env, "subject:report"), set(&[7]));
    assert_eq!(hits(&env, "subject:\"two attachments\""), set(&[7]));
    assert_eq!(
        hits(&env, "subject:Grüße"),
        set(&[2]),
        "non-ASCII via CHARSET UTF-8"
    );
    assert_eq!(hits(&env, "body:\"without MIME parts\""), set(&[1]));
    assert_eq!(hits(&env, "text:segmentfault"), set(&[5]));
    assert_eq!(hits(&env, "cc:nobody-at-all"), set(&[]));
    assert_eq!(hits(&env, "on:2024-01-01"), all);
    assert_eq!(hits(&env, "since:2024-01-02"), set(&[]));
    assert_eq!(hits(&env, "before:2024-01-02"), all);
    assert_eq!(hits(&env, "larger:3k"), set(&[5, 9]));
    assert_eq!(hits(&env, "smaller:400"), set(&[1, 3, 4]));
    assert_eq!(hits(&env, "is:unread"), &all - &set(&[1]));
    assert_eq!(hits(&env, "is:flagged"), set(&[7]));
    assert_eq!(hits(&env, "is:answered"), set(&[3]));
    assert_eq!(hits(&env, "is:deleted"), set(&[]));
    assert_eq!(hits(&env, "has:attachment"), set(&[5, 7, 8, 9, 10]));
    assert_eq!(hits(&env, "not is:seen from:alice"), set(&[6, 7, 8, 9]));
    assert_eq!(hits(&env, "-is:unread"), set(&[1]));
    assert_eq!(
        hits(&env, "from:alice or to:lisi"),
        set(&[1, 4, 6, 7, 8, 9])
    );
    assert_eq!(
        hits(&env, "(from:alice is:flagged) or larger:5k"),
        set(&[5, 7])
    );

    let bad = env.tern(&["search", "INBOX", "from:alice", "frm:bob"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("column 12"), "{}", bad.stderr);
    assert!(bad.stderr.contains("frm"), "{}", bad.stderr);
}

#[test]
fn folder_management_with_awkward_names() {
    let env = Env::start();
    for name in ["Проекты", "Проекты/2026", "a \"b\" \\ c"] {
        env.tern(&["mkdir", name]).ok();
    }
    let folders = env.tern(&["folders"]).ok().stdout;
    for name in ["Проекты/2026", "a \"b\" \\ c"] {
        assert!(
            folders.lines().any(|l| l.starts_with(&format!("{name}\t"))),
            "{name} in\n{folders}"
        );
    }
    // The server holds them mUTF-7 encoded.
    let mut s = env.server.session("alice").unwrap();
    let raw: Vec<String> = s
        .list(Some(""), Some("*"))
        .unwrap()
        .iter()
        .map(|n| n.name().to_string())
        .collect();
    assert!(
        raw.contains(&"&BB8EQAQ+BDUEOgRCBEs-/2026".to_string()),
        "{raw:?}"
    );

    let refused = env.tern(&["rmdir", "Проекты"]);
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("subfolders"), "{}", refused.stderr);

    env.tern(&["rename", "Проекты/2026", "Проекты/2027"]).ok();
    env.tern(&["copy", "INBOX", "1", "Проекты/2027"]).ok();
    let needs_yes = env.tern(&["rmdir", "Проекты/2027"]);
    assert_eq!(needs_yes.code, 2);
    assert!(
        needs_yes.stderr.contains("1 message"),
        "{}",
        needs_yes.stderr
    );
    env.tern(&["rmdir", "Проекты/2027", "--yes"]).ok();
    env.tern(&["rmdir", "Проекты"]).ok();
    let folders = env.tern(&["folders"]).ok().stdout;
    assert!(!folders.contains("Проекты"), "{folders}");

    env.tern(&["subscribe", "a \"b\" \\ c"]).ok();
    let lsub = |s: &mut PlainSession| -> Vec<String> {
        s.lsub(Some(""), Some("*"))
            .unwrap()
            .iter()
            // This session is the crate's own, without tern's guard: escapes are still in.
            .map(|n| n.name().replace("\\\"", "\"").replace("\\\\", "\\"))
            .collect()
    };
    assert!(lsub(&mut s).contains(&"a \"b\" \\ c".to_string()));
    env.tern(&["unsubscribe", "a \"b\" \\ c"]).ok();
    assert!(!lsub(&mut s).contains(&"a \"b\" \\ c".to_string()));
}

#[test]
fn import_export_round_trip_byte_for_byte() {
    let env = Env::start();
    let original = std::fs::read(fixtures().join("nested.eml")).unwrap();
    let exported = env.tern(&["export", "INBOX", "9"]).ok().raw_stdout;
    assert_eq!(exported, original);

    let file = fixtures().join("gbk.eml");
    let run = env
        .tern(&[
            "import",
            "Work/Projects",
            file.to_str().unwrap(),
            "--flags",
            "\\Seen \\Flagged",
        ])
        .ok();
    let uid: u32 = run.rows()[0][1].parse().expect("uid printed");
    let again = env
        .tern(&["export", "Work/Projects", &uid.to_string()])
        .ok()
        .raw_stdout;
    assert_eq!(again, std::fs::read(&file).unwrap());
    assert!(flagged(&env, "Work/Projects", "SEEN FLAGGED").contains(&uid));
    // The internal date is the file's Date header (Mon, 01 Jan 2024 03:00:00 +0800); a
    // Maildir server keeps the instant, not the zone.
    let list = env.tern(&["list", "Work/Projects"]).ok();
    let row = list
        .rows()
        .into_iter()
        .find(|r| r[0] == uid.to_string())
        .unwrap();
    let date = chrono::DateTime::parse_from_rfc3339(&row[1]).unwrap();
    assert_eq!(date.timestamp(), 1_704_049_200, "{}", row[1]);

    let out = env.downloads().join("m.eml");
    env.tern(&["export", "INBOX", "9", "-o", out.to_str().unwrap()])
        .ok();
    assert_eq!(std::fs::read(&out).unwrap(), original);
    let refused = env.tern(&["export", "INBOX", "9", "-o", out.to_str().unwrap()]);
    assert_eq!(refused.code, 1, "never overwrites");
}
