//! Postponed drafts: the message to APPEND to the Drafts folder (`\Draft \Seen`), and a
//! Drafts message turned back into a draft. What the sidecar knows travels in the message
//! itself: Bcc, In-Reply-To and References as usual, the original to flag in `X-Tern-Mark`,
//! attachments as parts.

use mail_parser::{MessageParser, MimeHeaders};

use super::address::Mailbox;
use super::build::{self, Purpose};
use super::draft::{Draft, DraftError};
use super::meta::{Mark, MarkKind, MessageRef, Meta, new_id_local};
use super::original::{Attachment, Original};
use super::reply::Composed;
use super::store::DraftDir;
use crate::error::{Error, Result};

pub const MARK_HEADER: &str = "X-Tern-Mark";

/// `answered; uidvalidity=7; uid=42; folder=INBOX` (the folder last: it may hold `;`).
pub fn mark_header(meta: &Meta) -> Option<String> {
    let mark = meta.mark.as_ref()?;
    let kind = match mark.kind {
        MarkKind::Answered => "answered",
        MarkKind::Forwarded => "forwarded",
    };
    let m = &mark.message;
    let validity = m
        .uid_validity
        .map(|v| format!(" uidvalidity={v};"))
        .unwrap_or_default();
    Some(format!(
        "{kind};{validity} uid={}; folder={}",
        m.uid, m.folder
    ))
}

fn parse_mark(value: &str) -> Option<Mark> {
    let (kind, rest) = value.split_once(';')?;
    let kind = match kind.trim() {
        "answered" => MarkKind::Answered,
        "forwarded" => MarkKind::Forwarded,
        _ => return None,
    };
    let (params, folder) = rest.split_once("folder=")?;
    let mut uid = None;
    let mut uid_validity = None;
    for p in params.split(';').map(str::trim) {
        if let Some(v) = p.strip_prefix("uid=") {
            uid = v.parse().ok();
        } else if let Some(v) = p.strip_prefix("uidvalidity=") {
            uid_validity = v.parse().ok();
        }
    }
    Some(Mark {
        message: MessageRef {
            folder: folder.to_string(),
            uid: uid?,
            uid_validity,
        },
        kind,
    })
}

/// The bytes to APPEND to Drafts for this draft. A draft without recipients can be
/// postponed; one whose addresses do not parse cannot (the error says which).
pub fn postponed_message(dir: &DraftDir) -> Result<Vec<u8>> {
    let draft = Draft::parse_unaddressed(&dir.text()?).map_err(draft_err)?;
    let meta = dir.meta()?;
    let attachments = dir.load_attachments(&meta)?;
    Ok(build::build(
        &draft,
        &meta,
        &attachments,
        &build::now(),
        Purpose::Postpone,
    ))
}

fn draft_err(e: DraftError) -> Error {
    Error::Config(format!("the draft cannot be used: {e}"))
}

/// A message from the Drafts folder (at `at`) as a draft again; sending it removes `at`.
pub fn resume(raw: &[u8], at: MessageRef, fallback_from: &Mailbox) -> Composed {
    let original = Original::from_raw(raw);
    let parsed = MessageParser::default().parse(raw);
    let bcc = parsed
        .as_ref()
        .and_then(|m| m.bcc())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.address().map(|addr| Mailbox::new(x.name(), addr)))
                .collect()
        })
        .unwrap_or_default();
    let mark = parsed
        .as_ref()
        .and_then(|m| m.header_raw(MARK_HEADER))
        .and_then(|v| parse_mark(&crate::mime::decode_words(v.as_bytes())));
    // The text is the first text part as written, not a rendering of HTML.
    let body = parsed
        .as_ref()
        .and_then(|m| m.text_bodies().next().and_then(|p| p.text_contents()))
        .unwrap_or_default()
        .replace("\r\n", "\n");
    let draft = Draft {
        from: original
            .from
            .first()
            .cloned()
            .unwrap_or_else(|| fallback_from.clone()),
        to: original.to.clone(),
        cc: original.cc.clone(),
        bcc,
        subject: original.subject.clone(),
        body,
    };
    let carried: Vec<Attachment> = parsed
        .as_ref()
        .map(|m| {
            m.attachments()
                .zip(&original.attachments)
                .map(|(p, a)| Attachment {
                    name: p.attachment_name().unwrap_or(&a.name).to_string(),
                    mime_type: a.mime_type.clone(),
                    bytes: a.bytes.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    Composed {
        draft,
        meta: Meta {
            id_local: new_id_local(),
            in_reply_to: original.in_reply_to.first().cloned(),
            references: original.references.clone(),
            mark,
            resumed_from: Some(at),
            attachments: Vec::new(),
        },
        carried,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::DraftStore;
    use crate::compose::address::Mailbox;

    fn at() -> MessageRef {
        MessageRef {
            folder: "Drafts".into(),
            uid: 7,
            uid_validity: Some(3),
        }
    }

    #[test]
    fn mark_header_round_trips_odd_folder_names() {
        for folder in ["INBOX", "Work; 2026", "其他文件夹/QQ邮件"] {
            let meta = Meta {
                mark: Some(Mark {
                    message: MessageRef {
                        folder: folder.into(),
                        uid: 42,
                        uid_validity: Some(9),
                    },
                    kind: MarkKind::Answered,
                }),
                ..Meta::default()
            };
            let header = mark_header(&meta).unwrap();
            assert_eq!(parse_mark(&header), meta.mark, "{header}");
        }
        assert_eq!(parse_mark("answered; folder=X"), None);
    }

    #[test]
    fn a_postponed_draft_resumes_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DraftStore::open(tmp.path()).unwrap();
        let draft = Draft {
            from: Mailbox::new(Some("Alice"), "alice@example.org"),
            to: vec![Mailbox::new(Some("Bob"), "bob@x.org")],
            cc: vec![],
            bcc: vec![Mailbox::new(None, "hidden@x.org")],
            subject: "Re: Встреча".into(),
            body: "Draft text\n\n> quoted\n".into(),
        };
        let meta = Meta {
            id_local: new_id_local(),
            in_reply_to: Some("m2@x".into()),
            references: vec!["m1@x".into(), "m2@x".into()],
            mark: Some(Mark {
                message: MessageRef {
                    folder: "INBOX".into(),
                    uid: 42,
                    uid_validity: None,
                },
                kind: MarkKind::Answered,
            }),
            ..Meta::default()
        };
        let carried = [Attachment {
            name: "отчёт.pdf".into(),
            mime_type: "application/pdf".into(),
            bytes: b"%PDF-1.7 \x00\xff".to_vec(),
        }];
        let dir = store.create(&draft, &meta, &carried).unwrap();
        let raw = postponed_message(&dir).unwrap();
        let back = resume(&raw, at(), &Mailbox::new(None, "x@y.org"));
        assert_eq!(back.draft, draft);
        assert_eq!(back.meta.in_reply_to, meta.in_reply_to);
        assert_eq!(back.meta.references, meta.references);
        assert_eq!(back.meta.mark, meta.mark);
        assert_eq!(back.meta.resumed_from, Some(at()));
        assert_eq!(back.carried.to_vec(), carried.to_vec());
    }

    #[test]
    fn a_draft_without_recipients_can_be_postponed() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DraftStore::open(tmp.path()).unwrap();
        let mut draft = Draft::new(Mailbox::new(None, "alice@example.org"));
        draft.body = "half-written\n".into();
        let meta = Meta {
            id_local: new_id_local(),
            ..Meta::default()
        };
        let dir = store.create(&draft, &meta, &[]).unwrap();
        let raw = postponed_message(&dir).unwrap();
        let back = resume(&raw, at(), &Mailbox::new(None, "x@y.org"));
        assert_eq!(back.draft, draft);
        dir.save_text("From: a@x.org\nTo: bad@\n\n").unwrap();
        let e = postponed_message(&dir).unwrap_err().to_string();
        assert!(e.contains("\"bad@\""), "{e}");
    }
}
