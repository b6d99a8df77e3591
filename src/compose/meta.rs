//! What a draft carries besides what the user edits, kept in a sidecar file next to it
//! (`meta.toml`): threading ids, the Message-ID's unique part, which original to flag after
//! sending, which Drafts message it was resumed from, and its attachments.
//!
//! A sidecar rather than hidden headers in the edited file: the editor can neither damage
//! these nor show them, and the edited file stays the five headers and a body.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::msg::Uid;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// The Message-ID's part before the `@`; the domain is the From address's, so the id
    /// stays the same however often the message is rebuilt.
    pub id_local: String,
    /// Without angle brackets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The original to flag once this is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<Mark>,
    /// The postponed copy in the Drafts folder, removed once this is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resumed_from: Option<MessageRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentRef>,
}

/// A message on the server, by UID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageRef {
    pub folder: String,
    pub uid: Uid,
    /// When known: a UID is only meaningful with the folder's UIDVALIDITY.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid_validity: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mark {
    pub message: MessageRef,
    pub kind: MarkKind,
}

/// What a sent reply or forward does to its original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MarkKind {
    /// `\Answered`
    Answered,
    /// The `$Forwarded` keyword.
    Forwarded,
}

impl MarkKind {
    /// The IMAP flag or keyword.
    pub fn flag(self) -> &'static str {
        match self {
            MarkKind::Answered => "\\Answered",
            MarkKind::Forwarded => "$Forwarded",
        }
    }
}

/// A file to attach. Files the user attached are read when the message is built (a path
/// outside the draft); parts carried from an original are copied into the draft's own
/// directory when it is made (a relative path), so sending needs no server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentRef {
    pub path: PathBuf,
    /// The name the recipient sees (default: the file's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Default: guessed from the name and the content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
}

impl AttachmentRef {
    /// The name shown for it: the given one, else the file's.
    pub fn shown_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            self.path
                .file_name()
                .map_or_else(|| "attachment".into(), |n| n.to_string_lossy().into_owned())
        })
    }
}

/// A fresh unique left part for a Message-ID: time, process and 64 random bits (std's
/// per-process random hash keys; no crate needed for one number).
pub fn new_id_local() -> String {
    use std::hash::{BuildHasher, Hasher};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(nanos);
    h.write_u32(std::process::id());
    format!("{nanos:x}.{:016x}.tern", h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecar_round_trips_through_toml() {
        let meta = Meta {
            id_local: new_id_local(),
            in_reply_to: Some("m1@x".into()),
            references: vec!["m0@x".into(), "m1@x".into()],
            mark: Some(Mark {
                message: MessageRef {
                    folder: "其他文件夹".into(),
                    uid: 42,
                    uid_validity: Some(7),
                },
                kind: MarkKind::Forwarded,
            }),
            resumed_from: None,
            attachments: vec![AttachmentRef {
                path: "parts/1".into(),
                name: Some("résumé.pdf".into()),
                mime_type: None,
            }],
        };
        let text = toml::to_string(&meta).unwrap();
        assert_eq!(toml::from_str::<Meta>(&text).unwrap(), meta);
        assert!(text.contains("kind = \"forwarded\""), "{text}");
        assert_ne!(new_id_local(), new_id_local());
    }
}
