//! Building a message then parsing it back with mail-parser gives what was written: headers
//! (any Unicode in names and subject), body text (long lines, trailing blanks, dots, `From `),
//! and attachment names and bytes. Also: draft text ⇄ draft, for any addresses and subject.

use mail_parser::{MessageParser, MimeHeaders};
use proptest::prelude::*;
use proptest::test_runner::Config;
use tern::compose::build::{Outgoing, Purpose, build};
use tern::compose::{Draft, Mailbox, Meta};

fn config() -> Config {
    Config {
        failure_persistence: None,
        ..Config::default()
    }
}

/// Words of printable characters (any script), single spaces between them.
fn words(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec("[\\PC&&[^\\s\"\\\\]]{1,12}", 1..max).prop_map(|w| w.join(" "))
}

fn mailbox() -> impl Strategy<Value = Mailbox> {
    (
        prop::option::of(words(4)),
        "[a-z0-9][a-z0-9._+-]{0,10}",
        "[a-z]{1,8}\\.(org|com|de|cn)",
    )
        .prop_map(|(name, local, domain)| {
            let local = local.trim_end_matches('.').replace("..", ".");
            Mailbox::new(name.as_deref(), &format!("{local}@{domain}"))
        })
}

fn body() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        "[\\PC\\t ]{0,200}",
        Just(".".to_string()),
        Just("From the start".to_string()),
        Just("-- ".to_string()),
        Just("trailing   ".to_string()),
    ];
    prop::collection::vec(line, 0..20).prop_map(|l| {
        let mut s = l.join("\n");
        s.push('\n');
        s
    })
}

/// Binary types with any bytes; text/plain with text (a parser decodes text parts by
/// charset, so only text is expected to come back unchanged from one).
fn attachment() -> impl Strategy<Value = Outgoing> {
    let binary = (
        prop_oneof![Just("application/octet-stream"), Just("image/png")],
        prop::collection::vec(any::<u8>(), 0..3000),
    )
        .prop_map(|(m, b)| (m, b));
    let text = "[\\PC\r\n\t ]{0,2000}".prop_map(|t| ("text/plain", t.into_bytes()));
    (words(3), prop_oneof![binary, text]).prop_map(|(name, (mime, bytes))| Outgoing {
        name,
        mime_type: mime.to_string(),
        bytes,
    })
}

fn draft() -> impl Strategy<Value = Draft> {
    (
        mailbox(),
        prop::collection::vec(mailbox(), 1..4),
        prop::collection::vec(mailbox(), 0..3),
        words(12),
        body(),
    )
        .prop_map(|(from, to, cc, subject, body)| Draft {
            from,
            to,
            cc,
            bcc: vec![],
            subject,
            body,
        })
}

fn names(a: Option<&mail_parser::Address<'_>>) -> Vec<Mailbox> {
    a.map(|a| {
        a.iter()
            .map(|x| Mailbox::new(x.name(), x.address().unwrap_or_default()))
            .collect()
    })
    .unwrap_or_default()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn built_messages_parse_back(d in draft(), atts in prop::collection::vec(attachment(), 0..3)) {
        let meta = Meta { id_local: "x.1.tern".into(), ..Meta::default() };
        let bytes = build(&d, &meta, &atts, "Wed, 19 Nov 2025 19:05:00 +0100", Purpose::Submit);
        for line in bytes.split(|b| *b == b'\n') {
            prop_assert!(line.len() <= 79, "{:?}", String::from_utf8_lossy(line));
        }
        prop_assert!(bytes.is_ascii());
        let p = MessageParser::default().parse(&bytes).expect("parses");
        prop_assert_eq!(p.subject().unwrap_or_default(), d.subject.as_str());
        prop_assert_eq!(names(p.from()), vec![d.from.clone()]);
        prop_assert_eq!(names(p.to()), d.to.clone());
        prop_assert_eq!(names(p.cc()), d.cc.clone());
        let text = p.body_text(0).unwrap_or_default().replace("\r\n", "\n");
        prop_assert_eq!(text, d.body.clone());
        let got: Vec<_> = p.attachments().collect();
        prop_assert_eq!(got.len(), atts.len());
        for (g, a) in got.iter().zip(&atts) {
            prop_assert_eq!(g.attachment_name().unwrap_or_default(), a.name.as_str());
            prop_assert_eq!(g.contents(), a.bytes.as_slice());
        }
    }

    #[test]
    fn draft_text_round_trips(d in draft()) {
        prop_assert_eq!(Draft::parse(&d.to_text()).unwrap(), d);
    }
}
