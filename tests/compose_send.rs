//! `tern reply` and `tern forward` end to end: the original sits in alice's INBOX on a real
//! Dovecot, the answer goes through a real Postfix, and what arrives is read back over IMAP as
//! the recipients (bob, carol). Covers reply and reply-all recipients, threading headers, no
//! `Re: Re:`, `\Answered` and `$Forwarded` on the original, an inline forward's attachment
//! bytes and non-ASCII name, a forward as attachment byte for byte, and the editor path.

mod support;

use std::path::{Path, PathBuf};

use mail_parser::{MessageParser, MimeHeaders};
use support::dovecot::Seeding;
use support::mta::{DOMAIN, Mta, TRUST, read_folder, tag, tern};

struct Setup {
    _dir: tempfile::TempDir,
    config: PathBuf,
    state: PathBuf,
}

fn setup(mta: &Mta) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let config = mta.config(dir.path(), mta.postfix.smtps_port, "implicit", TRUST);
    // alice's second address: replies to it are answered from it and never copied to it.
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "from = ",
        &format!("aliases = [\"liddell@{DOMAIN}\"]\nfrom = "),
    );
    std::fs::write(&config, text).unwrap();
    let state = dir.path().join("state");
    Setup {
        config,
        state,
        _dir: dir,
    }
}

/// Puts `raw` in alice's INBOX; returns its UID.
fn original(mta: &Mta, raw: &[u8]) -> u32 {
    mta.dovecot
        .append("alice", "INBOX", raw, &[], None)
        .unwrap()
}

fn run(s: &Setup, args: &[&str], stdin: &str) -> support::Run {
    tern(&s.config, &s.state, args, stdin.as_bytes())
}

fn ok(r: &support::Run) {
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
}

fn only(mta: &Mta, user: &str, t: &str) -> Vec<u8> {
    let got = mta.wait_for(user, "INBOX", t, 1);
    assert_eq!(
        got.len(),
        1,
        "{user} got {} copies\n{}",
        got.len(),
        mta.postfix.log()
    );
    got.into_iter().next().unwrap()
}

fn addrs(a: Option<&mail_parser::Address<'_>>) -> Vec<String> {
    a.map(|a| {
        a.iter()
            .filter_map(|x| x.address().map(str::to_string))
            .collect()
    })
    .unwrap_or_default()
}

/// The server's flags on alice's INBOX message `uid`, as the imap crate prints them.
fn flags_of(mta: &Mta, uid: u32) -> String {
    let mut s = mta.dovecot.session("alice").unwrap();
    s.examine("INBOX").unwrap();
    let f = s.uid_fetch(uid.to_string(), "FLAGS").unwrap();
    let out = format!("{:?}", f.iter().next().map(|f| f.flags().to_vec()));
    let _ = s.logout();
    out
}

fn no_drafts_left(s: &Setup) {
    let drafts = s.state.join("tern/drafts");
    let left: Vec<_> = std::fs::read_dir(&drafts)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "drafts left: {left:?}");
}

#[test]
fn reply_all_threads_reaches_everyone_but_us_and_marks_answered() {
    let mta = Mta::shared();
    let s = setup(&mta);
    let t = tag("replyall");
    let raw = format!(
        "From: Bob <bob@{DOMAIN}>\r\nTo: Alice <liddell@{DOMAIN}>, carol@{DOMAIN}\r\n\
         Cc: alice@{DOMAIN}\r\nSubject: RE: AW: {t}\r\nMessage-ID: <orig-{t}@{DOMAIN}>\r\n\
         References: <root-{t}@{DOMAIN}>\r\nDate: Wed, 19 Nov 2025 19:05:00 +0100\r\n\r\n\
         Lunch at noon?\r\n-- \r\nBob\r\n"
    );
    let uid = original(&mta, raw.as_bytes());
    let r = run(
        &s,
        &["reply", "INBOX", &uid.to_string(), "--all", "--body", "-"],
        "Yes, noon.\n",
    );
    ok(&r);
    let for_bob = only(&mta, "bob", &t);
    let for_carol = only(&mta, "carol", &t);
    let p = MessageParser::default().parse(&for_bob).unwrap();
    assert_eq!(p.subject(), Some(format!("Re: {t}").as_str()));
    assert_eq!(addrs(p.from()), [format!("liddell@{DOMAIN}")]);
    let mut to = addrs(p.to());
    to.extend(addrs(p.cc()));
    assert_eq!(to, [format!("bob@{DOMAIN}"), format!("carol@{DOMAIN}")]);
    assert_eq!(
        p.in_reply_to().as_text(),
        Some(format!("orig-{t}@{DOMAIN}").as_str())
    );
    assert_eq!(
        p.references().as_text_list().map(|l| l.to_vec()),
        Some(vec![
            format!("root-{t}@{DOMAIN}").into(),
            format!("orig-{t}@{DOMAIN}").into()
        ])
    );
    assert_eq!(format!("<{}>", p.message_id().unwrap()), r.stdout.trim());
    let body = p.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(
        body.starts_with(
            "Yes, noon.\n\nOn Wed, 19 Nov 2025 19:05:00 +0100, Bob wrote:\n> Lunch at noon?\n"
        ),
        "{body}"
    );
    assert!(!body.contains("> Bob"), "the signature was quoted: {body}");
    assert_eq!(
        MessageParser::default()
            .parse(&for_carol)
            .unwrap()
            .message_id(),
        p.message_id()
    );
    // None of alice's addresses got a copy; the original is \Answered.
    assert!(
        mta.messages("alice", "INBOX", &format!("Re: {t}"))
            .is_empty()
    );
    assert!(
        flags_of(&mta, uid).contains("Answered"),
        "{}",
        flags_of(&mta, uid)
    );
    no_drafts_left(&s);
}

#[test]
fn reply_goes_to_reply_to_only() {
    let mta = Mta::shared();
    let s = setup(&mta);
    let t = tag("replyto");
    let raw = format!(
        "From: Carol <carol@{DOMAIN}>\r\nReply-To: bob@{DOMAIN}\r\nTo: alice@{DOMAIN}\r\n\
         Subject: Re: {t}\r\nMessage-ID: <rt-{t}@{DOMAIN}>\r\n\r\nWrite to Bob.\r\n"
    );
    let uid = original(&mta, raw.as_bytes());
    ok(&run(
        &s,
        &["reply", "INBOX", &uid.to_string(), "--body", "-"],
        "Done.\n",
    ));
    let p_raw = only(&mta, "bob", &t);
    let p = MessageParser::default().parse(&p_raw).unwrap();
    assert_eq!(p.subject(), Some(format!("Re: {t}").as_str()));
    assert_eq!(addrs(p.to()), [format!("bob@{DOMAIN}")]);
    assert_eq!(addrs(p.from()), [format!("alice@{DOMAIN}")]);
    assert!(mta.messages("carol", "INBOX", &t).is_empty());
}

const BLOB_NAME: &str = "Übersicht 北京 – Q1.bin";

fn with_attachment(t: &str, blob: &[u8]) -> Vec<u8> {
    let b64 = base64_lines(blob);
    format!(
        "From: Bob <bob@{DOMAIN}>\r\nTo: alice@{DOMAIN}\r\nSubject: {t}\r\n\
         Message-ID: <att-{t}@{DOMAIN}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nThe numbers.\r\n--b1\r\n\
         Content-Type: application/octet-stream\r\n\
         Content-Disposition: attachment; filename*=UTF-8''%C3%9Cbersicht%20%E5%8C%97%E4%BA%AC%20%E2%80%93%20Q1.bin\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{b64}--b1--\r\n"
    )
    .into_bytes()
}

fn base64_lines(bytes: &[u8]) -> String {
    use base64::Engine;
    let all = base64::engine::general_purpose::STANDARD.encode(bytes);
    all.as_bytes()
        .chunks(76)
        .map(|c| format!("{}\r\n", String::from_utf8_lossy(c)))
        .collect()
}

#[test]
fn forward_inline_keeps_attachment_bytes_and_name_and_marks_forwarded() {
    let mta = Mta::shared();
    let s = setup(&mta);
    let t = tag("fwdinline");
    let blob: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let uid = original(&mta, &with_attachment(&t, &blob));
    let r = run(
        &s,
        &[
            "forward",
            "INBOX",
            &uid.to_string(),
            "--to",
            &format!("Carol <carol@{DOMAIN}>"),
            "--body",
            "-",
        ],
        "FYI\n",
    );
    ok(&r);
    let got = only(&mta, "carol", &t);
    let p = MessageParser::default().parse(&got).unwrap();
    assert_eq!(p.subject(), Some(format!("Fwd: {t}").as_str()));
    let body = p.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(
        body.starts_with("FYI\n\n---------- Forwarded message"),
        "{body}"
    );
    assert!(body.contains("The numbers."), "{body}");
    let atts: Vec<_> = p.attachments().collect();
    assert_eq!(atts.len(), 1);
    assert_eq!(atts[0].attachment_name(), Some(BLOB_NAME));
    assert_eq!(atts[0].contents(), blob.as_slice());
    assert!(
        flags_of(&mta, uid).contains("$Forwarded"),
        "{}",
        flags_of(&mta, uid)
    );
}

#[test]
fn forward_as_attachment_is_byte_identical() {
    let mta = Mta::shared();
    let s = setup(&mta);
    let t = tag("fwdattached");
    let blob: Vec<u8> = (0..200u8).collect();
    let uid = original(&mta, &with_attachment(&t, &blob));
    // The original as the server stores it.
    let stored = read_folder(&mta.dovecot, "alice", "INBOX")
        .into_iter()
        .find(|m| support::mta::subject(m) == t)
        .expect("original stored");
    let r = run(
        &s,
        &[
            "forward",
            "INBOX",
            &uid.to_string(),
            "--attached",
            "--to",
            &format!("bob@{DOMAIN}"),
            "--body",
            "-",
        ],
        "Attached.\n",
    );
    ok(&r);
    let got = only(&mta, "bob", &t);
    let p = MessageParser::default().parse(&got).unwrap();
    let atts: Vec<_> = p.attachments().collect();
    assert_eq!(atts.len(), 1);
    assert!(atts[0].is_message());
    assert_eq!(atts[0].contents(), stored.as_slice());
    assert!(
        got.windows(stored.len()).any(|w| w == stored.as_slice()),
        "the original is not in the forward byte for byte"
    );
}

fn editor_script(dir: &Path, body: &str) -> PathBuf {
    let script = dir.join("editor.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s' '{body}' >> \"$1\"\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[test]
fn without_body_the_editor_writes_it_and_an_unchanged_draft_is_not_sent() {
    let mta = Mta::shared();
    let s = setup(&mta);
    let t = tag("editor");
    let raw = format!("From: bob@{DOMAIN}\r\nTo: alice@{DOMAIN}\r\nSubject: {t}\r\n\r\nHi\r\n");
    let uid = original(&mta, raw.as_bytes()).to_string();
    let run_with = |editor: &str| {
        use std::process::Command;
        let out = Command::new(env!("CARGO_BIN_EXE_tern"))
            .arg("--config")
            .arg(&s.config)
            .args(["reply", "INBOX", &uid])
            .env("TERN_TEST_PASSWORD", "wonderland")
            .env("XDG_STATE_HOME", &s.state)
            .env("XDG_CACHE_HOME", &s.state)
            .env_remove("VISUAL")
            .env("EDITOR", editor)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = run_with("true");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("nothing sent"), "{stderr}");
    no_drafts_left(&s);
    let script = editor_script(s.state.parent().unwrap(), "Typed in the editor.");
    let (code, stderr) = run_with(&script.display().to_string());
    assert_eq!(code, Some(0), "{stderr}");
    let got = only(&mta, "bob", &t);
    let body = MessageParser::default()
        .parse(&got)
        .unwrap()
        .body_text(0)
        .unwrap()
        .into_owned();
    assert!(body.contains("Typed in the editor."), "{body}");
    assert!(body.contains("> Hi"), "{body}");
    no_drafts_left(&s);
}
