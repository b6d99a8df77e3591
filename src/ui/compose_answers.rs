//! The answers to what the composer started: the original's bytes, the APPEND of a
//! postponed draft, the follow-up steps after sending, and the send thread's verdict.

use crate::compose::followup::{self, Step};
use crate::compose::meta::{Mark, MarkKind};
use crate::msg::{Cmd, Event, Flag, FlagChange, Folder, ReqId, SpecialUse};
use crate::policy;
use crate::send::worker::SendEvent;
use crate::ui::app::App;
use crate::ui::composer::{Ask, Busy, Stage};
use crate::ui::requests::{ComposeReq, Pending};
use crate::ui::triage::Origin;

impl App {
    /// What the send thread said.
    pub fn on_send_event(&mut self, ev: SendEvent) -> Vec<Cmd> {
        let mut cmds = self.sent_counts(&ev);
        cmds.extend(self.answer_send_event(ev));
        cmds
    }

    /// A message sent (also one from the outbox later) is in Sent now, filed by tern or, as
    /// Gmail does, by the server: its counts now, not at the next refresh.
    fn sent_counts(&self, ev: &SendEvent) -> Vec<Cmd> {
        let SendEvent::Sent { warning: None, .. } = ev else {
            return Vec::new();
        };
        policy::special_folder(None, &self.model.folders, SpecialUse::Sent)
            .map(Cmd::Counts)
            .into_iter()
            .collect()
    }

    fn answer_send_event(&mut self, ev: SendEvent) -> Vec<Cmd> {
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
}
