//! The UI's state: the model (what the server told us) plus view state (focus, cursors,
//! scroll offsets, toggles, overlays) and the requests in flight. Keys and worker events go in,
//! `Cmd`s for the worker come out; drawing reads it and never changes it.

use std::collections::{BTreeMap, HashSet};
use std::ffi::OsStr;
use std::path::PathBuf;

use ratatui::layout::Rect;

use crate::config::theme::Theme;
use crate::mime::{Part, Section};
use crate::model::{Mailbox, Message, Model};
use crate::msg::{Cmd, FlagChange, Flags, Folder, FolderOp, ReqId, Uid};
use crate::ui::document::{self, Document, ReaderMode};
use crate::ui::filter::{Filter, FilterIndex};
use crate::ui::folder_tree::{self, TreeRow};
use crate::ui::keymap::Keymap;
use crate::ui::layout::{self, Geometry, Shape, scroll_to};
use crate::ui::notify::{self, Notifier, NotifyPolicy, Waiting};
use crate::ui::picker::Picker;
use crate::ui::prompt::Prompt;
use crate::ui::search::Search;
use crate::ui::triage::{Confirm, Origin, Policy, Undo};

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
    Structure {
        folder: Folder,
        uid: Uid,
    },
    Part {
        uid: Uid,
        section: Section,
        purpose: Purpose,
    },
    Raw(Uid),
    /// A flag change; while it is in flight it is drawn on top of the model's flags.
    Store {
        change: FlagChange,
        origin: Origin,
    },
    /// A copy or move; while a move is in flight its messages are hidden from the list.
    Transfer {
        folder: Folder,
        uids: Vec<Uid>,
        dest: Folder,
        remove: bool,
        origin: Origin,
    },
    Expunge {
        folder: Folder,
        uids: Vec<Uid>,
    },
    Search,
    /// Summaries of search hits that were not loaded yet.
    Hits,
    Manage(FolderOp),
}

/// The open message.
#[derive(Debug, Clone)]
pub struct Reader {
    pub uid: Uid,
    pub folder: Folder,
    pub mode: ReaderMode,
    pub scroll: usize,
    pub doc: Document,
    /// Width, mode and message generation `doc` was built for.
    pub(crate) built: Option<(usize, ReaderMode, u64)>,
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
    /// Row index into the listed rows ([`App::rows`]), and the UID it points at: the UID is
    /// the truth, the index a cache that [`App::keep_selection`] repairs when rows come or go.
    pub selected: usize,
    pub selected_uid: Option<Uid>,
    pub list_offset: usize,
    pub reader: Option<Reader>,
    pub show_parts: bool,
    pub parts_cursor: usize,
    /// First visible row of the parts and folder panes; they move only when the cursor
    /// would leave the window.
    pub parts_offset: usize,
    pub folder_offset: usize,
    pub help: Option<usize>,
    pub prompt: Option<Prompt>,
    pub history: Vec<String>,
    pub count: Option<usize>,
    pub notice: Option<Notice>,
    pub quit: bool,
    pub geometry: Geometry,
    pub(crate) launcher: Launcher,
    /// Delete, archive and seen settings from the config; set after [`App::new`].
    pub policy: Policy,
    /// Tagged messages of the open folder, by UID.
    pub tagged: HashSet<Uid>,
    /// The session's confirmed actions, newest last.
    pub undo: Vec<Undo>,
    pub search: Option<Search>,
    pub search_history: Vec<String>,
    pub filter: Option<Filter>,
    pub(crate) filter_index: FilterIndex,
    /// New-mail settings from the config; set after [`App::new`].
    pub notify: NotifyPolicy,
    /// Runs the notification command; replaced in tests so nothing is spawned.
    pub notifier: Notifier,
    pub(crate) waiting: Option<Waiting>,
    /// The terminal bell should ring after the next draw.
    pub(crate) bell: bool,
    pub picker: Option<Picker>,
    pub confirm: Option<Confirm>,
    /// The folder pane lists only subscribed folders (and INBOX).
    pub subscribed_only: bool,
    /// Requests in flight, in the order they were sent: flag changes among them are applied
    /// in this order on top of the model.
    pub(crate) pending: BTreeMap<ReqId, Pending>,
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
            parts_offset: 0,
            folder_offset: 0,
            help: None,
            prompt: None,
            history: Vec::new(),
            count: None,
            notice: None,
            quit: false,
            geometry,
            launcher,
            policy: Policy::default(),
            tagged: HashSet::new(),
            undo: Vec::new(),
            search: None,
            search_history: Vec::new(),
            filter: None,
            filter_index: FilterIndex::default(),
            notify: NotifyPolicy::default(),
            notifier: Box::new(notify::spawn_detached),
            waiting: None,
            bell: false,
            picker: None,
            confirm: None,
            subscribed_only: false,
            pending: BTreeMap::new(),
            next_req: 0,
            message_gen: 0,
        };
        let cmds = vec![
            Cmd::ListFolders,
            Cmd::Select {
                folder: Folder::named(&default_folder),
                read_only: false,
                first_screen,
            },
        ];
        (app, cmds)
    }

    pub fn mailbox(&self) -> Option<&Mailbox> {
        self.model.mailbox.as_ref()
    }

    /// Whether `folder` is the one open, i.e. the one whose UIDs the list shows.
    pub(crate) fn is_open(&self, folder: &Folder) -> bool {
        self.mailbox().is_some_and(|m| m.folder == *folder)
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

    /// The open message's data changed: its layout must be rebuilt.
    pub(crate) fn bump_message(&mut self) {
        self.message_gen += 1;
    }

    pub(crate) fn say(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: false,
        });
    }

    /// `uid`'s flags as the user should see them: the model's, with the flag changes still
    /// in flight applied in the order they were sent.
    pub fn flags_of(&self, uid: Uid) -> Option<Flags> {
        let mb = self.mailbox()?;
        let mut flags = mb.summaries.get(&uid)?.flags;
        for p in self.pending.values() {
            if let Pending::Store { change, .. } = p
                && change.folder == mb.folder
                && change.uids.contains(&uid)
            {
                flags = change.apply(flags);
            }
        }
        Some(flags)
    }

    pub(crate) fn complain(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: true,
        });
    }

    pub(crate) fn rebuild_tree(&mut self, keep: Option<String>) {
        let only = self.subscribed_only;
        let shown = self
            .model
            .folders
            .iter()
            .filter(|f| !only || f.subscribed || f.folder.name().eq_ignore_ascii_case("INBOX"));
        self.tree = folder_tree::build(shown, &self.collapsed);
        let found = keep.and_then(|k| self.tree.iter().position(|r| r.name == k));
        self.folder_cursor = found.unwrap_or(0).min(self.tree.len().saturating_sub(1));
    }

    /// Lays out panes for `area` and brings the derived view state up to date (list scroll,
    /// reader layout at the pane's width). Called once per frame, before drawing.
    pub fn prepare(&mut self, area: Rect) {
        let shape = Shape {
            focus: self.focus,
            reader_open: self.reader.is_some(),
            show_parts: self.show_parts,
            error: self.notice.as_ref().is_some_and(|n| n.error)
                || self.prompt.as_ref().is_some_and(|p| p.error.is_some()),
        };
        self.geometry = layout::compute(area, shape);
        let g = self.geometry;
        let (listed, parts) = (self.rows().len(), self.parts().len());
        self.list_offset = scroll_to(self.list_offset, self.selected, g.list_rows(), listed);
        self.parts_offset = scroll_to(self.parts_offset, self.parts_cursor, g.parts_rows(), parts);
        let folders = self.tree.len();
        self.folder_offset = scroll_to(
            self.folder_offset,
            self.folder_cursor,
            g.folder_rows(),
            folders,
        );
        if let Some(p) = self.picker.as_mut() {
            let rows = crate::ui::views::picker_rows(g.screen, p);
            p.offset = scroll_to(p.offset, p.cursor, rows, p.matches.len());
        }
        if let Some(scroll) = self.help {
            let max = crate::ui::views::help_max_scroll(self, g.screen);
            self.help = Some(scroll.min(max));
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
