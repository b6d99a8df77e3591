//! The UI's state: the model (what the server told us) and one sub-state per part of the
//! screen or job, each with its own methods. `App` only dispatches: keys and mouse to actions
//! (`input`), actions to sub-states and requests (`commands`, `triage::actions`),
//! worker events to the model and then the sub-states (`events`). Drawing reads it through
//! the accessors here and never changes it.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::path::PathBuf;

use ratatui::layout::Rect;

use crate::config::theme::Theme;
use crate::mime::Part;
use crate::model::conversations::Conversations;
use crate::model::{Mailbox, Message, Model};
use crate::msg::{Cmd, Flags, Folder, SpecialUse, Uid};
use crate::ui::accounts::{AccountId, Accounts};
use crate::ui::composer::Composer;
use crate::ui::conversation::{Conversation, ConversationPane};
use crate::ui::filter::FilterState;
use crate::ui::folder_pane::FolderPane;
use crate::ui::folds::Folds;
use crate::ui::help;
use crate::ui::inboxes::Inboxes;
use crate::ui::keymap::Keymap;
use crate::ui::layout::{self, Geometry, Pane, Shape, help_max_scroll};
use crate::ui::login::Login;
use crate::ui::message_list::MessageList;
use crate::ui::notify::{NewMail, Notifier, NotifyPolicy};
use crate::ui::open_job::OpenJob;
use crate::ui::opener::{Run, Viewers};
use crate::ui::overlays::Overlays;
use crate::ui::parts::PartsPane;
use crate::ui::reader::{Reader, ReaderPane};
use crate::ui::requests::Requests;
use crate::ui::rows;
use crate::ui::search::SearchState;
use crate::ui::status::{Notice, Status};
use crate::ui::triage::{Policy, Triage, Undo};

/// Summaries asked for beyond the first screen, so a quick scroll does not hit loading rows.
pub(crate) const FIRST_SCREEN_MARGIN: usize = 50;

/// Runs the system's viewer on a file or URL; replaced in tests so nothing is launched.
pub type Launcher = Box<dyn Fn(&OsStr) -> std::io::Result<()>>;

/// Everything the constructor needs from the config and the terminal.
pub struct Settings {
    /// The account opened first.
    pub account: String,
    pub default_folder: String,
    pub download_dir: PathBuf,
    pub keymap: Keymap,
    pub theme: Theme,
    /// Terminal size at start, to ask for one screen of summaries first.
    pub size: (u16, u16),
    pub launcher: Launcher,
    /// `back` at the top level asks before quitting (`confirm_quit`).
    pub confirm_quit: bool,
    /// The time zone dates are shown in.
    pub zone: Zone,
    /// Mailcap rules, display and pager, for opening parts.
    pub viewers: Viewers,
}

/// The time zone of the dates on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// The user's: `TZ`, else the system's.
    Local,
    /// A fixed offset, so the screen does not depend on where it is drawn.
    Fixed(chrono::FixedOffset),
}

impl Zone {
    /// `secs` since the epoch in this zone, by a chrono `format`.
    pub fn format(self, secs: i64, format: &str) -> String {
        let Some(utc) = chrono::DateTime::from_timestamp(secs, 0) else {
            return String::new();
        };
        match self {
            Zone::Local => utc.with_timezone(&chrono::Local).format(format).to_string(),
            Zone::Fixed(offset) => utc.with_timezone(&offset).format(format).to_string(),
        }
    }
}

pub struct App {
    pub(super) model: Model,
    pub(super) settings: Settings,
    /// Which account is open, and the others' state.
    pub(super) accounts: Accounts,
    /// Commands for a named account's worker (see [`App::take_routed`]).
    pub(super) routed: Vec<(AccountId, Cmd)>,
    pub(super) focus: Pane,
    /// Where the panes were in the last frame; mouse positions are read against it.
    pub(super) geometry: Geometry,
    pub(super) folders: FolderPane,
    pub(super) list: MessageList,
    pub(super) reader: ReaderPane,
    /// The open message's conversation, shown in the reader pane instead of it.
    pub(super) conversation: ConversationPane,
    pub(super) parts: PartsPane,
    pub(super) overlays: Overlays,
    pub(super) search: SearchState,
    pub(super) filter: FilterState,
    pub(super) folds: Folds,
    /// A thread build and a sort for the main loop to start ([`App::take_jobs`]).
    pub(super) thread_job: Option<crate::model::thread_job::ThreadJob>,
    pub(super) sort_job: Option<crate::model::sort_job::SortJob>,
    /// The conversation of the open message, gathered by its ids.
    pub(super) gather_job: Option<crate::model::gather_job::GatherJob>,
    pub(super) triage: Triage,
    pub(super) requests: Requests,
    /// Rows asked for because they came into view during a sync.
    pub(super) visible: crate::ui::visible::Visible,
    pub(super) status: Status,
    pub(super) new_mail: NewMail,
    /// Copies of parts opened with the system viewer; removed when the app is dropped.
    pub(super) viewer: crate::ui::viewer::ViewerDir,
    pub(super) composer: Composer,
    pub(super) login: Login,
    /// "All inboxes": whether it shows, and its cursor and tags.
    pub(super) inboxes: Inboxes,
    pub(super) quit: bool,
}

impl App {
    /// The app and the commands to send at start: open the default folder, list folders.
    pub fn new(settings: Settings) -> (App, Vec<Cmd>) {
        let shape = Shape {
            focus: Pane::List,
            reader_open: false,
            show_parts: false,
            parts: 0,
            error: false,
        };
        let (w, h) = settings.size;
        let geometry = layout::compute(Rect::new(0, 0, w, h), shape);
        let first_screen = geometry.list_rows() + FIRST_SCREEN_MARGIN;
        let folder = settings.default_folder.clone();
        let app = App {
            model: Model::default(),
            folders: FolderPane::new(folder.clone()),
            accounts: Accounts::new(settings.account.clone(), folder.clone()),
            routed: Vec::new(),
            settings,
            focus: Pane::List,
            geometry,
            list: MessageList::default(),
            reader: ReaderPane::default(),
            conversation: ConversationPane::default(),
            parts: PartsPane::default(),
            overlays: Overlays::default(),
            search: SearchState::default(),
            filter: FilterState::default(),
            folds: Folds::default(),
            thread_job: None,
            sort_job: None,
            gather_job: None,
            triage: Triage::default(),
            requests: Requests::default(),
            visible: Default::default(),
            status: Status::default(),
            new_mail: NewMail::default(),
            viewer: Default::default(),
            composer: Composer::default(),
            login: Login::default(),
            inboxes: Inboxes::default(),
            quit: false,
        };
        // The folder first: the worker shows its cached rows while it logs in, and the
        // folder list needs the login, so asked for first it would hold them back.
        let cmds = vec![
            Cmd::Select {
                folder: Folder::named(&folder),
                read_only: false,
                first_screen,
            },
            Cmd::ListFolders,
        ];
        (app, cmds)
    }

    /// Delete, archive and seen settings from the config.
    pub fn set_policy(&mut self, policy: Policy) {
        self.triage.set_policy(policy);
    }

    /// The account signs in with OAuth2 (`tern login`), not a password.
    pub fn set_oauth2(&mut self, oauth2: bool) {
        self.login.set_oauth2(oauth2);
    }

    /// New-mail settings from the config.
    pub fn set_notify(&mut self, policy: NotifyPolicy) {
        self.new_mail.set_policy(policy);
    }

    pub fn set_notifier(&mut self, notifier: Notifier) {
        self.new_mail.set_notifier(notifier);
    }

    pub fn set_keymap(&mut self, keymap: Keymap) {
        self.settings.keymap = keymap;
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn mailbox(&self) -> Option<&Mailbox> {
        self.model.mailbox.as_ref()
    }

    /// The name of the account whose folder is open.
    pub fn account(&self) -> &str {
        self.accounts.name(self.accounts.open())
    }

    pub fn theme(&self) -> &Theme {
        &self.settings.theme
    }

    pub fn keymap(&self) -> &Keymap {
        &self.settings.keymap
    }

    pub fn login(&self) -> &Login {
        &self.login
    }

    pub fn zone(&self) -> Zone {
        self.settings.zone
    }

    /// Whether the list names each message's recipient rather than its sender: in the Sent
    /// and Drafts folders, whose mail is the user's own.
    pub fn lists_recipients(&self) -> bool {
        let Some(mb) = self.mailbox() else {
            return false;
        };
        self.model
            .folders
            .iter()
            .find(|f| f.folder == mb.folder)
            .is_some_and(|f| matches!(f.special, Some(SpecialUse::Sent | SpecialUse::Drafts)))
    }

    /// Whether `addr` is one of the account's own addresses (`from` and `aliases`).
    pub fn is_mine(&self, addr: &str) -> bool {
        self.composer.is_mine(addr)
    }

    pub fn focus(&self) -> Pane {
        self.focus
    }

    pub fn geometry(&self) -> Geometry {
        self.geometry
    }

    pub fn folder_pane(&self) -> &FolderPane {
        &self.folders
    }

    pub fn list(&self) -> &MessageList {
        &self.list
    }

    /// Row index of the selection among [`App::rows`].
    pub fn selected(&self) -> usize {
        self.list.selected()
    }

    pub fn selected_uid(&self) -> Option<Uid> {
        self.list.selected_uid()
    }

    /// The open message, if any.
    pub fn reader(&self) -> Option<&Reader> {
        self.reader.open()
    }

    /// The conversation shown in the reader pane, if any.
    pub fn conversation(&self) -> Option<&Conversation> {
        self.conversation.open()
    }

    pub fn parts_pane(&self) -> &PartsPane {
        &self.parts
    }

    pub fn overlays(&self) -> &Overlays {
        &self.overlays
    }

    pub fn search(&self) -> &SearchState {
        &self.search
    }

    pub fn filter(&self) -> &FilterState {
        &self.filter
    }

    pub fn triage(&self) -> &Triage {
        &self.triage
    }

    /// The session's confirmed actions, oldest first.
    pub fn undo_stack(&self) -> &[Undo] {
        self.triage.undo_stack()
    }

    pub fn notice(&self) -> Option<&Notice> {
        self.status.notice()
    }

    /// The user asked to leave.
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// A part the main loop is to open now, on a thread of its own ([`OpenJob::spawn`]).
    pub fn take_open_job(&mut self) -> Option<OpenJob> {
        self.parts.take_job()
    }

    /// A part viewer the main loop is to run now, with the terminal handed over to it.
    pub fn take_viewer(&mut self) -> Option<Run> {
        self.parts.take_viewer()
    }

    /// The terminal viewer ran (or could not start).
    pub fn viewer_done(&mut self, run: &Run, status: std::io::Result<std::process::ExitStatus>) {
        match status {
            Ok(s) if s.success() => self.status.clear(),
            Ok(s) => self
                .status
                .complain(format!("{} ended with {s}", run.command)),
            Err(e) => self
                .status
                .complain(format!("Could not run {}: {e}", run.command)),
        }
    }

    /// Whether the bell should ring now; asking resets it.
    pub fn take_bell(&mut self) -> bool {
        self.new_mail.take_bell()
    }

    /// Whether `folder` is the one open, i.e. the one whose UIDs the list shows.
    pub(crate) fn is_open(&self, folder: &Folder) -> bool {
        self.mailbox().is_some_and(|m| m.folder == *folder)
    }

    /// The listed UIDs, in the open folder's sort or thread order.
    pub fn rows(&self) -> Cow<'_, [Uid]> {
        let mb = self.mailbox();
        rows::listed(mb, &self.search, &self.filter, &self.folds, &self.requests)
    }

    /// Messages listed before the filter: "M" of "filter: N of M".
    pub fn unfiltered_len(&self) -> usize {
        rows::base(self.mailbox(), &self.search, &self.filter, &self.folds).len()
    }

    /// The open folder's threads, when the list shows them (not while a search or the filter
    /// lists hits).
    pub fn threaded(&self) -> Option<&Conversations> {
        rows::threaded(self.mailbox(), &self.search, &self.filter)
    }

    pub fn folds(&self) -> &Folds {
        &self.folds
    }

    /// Runs `f` on the list's view state with the current rows, so the selection is always
    /// set against what is listed.
    pub(crate) fn with_rows<T>(&mut self, f: impl FnOnce(&mut MessageList, &[Uid]) -> T) -> T {
        let mb = self.model.mailbox.as_ref();
        let rows = rows::listed(mb, &self.search, &self.filter, &self.folds, &self.requests);
        f(&mut self.list, &rows)
    }

    /// Runs `change` (which may add or remove rows), then puts the cursor back on its message
    /// or the row that took its place. A reader showing one of `gone` follows the cursor
    /// while it has focus, and closes otherwise.
    pub(crate) fn keep_selection(
        &mut self,
        gone: &[Uid],
        change: impl FnOnce(&mut App),
    ) -> Vec<Cmd> {
        let above = self.with_rows(|list, rows| list.above(rows));
        change(self);
        self.with_rows(|list, rows| list.repair(rows, &above));
        if self.mailbox().is_none_or(|m| m.listed) {
            self.list.listed();
        }
        if !self.reader.open().is_some_and(|r| gone.contains(&r.uid)) {
            return Vec::new();
        }
        let follows = matches!(self.focus, Pane::Reader | Pane::Parts);
        if follows && self.list.selected_uid().is_some() {
            return self.open_message();
        }
        self.reader.close();
        self.parts.hide();
        if follows {
            self.focus = Pane::List;
        }
        Vec::new()
    }

    /// `uid`'s flags as the user should see them: the model's, with the changes in flight.
    pub fn flags_of(&self, uid: Uid) -> Option<Flags> {
        self.requests.flags_of(self.mailbox()?, uid)
    }

    /// The open message as fetched so far.
    pub fn message(&self) -> Option<&Message> {
        let r = self.reader.open()?;
        self.mailbox()?.messages.get(&r.uid)
    }

    /// Every part of the open message in tree order, for the parts pane.
    pub fn parts(&self) -> Vec<&Part> {
        self.message()
            .and_then(|m| m.root.as_ref())
            .map(|r| r.walk().collect())
            .unwrap_or_default()
    }

    /// Lays out panes for `area` and brings the derived view state up to date (scroll
    /// offsets, reader layout at the pane's width). Called once per frame, before drawing.
    pub fn prepare(&mut self, area: Rect) {
        let shape = Shape {
            focus: self.focus,
            reader_open: self.reader.is_open(),
            show_parts: self.parts.is_shown(),
            parts: self.parts().len(),
            error: self.status.has_error()
                || self.overlays.prompt().is_some_and(|p| p.error.is_some()),
        };
        self.geometry = layout::compute(area, shape);
        let g = self.geometry;
        let (listed, parts) = (self.rows().len(), self.parts().len());
        self.list.scroll(g.list_rows(), listed);
        if self.inboxes.is_active() {
            self.refresh_inbox_rows();
            self.inboxes.settle(g.list_rows());
        }
        self.parts.scroll(g.parts_rows(), parts);
        self.folders.scroll(g.folder_rows());
        self.overlays.scroll_picker(g.screen);
        if self.overlays.help().is_some() {
            let width = layout::inner(layout::help_area(g.screen)).width as usize;
            let lines = help::layout(&self.settings.keymap, width).len();
            self.overlays.clamp_help(help_max_scroll(g.screen, lines));
        }
        let inner = g.reader_inner();
        let message = self
            .reader
            .open()
            .and_then(|r| self.model.mailbox.as_ref()?.messages.get(&r.uid));
        let (width, height) = (inner.width as usize, inner.height as usize);
        self.reader.layout(message, width, height);
        self.conversation.layout(width, height, self.settings.zone);
    }
}
