//! The bench corpus (tests/support/corpus.rs) is what it claims to be: deterministic, sized
//! like real mail, in the charsets and structures it names, threaded, and every subject
//! decodes to what the benches look for on screen.

#[path = "support/corpus.rs"]
mod corpus;

use corpus::{Corpus, MAX_SIZE, MIN_SIZE, Shape, token};
use mail_parser::{MessageParser, MimeHeaders, PartType};

const N: usize = 3000;

#[test]
fn the_same_seed_gives_the_same_mail_and_another_seed_other_mail() {
    let a = Corpus::new(Shape::Realistic);
    let b = Corpus { seed: 18, ..a };
    for i in [0, 1, 999, 123_456] {
        assert_eq!(a.message(i), a.message(i));
        assert_ne!(a.message(i), b.message(i));
    }
}

#[test]
fn sizes_spread_from_one_to_two_hundred_kilobytes_most_small() {
    let mut sizes: Vec<usize> = Corpus::new(Shape::Realistic)
        .messages(N)
        .map(|m| m.len())
        .collect();
    sizes.sort();
    assert!(sizes[0] >= MIN_SIZE, "smallest {}", sizes[0]);
    assert!(sizes[N - 1] <= MAX_SIZE, "largest {}", sizes[N - 1]);
    let median = sizes[N / 2];
    assert!((2_000..12_000).contains(&median), "median {median}");
    assert!(sizes[N * 99 / 100] > 60_000, "p99 {}", sizes[N * 99 / 100]);
    let small: Vec<usize> = Corpus::new(Shape::Small)
        .messages(N)
        .map(|m| m.len())
        .collect();
    assert!(small.iter().all(|s| *s < 2_500), "{:?}", small.iter().max());
}

#[test]
fn every_subject_decodes_to_the_plain_subject_with_its_token() {
    let c = Corpus::new(Shape::Realistic);
    for i in 0..N {
        let raw = c.message(i);
        let m = MessageParser::default().parse(&raw).expect("parses");
        let subject = m.subject().expect("subject");
        assert_eq!(subject, c.subject(i), "message {i}");
        assert!(subject.ends_with(&token(i)));
        assert!(m.from().and_then(|f| f.first()).is_some(), "message {i}");
        assert_eq!(
            m.date().map(|d| d.to_timestamp()),
            Some(corpus::date(i)),
            "message {i}"
        );
    }
}

#[test]
fn charsets_encodings_and_structures_are_all_there() {
    let c = Corpus::new(Shape::Realistic);
    let all: Vec<Vec<u8>> = c.messages(N).collect();
    let text = |m: &Vec<u8>| String::from_utf8_lossy(m).into_owned();
    for needle in [
        "=?UTF-8?B?",
        "=?UTF-8?Q?",
        "=?GB2312?B?",
        "=?GBK?B?",
        "=?ISO-8859-1?Q?",
        "=?Shift_JIS?B?",
        "multipart/alternative",
        "text/html",
        "application/pdf",
        "image/png",
        "image/jpeg",
        "message/rfc822",
        "Content-Transfer-Encoding: quoted-printable",
        "Content-Transfer-Encoding: base64",
    ] {
        let n = all.iter().filter(|m| text(m).contains(needle)).count();
        assert!(n >= N / 100, "{needle}: {n} of {N}");
    }
    // A Shift_JIS body decodes to Japanese; a forwarded message is a nested message.
    let parsed: Vec<_> = all
        .iter()
        .map(|m| MessageParser::default().parse(m).expect("parses"))
        .collect();
    let japanese = parsed.iter().any(|m| {
        m.body_text(0)
            .is_some_and(|t| t.contains("よろしく") || t.contains("します"))
    });
    assert!(japanese);
    let nested = parsed.iter().filter(|m| {
        m.parts
            .iter()
            .any(|p| matches!(p.body, PartType::Message(_)))
    });
    assert!(nested.count() >= N / 50);
    let named_pdf = parsed.iter().any(|m| {
        m.attachments()
            .any(|a| a.attachment_name().is_some_and(|n| n.ends_with(".pdf")))
    });
    assert!(named_pdf);
}

#[test]
fn replies_name_earlier_messages_in_threads() {
    let c = Corpus::new(Shape::Small);
    let ids: Vec<String> = (0..N)
        .map(|i| {
            let raw = c.message(i);
            let m = MessageParser::default().parse(&raw).expect("parses");
            m.message_id().expect("Message-ID").to_string()
        })
        .collect();
    let mut replies = 0;
    let mut deep = 0;
    for i in 0..N {
        let raw = c.message(i);
        let m = MessageParser::default().parse(&raw).expect("parses");
        let Some(parent) = m.in_reply_to().as_text() else {
            continue;
        };
        replies += 1;
        let at = ids
            .iter()
            .position(|id| id == parent)
            .expect("a known parent");
        assert!(at < i, "message {i} replies to a later {at}");
        let refs = m.references().as_text_list().map_or(0, |l| l.len());
        if refs >= 3 {
            deep += 1;
        }
        assert!(m.subject().is_some_and(|s| s.starts_with("Re: ")
            || s.starts_with("RE: ")
            || s.starts_with("回复: ")));
    }
    assert!((N / 4..N / 2).contains(&replies), "{replies} replies");
    assert!(deep > N / 50, "{deep} replies three deep or more");
}
