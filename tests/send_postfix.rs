//! Sending through a real Postfix into a real Dovecot, read back over IMAP as the recipient.

mod support;

use support::mta::{DOMAIN, Mta, TRUST, header_text, tag, tern};
use tern::send::{Outbox, Secrets, Submitted, submit_to};

fn send(mta: &Mta, raw: &str) -> (tempfile::TempDir, Result<Submitted, tern::send::SendError>) {
    let dir = tempfile::tempdir().unwrap();
    let account = mta.account(dir.path(), mta.postfix.smtps_port, "implicit", TRUST);
    let outbox = Outbox::at(dir.path().join("outbox")).unwrap();
    let secrets = Secrets::with_imap_password(&account, "wonderland".into());
    let result = submit_to(&outbox, &account, raw.as_bytes(), &secrets);
    (dir, result)
}

#[test]
fn bcc_recipient_gets_it_and_no_bcc_header_arrives() {
    let mta = Mta::shared();
    let t = tag("bcc");
    let raw = format!("To: Bob <bob@{DOMAIN}>\nBcc: carol@{DOMAIN}\nSubject: {t}\n\nHello Bob.\n");
    let (dir, result) = send(&mta, &raw);
    let Ok(Submitted::Sent {
        message_id,
        warning,
    }) = result
    else {
        panic!("not sent: {result:?}\n{}", mta.postfix.log());
    };
    assert_eq!(warning, None);
    for user in ["bob", "carol"] {
        let got = mta.wait_for(user, "INBOX", &t, 1);
        assert_eq!(
            got.len(),
            1,
            "{user} got {} copies\n{}",
            got.len(),
            mta.postfix.log()
        );
        let head = header_text(&got[0]);
        assert!(!head.to_ascii_lowercase().contains("\nbcc:"), "{head}");
        assert!(!head.contains("carol@"), "the Bcc address leaked: {head}");
        assert!(head.contains(&message_id), "{head}");
    }
    // The Sent copy is alice's, \Seen, and the outbox is empty again.
    let sent = mta.wait_for("alice", "Sent", &t, 1);
    assert_eq!(sent.len(), 1);
    let flags = support::mta::flags(&mta.dovecot, "alice", "Sent", &t);
    assert!(flags[0].contains("Seen"), "{flags:?}");
    let outbox = Outbox::at(dir.path().join("outbox")).unwrap();
    assert!(outbox.list().unwrap().is_empty());
}

#[test]
fn cli_send_over_starttls_decodes_a_non_ascii_subject_on_arrival() {
    let mta = Mta::shared();
    let dir = tempfile::tempdir().unwrap();
    let config = mta.config(dir.path(), mta.postfix.submission_port, "starttls", TRUST);
    let t = tag("utf8");
    let subject = format!("Grüße, 北京 и Москва {t}");
    let raw = format!("To: Bob <bob@{DOMAIN}>\nSubject: {subject}\n\nHallo Bob, schöne Grüße.\n");
    let run = tern(&config, dir.path(), &["send"], raw.as_bytes());
    assert_eq!(run.code, 0, "{}\n{}", run.stderr, mta.postfix.log());
    let message_id = run.stdout.trim();
    assert!(message_id.starts_with('<') && message_id.ends_with(&format!("@{DOMAIN}>")));
    let got = mta.wait_for("bob", "INBOX", &t, 1);
    assert_eq!(got.len(), 1);
    let parsed = mail_parser::MessageParser::new().parse(&got[0]).unwrap();
    assert_eq!(parsed.subject(), Some(subject.as_str()));
    assert_eq!(
        parsed.message_id(),
        Some(message_id.trim_matches(['<', '>']))
    );
    assert_eq!(
        parsed.body_text(0).as_deref().map(str::trim),
        Some("Hallo Bob, schöne Grüße.")
    );
    let from = parsed.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("Alice Liddell"));
    assert!(header_text(&got[0]).is_ascii(), "headers went out 8-bit");
    let list = tern(&config, dir.path(), &["outbox"], b"");
    assert_eq!(
        (list.code, list.stdout.as_str()),
        (0, ""),
        "{}",
        list.stderr
    );
}

#[test]
fn a_refused_recipient_is_a_permanent_error_with_the_servers_words() {
    let mta = Mta::shared();
    let dir = tempfile::tempdir().unwrap();
    let config = mta.config(dir.path(), mta.postfix.smtps_port, "implicit", TRUST);
    let t = tag("refused");
    let raw = format!("To: bob@{DOMAIN}, nobody@{DOMAIN}\nSubject: {t}\n\nx\n");
    let run = tern(&config, dir.path(), &["send"], raw.as_bytes());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("550") && run.stderr.contains("nobody@"),
        "{}",
        run.stderr
    );
    // Kept, marked refused, and nobody got a partial delivery.
    let list = tern(&config, dir.path(), &["outbox"], b"");
    let row: Vec<&str> = list.stdout.trim_end().split('\t').collect();
    assert_eq!(row[3], t);
    assert_eq!(row[4], "refused");
    assert!(row[5].contains("550"), "{row:?}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(mta.messages("bob", "INBOX", &t).is_empty());
}

#[test]
fn starttls_is_required_when_chosen() {
    let mta = Mta::shared();
    let dir = tempfile::tempdir().unwrap();
    // The plain port offers no STARTTLS (and would even take AUTH in plain text).
    let config = mta.config(dir.path(), mta.postfix.plain_port, "starttls", TRUST);
    let t = tag("nostarttls");
    let raw = format!("To: bob@{DOMAIN}\nSubject: {t}\n\nx\n");
    // Tests on the shared servers run one at a time: the log grows only by this one's lines.
    let logins = |log: &str| log.matches("sasl_method").count() + log.matches("SASL").count();
    let before = logins(&mta.postfix.log());
    let run = tern(&config, dir.path(), &["send"], raw.as_bytes());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("does not offer STARTTLS"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was sent"), "{}", run.stderr);
    let log = mta.postfix.log();
    assert_eq!(logins(&log), before, "tern logged in without TLS:\n{log}");
    assert!(mta.messages("bob", "INBOX", &t).is_empty());
}

#[test]
fn an_unverifiable_certificate_is_refused_with_the_way_out() {
    let mta = Mta::shared();
    let dir = tempfile::tempdir().unwrap();
    let config = mta.config(dir.path(), mta.postfix.smtps_port, "implicit", "");
    let raw = format!("To: bob@{DOMAIN}\nSubject: {}\n\nx\n", tag("cert"));
    let run = tern(&config, dir.path(), &["send"], raw.as_bytes());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("certificate"), "{}", run.stderr);
    assert!(
        run.stderr.contains("accept_invalid_certs = true"),
        "{}",
        run.stderr
    );
}

#[test]
fn lmtp_socket_delivers_straight_into_dovecot() {
    let mta = Mta::shared();
    let dir = tempfile::tempdir().unwrap();
    let socket = mta
        .dovecot
        .lmtp_socket()
        .expect("dovecot-lmtpd is installed");
    let config = dir.path().join("config.toml");
    let text = format!(
        "[[account]]\nname = \"lmtp\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nusername = \"alice\"\npassword_env = \"TERN_TEST_PASSWORD\"\nfrom = \"alice@{DOMAIN}\"\nlmtp_socket = \"{}\"\n",
        mta.dovecot.imap_port,
        socket.display()
    );
    std::fs::write(&config, text).unwrap();
    let t = tag("lmtp");
    let raw = format!("To: bob@{DOMAIN}\nCc: carol@{DOMAIN}\nSubject: {t}\n\n.leading dot\n");
    let run = tern(&config, dir.path(), &["send"], raw.as_bytes());
    assert_eq!(run.code, 0, "{}", run.stderr);
    for user in ["bob", "carol"] {
        let got = mta.wait_for(user, "INBOX", &t, 1);
        assert_eq!(got.len(), 1, "{user}");
        assert!(String::from_utf8_lossy(&got[0]).contains("\r\n.leading dot"));
    }
    assert_eq!(mta.wait_for("alice", "Sent", &t, 1).len(), 1);
    // A user Dovecot does not know is refused with its words.
    let raw = format!("To: nobody@{DOMAIN}\nSubject: {}\n\nx\n", tag("lmtp"));
    let run = tern(&config, dir.path(), &["send"], raw.as_bytes());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("nobody@") && run.stderr.contains("550"),
        "{}",
        run.stderr
    );
}
