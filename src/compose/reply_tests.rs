use super::*;
use crate::compose::original::TextPart;

fn me() -> Identities {
    Identities::parse(
        "Alice Liddell <alice@example.org>",
        &["alice@example.com".into()],
    )
    .unwrap()
}

fn at() -> MessageRef {
    MessageRef {
        folder: "INBOX".into(),
        uid: 42,
        uid_validity: Some(9),
    }
}

const HEADER: &str = "From: Erin Walsh <erin@acme.example>\r\n\
To: Alice <alice@example.com>, Dave <dave@acme.example>, erin@acme.example\r\n\
Cc: ALICE@example.org, Olga <olga@example.ru>\r\n\
Subject: RE: Aw: Re-planning the Q1 roadmap\r\n\
Date: Wed, 19 Nov 2025 19:05:00 +0100\r\n\
Message-ID: <m2@acme.example>\r\n\
In-Reply-To: <m1@acme.example>\r\n\
References: <m0@acme.example> <m1@acme.example>\r\n\r\n";

fn original(header: &str, text: &str) -> Original {
    Original::from_parts(
        header.as_bytes(),
        &[TextPart {
            mime_type: "text/plain",
            text,
        }],
    )
}

fn addrs(list: &[Mailbox]) -> Vec<&str> {
    list.iter().map(|m| m.addr.as_str()).collect()
}

#[test]
fn reply_goes_to_the_sender_from_the_identity_written_to() {
    let o = original(HEADER, "Proposal.\n");
    let c = reply(&o, at(), &me(), false, "");
    assert_eq!(addrs(&c.draft.to), ["erin@acme.example"]);
    assert!(c.draft.cc.is_empty());
    // Sent to the alias (To comes before Cc): answered from it, with the primary's name.
    assert_eq!(c.draft.from.addr, "alice@example.com");
    assert_eq!(c.draft.from.name.as_deref(), Some("Alice Liddell"));
    assert_eq!(c.draft.subject, "Re: Re-planning the Q1 roadmap");
}

#[test]
fn reply_to_header_wins_over_from() {
    let h = HEADER.replace("Subject:", "Reply-To: list@lists.example\r\nSubject:");
    let c = reply(&original(&h, ""), at(), &me(), false, "");
    assert_eq!(addrs(&c.draft.to), ["list@lists.example"]);
    let all = reply(&original(&h, ""), at(), &me(), true, "");
    assert_eq!(
        addrs(&all.draft.to),
        [
            "list@lists.example",
            "dave@acme.example",
            "erin@acme.example"
        ]
    );
}

#[test]
fn reply_all_adds_to_and_cc_without_any_of_our_addresses() {
    let c = reply(&original(HEADER, ""), at(), &me(), true, "");
    // Erin once (From and To), neither alias nor primary (any case).
    assert_eq!(
        addrs(&c.draft.to),
        ["erin@acme.example", "dave@acme.example"]
    );
    assert_eq!(addrs(&c.draft.cc), ["olga@example.ru"]);
    let d = &c.draft;
    assert!(d.to.iter().chain(&d.cc).all(|m| !me().is_mine(&m.addr)));
}

#[test]
fn reply_to_our_own_message_goes_to_its_recipients() {
    let h = "From: Alice <alice@example.org>\r\nTo: bob@x.org\r\nSubject: hi\r\n\r\n";
    let c = reply(&original(h, ""), at(), &me(), false, "");
    assert_eq!(addrs(&c.draft.to), ["bob@x.org"]);
    assert_eq!(c.draft.from.addr, "alice@example.org");
    let note = "From: alice@example.org\r\nTo: alice@example.org\r\nSubject: note\r\n\r\n";
    let c = reply(&original(note, ""), at(), &me(), true, "");
    assert_eq!(addrs(&c.draft.to), ["alice@example.org"]);
}

#[test]
fn identity_falls_back_to_delivered_to_then_primary() {
    let h = "From: x@y.org\r\nTo: list@lists.example\r\nDelivered-To: alice@example.com\r\n\r\n";
    assert_eq!(
        reply(&original(h, ""), at(), &me(), false, "")
            .draft
            .from
            .addr,
        "alice@example.com"
    );
    let h = "From: x@y.org\r\nTo: list@lists.example\r\n\r\n";
    assert_eq!(
        reply(&original(h, ""), at(), &me(), false, "")
            .draft
            .from
            .addr,
        "alice@example.org"
    );
}

#[test]
fn subjects_never_stack_in_any_language() {
    for (subject, expected) in [
        ("Re: Re: x", "Re: x"),
        ("回复: 答复: 会议", "Re: 会议"),
        ("Антв: Встреча", "Re: Встреча"),
        ("AW: Termin", "Re: Termin"),
        ("Fwd: plan", "Re: plan"),
    ] {
        let h = format!("From: x@y.org\r\nSubject: {subject}\r\n\r\n");
        assert_eq!(
            reply(&original(&h, ""), at(), &me(), false, "")
                .draft
                .subject,
            expected
        );
    }
    let h = "From: x@y.org\r\nSubject: =?UTF-8?B?5Zue5aSNOiDkvJrorq4=?=\r\n\r\n";
    assert_eq!(
        reply(&original(h, ""), at(), &me(), false, "")
            .draft
            .subject,
        "Re: 会议"
    );
}

#[test]
fn threading_headers_and_mark() {
    let c = reply(&original(HEADER, ""), at(), &me(), false, "");
    assert_eq!(c.meta.in_reply_to.as_deref(), Some("m2@acme.example"));
    assert_eq!(
        c.meta.references,
        ["m0@acme.example", "m1@acme.example", "m2@acme.example"]
    );
    let mark = c.meta.mark.unwrap();
    assert_eq!((mark.kind, mark.message), (MarkKind::Answered, at()));
    // Only In-Reply-To: it stands in for References.
    let h = "From: x@y.org\r\nMessage-ID: <b@y>\r\nIn-Reply-To: <a@y>\r\n\r\n";
    let c = reply(&original(h, ""), at(), &me(), false, "");
    assert_eq!(c.meta.references, ["a@y", "b@y"]);
    // A very long thread keeps its root and the newest ids.
    let refs: Vec<String> = (0..40).map(|i| format!("<r{i}@y>")).collect();
    let h = format!(
        "From: x@y.org\r\nMessage-ID: <last@y>\r\nReferences: {}\r\n\r\n",
        refs.join(" ")
    );
    let c = reply(&original(&h, ""), at(), &me(), false, "");
    assert_eq!(c.meta.references.len(), MAX_REFERENCES);
    assert_eq!(c.meta.references[0], "r0@y");
    assert_eq!(c.meta.references.last().unwrap(), "last@y");
}

#[test]
fn body_is_text_then_attribution_then_quote_without_signature() {
    let o = original(HEADER, "Search first?\n\n> older\n-- \nErin Walsh\nCTO\n");
    let c = reply(&o, at(), &me(), false, "Yes, search first.");
    assert_eq!(
        c.draft.body,
        "Yes, search first.\n\nOn Wed, 19 Nov 2025 19:05:00 +0100, Erin Walsh wrote:\n\
         > Search first?\n>\n>> older\n"
    );
    let empty = reply(&o, at(), &me(), false, "");
    assert!(
        empty.draft.body.starts_with("\nOn Wed"),
        "{}",
        empty.draft.body
    );
}

#[test]
fn html_only_original_is_quoted_as_text() {
    let o = Original::from_parts(
        HEADER.as_bytes(),
        &[TextPart {
            mime_type: "text/html",
            text: "<html><body><p>Plan <b>B</b></p><p>-- <br>Erin</p></body></html>",
        }],
    );
    let body = reply(&o, at(), &me(), false, "").draft.body;
    assert!(body.contains("> Plan B"), "{body}");
    assert!(!body.contains('<'), "{body}");
}

#[test]
fn forward_inline_summarises_and_carries_attachments() {
    let mut o = original(HEADER, "The plan.\n-- \nErin\n");
    o.attachments.push(Attachment {
        name: "plan.pdf".into(),
        mime_type: "application/pdf".into(),
        bytes: b"%PDF-".to_vec(),
    });
    let to = vec![Mailbox::new(None, "frank@x.org")];
    let c = forward_inline(&o, at(), &me(), to.clone(), "FYI");
    assert_eq!(c.draft.to, to);
    assert_eq!(c.draft.subject, "Fwd: Re-planning the Q1 roadmap");
    assert!(
        c.draft
            .body
            .starts_with("FYI\n\n---------- Forwarded message")
    );
    assert!(
        c.draft
            .body
            .contains("From: Erin Walsh <erin@acme.example>\n")
    );
    // Forwarded, not quoted: the signature is part of what was forwarded.
    assert!(
        c.draft.body.ends_with("\nThe plan.\n-- \nErin\n"),
        "{}",
        c.draft.body
    );
    assert_eq!(c.carried, o.attachments);
    assert_eq!(c.meta.mark.unwrap().kind, MarkKind::Forwarded);
    assert_eq!(c.meta.in_reply_to, None);
}

#[test]
fn forward_attached_carries_the_raw_message() {
    let raw = format!("{HEADER}body\r\n").into_bytes();
    let o = Original::from_raw(&raw);
    let c = forward_attached(&o, raw.clone(), at(), &me(), vec![], "see attached");
    assert_eq!(c.carried.len(), 1);
    assert_eq!(c.carried[0].bytes, raw);
    assert_eq!(c.carried[0].mime_type, "message/rfc822");
    assert_eq!(c.carried[0].name, "Re-planning the Q1 roadmap.eml");
    assert_eq!(c.draft.body, "see attached");
    assert_eq!(c.draft.from.addr, "alice@example.com");
}

#[test]
fn new_message_is_from_the_primary() {
    let c = new_message(&me());
    assert_eq!(c.draft.from, me().primary);
    assert!(c.draft.to.is_empty() && c.meta.mark.is_none());
}
