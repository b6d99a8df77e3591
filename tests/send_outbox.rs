//! The outbox against servers that go away: a stopped and restarted Postfix, a wrong
//! password, a connection that dies after the final ".", and tern killed (-9) mid-send.
//! Nothing is lost and nothing the server acknowledged is sent twice.
//! Each test starts its own servers (they stop them, or provoke Dovecot's login penalty).

mod support;

use std::time::{Duration, Instant};

use support::fake_smtp::{self, AfterDot};
use support::mta::{DOMAIN, Mta, TRUST, spawn_tern, tag, tern};

/// The outbox rows as `tern outbox` prints them.
fn outbox_rows(config: &std::path::Path, state: &std::path::Path) -> Vec<Vec<String>> {
    let run = tern(config, state, &["outbox"], b"");
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.rows()
}

#[test]
fn queued_while_the_mta_is_down_then_delivered_exactly_once() {
    let mut mta = Mta::start();
    let dir = tempfile::tempdir().unwrap();
    let config = mta.config(dir.path(), mta.postfix.smtps_port, "implicit", TRUST);
    mta.postfix.stop();
    let t = tag("down");
    let raw = format!("To: bob@{DOMAIN}\nSubject: {t}\n\nwritten while the server was down\n");
    let run = tern(&config, dir.path(), &["send"], raw.as_bytes());
    assert_eq!(run.code, 75, "{}", run.stderr);
    assert!(run.stderr.contains("queued"), "{}", run.stderr);
    let message_id = run.stdout.trim().to_string();
    let rows = outbox_rows(&config, dir.path());
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (rows[0][0].as_str(), rows[0][4].as_str()),
        (message_id.as_str(), "queued")
    );
    assert!(rows[0][2].contains("bob@"), "{rows:?}");
    assert!(rows[0][5].contains("cannot reach"), "{rows:?}");

    mta.postfix.restart().expect("restart postfix");
    let run = tern(&config, dir.path(), &["outbox", "send"], b"");
    assert_eq!(run.code, 0, "{}\n{}", run.stderr, mta.postfix.log());
    assert_eq!(run.stdout.trim(), message_id);
    assert_eq!(mta.wait_for("bob", "INBOX", &t, 1).len(), 1);
    assert_eq!(mta.wait_for("alice", "Sent", &t, 1).len(), 1);
    // Nothing left: another run sends nothing, and bob still has one copy.
    let again = tern(&config, dir.path(), &["outbox", "send"], b"");
    assert_eq!(
        (again.code, again.stdout.as_str()),
        (0, ""),
        "{}",
        again.stderr
    );
    assert!(outbox_rows(&config, dir.path()).is_empty());
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(mta.messages("bob", "INBOX", &t).len(), 1);
}

#[test]
fn a_wrong_smtp_password_is_a_clear_error() {
    let mta = Mta::start();
    let dir = tempfile::tempdir().unwrap();
    let extra = format!("{TRUST}\npassword = \"not-wonderland\"");
    let config = mta.config(dir.path(), mta.postfix.smtps_port, "implicit", &extra);
    let t = tag("badpw");
    let raw = format!("To: bob@{DOMAIN}\nSubject: {t}\n\nx\n");
    let run = tern(&config, dir.path(), &["send"], raw.as_bytes());
    assert_eq!(run.code, 1, "{}", run.stderr);
    let port = mta.postfix.smtps_port;
    assert!(
        run.stderr.contains(&format!(
            "SMTP login as alice at 127.0.0.1:{port} failed: 535"
        )),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("not-wonderland"),
        "the password was shown"
    );
    let rows = outbox_rows(&config, dir.path());
    assert_eq!(rows[0][4], "refused", "{rows:?}");
}

/// A config for the fake server: plain SMTP, no Sent copy (there is no IMAP behind it).
fn fake_config(dir: &std::path::Path, port: u16) -> std::path::PathBuf {
    let path = dir.join("config.toml");
    let text = format!(
        "[[account]]\nname = \"fake\"\nhost = \"127.0.0.1\"\nusername = \"alice\"\npassword = \"x\"\nfrom = \"alice@{DOMAIN}\"\nsave_sent = false\nread_timeout_secs = 30\n\n[account.smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn killed_after_the_final_dot_it_may_have_been_sent_and_is_not_resent_unasked() {
    let server = fake_smtp::start(vec![AfterDot::Stall, AfterDot::Accept]);
    let dir = tempfile::tempdir().unwrap();
    let config = fake_config(dir.path(), server.port);
    let raw = format!("To: bob@{DOMAIN}\nSubject: {}\n\nx\n", tag("kill"));
    let mut child = spawn_tern(&config, dir.path(), &["send"], raw.as_bytes());
    // The server has the whole message and never answers; now tern dies.
    server
        .messages
        .recv_timeout(Duration::from_secs(20))
        .expect("the message reached the server");
    child.kill().unwrap();
    child.wait().unwrap();

    let rows = outbox_rows(&config, dir.path());
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][4], "may have been sent", "{rows:?}");
    let run = tern(&config, dir.path(), &["outbox", "send"], b"");
    assert!(run.stderr.contains("--resend"), "{}", run.stderr);
    assert!(server.messages.try_recv().is_err(), "resent without asking");
    // Asked for: sent again, and then gone from the outbox.
    let id = rows[0][0].clone();
    let run = tern(
        &config,
        dir.path(),
        &["outbox", "send", "--resend", &id],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        server
            .messages
            .recv_timeout(Duration::from_secs(10))
            .is_ok()
    );
    assert!(outbox_rows(&config, dir.path()).is_empty());
}

#[test]
fn killed_at_any_moment_nothing_is_lost_and_nothing_doubled() {
    let mta = Mta::start();
    let dir = tempfile::tempdir().unwrap();
    let config = mta.config(dir.path(), mta.postfix.smtps_port, "implicit", TRUST);
    // A few MB, so the kills land before, during and after the transfer.
    let body: String = (0..40_000)
        .map(|i| format!("line {i} of a long message\n"))
        .collect();
    let delays_ms = [0u64, 30, 80, 150, 300, 600];
    let mut tags = Vec::new();
    for delay in delays_ms {
        let t = tag("kill9");
        let raw = format!("To: bob@{DOMAIN}\nSubject: {t}\n\n{body}");
        let mut child = spawn_tern(&config, dir.path(), &["send"], raw.as_bytes());
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(delay) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = child.kill();
        child.wait().unwrap();
        tags.push(t);
    }
    // A later run finishes what can be finished without risking a second copy.
    tern(&config, dir.path(), &["outbox", "send"], b"");
    let rows = outbox_rows(&config, dir.path());
    mta.wait_queue_empty();
    for t in &tags {
        let delivered = mta.messages("bob", "INBOX", t).len();
        let kept: Vec<&Vec<String>> = rows.iter().filter(|r| r[3] == *t).collect();
        assert!(delivered <= 1, "{t} delivered {delivered} times");
        match (delivered, kept.first()) {
            // Sent: it may only still be listed when it may have been sent (tern died
            // before the server's answer was recorded) — never as queued.
            (1, Some(row)) => assert_eq!(row[4], "may have been sent", "{row:?}"),
            (1, None) => {}
            // Not delivered: still in the outbox, or tern died before it was queued at all
            // (then `tern send` never said it took the message: the caller still has it).
            (0, Some(row)) => assert_eq!(row[4], "may have been sent", "{row:?}"),
            (0, None) => {}
            _ => unreachable!(),
        }
    }
}

#[test]
fn the_send_worker_reports_the_outbox_and_retries_when_asked() {
    use tern::send::worker::{self, SendCmd, SendEvent};
    let mut mta = Mta::start();
    let dir = tempfile::tempdir().unwrap();
    let account = mta.account(dir.path(), mta.postfix.smtps_port, "implicit", TRUST);
    let outbox = tern::send::Outbox::at(dir.path().join("outbox")).unwrap();
    mta.postfix.stop();
    let handle = worker::spawn(account, "wonderland".into(), outbox);
    let next = || {
        handle
            .events
            .recv_timeout(Duration::from_secs(30))
            .expect("an event from the send worker")
    };
    assert_eq!(
        next(),
        SendEvent::Outbox {
            queued: 0,
            attention: 0
        }
    );
    let t = tag("worker");
    let raw = format!("To: bob@{DOMAIN}\nSubject: {t}\n\nvia the worker\n");
    handle
        .commands
        .send(SendCmd::Submit {
            req: 7,
            raw: raw.into_bytes(),
        })
        .unwrap();
    let SendEvent::Queued { req, reason, .. } = next() else {
        panic!("not queued");
    };
    assert_eq!(req, Some(7));
    assert!(reason.contains("cannot reach"), "{reason}");
    assert_eq!(
        next(),
        SendEvent::Outbox {
            queued: 1,
            attention: 0
        }
    );

    mta.postfix.restart().expect("restart postfix");
    handle.commands.send(SendCmd::RetryNow).unwrap();
    let SendEvent::Sent { req, warning, .. } = next() else {
        panic!("not sent");
    };
    assert_eq!((req, warning), (None, None));
    assert_eq!(
        next(),
        SendEvent::Outbox {
            queued: 0,
            attention: 0
        }
    );
    assert_eq!(mta.wait_for("bob", "INBOX", &t, 1).len(), 1);
}

/// The TUI hands the send thread the password the user typed again after a refused login:
/// sending (and the Sent copy) use it from then on.
#[test]
fn a_password_typed_again_is_used_for_sending_too() {
    use tern::msg::Secret;
    use tern::send::worker::{self, SendCmd, SendEvent};
    let mta = Mta::start();
    let dir = tempfile::tempdir().unwrap();
    let account = mta.account(dir.path(), mta.postfix.smtps_port, "implicit", TRUST);
    let outbox = tern::send::Outbox::at(dir.path().join("outbox")).unwrap();
    let handle = worker::spawn(account, "not-wonderland".into(), outbox);
    let submit = |req, t: &str| {
        let raw = format!("To: bob@{DOMAIN}\nSubject: {t}\n\nretyped\n");
        handle
            .commands
            .send(SendCmd::Submit {
                req,
                raw: raw.into_bytes(),
            })
            .unwrap();
    };
    // The verdict on `req`, skipping the outbox counts.
    let verdict = |req| loop {
        let event = handle
            .events
            .recv_timeout(Duration::from_secs(30))
            .expect("an event from the send worker");
        match event {
            SendEvent::Outbox { .. } => {}
            SendEvent::Sent { req: Some(r), .. }
            | SendEvent::Refused { req: Some(r), .. }
            | SendEvent::Queued { req: Some(r), .. }
                if r == req =>
            {
                return event;
            }
            other => panic!("{other:?}"),
        }
    };
    submit(1, &tag("refused"));
    let SendEvent::Refused { text, .. } = verdict(1) else {
        panic!("sent with the wrong password");
    };
    assert!(text.contains("535"), "{text}");

    handle
        .commands
        .send(SendCmd::Password(Secret("wonderland".into())))
        .unwrap();
    let t = tag("retyped");
    submit(2, &t);
    let SendEvent::Sent { warning, .. } = verdict(2) else {
        panic!("not sent with the password typed again");
    };
    assert_eq!(warning, None, "the Sent copy failed");
    assert_eq!(mta.wait_for("bob", "INBOX", &t, 1).len(), 1);
    assert_eq!(mta.wait_for("alice", "Sent", &t, 1).len(), 1);
}
