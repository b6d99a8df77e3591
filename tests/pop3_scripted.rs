//! POP3 against a scripted server: a locked maildrop, malformed replies, a drop mid-RETR.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::pop3_fake::{Answer, FakePop3};
use support::{Run, tern_with};
use tern::msg::{Cmd, Event, Folder};

fn ok(text: &str) -> Answer {
    Answer::Reply(text.as_bytes().to_vec())
}

/// A maildrop of one message, `abc`; `retr` answers RETR.
fn mailbox(line: &str, retr: fn() -> Answer) -> Answer {
    match line.split(' ').next().unwrap_or("") {
        "CAPA" => ok("+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n"),
        "USER" | "PASS" | "NOOP" | "RSET" => ok("+OK\r\n"),
        "UIDL" => ok("+OK\r\n1 abc\r\n.\r\n"),
        "LIST" => ok("+OK\r\n1 40\r\n.\r\n"),
        "TOP" => ok("+OK\r\nSubject: hello\r\nFrom: a@b\r\n\r\n.\r\n"),
        "RETR" => retr(),
        _ => ok("-ERR unknown command\r\n"),
    }
}

fn run(fake: &FakePop3, store: &Path, args: &[&str]) -> Run {
    run_with(fake, store, "", "secret", args)
}

/// `run` with `extra` lines in the account and this password.
fn run_with(fake: &FakePop3, store: &Path, extra: &str, password: &str, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    tern_with(&config(dir.path(), fake, store, extra), password, args)
}

/// A config in `dir` with one account on the fake server, its store in `store`.
fn config(dir: &Path, fake: &FakePop3, store: &Path, extra: &str) -> PathBuf {
    let config = dir.join("config.toml");
    let text = format!(
        "[[account]]\nname = \"fake\"\nprotocol = \"pop3\"\nhost = \"127.0.0.1\"\nport = {}\n\
         tls = \"none\"\nusername = \"u\"\npassword_env = \"TERN_TEST_PASSWORD\"\n\
         pop3_store = \"{}\"\nread_timeout_secs = 5\n{extra}",
        fake.port,
        store.display()
    );
    std::fs::write(&config, text).unwrap();
    config
}

/// Lines that would carry the password: in the clear (PASS) or merely encoded (AUTH PLAIN).
fn carries_password(line: &str, password: &str) -> bool {
    line.contains(password) || line.starts_with("PASS") || line.starts_with("AUTH")
}

#[test]
fn a_server_offering_stls_never_gets_the_password_in_the_clear() {
    let fake = FakePop3::start(|line| match line {
        "CAPA" => ok("+OK\r\nSTLS\r\nSASL PLAIN\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n"),
        _ => mailbox(line, || ok("-ERR no\r\n")),
    });
    let store = tempfile::tempdir().unwrap();
    let run = run(&fake, store.path(), &["list", "INBOX"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("unencrypted"), "{}", run.stderr);
    assert!(run.stderr.contains("starttls"), "{}", run.stderr);
    let heard = fake.heard.lock().unwrap().clone();
    assert!(heard.contains(&"CAPA".to_string()), "{heard:?}");
    assert!(
        !heard.iter().any(|l| carries_password(l, "secret")),
        "{heard:?}"
    );
}

#[test]
fn apop_sends_the_digest_of_the_greetings_timestamp_not_the_password() {
    // RFC 1939's example timestamp and password.
    let fake = FakePop3::with_greeting(
        "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>",
        |line| match line.split(' ').next() {
            Some("APOP") => ok("+OK maildrop has 1 message\r\n"),
            Some("USER" | "PASS" | "AUTH") => ok("-ERR use APOP\r\n"),
            _ => mailbox(line, || ok("-ERR no\r\n")),
        },
    );
    let store = tempfile::tempdir().unwrap();
    let check = run_with(
        &fake,
        store.path(),
        "pop3_apop = true\n",
        "tanstaafl",
        &["check"],
    )
    .ok();
    assert!(check.stdout.contains("APOP"), "{}", check.stdout);
    let heard = fake.heard.lock().unwrap().clone();
    // The MD5 of timestamp + password (the unit test of the digest checks it with md5sum).
    assert!(
        heard.contains(&"APOP u a6f0dd348916c9ee9539661f94c75203".to_string()),
        "{heard:?}"
    );
    assert!(
        !heard.iter().any(|l| carries_password(l, "tanstaafl")),
        "{heard:?}"
    );
}

#[test]
fn a_locked_maildrop_is_explained_with_the_servers_words() {
    let fake = FakePop3::start(|line| match line.split(' ').next() {
        Some("PASS") => ok("-ERR [IN-USE] Mailbox is locked by another POP3 session\r\n"),
        _ => mailbox(line, || ok("-ERR no\r\n")),
    });
    let store = tempfile::tempdir().unwrap();
    let run = run(&fake, store.path(), &["check"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("Mailbox is locked"), "{}", run.stderr);
    assert!(
        run.stderr.contains("another client holds the mailbox lock"),
        "{}",
        run.stderr
    );
}

#[test]
fn malformed_listings_are_errors_not_guesses() {
    let fake = FakePop3::start(|line| match line {
        "UIDL" => ok("+OK\r\none abc\r\n.\r\n"),
        _ => mailbox(line, || ok("-ERR no\r\n")),
    });
    let store = tempfile::tempdir().unwrap();
    let run = run(&fake, store.path(), &["list", "INBOX"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("malformed UIDL"), "{}", run.stderr);
    let garbage = FakePop3::start(|line| match line {
        "LIST" => ok("* 1 EXISTS\r\n"),
        _ => mailbox(line, || ok("-ERR no\r\n")),
    });
    let run = self::run(&garbage, store.path(), &["list", "INBOX"]);
    assert!(
        run.stderr.contains("where +OK or -ERR belongs"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_drop_mid_retr_stores_nothing_and_a_whole_message_is_kept() {
    let dropping = FakePop3::start(|line| {
        mailbox(line, || {
            Answer::Drop(b"+OK\r\nSubject: hello\r\nFrom: a@b\r\n\r\nthe first ha".to_vec())
        })
    });
    let store = tempfile::tempdir().unwrap();
    run(&dropping, store.path(), &["list", "INBOX"]).ok();
    let read = run(&dropping, store.path(), &["read", "INBOX", "1"]);
    assert_ne!(read.code, 0);
    assert!(
        read.stderr.contains("closed the connection"),
        "{}",
        read.stderr
    );
    let files = |dir: &str| std::fs::read_dir(store.path().join(dir)).unwrap().count();
    assert_eq!((files("msg"), files("tmp")), (0, 0), "nothing half-stored");
    let whole = FakePop3::start(|line| {
        mailbox(line, || {
            ok("+OK\r\nSubject: hello\r\nFrom: a@b\r\n\r\n..dot-stuffed line\r\n.\r\n")
        })
    });
    let read = run(&whole, store.path(), &["export", "INBOX", "1"]).ok();
    assert_eq!(
        read.stdout,
        "Subject: hello\r\nFrom: a@b\r\n\r\n.dot-stuffed line\r\n"
    );
    assert_eq!(files("msg"), 1);
}

#[test]
fn a_refused_dele_is_rolled_back_and_the_local_copy_kept() {
    let fake = FakePop3::start(|line| match line.split(' ').next() {
        Some("DELE") => ok("-ERR [SYS/TEMP] storage unavailable\r\n"),
        _ => mailbox(line, || {
            ok("+OK\r\nSubject: hello\r\nFrom: a@b\r\n\r\nbody\r\n.\r\n")
        }),
    });
    let store = tempfile::tempdir().unwrap();
    run(&fake, store.path(), &["export", "INBOX", "1"]).ok();
    let gone = run(&fake, store.path(), &["delete", "INBOX", "1"]);
    assert_ne!(gone.code, 0);
    assert!(
        gone.stderr.contains("nothing was deleted"),
        "{}",
        gone.stderr
    );
    assert!(
        gone.stderr.contains("storage unavailable"),
        "{}",
        gone.stderr
    );
    let kept = run(&fake, store.path(), &["export", "INBOX", "1"]).ok();
    assert_eq!(kept.stdout, "Subject: hello\r\nFrom: a@b\r\n\r\nbody\r\n");
}

#[test]
fn messages_read_one_after_another_share_a_session_released_when_idle() {
    let fake = FakePop3::start(|line| match line.split(' ').next() {
        Some("UIDL") => ok("+OK\r\n1 abc\r\n2 def\r\n.\r\n"),
        Some("LIST") => ok("+OK\r\n1 40\r\n2 40\r\n.\r\n"),
        _ => mailbox(line, || {
            ok("+OK\r\nSubject: hello\r\nFrom: a@b\r\n\r\nbody\r\n.\r\n")
        }),
    });
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path(), &fake, &dir.path().join("store"), "");
    let account = tern::config::load(&path).unwrap().config.accounts[0].clone();
    let h = tern::backend::spawn(account, "secret".into());
    for uid in [1, 2] {
        let folder = Folder::named("INBOX");
        let req = u64::from(uid);
        h.commands.send(Cmd::FetchRaw { req, folder, uid }).unwrap();
        loop {
            match h.events.recv_timeout(Duration::from_secs(10)).unwrap() {
                Event::Raw { .. } => break,
                Event::Failed { error, .. } => panic!("{error}"),
                _ => {}
            }
        }
    }
    let heard = |command: &str| {
        let log = fake.heard.lock().unwrap();
        log.iter().filter(|l| l.starts_with(command)).count()
    };
    assert_eq!((heard("USER"), heard("RETR")), (1, 2), "one login for both");
    // Idle, the maildrop lock is given back without waiting for the program to end.
    let deadline = Instant::now() + Duration::from_secs(15);
    while heard("QUIT") == 0 {
        assert!(
            Instant::now() < deadline,
            "the idle session was never closed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    h.shutdown();
    assert_eq!(heard("USER"), 1);
}

#[test]
fn mail_sent_from_a_pop3_account_is_not_filed_in_a_sent_folder_it_lacks() {
    let smtp = support::fake_smtp::start(vec![support::fake_smtp::AfterDot::Accept]);
    let pop3 = FakePop3::start(|line| mailbox(line, || ok("-ERR no\r\n")));
    let dir = tempfile::tempdir().unwrap();
    let smtp_table = format!(
        "from = \"u@example.org\"\n\n[account.smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\n",
        smtp.port
    );
    let path = config(dir.path(), &pop3, &dir.path().join("store"), &smtp_table);
    let raw = b"To: bob@example.org\nSubject: from a POP3 account\n\nhello\n";
    let sent = support::mta::tern(&path, dir.path(), &["send"], raw);
    assert_eq!(sent.code, 0, "{}", sent.stderr);
    assert!(!sent.stderr.contains("Sent"), "{}", sent.stderr);
    assert!(smtp.messages.try_recv().is_ok(), "delivered");
    let outbox = support::mta::tern(&path, dir.path(), &["outbox"], b"");
    assert_eq!(outbox.stdout, "", "nothing left to retry");
}
