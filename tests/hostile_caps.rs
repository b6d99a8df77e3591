//! Caps on what a server may make tern hold or wait for (issue 11, items 3 and 9): every
//! answer is bounded in bytes, responses and time, and the line exchange before STARTTLS
//! too. Each case must end in one clear `tern: ...` line, well under 300 MB.

mod support;

use std::time::Duration;

use support::scripted::{Reply, Script, Server};
use support::watched::{Run, assert_clean_failure, assert_peak_under, run_with_config};

fn tern(server: &Server, extra: &str, args: &[&str]) -> Run {
    run_with_config(&server.config(extra), args)
}

/// `tern folders` against a server that answers LIST with `reply`; the failure line.
fn folders_fail_on(reply: fn(&support::scripted::Command) -> Reply, extra: &str) -> (String, Run) {
    let server = Server::start(Script::new().on(move |c| match c.verb.as_str() {
        "LIST" => reply(c),
        _ => Reply::Default,
    }));
    let run = tern(&server, extra, &["folders"]);
    let line = assert_clean_failure(&run);
    assert_peak_under(&run, 300);
    (line, run)
}

#[test]
fn endless_untagged_responses_before_the_tagged_one_are_cut_off() {
    let (line, _) = folders_fail_on(
        |_| Reply::Repeat {
            head: Vec::new(),
            unit: b"* OK still thinking\r\n".to_vec(),
            times: 50_000_000,
        },
        "",
    );
    assert!(line.contains("untagged responses"), "{line}");
}

#[test]
fn endless_list_rows_are_cut_off() {
    let (line, _) = folders_fail_on(
        |_| Reply::Repeat {
            head: Vec::new(),
            unit: b"* LIST (\\HasNoChildren) \"/\" Spam\r\n".to_vec(),
            times: 50_000_000,
        },
        "",
    );
    assert!(line.contains("untagged responses"), "{line}");
}

#[test]
fn a_server_dribbling_one_byte_at_a_time_is_given_up_on() {
    // Each byte arrives well within the read timeout; only the answer's deadline ends it.
    let (line, run) = folders_fail_on(
        |c| Reply::Dribble {
            bytes: [
                b"* LIST (\\HasNoChildren) \"/\" INBOX\r\n".repeat(1000),
                c.tagged("OK done"),
            ]
            .concat(),
            every: Duration::from_millis(200),
        },
        "read_timeout_secs = 1",
    );
    assert!(line.contains("did not finish its answer in time"), "{line}");
    assert!(run.took < Duration::from_secs(60), "took {:?}", run.took);
}

#[test]
fn endless_summary_rows_are_cut_off() {
    let server = Server::start(Script::new().on(|c| {
        let summary =
            (c.verb == "FETCH" || c.verb == "UID FETCH") && c.args.contains("HEADER.FIELDS");
        if summary {
            Reply::Repeat {
                head: Vec::new(),
                unit: b"* 1 FETCH (UID 1 FLAGS ())\r\n".to_vec(),
                times: 50_000_000,
            }
        } else {
            Reply::Default
        }
    }));
    let run = tern(&server, "", &["list", "INBOX"]);
    let line = assert_clean_failure(&run);
    assert!(line.contains("rows"), "{line}");
    assert_peak_under(&run, 300);
}

#[test]
fn a_literal_larger_than_the_message_is_refused_when_announced() {
    let server = Server::start(Script::new().on(|c| {
        let raw = c.verb == "UID FETCH" && c.args.contains("BODY.PEEK[]");
        if c.verb == "UID FETCH" && c.args.contains("RFC822.SIZE") && !raw {
            Reply::Send(
                [
                    b"* 1 FETCH (UID 1 RFC822.SIZE 2000)\r\n".to_vec(),
                    c.tagged("OK"),
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
    let run = tern(&server, "", &["export", "INBOX", "1", "--output", "-"]);
    let line = assert_clean_failure(&run);
    assert!(line.contains("announced 4095 MiB"), "{line}");
    assert_peak_under(&run, 300);
}

fn starttls_fails_on(reply: fn(&support::scripted::Command) -> Reply) -> String {
    let server = Server::start(
        Script::new()
            .capabilities("IMAP4rev1 STARTTLS")
            .on(move |c| match c.verb.as_str() {
                "STARTTLS" => reply(c),
                _ => Reply::Default,
            }),
    );
    let run = tern(&server, "tls = \"starttls\"", &["check"]);
    let line = assert_clean_failure(&run);
    assert_peak_under(&run, 300);
    line
}

#[test]
fn endless_lines_before_the_starttls_answer_are_cut_off() {
    let line = starttls_fails_on(|_| Reply::Repeat {
        head: Vec::new(),
        unit: b"* OK hold on\r\n".to_vec(),
        times: 50_000_000,
    });
    assert!(line.contains("without answering STARTTLS"), "{line}");
}

#[test]
fn an_endless_line_before_starttls_is_cut_off() {
    let line = starttls_fails_on(|_| Reply::Flood {
        head: b"* OK ".to_vec(),
        byte: b'x',
        len: 1 << 30,
    });
    assert!(line.contains("longer than 8 KiB before STARTTLS"), "{line}");
}
