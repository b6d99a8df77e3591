//! The server-side steps around a draft, as worker commands: flag the original once a reply
//! or forward is sent, remove the Drafts copy a resumed draft came from, and APPEND a
//! postponed draft to Drafts. The caller (CLI or TUI) sends them with its own request ids.

use super::meta::{Mark, MarkKind, MessageRef, Meta};
use crate::msg::{Cmd, Flag, FlagChange, Flags, Folder, ReqId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `\Answered` or `$Forwarded` on the original.
    Mark(Mark),
    /// `\Deleted` on a postponed copy, then [`Step::Expunge`] of exactly it.
    Delete(MessageRef),
    Expunge(MessageRef),
}

/// After a successful send: flag the original, drop the Drafts copy, in that order.
pub fn after_send(meta: &Meta) -> Vec<Step> {
    let mut steps: Vec<Step> = meta.mark.iter().cloned().map(Step::Mark).collect();
    steps.extend(after_postpone(meta));
    steps
}

/// After a resumed draft is postponed again (its new copy APPENDed): drop the old copy.
pub fn after_postpone(meta: &Meta) -> Vec<Step> {
    match &meta.resumed_from {
        Some(m) => vec![Step::Delete(m.clone()), Step::Expunge(m.clone())],
        None => Vec::new(),
    }
}

/// The APPEND of a postponed draft (see [`super::postpone::postponed_message`]).
pub fn append_postponed(req: ReqId, drafts_folder: &Folder, bytes: Vec<u8>) -> Cmd {
    Cmd::Append {
        req,
        folder: drafts_folder.clone(),
        bytes,
        flags: Flags::from(Flag::Draft).with(Flag::Seen),
        date: None,
    }
}

impl Step {
    pub fn into_cmd(&self, req: ReqId) -> Cmd {
        let store = |m: &MessageRef, flag: Flag| Cmd::Store {
            req,
            change: FlagChange {
                folder: Folder::named(&m.folder),
                uids: vec![m.uid],
                add: true,
                flags: Flags::from(flag),
            },
        };
        match self {
            Step::Mark(Mark {
                message,
                kind: MarkKind::Answered,
            }) => store(message, Flag::Answered),
            Step::Mark(Mark {
                message,
                kind: MarkKind::Forwarded,
            }) => Cmd::Keyword {
                req,
                folder: Folder::named(&message.folder),
                uids: vec![message.uid],
                add: true,
                keyword: MarkKind::Forwarded.flag().to_string(),
            },
            Step::Delete(m) => store(m, Flag::Deleted),
            Step::Expunge(m) => Cmd::Expunge {
                req,
                folder: Folder::named(&m.folder),
                uids: vec![m.uid],
                all_deleted: false,
            },
        }
    }

    /// What did not happen when the step fails, for a warning.
    pub fn failure(&self) -> String {
        match self {
            Step::Mark(m) => format!(
                "the original ({} UID {}) was not marked {}",
                m.message.folder,
                m.message.uid,
                m.kind.flag()
            ),
            Step::Delete(m) | Step::Expunge(m) => format!(
                "the postponed copy ({} UID {}) was not removed",
                m.folder, m.uid
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(folder: &str, uid: u32) -> MessageRef {
        MessageRef {
            folder: folder.into(),
            uid,
            uid_validity: None,
        }
    }

    #[test]
    fn a_sent_resumed_reply_marks_then_removes_by_uid() {
        let meta = Meta {
            mark: Some(Mark {
                message: at("INBOX", 42),
                kind: MarkKind::Answered,
            }),
            resumed_from: Some(at("Drafts", 7)),
            ..Meta::default()
        };
        let cmds: Vec<Cmd> = after_send(&meta).iter().map(|s| s.into_cmd(1)).collect();
        let store = |folder: &str, uid, flag| Cmd::Store {
            req: 1,
            change: FlagChange {
                folder: Folder::named(folder),
                uids: vec![uid],
                add: true,
                flags: Flags::from(flag),
            },
        };
        assert_eq!(
            cmds,
            [
                store("INBOX", 42, Flag::Answered),
                store("Drafts", 7, Flag::Deleted),
                Cmd::Expunge {
                    req: 1,
                    folder: Folder::named("Drafts"),
                    uids: vec![7],
                    all_deleted: false
                },
            ]
        );
    }

    #[test]
    fn a_forward_sets_the_forwarded_keyword() {
        let step = Step::Mark(Mark {
            message: at("INBOX", 3),
            kind: MarkKind::Forwarded,
        });
        assert!(matches!(
            step.into_cmd(5),
            Cmd::Keyword { req: 5, ref keyword, add: true, .. } if keyword == "$Forwarded"
        ));
        assert!(step.failure().contains("$Forwarded"));
        assert!(after_send(&Meta::default()).is_empty());
        let Cmd::Append { flags, .. } = append_postponed(1, &Folder::named("Drafts"), vec![])
        else {
            panic!("not an append");
        };
        assert!(flags.has(Flag::Draft) && flags.has(Flag::Seen));
    }
}
