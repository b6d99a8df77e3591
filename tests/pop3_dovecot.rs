//! POP3 accounts against Dovecot's pop3d, compared with the IMAP view of the same Maildir.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use support::dovecot::Seeding;
use support::{Env, Run, fixtures, tern_with};
use tern::mime::Part;
use tern::msg::{Cmd, Event, Folder, Uid};

/// A config with the POP3 account (`pop3`, first) and the IMAP account (`imap`) of alice.
fn config(env: &Env, pop3: &str) -> PathBuf {
    let path = env.home.path().join("pop3.toml");
    let store = env.home.path().join("store");
    let text = format!(
        "download_dir = \"{dl}\"\n\n\
         [[account]]\nname = \"pop3\"\nprotocol = \"pop3\"\nhost = \"127.0.0.1\"\nport = {pop}\n\
         tls = \"starttls\"\naccept_invalid_certs = true\nusername = \"alice\"\n\
         password_env = \"TERN_TEST_PASSWORD\"\npop3_store = \"{store}\"\nread_timeout_secs = 10\n{pop3}\n\n\
         [[account]]\nname = \"imap\"\nhost = \"127.0.0.1\"\nport = {imap}\ntls = \"none\"\n\
         username = \"alice\"\npassword_env = \"TERN_TEST_PASSWORD\"\ncache = false\n",
        dl = env.downloads().display(),
        pop = env.server.pop3_port,
        store = store.display(),
        imap = env.server.imap_port,
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn pop3(env: &Env, args: &[&str]) -> Run {
    tern_with(&config(env, ""), "wonderland", args)
}

fn imap(env: &Env, args: &[&str]) -> Run {
    let mut all = vec!["--account", "imap"];
    all.extend_from_slice(args);
    tern_with(&config(env, ""), "wonderland", &all)
}

/// `(ID, from, subject)` of every row, in list order.
fn rows(run: &Run) -> Vec<(String, String, String)> {
    run.rows()
        .into_iter()
        .map(|r| (r[0].clone(), r[3].clone(), r[4].clone()))
        .collect()
}

#[test]
fn list_and_parts_match_imap_and_nothing_is_deleted_unless_asked() {
    let env = Env::start();
    let imap_list = rows(&imap(&env, &["list", "INBOX"]).ok());
    let pop3_list = rows(&pop3(&env, &["list", "INBOX"]).ok());
    // A fresh store numbers messages in the server's order, as Dovecot numbers UIDs.
    assert_eq!(pop3_list, imap_list);
    for (id, _, _) in &pop3_list {
        let p = pop3(&env, &["parts", "INBOX", id]).ok();
        let i = imap(&env, &["parts", "INBOX", id]).ok();
        assert_eq!(p.stdout, i.stdout, "parts of {id}");
    }
    // IDs are stable: a second run lists the same (now from the store first).
    assert_eq!(rows(&pop3(&env, &["list", "INBOX"]).ok()), imap_list);
    let nested = env.uid("INBOX", "nested.eml").to_string();
    let out = env.home.path().join("part.txt");
    pop3(
        &env,
        &[
            "save",
            "INBOX",
            &nested,
            "4.2.2.1",
            "-o",
            out.to_str().unwrap(),
        ],
    )
    .ok();
    let expected = std::fs::read(fixtures().join("nested.expected/part-4.2.2.1.txt")).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), expected);
    assert_eq!(rows(&imap(&env, &["list", "INBOX"]).ok()), imap_list);
    let found = pop3(&env, &["search", "--local", "Nested"]).ok();
    assert!(
        found.stdout.contains(&format!("INBOX\t{nested}\t")),
        "{}",
        found.stdout
    );
}

/// Asks a worker for one answer.
fn call(h: &tern::imap::worker::Handle, cmd: Cmd) -> Event {
    h.commands.send(cmd).unwrap();
    loop {
        let ev = h.events.recv_timeout(Duration::from_secs(30)).unwrap();
        if ev.req().is_some() {
            return ev;
        }
    }
}

fn structure(h: &tern::imap::worker::Handle, uid: Uid) -> Part {
    match call(
        h,
        Cmd::FetchStructure {
            req: 1,
            folder: Folder::named("INBOX"),
            uid,
        },
    ) {
        Event::Structure { root, .. } => *root,
        other => panic!("{other:?}"),
    }
}

fn part(h: &tern::imap::worker::Handle, uid: Uid, section: &tern::mime::Section) -> Vec<u8> {
    match call(
        h,
        Cmd::FetchPart {
            req: 2,
            folder: Folder::named("INBOX"),
            uid,
            section: section.clone(),
        },
    ) {
        Event::PartData { bytes, .. } => bytes,
        other => panic!("{uid} {section}: {other:?}"),
    }
}

#[test]
fn part_trees_and_section_bytes_equal_imaps_body_section() {
    let env = Env::start();
    let accounts = tern::config::load(&config(&env, "pop3_download = \"all\""))
        .unwrap()
        .config
        .accounts;
    let pop3 = tern::backend::spawn(accounts[0].clone(), "wonderland".into());
    let imap = tern::backend::spawn(accounts[1].clone(), "wonderland".into());
    let inbox: Vec<Uid> = env
        .seed
        .messages
        .iter()
        .filter(|m| m.folder == "INBOX")
        .map(|m| m.uid)
        .collect();
    for uid in inbox {
        let tree = structure(&pop3, uid);
        assert_eq!(tree, structure(&imap, uid), "part tree of {uid}");
        for p in tree.walk() {
            assert_eq!(
                part(&pop3, uid, &p.section),
                part(&imap, uid, &p.section),
                "BODY[{}] of {uid}",
                p.section
            );
        }
    }
    pop3.shutdown();
    imap.shutdown();
}

#[test]
fn delete_removes_exactly_the_chosen_one_on_the_server() {
    let env = Env::start();
    let before = rows(&imap(&env, &["list", "INBOX"]).ok());
    let victim = env.uid("INBOX", "mixed_attachments.eml").to_string();
    pop3(&env, &["list", "INBOX"]).ok();
    let gone = pop3(&env, &["delete", "INBOX", &victim]).ok();
    assert_eq!(gone.stdout.trim(), victim);
    let after = rows(&imap(&env, &["list", "INBOX"]).ok());
    let expected: Vec<_> = before.into_iter().filter(|r| r.0 != victim).collect();
    assert_eq!(after, expected);
    let listed = rows(&pop3(&env, &["list", "INBOX"]).ok());
    assert!(listed.iter().all(|r| r.0 != victim));
    assert_eq!(listed.len(), after.len());
}

#[test]
fn imap_only_commands_say_pop3_has_no_folders() {
    let env = Env::start();
    for args in [
        &["move", "INBOX", "1", "Trash"][..],
        &["mkdir", "X"],
        &["search", "INBOX", "FROM", "x"],
    ] {
        let run = pop3(&env, args);
        assert_ne!(run.code, 0, "{args:?}");
        assert!(
            run.stderr.contains("POP3 has no"),
            "{args:?}: {}",
            run.stderr
        );
    }
    let run = pop3(&env, &["list", "Trash"]);
    assert!(run.stderr.contains("only INBOX"), "{}", run.stderr);
}

fn check(env: &Env, port: u16, tls: &str, trust: bool) -> Run {
    let extra = format!("port = {port}\ntls = \"{tls}\"\naccept_invalid_certs = {trust}\n");
    let path = env.home.path().join("check.toml");
    let text = format!(
        "[[account]]\nname = \"p\"\nprotocol = \"pop3\"\nhost = \"127.0.0.1\"\nusername = \"alice\"\n\
         password_env = \"TERN_TEST_PASSWORD\"\n{extra}"
    );
    std::fs::write(&path, text).unwrap();
    tern_with(&path, "wonderland", &["check"])
}

#[test]
fn implicit_tls_and_stls_refuse_a_self_signed_certificate_unless_trusted() {
    let env = Env::start();
    for (port, tls) in [
        (env.server.pop3s_port, "implicit"),
        (env.server.pop3_port, "starttls"),
    ] {
        let refused = check(&env, port, tls, false);
        assert_ne!(refused.code, 0, "{tls}");
        assert!(
            refused.stderr.contains("accept_invalid_certs"),
            "{tls}: {}",
            refused.stderr
        );
        let ok = check(&env, port, tls, true).ok();
        assert!(ok.stdout.contains("tls\tTLS"), "{tls}: {}", ok.stdout);
    }
    let plain = check(&env, env.server.pop3_port, "none", false);
    assert_ne!(plain.code, 0);
    assert!(plain.stderr.contains("unencrypted"), "{}", plain.stderr);
}

/// Feeds the worker's events to the app (and the app's commands to the worker) until `done`.
fn pump(
    h: &tern::imap::worker::Handle,
    app: &mut tern::ui::app::App,
    done: impl Fn(&Event) -> bool,
) {
    loop {
        let ev = h.events.recv_timeout(Duration::from_secs(30)).unwrap();
        assert!(!matches!(ev, Event::Failed { .. }), "{ev:?}");
        let stop = done(&ev);
        for cmd in app.on_event(ev) {
            h.commands.send(cmd).unwrap();
        }
        if stop {
            return;
        }
    }
}

#[test]
fn the_tui_shows_only_inbox_opens_a_message_and_deletes_on_the_server() {
    use support::ui::{WIDE, press, render, settings};
    let env = Env::start();
    let loaded = tern::config::load(&config(&env, "")).unwrap();
    let account = loaded.config.accounts[0].clone();
    let h = tern::backend::spawn(account.clone(), "wonderland".into());
    let (mut app, start) = tern::ui::app::App::new(settings("INBOX", WIDE));
    app.set_policy(tern::ui::triage::Policy::new(&loaded.config, &account));
    for cmd in start {
        h.commands.send(cmd).unwrap();
    }
    // The start opens INBOX before listing folders (cached rows first): wait for both.
    let (synced, listed) = (std::cell::Cell::new(false), std::cell::Cell::new(false));
    pump(&h, &mut app, |ev| {
        synced.set(synced.get() || matches!(ev, Event::SyncDone { .. }));
        listed.set(listed.get() || matches!(ev, Event::Folders(_)));
        synced.get() && listed.get()
    });
    let screen = render(&mut app, WIDE);
    assert!(screen.contains("Inbox"), "{screen}");
    assert!(!screen.contains("Trash"), "only INBOX: {screen}");
    let victim = app.selected_uid().expect("a selected row");
    for cmd in press(&mut app, "Enter") {
        h.commands.send(cmd).unwrap();
    }
    pump(&h, &mut app, |ev| matches!(ev, Event::PartData { .. }));
    let before = rows(&imap(&env, &["list", "INBOX"]).ok());
    for cmd in press(&mut app, "d") {
        h.commands.send(cmd).unwrap();
    }
    pump(&h, &mut app, |ev| matches!(ev, Event::Stored { .. }));
    assert_eq!(
        rows(&imap(&env, &["list", "INBOX"]).ok()),
        before,
        "d only marks"
    );
    let cmds = [press(&mut app, "$"), press(&mut app, "y")].concat();
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::Expunge { .. })),
        "{cmds:?}"
    );
    for cmd in cmds {
        h.commands.send(cmd).unwrap();
    }
    pump(&h, &mut app, |ev| matches!(ev, Event::Expunged { .. }));
    let after = rows(&imap(&env, &["list", "INBOX"]).ok());
    let expected: Vec<_> = before
        .into_iter()
        .filter(|r| r.0 != victim.to_string())
        .collect();
    assert_eq!(after, expected);
    h.shutdown();
}

/// Waits for the first event `pick` accepts, feeding nothing back.
fn wait_for<T>(h: &tern::imap::worker::Handle, pick: impl Fn(&Event) -> Option<T>) -> T {
    loop {
        let ev = h.events.recv_timeout(Duration::from_secs(30)).unwrap();
        assert!(!matches!(ev, Event::Failed { .. }), "{ev:?}");
        if let Some(t) = pick(&ev) {
            return t;
        }
    }
}

/// Opens INBOX; its IDs, newest first.
fn select(h: &tern::imap::worker::Handle) -> Vec<Uid> {
    h.commands
        .send(Cmd::Select {
            folder: Folder::named("INBOX"),
            read_only: false,
            first_screen: 50,
        })
        .unwrap();
    let ids = wait_for(h, |ev| match ev {
        Event::Selected { uids, .. } => Some(uids.clone()),
        _ => None,
    });
    wait_for(h, |ev| matches!(ev, Event::SyncDone { .. }).then_some(()));
    ids
}

#[test]
fn polling_shows_new_mail_as_arrivals() {
    let env = Env::start();
    let loaded = tern::config::load(&config(&env, "poll_interval_secs = 1")).unwrap();
    let h = tern::backend::spawn(loaded.config.accounts[0].clone(), "wonderland".into());
    select(&h);
    env.server
        .append(
            "alice",
            "INBOX",
            b"From: New <new@example.org>\r\nSubject: Fresh arrival\r\n\r\nhello\r\n",
            &[],
            None,
        )
        .unwrap();
    let arrived = wait_for(&h, |ev| match ev {
        Event::Arrived { uids, .. } => Some(uids.clone()),
        _ => None,
    });
    let row = wait_for(&h, |ev| match ev {
        Event::Summaries { chunk, .. } => chunk.first().cloned(),
        _ => None,
    });
    assert_eq!(arrived, [row.uid]);
    assert_eq!(&*row.subject, "Fresh arrival");
    h.shutdown();
}

#[test]
fn leave_on_server_false_removes_downloaded_mail_there_and_keeps_it_here() {
    let env = Env::start();
    let loaded = tern::config::load(&config(&env, "leave_on_server = false")).unwrap();
    let h = tern::backend::spawn(loaded.config.accounts[0].clone(), "wonderland".into());
    let ids = select(&h);
    let newest = ids[0];
    for &uid in &ids[1..] {
        let req = u64::from(uid);
        let folder = Folder::named("INBOX");
        assert!(matches!(
            call(&h, Cmd::FetchRaw { req, folder, uid }),
            Event::Raw { .. }
        ));
    }
    // Removed at the session's QUIT: every downloaded one, not the one never opened.
    h.shutdown();
    let left = rows(&imap(&env, &["list", "INBOX"]).ok());
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].0, newest.to_string());
    assert_eq!(rows(&pop3(&env, &["list", "INBOX"]).ok()).len(), ids.len());
    let nested = env.uid("INBOX", "nested.eml").to_string();
    let part = pop3(&env, &["parts", "INBOX", &nested]).ok();
    assert!(
        part.stdout.contains("4.2.2.1\ttext/plain"),
        "{}",
        part.stdout
    );
}

/// The "done means", by the command line: a newcomer's account (only the keys a
/// newcomer writes; the store in the default data directory), the list before any message
/// is downloaded, the HTML newsletter read as text, part 4.2.2.1 of the nested message saved
/// by its section number, one message deleted, and the server left with exactly the rest.
#[test]
fn a_newcomer_lists_reads_saves_a_part_deletes_one_and_the_server_keeps_the_rest() {
    let env = Env::start();
    let path = env.home.path().join("newcomer.toml");
    std::fs::write(
        &path,
        format!(
            "[[account]]\nname = \"isp mail\"\nprotocol = \"pop3\"\nhost = \"127.0.0.1\"\n\
             port = {}\ntls = \"starttls\"\naccept_invalid_certs = true\nusername = \"alice\"\n\
             password_env = \"TERN_TEST_PASSWORD\"\n",
            env.server.pop3_port
        ),
    )
    .unwrap();
    let data = env.home.path().join("data");
    let tern = |args: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tern"));
        cmd.arg("--config").arg(&path).args(args);
        cmd.env("TERN_TEST_PASSWORD", "wonderland")
            .env("XDG_DATA_HOME", &data);
        support::run(cmd).ok()
    };
    let server_rows = || rows(&imap(&env, &["list", "INBOX"]).ok());
    let before = server_rows();

    let first = rows(&tern(&["list", "INBOX", "--limit", "5"]));
    assert_eq!(first, before[..5], "the first screen, newest first");
    let store = data.join("tern/pop3/isp_mail");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&store).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o700);
    let downloaded = || std::fs::read_dir(store.join("msg")).unwrap().count();
    assert_eq!(downloaded(), 0, "listed from headers only");

    let newsletter = env.uid("INBOX", "html_only_qp.eml").to_string();
    let text = tern(&["read", "INBOX", &newsletter]).stdout;
    assert!(
        text.contains("Subject: 欢迎加入 SegmentFault 问答社区"),
        "{text}"
    );
    assert!(text.contains("最专业的中文开发者社区"), "{text}");
    for junk in ["=3D", "<div", "<img", "\x1b"] {
        assert!(!text.contains(junk), "{junk:?} leaked into:\n{text}");
    }

    let nested = env.uid("INBOX", "nested.eml").to_string();
    let out = env.home.path().join("part-4.2.2.1.txt");
    let out_arg = out.to_str().unwrap();
    tern(&["save", "INBOX", &nested, "4.2.2.1", "-o", out_arg]);
    let expected = std::fs::read(fixtures().join("nested.expected/part-4.2.2.1.txt")).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), expected);
    assert_eq!(downloaded(), 2, "only the two opened");

    let victim = env.uid("INBOX", "plain.eml").to_string();
    assert_eq!(tern(&["delete", "INBOX", &victim]).stdout.trim(), victim);
    let rest: Vec<_> = before.into_iter().filter(|r| r.0 != victim).collect();
    assert_eq!(server_rows(), rest, "the server holds exactly the rest");
    assert_eq!(rows(&tern(&["list", "INBOX"])), rest);
}

/// Sets when the store says message `id` was downloaded to `days` ago (the index is text,
/// one tab-separated line per message: id, uidl, flags, downloaded, …).
fn downloaded_days_ago(store: &std::path::Path, id: &str, days: i64) {
    let index = store.join("index");
    let when = (chrono::Utc::now().timestamp() - days * 86_400).to_string();
    let text: Vec<String> = std::fs::read_to_string(&index)
        .unwrap()
        .lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split('\t').collect();
            if fields[0] == id {
                assert_ne!(fields[3], "-", "{id} was downloaded");
                fields[3] = &when;
            }
            fields.join("\t")
        })
        .collect();
    std::fs::write(&index, text.join("\n") + "\n").unwrap();
}

#[test]
fn delete_after_days_removes_only_mail_downloaded_that_long_ago_and_keeps_the_copy() {
    let env = Env::start();
    // A file of its own: `imap()` rewrites the shared one without the key.
    let path = env.home.path().join("expiry.toml");
    std::fs::copy(config(&env, "delete_after_days = 3"), &path).unwrap();
    let tern = |args: &[&str]| tern_with(&path, "wonderland", args).ok();
    let before = rows(&imap(&env, &["list", "INBOX"]).ok());
    let old = env.uid("INBOX", "nested.eml").to_string();
    let recent = env.uid("INBOX", "plain.eml").to_string();
    let old_bytes = tern(&["export", "INBOX", &old]).raw_stdout;
    tern(&["export", "INBOX", &recent]);
    assert_eq!(
        rows(&imap(&env, &["list", "INBOX"]).ok()),
        before,
        "nothing is three days old yet"
    );
    downloaded_days_ago(&env.home.path().join("store"), &old, 4);
    downloaded_days_ago(&env.home.path().join("store"), &recent, 2);
    // Any session commits the expiry at its QUIT.
    let listed = rows(&tern(&["list", "INBOX"]));
    assert_eq!(listed, before, "the local list still has every message");
    let rest: Vec<_> = before.iter().filter(|r| r.0 != old).cloned().collect();
    assert_eq!(rows(&imap(&env, &["list", "INBOX"]).ok()), rest);
    assert_eq!(tern(&["export", "INBOX", &old]).raw_stdout, old_bytes);
}

#[test]
fn flags_are_kept_locally_across_sessions_and_never_reach_the_server() {
    let env = Env::start();
    let id = env.uid("INBOX", "gbk.eml").to_string();
    let flags = |run: Run| run.rows().into_iter().find(|r| r[0] == id).unwrap()[2].clone();
    assert!(!flags(pop3(&env, &["list", "INBOX"]).ok()).contains("\\Flagged"));
    pop3(&env, &["mark", "INBOX", &id, "+flagged"]).ok();
    assert!(flags(pop3(&env, &["list", "INBOX"]).ok()).contains("\\Flagged"));
    assert!(!flags(imap(&env, &["list", "INBOX"]).ok()).contains("\\Flagged"));
}

#[test]
fn pop3_download_all_fetches_every_message_in_the_background_and_leaves_them_there() {
    let env = Env::start();
    let path = env.home.path().join("all.toml");
    std::fs::copy(config(&env, "pop3_download = \"all\""), &path).unwrap();
    let loaded = tern::config::load(&path).unwrap();
    let h = tern::backend::spawn(loaded.config.accounts[0].clone(), "wonderland".into());
    let ids = select(&h);
    let stored = || {
        std::fs::read_dir(env.home.path().join("store/msg"))
            .unwrap()
            .count()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while stored() < ids.len() {
        assert!(
            std::time::Instant::now() < deadline,
            "{} of {}",
            stored(),
            ids.len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    h.shutdown();
    assert_eq!(rows(&imap(&env, &["list", "INBOX"]).ok()).len(), ids.len());
}
