//! New drafts: a new message, a reply, a reply to all, an inline forward and a forward as
//! attachment, each with the sidecar that threads it and flags its original once sent.

use super::address::Mailbox;
use super::draft::Draft;
use super::identity::Identities;
use super::meta::{Mark, MarkKind, MessageRef, Meta, new_id_local};
use super::original::{Attachment, Original};
use super::quote::quoted_reply;
use crate::mime::subject::{forward_subject, reply_subject};

/// A draft ready to be stored ([`super::DraftStore::create`]): the editable part, its
/// sidecar, and the attachments it carries from the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub draft: Draft,
    pub meta: Meta,
    pub carried: Vec<Attachment>,
}

/// References beyond this many keep the first and the newest ones (RFC 5322 §3.6.4 allows
/// trimming; some servers refuse very long headers).
const MAX_REFERENCES: usize = 20;

/// An empty message from the primary identity.
pub fn new_message(me: &Identities) -> Composed {
    Composed {
        draft: Draft::new(me.primary.clone()),
        meta: Meta {
            id_local: new_id_local(),
            ..Meta::default()
        },
        carried: Vec::new(),
    }
}

/// A reply (to all with `all`) to `original`, which is `at` on the server. `text` goes above
/// the quote.
pub fn reply(
    original: &Original,
    at: MessageRef,
    me: &Identities,
    all: bool,
    text: &str,
) -> Composed {
    let (to, cc) = recipients(original, me, all);
    let mut draft = Draft::new(identity(original, me));
    draft.to = to;
    draft.cc = cc;
    draft.subject = reply_subject(&original.subject);
    draft.body = above(text) + &quoted_reply(original);
    Composed {
        draft,
        meta: Meta {
            id_local: new_id_local(),
            in_reply_to: original.message_id.clone(),
            references: references(original),
            mark: Some(Mark {
                message: at,
                kind: MarkKind::Answered,
            }),
            ..Meta::default()
        },
        carried: Vec::new(),
    }
}

/// An inline forward: the original's text under a header summary, its attachments carried.
pub fn forward_inline(
    original: &Original,
    at: MessageRef,
    me: &Identities,
    to: Vec<Mailbox>,
    text: &str,
) -> Composed {
    let mut body = above(text);
    body.push_str("---------- Forwarded message ----------\n");
    for (name, value) in [
        ("From", join(&original.from)),
        ("Date", original.date.clone().unwrap_or_default()),
        ("Subject", original.subject.clone()),
        ("To", join(&original.to)),
        ("Cc", join(&original.cc)),
    ] {
        if !value.is_empty() {
            body.push_str(&format!("{name}: {value}\n"));
        }
    }
    body.push('\n');
    body.push_str(original.text.trim_end());
    body.push('\n');
    forward(original, at, me, to, body, original.attachments.clone())
}

/// A forward carrying the whole original (`raw`, byte for byte) as message/rfc822.
pub fn forward_attached(
    original: &Original,
    raw: Vec<u8>,
    at: MessageRef,
    me: &Identities,
    to: Vec<Mailbox>,
    text: &str,
) -> Composed {
    let base = crate::mime::subject::base_subject(&original.subject);
    let name = if base.is_empty() {
        "forwarded.eml".to_string()
    } else {
        format!("{}.eml", base.replace(['/', '\\'], "_"))
    };
    let carried = vec![Attachment {
        name,
        mime_type: "message/rfc822".into(),
        bytes: raw,
    }];
    forward(original, at, me, to, text.to_string(), carried)
}

fn forward(
    original: &Original,
    at: MessageRef,
    me: &Identities,
    to: Vec<Mailbox>,
    body: String,
    carried: Vec<Attachment>,
) -> Composed {
    let mut draft = Draft::new(identity(original, me));
    draft.to = to;
    draft.subject = forward_subject(&original.subject);
    draft.body = body;
    Composed {
        draft,
        meta: Meta {
            id_local: new_id_local(),
            mark: Some(Mark {
                message: at,
                kind: MarkKind::Forwarded,
            }),
            ..Meta::default()
        },
        carried,
    }
}

/// The identity the original was sent to.
fn identity(original: &Original, me: &Identities) -> Mailbox {
    me.answering(
        original
            .to
            .iter()
            .chain(&original.cc)
            .chain(&original.delivered_to),
    )
}

fn above(text: &str) -> String {
    let text = text.trim_end();
    if text.is_empty() {
        "\n".to_string()
    } else {
        format!("{text}\n\n")
    }
}

fn join(list: &[Mailbox]) -> String {
    super::address::join(list)
}

/// (To, Cc) of a reply. The reply goes to Reply-To, else From; when that is us (a reply to
/// our own sent message) it goes to the original's To instead. Reply-all adds the original's
/// To and Cc; none of the account's addresses is ever a recipient, nor anyone twice.
fn recipients(original: &Original, me: &Identities, all: bool) -> (Vec<Mailbox>, Vec<Mailbox>) {
    let mut seen: Vec<String> = Vec::new();
    let mut take = |list: &[Mailbox]| -> Vec<Mailbox> {
        list.iter()
            .filter(|m| {
                let key = m.addr.to_ascii_lowercase();
                if me.is_mine(&m.addr) || seen.contains(&key) {
                    return false;
                }
                seen.push(key);
                true
            })
            .cloned()
            .collect()
    };
    let target = original.reply_target();
    let from_me = !target.is_empty() && target.iter().all(|m| me.is_mine(&m.addr));
    let mut to = if from_me {
        take(&original.to)
    } else {
        take(target)
    };
    if all {
        to.extend(take(&original.to));
        let cc = take(&original.cc);
        return (fallback(to, original), cc);
    }
    (fallback(to, original), Vec::new())
}

/// A note to self has no one else to answer: answer its sender.
fn fallback(to: Vec<Mailbox>, original: &Original) -> Vec<Mailbox> {
    if to.is_empty() {
        original.reply_target().to_vec()
    } else {
        to
    }
}

fn references(original: &Original) -> Vec<String> {
    let mut refs = if original.references.is_empty() {
        // RFC 5322 §3.6.4: without References, a single In-Reply-To id stands in.
        match original.in_reply_to.as_slice() {
            [one] => vec![one.clone()],
            _ => Vec::new(),
        }
    } else {
        original.references.clone()
    };
    if let Some(id) = &original.message_id {
        refs.push(id.clone());
    }
    if refs.len() > MAX_REFERENCES {
        let keep_from = refs.len() - (MAX_REFERENCES - 1);
        refs.drain(1..keep_from);
    }
    refs
}

#[cfg(test)]
#[path = "reply_tests.rs"]
mod tests;
