//! Opening a message in the reader: fetch its structure, then the text parts it shows, and
//! mark it \Seen if the config says so.

use crate::mime::Section;
use crate::msg::Cmd;
use crate::ui::app::{App, Pane, Pending, Purpose, Reader};
use crate::ui::document::{self, Document, ReaderMode};

impl App {
    /// The first part that is an attachment, else the first leaf: where `s` most likely aims.
    pub(crate) fn first_attachment(&self) -> usize {
        let parts = self.parts();
        parts
            .iter()
            .position(|p| p.is_attachment())
            .or_else(|| parts.iter().position(|p| p.children.is_empty()))
            .unwrap_or(0)
    }

    /// FetchPart for every shown text part not yet fetched or asked for.
    pub(crate) fn fetch_shown_parts(&mut self) -> Vec<Cmd> {
        let Some(reader) = self.reader.as_ref() else {
            return Vec::new();
        };
        let (uid, folder, mode) = (reader.uid, reader.folder.clone(), reader.mode);
        let Some(message) = self.message() else {
            return Vec::new();
        };
        let Some(root) = message.root.as_ref() else {
            return Vec::new();
        };
        let missing: Vec<Section> = document::shown_parts(root, mode)
            .into_iter()
            .map(|p| p.section.clone())
            .filter(|s| !message.parts.contains_key(s))
            .collect();
        let mut cmds = Vec::new();
        for section in missing {
            let p = Pending::Part {
                uid,
                section: section.clone(),
                purpose: Purpose::Display,
            };
            if !self.is_pending(&p) {
                let req = self.req(p);
                cmds.push(Cmd::FetchPart {
                    req,
                    folder: folder.clone(),
                    uid,
                    section,
                });
            }
        }
        cmds
    }

    /// Opens the message under the list cursor.
    pub(crate) fn open_message(&mut self) -> Vec<Cmd> {
        let (Some(uid), Some(folder)) =
            (self.selected_uid, self.mailbox().map(|m| m.folder.clone()))
        else {
            return Vec::new();
        };
        self.reader = Some(Reader {
            uid,
            folder: folder.clone(),
            mode: ReaderMode::default(),
            scroll: 0,
            doc: Document::default(),
            built: None,
        });
        self.show_parts = false;
        self.focus = Pane::Reader;
        let have = self.message().is_some_and(|m| m.root.is_some());
        if have {
            self.parts_cursor = self.first_attachment();
            let mut cmds = self.fetch_shown_parts();
            cmds.extend(self.mark_seen_on_open(folder, uid));
            return cmds;
        }
        let mut cmds = Vec::new();
        let p = Pending::Structure {
            folder: folder.clone(),
            uid,
        };
        if !self.is_pending(&p) {
            let req = self.req(p);
            cmds.push(Cmd::FetchStructure {
                req,
                folder: folder.clone(),
                uid,
            });
        }
        cmds.extend(self.mark_seen_on_open(folder, uid));
        cmds
    }
}
