//! The composer: the one message being written, from its first prompt to the server's
//! answer. It owns the stage (addressing, fetching the original, in the editor, on the
//! review screen), the requests for the main loop (run the editor, hand a message to the send
//! thread) and the outbox count. The drafting rules are `compose`'s; starting a draft is in
//! `compose_flow`, the keys in `compose_review`, the answers in `compose_answers`.

use std::path::PathBuf;

use crate::compose::address::{self, Mailbox};
use crate::compose::meta::AttachmentRef;
use crate::compose::{Draft, DraftDir, DraftStore, Identities, MessageRef};
use crate::config::{Account, Config};
use crate::msg::{ReqId, Secret};
use crate::send::worker::SendCmd;
use crate::ui::completion::Completion;

/// What the config says about writing mail.
#[derive(Debug, Clone)]
pub struct ComposeSettings {
    /// The account's `from` and `aliases`, or why there are none.
    pub identities: Result<Identities, String>,
    /// Where drafts live on disk (`DraftStore::default_dir()` in the TUI).
    pub drafts_dir: Option<PathBuf>,
    /// `address_book_command`, asked on Tab in the To line.
    pub address_book: Option<String>,
}

impl ComposeSettings {
    pub fn new(config: &Config, account: &Account) -> ComposeSettings {
        let identities = match account.from_address() {
            Some(from) => Identities::parse(from, &account.aliases)
                .map_err(|e| format!("the account's from or aliases: {e}")),
            None => Err(format!(
                "account \"{}\" has no sender address: set from = \"Name <you@example.org>\"",
                account.name
            )),
        };
        ComposeSettings {
            identities,
            drafts_dir: DraftStore::default_dir(),
            address_book: config.address_book_command.clone(),
        }
    }
}

impl Default for ComposeSettings {
    fn default() -> Self {
        ComposeSettings {
            identities: Err("no account is set up for writing mail".into()),
            drafts_dir: None,
            address_book: None,
        }
    }
}

/// How a draft begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    New,
    Reply {
        at: MessageRef,
        all: bool,
    },
    Forward {
        at: MessageRef,
        attached: bool,
    },
    /// A postponed message in Drafts.
    Resume {
        at: MessageRef,
    },
}

impl Start {
    /// Whether the draft is made from a message on the server.
    pub fn original(&self) -> Option<&MessageRef> {
        match self {
            Start::New => None,
            Start::Reply { at, .. } | Start::Forward { at, .. } | Start::Resume { at } => Some(at),
        }
    }
}

#[derive(Debug, Default)]
pub enum Stage {
    #[default]
    Idle,
    /// The To line before the editor (a new message, a forward).
    Addressing {
        start: Start,
        line: LineEdit,
    },
    /// Waiting for the original's bytes from the worker.
    Fetching {
        start: Start,
        to: Vec<Mailbox>,
    },
    /// The editor runs on the draft; the screen is the editor's.
    Editing(DraftDir),
    Review(Review),
}

/// A line typed on the composer's screens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineEdit {
    pub text: String,
    /// Shown under the line until the next key.
    pub error: Option<String>,
    pub completion: Completion,
}

impl LineEdit {
    pub fn new(text: impl Into<String>) -> LineEdit {
        LineEdit {
            text: text.into(),
            ..LineEdit::default()
        }
    }
}

/// What the review screen's line is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineFor {
    /// A file to attach; asked again after each one, an empty line ends.
    Attach,
    /// The number of the attachment to remove.
    Detach,
}

/// A question on the review screen, answered with y or anything else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    Abort,
    /// The connection was lost after the whole message went out; `id` is its outbox entry.
    Resend {
        id: String,
        text: String,
    },
}

impl Ask {
    pub fn question(&self) -> String {
        match self {
            Ask::Abort => "Throw this draft away? y/N".into(),
            Ask::Resend { text, .. } => {
                format!("It may have been sent ({text}). Send it again? y/N")
            }
        }
    }
}

/// What the review screen waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Busy {
    /// The send thread's verdict on `req`, or (after a resend, which has no request) on the
    /// message with this Message-ID.
    Sending {
        req: ReqId,
        message_id: String,
    },
    Postponing,
}

/// An attachment as the review screen lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    pub mime_type: String,
    /// None when the file cannot be read now (sending will say why).
    pub size: Option<u64>,
}

/// The review screen: the draft as saved, why it cannot be sent (if so), its attachments.
#[derive(Debug)]
pub struct Review {
    pub dir: DraftDir,
    pub text: String,
    pub problem: Option<String>,
    pub attachments: Vec<Listed>,
    pub scroll: usize,
    pub busy: Option<Busy>,
    pub ask: Option<Ask>,
    pub line: Option<(LineFor, LineEdit)>,
}

impl Review {
    /// Reads the draft back from disk; what cannot be read or parsed is the problem shown.
    pub fn load(dir: DraftDir) -> Review {
        let (text, read_err) = match dir.text() {
            Ok(t) => (t, None),
            Err(e) => (String::new(), Some(e.to_string())),
        };
        let (attachments, meta_err) = match dir.meta() {
            Ok(meta) => (
                meta.attachments.iter().map(|a| listed(&dir, a)).collect(),
                None,
            ),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        let problem = read_err
            .or(meta_err)
            .or_else(|| Draft::parse(&text).err().map(|e| e.to_string()));
        Review {
            dir,
            text,
            problem,
            attachments,
            scroll: 0,
            busy: None,
            ask: None,
            line: None,
        }
    }

    /// After a change on disk (an attachment added or removed): the same screen, re-read.
    pub fn reload(&mut self) {
        let fresh = Review::load(self.dir.clone());
        self.text = fresh.text;
        self.problem = fresh.problem;
        self.attachments = fresh.attachments;
    }

    /// The draft's headers and body, split at the blank line.
    pub fn split(&self) -> (&str, &str) {
        let text = self.text.as_str();
        let at = text
            .find("\n\n")
            .map_or(text.len(), |i| i + 1)
            .min(text.len());
        let (head, body) = text.split_at(at);
        (head, body.strip_prefix('\n').unwrap_or(body))
    }
}

fn listed(dir: &DraftDir, a: &AttachmentRef) -> Listed {
    let name = a.shown_name();
    let mime_type = a.mime_type.clone().unwrap_or_else(|| {
        mime_guess::from_path(&name)
            .first_raw()
            .unwrap_or("application/octet-stream")
            .to_string()
    });
    let size = std::fs::metadata(dir.attachment_path(a))
        .ok()
        .map(|m| m.len());
    Listed {
        name,
        mime_type,
        size,
    }
}

/// The composer sub-state.
#[derive(Debug, Default)]
pub struct Composer {
    pub(crate) stage: Stage,
    pub(crate) settings: ComposeSettings,
    /// The draft file the main loop should open in the editor next.
    edit: Option<PathBuf>,
    /// Commands for the send thread, taken by the main loop.
    outgoing: Vec<SendCmd>,
    outbox: usize,
    last_job: ReqId,
}

impl Composer {
    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    /// Whether `addr` is one of the account's own addresses.
    pub fn is_mine(&self, addr: &str) -> bool {
        self.settings
            .identities
            .as_ref()
            .is_ok_and(|ids| ids.is_mine(addr))
    }

    /// Whether the composer has the screen (a prompt, the review, or the editor).
    pub fn is_active(&self) -> bool {
        !matches!(self.stage, Stage::Idle | Stage::Fetching { .. })
    }

    pub fn review(&self) -> Option<&Review> {
        match &self.stage {
            Stage::Review(r) => Some(r),
            _ => None,
        }
    }

    pub(crate) fn review_mut(&mut self) -> Option<&mut Review> {
        match &mut self.stage {
            Stage::Review(r) => Some(r),
            _ => None,
        }
    }

    /// Messages waiting in the outbox, as the send thread last said.
    pub fn outbox(&self) -> usize {
        self.outbox
    }

    pub(crate) fn set_outbox(&mut self, n: usize) {
        self.outbox = n;
    }

    pub(crate) fn identities(&self) -> Result<&Identities, String> {
        self.settings.identities.as_ref().map_err(Clone::clone)
    }

    pub(crate) fn store(&self) -> Result<DraftStore, String> {
        let dir = self
            .settings
            .drafts_dir
            .as_ref()
            .ok_or("tern has no state directory to keep drafts in (no home directory)")?;
        DraftStore::open(dir).map_err(|e| e.to_string())
    }

    /// Runs the editor on `dir`'s draft next.
    pub(crate) fn edit(&mut self, dir: DraftDir) {
        self.edit = Some(dir.text_path());
        self.stage = Stage::Editing(dir);
    }

    /// The draft file to open in the editor, once.
    pub fn take_edit(&mut self) -> Option<PathBuf> {
        self.edit.take()
    }

    /// Commands for the send thread, once.
    pub fn take_outgoing(&mut self) -> Vec<SendCmd> {
        std::mem::take(&mut self.outgoing)
    }

    /// Hands `raw` to the send thread; its answers carry the returned request.
    pub(crate) fn submit(&mut self, raw: Vec<u8>) -> ReqId {
        self.last_job += 1;
        let req = self.last_job;
        self.outgoing.push(SendCmd::Submit { req, raw });
        req
    }

    pub(crate) fn resend(&mut self, id: String) {
        self.outgoing.push(SendCmd::Resend { id });
    }

    pub(crate) fn discard(&mut self, id: String) {
        self.outgoing.push(SendCmd::Discard { id });
    }

    /// The account's password typed again: sending uses it from now on too.
    pub(crate) fn password_typed(&mut self, password: Secret) {
        self.outgoing.push(SendCmd::Password(password));
    }
}

/// The To line's text as addresses; an empty line is no one yet.
pub fn parse_to(text: &str) -> Result<Vec<Mailbox>, String> {
    address::parse_list(text.trim().trim_end_matches(',')).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::meta::{Meta, new_id_local};

    #[test]
    fn review_lists_attachments_and_the_reason_it_cannot_go() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DraftStore::open(&tmp.path().join("d")).unwrap();
        let draft = Draft::new(Mailbox::new(None, "a@x.org"));
        let meta = Meta {
            id_local: new_id_local(),
            ..Meta::default()
        };
        let dir = store.create(&draft, &meta, &[]).unwrap();
        let file = tmp.path().join("notes.pdf");
        std::fs::write(&file, [0u8; 1234]).unwrap();
        dir.attach(&file).unwrap();
        let r = Review::load(dir);
        assert_eq!(
            r.problem.as_deref(),
            Some("no recipient: To, Cc and Bcc are all empty")
        );
        assert_eq!(
            r.attachments,
            [Listed {
                name: "notes.pdf".into(),
                mime_type: "application/pdf".into(),
                size: Some(1234)
            }]
        );
        let (head, body) = r.split();
        assert!(head.starts_with("From: a@x.org\n") && head.ends_with("Subject:\n"));
        assert_eq!(body, "");
    }
}
