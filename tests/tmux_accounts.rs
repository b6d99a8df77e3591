//! Two accounts in one window, end to end: the real `tern` in tmux against two private
//! Dovecot servers, driven by the default keymap's keys. Switch to the second account, read a
//! message there, move it to the first account's folder; the servers are checked directly.

mod support;

use support::Env;
use support::tmux::{DEADLINE, eventually, terminal};

/// UIDs of `folder` whose subject contains `subject`, through a fresh session.
fn with_subject(env: &Env, folder: &str, subject: &str) -> Result<Vec<u32>, String> {
    let mut s = env.server.session("alice").map_err(|e| e.to_string())?;
    s.examine(folder).map_err(|e| e.to_string())?;
    let found = s
        .uid_search(format!("SUBJECT \"{subject}\""))
        .map_err(|e| e.to_string())?;
    let _ = s.logout();
    let mut uids: Vec<u32> = found.into_iter().collect();
    uids.sort_unstable();
    Ok(uids)
}

#[test]
fn switch_accounts_read_and_move_a_message_across() {
    let (home, work) = (Env::start(), Env::start());
    let config = home.config_with(&work);
    let mut t = terminal(home.home.path());
    t.launch_tern(&config);
    t.wait_for("home · INBOX · 10 messages", DEADLINE);
    // Both accounts head the folder pane once their folders are listed.
    t.wait_until("both accounts in the folder pane", DEADLINE, |s| {
        s.contains("▾ home") && s.contains("▾ work") && !s.contains("connecting")
    });

    t.act(&["next_account"]);
    t.wait_for("work · INBOX · 10 messages", DEADLINE);
    let nested = work.uid("INBOX", "nested.eml");
    t.act(&["down", "open"]);
    t.wait_for("Part 4.2.2.1: Grüße 你好", DEADLINE);

    t.act(&["move"]);
    t.type_text("home: work/proj");
    t.press("Enter");
    t.wait_for(
        &format!("Moved message {nested} to home: Work/Projects"),
        DEADLINE,
    );
    let subject = "Nested MIME structure";
    eventually(
        "the message in home's Work/Projects",
        DEADLINE,
        || match with_subject(&home, "Work/Projects", subject)?.len() {
            1 => Ok(()),
            n => Err(format!("{n} copies")),
        },
    );
    eventually(
        "the original gone from work",
        DEADLINE,
        || match with_subject(&work, "INBOX", subject)?.as_slice() {
            [] => Ok(()),
            left => Err(format!("still there: {left:?}")),
        },
    );

    t.act(&["prev_account"]);
    t.wait_for("home · INBOX · 10 messages", DEADLINE);
    t.quit();
}
