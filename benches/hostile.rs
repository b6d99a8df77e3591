//! `cargo bench --bench hostile` (or `scripts/hostile-measure`): every server-side case of
//! issue 11 (hostile servers, crafted mail, bad local input) run against the release `tern`
//! binary, printing one Markdown table: what tern does now, its peak resident memory and
//! how long it took. The scripted cases use the fake server of `tests/support/scripted.rs`,
//! the mail cases a private Dovecot on loopback; a few run the worker in this process (a
//! reconnect storm needs a long-lived connection), and their memory is this whole process's.
//!
//! Under `cargo test --all-targets` it runs with smaller sizes and windows, so the harness
//! cannot rot.

#[path = "../tests/support/dovecot.rs"]
mod dovecot;
#[allow(dead_code)]
#[path = "../tests/support/scripted.rs"]
mod scripted;
#[allow(dead_code)]
#[path = "../tests/support/watched.rs"]
mod watched;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use dovecot::Seeding;
use scripted::{Command, Reply, Script, Server};
use tern::devserver::{Dovecot, DovecotOptions};
use tern::msg::{Cmd, Event, Folder};
use watched::{Run, run_tern, run_tern_as};

struct Row {
    item: &'static str,
    case: &'static str,
    now: String,
    rss_kib: Option<u64>,
    took: Option<Duration>,
}

struct Bench {
    full: bool,
    rows: Vec<Row>,
    home: tempfile::TempDir,
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let mut b = Bench {
        full,
        rows: Vec::new(),
        home: tempfile::tempdir().expect("tempdir"),
    };
    local_cases(&mut b);
    uid_set_cases(&mut b);
    buffering_cases(&mut b);
    worker_cases(&mut b);
    status_and_text_cases(&mut b);
    deadline_cases(&mut b);
    dovecot_cases(&mut b);
    print(&b.rows);
}

impl Bench {
    /// Runs `tern args` against `server` with `extra` config lines; the row says what it did.
    fn cli(
        &mut self,
        item: &'static str,
        case: &'static str,
        server: &Server,
        extra: &str,
        args: &[&str],
    ) {
        let run = self.run(&server.config(extra), "secret", args);
        self.push(item, case, &run, outcome(&run));
    }

    fn run(&self, config: &str, password: &str, args: &[&str]) -> Run {
        let home = tempfile::tempdir_in(self.home.path()).expect("tempdir");
        let path = home.path().join("config.toml");
        std::fs::write(&path, config).expect("write config");
        run_tern_as(&path, home.path(), password, args)
    }

    fn push(&mut self, item: &'static str, case: &'static str, run: &Run, now: String) {
        self.rows.push(Row {
            item,
            case,
            now,
            // Under 1 MiB: it exited before its memory could be read (within milliseconds).
            rss_kib: Some(run.max_rss_kib).filter(|k| *k >= 1024),
            took: Some(run.took),
        });
    }

    fn note(&mut self, item: &'static str, case: &'static str, now: &str) {
        self.rows.push(Row {
            item,
            case,
            now: now.into(),
            rss_kib: None,
            took: None,
        });
    }
}

/// Exit status and the line that says why: the error, or the first line printed.
fn outcome(run: &Run) -> String {
    let line = match run.code {
        0 => run.stdout.lines().next().unwrap_or("(no output)"),
        _ => run.stderr.lines().last().unwrap_or("(no message)"),
    };
    let line = line.replace('\t', " · ");
    let chars: Vec<char> = line.chars().collect();
    let line = match chars.len() {
        0..=120 => line,
        n => format!(
            "{}…{}",
            chars[..50].iter().collect::<String>(),
            chars[n - 65..].iter().collect::<String>()
        ),
    };
    format!("exit {}: {line}", run.code)
}

fn on(verb: &'static str, reply: fn(&Command) -> Reply) -> Server {
    Server::start(Script::new().on(move |c| {
        if c.verb == verb {
            reply(c)
        } else {
            Reply::Default
        }
    }))
}

fn flood_of(unit: &[u8]) -> Reply {
    Reply::Repeat {
        head: Vec::new(),
        unit: unit.to_vec(),
        times: 50_000_000,
    }
}

fn local_cases(b: &mut Bench) {
    b.note(
        "1",
        "`o` viewer folder hijack",
        "fresh 0700 folder with a random name (tempfile), files O_EXCL|O_NOFOLLOW, removed at exit (ui::viewer tests)",
    );
    // 11: a password_command that prints nothing.
    let server = Server::start(Script::new());
    let config = server.config("").replace(
        "password_env = \"TERN_TEST_PASSWORD\"",
        "password_command = \"true\"",
    );
    let run = b.run(&config, "", &["check"]);
    b.push("11", "password_command prints nothing", &run, outcome(&run));
    let config = server.config("").replace(
        "password_env = \"TERN_TEST_PASSWORD\"",
        "password_command = \"sleep 30 & echo secret\"",
    );
    let run = b.run(&config, "", &["check"]);
    b.push(
        "11",
        "password_command leaves a child holding stdout",
        &run,
        outcome(&run),
    );
    b.note(
        "11",
        "password_command hangs",
        "after a moment says it is waiting for the command (named); Ctrl-C cancels (config::password tests)",
    );
    b.note(
        "12",
        "escapes in username/host at the password prompt",
        "username and host sanitised before printing (config::password tests)",
    );
    b.note(
        "13",
        "file://, javascript:, bare paths as links",
        "only http, https and mailto opened; others shown and refused (ui::links tests)",
    );
}

fn uid_set_cases(b: &mut Bench) {
    let server = Server::start(
        Script::new()
            .capabilities("IMAP4rev1 ID ENABLE CONDSTORE QRESYNC UIDPLUS")
            .on(|c| match c.verb.as_str() {
                "SELECT" | "EXAMINE" if c.args.contains("QRESYNC") => Reply::Send(
                    [
                        &b"* OK [HIGHESTMODSEQ 6] m\r\n* VANISHED (EARLIER) 1:4294967295\r\n"[..],
                        &c.default_reply(),
                    ]
                    .concat(),
                ),
                "SELECT" | "EXAMINE" => {
                    Reply::Send([&b"* OK [HIGHESTMODSEQ 5] m\r\n"[..], &c.default_reply()].concat())
                }
                "UID COPY" => {
                    Reply::Send(c.tagged("OK [COPYUID 1 1:4294967295 1:4294967295] done"))
                }
                _ => Reply::Default,
            }),
    );
    // The header cache where tern keeps it: $XDG_CACHE_HOME/tern/<account>.redb.
    let home = tempfile::tempdir_in(b.home.path()).expect("tempdir");
    let config = home.path().join("config.toml");
    std::fs::write(&config, server.config("cache = true")).expect("config");
    let cache = home.path().join("tern/fake.redb");
    let cold = run_tern(&config, home.path(), &["list", "INBOX"]);
    let warm = run_tern(&config, home.path(), &["list", "INBOX"]);
    b.push(
        "2",
        "VANISHED (EARLIER) 1:4294967295 on a warm start",
        &warm,
        outcome(&warm),
    );
    let mode = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).map_or(0, |m| m.permissions().mode() & 0o777)
    };
    let modes = format!(
        "cache folder {:o}, cache file {:o}",
        mode(&home.path().join("tern")),
        mode(&cache)
    );
    b.push("5", "header cache written by `tern list`", &cold, modes);
    let run = b.run(
        &server.config(""),
        "secret",
        &["copy", "INBOX", "1:2", "Archive"],
    );
    let now = format!(
        "exit {}: copied; the COPYUID set wider than the folder is not expanded (no new UIDs printed)",
        run.code
    );
    b.push("2", "COPYUID 1:4294967295 after UID COPY", &run, now);
    let ranges: Vec<String> = (0..40u64)
        .map(|i| format!("{}:{}", i * 10_000_000 + 1, (i + 1) * 10_000_000))
        .collect();
    let set = ranges.join(",");
    let run = b.run(
        &server.config(""),
        "secret",
        &["mark", "INBOX", &set, "+seen"],
    );
    b.push(
        "10",
        "40 ranges of 10^7 UIDs on the command line",
        &run,
        outcome(&run),
    );
}

fn buffering_cases(b: &mut Bench) {
    let server = Server::start(Script::new().on(|c| {
        let raw = c.verb == "UID FETCH" && c.args.contains("BODY.PEEK[]");
        if c.verb == "UID FETCH" && c.args.contains("RFC822.SIZE") && !raw {
            Reply::Send(
                [
                    &b"* 1 FETCH (UID 1 RFC822.SIZE 2000)\r\n"[..],
                    &c.tagged("OK"),
                ]
                .concat(),
            )
        } else if raw {
            Reply::Flood {
                head: b"* 1 FETCH (UID 1 BODY[] {4294967295}\r\n".to_vec(),
                byte: b'x',
                len: 1 << 30,
            }
        } else {
            Reply::Default
        }
    }));
    b.cli(
        "3",
        "`{4294967295}` literal in BODY[]",
        &server,
        "",
        &["export", "INBOX", "1", "-o", "-"],
    );
    let server = on("LIST", |_| flood_of(b"* OK still thinking\r\n"));
    b.cli(
        "3",
        "endless untagged responses before LIST's tagged reply",
        &server,
        "",
        &["folders"],
    );
    let server = Server::start(Script::new().on(|c| {
        if (c.verb == "FETCH" || c.verb == "UID FETCH") && c.args.contains("HEADER.FIELDS") {
            flood_of(b"* 1 FETCH (UID 1 FLAGS ())\r\n")
        } else {
            Reply::Default
        }
    }));
    b.cli(
        "3",
        "endless FETCH rows for the summary fetch",
        &server,
        "",
        &["list", "INBOX"],
    );
    b.note(
        "3",
        "the TUI under a capped answer",
        "status bar names the cap, connection re-made with backoff, terminal restored (tests/tmux_e2e)",
    );
}

/// Waits up to `within` for an event `want` picks out; the events seen.
fn events_until(
    h: &tern::imap::worker::Handle,
    within: Duration,
    mut want: impl FnMut(&Event) -> bool,
) -> bool {
    let end = Instant::now() + within;
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        match h.events.recv_timeout(left) {
            Ok(e) if want(&e) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

fn worker_cases(b: &mut Bench) {
    // 4: `* NO` on every NOOP, polled every second, for a window.
    let server = Server::start(Script::new().on(|c| match c.verb.as_str() {
        "NOOP" => Reply::Send([&b"* NO [ALERT] disk trouble\r\n"[..], &c.tagged("OK")].concat()),
        _ => Reply::Default,
    }));
    let window = Duration::from_secs(if b.full { 60 } else { 3 });
    let started = Instant::now();
    let h = tern::imap::worker::spawn(server.account("poll_interval_secs = 1"), "x".into());
    let _ = h.commands.send(Cmd::Select {
        folder: Folder::named("INBOX"),
        read_only: false,
        first_screen: 50,
    });
    events_until(&h, window, |_| false);
    let logins = server.log().iter().filter(|c| c.verb == "LOGIN").count();
    let noops = server.log().iter().filter(|c| c.verb == "NOOP").count();
    h.shutdown();
    b.rows.push(Row {
        item: "4",
        case: "`* NO` answering every NOOP (poll every 1 s)",
        now: format!(
            "{logins} logins, {noops} NOOPs in {}s; the alert is shown",
            window.as_secs()
        ),
        rss_kib: own_hwm(),
        took: Some(started.elapsed()),
    });

    // 4: EXISTS larger than the UID list.
    let server = Server::start(Script::new().on(|c| {
        match c.verb.as_str() {
            "SELECT" | "EXAMINE" => Reply::Send(
                String::from_utf8_lossy(&c.default_reply())
                    .replace("* 3 EXISTS", "* 5000 EXISTS")
                    .into_bytes(),
            ),
            "UID SEARCH" => Reply::Send([&b"* SEARCH\r\n"[..], &c.tagged("OK done")].concat()),
            _ => Reply::Default,
        }
    }));
    b.cli(
        "4",
        "EXISTS 5000, UID SEARCH finds none",
        &server,
        "",
        &["list", "INBOX"],
    );

    // Also: ALERT at login and SELECT.
    let server = Server::start(Script::new().on(|c| {
        match c.verb.as_str() {
            "LOGIN" => Reply::Send(c.tagged("OK [ALERT] your password expires soon")),
            "SELECT" => Reply::Send(
                [
                    &b"* OK [ALERT] mailbox almost full\r\n"[..],
                    &c.default_reply(),
                ]
                .concat(),
            ),
            _ => Reply::Default,
        }
    }));
    let started = Instant::now();
    let h = tern::imap::worker::spawn(server.account(""), "x".into());
    let _ = h.commands.send(Cmd::Select {
        folder: Folder::named("INBOX"),
        read_only: false,
        first_screen: 50,
    });
    let mut shown = Vec::new();
    events_until(&h, Duration::from_secs(10), |e| {
        if let Event::Notice(t) = e {
            shown.push(t.clone());
        }
        shown.len() >= 2
    });
    h.shutdown();
    b.rows.push(Row {
        item: "Also",
        case: "`OK [ALERT]` at login and SELECT",
        now: format!("shown in the status bar: {}", shown.join(" / ")),
        rss_kib: own_hwm(),
        took: Some(started.elapsed()),
    });
}

/// This process's peak resident memory.
fn own_hwm() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn status_and_text_cases(b: &mut Bench) {
    let server = Server::start(Script::new().on(|c| match c.verb.as_str() {
        "LIST" => Reply::Send(
            [
                &b"* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\HasNoChildren) \"/\" Secret\r\n"[..],
                &c.tagged("OK done"),
            ]
            .concat(),
        ),
        "STATUS" if c.args.contains("Secret") => Reply::Send(c.tagged("NO [NOPERM] not yours")),
        _ => Reply::Default,
    }));
    b.cli(
        "7",
        "STATUS answered NO [NOPERM] for one folder",
        &server,
        "",
        &["folders"],
    );
    let server = on("EXAMINE", |c| {
        Reply::Send(
            [
                c.tag.as_bytes(),
                b" NO Zugriff verweigert f\xfcr Ordner\r\n",
            ]
            .concat(),
        )
    });
    b.cli(
        "6",
        "Latin-1 text in a tagged NO",
        &server,
        "",
        &["list", "INBOX"],
    );
    let server = on("UID SEARCH", |_| {
        Reply::Close("* BYE Wartung – bis später\r\n".as_bytes().to_vec())
    });
    b.cli("6", "UTF-8 text in BYE", &server, "", &["list", "INBOX"]);
    let server = Server::start(Script::new().on(|c| {
        match c.verb.as_str() {
            "LIST" | "LSUB" => Reply::Send(
                [
                    format!("* {} () \"/\" {{5}}\r\nA\\B\\C\r\n", c.verb).into_bytes(),
                    c.tagged("OK done"),
                ]
                .concat(),
            ),
            "STATUS" => Reply::Send(c.tagged("NO not counted")),
            _ => Reply::Default,
        }
    }));
    b.cli(
        "Also",
        "folder `A\\B\\C` sent as a literal",
        &server,
        "",
        &["folders"],
    );
}

fn deadline_cases(b: &mut Bench) {
    if b.full {
        let server = on("LIST", |c| Reply::Dribble {
            bytes: [
                b"* LIST (\\HasNoChildren) \"/\" INBOX\r\n".repeat(1000),
                c.tagged("OK done"),
            ]
            .concat(),
            every: Duration::from_millis(200),
        });
        b.cli(
            "9",
            "one byte every 200 ms (read timeout 1 s)",
            &server,
            "read_timeout_secs = 1",
            &["folders"],
        );
    } else {
        b.note("9", "one byte every 200 ms", "(run with --bench)");
    }
    let starttls = |reply: fn(&Command) -> Reply| {
        Server::start(
            Script::new()
                .capabilities("IMAP4rev1 STARTTLS")
                .on(move |c| {
                    if c.verb == "STARTTLS" {
                        reply(c)
                    } else {
                        Reply::Default
                    }
                }),
        )
    };
    let server = starttls(|_| flood_of(b"* OK hold on\r\n"));
    b.cli(
        "9",
        "endless `* OK` lines before the STARTTLS reply",
        &server,
        "tls = \"starttls\"",
        &["check"],
    );
    let server = starttls(|_| Reply::Flood {
        head: b"* OK ".to_vec(),
        byte: b'x',
        len: 1 << 30,
    });
    b.cli(
        "9",
        "one endless line before STARTTLS",
        &server,
        "tls = \"starttls\"",
        &["check"],
    );
}

/// A mail whose part 2 has `part_headers` and holds `body` (already encoded).
fn mail(part_headers: &[u8], body: &[u8]) -> Vec<u8> {
    [
        &b"From: a@example.com\r\nSubject: case\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nthe text\r\n--b\r\n"[..],
        part_headers,
        b"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
        body,
        b"\r\n--b--\r\n",
    ]
    .concat()
}

fn base64_lines(data: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(data);
    text.as_bytes()
        .chunks(76)
        .collect::<Vec<_>>()
        .join(&b"\r\n"[..])
}

fn dovecot_cases(b: &mut Bench) {
    let server = Dovecot::start(DovecotOptions::default()).expect("start dovecot");
    let downloads = b.home.path().join("downloads");
    std::fs::create_dir_all(&downloads).expect("downloads");
    let config = format!(
        "download_dir = \"{}\"\n[[account]]\nname = \"d\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nusername = \"alice\"\npassword_env = \"TERN_TEST_PASSWORD\"\ncache = false\n",
        downloads.display(),
        server.imap_port
    );
    let append = |raw: &[u8]| {
        server
            .append("alice", "INBOX", raw, &[], None)
            .expect("append")
            .to_string()
    };
    let named = |name: &[u8]| {
        [
            &b"Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\""[..],
            name,
            b"\"",
        ]
        .concat()
    };
    let cases = [
        (
            "6",
            "raw GB18030 attachment name",
            named(b"\xb1\xa8\xb8\xe6.pdf"),
        ),
        ("6", "raw Latin-1 attachment name", named(b"caf\xe9.txt")),
        (
            "Also",
            "attachment named `..\\..\\evil.bat`",
            named(br"..\\..\\evil.bat"),
        ),
    ];
    for (item, case, headers) in cases {
        let uid = append(&mail(&headers, b"aGVsbG8="));
        let parts = b.run(&config, "wonderland", &["parts", "INBOX", &uid]);
        let shown = parts
            .stdout
            .lines()
            .find(|l| l.starts_with("2\t"))
            .and_then(|l| l.split('\t').nth(2))
            .unwrap_or("?")
            .to_string();
        let run = b.run(&config, "wonderland", &["save", "INBOX", &uid, "2"]);
        let now = match run.code {
            0 => format!(
                "named `{shown}`, saved as `{}`",
                Path::new(run.stdout.trim_end())
                    .file_name()
                    .map_or("?".into(), |n| n.to_string_lossy().into_owned())
            ),
            _ => outcome(&run),
        };
        b.push(item, case, &run, now);
    }

    // 8: a 50 MB part, saved; against reading the structure only, and the raw wire.
    let size = if b.full { 50_000_000 } else { 2_000_000 };
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let data: Vec<u8> = (0..size)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let uid = append(&mail(
        b"Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"big.bin\"",
        &base64_lines(&data),
    ));
    let idle = b.run(&config, "wonderland", &["parts", "INBOX", &uid]);
    b.push(
        "8",
        "`tern parts` on that message (idle baseline)",
        &idle,
        outcome(&idle),
    );
    // Alternately, so neither side gets a cache the other warmed; medians of three.
    let mut saves = Vec::new();
    let mut wires = Vec::new();
    for _ in 0..3 {
        wires.push(raw_fetch(server.imap_port, &uid));
        saves.push(b.run(&config, "wonderland", &["save", "INBOX", &uid, "2"]));
    }
    let same = saves
        .iter()
        .all(|s| std::fs::read(s.stdout.trim_end()).is_ok_and(|d| d == data));
    saves.sort_by_key(|s| s.took);
    wires.sort();
    let (save, wire) = (saves.swap_remove(1), wires[1]);
    let now = format!(
        "{} MB written as it arrives (to a file, synced), identical: {same}; raw wire {:.0} ms, tern {:.2}x of it; RSS +{} MiB over idle",
        size / 1_000_000,
        wire.as_secs_f64() * 1000.0,
        save.took.as_secs_f64() / wire.as_secs_f64(),
        save.max_rss_kib.saturating_sub(idle.max_rss_kib) / 1024
    );
    b.push("8", "`tern save` of a 50 MB attachment", &save, now);
}

/// The floor: LOGIN, SELECT and `UID FETCH uid BODY.PEEK[2]` on a raw socket, read to the
/// tagged OK and thrown away.
fn raw_fetch(port: u16, uid: &str) -> Duration {
    let started = Instant::now();
    let tcp = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut out = tcp.try_clone().expect("clone");
    let mut r = BufReader::with_capacity(64 << 10, tcp);
    let mut line = Vec::new();
    let mut until = |r: &mut BufReader<TcpStream>, tag: &[u8]| loop {
        line.clear();
        r.read_until(b'\n', &mut line).expect("read");
        if let Some(n) = literal(&line) {
            std::io::copy(&mut r.by_ref().take(n), &mut std::io::sink()).expect("literal");
        }
        if line.starts_with(tag) || line.is_empty() {
            break;
        }
    };
    until(&mut r, b"* OK");
    for (tag, cmd) in [
        ("a1", "LOGIN alice wonderland".to_string()),
        ("a2", "SELECT INBOX".to_string()),
        ("a3", format!("UID FETCH {uid} (UID BODY.PEEK[2])")),
    ] {
        write!(out, "{tag} {cmd}\r\n").expect("write");
        until(&mut r, tag.as_bytes());
    }
    started.elapsed()
}

fn literal(line: &[u8]) -> Option<u64> {
    let line = line.strip_suffix(b"}\r\n")?;
    let open = line.iter().rposition(|b| *b == b'{')?;
    std::str::from_utf8(&line[open + 1..]).ok()?.parse().ok()
}

fn print(rows: &[Row]) {
    println!("| item | case | what tern does now | peak RSS | time |");
    println!("|---|---|---|---|---|");
    for r in rows {
        let rss = r
            .rss_kib
            .map_or("—".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
        let took = r
            .took
            .map_or("—".into(), |t| format!("{:.2} s", t.as_secs_f64()));
        println!(
            "| {} | {} | {} | {rss} | {took} |",
            r.item,
            r.case,
            r.now.replace('|', "\\|")
        );
    }
}
