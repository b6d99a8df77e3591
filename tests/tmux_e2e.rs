//! End to end: the real `tern` binary in a real terminal (tmux) against a seeded Dovecot.
//! Keys go in with `tmux send-keys`, the screen comes back with `capture-pane`; each test has
//! its own Dovecot and its own tmux server, and starts tern from a shell so it can check what
//! tern left behind when it exits (tty modes, alternate screen, cursor).

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::tmux::{DEADLINE, Tmux, eventually, terminal};
use support::{Env, fixtures};
use unicode_width::UnicodeWidthStr;

const WIDTH: u16 = 100;
const HEIGHT: u16 = 30;

/// Starts tern and waits until INBOX is listed and fully synced.
fn launch(t: &mut Tmux, config: &Path) -> String {
    t.launch_tern(config);
    t.wait_for("Plain text hello", DEADLINE);
    t.wait_for("INBOX · 10 messages", DEADLINE)
}

/// The part list's title.
const PARTS: &str = " Parts · ";

/// The `a/b` of a reader title such as `plain text · 12/40`.
fn reader_position(screen: &str, kind: &str) -> Option<(usize, usize)> {
    let at = screen.find(&format!("{kind} · "))? + kind.len() + " · ".len();
    let rest = &screen[at..];
    let end = rest.find(|c: char| !c.is_ascii_digit() && c != '/')?;
    let (a, b) = rest[..end].split_once('/')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

fn expected_part() -> Vec<u8> {
    std::fs::read(fixtures().join("nested.expected/part-4.2.2.1.txt")).expect("expected part")
}

/// Waits until tern has written `path` with the bytes of part 4.2.2.1 and says so. The file
/// decides, not the notice: an earlier save's notice can still be on screen.
fn saved(t: &Tmux, path: &Path) {
    let expected = expected_part();
    let deadline = Instant::now() + DEADLINE;
    loop {
        match std::fs::read(path) {
            Ok(bytes) if bytes == expected => break,
            got if Instant::now() >= deadline => panic!(
                "{} never held part 4.2.2.1 (nested.expected/part-4.2.2.1.txt); it holds \
                 {got:?}; the screen:\n{}",
                path.display(),
                t.capture()
            ),
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    t.wait_for("Saved part 4.2.2.1 to", DEADLINE);
}

/// Launch, list, open the nested message, read it, open the parts, save 4.2.2.1 by typed
/// section number and with `s`, resize narrow and back, quit with `q` — terminal restored.
#[test]
fn read_save_resize_and_quit() {
    let env = Env::start();
    let config = env.config("");
    let mut t = terminal(env.home.path());
    t.line("echo before-tern-$((6*7))");
    t.wait_for("before-tern-42", DEADLINE);

    let screen = launch(&mut t, &config);
    for subject in ["Nested MIME structure", "Report with two attachments"] {
        assert!(screen.contains(subject), "{subject} not listed:\n{screen}");
    }

    // Newest first: the hostile message (UID 10), then the nested one (UID 9).
    assert_eq!(env.uid("INBOX", "nested.eml"), 9);
    t.act(&["down", "open"]);
    let screen = t.wait_for("Part 4.2.2.1: Grüße 你好", DEADLINE);
    for text in [
        "Subject: Nested MIME structure (sections down to 4.2.2.2)",
        "Part 1: the top-level text.",
        "Part 3.1: text inside the forwarded message.",
    ] {
        assert!(screen.contains(text), "{text:?} not shown:\n{screen}");
    }
    assert!(reader_position(&screen, "plain text").is_some(), "{screen}");

    // The attachment pane, then save by typed section number.
    t.act(&["parts"]);
    t.wait_for(PARTS, DEADLINE);
    t.wait_for("application/octet-stream", DEADLINE);
    let by_section = env.downloads().join("by-section.txt");
    t.act(&["command"]);
    t.line(&format!("save 4.2.2.1 {}", by_section.display()));
    saved(&t, &by_section);

    // The same part with `s` on the selected row: the last row is 4.2.2.2, one up is 4.2.2.1.
    t.act(&["bottom", "up", "save_part"]);
    saved(&t, &env.downloads().join("part-4.2.2.1.txt"));

    // Narrow: one pane at a time, the focused one (the parts).
    t.resize(60, 20);
    let narrow = t.wait_until("the 60x20 layout", DEADLINE, |s| {
        s.lines().count() <= 20 && s.contains("4.2.2.1") && !s.contains("Folders")
    });
    assert!(
        narrow.lines().all(|l| l.width() <= 60),
        "wider than the window:\n{narrow}"
    );
    assert!(!narrow.contains("Part 1: the top-level text."), "{narrow}");
    t.resize(WIDTH, HEIGHT);
    let wide = t.wait_until("the 100x30 layout again", DEADLINE, |s| {
        s.contains("Folders") && s.contains(PARTS)
    });
    assert!(wide.contains("Subject: Nested MIME structure"), "{wide}");
    assert!(wide.contains("4.2.2.1 text/plain"), "{wide}");

    // The part cursor survived the resizes: `s` saves 4.2.2.1 again, under a fresh name.
    t.act(&["save_part"]);
    saved(&t, &env.downloads().join("part-4.2.2.1 (1).txt"));

    // q: parts → reader → list (the list selection is still the nested message) → quit.
    t.act(&["back"]);
    t.wait_until("the parts pane to close", DEADLINE, |s| !s.contains(PARTS));
    t.act(&["back"]);
    t.wait_until("the reader to close", DEADLINE, |s| {
        !s.contains("Part 1: the top-level text.")
    });
    t.act(&["open"]);
    t.wait_for("Part 1: the top-level text.", DEADLINE);
    t.act(&["back"]);
    t.wait_until("the reader to close", DEADLINE, |s| {
        !s.contains("Part 1: the top-level text.")
    });
    t.act(&["back"]);
    t.wait_for("Quit tern? (y/N)", DEADLINE);
    t.press("y");
    let exit = t.exited();
    assert_eq!(exit.code, 0, "{}", exit.screen);
    assert!(
        exit.screen.contains("before-tern-42"),
        "the shell's output from before tern is not back:\n{}",
        exit.screen
    );
}

/// The Chinese-named folders by `:folder` and by walking the tree, and the HTML-only
/// newsletter read as clean text from top to bottom.
#[test]
fn chinese_folder_and_html_newsletter() {
    let env = Env::start();
    let config = env.config("");
    let mut t = terminal(env.home.path());
    launch(&mut t, &config);

    t.act(&["command"]);
    t.line("folder 其他文件夹");
    t.wait_for("其他文件夹 · 2 messages", DEADLINE);
    let screen = t.wait_until("the folder's messages", DEADLINE, |s| {
        s.contains("Plain text hello") && !s.contains("Nested MIME")
    });
    assert!(screen.contains("其他文件夹 · 2 messages"), "{screen}");

    // Back in the tree: from the list, prev_pane (`h`) moves to the folders; the child folder
    // is the last row.
    t.act(&["prev_pane", "bottom", "open"]);
    t.wait_for("其他文件夹/QQ邮件订阅 · 1 message", DEADLINE);
    let screen = t.wait_for("欢迎加入 SegmentFault 问答社区", DEADLINE);
    assert!(screen.contains("QQ邮件订阅"), "{screen}");

    t.act(&["open"]);
    let mut screen = t.wait_for("最专业的中文开发者社区", DEADLINE);
    let mut seen = String::new();
    // Page through the whole message; every screen must be clean text.
    for _ in 0..50 {
        let (at, total) = reader_position(&screen, "HTML")
            .unwrap_or_else(|| panic!("no HTML reader title:\n{screen}"));
        for bad in [
            "<div",
            "<img",
            "<a ",
            "href=",
            "=3D",
            "=E6",
            "text-decoration",
            "</",
        ] {
            assert!(!screen.contains(bad), "{bad:?} in the reader:\n{screen}");
        }
        seen.push_str(&screen);
        if at >= total {
            break;
        }
        t.act(&["page_down"]);
        screen = t.wait_until("the reader to scroll", DEADLINE, |s| {
            reader_position(s, "HTML").is_some_and(|(a, _)| a > at)
        });
    }
    for text in ["感谢您注册", "完成注册", "新浪微博"] {
        assert!(seen.contains(text), "{text} never shown");
    }
    t.keys(&["C-c"]);
    assert_eq!(t.exited().code, 0);
}

/// Escape sequences in the hostile message never reach the terminal: no title change, no
/// screen clear, nothing of them on screen — in the list, the reader and the part list.
#[test]
fn hostile_message_cannot_drive_the_terminal() {
    let env = Env::start();
    let config = env.config("");
    let mut t = terminal(env.home.path());
    let title = t.display("#{pane_title}");
    launch(&mut t, &config);

    let check = |t: &Tmux, what: &str| {
        let styled = t.capture_escapes();
        assert_only_colours(&styled, what);
        let plain = t.capture();
        for bad in ["pwned", "]0;", "2J", "[31m", "\u{7}", "\u{1b}", "\u{202e}"] {
            assert!(!plain.contains(bad), "{bad:?} in {what}:\n{plain}");
        }
        assert_eq!(
            t.display("#{pane_title}"),
            title,
            "the window title changed in {what}"
        );
    };
    // The hostile message is the newest, so the first row.
    t.wait_for("Invoice", DEADLINE);
    check(&t, "the list");
    t.act(&["open"]);
    t.wait_for("Subject: Invoice", DEADLINE);
    check(&t, "the reader");
    t.act(&["parts"]);
    t.wait_for("application/x-sh", DEADLINE);
    check(&t, "the part list");
    t.act(&["raw"]);
    t.wait_for("raw source · ", DEADLINE);
    t.wait_for("Subject: =?UTF-8?B?", DEADLINE);
    check(&t, "the raw source");
    t.act(&["back", "back", "back"]);
    t.wait_for("Quit tern? (y/N)", DEADLINE);
    t.press("y");
    let exit = t.exited();
    assert_eq!(exit.code, 0);
    assert_ne!(t.display("#{pane_title}"), "pwned");
}

/// `capture-pane -e` renders attributes as SGR sequences (`ESC [ … m`); anything else (an OSC,
/// a cursor move, a clear) would mean tern wrote it.
fn assert_only_colours(styled: &str, what: &str) {
    let mut rest = styled;
    while let Some(at) = rest.find('\u{1b}') {
        let seq = &rest[at + 1..];
        let params = seq
            .strip_prefix('[')
            .map(|s| s.trim_start_matches(|c: char| c.is_ascii_digit() || c == ';' || c == ':'));
        assert!(
            params.is_some_and(|p| p.starts_with('m')),
            "a non-colour escape sequence in {what}: {:?}",
            &seq[..seq.len().min(20)]
        );
        rest = seq;
    }
}

/// Ctrl-C quits from every pane and overlay, and SIGTERM and SIGHUP quit too; each time the
/// terminal is restored and tern exits with status 0.
#[test]
fn ctrl_c_and_sigterm_restore_the_terminal() {
    let env = Env::start();
    let config = env.config("");
    let mut t = terminal(env.home.path());

    // Each entry: actions that reach the place, text typed there, and what shows it is there.
    let places: [(&str, &[&str], &str, &str); 7] = [
        ("list", &[], "", "┏ INBOX"),
        ("folders", &["prev_pane", "down"], "", "┏ Folders"),
        ("reader", &["open"], "", "┏ plain text"),
        ("parts", &["open", "parts"], "", "┏ Parts"),
        ("help", &["help"], "", "Help ·"),
        ("command line", &["command"], "sa", "\n:sa"),
        ("quit question", &["back"], "", "Quit tern? (y/N)"),
    ];
    for (place, actions, text, shown) in places {
        launch(&mut t, &config);
        t.act(actions);
        if !text.is_empty() {
            t.type_text(text);
        }
        t.wait_for(shown, DEADLINE);
        t.keys(&["C-c"]);
        let exit = t.exited();
        assert_eq!(exit.code, 0, "Ctrl-C in the {place}:\n{}", exit.screen);
    }

    // SIGTERM and SIGHUP while a message is open; a process killed by the signal would give
    // 128 + N and leave the alternate screen on.
    for signal in ["TERM", "HUP"] {
        launch(&mut t, &config);
        t.act(&["open", "parts"]);
        t.wait_for(PARTS, DEADLINE);
        let pid = t.tern_pid();
        let killed = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(killed.success());
        let exit = t.exited();
        assert_eq!(exit.code, 0, "after SIG{signal}:\n{}", exit.screen);
    }
}

/// `o` on a text part with a `needsterminal` mailcap viewer: tern steps aside, the viewer has
/// the terminal (it shows the part and waits for Enter), and tern's screen comes back after.
#[test]
fn a_needsterminal_viewer_gets_the_terminal_and_gives_it_back() {
    let env = Env::start();
    let config = env.config("");
    let viewer = env.home.path().join("viewer.sh");
    std::fs::write(
        &viewer,
        "cat \"$1\"; echo viewer-ran-$((6*7)); read answer\n",
    )
    .unwrap();
    let mailcap = env.home.path().join("mailcap");
    std::fs::write(
        &mailcap,
        format!("text/plain; sh {} %s; needsterminal\n", viewer.display()),
    )
    .unwrap();
    let mut t = terminal(env.home.path());
    t.line(&format!("export MAILCAPS='{}' DISPLAY=", mailcap.display()));
    launch(&mut t, &config);
    t.act(&["down", "open"]);
    t.wait_for("Part 4.2.2.1: Grüße 你好", DEADLINE);
    t.act(&["parts"]);
    t.wait_for(PARTS, DEADLINE);
    // The last row is 4.2.2.2, one up is 4.2.2.1.
    t.act(&["bottom", "up"]);
    t.wait_for("4.2.2.1 text/plain", DEADLINE);
    t.act(&["open_part"]);
    let screen = t.wait_for("viewer-ran-42", DEADLINE);
    assert!(!screen.contains(PARTS), "tern still drawing:\n{screen}");
    assert!(screen.contains("Grüße"), "the part is not shown:\n{screen}");
    t.press("Enter");
    let screen = t.wait_until("tern's screen again", DEADLINE, |s| {
        s.contains(PARTS) && !s.contains("viewer-ran-42")
    });
    assert!(screen.contains("4.2.2.1 text/plain"), "{screen}");
    t.keys(&["C-c"]);
    assert_eq!(t.exited().code, 0);
}

/// Context switches of every thread of `pid` so far: how often the process woke up.
fn wakeups(pid: u32) -> u64 {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).expect("tern's threads");
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("status")).ok())
        .flat_map(|status| {
            status
                .lines()
                .filter(|l| l.contains("ctxt_switches:"))
                .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .collect::<Vec<_>>()
        })
        .sum()
}

/// Nothing due, nothing typed, nothing arriving: tern sleeps. IDLE blocks on its own thread,
/// the UI has no tick, terminal input blocks, and the send thread waits for a command. (Before,
/// a 250 ms tick redrew the screen and input was polled every 100 ms: over 40 wakeups in these
/// three seconds.) A key afterwards is still answered at once.
#[test]
fn an_idle_tern_does_not_wake_up() {
    let env = Env::start();
    let config = env.config("");
    let mut t = terminal(env.home.path());
    launch(&mut t, &config);
    let pid = t.tern_pid();
    // The idler's connection and the folder counts settle first.
    std::thread::sleep(Duration::from_secs(2));
    let before = wakeups(pid);
    std::thread::sleep(Duration::from_secs(3));
    let woke = wakeups(pid) - before;
    assert!(woke < 8, "tern woke {woke} times in 3 idle seconds");
    t.act(&["open"]);
    t.wait_for("┏ plain text", DEADLINE);
    t.act(&["back"]);
    t.wait_for("┏ INBOX", DEADLINE);
    t.quit();
}

/// A server that floods every folder list with untagged responses (issue 11, item 3): the
/// cap ends each answer with a clear line in the status bar, the connection is dropped and
/// made again (paced, not in a storm), tern stays usable and small, and the terminal is
/// restored on quit.
#[test]
fn a_capped_answer_leaves_the_tui_running_and_the_terminal_intact() {
    use support::scripted::{Reply, Script, Server};
    let server = Server::start(Script::new().on(|c| match c.verb.as_str() {
        "LIST" => Reply::Repeat {
            head: Vec::new(),
            unit: b"* OK still thinking\r\n".to_vec(),
            times: 50_000_000,
        },
        _ => Reply::Default,
    }));
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, server.config("")).unwrap();
    let mut t = terminal(home.path());
    t.launch_tern(&config);
    let screen = t.wait_for("untagged responses", DEADLINE);
    assert!(!screen.contains("panicked"), "{screen}");
    let pid = t.tern_pid();
    let hwm = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().to_string()))
        .unwrap();
    let kib: u64 = hwm.trim_end_matches(" kB").trim().parse().unwrap();
    assert!(kib < 300 << 10, "tern peaked at {hwm}");
    // The connection is made again, with backoff: a second login follows, not a storm.
    eventually("a new connection", DEADLINE, || {
        (server.connections() >= 2)
            .then_some(())
            .ok_or(format!("{} connection(s)", server.connections()))
    });
    std::thread::sleep(Duration::from_secs(3));
    let logins = server.log().iter().filter(|c| c.verb == "LOGIN").count();
    assert!(logins <= 4, "{logins} logins within seconds");
    // Still answering keys.
    t.act(&["help"]);
    t.wait_for("Help ·", DEADLINE);
    t.keys(&["C-c"]);
    let exit = t.exited();
    assert_eq!(exit.code, 0, "{}", exit.screen);
}
