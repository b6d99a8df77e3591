//! The header cache against a real Dovecot: after any server-side changes by another session
//! (new, expunged, flag changes, UIDVALIDITY reset) a warm start shows exactly the server's
//! state — with QRESYNC, with CONDSTORE only, and with neither; and a `kill -9` during a cache
//! write leaves a cache that still works. The TUI shows the cached rows before the login ends.

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::dovecot::Seeding;
use support::{Env, tern_with};
use tern::devserver::DovecotOptions;
use tern::msg::{Cmd, ConnState, Event, Folder};

/// (UID, flags) of every message, as an independent session sees it.
fn server_state(env: &Env, folder: &str) -> Vec<(u32, String)> {
    let mut s = env.server.session("alice").unwrap();
    s.examine(folder).unwrap();
    let fetches = s.uid_fetch("1:*", "(UID FLAGS)").unwrap();
    let mut rows: Vec<(u32, String)> = fetches
        .iter()
        .map(|f| {
            let mut names: Vec<String> = f
                .flags()
                .iter()
                .map(|fl| fl.to_string())
                .filter(|n| n != "\\Recent")
                .collect();
            names.sort();
            (f.uid.unwrap(), names.join(" "))
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    rows
}

/// Sorted as [`server_state`]: the list's own order is by date, which is not the point here.
fn tern_state(stdout: &str) -> Vec<(u32, String)> {
    let mut rows: Vec<(u32, String)> = stdout
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            // `@` marks attachments; it is no flag.
            let mut names: Vec<&str> = f[2]
                .split(' ')
                .filter(|n| !n.is_empty() && !matches!(*n, "\\Recent" | "@"))
                .collect();
            names.sort();
            (f[0].parse().unwrap(), names.join(" "))
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    rows
}

fn cached_config(env: &Env) -> std::path::PathBuf {
    let cache = env.home.path().join("cache.redb");
    env.config(&format!("cache_file = \"{}\"", cache.display()))
}

fn list(config: &std::path::Path, folder: &str) -> (Vec<(u32, String)>, String) {
    let run = tern_with(config, "wonderland", &["list", folder, "--timings"]).ok();
    (tern_state(&run.stdout), run.stderr)
}

fn churn(env: &Env) {
    let mut s = env.server.session("alice").unwrap();
    s.select("INBOX").unwrap();
    s.uid_store("2,4", "+FLAGS (\\Flagged \\Answered)").unwrap();
    s.uid_store("1", "-FLAGS (\\Seen)").unwrap();
    s.uid_store("5,6", "+FLAGS (\\Deleted)").unwrap();
    s.uid_expunge("5,6").unwrap();
    drop(s);
    for n in 0..2 {
        let msg = format!("Subject: new {n}\r\nFrom: x@example.com\r\n\r\nhi\r\n");
        env.server
            .append("alice", "INBOX", msg.as_bytes(), &["\\Seen"], None)
            .unwrap();
    }
}

fn warm_start_matches_the_server(opts: DovecotOptions) {
    let env = Env::with(opts);
    let config = cached_config(&env);
    let (cold, _) = list(&config, "INBOX");
    assert_eq!(cold, server_state(&env, "INBOX"));
    churn(&env);
    let (warm, timings) = list(&config, "INBOX");
    assert_eq!(
        warm,
        server_state(&env, "INBOX"),
        "warm start = server state"
    );
    // The cached rows were there before the connection was.
    let field = |name: &str| -> u64 {
        timings
            .split(['\t', '\n'])
            .find_map(|f| f.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} in {timings}"))
    };
    assert!(field("first_rows_ms") <= field("connected_ms"), "{timings}");
    // And nothing changed: the next start agrees too.
    let (again, _) = list(&config, "INBOX");
    assert_eq!(again, server_state(&env, "INBOX"));
}

#[test]
fn warm_start_with_qresync() {
    warm_start_matches_the_server(DovecotOptions::default());
}

#[test]
fn warm_start_with_condstore_only() {
    warm_start_matches_the_server(DovecotOptions {
        capabilities: Some(
            "IMAP4rev1 LITERAL+ UIDPLUS ID ENABLE IDLE CONDSTORE SPECIAL-USE".into(),
        ),
        ..DovecotOptions::default()
    });
}

#[test]
fn warm_start_without_condstore() {
    warm_start_matches_the_server(DovecotOptions {
        capabilities: Some("IMAP4rev1 LITERAL+ UIDPLUS ID IDLE SPECIAL-USE".into()),
        ..DovecotOptions::default()
    });
}

#[test]
fn a_recreated_folder_is_not_confused_with_its_cache() {
    let env = Env::start();
    let config = cached_config(&env);
    let (cold, _) = list(&config, "Work/Projects");
    assert_eq!(cold.len(), 1);
    let mut s = env.server.session("alice").unwrap();
    s.delete("Work/Projects").unwrap();
    s.create("Work/Projects").unwrap();
    drop(s);
    for n in 0..3 {
        let msg = format!("Subject: again {n}\r\n\r\nx\r\n");
        env.server
            .append("alice", "Work/Projects", msg.as_bytes(), &[], None)
            .unwrap();
    }
    let (warm, _) = list(&config, "Work/Projects");
    assert_eq!(warm, server_state(&env, "Work/Projects"));
    assert_eq!(warm.len(), 3);
}

#[test]
fn a_recreated_folder_never_shows_its_old_messages_from_the_cache() {
    let env = Env::start();
    let config = cached_config(&env);
    let put = |text: &str| {
        let msg = format!("Subject: {text}\r\nFrom: a@example.com\r\n\r\n{text} body\r\n");
        env.server
            .append("alice", "Work/Projects", msg.as_bytes(), &[], None)
            .unwrap()
    };
    let mut s = env.server.session("alice").unwrap();
    s.delete("Work/Projects").unwrap();
    s.create("Work/Projects").unwrap();
    let uid = put("before").to_string();
    list(&config, "Work/Projects");
    let read = || tern_with(&config, "wonderland", &["read", "Work/Projects", &uid]).ok();
    assert!(read().stdout.contains("before body"));

    s.delete("Work/Projects").unwrap();
    // Dovecot gives a folder recreated within the same second the same UIDVALIDITY.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    s.create("Work/Projects").unwrap();
    drop(s);
    assert_eq!(
        put("after").to_string(),
        uid,
        "the same UID, another message"
    );
    let now = read().stdout;
    assert!(now.contains("after body"), "{now}");
    assert!(!now.contains("before"), "{now}");
}

#[test]
fn kill_9_during_a_cache_write_leaves_a_working_cache() {
    let env = Env::start();
    env.server.create_folder("alice", "Big").unwrap();
    let messages = (0..20_000)
        .map(|i| format!("Subject: m{i}\r\nFrom: a@example.com\r\n\r\nbody\r\n").into_bytes());
    env.server
        .seed_maildir_bulk("alice", "Big", messages)
        .unwrap();
    let config = cached_config(&env);
    let cache = env.home.path().join("cache.redb");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tern"))
        .args(["--config", config.to_str().unwrap(), "list", "Big"])
        .env("TERN_TEST_PASSWORD", "wonderland")
        .env("XDG_STATE_HOME", env.home.path())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once the cache is being written, before the sync can finish.
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::metadata(&cache).map_or(0, |m| m.len()) < 200_000 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let (after, _) = list(&config, "Big");
    assert_eq!(after.len(), 20_000);
    assert_eq!(after, server_state(&env, "Big"));
    let (warm, _) = list(&config, "Big");
    assert_eq!(warm, after);
}

#[test]
fn local_search_reads_the_cache_without_the_server() {
    let mut env = Env::start();
    let config = cached_config(&env);
    list(&config, "INBOX");
    list(&config, "其他文件夹");
    env.server.stop();
    let search = |args: &[&str]| {
        let mut all = vec!["search", "--local"];
        all.extend(args);
        tern_with(&config, "", &all).ok().rows()
    };
    let rows = search(&["KOLN"]);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][0], "INBOX");
    assert!(rows[0][5].contains("Köln"), "{rows:?}");
    // Case and accents ignored, several words all required, CJK substrings.
    assert_eq!(search(&["jorg", "muller"]).len(), 1);
    let cjk = search(&["张三"]);
    assert_eq!(
        cjk.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(),
        ["INBOX", "其他文件夹"]
    );
    let only = search(&["--folder", "其他文件夹", "张三"]);
    assert_eq!(only.len(), 1);
    assert_eq!(only[0][0], "其他文件夹");

    // Another tern writing the cache (a TUI left open) does not stop the search, which
    // reads it and leaves it whole.
    let writer = tern::cache::Cache::open(&env.home.path().join("cache.redb")).unwrap();
    assert!(!writer.read_only());
    assert_eq!(search(&["KOLN"]).len(), 1);
    let before = search(&["a"]).len();
    assert!(writer.load("INBOX").unwrap().unwrap().summaries.len() > 1);
    drop(writer);
    assert_eq!(search(&["a"]).len(), before, "nothing lost");
}

#[test]
fn a_message_read_once_opens_again_from_the_cache_even_offline() {
    let mut env = Env::start();
    let config = cached_config(&env);
    list(&config, "INBOX");
    let uid = env.uid("INBOX", "mixed_attachments.eml").to_string();
    let read = || tern_with(&config, "wonderland", &["read", "INBOX", &uid, "--timings"]).ok();
    let received = |stderr: &str| -> u64 {
        stderr
            .split(['\t', '\n'])
            .find_map(|f| f.strip_prefix("bytes_received="))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("bytes_received in {stderr}"))
    };
    let first = read();
    assert!(first.stdout.contains("Subject:"), "{}", first.stdout);
    assert!(received(&first.stderr) > 0);
    let again = read();
    assert_eq!(again.stdout, first.stdout);
    // Online the folder is opened (its UIDVALIDITY checked); structure and text are not
    // fetched again.
    assert!(
        received(&again.stderr) < received(&first.stderr),
        "structure and text from the cache: {} then {}",
        received(&first.stderr),
        received(&again.stderr)
    );

    // Saving attachments fetches them, but does not copy them into the cache.
    for section in ["2", "3"] {
        let saved = tern_with(
            &config,
            "wonderland",
            &["save", "INBOX", &uid, section, "-o", "-"],
        );
        assert!(!saved.ok().raw_stdout.is_empty());
    }
    let file = std::fs::read(env.home.path().join("cache.redb")).unwrap();
    let holds = |probe: &[u8]| file.windows(probe.len()).any(|w| w == probe);
    assert!(holds(b"Hi Bob, the report"), "the body text is cached");
    assert!(!holds(b"JVBERi0xLjQKJeLjz9MK"), "the PDF is not");
    assert!(!holds(b"ship the demo"), "nor a text attachment");

    env.server.stop();
    let offline = read();
    assert_eq!(
        offline.stdout, first.stdout,
        "readable with the server stopped"
    );
    let parts = tern_with(&config, "", &["parts", "INBOX", &uid]).ok();
    assert!(parts.stdout.contains("application/pdf"), "{}", parts.stdout);
    let save = tern_with(&config, "", &["save", "INBOX", &uid, "2", "-o", "-"]);
    assert_ne!(save.code, 0, "the attachment needs the server");
}

#[test]
fn the_worker_serves_messages_read_before_while_offline() {
    let mut env = Env::start();
    let config = cached_config(&env);
    let account = tern::config::load(&config).unwrap().config.accounts[0].clone();
    let uid = env.uid("INBOX", "alt_qp_html.eml");
    let h = tern::imap::worker::spawn(account, "wonderland".into());
    let until = |want: &dyn Fn(&Event) -> bool| loop {
        let ev = h.events.recv_timeout(Duration::from_secs(30)).unwrap();
        assert!(!matches!(ev, Event::Failed { req: Some(_), .. }), "{ev:?}");
        if want(&ev) {
            return ev;
        }
    };
    let open = |req| {
        let cmd = Cmd::FetchStructure {
            req,
            folder: Folder::named("INBOX"),
            uid,
        };
        h.commands.send(cmd).unwrap();
        let Event::Structure { root, .. } = until(&|e| e.req() == Some(req)) else {
            panic!("no structure");
        };
        let mut texts = Vec::new();
        for (i, part) in tern::mime::display_parts(&root).into_iter().enumerate() {
            let req = req * 100 + i as u64;
            let cmd = Cmd::FetchPart {
                req,
                folder: Folder::named("INBOX"),
                uid,
                section: part.section.clone(),
            };
            h.commands.send(cmd).unwrap();
            let Event::PartData { bytes, .. } = until(&|e| e.req() == Some(req)) else {
                panic!("no part");
            };
            texts.push(bytes);
        }
        texts
    };
    h.commands
        .send(Cmd::Select {
            folder: Folder::named("INBOX"),
            read_only: true,
            first_screen: 50,
        })
        .unwrap();
    until(&|e| matches!(e, Event::SyncDone { .. }));
    let online = open(1);
    assert!(!online.is_empty());

    env.server.stop();
    let search = Cmd::Search {
        req: 2,
        folder: Folder::named("INBOX"),
        query: tern::search::parse("x").unwrap(),
    };
    h.commands.send(search).unwrap();
    let mut offline = false;
    loop {
        match h.events.recv_timeout(Duration::from_secs(30)).unwrap() {
            Event::Conn(ConnState::Offline { .. }) => offline = true,
            Event::Failed { req: Some(2), .. } => break,
            _ => {}
        }
    }
    assert!(offline, "the worker knows the server is gone");
    assert_eq!(open(3), online, "the same message, from the cache");
    h.shutdown();
}

/// The TUI's start against a server that accepts the connection but never greets: the cached
/// rows reach the screen while the login still waits, and a wrong password is still asked for.
#[test]
fn cached_rows_are_on_screen_before_the_login() {
    use support::scripted::{Reply, Script, Server};
    use support::ui::{WIDE, listed, render, settings};

    let env = Env::start();
    let config = cached_config(&env);
    let (cached, _) = list(&config, "INBOX");
    let mut newest_first: Vec<u32> = cached.iter().map(|(uid, _)| *uid).collect();
    newest_first.sort_unstable_by(|a, b| b.cmp(a));
    let mut account = tern::config::load(&config).unwrap().config.accounts[0].clone();

    // Feeds every worker event to the app until the cached rows are all on screen; says
    // whether they came before the login attempt ended (connected, refused or timed out), and
    // the attempt's end if it came meanwhile.
    let start = |account: tern::config::Account, password: &str| {
        let (mut app, cmds) = tern::ui::app::App::new(settings("INBOX", WIDE));
        let h = tern::imap::worker::spawn(account, password.into());
        for cmd in cmds {
            h.commands.send(cmd).unwrap();
        }
        let (mut before_login, mut ended) = (true, None);
        let mut subjects = Vec::new();
        while subjects.len() < newest_first.len() {
            let ev = h.events.recv_timeout(Duration::from_secs(30)).unwrap();
            match &ev {
                Event::Conn(ConnState::Offline { retry_in, .. }) => {
                    before_login = false;
                    ended = Some(*retry_in);
                }
                Event::Conn(ConnState::Connected(_)) | Event::Failed { .. } => before_login = false,
                Event::Summaries { chunk, .. } | Event::CachedSummaries { chunk, .. } => {
                    subjects.extend(chunk.iter().map(|s| s.subject.clone()));
                }
                _ => {}
            }
            app.on_event(ev);
        }
        let mut shown = listed(&app);
        shown.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(shown, newest_first);
        let screen = render(&mut app, WIDE);
        let on_screen = |s: &str| {
            let head: String = s.chars().take(12).collect();
            head.is_ascii() && !head.trim().is_empty() && screen.contains(&head)
        };
        assert!(
            subjects.iter().any(|s| on_screen(s)),
            "{subjects:?} in\n{screen}"
        );
        (h, app, before_login, ended)
    };

    let mute = Server::start(Script::new().greeting(|_| Reply::Stall(Vec::new())));
    account.port = Some(mute.port);
    let (h, _, before_login, _) = start(account.clone(), "wonderland");
    assert!(
        before_login,
        "the rows waited for a server that never greets"
    );
    // Ends the stalled greeting, so the worker can take the shutdown.
    drop(mute);
    h.shutdown();

    account.port = Some(env.server.imap_port);
    let (h, mut app, _, ended) = start(account, "wrong");
    let retry_in = ended.unwrap_or_else(|| {
        loop {
            let ev = h.events.recv_timeout(Duration::from_secs(30)).unwrap();
            let end = match &ev {
                Event::Conn(ConnState::Offline { retry_in, .. }) => Some(*retry_in),
                _ => None,
            };
            app.on_event(ev);
            if let Some(end) = end {
                break end;
            }
        }
    });
    assert_eq!(retry_in, None, "a wrong password is refused, not retried");
    assert!(app.overlays().prompt().is_some(), "and asked for again");
    h.shutdown();
}

/// A folder of several thousand cached rows, against a server that never greets and with
/// nothing listening: the first rows the worker hands over are the newest (and the oldest),
/// on screen at once; the rest follow, then the whole list, each row once, all before the
/// login ends.
#[test]
fn a_big_folder_shows_its_newest_cached_rows_first_and_the_rest_after() {
    use support::scripted::{Reply, Script, Server};

    const COUNT: u32 = 6000;
    let env = Env::start();
    env.server.create_folder("alice", "Big").unwrap();
    // Dates in UID order, a minute apart: the newest by date is the highest UID.
    let messages = (0..COUNT).map(|i| {
        let (d, h, m) = (1 + i / 1440, i / 60 % 24, i % 60);
        format!("From: a@example.com\r\nSubject: row {i}\r\nDate: {d} Jan 2024 {h:02}:{m:02}:00 +0000\r\n\r\nbody\r\n")
            .into_bytes()
    });
    env.server
        .seed_maildir_bulk("alice", "Big", messages)
        .unwrap();
    let config = cached_config(&env);
    let (cached, _) = list(&config, "Big");
    assert_eq!(cached.len(), COUNT as usize);
    let newest_first: Vec<u32> = cached.iter().map(|(uid, _)| *uid).collect();
    let mut account = tern::config::load(&config).unwrap().config.accounts[0].clone();

    let mute = Server::start(Script::new().greeting(|_| Reply::Stall(Vec::new())));
    account.port = Some(mute.port);
    newest_cached_rows_first(account.clone(), &newest_first);
    drop(mute);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    account.port = Some(closed.local_addr().unwrap().port());
    drop(closed);
    newest_cached_rows_first(account, &newest_first);
}

/// Opens "Big" from the cache with `account`'s server out of reach and checks the order the
/// rows come in (see above).
fn newest_cached_rows_first(account: tern::config::Account, newest_first: &[u32]) {
    use std::collections::HashSet;
    use support::ui::{WIDE, listed, render, settings};

    let count = newest_first.len() as u32;
    let (mut app, cmds) = tern::ui::app::App::new(settings("Big", WIDE));
    let h = tern::imap::worker::spawn(account, "wonderland".into());
    for cmd in cmds {
        h.commands.send(cmd).unwrap();
    }
    let next = || {
        let ev = h.events.recv_timeout(Duration::from_secs(30)).unwrap();
        assert!(
            !matches!(
                ev,
                Event::Conn(ConnState::Connected(_) | ConnState::Offline { .. })
            ),
            "the login ended before the cached rows were all in: {ev:?}"
        );
        ev
    };
    let first = loop {
        let ev = next();
        let selected = match &ev {
            Event::Selected { uids, complete, .. } => {
                assert!(!complete, "only the first slice");
                Some(uids.clone())
            }
            Event::Summaries { .. } | Event::CachedSummaries { .. } | Event::Listed { .. } => {
                panic!("rows before the folder")
            }
            _ => None,
        };
        app.on_event(ev);
        if let Some(uids) = selected {
            break uids;
        }
    };
    assert!(
        first.contains(&count) && first.contains(&1),
        "both ends: {first:?}"
    );
    assert!(first.len() < newest_first.len() / 2);
    let mut seen: Vec<u32> = Vec::new();
    loop {
        let ev = next();
        let (rows, done) = match &ev {
            Event::Summaries { chunk, .. } => (chunk.iter().map(|s| s.uid).collect(), false),
            // The rows between the ends: into the store, listed with `Listed` in one sort.
            Event::CachedSummaries { chunk, .. } => {
                assert!(!seen.is_empty(), "the first slice comes first");
                (chunk.iter().map(|s| s.uid).collect(), false)
            }
            Event::Listed { uids, .. } => {
                assert_eq!(uids, newest_first, "every UID, newest first");
                (Vec::new(), true)
            }
            _ => (Vec::new(), false),
        };
        let shown_first = seen.is_empty() && !rows.is_empty();
        if shown_first {
            assert_eq!(rows, first, "the first rows are the first slice's");
        }
        seen.extend(rows);
        app.on_event(ev);
        if shown_first {
            let screen = render(&mut app, WIDE);
            assert!(screen.contains(&format!("row {}", count - 1)), "{screen}");
        }
        if done {
            break;
        }
    }
    let unique: HashSet<u32> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no row twice");
    assert_eq!(unique, newest_first.iter().copied().collect(), "none lost");
    assert_eq!(listed(&app), newest_first, "listed newest first by date");
    h.shutdown();
}
