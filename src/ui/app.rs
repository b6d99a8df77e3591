//! The UI's state: the model (what the server told us) plus view state (focus, cursors,
//! scroll offsets, toggles, overlays) and the requests in flight. Keys and worker events go in,
//! `Cmd`s for the worker come out; drawing reads it and never changes it.

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::path::PathBuf;

use ratatui::layout::Rect;

use crate::config::theme::Theme;
use crate::mime::{Part, Section};
use crate::model::{Mailbox, Message, Model};
use crate::msg::{Cmd, ConnState, Event, ReqId, Uid};
use crate::ui::document::{self, Document, ReaderMode};
use crate::ui::folder_tree::{self, TreeRow};
use crate::ui::keymap::Keymap;
use crate::ui::layout::{self, Geometry, Shape};
use crate::ui::prompt::Prompt;

/// Summaries asked for beyond the first screen, so a quick scroll does not hit loading rows.
pub(crate) const FIRST_SCREEN_MARGIN: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Folders,
    List,
    Reader,
    Parts,
}

/// Runs the system's viewer on a file or URL; replaced in tests so nothing is launched.
pub type Launcher = Box<dyn Fn(&OsStr) -> std::io::Result<()>>;

/// Everything the constructor needs from the config and the terminal.
pub struct Settings {
    pub account: String,
    pub default_folder: String,
    pub download_dir: PathBuf,
    pub keymap: Keymap,
    pub theme: Theme,
    /// Terminal size at start, to ask for one screen of summaries first.
    pub size: (u16, u16),
    pub launcher: Launcher,
}

/// Why a part was fetched, so its arrival does the right thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    Display,
    /// Save to `output` (a file or directory), or to the download folder.
    Save(Option<PathBuf>),
    Open,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Structure(Uid),
    Part {
        uid: Uid,
        section: Section,
        purpose: Purpose,
    },
    Raw(Uid),
}

/// The open message.
#[derive(Debug, Clone)]
pub struct Reader {
    pub uid: Uid,
    pub folder: String,
    pub mode: ReaderMode,
    pub scroll: usize,
    pub doc: Document,
    /// Width, mode and message generation `doc` was built for.
    built: Option<(usize, ReaderMode, u64)>,
}

/// A line for the status bar from tern itself (not the connection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

pub struct App {
    pub model: Model,
    pub account: String,
    pub default_folder: String,
    pub download_dir: PathBuf,
    pub keymap: Keymap,
    pub theme: Theme,
    pub focus: Pane,
    /// Visible folder rows; rebuilt when the folder list or `collapsed` changes.
    pub tree: Vec<TreeRow>,
    pub collapsed: HashSet<String>,
    pub folder_cursor: usize,
    /// The folder asked for with the last Select.
    pub wanted_folder: String,
    /// Row index into `Mailbox::uids`, and the UID it points at: the UID is the truth, the
    /// index a cache that stays valid because `uids` only changes on a new Select.
    pub selected: usize,
    pub selected_uid: Option<Uid>,
    pub list_offset: usize,
    pub reader: Option<Reader>,
    pub show_parts: bool,
    pub parts_cursor: usize,
    pub help: Option<usize>,
    pub prompt: Option<Prompt>,
    pub history: Vec<String>,
    pub count: Option<usize>,
    pub notice: Option<Notice>,
    pub quit: bool,
    pub geometry: Geometry,
    pub(crate) launcher: Launcher,
    pending: HashMap<ReqId, Pending>,
    next_req: ReqId,
    /// Bumped whenever the open message's data changes, to rebuild the reader's layout.
    message_gen: u64,
}

impl App {
    /// The app and the commands to send at start: list folders, open the default folder.
    pub fn new(settings: Settings) -> (App, Vec<Cmd>) {
        let Settings {
            account,
            default_folder,
            download_dir,
            keymap,
            theme,
            size,
            launcher,
        } = settings;
        let shape = Shape {
            focus: Pane::List,
            reader_open: false,
            show_parts: false,
            error: false,
        };
        let geometry = layout::compute(Rect::new(0, 0, size.0, size.1), shape);
        let first_screen = geometry.list_rows() + FIRST_SCREEN_MARGIN;
        let app = App {
            model: Model::default(),
            account,
            wanted_folder: default_folder.clone(),
            default_folder: default_folder.clone(),
            download_dir,
            keymap,
            theme,
            focus: Pane::List,
            tree: Vec::new(),
            collapsed: HashSet::new(),
            folder_cursor: 0,
            selected: 0,
            selected_uid: None,
            list_offset: 0,
            reader: None,
            show_parts: false,
            parts_cursor: 0,
            help: None,
            prompt: None,
            history: Vec::new(),
            count: None,
            notice: None,
            quit: false,
            geometry,
            launcher,
            pending: HashMap::new(),
            next_req: 0,
            message_gen: 0,
        };
        let cmds = vec![
            Cmd::ListFolders,
            Cmd::Select {
                folder: default_folder,
                read_only: false,
                first_screen,
            },
        ];
        (app, cmds)
    }

    pub fn mailbox(&self) -> Option<&Mailbox> {
        self.model.mailbox.as_ref()
    }

    /// The open message as fetched so far.
    pub fn message(&self) -> Option<&Message> {
        let r = self.reader.as_ref()?;
        self.mailbox()?.messages.get(&r.uid)
    }

    /// Every part of the open message in tree order, for the parts pane.
    pub fn parts(&self) -> Vec<&Part> {
        self.message()
            .and_then(|m| m.root.as_ref())
            .map(|r| r.walk().collect())
            .unwrap_or_default()
    }

    pub(crate) fn req(&mut self, pending: Pending) -> ReqId {
        self.next_req += 1;
        self.pending.insert(self.next_req, pending);
        self.next_req
    }

    pub(crate) fn is_pending(&self, p: &Pending) -> bool {
        self.pending.values().any(|q| q == p)
    }

    pub(crate) fn say(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: false,
        });
    }

    pub(crate) fn complain(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: true,
        });
    }

    /// Applies a worker event and returns the follow-up commands it calls for.
    pub fn on_event(&mut self, ev: Event) -> Vec<Cmd> {
        match ev {
            Event::Folders(list) => {
                self.model.apply(Event::Folders(list));
                let current = self.tree.get(self.folder_cursor).map(|r| r.name.clone());
                self.rebuild_tree(current.or_else(|| Some(self.wanted_folder.clone())));
                Vec::new()
            }
            Event::Selected { .. } => {
                let before = self.mailbox().map(|m| m.name.clone());
                self.model.apply(ev);
                self.after_select(before);
                Vec::new()
            }
            Event::Conn(ConnState::Offline { ref reason, .. }) => {
                self.complain(format!("Offline: {reason}"));
                self.model.apply(ev);
                Vec::new()
            }
            Event::Structure { req, uid, .. } => {
                self.pending.remove(&req);
                self.model.apply(ev);
                self.touched(uid);
                if self.reader.as_ref().is_some_and(|r| r.uid == uid) {
                    self.parts_cursor = self.first_attachment();
                    return self.fetch_shown_parts();
                }
                Vec::new()
            }
            Event::PartData {
                req,
                uid,
                ref section,
                ..
            } => {
                let section = section.clone();
                let purpose = match self.pending.remove(&req) {
                    Some(Pending::Part { purpose, .. }) => purpose,
                    _ => Purpose::Display,
                };
                self.model.apply(ev);
                self.touched(uid);
                self.part_arrived(uid, &section, purpose);
                Vec::new()
            }
            Event::Raw { req, uid, .. } => {
                self.pending.remove(&req);
                self.model.apply(ev);
                self.touched(uid);
                Vec::new()
            }
            Event::Failed { req, ref error } => {
                let what = req.and_then(|r| self.pending.remove(&r));
                let doing = match what {
                    Some(Pending::Structure(uid)) => format!("Could not open message {uid}"),
                    Some(Pending::Part { section, .. }) => {
                        format!("Could not fetch part {section}")
                    }
                    Some(Pending::Raw(_)) => "Could not fetch the raw message".to_string(),
                    None => "Error".to_string(),
                };
                self.complain(format!("{doing}: {error}"));
                self.model.apply(ev);
                Vec::new()
            }
            other => {
                self.model.apply(other);
                Vec::new()
            }
        }
    }

    fn touched(&mut self, uid: Uid) {
        if self.reader.as_ref().is_some_and(|r| r.uid == uid) {
            self.message_gen += 1;
        }
    }

    /// After a Select: keep the selection on the same UID when the same folder was reopened
    /// (a reconnect), else start at the newest message with the reader closed.
    fn after_select(&mut self, before: Option<String>) {
        let Some(mb) = self.model.mailbox.as_ref() else {
            return;
        };
        let same = before.as_deref() == Some(mb.name.as_str());
        let keep = self
            .selected_uid
            .filter(|_| same)
            .and_then(|u| mb.uids.iter().position(|x| *x == u));
        self.selected = keep.unwrap_or(0);
        self.selected_uid = mb.uids.get(self.selected).copied();
        if !same {
            self.list_offset = 0;
            self.reader = None;
            self.show_parts = false;
            if matches!(self.focus, Pane::Reader | Pane::Parts) {
                self.focus = Pane::List;
            }
        }
        if let Some(i) = self.tree.iter().position(|r| r.name == mb.name) {
            self.folder_cursor = i;
        }
    }

    pub(crate) fn rebuild_tree(&mut self, keep: Option<String>) {
        self.tree = folder_tree::build(&self.model.folders, &self.collapsed);
        let found = keep.and_then(|k| self.tree.iter().position(|r| r.name == k));
        self.folder_cursor = found.unwrap_or(0).min(self.tree.len().saturating_sub(1));
    }

    /// The first part that is an attachment, else the first leaf: where `s` most likely aims.
    fn first_attachment(&self) -> usize {
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
        let (Some(uid), Some(folder)) = (self.selected_uid, self.mailbox().map(|m| m.name.clone()))
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
            return self.fetch_shown_parts();
        }
        let p = Pending::Structure(uid);
        if self.is_pending(&p) {
            return Vec::new();
        }
        let req = self.req(p);
        vec![Cmd::FetchStructure { req, folder, uid }]
    }

    /// Lays out panes for `area` and brings the derived view state up to date (list scroll,
    /// reader layout at the pane's width). Called once per frame, before drawing.
    pub fn prepare(&mut self, area: Rect) {
        let shape = Shape {
            focus: self.focus,
            reader_open: self.reader.is_some(),
            show_parts: self.show_parts,
            error: self.notice.as_ref().is_some_and(|n| n.error),
        };
        self.geometry = layout::compute(area, shape);
        let rows = self.geometry.list_rows().max(1);
        if self.selected < self.list_offset {
            self.list_offset = self.selected;
        } else if self.selected >= self.list_offset + rows {
            self.list_offset = self.selected + 1 - rows;
        }
        let width = self.geometry.reader_inner().width as usize;
        let height = self.geometry.reader_inner().height as usize;
        let generation = self.message_gen;
        let Some(reader) = self.reader.as_ref() else {
            return;
        };
        let key = (width, reader.mode, generation);
        if reader.built != Some(key) && width > 0 {
            let doc = document::build(self.message(), reader.mode, width);
            if let Some(r) = self.reader.as_mut() {
                r.doc = doc;
                r.built = Some(key);
            }
        }
        if let Some(r) = self.reader.as_mut() {
            r.scroll = r.scroll.min(r.doc.lines.len().saturating_sub(height));
        }
    }
}
