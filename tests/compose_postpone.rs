//! Postponing and resuming against the real servers: a reply is postponed to Drafts
//! (`\Draft \Seen`), read back and resumed whole (Bcc, threading, the original to flag, its
//! attachment), sent through Postfix, and then the original is `\Answered` and the Drafts copy
//! is gone, removed by UID — all through the worker's ordinary commands.

mod support;

use std::time::Duration;

use support::dovecot::Seeding;
use support::mta::{DOMAIN, Mta, TRUST, flags, tag};
use tern::compose::followup::{self, Step};
use tern::compose::original::Original;
use tern::compose::postpone::{postponed_message, resume};
use tern::compose::prepare::prepare;
use tern::compose::{DraftStore, Identities, MessageRef, reply};
use tern::imap::worker::{self, Handle};
use tern::msg::{Cmd, Event, Folder, ReqId};
use tern::send::{Outbox, Secrets, Submitted, submit_to};

/// Sends `cmd` and waits for the event answering it; a failure fails the test.
fn call(h: &Handle, req: ReqId, cmd: Cmd) -> Event {
    h.commands.send(cmd).unwrap();
    loop {
        let ev = h
            .events
            .recv_timeout(Duration::from_secs(30))
            .expect("an answer from the worker");
        if ev.req() == Some(req) {
            if let Event::Failed { error, .. } = &ev {
                panic!("request {req} failed: {error}");
            }
            return ev;
        }
    }
}

#[test]
fn a_postponed_reply_resumes_whole_and_sending_it_removes_the_drafts_copy() {
    let mta = Mta::shared();
    let dir = tempfile::tempdir().unwrap();
    let account = mta.account(dir.path(), mta.postfix.smtps_port, "implicit", TRUST);
    let t = tag("postpone");
    let raw = format!(
        "From: Bob <bob@{DOMAIN}>\r\nTo: alice@{DOMAIN}\r\nSubject: {t}\r\n\
         Message-ID: <p-{t}@{DOMAIN}>\r\n\r\nShall we?\r\n"
    );
    let uid = mta
        .dovecot
        .append("alice", "INBOX", raw.as_bytes(), &[], None)
        .unwrap();
    let me = Identities::parse(&format!("Alice <alice@{DOMAIN}>"), &[]).unwrap();
    let at = MessageRef {
        folder: "INBOX".into(),
        uid,
        uid_validity: None,
    };
    let mut composed = reply::reply(
        &Original::from_raw(raw.as_bytes()),
        at.clone(),
        &me,
        false,
        "Maybe.",
    );
    composed.draft.bcc = vec![tern::compose::Mailbox::new(
        None,
        &format!("carol@{DOMAIN}"),
    )];
    let store = DraftStore::open(&dir.path().join("drafts")).unwrap();
    let draft = store.create(&composed.draft, &composed.meta, &[]).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "attached notes").unwrap();
    draft.attach(&dir.path().join("notes.txt")).unwrap();

    // Postpone: APPEND to Drafts, then the local draft is done with.
    let h = worker::spawn(account.clone(), "wonderland".into());
    let bytes = postponed_message(&draft).unwrap();
    let Event::Appended {
        uid: Some(draft_uid),
        ..
    } = call(
        &h,
        1,
        followup::append_postponed(1, &Folder::named("Drafts"), bytes),
    )
    else {
        panic!("no APPENDUID");
    };
    draft.remove().unwrap();
    let stored = flags(&mta.dovecot, "alice", "Drafts", &t);
    assert_eq!(stored.len(), 1);
    assert!(
        stored[0].contains("Draft") && stored[0].contains("Seen"),
        "{stored:?}"
    );

    // Resume it from the server.
    let Event::Raw {
        bytes: raw_draft, ..
    } = call(
        &h,
        2,
        Cmd::FetchRaw {
            req: 2,
            folder: Folder::named("Drafts"),
            uid: draft_uid,
        },
    )
    else {
        panic!("no raw message");
    };
    let drafts_copy = MessageRef {
        folder: "Drafts".into(),
        uid: draft_uid,
        uid_validity: None,
    };
    let resumed = resume(&raw_draft, drafts_copy.clone(), &me.primary);
    assert_eq!(resumed.draft, composed.draft);
    assert_eq!(resumed.meta.mark, composed.meta.mark);
    assert_eq!(resumed.meta.references, composed.meta.references);
    assert_eq!(resumed.carried.len(), 1);
    assert_eq!(resumed.carried[0].bytes, b"attached notes");
    let again = store
        .create(&resumed.draft, &resumed.meta, &resumed.carried)
        .unwrap();

    // Send it; then flag the original and drop the Drafts copy, by UID.
    let prepared = prepare(&again).unwrap();
    let outbox = Outbox::at(dir.path().join("outbox")).unwrap();
    let secrets = Secrets::with_imap_password(&account, "wonderland".into());
    let sent = submit_to(&outbox, &account, &prepared.bytes, &secrets);
    assert!(
        matches!(sent, Ok(Submitted::Sent { .. })),
        "{sent:?}\n{}",
        mta.postfix.log()
    );
    let steps = followup::after_send(&prepared.meta);
    assert!(matches!(
        steps[..],
        [Step::Mark(_), Step::Delete(_), Step::Expunge(_)]
    ));
    for (i, step) in steps.iter().enumerate() {
        let req = 10 + i as ReqId;
        call(&h, req, step.into_cmd(req));
    }
    again.remove().unwrap();
    h.shutdown();

    for user in ["bob", "carol"] {
        assert_eq!(mta.wait_for(user, "INBOX", &t, 1).len(), 1, "{user}");
    }
    assert!(mta.messages("alice", "Drafts", &t).is_empty());
    let original = flags(&mta.dovecot, "alice", "INBOX", &t);
    assert!(original[0].contains("Answered"), "{original:?}");
}
