//! The conversation view's requests: opening it on the open message's thread, asking the
//! worker for the user's replies in Sent and for every message's text, and taking the
//! answers. The state is [`ConversationPane`](crate::ui::conversation::ConversationPane)'s.

use crate::model::gather_job::Gathered;
use crate::msg::related::Ids;
use crate::msg::{Cmd, Event, Folder, ReqId, SpecialUse, Uid};
use crate::policy;
use crate::ui::app::App;
use crate::ui::conversation::Entry;
use crate::ui::layout::Pane;
use crate::ui::requests::{ConvReq, Pending};

impl App {
    /// Shows the open message's thread with the user's replies from Sent, fetching what is
    /// not here yet. With the thread view on its thread is at hand; else it is gathered by
    /// its ids on another thread ([`App::take_jobs`]) and shown when that lands.
    pub(crate) fn open_conversation(&mut self) -> Vec<Cmd> {
        let Some((uid, folder)) = self.reader.open().map(|r| (r.uid, r.folder.clone())) else {
            self.status
                .say("Open a message first, then see its conversation");
            return Vec::new();
        };
        let Some(mb) = self.model.mailbox.as_ref().filter(|m| m.folder == folder) else {
            return Vec::new();
        };
        let Some(anchor) = mb.summaries.get(&uid) else {
            self.status.say("The message is still loading");
            return Vec::new();
        };
        let ids = Ids::of(anchor);
        match mb.threads.as_ref().and_then(|c| c.thread(uid)) {
            Some(t) => {
                let members = t.uids().collect();
                self.show_conversation(uid, members, ids)
            }
            None => {
                self.gather_job = self.model.start_gather(uid);
                self.status.say("Gathering the conversation…");
                Vec::new()
            }
        }
    }

    /// The conversation gathered by its ids: shown if its message is still the one open.
    pub(crate) fn conversation_gathered(&mut self, g: Gathered) -> Vec<Cmd> {
        let Some(g) = self.model.gathered(g) else {
            return Vec::new();
        };
        let open = self.reader.open().map(|r| (r.uid, &r.folder));
        let here = self.model.mailbox.as_ref().map(|m| &m.folder);
        if open.is_none_or(|(uid, folder)| uid != g.anchor || Some(folder) != here) {
            return Vec::new();
        }
        self.status.clear();
        self.show_conversation(g.anchor, g.members, g.ids)
    }

    /// Shows `members` (the open folder's messages of `uid`'s conversation, known by `ids`)
    /// and asks for the user's replies in Sent and what is not fetched yet.
    fn show_conversation(&mut self, uid: Uid, mut members: Vec<Uid>, mut ids: Ids) -> Vec<Cmd> {
        let Some(mb) = self.model.mailbox.as_ref() else {
            return Vec::new();
        };
        let Some(anchor) = mb.summaries.get(&uid) else {
            return Vec::new();
        };
        let folder = mb.folder.clone();
        if !members.contains(&uid) {
            members.push(uid);
        }
        let mut entries = Vec::with_capacity(members.len());
        for u in &members {
            let Some(s) = mb.summaries.get(u) else {
                continue;
            };
            ids.add(s);
            let mut e = Entry::new(folder.clone(), s, false);
            // What the reader already fetched is not asked for again.
            if let Some(m) = mb.messages.get(u) {
                e.root.clone_from(&m.root);
                e.parts.clone_from(&m.parts);
            }
            entries.push(e);
        }
        let subject = anchor.subject.to_string();
        let sent = policy::special_folder(None, &self.model.folders, SpecialUse::Sent)
            .filter(|s| *s != folder);
        self.conversation.show(&subject, entries, sent.clone());
        self.focus = Pane::Reader;
        let mut cmds = self.fetch_conversation();
        if let Some(sent) = sent {
            cmds.push(self.requests.related(sent, ids, folder, members));
        }
        cmds
    }

    /// Structures and text parts of the conversation's messages not here or asked for yet.
    fn fetch_conversation(&mut self) -> Vec<Cmd> {
        let wanted: Vec<(Folder, Uid, Option<Vec<_>>)> = self
            .conversation
            .entries()
            .iter()
            .map(|e| {
                let parts = e.root.as_ref().map(|_| e.missing_parts());
                (e.folder.clone(), e.uid, parts)
            })
            .collect();
        let mut cmds = Vec::new();
        for (folder, uid, parts) in wanted {
            match parts {
                None => cmds.extend(self.requests.conv_structure(folder, uid)),
                Some(sections) => cmds.extend(
                    sections
                        .into_iter()
                        .filter_map(|s| self.requests.conv_part(folder.clone(), uid, s)),
                ),
            }
        }
        cmds
    }

    /// An answer to one of the conversation's requests.
    pub(crate) fn conversation_answered(&mut self, req: ReqId, ev: Event) -> Vec<Cmd> {
        // Sent may answer twice (cache, then server) before its Done.
        let pending = match ev {
            Event::Related { .. } => self.requests.get(req).cloned(),
            _ => self.requests.take(req),
        };
        let Some(Pending::Conversation(asked)) = pending else {
            return Vec::new();
        };
        match ev {
            Event::Related { folder, found, .. } => {
                self.conversation.related(&folder, &found);
                self.fetch_conversation()
            }
            Event::Structure {
                folder, uid, root, ..
            } => self
                .conversation
                .structure(&folder, uid, *root)
                .into_iter()
                .filter_map(|s| self.requests.conv_part(folder.clone(), uid, s))
                .collect(),
            Event::PartData {
                folder,
                uid,
                section,
                bytes,
                ..
            } => {
                self.conversation.part(&folder, uid, section, bytes);
                Vec::new()
            }
            Event::Failed { error, .. } => {
                match asked {
                    ConvReq::Related => {
                        self.conversation.sent_done();
                        self.status
                            .complain(format!("Could not look for your replies in Sent: {error}"));
                    }
                    ConvReq::Structure { folder, uid } | ConvReq::Part { folder, uid, .. } => {
                        self.conversation.failed(&folder, uid, error.to_string());
                    }
                }
                Vec::new()
            }
            Event::Done { .. } => {
                self.conversation.sent_done();
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Unfolds every quote of the conversation, or folds them again.
    pub(crate) fn toggle_quotes(&mut self) {
        match self.conversation.toggle_quotes() {
            Some(true) => self.status.say("Quotes unfolded"),
            Some(false) => self.status.say("Quotes folded"),
            None => {}
        }
    }
}
