//! Conversations end to end: the real `tern` binary in tmux, driven by the default keymap's
//! keys, against a private Dovecot. Threads are listed with tree lines, folded, a folded
//! thread is archived with one key (checked on the server), and the thread view and its
//! folds are there again after a restart.

mod support;

use std::collections::BTreeSet;

use support::Env;
use support::dovecot::Seeding;
use support::tmux::{DEADLINE, eventually, terminal};
use tern::devserver::Dovecot;

/// A raw message replying to `references` (oldest first, `<…>` each), sent at `hour`.
fn message(id: &str, references: &str, subject: &str, hour: u32) -> Vec<u8> {
    let refs = if references.is_empty() {
        String::new()
    } else {
        format!("References: {references}\r\n")
    };
    format!(
        "From: Dave Okafor <dave@acme.example>\r\nTo: Alice Liddell <alice@example.com>\r\n\
         Subject: {subject}\r\nDate: Mon, 3 Mar 2025 {hour:02}:00:00 +0000\r\n\
         Message-ID: <{id}>\r\n{refs}MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\r\n{subject}.\r\n"
    )
    .into_bytes()
}

/// The Message-IDs `folder` holds, through a fresh read-only session.
fn ids(server: &Dovecot, folder: &str) -> Result<BTreeSet<String>, String> {
    let mut s = server.session("alice").map_err(|e| e.to_string())?;
    let mb = s
        .examine(folder)
        .map_err(|e| format!("EXAMINE {folder}: {e}"))?;
    let mut out = BTreeSet::new();
    if mb.exists > 0 {
        let fetches = s
            .uid_fetch("1:*", "ENVELOPE")
            .map_err(|e| format!("UID FETCH in {folder}: {e}"))?;
        for f in fetches.iter() {
            let env = f.envelope().ok_or("a FETCH without ENVELOPE")?;
            let id = env.message_id.as_deref().unwrap_or_default();
            out.insert(String::from_utf8_lossy(id).into_owned());
        }
    }
    let _ = s.logout();
    Ok(out)
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|i| format!("<{i}>")).collect()
}

#[test]
fn threads_fold_and_a_folded_thread_is_archived_with_one_key() {
    let env = Env::start();
    // Arrival order is not thread order: the lunch invitation comes between the plan and its
    // replies, and the plan's thread has the newest message.
    for (id, references, subject, hour, flags) in [
        ("plan@t", "", "Plan for Q1", 10, &["\\Seen"][..]),
        ("lunch@t", "", "Lunch on Friday", 9, &["\\Seen"][..]),
        ("re1@t", "<plan@t>", "Re: Plan for Q1", 11, &["\\Seen"][..]),
        ("re2@t", "<plan@t> <re1@t>", "Re: Plan for Q1", 12, &[][..]),
    ] {
        let raw = message(id, references, subject, hour);
        env.server
            .append("alice", "Lists", &raw, flags, None)
            .expect("append to Lists");
    }
    let config = env.config("default_folder = \"Lists\"");
    let mut t = terminal(env.home.path());
    t.launch_tern(&config);
    t.wait_for("Lists · 4 messages", DEADLINE);

    t.act(&["threads"]);
    let screen = t.wait_for("  └─Re: Plan for Q1", DEADLINE);
    // The subject column, row by row: what follows the sender, less the blanks before it.
    let after: Vec<&str> = screen
        .lines()
        .filter_map(|l| l.split("Dave Okafor").nth(1))
        .collect();
    let blanks = after
        .iter()
        .map(|a| a.len() - a.trim_start().len())
        .min()
        .unwrap_or(0);
    let subjects: Vec<&str> = after.iter().map(|a| a[blanks..].trim_end()).collect();
    let want = [
        "Plan for Q1",
        "└─Re: Plan for Q1",
        "  └─Re: Plan for Q1",
        "Lunch on Friday",
    ];
    for (got, want) in subjects.iter().zip(want) {
        assert!(got.starts_with(want), "{got:?} is not {want:?}:\n{screen}");
    }
    assert_eq!(subjects.len(), 4, "{screen}");

    // Folding every thread puts the cursor on the first message of its thread (it was on the
    // newest reply); archiving then takes the whole thread.
    t.act(&["collapse_all"]);
    t.wait_for("[3, 1 new] Plan for Q1", DEADLINE);
    t.act(&["archive"]);
    eventually("the whole thread in Archive", DEADLINE, || {
        let (lists, archive) = (ids(&env.server, "Lists")?, ids(&env.server, "Archive")?);
        if lists == set(&["lunch@t"]) && archive == set(&["plan@t", "re1@t", "re2@t"]) {
            Ok(())
        } else {
            Err(format!("Lists {lists:?}, Archive {archive:?}"))
        }
    });
    t.wait_for("Moved 3 messages to Archive", DEADLINE);

    // The folder stays listed as threads after a restart, every thread still folded: a reply
    // that came meanwhile is in its parent's folded thread.
    t.quit();
    let raw = message("re3@t", "<lunch@t>", "Re: Lunch on Friday", 13);
    env.server
        .append("alice", "Lists", &raw, &[], None)
        .expect("append the reply");
    t.launch_tern(&config);
    t.wait_for("[2, 1 new] Lunch on Friday", DEADLINE);
    // Unfolded, it stays unfolded after the next restart.
    t.act(&["collapse"]);
    t.wait_for("└─Re: Lunch on Friday", DEADLINE);
    t.quit();
    t.launch_tern(&config);
    t.wait_for("└─Re: Lunch on Friday", DEADLINE);
    t.quit();
}
