//! tern against a hostile or broken IMAP server (the scripted fake in `support::scripted`):
//! each fault must end in a clear status, never a panic, a hang or a huge allocation.
//!
//! Worker tests drive `tern::imap::worker` in-process; CLI tests run the real binary, which
//! must exit 1 with one `tern: ...` line on stderr, and their peak memory is watched.

mod support;

use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use support::scripted::{self, Reply, Script, Server};
use support::watched::{Run, assert_clean_failure, assert_peak_under, run_tern, run_with_config};
use tern::error::Error;
use tern::imap::worker::{self, Handle};
use tern::msg::{Cmd, Event, Folder};

/// The longest any single wait may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(30);
/// For tests of stalls: how long tern waits for a silent server.
const SHORT_READ: &str = "read_timeout_secs = 1";

fn spawn(server: &Server) -> Handle {
    spawn_with(server, "")
}

fn spawn_with(server: &Server, extra: &str) -> Handle {
    worker::spawn(server.account(extra), "secret".into())
}

/// The first event matching `want`, failing the test after [`DEADLINE`]. Every event seen
/// on the way is returned too, for assertions about what came before.
fn wait_for(
    events: &Receiver<Event>,
    what: &str,
    mut want: impl FnMut(&Event) -> bool,
) -> (Event, Vec<Event>) {
    let deadline = Instant::now() + DEADLINE;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(ev) if want(&ev) => return (ev, seen),
            Ok(ev) => seen.push(ev),
            Err(_) => panic!("no {what} within {DEADLINE:?}; saw {seen:#?}"),
        }
    }
}

fn failure(ev: Event) -> Error {
    match ev {
        Event::Failed { error, .. } => error,
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// A status a person can act on: not the worker's panic fallback, not empty.
fn assert_clear(error: &Error) {
    let text = error.to_string();
    assert!(
        !text.contains("internal error") && !text.contains("panicked"),
        "the worker panicked: {text}"
    );
    assert!(text.len() > 10, "unhelpful error: {text:?}");
}

fn select(h: &Handle) {
    h.commands
        .send(Cmd::Select {
            folder: Folder::named("INBOX"),
            read_only: false,
            first_screen: 50,
        })
        .unwrap();
}

fn fetch_raw(h: &Handle, req: u64, uid: u32) {
    h.commands
        .send(Cmd::FetchRaw {
            req,
            folder: Folder::named("INBOX"),
            uid,
        })
        .unwrap();
}

/// Every summary row of a Select, in arrival order, or the failure that ended it.
fn sync_rows(h: &Handle) -> Result<Vec<(u32, String)>, Error> {
    select(h);
    let (ev, seen) = wait_for(&h.events, "SyncDone or Failed", |e| {
        matches!(e, Event::SyncDone { .. } | Event::Failed { .. })
    });
    if let Event::Failed { error, .. } = ev {
        return Err(error);
    }
    Ok(seen
        .into_iter()
        .filter_map(|e| match e {
            Event::Summaries { chunk, .. } => Some(chunk),
            _ => None,
        })
        .flatten()
        .map(|s| (s.uid, s.subject.into()))
        .collect())
}

fn default_rows() -> Vec<(u32, String)> {
    (1..=3).rev().map(|u| (u, format!("message {u}"))).collect()
}

fn is_fetch(c: &scripted::Command) -> bool {
    c.verb == "UID FETCH" || c.verb == "FETCH"
}

fn is_raw_fetch(c: &scripted::Command) -> bool {
    is_fetch(c) && c.args.contains("BODY.PEEK[]")
}

/// A summary fetch by UID or, for a folder's first screen, by sequence number.
fn is_summary_fetch(c: &scripted::Command) -> bool {
    is_fetch(c) && c.args.contains("HEADER.FIELDS")
}

// ---- the worker ------------------------------------------------------------------------------

#[test]
fn reset_inside_a_fetch_literal_fails_that_request_and_the_worker_recovers() {
    let server = Server::start(Script::new().on(|c| {
        if is_raw_fetch(c) && c.uids() == [1] {
            let mut b = b"* 1 FETCH (UID 1 BODY[] {1000}\r\n".to_vec();
            b.extend(std::iter::repeat_n(b'x', 100));
            Reply::Reset(b)
        } else {
            Reply::Default
        }
    }));
    let h = spawn(&server);
    fetch_raw(&h, 1, 1);
    let (ev, _) = wait_for(&h.events, "the answer to request 1", |e| e.req() == Some(1));
    let error = failure(ev);
    assert_clear(&error);
    assert!(matches!(error, Error::Network(_)), "{error:?}");

    // The next request reconnects and works.
    fetch_raw(&h, 2, 2);
    let (ev, _) = wait_for(&h.events, "the answer to request 2", |e| e.req() == Some(2));
    match ev {
        Event::Raw { bytes, .. } => assert_eq!(bytes, scripted::message_text(2).as_bytes()),
        other => panic!("request 2 after a reset: {other:?}"),
    }
    h.shutdown();
}

/// A sync whose connection drops on one chunk, and again on the reconnect that retries it,
/// resumes once the worker is back online: every row comes, none twice.
#[test]
fn a_sync_cut_off_by_a_lost_connection_resumes_after_the_reconnect() {
    let drops = std::sync::Arc::new(std::sync::Mutex::new(0));
    let counted = drops.clone();
    let server = Server::start(Script::new().messages(2500).on(move |c| {
        let mut drops = counted.lock().unwrap();
        if c.verb == "UID FETCH"
            && c.args.contains("HEADER.FIELDS")
            && c.uids().contains(&1)
            && *drops < 2
        {
            *drops += 1;
            Reply::Reset(b"* 1 FETCH (UID 1 FLAGS (".to_vec())
        } else {
            Reply::Default
        }
    }));
    let h = spawn(&server);
    select(&h);
    let (_, seen) = wait_for(&h.events, "SyncDone after the reconnect", |e| {
        matches!(e, Event::SyncDone { .. })
    });
    assert!(
        seen.iter().any(|e| matches!(e, Event::Failed { .. })),
        "the lost connection was not reported"
    );
    let mut uids: Vec<u32> = seen
        .into_iter()
        .filter_map(|e| match e {
            Event::Summaries { chunk, .. } => Some(chunk),
            _ => None,
        })
        .flatten()
        .map(|s| s.uid)
        .collect();
    uids.sort_unstable();
    assert_eq!(uids, (1..=2500).collect::<Vec<u32>>());
    assert_eq!(*drops.lock().unwrap(), 2);
    h.shutdown();
}

#[test]
fn a_reply_that_never_completes_reports_not_responding() {
    let server = Server::start(Script::new().on(|c| {
        if is_summary_fetch(c) {
            Reply::Stall(b"* 3 FETCH (UID 3 FLAGS (\\Seen) RFC822.SIZE 100".to_vec())
        } else {
            Reply::Default
        }
    }));
    let h = spawn_with(&server, SHORT_READ);
    let started = Instant::now();
    let error = sync_rows(&h).expect_err("a stalled FETCH cannot succeed");
    assert_clear(&error);
    assert!(
        error.to_string().contains("not responding"),
        "stall reported as: {error}"
    );
    // It waited for the read timeout (1 s) rather than failing on something else.
    assert!(started.elapsed() >= Duration::from_secs(1), "{error}");
    h.shutdown();
}

/// A summary reply that does not parse fails the sync with an error that says so, the rows
/// before it dropped with it, and nothing panics.
#[test]
fn a_malformed_summary_reply_fails_the_sync_clearly() {
    let server = Server::start(Script::new().on(|c| {
        if is_summary_fetch(c) {
            let mut b = scripted::summary_fetch(3).into_bytes();
            b.extend_from_slice(b"* 2 FETCH (UID 2 FLAGS (\\Seen INTERNALDATE \"x\"))\r\n");
            b.extend_from_slice(scripted::summary_fetch(1).as_bytes());
            b.extend(c.tagged("OK FETCH completed"));
            Reply::Send(b)
        } else {
            Reply::Default
        }
    }));
    let h = spawn(&server);
    let error = sync_rows(&h).expect_err("a reply that does not parse");
    assert_clear(&error);
    assert!(matches!(error, Error::Protocol(_)), "{error:?}");
    assert!(
        error.to_string().contains("could not be understood"),
        "{error}"
    );
    h.shutdown();
}

#[test]
fn a_summary_reply_cut_off_is_fetched_again_on_a_new_connection() {
    let server = Server::start(Script::new().on(|c| {
        if is_summary_fetch(c) && c.conn == 0 {
            let mut b = scripted::summary_fetch(3).into_bytes();
            b.extend_from_slice(b"* 2 FETCH (UID 2 BODY[HEADER.FIELDS (SUBJECT)] {40}\r\nmessage");
            Reply::Close(b)
        } else {
            Reply::Default
        }
    }));
    let h = spawn(&server);
    assert_eq!(sync_rows(&h).expect("sync after the cut"), default_rows());
    h.shutdown();
}

#[test]
fn parallel_fetchers_cut_off_leave_their_chunks_to_the_worker() {
    // Enough messages for the parallel fetchers; each of their connections breaks inside its
    // first reply, and the worker's own connection fetches what is left.
    const COUNT: u32 = 4_200;
    let server = Server::start(Script::new().messages(COUNT).on(|c| {
        if c.verb == "UID FETCH" && c.args.contains("HEADER.FIELDS") && c.conn > 0 {
            let uid = c.uids()[0];
            let mut b = scripted::summary_fetch(uid).into_bytes();
            b.extend_from_slice(b"* 9 FETCH (UID 9 FLAGS (\\Se");
            Reply::Close(b)
        } else {
            Reply::Default
        }
    }));
    let h = spawn(&server);
    let rows = sync_rows(&h).expect("the worker finishes the sync");
    let mut uids: Vec<u32> = rows.iter().map(|(u, _)| *u).collect();
    uids.sort_unstable();
    assert_eq!(uids, (1..=COUNT).collect::<Vec<_>>());
    assert!(
        server
            .log()
            .iter()
            .any(|c| c.verb == "UID FETCH" && c.conn > 0),
        "no parallel fetch was tried"
    );
    h.shutdown();
}

#[test]
fn bye_in_the_middle_of_a_command_carries_the_servers_words() {
    let server = Server::start(Script::new().on(|c| {
        if is_summary_fetch(c) {
            let mut b = scripted::summary_fetch(3).into_bytes();
            b.extend_from_slice(b"* BYE Server shutting down for maintenance\r\n");
            Reply::Close(b)
        } else {
            Reply::Default
        }
    }));
    let h = spawn(&server);
    let error = sync_rows(&h).expect_err("the server hung up");
    assert_clear(&error);
    assert!(
        error.to_string().contains("shutting down for maintenance"),
        "the server's words are lost: {error}"
    );
    h.shutdown();
}

#[test]
fn bad_answer_to_id_does_not_stop_the_login() {
    // 163.com answers ID with "BAD command not support".
    let server = Server::start(Script::new().on(|c| {
        if c.verb == "ID" {
            Reply::Send(c.tagged("BAD command not support"))
        } else {
            Reply::Default
        }
    }));
    let h = spawn(&server);
    assert_eq!(
        sync_rows(&h).expect("sync after a refused ID"),
        default_rows()
    );
    assert!(
        server.log().iter().any(|c| c.verb == "ID"),
        "ID was not sent"
    );
    h.shutdown();
}

/// Unknown, and known but unexpected, untagged responses a server may send at any time.
const NOISE: &[&str] = &[
    "* XYZZY foo\r\n",
    "* OK [XYZZY 1] something new\r\n",
    "* NO [ALERT] Quota almost exceeded\r\n",
    "* BAD stray\r\n",
    "* 3 XYZZY (x)\r\n",
];

#[test]
fn unknown_untagged_responses_are_ignored() {
    let mut broken = Vec::new();
    for verb in [
        "CAPABILITY",
        "LOGIN",
        "ID",
        "SELECT",
        "UID SEARCH",
        "FETCH",
        "UID FETCH",
    ] {
        for noise in NOISE {
            let server = Server::start(Script::new().on(move |c| {
                if c.verb != verb {
                    return Reply::Default;
                }
                // Noise first and just before the tagged line.
                let reply = c.default_reply();
                let tagged_at = reply.len()
                    - reply
                        .split(|b| *b == b'\n')
                        .rev()
                        .nth(1)
                        .map_or(0, |l| l.len() + 1);
                let mut b = noise.as_bytes().to_vec();
                b.extend_from_slice(&reply[..tagged_at]);
                b.extend_from_slice(noise.as_bytes());
                b.extend_from_slice(&reply[tagged_at..]);
                Reply::Send(b)
            }));
            let h = spawn(&server);
            match sync_rows(&h) {
                Ok(rows) if rows == default_rows() => {}
                Ok(rows) => broken.push(format!("{verb} + {noise:?}: rows {rows:?}")),
                Err(e) => {
                    assert_clear(&e);
                    broken.push(format!("{verb} + {}: {e}", noise.trim_end()));
                }
            }
            h.shutdown();
        }
    }
    assert!(
        broken.is_empty(),
        "untagged noise broke:\n{}",
        broken.join("\n")
    );
}

#[test]
fn bye_greeting_is_a_clear_error_for_the_worker() {
    let server = Server::start(
        Script::new().greeting(|_| Reply::Close(b"* BYE Too many connections\r\n".to_vec())),
    );
    let h = spawn(&server);
    let error = sync_rows(&h).expect_err("refused");
    assert_clear(&error);
    assert!(
        error.to_string().contains("Too many connections"),
        "{error}"
    );
    h.shutdown();
}

// ---- the real binary -------------------------------------------------------------------------

/// Runs `tern` against `server`, watching the child's peak memory.
fn tern(server: &Server, args: &[&str]) -> Run {
    tern_with(server, "", args)
}

fn tern_with(server: &Server, extra: &str, args: &[&str]) -> Run {
    run_with_config(&server.config(extra), args)
}

/// Header fields no parser makes sense of: the row is listed all the same.
#[test]
fn cli_list_survives_mangled_header_fields() {
    let server = Server::start(Script::new().on(|c| {
        if !is_summary_fetch(c) {
            return Reply::Default;
        }
        let block = "From: \"unterminated <<>> ,;:\r\nTo: ;;;@\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\
                     Message-ID: <<<\r\nSubject: message 3\r\n\r\n";
        let mut b = Vec::new();
        for uid in c.uids() {
            let row = match uid {
                3 => format!(
                    "* 3 FETCH (UID 3 BODY[HEADER.FIELDS (FROM SUBJECT)] {{{}}}\r\n{block})\r\n",
                    block.len()
                ),
                _ => scripted::summary_fetch(uid),
            };
            b.extend(row.bytes());
        }
        b.extend(c.tagged("OK done"));
        Reply::Send(b)
    }));
    let run = tern(&server, &["list", "INBOX"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let subjects: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.split('\t').next_back())
        .collect();
    assert_eq!(subjects, ["message 3", "message 2", "message 1"]);
}

#[test]
fn cli_list_on_a_stalled_server_says_not_responding() {
    let server = Server::start(Script::new().on(|c| {
        if c.verb == "UID SEARCH" {
            Reply::Stall(b"* SEARCH 1 2".to_vec())
        } else {
            Reply::Default
        }
    }));
    let run = tern_with(&server, SHORT_READ, &["list", "INBOX"]);
    let line = assert_clean_failure(&run);
    assert!(line.contains("not responding"), "{line}");
    assert!(run.took < Duration::from_secs(10), "took {:?}", run.took);
}

/// `{2147483648}` then silence or a hang-up: no allocation of the announced size.
fn huge_literal(then: fn(Vec<u8>) -> Reply, want: &str) {
    let server = Server::start(Script::new().on(move |c| {
        if is_raw_fetch(c) {
            let mut b = b"* 1 FETCH (UID 1 BODY[] {2147483648}\r\n".to_vec();
            b.extend(std::iter::repeat_n(b'x', 64 * 1024));
            then(b)
        } else {
            Reply::Default
        }
    }));
    let run = tern_with(
        &server,
        SHORT_READ,
        &["export", "INBOX", "1", "--output", "-"],
    );
    let line = assert_clean_failure(&run);
    assert!(line.contains(want), "{line}");
    assert_peak_under(&run, 200);
}

#[test]
fn four_gigabyte_literal_in_a_summary_is_refused_unallocated() {
    let server = Server::start(Script::new().on(|c| {
        if is_summary_fetch(c) {
            let mut b = b"* 3 FETCH (UID 3 BODY[HEADER.FIELDS (SUBJECT)] {4294967295}\r\n".to_vec();
            b.extend(std::iter::repeat_n(b'x', 64 * 1024));
            Reply::Stall(b)
        } else {
            Reply::Default
        }
    }));
    let run = tern_with(&server, SHORT_READ, &["list", "INBOX"]);
    let line = assert_clean_failure(&run);
    assert!(line.contains("larger than"), "{line}");
    assert_peak_under(&run, 200);
}

// Refused when announced: more than the message's size (or, unknown, the general cap).
#[test]
fn two_gigabyte_literal_then_stall_is_not_allocated() {
    huge_literal(Reply::Stall, "announced 2048 MiB");
}

#[test]
fn two_gigabyte_literal_then_hang_up_is_not_allocated() {
    huge_literal(Reply::Close, "announced 2048 MiB");
}

#[test]
fn an_endless_line_does_not_eat_memory() {
    // 300 MB without a line feed: a line is buffered whole by the imap crate.
    let server = Server::start(Script::new().on(|c| {
        if is_raw_fetch(c) {
            Reply::Flood {
                head: b"* 1 FETCH (UID 1 BODY[] ".to_vec(),
                byte: b'x',
                len: 300 << 20,
            }
        } else {
            Reply::Default
        }
    }));
    let run = tern(&server, &["export", "INBOX", "1", "--output", "-"]);
    assert_clean_failure(&run);
    assert_peak_under(&run, 200);
}

#[test]
fn cli_check_with_a_bad_answer_to_id_logs_in() {
    let server = Server::start(Script::new().on(|c| {
        if c.verb == "ID" {
            Reply::Send(c.tagged("BAD command not support"))
        } else {
            Reply::Default
        }
    }));
    let run = tern(&server, &["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("auth\tLOGIN"), "{}", run.stdout);
}

#[test]
fn cli_bye_greeting_is_one_clear_line() {
    let server = Server::start(
        Script::new()
            .greeting(|_| Reply::Close(b"* BYE Too many connections from your IP\r\n".to_vec())),
    );
    let line = assert_clean_failure(&tern(&server, &["check"]));
    assert!(line.contains("Too many connections from your IP"), "{line}");
}

#[test]
fn cli_garbage_greetings_are_one_clear_line() {
    let greetings: &[&[u8]] = &[
        // An SSH server on the configured port.
        b"SSH-2.0-OpenSSH_9.6\r\n",
        // An HTTP server.
        b"HTTP/1.1 400 Bad Request\r\n",
        // A TLS server spoken to in plain text: an alert, no line feed.
        b"\x15\x03\x01\x00\x02\x02\x50",
        // Terminal escapes in the greeting must not reach the terminal.
        b"\x1b]0;pwned\x07\x1b[2J* HELLO\r\n",
    ];
    for g in greetings {
        let server = Server::start(Script::new().greeting(move |_| Reply::Close(g.to_vec())));
        let run = tern(&server, &["check"]);
        let line = assert_clean_failure(&run);
        assert!(!line.contains('\u{1b}'), "{line:?}");
        assert!(
            line.contains("greeting"),
            "{:?}: the error does not say the greeting was wrong: {line}",
            String::from_utf8_lossy(g)
        );
    }
}

/// A BODYSTRUCTURE nested `depth` multiparts deep around one text part.
fn nested_bodystructure(depth: usize) -> String {
    let mut bs = r#"("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1)"#.to_string();
    for _ in 0..depth {
        bs = format!("({bs} \"MIXED\")");
    }
    bs
}

#[test]
fn deeply_nested_bodystructure_does_not_crash() {
    for depth in [50, 1_000, 100_000] {
        let server = Server::start(Script::new().on(move |c| {
            if is_fetch(c) && c.args.contains("BODYSTRUCTURE") {
                let header = "Subject: deep\r\n\r\n";
                Reply::Send(
                    format!(
                        "* 1 FETCH (UID 1 BODYSTRUCTURE {} BODY[HEADER] {{{}}}\r\n{header})\r\n{} OK done\r\n",
                        nested_bodystructure(depth),
                        header.len(),
                        c.tag
                    )
                    .into_bytes(),
                )
            } else {
                Reply::Default
            }
        }));
        let run = tern(&server, &["parts", "INBOX", "1"]);
        match run.code {
            // Shown, or refused with a clear error; either way no crash.
            0 => assert!(run.stdout.contains("text/plain"), "{}", run.stdout),
            _ => {
                assert_clean_failure(&run);
            }
        }
    }
}

// ---- issue 11: UID sets, reconnect storms, alerts --------------------------------------------

/// A server with QRESYNC whose folder is current as of MODSEQ 5; `select` answers SELECT
/// and EXAMINE (None: the built-in answer plus HIGHESTMODSEQ).
fn qresync_server(
    mut select: impl FnMut(&scripted::Command) -> Option<Vec<u8>> + Send + 'static,
) -> Server {
    Server::start(
        Script::new()
            .capabilities("IMAP4rev1 ID ENABLE CONDSTORE QRESYNC UIDPLUS")
            .on(move |c| match c.verb.as_str() {
                "SELECT" | "EXAMINE" => Reply::Send(select(c).unwrap_or_else(|| {
                    let mut b = b"* OK [HIGHESTMODSEQ 5] modseqs\r\n".to_vec();
                    b.extend(c.default_reply());
                    b
                })),
                _ => Reply::Default,
            }),
    )
}

#[test]
fn vanished_earlier_over_every_uid_is_refused_unexpanded() {
    let server = qresync_server(|c| {
        c.args.contains("QRESYNC").then(|| {
            let mut b =
                b"* OK [HIGHESTMODSEQ 6] modseqs\r\n* VANISHED (EARLIER) 1:4294967295\r\n".to_vec();
            b.extend(c.default_reply());
            b
        })
    });
    let home = tempfile::tempdir().unwrap();
    let cache = home.path().join("cache.redb");
    let extra = format!("cache = true\ncache_file = \"{}\"", cache.display());
    let config = home.path().join("config.toml");
    std::fs::write(&config, server.config(&extra)).unwrap();
    let cold = run_tern(&config, home.path(), &["list", "INBOX"]);
    assert_eq!(cold.code, 0, "{}", cold.stderr);
    let warm = run_tern(&config, home.path(), &["list", "INBOX"]);
    let line = assert_clean_failure(&warm);
    assert!(line.contains("4294967295"), "{line}");
    assert_peak_under(&warm, 300);
}

#[test]
fn copyuid_over_every_uid_is_not_expanded() {
    let server = Server::start(Script::new().capabilities("IMAP4rev1 ID UIDPLUS").on(|c| {
        match c.verb.as_str() {
            "UID COPY" => Reply::Send(c.tagged("OK [COPYUID 1 1:4294967295 1:4294967295] done")),
            _ => Reply::Default,
        }
    }));
    let run = tern(&server, &["copy", "INBOX", "1:2", "Archive"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_peak_under(&run, 300);
}

#[test]
fn exists_larger_than_the_uid_list_ends_the_sync() {
    // A big folder by EXISTS, emptied (by another client) before UID SEARCH.
    let server = Server::start(Script::new().on(|c| {
        match c.verb.as_str() {
            "SELECT" | "EXAMINE" => Reply::Send(
                String::from_utf8(c.default_reply())
                    .unwrap()
                    .replace("* 3 EXISTS", "* 5000 EXISTS")
                    .into_bytes(),
            ),
            "UID SEARCH" => Reply::Send([b"* SEARCH\r\n".to_vec(), c.tagged("OK done")].concat()),
            _ => Reply::Default,
        }
    }));
    let h = spawn(&server);
    let rows = sync_rows(&h).unwrap_or_else(|e| panic!("{e}"));
    assert!(rows.is_empty(), "{rows:?}");
}

#[test]
fn no_on_every_noop_is_shown_not_reconnected_over() {
    let server = Server::start(Script::new().on(|c| {
        match c.verb.as_str() {
            "NOOP" => Reply::Send(
                [
                    b"* NO [ALERT] disk trouble\r\n* NO weird\r\n".to_vec(),
                    c.tagged("OK NOOP done"),
                ]
                .concat(),
            ),
            _ => Reply::Default,
        }
    }));
    let h = spawn_with(&server, "poll_interval_secs = 1");
    sync_rows(&h).unwrap();
    wait_for(
        &h.events,
        "the alert",
        |e| matches!(e, Event::Notice(t) if t.contains("disk trouble")),
    );
    // A few more polls.
    let noops = |s: &Server| s.log().iter().filter(|c| c.verb == "NOOP").count();
    let deadline = Instant::now() + DEADLINE;
    while noops(&server) < 4 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(noops(&server) >= 4);
    // One fresh connection to rule out a stale session, then no more.
    assert!(
        server.connections() <= 2,
        "{} connections",
        server.connections()
    );
}

#[test]
fn alerts_at_login_and_select_are_shown() {
    let server = Server::start(Script::new().on(|c| {
        match c.verb.as_str() {
            "LOGIN" => Reply::Send(c.tagged("OK [ALERT] your password expires soon")),
            "SELECT" => Reply::Send(
                [
                    b"* OK [ALERT] mailbox almost full\r\n".to_vec(),
                    c.default_reply(),
                ]
                .concat(),
            ),
            _ => Reply::Default,
        }
    }));
    let h = spawn(&server);
    select(&h);
    let (_, seen) = wait_for(&h.events, "SyncDone", |e| {
        matches!(e, Event::SyncDone { .. })
    });
    let notices: Vec<&String> = seen
        .iter()
        .filter_map(|e| match e {
            Event::Notice(t) => Some(t),
            _ => None,
        })
        .collect();
    assert!(
        notices.iter().any(|t| t.contains("password expires soon")),
        "{notices:?}"
    );
    assert!(
        notices.iter().any(|t| t.contains("mailbox almost full")),
        "{notices:?}"
    );
}

#[test]
fn a_refused_status_lists_that_folder_without_counts() {
    let server = Server::start(Script::new().on(|c| {
        match c.verb.as_str() {
        "LIST" => Reply::Send(
            [
                b"* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\HasNoChildren) \"/\" Secret\r\n"
                    .to_vec(),
                c.tagged("OK done"),
            ]
            .concat(),
        ),
        "STATUS" if c.args.contains("Secret") => {
            Reply::Send(c.tagged("NO [NOPERM] you may not count this"))
        }
        _ => Reply::Default,
    }
    }));
    let run = tern(&server, &["folders"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<Vec<&str>> = run
        .stdout
        .lines()
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 2, "{}", run.stdout);
    assert_eq!((rows[0][0], rows[0][3]), ("INBOX", "3"));
    assert_eq!((rows[1][0], rows[1][3]), ("Secret", ""));
}

#[test]
fn folder_names_keep_their_backslashes_as_literals_and_lose_their_escapes_quoted() {
    let server = Server::start(Script::new().on(|c| {
        match c.verb.as_str() {
            "LIST" | "LSUB" => Reply::Send(
                [
                    format!("* {} () \"/\" {{5}}\r\nA\\B\\C\r\n", c.verb).into_bytes(),
                    format!("* {} () \"/\" \"X\\\\Y \\\"q\\\"\"\r\n", c.verb).into_bytes(),
                    format!("* {} () \"\\\\\" INBOX\r\n", c.verb).into_bytes(),
                    c.tagged("OK done"),
                ]
                .concat(),
            ),
            "STATUS" => Reply::Send(c.tagged("NO [NOPERM] not counted here")),
            _ => Reply::Default,
        }
    }));
    let run = tern(&server, &["folders"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let names: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.split('\t').next())
        .collect();
    assert!(names.contains(&"A\\B\\C"), "{names:?}");
    assert!(names.contains(&"X\\Y \"q\""), "{names:?}");
    assert!(names.contains(&"INBOX"), "{names:?}");
    // The name goes back to the server as it was listed.
    let run = tern(&server, &["list", "A\\B\\C"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let select = server
        .log()
        .into_iter()
        .find(|c| c.verb == "SELECT" || c.verb == "EXAMINE");
    assert_eq!(select.map(|c| c.args), Some("\"A\\\\B\\\\C\"".to_string()));
}

/// `tern` against a server answering `verb` with the tagged `text` (raw bytes): the error line.
fn refusal_line(verb: &'static str, text: &'static [u8]) -> String {
    let server = Server::start(Script::new().on(move |c| {
        if c.verb == verb {
            Reply::Send([format!("{} ", c.tag).as_bytes(), text, b"\r\n"].concat())
        } else {
            Reply::Default
        }
    }));
    let args: &[&str] = if verb == "LOGIN" {
        &["check"]
    } else {
        &["list", "INBOX"]
    };
    let run = tern(&server, args);
    assert_clean_failure(&run)
}

#[test]
fn utf8_and_latin1_in_refusals_are_the_servers_words() {
    let line = refusal_line(
        "LOGIN",
        "NO [AUTHENTICATIONFAILED] Ungültiges Passwort".as_bytes(),
    );
    assert!(line.contains("Ungültiges Passwort"), "{line}");
    let line = refusal_line("EXAMINE", b"NO Zugriff verweigert f\xfcr Ordner");
    assert!(line.contains("Zugriff verweigert für Ordner"), "{line}");
}

#[test]
fn latin1_in_bye_is_the_servers_words() {
    let server = Server::start(Script::new().on(|c| match c.verb.as_str() {
        "UID SEARCH" => Reply::Close(b"* BYE Wartung, bis sp\xe4ter\r\n".to_vec()),
        _ => Reply::Default,
    }));
    let run = tern(&server, &["list", "INBOX"]);
    let line = assert_clean_failure(&run);
    assert!(line.contains("Wartung, bis später"), "{line}");
}

// ---- issue 11, item 8: saving streams ----------------------------------------------------------

/// A part of `size` bytes for `SavePart` (the built-in mailbox's text part, section 1).
fn big_text_part(size: u64) -> Box<tern::mime::Part> {
    let mut part = support::ui::part(r#"("TEXT" "PLAIN" NIL NIL NIL "7BIT" 9 1)"#);
    part.size = size;
    Box::new(part)
}

#[test]
fn a_save_in_progress_is_cancelled_its_file_removed_and_the_worker_goes_on() {
    const SIZE: usize = 1 << 30;
    let server = Server::start(Script::new().on(|c| {
        if c.verb == "UID FETCH" && c.args.contains("BODY.PEEK[1]") {
            Reply::Dribble {
                bytes: [
                    format!("* 1 FETCH (UID 1 BODY[1] {{{SIZE}}}\r\n").as_bytes(),
                    &[b'x'; 1 << 20],
                ]
                .concat(),
                every: Duration::from_micros(20),
            }
        } else {
            Reply::Default
        }
    }));
    let dir = tempfile::tempdir().unwrap();
    let h = spawn(&server);
    let cancel = tern::msg::Cancel::default();
    h.commands
        .send(Cmd::SavePart {
            req: 1,
            folder: Folder::named("INBOX"),
            uid: 1,
            part: big_text_part(SIZE as u64),
            to: tern::msg::SaveTo {
                output: Some(dir.path().join("big.txt")),
                download_dir: dir.path().to_path_buf(),
            },
            cancel: cancel.clone(),
        })
        .unwrap();
    wait_for(
        &h.events,
        "progress",
        |e| matches!(e, Event::SaveProgress { req: 1, done, .. } if *done > 0),
    );
    assert!(dir.path().join("big.txt").exists(), "written as it arrives");
    cancel.cancel();
    let (ev, _) = wait_for(&h.events, "the end of the save", |e| {
        e.req() == Some(1) && !matches!(e, Event::SaveProgress { .. })
    });
    assert!(failure(ev).to_string().contains("cancelled"));
    assert!(
        !dir.path().join("big.txt").exists(),
        "no partial file is left"
    );
    // The connection was dropped mid-answer; the next command gets a fresh one.
    fetch_raw(&h, 2, 2);
    let (ev, _) = wait_for(&h.events, "the raw message", |e| e.req() == Some(2));
    assert!(
        matches!(ev, Event::Raw { ref bytes, .. } if bytes.ends_with(b"hello 2\r\n")),
        "{ev:?}"
    );
    assert_eq!(server.connections(), 2);
}

#[test]
fn a_saved_part_larger_than_its_structure_says_is_refused_when_announced() {
    let server = Server::start(Script::new().on(|c| {
        if c.verb == "UID FETCH" && c.args.contains("BODY.PEEK[1]") {
            Reply::Flood {
                head: b"* 1 FETCH (UID 1 BODY[1] {4294967295}\r\n".to_vec(),
                byte: b'x',
                len: 1 << 30,
            }
        } else {
            Reply::Default
        }
    }));
    let dir = tempfile::tempdir().unwrap();
    let h = spawn(&server);
    h.commands
        .send(Cmd::SavePart {
            req: 1,
            folder: Folder::named("INBOX"),
            uid: 1,
            part: big_text_part(1000),
            to: tern::msg::SaveTo {
                output: None,
                download_dir: dir.path().to_path_buf(),
            },
            cancel: tern::msg::Cancel::default(),
        })
        .unwrap();
    let (ev, _) = wait_for(&h.events, "the end of the save", |e| e.req() == Some(1));
    let error = failure(ev);
    assert!(matches!(error, Error::Limit(_)), "{error}");
    assert!(error.to_string().contains("announced 4095 MiB"), "{error}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// A big folder's first screen is asked for without RFC822.SIZE (on Dovecot's Maildir the
/// first size of a session reads the folder's whole UID list: 1.4 s at a million), shown at
/// once, then the same rows come again with their sizes. A small folder's comes whole.
#[test]
fn a_big_folder_shows_its_first_screen_before_the_sizes() {
    const COUNT: u32 = tern::imap::worker::SIZES_APART_FROM + 10;
    let server = Server::start(Script::new().messages(COUNT).on(|c| {
        if c.verb != "FETCH" {
            return Reply::Default;
        }
        if c.args.ends_with("(UID RFC822.SIZE)") {
            let mut reply: Vec<u8> = c
                .uids()
                .iter()
                .flat_map(|n| format!("* {n} FETCH (UID {n} RFC822.SIZE 4242)\r\n").into_bytes())
                .collect();
            reply.extend(c.tagged("OK Fetch completed."));
            return Reply::Send(reply);
        }
        assert!(!c.args.contains("RFC822.SIZE"), "{}", c.args);
        let without = String::from_utf8(c.default_reply())
            .unwrap()
            .replace(" RFC822.SIZE 100", "");
        Reply::Send(without.into_bytes())
    }));
    let h = spawn(&server);
    select(&h);
    let mut chunks = Vec::new();
    while chunks.len() < 2 {
        let (ev, _) = wait_for(&h.events, "the first screen", |e| {
            matches!(e, Event::Summaries { .. })
        });
        if let Event::Summaries { chunk, .. } = ev {
            chunks.push(chunk);
        }
    }
    let newest: Vec<u32> = (COUNT - 49..=COUNT).rev().collect();
    for (chunk, size) in chunks.iter().zip([0, 4242]) {
        let uids: Vec<u32> = chunk.iter().map(|s| s.uid).collect();
        assert_eq!(uids, newest);
        assert!(chunk.iter().all(|s| s.size == size), "{size}: {chunk:?}");
        assert!(
            chunk
                .iter()
                .all(|s| *s.subject == format!("message {}", s.uid))
        );
    }
    h.shutdown();

    let small = Server::start(Script::new());
    assert_eq!(sync_rows(&spawn(&small)).unwrap(), default_rows());
    assert!(
        !small
            .log()
            .iter()
            .any(|c| c.args.ends_with("(UID RFC822.SIZE)")),
        "a small folder's sizes come with its rows"
    );
}
