//! Writing mail in the TUI: the actions that start a draft, the keys of the composer's
//! screens, and the answers (the original's bytes, the APPEND of a postponed draft, the send
//! thread's verdict). The drafting rules are in `compose`; the state is [`Composer`]'s.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};

use crate::compose::editor::Edited;
use crate::compose::followup::{self, Step};
use crate::compose::meta::{Mark, MarkKind};
use crate::compose::people::People;
use crate::compose::prepare::{PrepareError, prepare};
use crate::compose::{Composed, MessageRef, Original, postpone, reply};
use crate::error::Error;
use crate::msg::{Cmd, Event, Flag, FlagChange, Folder, ReqId, SpecialUse};
use crate::send::worker::{SendCmd, SendEvent};
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::completion;
use crate::ui::composer::{
    Ask, Busy, ComposeSettings, Composer, LineEdit, LineFor, Review, Stage, Start, parse_to,
};
use crate::ui::layout::Pane;
use crate::ui::requests::{ComposeReq, Pending};
use crate::ui::triage::Origin;

/// The Drafts folder when the server names none.
const DRAFTS: &str = "Drafts";

/// What a key did to a composer line.
enum LineKey {
    Editing,
    Cancel,
    Submit(String),
}

/// Edits `line` by `key`; Tab asks `find` for completions of the text.
fn line_key(
    line: &mut LineEdit,
    key: &KeyEvent,
    find: impl FnOnce(&str) -> Vec<String>,
) -> LineKey {
    line.error = None;
    if key.code == KeyCode::Tab {
        match line.completion.next(&line.text, find) {
            Some(text) => line.text = text,
            None => line.error = Some("nothing matches".into()),
        }
        return LineKey::Editing;
    }
    line.completion.reset();
    match key.code {
        KeyCode::Esc => LineKey::Cancel,
        KeyCode::Enter => LineKey::Submit(line.text.trim().to_string()),
        KeyCode::Backspace => {
            line.text.pop();
            LineKey::Editing
        }
        KeyCode::Char('u')
            if key
                .modifiers
                .contains(crossterm::event::KeyModifiers::CONTROL) =>
        {
            line.text.clear();
            LineKey::Editing
        }
        KeyCode::Char(c) => {
            line.text.push(c);
            LineKey::Editing
        }
        _ => LineKey::Editing,
    }
}

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
    fn fetch_original(&mut self, start: Start, to: Vec<crate::compose::Mailbox>) -> Vec<Cmd> {
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
    fn begin(&mut self, start: Start, to: Vec<crate::compose::Mailbox>, raw: &[u8]) {
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

    /// A key while the composer has the screen.
    pub(crate) fn composer_key(&mut self, key: &KeyEvent) -> Vec<Cmd> {
        match std::mem::take(&mut self.composer.stage) {
            Stage::Addressing { start, mut line } => {
                let mailbox = self.model.mailbox.as_ref();
                let book = self.composer.settings.address_book.as_deref();
                // The people are gathered on the first Tab only: a big folder takes a moment.
                let find = |t: &str| {
                    let now = chrono::Utc::now().timestamp();
                    let rows = mailbox.into_iter().flat_map(|m| m.summaries.values());
                    completion::addresses(&People::from_summaries(rows, now), book, t)
                };
                match line_key(&mut line, key, find) {
                    LineKey::Editing => self.composer.stage = Stage::Addressing { start, line },
                    LineKey::Cancel => self.status.say("Cancelled"),
                    LineKey::Submit(text) => match parse_to(&text) {
                        Ok(to) => return self.fetch_original(start, to),
                        Err(e) => {
                            line.error = Some(e);
                            self.composer.stage = Stage::Addressing { start, line };
                        }
                    },
                }
                Vec::new()
            }
            Stage::Review(review) => self.review_key(review, key),
            // No keys reach tern while the editor runs; nothing to do for the other stages.
            other => {
                self.composer.stage = other;
                Vec::new()
            }
        }
    }

    fn review_key(&mut self, mut r: Review, key: &KeyEvent) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        if let Some(ask) = r.ask.take() {
            let yes = matches!(key.code, KeyCode::Char('y' | 'Y'));
            match ask {
                Ask::Abort if yes => {
                    match r.dir.remove() {
                        Ok(()) => self.status.say("Draft thrown away"),
                        Err(e) => self
                            .status
                            .complain(format!("Could not remove the draft: {e}")),
                    }
                    return Vec::new();
                }
                Ask::Resend { id, .. } if yes => {
                    self.composer.resend(id);
                    self.status.say("sending…");
                    // The answer names the message, not a request.
                    if let Some(Busy::Sending { req, .. }) = &mut r.busy {
                        *req = 0;
                    }
                }
                Ask::Abort => self.status.say("Kept"),
                Ask::Resend { .. } => {
                    r.busy = None;
                    self.status
                        .say("Not sent again; it stays in the outbox, and the draft here");
                }
            }
        } else if let Some((purpose, mut line)) = r.line.take() {
            let find = |t: &str| match purpose {
                LineFor::Attach => completion::paths(t),
                LineFor::Detach => Vec::new(),
            };
            match line_key(&mut line, key, find) {
                LineKey::Editing => r.line = Some((purpose, line)),
                LineKey::Cancel => {}
                LineKey::Submit(text) if text.is_empty() => {}
                LineKey::Submit(text) => match purpose {
                    LineFor::Attach => self.attach(&mut r, line, &text),
                    LineFor::Detach => self.detach(&mut r, line, &text),
                },
            }
        } else if let Some(busy) = &r.busy {
            self.status.say(match busy {
                Busy::Sending { .. } => "sending…",
                Busy::Postponing => "postponing…",
            });
        } else {
            match self.settings.keymap.review_action(key) {
                Some(Action::Send) => self.review_send(&mut r),
                Some(Action::Edit) => {
                    self.composer.edit(r.dir);
                    return Vec::new();
                }
                Some(Action::Attach) => r.line = Some((LineFor::Attach, LineEdit::default())),
                Some(Action::Detach) if r.attachments.is_empty() => {
                    self.status.say("There is nothing to detach")
                }
                Some(Action::Detach) => r.line = Some((LineFor::Detach, LineEdit::default())),
                Some(Action::Postpone) => cmds = self.review_postpone(&mut r),
                Some(Action::Abort) => r.ask = Some(Ask::Abort),
                Some(Action::Down) => r.scroll += 1,
                Some(Action::Up) => r.scroll = r.scroll.saturating_sub(1),
                Some(Action::PageDown) => r.scroll += self.review_page(),
                Some(Action::PageUp) => r.scroll = r.scroll.saturating_sub(self.review_page()),
                Some(Action::Top) => r.scroll = 0,
                Some(Action::Help) => self.overlays.show_help(),
                Some(Action::Quit) => self.quit = true,
                _ => {}
            }
        }
        self.composer.stage = Stage::Review(r);
        cmds
    }

    fn review_page(&self) -> usize {
        self.geometry.screen.height.saturating_sub(4).max(1) as usize
    }

    /// Attaches `text` (a path); the line comes back empty for another file.
    fn attach(&mut self, r: &mut Review, mut line: LineEdit, text: &str) {
        let path = completion::expand_home(text);
        if !path.exists() {
            line.error = Some(format!("{text}: no such file"));
            r.line = Some((LineFor::Attach, line));
            return;
        }
        match r.dir.attach(&path) {
            Ok(()) => {
                r.reload();
                let name = path
                    .file_name()
                    .map_or_else(|| text.to_string(), |n| n.to_string_lossy().into_owned());
                self.status
                    .say(format!("Attached {name}; another file, or Enter to stop"));
                r.line = Some((LineFor::Attach, LineEdit::default()));
            }
            Err(e) => {
                line.error = Some(e.to_string());
                r.line = Some((LineFor::Attach, line));
            }
        }
    }

    fn detach(&mut self, r: &mut Review, mut line: LineEdit, text: &str) {
        let n = text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=r.attachments.len()).contains(n));
        let Some(n) = n else {
            line.error = Some(format!("type a number from 1 to {}", r.attachments.len()));
            r.line = Some((LineFor::Detach, line));
            return;
        };
        let name = r.attachments[n - 1].name.clone();
        match r.dir.detach(n - 1) {
            Ok(()) => self.status.say(format!("Detached {name}")),
            Err(e) => self
                .status
                .complain(format!("Could not detach {name}: {e}")),
        }
        r.reload();
    }

    /// Builds the message and hands it to the send thread; a draft that does not parse stays
    /// here with the reason.
    fn review_send(&mut self, r: &mut Review) {
        match prepare(&r.dir) {
            Ok(p) => {
                let req = self.composer.submit(p.bytes);
                r.busy = Some(Busy::Sending {
                    req,
                    message_id: p.message_id,
                });
                r.problem = None;
                self.status.say("sending…");
            }
            Err(e) => {
                let why = match &e {
                    PrepareError::Draft(d) => d.to_string(),
                    PrepareError::Io(io) => io.to_string(),
                };
                self.status.complain(format!("Not sent: {why}"));
                r.problem = Some(why);
            }
        }
    }

    fn review_postpone(&mut self, r: &mut Review) -> Vec<Cmd> {
        let built = postpone::postponed_message(&r.dir).and_then(|b| Ok((b, r.dir.meta()?)));
        let (bytes, meta) = match built {
            Ok(x) => x,
            Err(e) => {
                self.status.complain(format!("Not postponed: {e}"));
                r.problem = Some(e.to_string());
                return Vec::new();
            }
        };
        let folder = self.drafts_folder();
        let req = self.requests.compose(ComposeReq::Postpone {
            dir: r.dir.clone(),
            meta,
        });
        r.busy = Some(Busy::Postponing);
        self.status.say(format!("Postponing to {}…", folder.name()));
        vec![followup::append_postponed(req, &folder, bytes)]
    }

    /// What the send thread said.
    pub fn on_send_event(&mut self, ev: SendEvent) -> Vec<Cmd> {
        let (req, message_id) = match &ev {
            SendEvent::Outbox { queued, attention } => {
                self.composer.set_outbox(queued + attention);
                return Vec::new();
            }
            SendEvent::Sent {
                req, message_id, ..
            }
            | SendEvent::Queued {
                req, message_id, ..
            }
            | SendEvent::Refused {
                req, message_id, ..
            }
            | SendEvent::MaybeSent {
                req, message_id, ..
            } => (*req, Some(message_id.as_str())),
            SendEvent::Failed { req, .. } => (*req, None),
        };
        let ours = |busy: &Option<Busy>| match busy {
            Some(Busy::Sending {
                req: want,
                message_id: id,
            }) => (req.is_some() && req == Some(*want)) || message_id == Some(id.as_str()),
            _ => false,
        };
        let Stage::Review(mut r) = std::mem::take(&mut self.composer.stage) else {
            return Vec::new();
        };
        if !ours(&r.busy) {
            self.composer.stage = Stage::Review(r);
            return Vec::new();
        }
        let waiting = r.busy.take();
        match ev {
            SendEvent::Sent { warning, .. } => {
                let steps = r
                    .dir
                    .meta()
                    .map(|m| followup::after_send(&m))
                    .unwrap_or_default();
                if let Err(e) = r.dir.remove() {
                    tracing::warn!("sent, but the draft stays: {e}");
                }
                match warning {
                    Some(w) => self.status.complain(w),
                    None => self.status.say("sent"),
                }
                return steps.into_iter().flat_map(|s| self.follow_up(s)).collect();
            }
            SendEvent::Queued { reason, .. } => {
                // The outbox holds the message now, and sends it when it can.
                if let Err(e) = r.dir.remove() {
                    tracing::warn!("queued, but the draft stays: {e}");
                }
                self.status
                    .say(format!("Not sent yet, kept in the outbox: {reason}"));
                return Vec::new();
            }
            SendEvent::Refused { id, text, .. } => {
                // The draft is here to edit; the refused copy would only be sent again.
                self.composer.discard(id);
                self.status.complain(format!("Not sent: {text}"));
                r.problem = Some(format!("the server refused it: {text}"));
            }
            SendEvent::MaybeSent { id, text, .. } => {
                r.busy = waiting;
                r.ask = Some(Ask::Resend { id, text });
            }
            SendEvent::Failed { text, .. } => {
                self.status.complain(format!("Not sent: {text}"));
                r.problem = Some(text);
            }
            SendEvent::Outbox { .. } => {}
        }
        self.composer.stage = Stage::Review(r);
        Vec::new()
    }

    /// One step after sending or postponing. `\Answered` goes the way `A` does, so the list
    /// shows it at once and undo can take it back.
    fn follow_up(&mut self, step: Step) -> Vec<Cmd> {
        if let Step::Mark(Mark {
            message,
            kind: MarkKind::Answered,
        }) = &step
        {
            let change = FlagChange {
                folder: Folder::named(&message.folder),
                uids: vec![message.uid],
                add: true,
                flags: Flag::Answered.into(),
            };
            return self.requests.store(change, Origin::User);
        }
        let req = self.requests.compose(ComposeReq::FollowUp(step.clone()));
        vec![step.into_cmd(req)]
    }

    /// The worker's answer to a composer request.
    pub(crate) fn compose_answered(&mut self, req: ReqId, ev: Event) -> Vec<Cmd> {
        if let Event::Queued { .. } = ev {
            self.status
                .say("offline: it is done when the connection is back");
            if let Some(r) = self.composer.review_mut() {
                r.busy = None;
            }
            if matches!(
                self.requests.get(req),
                Some(Pending::Compose(ComposeReq::Postpone { .. }))
            ) {
                // The worker holds the APPEND now; the draft leaves the screen but stays on
                // disk until the APPEND is done.
                self.composer.stage = Stage::Idle;
            }
            self.model.apply(ev);
            return Vec::new();
        }
        let Some(Pending::Compose(c)) = self.requests.take(req) else {
            return Vec::new();
        };
        match (c, ev) {
            (ComposeReq::Original, Event::Raw { bytes, .. }) => {
                if let Stage::Fetching { start, to } = std::mem::take(&mut self.composer.stage) {
                    self.begin(start, to, &bytes);
                }
            }
            (ComposeReq::Original, Event::Failed { error, .. }) => {
                if matches!(self.composer.stage, Stage::Fetching { .. }) {
                    self.composer.stage = Stage::Idle;
                }
                self.status
                    .complain(format!("Could not fetch the message: {error}"));
            }
            (ComposeReq::Postpone { dir, meta }, Event::Appended { folder, .. }) => {
                if self.composer.review().is_some_and(|r| r.dir == dir) {
                    self.composer.stage = Stage::Idle;
                }
                if let Err(e) = dir.remove() {
                    tracing::warn!("postponed, but the local draft stays: {e}");
                }
                self.status.say(format!("Postponed to {folder}"));
                return followup::after_postpone(&meta)
                    .into_iter()
                    .flat_map(|s| self.follow_up(s))
                    .collect();
            }
            (ComposeReq::Postpone { dir, .. }, Event::Failed { error, .. }) => {
                let why = format!("Not postponed: {error}");
                if let Some(r) = self.composer.review_mut().filter(|r| r.dir == dir) {
                    r.busy = None;
                    r.problem = Some(why.clone());
                }
                self.status.complain(why);
            }
            (ComposeReq::FollowUp(step), Event::Failed { error, .. }) => {
                self.status
                    .complain(format!("Sent, but {}: {error}", step.failure()));
            }
            (_, ev) => return self.rows_changed(ev),
        }
        Vec::new()
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
