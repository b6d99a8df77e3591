//! Writing mail in the TUI, its start: the actions that begin a draft (new, reply, forward,
//! resume), the original's fetch, and the editor's return. The keys of the review screen are
//! in `compose_review`, the answers of the worker and the send thread in `compose_answers`;
//! the drafting rules are in `compose`, the state is [`Composer`]'s.

use std::path::PathBuf;

use crate::compose::editor::Edited;
use crate::compose::{Composed, MessageRef, Original, postpone, reply};
use crate::error::Error;
use crate::msg::{Cmd, Folder, SpecialUse};
use crate::send::worker::SendCmd;
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::composer::{ComposeSettings, Composer, LineEdit, Review, Stage, Start};
use crate::ui::layout::Pane;
use crate::ui::requests::ComposeReq;

/// The Drafts folder when the server names none.
const DRAFTS: &str = "Drafts";

impl App {
    pub fn composer(&self) -> &Composer {
        &self.composer
    }

    /// Sender identities and the drafts directory, from the config.
    pub fn set_compose(&mut self, settings: ComposeSettings) {
        self.composer.settings = settings;
    }

    /// The draft the main loop is to open in the editor now, if any.
    pub fn take_edit(&mut self) -> Option<PathBuf> {
        self.composer.take_edit()
    }

    /// Commands for the send thread.
    pub fn take_send(&mut self) -> Vec<SendCmd> {
        self.composer.take_outgoing()
    }

    /// `compose`, `reply`, `reply_all`, `forward`, `forward_attached`, `edit_draft`.
    pub(crate) fn start_compose(&mut self, action: Action) -> Vec<Cmd> {
        if !matches!(self.composer.stage, Stage::Idle) {
            self.status
                .complain("A message is being written already; finish it first");
            return Vec::new();
        }
        if let Err(e) = self.composer.identities() {
            self.status.complain(format!("Cannot write mail: {e}"));
            return Vec::new();
        }
        let start = match action {
            Action::Compose => Start::New,
            Action::Reply | Action::ReplyAll => match self.original() {
                Some(at) => Start::Reply {
                    at,
                    all: action == Action::ReplyAll,
                },
                None => return Vec::new(),
            },
            Action::Forward | Action::ForwardAttached => match self.original() {
                Some(at) => Start::Forward {
                    at,
                    attached: action == Action::ForwardAttached,
                },
                None => return Vec::new(),
            },
            _ => {
                let in_drafts = self
                    .mailbox()
                    .is_some_and(|m| m.folder == self.drafts_folder());
                if !in_drafts {
                    self.status.complain(format!(
                        "edit_draft resumes a message of the {} folder; open it first",
                        self.drafts_folder()
                    ));
                    return Vec::new();
                }
                match self.original() {
                    Some(at) => Start::Resume { at },
                    None => return Vec::new(),
                }
            }
        };
        match start {
            Start::New | Start::Forward { .. } => {
                self.composer.stage = Stage::Addressing {
                    start,
                    line: LineEdit::default(),
                };
                Vec::new()
            }
            _ => self.fetch_original(start, Vec::new()),
        }
    }

    /// The message a reply or forward is about: the one open in the reader when it has
    /// focus, else the one under the list cursor.
    fn original(&mut self) -> Option<MessageRef> {
        let reading = matches!(self.focus, Pane::Reader | Pane::Parts);
        let uid = match self.reader.open() {
            Some(r) if reading => Some(r.uid),
            _ => self.list.selected_uid(),
        };
        let (Some(uid), Some(mb)) = (uid, self.mailbox()) else {
            self.status.complain("Select a message first");
            return None;
        };
        Some(MessageRef {
            folder: mb.folder.name().to_string(),
            uid,
            uid_validity: Some(mb.uid_validity),
        })
    }

    /// The account's Drafts folder: the server's SPECIAL-USE one, else "Drafts".
    pub(crate) fn drafts_folder(&self) -> Folder {
        self.model
            .folders
            .iter()
            .find(|f| f.special == Some(SpecialUse::Drafts))
            .map_or_else(|| Folder::named(DRAFTS), |f| f.folder.clone())
    }

    /// Asks the worker for the original's bytes, unless they are here already.
    pub(super) fn fetch_original(
        &mut self,
        start: Start,
        to: Vec<crate::compose::Mailbox>,
    ) -> Vec<Cmd> {
        let Some(at) = start.original().cloned() else {
            self.begin(start, to, &[]);
            return Vec::new();
        };
        let open = self.mailbox().filter(|m| m.folder.name() == at.folder);
        // The open folder as the server spells it; another one by its name.
        let folder = open.map_or_else(|| Folder::named(&at.folder), |m| m.folder.clone());
        let cached = open.and_then(|m| m.messages.get(&at.uid)?.raw.clone());
        if let Some(raw) = cached {
            self.begin(start, to, &raw);
            return Vec::new();
        }
        let req = self.requests.compose(ComposeReq::Original);
        self.composer.stage = Stage::Fetching { start, to };
        self.status.say("Fetching the message…");
        vec![Cmd::FetchRaw {
            req,
            folder,
            uid: at.uid,
        }]
    }

    /// Writes the new draft to disk and asks for the editor on it.
    pub(super) fn begin(&mut self, start: Start, to: Vec<crate::compose::Mailbox>, raw: &[u8]) {
        self.composer.stage = Stage::Idle;
        let me = match self.composer.identities() {
            Ok(me) => me.clone(),
            Err(e) => {
                self.status.complain(format!("Cannot write mail: {e}"));
                return;
            }
        };
        let composed: Composed = match start {
            Start::New => {
                let mut c = reply::new_message(&me);
                c.draft.to = to;
                c
            }
            Start::Reply { at, all } => reply::reply(&Original::from_raw(raw), at, &me, all, ""),
            Start::Forward {
                at,
                attached: false,
            } => reply::forward_inline(&Original::from_raw(raw), at, &me, to, ""),
            Start::Forward { at, attached: true } => {
                reply::forward_attached(&Original::from_raw(raw), raw.to_vec(), at, &me, to, "")
            }
            Start::Resume { at } => postpone::resume(raw, at, &me.primary),
        };
        let created = self.composer.store().and_then(|store| {
            store
                .create(&composed.draft, &composed.meta, &composed.carried)
                .map_err(|e| e.to_string())
        });
        match created {
            Ok(dir) => {
                self.status.clear();
                self.composer.edit(dir);
            }
            Err(e) => self
                .status
                .complain(format!("Could not write the draft: {e}")),
        }
    }

    /// The editor exited: the review screen, with the editor's failure if it failed.
    pub fn on_edited(&mut self, result: Result<Edited, Error>) {
        let Stage::Editing(dir) = std::mem::take(&mut self.composer.stage) else {
            return;
        };
        let mut review = Review::load(dir);
        if let Err(e) = result {
            self.status.complain(e.to_string());
            review.problem.get_or_insert(e.to_string());
        }
        self.composer.stage = Stage::Review(review);
    }

    /// Opening a message in Drafts: say how to resume it (unless something else was just
    /// said: the reader may follow the cursor after a send).
    pub(crate) fn offer_resume(&mut self) {
        let in_drafts = self
            .mailbox()
            .is_some_and(|m| m.folder == self.drafts_folder());
        if in_drafts && self.status.notice().is_none() {
            let key = self.settings.keymap.keys_for(Action::EditDraft);
            if let Some(k) = key.first() {
                self.status
                    .say(format!("A postponed draft: {k} resumes it"));
            }
        }
    }
}
