//! Keyboard triage end to end: the real `tern` binary in tmux, driven only by keys (the
//! default keymap's, looked up by action), against a private Dovecot; after every step an
//! independent IMAP session checks what the server really holds, and the test waits for that
//! state (with the driver's 20 s deadline) rather than sleeping.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use support::Env;
use support::dovecot::Seeding;
use support::tmux::{DEADLINE, Tmux, eventually, terminal};
use tern::devserver::Dovecot;

/// One message as the server holds it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Msg {
    uid: u32,
    /// The Message-ID (or, without one, subject and date), to follow a message across moves.
    id: String,
    subject: String,
    /// Without \Recent, which depends on who looked first.
    flags: BTreeSet<String>,
}

/// What `folder` holds, in UID order, through a fresh read-only session.
fn contents(server: &Dovecot, folder: &str) -> Result<Vec<Msg>, String> {
    let mut s = server.session("alice").map_err(|e| e.to_string())?;
    let mb = s
        .examine(folder)
        .map_err(|e| format!("EXAMINE {folder}: {e}"))?;
    let mut out = Vec::new();
    if mb.exists > 0 {
        let fetches = s
            .uid_fetch("1:*", "(UID FLAGS ENVELOPE)")
            .map_err(|e| format!("UID FETCH in {folder}: {e}"))?;
        for f in fetches.iter() {
            let uid = f.uid.ok_or("a FETCH without UID")?;
            let env = f.envelope().ok_or("a FETCH without ENVELOPE")?;
            let text = |b: &Option<std::borrow::Cow<'_, [u8]>>| {
                b.as_deref()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default()
            };
            let subject = text(&env.subject);
            let id = match text(&env.message_id) {
                id if id.is_empty() => format!("{subject}|{}", text(&env.date)),
                id => id,
            };
            let flags = f
                .flags()
                .iter()
                .map(ToString::to_string)
                .filter(|f| f != "\\Recent")
                .collect();
            out.push(Msg {
                uid,
                id,
                subject,
                flags,
            });
        }
    }
    let _ = s.logout();
    out.sort();
    Ok(out)
}

fn must(server: &Dovecot, folder: &str) -> Vec<Msg> {
    contents(server, folder).unwrap_or_else(|e| panic!("{e}"))
}

fn uids(msgs: &[Msg]) -> BTreeSet<u32> {
    msgs.iter().map(|m| m.uid).collect()
}

/// A folder's messages as (Message-ID, flags), sorted: what survives a move.
fn ids_and_flags<'a>(msgs: impl IntoIterator<Item = &'a Msg>) -> Vec<(String, BTreeSet<String>)> {
    let mut v: Vec<_> = msgs
        .into_iter()
        .map(|m| (m.id.clone(), m.flags.clone()))
        .collect();
    v.sort();
    v
}

fn with_flag(m: &Msg, flag: &str) -> bool {
    m.flags.contains(flag)
}

/// `Ok` when `got == want`, else both, for [`eventually`]'s failure message.
fn same<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: the server has {got:?}, expected {want:?}"))
    }
}

/// Starts tern from the shell and waits until `synced` (e.g. `INBOX · 10 messages`) shows.
fn launch(t: &mut Tmux, config: &Path, synced: &str) -> String {
    t.launch_tern(config);
    t.wait_for(synced, DEADLINE)
}

/// Whether the screen line holding `text` is drawn crossed out (SGR 9) where `text` starts.
fn struck_through(styled: &str, text: &str) -> bool {
    let Some(line) = styled.lines().find(|l| l.contains(text)) else {
        return false;
    };
    let before = &line[..line.find(text).expect("found above")];
    // The attributes in force at `text`: replay the SGR sequences before it.
    let mut crossed = false;
    let mut rest = before;
    while let Some(at) = rest.find("\u{1b}[") {
        let seq = &rest[at + 2..];
        let Some(end) = seq.find('m') else { break };
        let params = &seq[..end];
        for p in params.split([';', ':']) {
            match p {
                "" | "0" => crossed = false,
                "9" => crossed = true,
                "29" => crossed = false,
                _ => {}
            }
        }
        rest = &seq[end + 1..];
    }
    crossed
}

/// The tmux test: tag the three newest INBOX messages, move them to Archive with the
/// picker, undo; the server is checked after each step, then the terminal on the way out.
#[test]
fn tag_three_move_with_picker_and_undo() {
    let env = Env::start();
    let config = env.config("");
    let inbox = must(&env.server, "INBOX");
    assert_eq!(uids(&inbox), (1..=10).collect(), "the fixtures' INBOX");
    assert!(
        must(&env.server, "Archive").is_empty(),
        "Archive starts empty"
    );
    let mut t = terminal(env.home.path());
    launch(&mut t, &config, "INBOX · 10 messages");

    // Newest (highest UID) first, and tagging moves down: three tags take UIDs 10, 9, 8.
    t.act(&["tag", "tag", "tag"]);
    t.wait_for("3 tagged", DEADLINE);
    let (kept, moved): (Vec<&Msg>, Vec<&Msg>) = inbox.iter().partition(|m| m.uid <= 7);
    t.act(&["move"]);
    t.wait_for("Move 3 messages to", DEADLINE);
    t.type_text("arch");
    t.wait_for("> arch", DEADLINE);
    t.keys(&["Enter"]);
    eventually("the three tagged messages in Archive", DEADLINE, || {
        let now = contents(&env.server, "INBOX")?;
        same("INBOX", ids_and_flags(&now), ids_and_flags(kept.clone()))?;
        same("INBOX UIDs", uids(&now), (1..=7).collect())?;
        let archive = contents(&env.server, "Archive")?;
        same(
            "Archive",
            ids_and_flags(&archive),
            ids_and_flags(moved.clone()),
        )
    });
    t.wait_for("INBOX · 7 messages", DEADLINE);

    t.act(&["undo"]);
    eventually("the three back in INBOX", DEADLINE, || {
        let now = contents(&env.server, "INBOX")?;
        same("INBOX", ids_and_flags(&now), ids_and_flags(&inbox))?;
        // The untouched ones keep their UIDs; the returned ones have new, higher ones.
        let back: BTreeSet<u32> = now
            .iter()
            .filter(|m| moved.iter().any(|o| o.id == m.id))
            .map(|m| m.uid)
            .collect();
        same("UIDs of the returned", back.len(), 3)?;
        same("UIDs > 10", back.iter().all(|u| *u > 10), true)?;
        same("INBOX UIDs", &uids(&now) - &back, (1..=7).collect())?;
        same("Archive", contents(&env.server, "Archive")?, Vec::new())
    });
    t.wait_for("INBOX · 10 messages", DEADLINE);
    let deleted: Vec<Msg> = ["INBOX", "Archive"]
        .iter()
        .flat_map(|f| must(&env.server, f))
        .filter(|m| with_flag(m, "\\Deleted"))
        .collect();
    assert!(deleted.is_empty(), "left marked \\Deleted: {deleted:?}");
    t.quit();
}

/// A raw message for APPEND.
fn message(from: &str, subject: &str, id: &str, date: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: Alice Liddell <alice@example.com>\r\nSubject: {subject}\r\n\
         Date: {date}\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\r\n{subject}.\r\n"
    )
    .into_bytes()
}

/// `f` flags exactly the selected message; `d` moves the next to Trash; in Trash `d` marks
/// \Deleted (struck through), `$` asks naming the count, `n` cancels, `$` `y` expunges
/// exactly that UID while a message another session marked \Deleted survives.
#[test]
fn flag_delete_and_expunge_with_confirmation() {
    let env = Env::start();
    let config = env.config("");
    let survivor = env
        .server
        .append(
            "alice",
            "Trash",
            &message(
                "Mad Hatter <hatter@example.org>",
                "Survivor in Trash",
                "survivor@tern.test",
                "Wed, 1 Jan 2020 00:00:00 +0000",
            ),
            &[],
            Some("01-Jan-2020 00:00:00 +0000"),
        )
        .expect("append to Trash");
    let inbox = must(&env.server, "INBOX");
    let flagged_before: BTreeSet<u32> = inbox
        .iter()
        .filter(|m| with_flag(m, "\\Flagged"))
        .map(|m| m.uid)
        .collect();
    assert_eq!(flagged_before, BTreeSet::from([7]), "mixed_attachments.eml");
    let mut t = terminal(env.home.path());
    launch(&mut t, &config, "INBOX · 10 messages");

    // The first row is the newest, UID 10.
    t.act(&["toggle_flag"]);
    eventually("\\Flagged on UID 10 only", DEADLINE, || {
        let now = contents(&env.server, "INBOX")?;
        let flagged: BTreeSet<u32> = now
            .iter()
            .filter(|m| with_flag(m, "\\Flagged"))
            .map(|m| m.uid)
            .collect();
        same("flagged UIDs", flagged, BTreeSet::from([7, 10]))?;
        // Nothing else changed: every other message's flags are as they were.
        let others =
            |v: &[Msg]| -> Vec<Msg> { v.iter().filter(|m| m.uid != 10).cloned().collect() };
        same("the other messages", others(&now), others(&inbox))
    });

    // The next one, UID 9 (nested.eml), to Trash.
    let nested = inbox.iter().find(|m| m.uid == 9).expect("UID 9").clone();
    t.act(&["down", "delete"]);
    let in_trash = eventually("UID 9 in Trash", DEADLINE, || {
        let now = contents(&env.server, "INBOX")?;
        same(
            "INBOX UIDs",
            uids(&now),
            BTreeSet::from([1, 2, 3, 4, 5, 6, 7, 8, 10]),
        )?;
        let trash = contents(&env.server, "Trash")?;
        same("Trash size", trash.len(), 2)?;
        let m = trash
            .iter()
            .find(|m| m.id == nested.id)
            .ok_or(format!("nested.eml not in Trash: {trash:?}"))?;
        same("its flags", &m.flags, &nested.flags)?;
        Ok(m.uid)
    });
    t.wait_for("INBOX · 9 messages", DEADLINE);

    t.act(&["command"]);
    t.line("folder Trash");
    t.wait_for("Trash · 2 messages", DEADLINE);
    let subject = "Nested MIME structure";
    t.wait_for(subject, DEADLINE);
    // Another client marks the older message \Deleted; only what tern is told to expunge may go.
    {
        let mut s = env.server.session("alice").expect("session");
        s.select("Trash").expect("select Trash");
        s.uid_store(survivor.to_string(), "+FLAGS (\\Deleted)")
            .expect("store");
        let _ = s.logout();
    }
    // The newest row, the one just deleted, is selected: in Trash `d` marks it \Deleted.
    t.act(&["delete"]);
    eventually("both marked \\Deleted in Trash", DEADLINE, || {
        let trash = contents(&env.server, "Trash")?;
        let deleted: BTreeSet<u32> = trash
            .iter()
            .filter(|m| with_flag(m, "\\Deleted"))
            .map(|m| m.uid)
            .collect();
        same(
            "\\Deleted in Trash",
            deleted,
            BTreeSet::from([survivor, in_trash]),
        )
    });
    t.wait_until("the deleted message struck through", DEADLINE, |_| {
        struck_through(&t.capture_escapes(), subject)
    });

    t.act(&["expunge"]);
    t.wait_for("Expunge 1 message", DEADLINE);
    t.press("n");
    t.wait_until("the question to go", DEADLINE, |s| !s.contains("Expunge 1"));
    assert_eq!(
        uids(&must(&env.server, "Trash")),
        BTreeSet::from([survivor, in_trash]),
        "`n` expunged something"
    );

    t.act(&["expunge"]);
    t.wait_for("Expunge 1 message", DEADLINE);
    t.press("y");
    eventually(
        &format!("exactly UID {in_trash} expunged"),
        DEADLINE,
        || {
            let trash = contents(&env.server, "Trash")?;
            same("Trash UIDs", uids(&trash), BTreeSet::from([survivor]))?;
            same(
                "the survivor still \\Deleted",
                with_flag(&trash[0], "\\Deleted"),
                true,
            )
        },
    );
    t.wait_for("Trash · 1 message", DEADLINE);
    let now = must(&env.server, "INBOX");
    assert_eq!(
        uids(&now),
        BTreeSet::from([1, 2, 3, 4, 5, 6, 7, 8, 10]),
        "INBOX changed after the expunge in Trash"
    );
    t.quit();
}

/// Unread mail from an "alice" the demo user can triage: the demo's own alice is the user,
/// whose mail is all \Seen, so `from:alice is:unread` would find nothing there.
const EXTRA: usize = 5;

/// The "Done means": the demo inbox (≈200 messages), keyboard only — search
/// `from:alice is:unread`, archive the first hit, flag the next, delete one, move one to
/// Work with the picker, delete another by mistake and undo it, Esc, quit. Then every folder
/// on the server must hold exactly what those keys should have left, message by message.
#[test]
fn demo_inbox_search_and_triage() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // Run as root, Dovecot reads the mail as the `dovecot` user, who must get through here.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let demo = tern::demo::start(&tmp.path().join("demo"), None).expect("start the demo");
    let server = &demo.server;
    for k in 1..=EXTRA {
        server
            .append(
                "alice",
                "INBOX",
                &message(
                    "Alice Walker <alice.walker@example.org>",
                    &format!("Triage item {k} of {EXTRA}"),
                    &format!("triage-{k}@tern.test"),
                    &format!("Thu, 20 Nov 2025 16:{k:02}:00 +0000"),
                ),
                &[],
                Some(&format!("20-Nov-2025 16:{k:02}:00 +0000")),
            )
            .expect("append");
    }

    // Every folder's messages before tern starts.
    let folders: Vec<String> = {
        let mut s = server.session("alice").expect("session");
        let names = s.list(None, Some("*")).expect("LIST");
        let v = names.iter().map(|n| n.name().to_string()).collect();
        let _ = s.logout();
        v
    };
    for f in ["INBOX", "Archive", "Trash", "Work"] {
        assert!(folders.iter().any(|n| n == f), "no {f} in {folders:?}");
    }
    let before: BTreeMap<String, Vec<Msg>> = folders
        .iter()
        .map(|f| (f.clone(), must(server, f)))
        .collect();
    let inbox = &before["INBOX"];
    assert!(inbox.len() >= 150, "{} in the demo INBOX", inbox.len());

    // The hits, as an independent session finds them, in tern's list order (newest first).
    let mut hits: Vec<u32> = {
        let mut s = server.session("alice").expect("session");
        s.examine("INBOX").expect("examine");
        let h = s.uid_search("FROM alice UNSEEN").expect("search");
        let _ = s.logout();
        h.into_iter().collect()
    };
    hits.sort_unstable_by(|a, b| b.cmp(a));
    assert!(hits.len() >= EXTRA, "hits: {hits:?}");
    let hit = |i: usize| {
        inbox
            .iter()
            .find(|m| m.uid == hits[i])
            .expect("hit")
            .clone()
    };
    let h: Vec<Msg> = (0..EXTRA).map(hit).collect();

    // A short poll as the safety net behind IDLE: on a loaded machine a change notice can
    // come late, and the default minute would outlast the test's deadlines.
    {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&demo.config_path)
            .expect("demo config");
        writeln!(f, "poll_interval_secs = 2").expect("write demo config");
    }
    let mut t = terminal(tmp.path());
    launch(
        &mut t,
        &demo.config_path,
        &format!("INBOX · {} messages", inbox.len()),
    );

    t.act(&["search"]);
    t.type_text("from:alice is:unread");
    t.keys(&["Enter"]);
    let screen = t.wait_for(&format!(": {} found", hits.len()), DEADLINE);
    // The hits are listed newest first; the appended ones are the newest.
    let rows: Vec<usize> = h
        .iter()
        .map(|m| {
            screen
                .lines()
                .position(|l| l.contains(&m.subject))
                .unwrap_or_else(|| panic!("{:?} not listed:\n{screen}", m.subject))
        })
        .collect();
    assert!(rows.is_sorted(), "hits out of order {rows:?}:\n{screen}");

    let check = |what: &str, f: &dyn Fn() -> Result<(), String>| {
        eventually(what, DEADLINE, f);
    };
    let has = |folder: &str, m: &Msg| -> Result<bool, String> {
        Ok(contents(server, folder)?.iter().any(|x| x.id == m.id))
    };
    let moved_to = |dest: &'static str, m: &Msg| {
        let m = m.clone();
        move || {
            same(&format!("{} in INBOX", m.subject), has("INBOX", &m)?, false)?;
            same(&format!("{} in {dest}", m.subject), has(dest, &m)?, true)
        }
    };

    // The first hit to Archive.
    t.act(&["archive"]);
    check("the first hit in Archive", &moved_to("Archive", &h[0]));
    // The cursor is on the next hit: flag it.
    t.act(&["toggle_flag"]);
    check("the second hit flagged", &|| {
        let m = contents(server, "INBOX")?
            .into_iter()
            .find(|m| m.uid == h[1].uid)
            .ok_or("the second hit left INBOX")?;
        same(
            "its flags",
            m.flags,
            &h[1].flags | &["\\Flagged".to_string()].into(),
        )
    });
    // Past it, delete the third.
    t.act(&["down", "delete"]);
    check("the third hit in Trash", &moved_to("Trash", &h[2]));
    // The fourth to Work with the picker.
    t.act(&["move"]);
    t.wait_for("Move 1 message to", DEADLINE);
    t.type_text("Work");
    t.wait_for("> Work", DEADLINE);
    t.keys(&["Enter"]);
    check("the fourth hit in Work", &moved_to("Work", &h[3]));
    // The fifth deleted by mistake, and the mistake undone.
    t.act(&["delete"]);
    check("the fifth hit in Trash", &moved_to("Trash", &h[4]));
    t.act(&["undo"]);
    check("the fifth hit back in INBOX", &|| {
        same("in INBOX", has("INBOX", &h[4])?, true)?;
        same("in Trash", has("Trash", &h[4])?, false)
    });
    // The restored message is listed again, in the hits (still unread, still from alice).
    let screen = t.wait_until("the undone delete listed again", DEADLINE, |s| {
        s.contains(&h[4].subject) && s.contains(&format!("INBOX · {} messages", inbox.len() - 3))
    });
    // The search is still on after the undo, so Esc ends it and leaves tern running. Checked
    // after the server state below, which does not depend on it.
    let query = "/from:alice is:unread: ";
    let search_kept = screen
        .lines()
        .any(|l| l.contains(query) && l.contains(" found"));
    if search_kept {
        t.press("Esc");
        t.wait_until("the search to end", DEADLINE, |s| {
            !s.contains(query) && s.contains(&format!("INBOX · {} messages", inbox.len() - 3))
        });
    }
    t.quit();

    // The whole server, folder by folder, against what the keys should have done.
    let mut want: BTreeMap<String, Vec<(String, BTreeSet<String>)>> = before
        .iter()
        .map(|(f, msgs)| (f.clone(), ids_and_flags(msgs)))
        .collect();
    let entry = |m: &Msg| (m.id.clone(), m.flags.clone());
    let take = |want: &mut BTreeMap<_, Vec<_>>, folder: &str, m: &Msg| {
        let v: &mut Vec<(String, BTreeSet<String>)> = want.get_mut(folder).expect("folder");
        let at = v
            .iter()
            .position(|e| *e == entry(m))
            .expect("listed before");
        v.remove(at);
    };
    let put = |want: &mut BTreeMap<_, Vec<_>>, folder: &str, m: &Msg| {
        let v: &mut Vec<(String, BTreeSet<String>)> = want.get_mut(folder).expect("folder");
        v.push(entry(m));
        v.sort();
    };
    for (m, dest) in [(&h[0], "Archive"), (&h[2], "Trash"), (&h[3], "Work")] {
        take(&mut want, "INBOX", m);
        put(&mut want, dest, m);
    }
    let mut flagged = h[1].clone();
    flagged.flags.insert("\\Flagged".into());
    take(&mut want, "INBOX", &h[1]);
    put(&mut want, "INBOX", &flagged);

    let after: BTreeMap<String, Vec<Msg>> = folders
        .iter()
        .map(|f| (f.clone(), must(server, f)))
        .collect();
    for f in &folders {
        assert_eq!(
            ids_and_flags(&after[f]),
            want[f],
            "{f} does not hold what the keys should have left"
        );
    }
    // In INBOX only the undone delete has a new UID; every other message kept its own.
    let changed: BTreeSet<u32> = &uids(&before["INBOX"]) - &uids(&after["INBOX"]);
    let gone: BTreeSet<u32> = [&h[0], &h[2], &h[3], &h[4]].iter().map(|m| m.uid).collect();
    assert_eq!(changed, gone, "UIDs that left INBOX");
    let new: Vec<&Msg> = after["INBOX"]
        .iter()
        .filter(|m| !before["INBOX"].iter().any(|b| b.uid == m.uid))
        .collect();
    assert_eq!(new.len(), 1, "new UIDs in INBOX: {new:?}");
    assert_eq!(new[0].id, h[4].id, "the undone delete");
    assert!(
        search_kept,
        "undoing the mistaken delete ended the search `from:alice is:unread` (the list shows \
         the whole INBOX again), so the Esc meant to clear it would quit tern; the screen \
         after the undo:\n{screen}"
    );
}
