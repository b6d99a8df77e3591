//! Writing mail end to end: the real `tern` binary in tmux, driven by the default keymap's
//! keys, with `EDITOR` a script that adds a line, sending through a private Postfix into a
//! private Dovecot; what arrived is read back over IMAP as the recipient. Every wait is for
//! text on the screen or a state on the server, with the driver's deadline.

mod support;

use mail_parser::{MessageParser, MimeHeaders};
use support::dovecot::Seeding;
use support::mta::{DOMAIN, Mta, flags, tag};
use support::tmux::{DEADLINE, eventually};

/// The editor: fills an empty Subject with `$E2E_TAG` and adds a line to the body. With
/// `$E2E_HOLD` set, it first says it started (that file + `.started`) and waits for that
/// file, so the test can resize the window while it runs.
const EDITOR: &str = "#!/bin/sh\n\
if [ -n \"$E2E_HOLD\" ]; then\n\
  touch \"$E2E_HOLD.started\"\n\
  while [ ! -e \"$E2E_HOLD\" ]; do sleep 0.05; done\n\
  rm -f \"$E2E_HOLD\"\n\
fi\n\
sed -i \"s/^Subject:\\$/Subject: $E2E_TAG/\" \"$1\"\n\
echo \"Written in the editor for $E2E_TAG.\" >> \"$1\"\n";

fn header<'a>(m: &'a mail_parser::Message<'a>, name: &str) -> String {
    m.header_raw(name).unwrap_or_default().trim().to_string()
}

#[test]
fn reply_in_the_editor_send_and_read_it_back_as_the_recipient() {
    let mta = Mta::shared();
    let home = tempfile::tempdir().unwrap();
    let t = tag("reply");
    let original = format!(
        "From: Bob Builder <bob@{DOMAIN}>\r\nTo: Alice Liddell <alice@{DOMAIN}>\r\n\
         Subject: Re: lunch {t}\r\nMessage-ID: <{t}@{DOMAIN}>\r\nReferences: <first-{t}@{DOMAIN}>\r\n\
         Date: Fri, 01 Mar 2024 09:30:00 +0000\r\n\r\nNoon at the usual place?\r\n"
    );
    mta.dovecot
        .append("alice", "INBOX", original.as_bytes(), &["\\Seen"], None)
        .unwrap();
    let hold = home.path().join("hold");
    let (mut tmux, config) = mta.composing(
        home.path(),
        EDITOR,
        &[("E2E_TAG", &t), ("E2E_HOLD", hold.to_str().unwrap())],
        (100, 30),
    );
    tmux.launch_tern(&config);
    // The newest message is the one under the cursor.
    tmux.wait_for(&format!("lunch {t}"), DEADLINE);
    tmux.act(&["reply"]);
    // While the editor runs the window shrinks; tern comes back at the new size.
    let started = hold.with_extension("started");
    eventually("the editor to start", DEADLINE, || {
        started.exists().then_some(()).ok_or("not yet".to_string())
    });
    tmux.resize(90, 26);
    std::fs::write(&hold, "").unwrap();
    let review = tmux.wait_for("Review: Re: lunch", DEADLINE);
    let top = review.lines().next().unwrap_or_default();
    assert_eq!(top.chars().count(), 90, "{review}");
    assert!(review.lines().count() <= 26, "{review}");
    assert!(review.contains("Written in the editor"), "{review}");
    assert!(review.contains("> Noon at the usual place?"), "{review}");
    assert!(
        review.contains("To: Bob Builder <bob@example.org>"),
        "{review}"
    );
    tmux.act(&["send"]);
    tmux.wait_for("  sent", DEADLINE);

    let got = mta.wait_for("bob", "INBOX", &t, 1);
    assert_eq!(got.len(), 1, "{}", mta.postfix.log());
    let m = MessageParser::new().parse(&got[0]).unwrap();
    assert_eq!(m.subject(), Some(format!("Re: lunch {t}").as_str()));
    assert_eq!(header(&m, "In-Reply-To"), format!("<{t}@{DOMAIN}>"));
    assert_eq!(
        header(&m, "References"),
        format!("<first-{t}@{DOMAIN}> <{t}@{DOMAIN}>")
    );
    let body = m.body_text(0).unwrap_or_default().into_owned();
    assert!(
        body.contains(&format!("Written in the editor for {t}.")),
        "{body}"
    );
    assert!(body.contains("> Noon at the usual place?"), "{body}");
    eventually("\\Answered on the original", DEADLINE, || {
        let f = flags(&mta.dovecot, "alice", "INBOX", &format!("lunch {t}"));
        match f.as_slice() {
            [one] if one.contains("Answered") => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    tmux.quit();
}

#[test]
fn compose_with_an_attachment_postpone_resume_from_drafts_and_send() {
    let mta = Mta::shared();
    let home = tempfile::tempdir().unwrap();
    let t = tag("draft");
    let pdf = home.path().join("report.pdf");
    let bytes: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&pdf, &bytes).unwrap();
    let (mut tmux, config) = mta.composing(home.path(), EDITOR, &[("E2E_TAG", &t)], (100, 30));
    tmux.launch_tern(&config);
    tmux.wait_for("INBOX ·", DEADLINE);

    tmux.act(&["compose"]);
    tmux.wait_for("To:", DEADLINE);
    tmux.type_text(&format!("Bob <bob@{DOMAIN}>"));
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("Review: {t}"), DEADLINE);
    tmux.act(&["attach"]);
    tmux.wait_for("A file to attach", DEADLINE);
    // Tab completes the file name from its first letters.
    tmux.type_text(&format!("{}/rep", home.path().display()));
    tmux.keys(&["Tab"]);
    tmux.wait_for("report.pdf", DEADLINE);
    tmux.keys(&["Enter"]);
    tmux.wait_for("another file", DEADLINE);
    tmux.keys(&["Enter"]);
    tmux.wait_for("1. report.pdf  application/pdf  4.9 KiB", DEADLINE);
    tmux.act(&["postpone"]);
    tmux.wait_for("Postponed to Drafts", DEADLINE);
    let drafts = flags(&mta.dovecot, "alice", "Drafts", &t);
    assert!(
        matches!(drafts.as_slice(), [f] if f.contains("Draft") && f.contains("Seen")),
        "{drafts:?}"
    );

    // Resume it from Drafts: open the folder, then the message, then edit_draft.
    tmux.act(&["command"]);
    tmux.type_text("folder Drafts");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&t, DEADLINE);
    tmux.act(&["open"]);
    tmux.wait_for("A postponed draft", DEADLINE);
    tmux.act(&["edit_draft"]);
    tmux.wait_for(&format!("Review: {t}"), DEADLINE);
    tmux.wait_for("1. report.pdf", DEADLINE);
    tmux.act(&["send"]);
    tmux.wait_for("  sent", DEADLINE);

    let got = mta.wait_for("bob", "INBOX", &t, 1);
    assert_eq!(got.len(), 1, "{}", mta.postfix.log());
    let m = MessageParser::new().parse(&got[0]).unwrap();
    let body = m.body_text(0).unwrap_or_default().into_owned();
    // The editor ran twice: once when writing, once when resuming.
    assert_eq!(body.matches("Written in the editor").count(), 2, "{body}");
    let a = m.attachments().next().expect("the attachment arrived");
    assert_eq!(a.attachment_name(), Some("report.pdf"));
    assert_eq!(a.contents(), &bytes[..]);
    eventually(
        "the postponed copy gone from Drafts",
        DEADLINE,
        || match mta.messages("alice", "Drafts", &t).len() {
            0 => Ok(()),
            n => Err(format!("{n} left")),
        },
    );
    tmux.act(&["quit"]);
    let exit = tmux.exited();
    assert_eq!(exit.code, 0, "tern failed:\n{}", exit.screen);
}
