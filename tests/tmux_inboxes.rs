//! Issue 15's "done means", end to end: the real `tern` in tmux with two accounts, one signing
//! in with a password at one private Dovecot, the other with OAuth2 (`tern login` in the
//! browser flow) at a second Dovecot that checks every token at the tests' authorization
//! server. Read and triage in each, open All inboxes, move a message from one account to the
//! other and undo it; both servers are checked directly at every step.

mod support;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::Env;
use support::authz::{AuthServer, get};
use support::tmux::{DEADLINE, eventually, terminal};
use tern::devserver::DovecotOptions;

/// UIDs of `folder` matching the SEARCH `query`, through a fresh password session.
fn search(env: &Env, folder: &str, query: &str) -> Result<Vec<u32>, String> {
    let mut s = env.server.session("alice").map_err(|e| e.to_string())?;
    s.examine(folder).map_err(|e| e.to_string())?;
    let mut uids: Vec<u32> = s
        .uid_search(query)
        .map_err(|e| e.to_string())?
        .into_iter()
        .collect();
    uids.sort_unstable();
    Ok(uids)
}

/// Subjects of `folder`'s messages, by UID.
fn subjects(env: &Env, folder: &str) -> Result<Vec<(u32, String)>, String> {
    let mut s = env.server.session("alice").map_err(|e| e.to_string())?;
    s.examine(folder).map_err(|e| e.to_string())?;
    let fetched = s
        .uid_fetch("1:*", "(UID ENVELOPE)")
        .map_err(|e| e.to_string())?;
    let mut out: Vec<(u32, String)> = fetched
        .iter()
        .filter_map(|f| {
            let subject = f.envelope()?.subject.as_ref()?;
            Some((f.uid?, String::from_utf8_lossy(subject).into_owned()))
        })
        .collect();
    out.sort();
    Ok(out)
}

/// "home" with a password on `home`'s server, "work" with OAuth2 on `work`'s.
fn config(dir: &Path, home: &Env, work: &Env, auth: &AuthServer) -> PathBuf {
    let path = dir.join("config.toml");
    let text = format!(
        "[[account]]\nname = \"home\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nusername = \"alice\"\npassword_env = \"TERN_TEST_PASSWORD\"\nfrom = \"Alice <alice@home.example>\"\nconnect_timeout_secs = 3\nread_timeout_secs = 10\n\n\
         [[account]]\nname = \"work\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nusername = \"alice\"\nauth = \"oauth2\"\nfrom = \"Alice <alice@work.example>\"\nconnect_timeout_secs = 3\nread_timeout_secs = 10\n{}",
        home.server.imap_port,
        work.server.imap_port,
        auth.account_table()
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// `tern login --account work`, the test following the printed URL as a browser would.
fn sign_in(config: &Path, state: &Path, auth: &AuthServer) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tern"))
        .arg("--config")
        .arg(config)
        .args(["login", "--account", "work"])
        .env("XDG_STATE_HOME", state)
        .env("XDG_CACHE_HOME", state)
        .env("BROWSER", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tern login");
    let mut said = Vec::new();
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        if line.starts_with(&auth.url("/authorize")) {
            let (_, location) = get(&line);
            let (status, _) = get(&location.expect("a redirect to tern"));
            assert!(status.contains("200"), "tern's listener said {status}");
        }
        said.push(line);
    }
    assert!(child.wait().unwrap().success(), "{}", said.join("\n"));
}

#[test]
fn a_password_and_an_oauth2_account_in_one_window_with_all_inboxes_and_an_undone_move() {
    let auth = AuthServer::start("alice", 3600);
    let home = Env::start();
    let work = Env::with(DovecotOptions {
        oauth2: Some(auth.passdb("xoauth2 oauthbearer")),
        ..DovecotOptions::default()
    });
    let config = config(home.home.path(), &home, &work, &auth);
    sign_in(&config, &home.home.path().join("state"), &auth);

    let mut t = terminal(home.home.path());
    t.launch_tern(&config);
    t.wait_for("home · INBOX · 10 messages", DEADLINE);
    t.wait_until("both accounts connected", DEADLINE, |s| {
        s.contains("▾ home") && s.contains("▾ work") && !s.contains("connecting")
    });
    assert!(auth.introspections() >= 1, "work logged in with a token");

    // Home (password): read the top message, flag it: one more flagged there, read.
    let flagged_before = search(&home, "INBOX", "FLAGGED").unwrap();
    assert_eq!(
        search(&work, "INBOX", "FLAGGED").unwrap(),
        flagged_before,
        "seeded alike"
    );
    t.act(&["top", "open", "back", "toggle_flag"]);
    let top = eventually("home's flag on the server", DEADLINE, || {
        let now = search(&home, "INBOX", "FLAGGED")?;
        match now.iter().find(|u| !flagged_before.contains(u)) {
            Some(&uid) if search(&home, "INBOX", "SEEN")?.contains(&uid) => Ok(uid),
            _ => Err(format!("{now:?}")),
        }
    });

    // Work (OAuth2): flag and read the same message there, by its own worker.
    t.act(&["next_account"]);
    t.wait_for("work · INBOX · 10 messages", DEADLINE);
    t.act(&["top", "toggle_flag", "open"]);
    eventually("work's flag and read mark on the server", DEADLINE, || {
        let (flagged, seen) = (
            search(&work, "INBOX", "FLAGGED")?,
            search(&work, "INBOX", "SEEN")?,
        );
        match flagged.contains(&top) && seen.contains(&top) {
            true => Ok(()),
            false => Err(format!("flagged {flagged:?}, seen {seen:?}")),
        }
    });
    t.act(&["back"]);

    // All inboxes: both INBOXes in one list.
    t.act(&["prev_pane", "top", "open"]);
    t.wait_for("All inboxes · 20 messages", DEADLINE);
    let projects_before = subjects(&work, "Work/Projects").unwrap().len();

    // The top row: both servers hold the same mail, and on equal dates home's row comes first.
    t.act(&["top", "move"]);
    t.type_text("work: work/proj");
    t.press("Enter");
    let screen = t.wait_for("to work: Work/Projects", DEADLINE);
    assert!(screen.contains("All inboxes · 19 messages"), "{screen}");
    let moved = eventually("the message in work's Work/Projects", DEADLINE, || {
        let now = subjects(&work, "Work/Projects")?;
        match now.len() - projects_before {
            1 => Ok(now.last().cloned().unwrap()),
            n => Err(format!("{n} new")),
        }
    });
    eventually(
        "the original gone from home",
        DEADLINE,
        || match subjects(&home, "INBOX")?.len() {
            9 => Ok(()),
            n => Err(format!("{n} left")),
        },
    );
    assert_eq!(
        subjects(&work, "INBOX").unwrap().len(),
        10,
        "work's INBOX untouched"
    );

    t.act(&["undo"]);
    t.wait_for("to home: INBOX", DEADLINE);
    eventually("the message back in home's INBOX", DEADLINE, || {
        let now = subjects(&home, "INBOX")?;
        match now.iter().any(|(_, s)| *s == moved.1) && now.len() == 10 {
            true => Ok(()),
            false => Err(format!("{now:?}")),
        }
    });
    eventually("the copy gone from work", DEADLINE, || {
        match subjects(&work, "Work/Projects")?.len() == projects_before {
            true => Ok(()),
            false => Err("still there".into()),
        }
    });
    t.wait_for("All inboxes · 20 messages", DEADLINE);
    t.quit();
}
