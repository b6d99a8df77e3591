//! The conversation view end to end: the real `tern` binary in tmux replies to a message
//! (`EDITOR` a script adding a line), sends it through a private Postfix (its copy goes to
//! Sent), an answer to both arrives, and `i` shows the thread with the user's own reply from
//! Sent between the others, its quote folded.

mod support;

use mail_parser::MessageParser;
use support::dovecot::Seeding;
use support::mta::{DOMAIN, Mta, tag};
use support::tmux::DEADLINE;

/// Adds a line to the reply's body.
const EDITOR: &str = "#!/bin/sh\necho \"Count me in for $E2E_TAG.\" >> \"$1\"\n";

#[test]
fn the_conversation_shows_the_reply_tern_sent_between_the_others() {
    let mta = Mta::shared();
    let home = tempfile::tempdir().unwrap();
    let t = tag("conv");
    let root = format!("root-{t}@{DOMAIN}");
    let plan = format!(
        "From: Bob Builder <bob@{DOMAIN}>\r\nTo: Alice Liddell <alice@{DOMAIN}>\r\n\
         Subject: Offsite {t}\r\nMessage-ID: <{root}>\r\n\
         Date: Fri, 01 Mar 2024 09:30:00 +0000\r\n\r\nThe lake house in March?\r\n"
    );
    mta.dovecot
        .append("alice", "INBOX", plan.as_bytes(), &["\\Seen"], None)
        .unwrap();
    let (mut tmux, config) = mta.composing(home.path(), EDITOR, &[("E2E_TAG", &t)], (100, 44));
    tmux.launch_tern(&config);
    tmux.wait_for(&format!("Offsite {t}"), DEADLINE);
    tmux.act(&["reply"]);
    tmux.wait_for(&format!("Review: Re: Offsite {t}"), DEADLINE);
    tmux.act(&["send"]);
    tmux.wait_for("  sent", DEADLINE);

    // Carol answers both, after the reply (dated now, so later than it).
    let got = mta.wait_for("bob", "INBOX", &t, 1);
    let reply = MessageParser::new().parse(&got[0]).unwrap();
    let mine = reply
        .message_id()
        .expect("the reply has a Message-ID")
        .to_string();
    let date = chrono::Utc::now() + chrono::Duration::minutes(5);
    let answer = format!(
        "From: Carol Nguyen <carol@{DOMAIN}>\r\nTo: Alice Liddell <alice@{DOMAIN}>\r\n\
         Subject: Re: Offsite {t}\r\nMessage-ID: <carol-{t}@{DOMAIN}>\r\n\
         In-Reply-To: <{mine}>\r\nReferences: <{root}> <{mine}>\r\n\
         Date: {}\r\n\r\nBooked the barn room.\r\n",
        date.to_rfc2822()
    );
    mta.dovecot
        .append("alice", "INBOX", answer.as_bytes(), &[], None)
        .unwrap();
    // New mail comes to the top, under the cursor; open it and see its conversation.
    tmux.wait_for("Carol Nguyen", DEADLINE);
    tmux.act(&["top", "open"]);
    tmux.wait_for("Booked the barn room.", DEADLINE);
    tmux.act(&["conversation"]);
    let screen = tmux.wait_for("1 from Sent", DEADLINE);
    let screen = if screen.contains(&format!("Count me in for {t}.")) {
        screen
    } else {
        tmux.wait_for(&format!("Count me in for {t}."), DEADLINE)
    };
    let at = |text: &str| {
        screen
            .lines()
            .position(|l| l.contains(text))
            .unwrap_or_else(|| panic!("no {text:?} on the screen:\n{screen}"))
    };
    let (bob, you, carol) = (
        at("── Bob Builder"),
        at("── you → Bob"),
        at("── Carol Nguyen"),
    );
    assert!(bob < you && you < carol, "in date order:\n{screen}");
    assert!(
        at("[… 1 quoted line]") > you,
        "the reply's quote is folded:\n{screen}"
    );
    tmux.act(&["collapse"]);
    tmux.wait_for("> The lake house in March?", DEADLINE);
    tmux.act(&["back"]);
    tmux.wait_for("plain text", DEADLINE);
    // The reader closes, then the list asks before quitting.
    tmux.act(&["back"]);
    tmux.quit();
}
