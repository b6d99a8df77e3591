//! Hostile input at scale: property tests over the paths that take data off the network.
//!
//! - worker events → `Model::apply`: list order, removals, stale chunks;
//! - BODYSTRUCTURE → part tree: random well-formed structures, mutated ones, random bytes;
//! - summary fetch replies → rows: the summary reader against the crate's parse, and mangled
//!   replies;
//! - MIME decoding of bodies and headers: arbitrary bytes in any charset and encoding, and
//!   bodies decoded in pieces as a save streams them;
//! - the screen sanitiser and column fitting.
//!
//! CI runs 256 cases per property; `scripts/fuzz` runs the same properties with
//! `PROPTEST_CASES` in the hundreds of thousands. Inputs that once failed are kept at the end
//! as plain regression tests.

mod support;

use std::collections::{BTreeSet, HashSet};

use imap_proto::types::{AttributeValue, Response};
use proptest::prelude::*;
use proptest::test_runner::Config;
use tern::mime::{Part, Section, decode, headers, sanitize, structure};
use tern::model::Model;
use tern::msg::{Event, FlagChange, Flags, Folder, Summary, Uid};
use unicode_width::UnicodeWidthStr;

/// The case count comes from `PROPTEST_CASES` (default 256); failures are kept below as
/// regression tests rather than in files next to the sources.
fn config() -> Config {
    Config {
        failure_persistence: None,
        ..Config::default()
    }
}

// ---- events → model --------------------------------------------------------------------------

const FOLDERS: [&str; 2] = ["INBOX", "Work"];

/// One worker event, in terms small enough that UIDs collide often.
#[derive(Debug, Clone)]
enum Op {
    Select {
        folder: usize,
        validity: u32,
        uids: BTreeSet<Uid>,
    },
    /// The full UID list after a first screen.
    Listed {
        folder: usize,
        validity: u32,
        uids: BTreeSet<Uid>,
    },
    /// Summaries for UIDs picked from the list (by index) plus some never listed.
    Summaries {
        folder: usize,
        validity: u32,
        picks: Vec<usize>,
        strays: Vec<Uid>,
    },
    Arrived {
        folder: usize,
        validity: u32,
        uids: Vec<Uid>,
    },
    Expunged {
        folder: usize,
        uids: Vec<Uid>,
    },
    Moved {
        folder: usize,
        uids: Vec<Uid>,
    },
    Stored {
        folder: usize,
        uids: Vec<Uid>,
        add: bool,
        flags: u8,
    },
    FlagsChanged {
        folder: usize,
        changes: Vec<(Uid, u8)>,
    },
    Search {
        folder: usize,
        uids: Vec<Uid>,
    },
    Raw {
        folder: usize,
        uid: Uid,
    },
    SyncDone {
        folder: usize,
    },
    Failed,
}

fn uid() -> impl Strategy<Value = Uid> {
    prop_oneof![8 => 1u32..40, 1 => Just(u32::MAX), 1 => Just(0u32)]
}

fn op() -> impl Strategy<Value = Op> {
    let folder = 0usize..2;
    let validity = 1u32..3;
    prop_oneof![
        2 => (folder.clone(), validity.clone(), prop::collection::btree_set(uid(), 0..30))
            .prop_map(|(folder, validity, uids)| Op::Select { folder, validity, uids }),
        1 => (folder.clone(), validity.clone(), prop::collection::btree_set(uid(), 0..30))
            .prop_map(|(folder, validity, uids)| Op::Listed { folder, validity, uids }),
        4 => (
            folder.clone(),
            validity.clone(),
            prop::collection::vec(any::<usize>(), 0..20),
            prop::collection::vec(40u32..60, 0..3)
        )
            .prop_map(|(folder, validity, picks, strays)| Op::Summaries {
                folder,
                validity,
                picks,
                strays
            }),
        3 => (folder.clone(), validity, prop::collection::vec(uid(), 0..8))
            .prop_map(|(folder, validity, uids)| Op::Arrived { folder, validity, uids }),
        3 => (folder.clone(), prop::collection::vec(uid(), 0..8))
            .prop_map(|(folder, uids)| Op::Expunged { folder, uids }),
        1 => (folder.clone(), prop::collection::vec(uid(), 0..8))
            .prop_map(|(folder, uids)| Op::Moved { folder, uids }),
        2 => (folder.clone(), prop::collection::vec(uid(), 0..8), any::<bool>(), any::<u8>())
            .prop_map(|(folder, uids, add, flags)| Op::Stored { folder, uids, add, flags }),
        2 => (folder.clone(), prop::collection::vec((uid(), any::<u8>()), 0..8))
            .prop_map(|(folder, changes)| Op::FlagsChanged { folder, changes }),
        1 => (folder.clone(), prop::collection::vec(uid(), 0..8))
            .prop_map(|(folder, uids)| Op::Search { folder, uids }),
        1 => (folder.clone(), uid()).prop_map(|(folder, uid)| Op::Raw { folder, uid }),
        1 => folder.prop_map(|folder| Op::SyncDone { folder }),
        1 => Just(Op::Failed),
    ]
}

fn summary(uid: Uid, validity: u32) -> Summary {
    Summary {
        date: i64::from(uid),
        size: validity,
        to: format!("to {uid}").into(),
        ..support::ui::summary(
            uid,
            &format!("from {uid}"),
            &format!("subject {uid}"),
            Flags::NONE,
        )
    }
}

/// The event for `op` given the model's current list (Summaries name listed UIDs by index,
/// as a sync does; a removed UID is never summarised again, as a server would not).
fn event(op: &Op, model: &Model, removed: &HashSet<Uid>) -> Event {
    let name = |f: &usize| Folder::named(FOLDERS[*f]);
    match op {
        Op::Select {
            folder,
            validity,
            uids,
        } => Event::Selected {
            folder: name(folder),
            uid_validity: *validity,
            read_only: false,
            complete: true,
            uids: uids.iter().rev().copied().collect(),
        },
        // A server lists no removed message again unless it came back (it cannot).
        Op::Listed {
            folder,
            validity,
            uids,
        } => Event::Listed {
            folder: name(folder),
            uid_validity: *validity,
            uids: uids
                .iter()
                .rev()
                .copied()
                .filter(|u| !removed.contains(u))
                .collect(),
        },
        Op::Summaries {
            folder,
            validity,
            picks,
            strays,
        } => {
            let listed = model
                .mailbox
                .as_ref()
                .map(|m| m.uids.clone())
                .unwrap_or_default();
            let mut chunk: Vec<Summary> = picks
                .iter()
                .filter(|_| !listed.is_empty())
                .map(|i| summary(listed[i % listed.len()], *validity))
                .collect();
            chunk.extend(
                strays
                    .iter()
                    .filter(|u| !removed.contains(u))
                    .map(|u| summary(*u, *validity)),
            );
            Event::Summaries {
                folder: name(folder),
                uid_validity: *validity,
                chunk,
            }
        }
        Op::Arrived {
            folder,
            validity,
            uids,
        } => Event::Arrived {
            folder: name(folder),
            uid_validity: *validity,
            uids: uids.clone(),
        },
        Op::Expunged { folder, uids } => Event::Expunged {
            req: None,
            folder: name(folder),
            uids: uids.clone(),
        },
        Op::Moved { folder, uids } => Event::Copied {
            req: 1,
            folder: name(folder),
            dest: Folder::named("Archive"),
            uids: uids.clone(),
            dest_uids: None,
            moved: true,
            expunged: true,
        },
        Op::Stored {
            folder,
            uids,
            add,
            flags,
        } => Event::Stored {
            req: 1,
            change: FlagChange {
                folder: name(folder),
                uids: uids.clone(),
                add: *add,
                flags: Flags::from_byte(*flags),
            },
        },
        Op::FlagsChanged { folder, changes } => Event::FlagsChanged {
            folder: name(folder),
            changes: changes
                .iter()
                .map(|(u, f)| (*u, Flags::from_byte(*f)))
                .collect(),
        },
        // The server knows nothing of removed messages, so neither hits nor fetches name them.
        Op::Search { folder, uids } => Event::SearchResult {
            req: 1,
            folder: name(folder),
            uids: uids
                .iter()
                .copied()
                .filter(|u| !removed.contains(u))
                .collect(),
        },
        Op::Raw { folder, uid } => Event::Raw {
            req: 1,
            folder: name(folder),
            uid: if removed.contains(uid) { 100 } else { *uid },
            bytes: b"x".to_vec(),
        },
        Op::SyncDone { folder } => Event::SyncDone {
            folder: name(folder),
        },
        Op::Failed => Event::Failed {
            req: None,
            error: tern::error::Error::Network("the connection was lost".into()),
        },
    }
}

/// Applies `ops` in order, checking the model's invariants after each event.
fn check_model(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut model = Model::default();
    // UIDs removed from the open folder and not listed again since.
    let mut removed: HashSet<Uid> = HashSet::new();
    for op in ops {
        let ev = event(op, &model, &removed);
        let before = model
            .mailbox
            .as_ref()
            .map(|m| (m.folder.clone(), m.uid_validity, m.summaries.clone()));
        model.apply(ev.clone());
        let Some(mb) = model.mailbox.as_ref() else {
            continue;
        };
        match &ev {
            Event::Selected { .. } => removed.clear(),
            Event::Arrived { folder, uids, .. } if *folder == mb.folder => {
                removed.retain(|u| !uids.contains(u) || !mb.uids.contains(u));
            }
            Event::Expunged { folder, uids, .. } | Event::Copied { folder, uids, .. }
                if *folder == mb.folder =>
            {
                removed.extend(uids);
            }
            _ => {}
        }
        // No duplicates. Rows without a summary sit where the date order puts them (arrivals
        // first, a sync's last), which src/model/sort.rs tests; the rows with one are checked
        // below.
        let distinct: HashSet<Uid> = mb.uids.iter().copied().collect();
        prop_assert_eq!(
            distinct.len(),
            mb.uids.len(),
            "uids listed twice after {:?}: {:?}",
            ev,
            mb.uids
        );
        for u in &removed {
            prop_assert!(!mb.uids.contains(u), "removed {} still listed", u);
            prop_assert!(
                !mb.summaries.contains_key(u),
                "removed {} still summarised",
                u
            );
            prop_assert!(!mb.messages.contains_key(u), "removed {} still cached", u);
            if let Some(hits) = &mb.search {
                prop_assert!(!hits.contains(u), "removed {} still a search hit", u);
            }
        }
        // A chunk for another folder, or an older incarnation of this one, changes nothing.
        if let (
            Event::Summaries {
                folder,
                uid_validity,
                ..
            },
            Some((name, validity, summaries)),
        ) = (&ev, &before)
            && (folder != name || uid_validity != validity)
        {
            prop_assert_eq!(&mb.summaries, summaries, "a stale chunk landed");
        }
        let rows: Vec<Uid> = mb.rows().map(|s| s.uid).collect();
        // Newest first: by date, and every date here is the UID.
        prop_assert!(rows.windows(2).all(|w| w[0] > w[1]), "rows {:?}", rows);
        prop_assert!(
            rows.iter()
                .all(|u| mb.summaries.get(u).is_some_and(|s| s.uid == *u))
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn model_keeps_its_invariants(ops in prop::collection::vec(op(), 0..60)) {
        check_model(&ops)?;
    }
}

// ---- BODYSTRUCTURE → part tree ---------------------------------------------------------------

/// A BODYSTRUCTURE string and how many parts its tree has.
#[derive(Debug, Clone)]
struct Bs {
    text: String,
    parts: usize,
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("PLAIN".to_string()),
        Just("HTML".to_string()),
        Just("OCTET-STREAM".to_string()),
        "[A-Za-z0-9-]{1,8}",
    ]
}

fn quoted() -> impl Strategy<Value = String> {
    prop_oneof![Just("NIL".to_string()), string_value()]
}

/// A quoted string or a literal (never NIL).
fn string_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -!#-\\[\\]-~]{0,12}".prop_map(|s| format!("\"{s}\"")),
        // A literal, which servers use for 8-bit names.
        prop::collection::vec(any::<u8>(), 0..8).prop_map(|b| {
            let s = String::from_utf8_lossy(&b).into_owned();
            format!("{{{}}}\r\n{s}", s.len())
        }),
    ]
}

fn params() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("NIL".to_string()),
        prop::collection::vec(
            (
                prop_oneof![
                    Just("\"CHARSET\"".to_string()),
                    Just("\"NAME\"".to_string()),
                    Just("\"NAME*\"".to_string()),
                    Just("\"BOUNDARY\"".to_string())
                ],
                string_value()
            ),
            1..3
        )
        .prop_map(|kv| {
            let inner: Vec<String> = kv.into_iter().map(|(k, v)| format!("{k} {v}")).collect();
            format!("({})", inner.join(" "))
        }),
    ]
}

fn encoding() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\"7BIT\""),
        Just("\"BASE64\""),
        Just("\"QUOTED-PRINTABLE\""),
        Just("\"8BIT\""),
        Just("\"X-UUENCODE\""),
    ]
    .prop_map(str::to_string)
}

fn disposition() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" NIL NIL NIL NIL".to_string()),
        (quoted(), params()).prop_map(|(d, p)| if d == "NIL" {
            " NIL NIL NIL NIL".to_string()
        } else {
            format!(" NIL ({d} {p}) NIL NIL")
        }),
    ]
}

fn leaf() -> impl Strategy<Value = Bs> {
    (
        any::<bool>(),
        token(),
        params(),
        quoted(),
        encoding(),
        0u32..100_000,
        disposition(),
    )
        .prop_map(|(text, sub, params, id, enc, size, disp)| {
            let body = if text {
                format!(
                    "\"TEXT\" \"{sub}\" {params} {id} NIL {enc} {size} {}",
                    size / 70
                )
            } else {
                format!("\"APPLICATION\" \"{sub}\" {params} {id} NIL {enc} {size}")
            };
            Bs {
                text: format!("({body}{disp})"),
                parts: 1,
            }
        })
}

const ENVELOPE: &str = "(NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL)";

fn bodystructure() -> impl Strategy<Value = Bs> {
    leaf().prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), 1..4), token()).prop_map(|(kids, sub)| {
                let text: String = kids.iter().map(|k| k.text.as_str()).collect();
                Bs {
                    text: format!("({text} \"{sub}\")"),
                    parts: 1 + kids.iter().map(|k| k.parts).sum::<usize>(),
                }
            }),
            (inner, 0u32..10_000).prop_map(|(body, size)| Bs {
                text: format!(
                    "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" {size} {ENVELOPE} {} {})",
                    body.text,
                    size / 70
                ),
                parts: 1 + body.parts,
            }),
        ]
    })
}

/// Parses `bs` as a server's FETCH line; the tree when it parses.
fn part_tree(bs: &[u8]) -> Option<Part> {
    let mut line = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
    line.extend_from_slice(bs);
    line.extend_from_slice(b")\r\n");
    match imap_proto::parser::parse_response(&line) {
        Ok((_, Response::Fetch(_, attrs))) => attrs.iter().find_map(|a| match a {
            AttributeValue::BodyStructure(b) => Some(structure::from_bodystructure(b)),
            _ => None,
        }),
        _ => None,
    }
}

/// Sections are unique; each child's section extends its parent's (`p.i`, or `p.TEXT` for
/// the multipart body of a message) and sits one level deeper.
fn check_tree(root: &Part) -> Result<usize, TestCaseError> {
    let mut seen = HashSet::new();
    for p in root.walk() {
        prop_assert!(
            seen.insert(p.section.clone()),
            "section {} twice",
            p.section
        );
        for (i, c) in p.children.iter().enumerate() {
            prop_assert_eq!(c.depth, p.depth + 1);
            prop_assert!(
                c.section.path.starts_with(&p.section.path),
                "{} is not under {}",
                c.section,
                p.section
            );
            let own = c.section.path.len() == p.section.path.len() + 1;
            let shared = c.section.path == p.section.path
                && c.section.text
                && p.mime_type == "message/rfc822";
            prop_assert!(own || shared, "{} under {}", c.section, p.section);
            if own && !p.mime_type.starts_with("message/") {
                prop_assert_eq!(c.section.path.last().copied(), Some(i as u32 + 1));
            }
            // A section a FETCH can name round-trips through its text form.
            if !c.section.path.is_empty() {
                let back: Section = c.section.to_string().parse().expect("section parses");
                prop_assert_eq!(&back, &c.section);
            }
        }
    }
    Ok(seen.len())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn well_formed_bodystructures_number_like_rfc3501(bs in bodystructure()) {
        let root = part_tree(bs.text.as_bytes());
        prop_assert!(root.is_some(), "did not parse: {}", bs.text);
        let root = root.unwrap();
        prop_assert_eq!(check_tree(&root)?, bs.parts);
        prop_assert_eq!(root.section.path.is_empty(), root.is_multipart());
    }

    #[test]
    fn mutated_bodystructures_never_panic(
        bs in bodystructure(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
    ) {
        let mut bytes = bs.text.into_bytes();
        for (at, byte, kind) in edits {
            let i = at.index(bytes.len() + 1);
            match kind {
                0 => bytes.insert(i, byte),
                1 if i < bytes.len() => { bytes.remove(i); }
                _ if i < bytes.len() => bytes[i] = byte,
                _ => {}
            }
        }
        if let Some(root) = part_tree(&bytes) {
            check_tree(&root)?;
        }
    }

    #[test]
    fn random_bytes_as_bodystructure_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Some(root) = part_tree(&bytes) {
            check_tree(&root)?;
        }
    }
}

// ---- MIME decoding ---------------------------------------------------------------------------

fn charset() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        prop::sample::select(vec![
            "utf-8",
            "us-ascii",
            "gbk",
            "gb2312",
            "gb18030",
            "big5",
            "shift_jis",
            "euc-jp",
            "iso-2022-jp",
            "euc-kr",
            "iso-2022-kr",
            "hz-gb-2312",
            "iso-8859-1",
            "iso-8859-15",
            "windows-1252",
            "koi8-r",
            "utf-16",
            "utf-16le",
            "utf-7",
            "x-made-up",
            "",
        ])
        .prop_map(|s| Some(s.to_string())),
        "[ -~]{0,20}".prop_map(Some),
    ]
}

fn text_part(encoding: &str, charset: Option<String>) -> Part {
    Part {
        section: Section {
            path: vec![1],
            text: false,
        },
        mime_type: "text/plain".into(),
        params: Vec::new(),
        charset,
        encoding: encoding.into(),
        disposition: None,
        filename: None,
        size: 0,
        content_id: None,
        depth: 0,
        children: Vec::new(),
    }
}

/// Bytes that look like encoded content often enough to reach the decoders' inner paths.
fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..400),
        "[A-Za-z0-9+/=\r\n ]{0,400}".prop_map(String::into_bytes),
        "([ -~]|=[0-9A-Fa-f]{0,2}|=\r\n|\r\n){0,200}".prop_map(String::into_bytes),
    ]
}

fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
    let word = (
        prop::sample::select(vec!["utf-8", "gbk", "iso-8859-1", "x-bad", "UTF-8*en", ""]),
        prop::sample::select(vec!["B", "Q", "b", "q", "X"]),
        "[A-Za-z0-9+/=_?-]{0,24}",
    )
        .prop_map(|(c, e, t)| format!("=?{c}?{e}?{t}?="));
    let value = prop::collection::vec(
        prop_oneof![word, "[ -~]{0,12}", Just("\r\n ".to_string())],
        0..6,
    )
    .prop_map(|v| v.concat());
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        prop::collection::vec(
            (
                prop::sample::select(vec!["From", "To", "Cc", "Subject", "Date", "X-Odd"]),
                value
            ),
            0..6
        )
        .prop_map(|hs| {
            let mut s: String = hs.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
            s.push_str("\r\n");
            s.into_bytes()
        }),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn body_decoding_never_panics(
        raw in body_bytes(),
        encoding in prop::sample::select(vec!["base64", "quoted-printable", "7bit", "8bit", "binary", "x-uuencode"]),
        charset in charset(),
    ) {
        let part = text_part(encoding, charset);
        let bytes = decode::decode_bytes(&part, &raw);
        if matches!(encoding, "7bit" | "8bit" | "binary" | "x-uuencode") {
            prop_assert_eq!(&bytes, &raw);
        }
        let text = decode::decode_text(&part, &raw);
        prop_assert!(!text.starts_with('\u{feff}'), "BOM kept");
    }

    /// Saving decodes a part in the pieces the network hands over: wherever they are cut,
    /// the file holds what decoding the whole part gives.
    #[test]
    fn decoding_in_pieces_equals_decoding_whole(
        raw in body_bytes(),
        encoding in prop::sample::select(vec!["base64", "quoted-printable", "7bit"]),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(raw.len() + 1)).collect();
        cuts.sort_unstable();
        let mut decoder = decode::Decoder::for_encoding(encoding);
        let (mut out, mut from) = (Vec::new(), 0);
        for cut in cuts.into_iter().chain([raw.len()]) {
            decoder.push(&raw[from..cut], &mut out);
            from = cut;
        }
        decoder.finish(&mut out);
        let whole = decode::decode_bytes(&text_part(encoding, None), &raw);
        prop_assert_eq!(&out, &whole);
        // One byte at a time: base64 never takes its whole-group path, and must agree.
        let mut decoder = decode::Decoder::for_encoding(encoding);
        let mut out = Vec::new();
        for b in &raw {
            decoder.push(std::slice::from_ref(b), &mut out);
        }
        decoder.finish(&mut out);
        prop_assert_eq!(out, whole);
    }

    #[test]
    fn header_decoding_never_panics(raw in header_bytes()) {
        let _ = headers::decode_words(&raw);
        let view = headers::parse_headers(&raw);
        for (name, _) in &view.all {
            prop_assert!(!name.contains('\n'));
        }
    }
}

// ---- the screen sanitiser --------------------------------------------------------------------

/// Text with the things a hostile mail puts in: escape sequences, controls, bidi overrides,
/// wide and combining characters, emoji with variation selectors.
fn screen_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<char>().prop_map(String::from),
        "[ -~]{1,8}",
        prop::sample::select(vec![
            "\u{1b}[31m",
            "\u{1b}]0;title\u{7}",
            "\u{1b}]8;;http://x\u{1b}\\",
            "\u{1b}P",
            "\u{1b}",
            "\u{1b}[",
            "\u{1b}(B",
            "\u{9b}2J",
            "\r\n",
            "\r",
            "\n",
            "\t",
            "\u{7f}",
            "\u{0}",
            "\u{202e}",
            "\u{2066}",
            "\u{200b}",
            "\u{feff}",
            "中",
            "界",
            "🎉",
            "❤\u{fe0f}",
            "e\u{301}",
            "\u{e0041}",
            "\u{85}",
            "\u{ad}",
        ])
        .prop_map(str::to_string),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn sanitised_text_has_no_controls(s in screen_text()) {
        let line = sanitize::sanitize_line(&s);
        prop_assert!(!line.chars().any(is_control), "{:?} -> {:?}", s, line);
        let text = sanitize::sanitize_text(&s);
        prop_assert!(!text.chars().any(|c| c != '\n' && is_control(c)), "{:?} -> {:?}", s, text);
        prop_assert!(!text.contains('\r'));
    }

    #[test]
    fn truncate_and_pad_fit_the_column(s in screen_text(), max in 0usize..40) {
        let line = sanitize::sanitize_line(&s);
        let cut = sanitize::truncate_width(&line, max);
        prop_assert!(cut.width() <= max, "{:?} at {} is {} wide", cut, max, cut.width());
        prop_assert!(line.starts_with(cut.trim_end_matches('…')));
        let padded = sanitize::pad_width(&line, max);
        prop_assert_eq!(padded.width(), max, "{:?}", padded);
        // Unsanitised input must not panic either.
        let _ = sanitize::truncate_width(&s, max);
        let _ = sanitize::pad_width(&s, max);
    }
}

// ---- summary fetches: the summary reader against the crate's parse --------------------------

/// A header value as servers send them: plain, encoded words, UTF-8, 8-bit, quotes and
/// backslashes, tabs.
fn header_text() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        "[ -~\t]{0,12}".prop_map(String::into_bytes),
        Just(b"=?UTF-8?B?546L5bCP5piO?=".to_vec()),
        Just(b"=?ISO-8859-1?Q?caf=E9?=".to_vec()),
        Just(b"=?utf-8?q?a_b?= =?utf-8?q?c?=".to_vec()),
        Just(b"=?broken ?=".to_vec()),
        Just("Grüße 王小明".as_bytes().to_vec()),
        Just(b"caf\xe9".to_vec()),
        Just(b"say \"hi\" \\o/".to_vec()),
    ];
    prop::collection::vec(piece, 0..3).prop_map(|p| p.join(&b' '))
}

/// Message ids as servers pass them on: bracketed, bare, folded, empty, hostile.
fn ids_text() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop::sample::select(vec![
        &b"<a@x>"[..],
        b"<b.c@example.org>",
        b"bare@x",
        b"<>",
        b"< spaced@x >",
        b"<in side@x>",
        b"<\x1b[2J@x>",
        b"<\xff@x>",
        b"<\xc3\xa9@x>",
        b"(comment)",
        b"\r\n\t",
        b"<open@x",
    ]);
    prop::collection::vec(piece, 0..5).prop_map(|p| p.join(&b' '))
}

/// A header fields block as a summary fetch gets it: any of the list's fields, in any order,
/// values as servers pass them on (folded, quoted, encoded, 8-bit, hostile).
fn header_fields() -> impl Strategy<Value = Option<Vec<u8>>> {
    let content_type = prop::sample::select(vec![
        &b"multipart/mixed; boundary=\"b\""[..],
        b"Multipart/Alternative;\r\n boundary=b",
        b"application/pdf",
        b"text/plain",
    ])
    .prop_map(<[u8]>::to_vec);
    let from = prop_oneof![
        header_text(),
        Just(b"Al <al@example.org>".to_vec()),
        Just(b"\"Smith, Al\" <al@x>, bo@y".to_vec()),
        Just(b"al@x (Al)".to_vec()),
        Just(b"undisclosed-recipients:;".to_vec()),
    ];
    let text = |s: BoxedStrategy<Vec<u8>>, name: &'static str| {
        prop::option::weighted(0.7, s).prop_map(move |v| (name, v))
    };
    let fields = (
        text(header_text().boxed(), "Date"),
        text(header_text().boxed(), "subject"),
        text(from.clone().boxed(), "From"),
        text(from.boxed(), "TO"),
        text(ids_text().boxed(), "In-Reply-To"),
        text(ids_text().boxed(), "Message-Id"),
        text(ids_text().boxed(), "References"),
        text(content_type.boxed(), "Content-Type"),
    );
    let block = (fields, any::<usize>()).prop_map(|(f, rotate)| {
        let mut fields = vec![f.0, f.1, f.2, f.3, f.4, f.5, f.6, f.7];
        let n = fields.len();
        fields.rotate_left(rotate % n);
        let mut block = Vec::new();
        for (name, value) in fields {
            if let Some(v) = value {
                block.extend(name.bytes());
                block.extend(b": ");
                block.extend(v);
                block.extend(b"\r\n");
            }
        }
        block.extend(b"\r\n");
        block
    });
    prop::option::weighted(0.9, block)
}

fn internal_date() -> impl Strategy<Value = String> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "nov", "DEC",
    ];
    prop_oneof![
        4 => (1u32..=31, 0usize..12, 1900u32..2400, 0u32..24, 0u32..60, 0u32..60, any::<bool>(), 0u32..14, prop::sample::select(vec![0u32, 30, 45]), any::<bool>())
            .prop_map(|(d, mo, y, h, mi, s, east, oh, om, pad)| {
                let day = if pad { format!("{d:2}") } else { format!("{d:02}") };
                let sign = if east { '+' } else { '-' };
                format!("{day}-{}-{y} {h:02}:{mi:02}:{s:02} {sign}{oh:02}{om:02}", MONTHS[mo])
            }),
        1 => "[ -~]{0,30}",
    ]
}

/// One message's FETCH response, in terms that render for both parsers.
#[derive(Debug, Clone)]
struct FetchReply {
    flags: Vec<&'static str>,
    date: (String, bool),
    size: u32,
    /// The header fields block, and whether to send it as a literal.
    header: Option<(Vec<u8>, bool)>,
    /// An item we do not ask for, as servers add them.
    extra: Option<&'static str>,
    /// Which item comes first, and upper or lower case per letter of names and NIL.
    rotate: usize,
    case: u8,
    /// Spaces where imap-proto allows more or fewer: before the list's `)`, before the flags'
    /// `)`, before CRLF.
    spacing: (usize, bool, usize),
    /// Untagged noise before this response (only for the summary reader).
    noise: Option<&'static str>,
}

const NOISE: &[&str] = &[
    "* 3 EXISTS\r\n",
    "* 1 RECENT\r\n",
    "* 9 EXPUNGE\r\n",
    "* OK [HIGHESTMODSEQ 5] still here\r\n",
    "* NO [ALERT] quota almost full\r\n",
    "* BAD stray\r\n",
    "* XYZZY {3}\r\n(((\r\n",
    "* 4 FETCH (FLAGS (\\Seen))\r\n",
    "* 5 fetch (MODSEQ (7))\r\n",
];

fn fetch_reply() -> impl Strategy<Value = FetchReply> {
    let flags = prop::sample::subsequence(
        vec![
            "\\Seen",
            "\\Answered",
            "\\Flagged",
            "\\Deleted",
            "\\Draft",
            "\\Recent",
            "$Forwarded",
            "Junk",
            "\\*",
        ],
        0..4,
    );
    let extra = prop::option::of(prop::sample::select(vec![
        "MODSEQ (12345)",
        "X-GM-MSGID 1278455344230334865",
        "BODY[HEADER.FIELDS (X-A)] {6}\r\nX-A:\r\n",
    ]));
    (
        (flags, (internal_date(), any::<bool>()), any::<u32>()),
        (header_fields(), any::<bool>()),
        (extra, any::<usize>(), any::<u8>()),
        (0usize..3, any::<bool>(), 0usize..3),
        prop::option::weighted(0.3, prop::sample::select(NOISE)),
    )
        .prop_map(
            |((flags, date, size), (header, literal), (extra, rotate, case), spacing, noise)| {
                FetchReply {
                    flags,
                    date,
                    size,
                    header: header.map(|h| (h, literal)),
                    extra,
                    rotate,
                    case,
                    spacing,
                    noise,
                }
            },
        )
}

/// Renders replies for the summary reader (`for_crate` false) or for the crate: imap-proto
/// keeps the backslashes of quoted strings and takes only 7-bit text in them, so the crate
/// gets those strings as literals. Both must then read the same rows.
struct Render {
    for_crate: bool,
    case: u8,
}

impl Render {
    fn word(&self, out: &mut Vec<u8>, word: &str) {
        out.extend(word.bytes().enumerate().map(|(i, b)| {
            if self.case >> (i % 8) & 1 == 1 {
                b.to_ascii_lowercase()
            } else {
                b
            }
        }));
    }

    fn string(&self, out: &mut Vec<u8>, text: &[u8], literal: bool) {
        let crlf = text.iter().any(|b| matches!(b, b'\r' | b'\n'));
        let crate_unsafe = text
            .iter()
            .any(|b| matches!(b, 0 | b'"' | b'\\' | 0x80..=0xff));
        if literal || crlf || (self.for_crate && crate_unsafe) {
            out.extend(format!("{{{}}}\r\n", text.len()).bytes());
            out.extend(text);
            return;
        }
        out.push(b'"');
        for &b in text {
            if matches!(b, b'"' | b'\\') {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b'"');
    }

    fn fetch(&self, out: &mut Vec<u8>, seq: usize, uid: u32, m: &FetchReply) {
        let (before_close, flags_space, trailing) = m.spacing;
        let mut items: Vec<Vec<u8>> = Vec::new();
        let mut item = |name: &str, value: &dyn Fn(&mut Vec<u8>)| {
            let mut b = Vec::new();
            self.word(&mut b, name);
            b.push(b' ');
            value(&mut b);
            items.push(b);
        };
        item("UID", &|b| b.extend(uid.to_string().bytes()));
        item("FLAGS", &|b| {
            b.push(b'(');
            b.extend(m.flags.join(" ").bytes());
            if flags_space {
                b.push(b' ');
            }
            b.push(b')');
        });
        item("INTERNALDATE", &|b| {
            self.string(b, m.date.0.as_bytes(), m.date.1)
        });
        item("RFC822.SIZE", &|b| b.extend(m.size.to_string().bytes()));
        if let Some((block, literal)) = &m.header {
            item(
                "BODY[HEADER.FIELDS (DATE FROM TO SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE)]",
                &|b| self.string(b, block, *literal),
            );
        }
        if let Some(extra) = m.extra {
            items.push(extra.as_bytes().to_vec());
        }
        let first = m.rotate % items.len();
        items.rotate_left(first);
        if !self.for_crate {
            out.extend(m.noise.unwrap_or("").bytes());
        }
        out.extend(format!("* {seq} ").bytes());
        self.word(out, "FETCH");
        out.extend(b" (");
        out.extend(items.join(&b' '));
        out.extend(std::iter::repeat_n(b' ', before_close));
        out.push(b')');
        out.extend(std::iter::repeat_n(b' ', trailing));
        out.extend(b"\r\n");
    }
}

fn render(msgs: &[(u32, FetchReply)], for_crate: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (seq, (uid, m)) in msgs.iter().enumerate() {
        let r = Render {
            for_crate,
            case: m.case,
        };
        r.fetch(&mut out, seq + 1, *uid, m);
    }
    out
}

/// A stream that answers login and one command with `reply`, for a real `imap::Session`.
struct Scripted(std::io::Cursor<Vec<u8>>);

impl std::io::Read for Scripted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl std::io::Write for Scripted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The rows the crate's path makes of `reply`.
fn crate_rows(reply: &[u8]) -> Vec<Summary> {
    let mut script = b"a1 OK logged in\r\n".to_vec();
    script.extend_from_slice(reply);
    script.extend_from_slice(b"a2 OK done\r\n");
    let client = imap::Client::new(Scripted(std::io::Cursor::new(script)));
    let mut session = client.login("u", "p").map_err(|(e, _)| e).expect("login");
    let fetches = session
        .uid_fetch("1:*", "(UID)")
        .expect("the crate parses it");
    let mut scratch = String::new();
    let mut rows: Vec<Summary> = fetches
        .iter()
        .filter_map(|f| {
            let received = f
                .internal_date()
                .map_or((0, 0), |d| (d.timestamp(), d.offset().local_minus_utc()));
            let fields = tern::mime::list_fields::ListFields::read(f.header().unwrap_or_default());
            Some(Summary::from_fields(
                f.uid?,
                tern::imap::messages::flags(f.flags()),
                received,
                f.size.unwrap_or(0),
                &fields,
                &mut scratch,
            ))
        })
        .collect();
    rows.sort_unstable_by_key(|s| std::cmp::Reverse(s.uid));
    rows
}

/// Hands out bytes in pieces of the given sizes, over and over.
struct Pieces<'a> {
    data: &'a [u8],
    sizes: &'a [usize],
    next: usize,
}

impl std::io::Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let size = self.sizes[self.next % self.sizes.len()];
        self.next += 1;
        let n = size.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// The summary reader on `reply` + our tagged OK, the first `pending` bytes already received
/// (as when the guard hands them over), the rest read in pieces of `sizes`.
fn reader_rows(
    reply: &[u8],
    pending: usize,
    sizes: &[usize],
) -> (tern::error::Result<Vec<Summary>>, Vec<String>) {
    let mut all = reply.to_vec();
    all.extend_from_slice(b"t7 OK done\r\n");
    let split = pending.min(all.len());
    let warnings = std::sync::Arc::default();
    let mut reader = tern::imap::summary_reader::Reader::new(
        "t7",
        "UID FETCH",
        all[..split].to_vec(),
        std::sync::Arc::clone(&warnings),
    );
    let rows = reader.rows(&mut Pieces {
        data: &all[split..],
        sizes,
        next: 0,
    });
    let seen = warnings.lock().unwrap().clone();
    (rows, seen)
}

fn summary_replies() -> impl Strategy<Value = Vec<(u32, FetchReply)>> {
    prop::collection::vec(fetch_reply(), 0..8).prop_flat_map(|msgs| {
        let n = msgs.len();
        prop::collection::hash_set(1u32.., n)
            .prop_map(move |uids| uids.into_iter().zip(msgs.clone()).collect::<Vec<_>>())
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn summary_reader_reads_what_the_crate_reads(
        msgs in summary_replies(),
        pending in 0usize..400,
        sizes in prop::collection::vec(1usize..64, 1..4),
    ) {
        let expected = crate_rows(&render(&msgs, true));
        let (rows, warnings) = reader_rows(&render(&msgs, false), pending, &sizes);
        prop_assert_eq!(rows.expect("the reader parses it"), expected);
        let warned = msgs
            .iter()
            .filter(|(_, m)| m.noise.is_some_and(|n| n.starts_with("* NO") || n.starts_with("* BAD")))
            .count();
        prop_assert_eq!(warnings.len(), warned);
    }

    #[test]
    fn mangled_summary_replies_never_panic(
        msgs in summary_replies(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
        sizes in prop::collection::vec(1usize..64, 1..4),
    ) {
        let mut reply = render(&msgs, false);
        for (at, byte, how) in edits {
            if reply.is_empty() {
                reply.push(byte);
                continue;
            }
            let i = at.index(reply.len());
            match how {
                0 => reply[i] = byte,
                1 => reply.insert(i, byte),
                _ => { reply.remove(i); }
            }
        }
        let _ = reader_rows(&reply, 0, &sizes);
    }

    #[test]
    fn random_bytes_as_a_summary_reply_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
        sizes in prop::collection::vec(1usize..64, 1..4),
    ) {
        let _ = reader_rows(&bytes, 0, &sizes);
    }
}

// ---- regressions: inputs that once failed ----------------------------------------------------

/// Found by `model_keeps_its_invariants`: one Arrived naming a UID twice listed it twice.
#[test]
fn regression_arrived_duplicates_are_listed_once() {
    let mut model = Model::default();
    model.apply(Event::Selected {
        folder: Folder::named("Work"),
        uid_validity: 1,
        read_only: false,
        complete: true,
        uids: vec![],
    });
    model.apply(Event::Arrived {
        folder: Folder::named("Work"),
        uid_validity: 1,
        uids: vec![36, 36],
    });
    assert_eq!(model.mailbox.unwrap().uids, [36]);
}

/// The RFC 3501 example structure (as in src/mime/test_support.rs) keeps its numbering.
#[test]
fn regression_rfc3501_example_numbering() {
    let bs = concat!(
        "(",
        r#"("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23)"#,
        r#"("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 2000 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) "#,
        r#"(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 300 10)("APPLICATION" "OCTET-STREAM" NIL NIL NIL "BASE64" 1200) "MIXED") 50)"#,
        " \"MIXED\")"
    );
    let root = part_tree(bs.as_bytes()).expect("parses");
    let sections: Vec<String> = root.walk().map(|p| p.section.to_string()).collect();
    assert_eq!(sections, ["TEXT", "1", "2", "2.TEXT", "2.1", "2.2"]);
}
