use super::date::internal_date;
use super::*;
use crate::msg::{Flag, Flags};

/// Hands out `data` in pieces of `step` bytes, so every split point gets exercised.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn read_with(reply: &[u8], step: usize) -> (Result<Vec<Summary>>, Vec<u8>, Vec<String>) {
    let warnings = Warnings::default();
    let mut reader = Reader::new("t1", "UID FETCH", Vec::new(), warnings.clone());
    let rows = reader.rows(&mut Trickle { data: reply, step });
    let seen = warnings.lock().unwrap().clone();
    (rows, reader.leftover().to_vec(), seen)
}

fn read(reply: &str) -> Result<Vec<Summary>> {
    let (whole, _, _) = read_with(reply.as_bytes(), usize::MAX);
    for step in [1, 2, 3, 7, 64] {
        let (split, _, _) = read_with(reply.as_bytes(), step);
        assert_eq!(split, whole, "read {step} bytes at a time");
    }
    whole
}

/// A header fields item as Dovecot sends it.
fn fields(block: &str) -> String {
    format!(
        "BODY[HEADER.FIELDS ({})] {}",
        crate::mime::list_fields::NAMES,
        literal(block)
    )
}

/// A full row's header fields item.
fn env() -> String {
    fields(
        "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nSubject: Hello\r\n\
         From: Ann Example <ann@example.com>\r\nTo: Bob <bob@example.org>\r\n\
         Message-ID: <1@x>\r\n\r\n",
    )
}

#[test]
fn the_items_name_every_field_a_row_is_made_of() {
    for items in [ITEMS, ITEMS_WITHOUT_SIZE] {
        let fields = format!("HEADER.FIELDS ({})", crate::mime::list_fields::NAMES);
        assert!(items.contains(&fields), "{items}");
    }
}

#[test]
fn reads_rows_newest_first() {
    let env = env();
    let reply = format!(
        "* 1 FETCH (UID 7 FLAGS (\\Seen) INTERNALDATE \"01-Jan-2024 10:00:00 +0100\" RFC822.SIZE 1234 {env})\r\n\
         * 2 FETCH (UID 9 FLAGS () INTERNALDATE \" 2-Feb-2024 11:00:00 -0500\" RFC822.SIZE 99 {env})\r\n\
         t1 OK done\r\n"
    );
    let rows = read(&reply).unwrap();
    assert_eq!(rows.iter().map(|r| r.uid).collect::<Vec<_>>(), [9, 7]);
    let r = &rows[1];
    assert_eq!(r.flags, Flags::from(Flag::Seen));
    assert_eq!((r.date, r.date_offset), (1_704_099_600, 3600));
    assert_eq!(r.size, 1234);
    assert_eq!(&*r.from, "Ann Example <ann@example.com>");
    assert_eq!(&*r.to, "Bob <bob@example.org>");
    assert_eq!(&*r.subject, "Hello");
    assert_eq!(rows[0].date_offset, -5 * 3600);
}

#[test]
fn rows_answered_out_of_uid_order_still_come_newest_first() {
    let env = env();
    let reply = format!(
        "* 2 FETCH (UID 9 FLAGS () {env})\r\n\
         * 3 FETCH (UID 12 FLAGS () {env})\r\n\
         * 1 FETCH (UID 7 FLAGS () {env})\r\n\
         t1 OK done\r\n"
    );
    let rows = read(&reply).unwrap();
    assert_eq!(rows.iter().map(|r| r.uid).collect::<Vec<_>>(), [12, 9, 7]);
}

#[test]
fn strings_come_quoted_escaped_literal_or_nil_in_any_case() {
    let reply = concat!(
        "* 1 fetch (uid 5 Flags (\\SEEN \\flagged $Junk ) internaldate {26}\r\n",
        "01-Jan-2024 10:00:00 +0000 rfc822.size 10 body[header.fields (from)] ",
        r#""From: \"Say \\\"hi\\\" \\\\ bye\" <a@x>"  )  "#,
        "\r\n",
        "* 2 FETCH (UID 6 body[HEADER.FIELDS (SUBJECT TO)] {48}\r\n",
        "Subject: =?UTF-8?Q?caf=C3=A9?=\r\nTo: bob@ex.org\r\n)\r\n",
        "* 3 FETCH (UID 7 BODY[HEADER.FIELDS (SUBJECT)] nil)\r\n",
        "t1 ok done\r\n"
    );
    let rows = read(reply).unwrap();
    assert_eq!(rows.len(), 3);
    let r = &rows[2];
    assert_eq!(r.flags, Flag::Seen | Flag::Flagged);
    assert_eq!((r.date, r.size), (1_704_103_200, 10));
    assert_eq!(&*r.from, "Say \"hi\" \\ bye <a@x>");
    assert_eq!(&*rows[1].subject, "café");
    assert_eq!(&*rows[1].to, "bob@ex.org");
    assert_eq!((rows[0].uid, &*rows[0].subject), (7, ""));
}

#[test]
fn other_items_and_untagged_responses_are_skipped() {
    let env = env();
    let reply = format!(
        "* 3 EXISTS\r\n* 1 RECENT\r\n* OK [HIGHESTMODSEQ 9] fine\r\n\
         * 1 FETCH (MODSEQ (12) UID 4 X-GM-LABELS (\"\\\\Inbox\" (nested (deep))) \
         BODY[TEXT]<0> {{5}}\r\n((((( \
         FLAGS (\\Answered) {env})\r\n\
         * 2 EXPUNGE\r\n* XYZZY {{7}}\r\n* 1 FET\r\n* 2 FETCH (FLAGS (\\Seen))\r\n\
         * NO [ALERT] quota\r\n* BAD stray\r\n+ go on\r\nt1 OK done\r\n"
    );
    let (rows, _, warnings) = read_with(reply.as_bytes(), 5);
    let rows = rows.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].uid, rows[0].flags),
        (4, Flags::from(Flag::Answered))
    );
    assert_eq!(&*rows[0].subject, "Hello");
    assert_eq!(warnings, ["[ALERT] quota", "stray"]);
}

#[test]
fn a_flag_change_during_the_fetch_updates_the_row_instead_of_adding_one() {
    let env = env();
    let reply = format!(
        "* 1 FETCH (UID 1 FLAGS (\\Seen) {env})\r\n\
         * 2 FETCH (UID 2 FLAGS (\\Flagged))\r\n\
         * 2 FETCH (UID 2 FLAGS () {env})\r\n\
         * 1 FETCH (FLAGS (\\Deleted) UID 1)\r\n\
         * 3 FETCH (UID 3 FLAGS (\\Draft))\r\n\
         t1 OK done\r\n"
    );
    let rows = read(&reply).unwrap();
    let got: Vec<(u32, Flags, &str)> = rows.iter().map(|r| (r.uid, r.flags, &*r.subject)).collect();
    assert_eq!(
        got,
        [
            // Only a flag update for 3: kept, as the crate's path did.
            (3, Flags::from(Flag::Draft), ""),
            // The answer with the envelope came after the update: its flags are newer.
            (2, Flags::NONE, "Hello"),
            (1, Flags::from(Flag::Deleted), "Hello"),
        ]
    );
}

#[test]
fn no_and_bad_carry_the_servers_words() {
    let no = read("* 1 FETCH (UID 1)\r\nt1 NO [SERVERBUG] Internal error\r\n").unwrap_err();
    assert_eq!(
        no,
        Error::Server {
            command: "UID FETCH".into(),
            text: "Internal error".into()
        }
    );
    let bad = read("t1 BAD\r\n").unwrap_err();
    assert!(bad.to_string().contains("no explanation given"), "{bad}");
    // The connection stays usable: what came after is handed back.
    let (_, rest, _) = read_with(b"t1 NO busy\r\n* 4 EXISTS\r\n", usize::MAX);
    assert_eq!(rest, b"* 4 EXISTS\r\n");
}

#[test]
fn bytes_after_the_tagged_line_are_left_for_the_crate() {
    let env = env();
    let reply = format!("* 1 FETCH (UID 1 {env})\r\nt1 OK done\r\n* 2 EXISTS\r\n* 3 EXI");
    let (rows, rest, _) = read_with(reply.as_bytes(), usize::MAX);
    assert_eq!(rows.unwrap().len(), 1);
    assert_eq!(rest, b"* 2 EXISTS\r\n* 3 EXI");
}

#[test]
fn malformed_responses_are_protocol_errors() {
    let bad = [
        // Unbalanced parentheses swallowing the next items into FLAGS.
        "* 2 FETCH (UID 2 FLAGS (\\Seen INTERNALDATE \"x\" RFC822.SIZE 5))\r\n",
        // A quoted string running past the end of the line.
        "* 2 FETCH (UID 2 BODY[HEADER.FIELDS (SUBJECT)] \"s\r\n",
        // An escape other than \\ and \".
        "* 2 FETCH (UID 2 BODY[HEADER.FIELDS (SUBJECT)] \"a\\n\")\r\n",
        // Neither a string nor NIL.
        "* 2 FETCH (UID 2 BODY[HEADER.FIELDS (SUBJECT)] x)\r\n",
        // A UID past 32 bits, items without a space between them.
        "* 2 FETCH (UID 4294967296)\r\n",
        "* 2 FETCH (UID 2FLAGS ())\r\n",
        // Something after the list.
        "* 2 FETCH (UID 2) x\r\n",
        // Not IMAP, or the answer to someone else's command.
        "hello\r\n",
        "a7 OK done\r\n",
        "t1 MAYBE\r\n",
    ];
    for line in bad {
        let reply = format!("{line}t1 OK done\r\n");
        match read(&reply) {
            Err(Error::Protocol(why)) => assert!(why.contains("UID FETCH"), "{why}"),
            other => panic!("{line:?}: {other:?}"),
        }
    }
}

#[test]
fn a_huge_literal_is_refused_before_anything_is_read_for_it() {
    for head in [
        "* 1 FETCH (UID 1 BODY[HEADER.FIELDS (SUBJECT)] {4294967295}\r\n",
        "* 1 FETCH (UID 1 BODY[] {99999999999999999999}\r\n",
        "* XYZZY {2147483648}\r\n",
    ] {
        // Nothing follows the announcement: waiting for the bytes would end in
        // "connection lost", not in a refusal.
        let err = read(head).unwrap_err();
        assert!(
            err.to_string().contains("larger than 16 MiB"),
            "{head:?}: {err}"
        );
        assert!(matches!(err, Error::Network(_)), "{err:?}");
    }
}

#[test]
fn a_line_without_end_is_refused_at_the_response_limit() {
    let mut reply = b"* 1 FETCH (UID 1 X ".to_vec();
    reply.resize(MAX_RESPONSE + 10, b'x');
    let (rows, _, _) = read_with(&reply, usize::MAX);
    let err = rows.unwrap_err();
    assert!(err.to_string().contains("larger than"), "{err}");
}

#[test]
fn deep_nesting_is_refused_without_recursion() {
    let env = env();
    let nested = |depth: usize| {
        format!(
            "* 1 FETCH (UID 1 X {}{} {env})\r\nt1 OK done\r\n",
            "(".repeat(depth),
            ")".repeat(depth)
        )
    };
    // The FETCH's own list is the first level, as in the guard.
    assert_eq!(read(&nested(MAX_DEPTH - 1)).unwrap().len(), 1);
    for depth in [MAX_DEPTH, 100_000] {
        let err = read(&nested(depth)).unwrap_err();
        assert!(err.to_string().contains("nested more than"), "{err}");
    }
}

#[test]
fn end_of_stream_is_a_network_error_with_the_byes_words() {
    let env = env();
    let cut = format!(
        "* 1 FETCH (UID 1 {env})\r\n* 2 FETCH (UID 2 BODY[HEADER.FIELDS (SUBJECT)] {{10}}\r\nabc"
    );
    assert_eq!(
        read(&cut).unwrap_err(),
        Error::Network("the connection was lost".into())
    );
    let bye = read("* 1 FETCH (UID 1)\r\n* BYE going down\r\n").unwrap_err();
    assert_eq!(
        bye,
        Error::Network("UID FETCH: the server closed the connection: going down".into())
    );
}

#[test]
fn a_response_larger_than_the_buffer_is_read_whole() {
    let subject = "x".repeat(3 * BUFFER);
    let block = fields(&format!("Subject: {subject}\r\n\r\n"));
    let reply = format!("* 1 FETCH (UID 1 {block})\r\nt1 OK done\r\n");
    let (rows, _, _) = read_with(reply.as_bytes(), 4096);
    assert_eq!(&*rows.unwrap()[0].subject, subject);
}

#[test]
fn garbage_never_panics() {
    let env = env();
    // Every prefix of a reply, and every byte replaced by each delimiter.
    let reply = format!("* 1 FETCH (UID 1 FLAGS (\\Seen) {env})\r\nt1 OK done\r\n");
    let bytes = reply.as_bytes();
    for end in 0..bytes.len() {
        let _ = read_with(&bytes[..end], 7);
    }
    for at in 0..bytes.len() {
        for c in [
            b'(', b')', b'"', b'\\', b'{', b'}', b'\r', b'\n', b' ', 0, 0xff,
        ] {
            let mut b = bytes.to_vec();
            b[at] = c;
            let _ = read_with(&b, 13);
        }
    }
}

#[test]
fn internal_dates_parse_as_chrono_parses_them() {
    let chrono = |d: &str| {
        chrono::DateTime::parse_from_str(d, "%d-%b-%Y %H:%M:%S %z")
            .map_or((0, 0), |d| (d.timestamp(), d.offset().local_minus_utc()))
    };
    let mut dates = vec![
        " 1-Jan-2024 10:00:00 +0000".to_string(),
        "01-Jan-2024 10:00:00 -0000".into(),
        "1-Jan-2024 10:00:00 +0000".into(),
        "29-Feb-2024 23:59:59 +1400".into(),
        "29-Feb-2023 10:00:00 +0000".into(),
        "29-Feb-2000 10:00:00 +0000".into(),
        "29-Feb-1900 10:00:00 +0000".into(),
        "31-Apr-2024 10:00:00 +0000".into(),
        "01-jan-2024 10:00:00 +0000".into(),
        "01-JAN-2024 10:00:00 +0000".into(),
        "00-Jan-2024 10:00:00 +0000".into(),
        "01-Jan-2024 24:00:00 +0000".into(),
        "01-Jan-2024 10:60:00 +0000".into(),
        "30-Jun-2016 23:59:60 +0000".into(),
        "01-Jan-2024 10:00:00 +0060".into(),
        "01-Jan-2024 10:00:00 +2400".into(),
        "01-Jan-2024 10:00:00 +9959".into(),
        "01-Jan-0000 00:00:00 +0000".into(),
        "31-Dec-9999 23:59:59 -2359".into(),
        "01-Jan-2024 10:00:00 0000".into(),
        "01-Jan-2024 10:00:00 +00:00".into(),
        "01-Jan-2024T10:00:00 +0000".into(),
        "".into(),
    ];
    for year in [1969, 1970, 1999, 2000, 2038, 2100, 2400] {
        for (month, name) in ["Jan", "Feb", "Mar", "Jun", "Dec"].iter().enumerate() {
            dates.push(format!(
                "{:02}-{name}-{year} 0{month}:3{month}:4{month} +0530",
                28 - month
            ));
        }
    }
    for d in &dates {
        assert_eq!(internal_date(d.as_bytes()), chrono(d), "{d:?}");
    }
}

/// A row with an INTERNALDATE and, when there is one, the header fields item `item` (as sent).
fn with_item(item: Option<&str>) -> Summary {
    let item = item.map_or(String::new(), |f| {
        format!(" BODY[HEADER.FIELDS (DATE MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE)] {f}")
    });
    let reply = format!(
        "* 1 FETCH (UID 1 INTERNALDATE \"01-Jan-2024 10:00:00 +0000\"{item})\r\nt1 OK done\r\n"
    );
    let mut rows = read(&reply).unwrap();
    assert_eq!(rows.len(), 1);
    rows.remove(0)
}

/// A row whose header is `block`.
fn with_facts(block: &str) -> Summary {
    with_item(Some(&literal(block)))
}

fn literal(text: &str) -> String {
    format!("{{{}}}\r\n{text}", text.len())
}

#[test]
fn the_date_header_ids_and_attachment_come_with_the_row() {
    let r = with_facts(
        "Date: Tue, 2 Jan 2024 08:00:00 -0500\r\nIn-Reply-To: <parent@x> <other@x>\r\n\
         Message-ID:\r\n <me@x>\r\nReferences: <root@x>\r\n\t<mid@x>\r\n <parent@x>\r\n\
         Content-Type: multipart/mixed;\r\n boundary=\"b\"\r\n\r\n",
    );
    assert_eq!(r.sent(), (1_704_200_400, -5 * 3600));
    assert_eq!(r.date, 1_704_103_200, "INTERNALDATE is kept apart");
    assert_eq!(r.message_id(), Some("me@x"));
    assert_eq!(r.in_reply_to(), Some("parent@x"));
    assert_eq!(
        r.references().collect::<Vec<_>>(),
        ["root@x", "mid@x", "parent@x"]
    );
    assert!(r.has_attachment());
}

#[test]
fn missing_facts_fall_back_without_failing_the_row() {
    let internal = (1_704_103_200, 0);
    // No header fields item at all; an empty block, a quoted empty block, NIL; a Date that
    // does not parse and empty ids.
    for item in [
        None,
        Some("{0}\r\n"),
        Some("\"\""),
        Some("NIL"),
        Some("\"\\\\\""),
        Some(&literal(
            "Date: last tuesday\r\nMessage-ID:\r\nIn-Reply-To: \r\n\r\n",
        )),
    ] {
        let r = with_item(item);
        assert_eq!(r.sent(), internal, "{item:?}");
        assert_eq!((r.message_id(), r.in_reply_to()), (None, None), "{item:?}");
        assert_eq!(r.references().count(), 0, "{item:?}");
        assert!(!r.has_attachment(), "{item:?}");
        assert_eq!((&*r.from, &*r.subject), ("", ""), "{item:?}");
    }
    // Fields a server lists in its own case and order, and some missing.
    let reply = format!(
        "* 1 FETCH (UID 1 body[header.fields (\"content-type\" \"references\")] {})\r\n\
         t1 OK done\r\n",
        literal("content-type: Application/PDF\r\n\r\n")
    );
    let r = &read(&reply).unwrap()[0];
    assert!(r.has_attachment());
    assert_eq!(r.references().count(), 0);
}

#[test]
fn a_references_header_of_ten_thousand_ids_keeps_a_few() {
    let ids: Vec<String> = (0..10_000).map(|i| format!("<{i}@x>")).collect();
    let block = format!("References: {}\r\n\r\n", ids.join("\r\n "));
    let r = with_facts(&block);
    let kept: Vec<&str> = r.references().collect();
    assert_eq!(kept.len(), crate::msg::facts::MAX_REFERENCES);
    assert_eq!(kept.first(), Some(&"0@x"));
    assert_eq!(kept.last(), Some(&"9999@x"));
}

#[test]
fn hostile_ids_are_dropped_and_the_rest_kept() {
    let r = with_facts(
        "Date: Mon, 1 Jan 2024 10:00:00 +0000\u{1b}[2J\r\nIn-Reply-To: <\u{1b}[31m@x>\r\n\
         Message-ID: <me@x>\r\n\u{1b}[2J\r\n\
         References: <\u{1b}]0;owned\u{7}@x> <ok@x> <\u{202e}rtl@x> <a\u{0}b@x>\r\n\r\n",
    );
    assert_eq!(r.in_reply_to(), None);
    assert_eq!(r.message_id(), Some("me@x"));
    assert_eq!(r.references().collect::<Vec<_>>(), ["ok@x"]);
    assert_eq!(
        r.sent(),
        (1_704_103_200, 0),
        "an unparsable Date falls back"
    );
    // Bytes that are not UTF-8 are no id either.
    let block = b"References: <\xff@x>\r\n\r\n";
    let mut reply = format!(
        "* 1 FETCH (UID 1 BODY[HEADER.FIELDS (REFERENCES)] {{{}}}\r\n",
        block.len()
    )
    .into_bytes();
    reply.extend_from_slice(block);
    reply.extend_from_slice(b")\r\nt1 OK done\r\n");
    let (rows, _, _) = read_with(&reply, 3);
    assert_eq!(rows.unwrap()[0].references().count(), 0);
}
