//! Keys → actions → view-state changes and worker commands. What a movement means depends on
//! the pane with focus; everything else is the same everywhere.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::msg::{Cmd, Flag};
use crate::ui::action::Action;
use crate::ui::app::{App, FIRST_SCREEN_MARGIN, Pane, Pending};
use crate::ui::prompt::{self, Command, Edit, LineKind, Prompt};
use crate::ui::search::remember;

/// A count larger than any folder; stops `99999999999j` from overflowing.
const MAX_COUNT: usize = 10_000_000;

impl App {
    /// Handles one key press and returns the commands it calls for.
    pub fn on_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        // A notice stays on screen until the user does something else.
        self.notice = None;
        // Ctrl-C quits from anywhere, whatever the keymap says, so there is always a way out.
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return Vec::new();
        }
        if let Some(confirm) = self.confirm.take() {
            if matches!(key.code, KeyCode::Char('y' | 'Y')) {
                return self.run_deferred(confirm.then);
            }
            self.say("Cancelled");
            return Vec::new();
        }
        if self.picker.is_some() {
            return self.picker_key(&key);
        }
        if let Some(mut p) = self.prompt.take() {
            let history = match p.kind {
                LineKind::Command => &self.history,
                LineKind::Search => &self.search_history,
                _ => &Vec::new(),
            };
            let filtering = p.kind == LineKind::Filter;
            return match p.key(&key, history) {
                Edit::Editing => {
                    if filtering {
                        self.filter_typed(&p.text);
                    }
                    self.prompt = Some(p);
                    Vec::new()
                }
                Edit::Cancel => {
                    if filtering {
                        self.clear_filter();
                    }
                    Vec::new()
                }
                Edit::Submit(line) => self.submit_line(p, line),
            };
        }
        let action = self.keymap.action(&key);
        if let Some(scroll) = self.help {
            // prepare() clamps the scroll to the help text.
            let page = self.geometry.screen.height.saturating_sub(5).max(1) as usize;
            self.help = match action {
                Some(Action::Down) => Some(scroll + 1),
                Some(Action::Up) => Some(scroll.saturating_sub(1)),
                Some(Action::PageDown) => Some(scroll + page),
                Some(Action::PageUp) => Some(scroll.saturating_sub(page)),
                Some(Action::Top) => Some(0),
                Some(Action::Bottom) => Some(usize::MAX / 2),
                Some(Action::Quit) => {
                    self.quit = true;
                    None
                }
                Some(Action::Back | Action::Help) => None,
                _ => Some(scroll),
            };
            return Vec::new();
        }
        if let KeyCode::Char(d @ '0'..='9') = key.code
            && key.modifiers.is_empty()
            && action.is_none()
            && (d != '0' || self.count.is_some())
        {
            let digit = d as usize - '0' as usize;
            self.count = Some((self.count.unwrap_or(0) * 10 + digit).min(MAX_COUNT));
            return Vec::new();
        }
        let count = self.count.take();
        match action {
            Some(a) => self.act(a, count),
            None => Vec::new(),
        }
    }

    /// Runs `action`; `count` is a number typed before it.
    pub fn act(&mut self, action: Action, count: Option<usize>) -> Vec<Cmd> {
        let n = count.unwrap_or(1);
        match action {
            Action::Quit => self.quit = true,
            Action::Back => self.back(),
            Action::Help => self.help = Some(0),
            Action::Command => self.prompt = Some(Prompt::default()),
            Action::Down => self.move_by(n as isize),
            Action::Up => self.move_by(-(n as isize)),
            Action::PageDown => self.move_by(self.page() as isize),
            Action::PageUp => self.move_by(-(self.page() as isize)),
            Action::Top => self.move_by(isize::MIN / 2),
            Action::Bottom => self.move_by(isize::MAX / 2),
            Action::NextPane => self.cycle(1),
            Action::PrevPane => self.cycle(-1),
            Action::Open => return self.open(count),
            Action::Collapse => self.toggle_collapse(),
            Action::AllHeaders => self.toggle_mode(|m| m.all_headers = !m.all_headers),
            Action::Alternative => {
                self.toggle_mode(|m| m.flipped = !m.flipped);
                return self.fetch_shown_parts();
            }
            Action::Raw => return self.toggle_raw(),
            Action::Parts => {
                if self.reader.is_some() {
                    self.show_parts = true;
                    self.focus = Pane::Parts;
                }
            }
            Action::SavePart => return self.save_selected(),
            Action::SaveAll => return self.save_all(),
            Action::OpenPart => return self.open_selected(),
            Action::Tag => self.toggle_tag(),
            Action::TagPattern => {
                self.prompt = Some(Prompt::new(LineKind::TagPattern, String::new()))
            }
            Action::UntagAll => self.untag_all(),
            Action::ToggleRead => return self.toggle_flag(Flag::Seen),
            Action::ToggleFlag => return self.toggle_flag(Flag::Flagged),
            Action::ToggleAnswered => return self.toggle_flag(Flag::Answered),
            Action::Move => self.pick_destination(true),
            Action::Copy => self.pick_destination(false),
            Action::Archive => return self.archive(),
            Action::Delete => return self.delete(),
            Action::Expunge => self.ask_expunge(),
            Action::Undo => return self.undo(),
            Action::Filter => self.open_filter(),
            Action::Search => self.open_search(),
            Action::NextHit => return self.jump_hit(true),
            Action::PrevHit => return self.jump_hit(false),
            Action::CreateFolder => self.ask_create_folder(),
            Action::RenameFolder => self.ask_rename_folder(),
            Action::DeleteFolder => self.ask_delete_folder(),
            Action::ToggleSubscribed => return self.toggle_subscribed(),
            Action::SubscribedOnly => self.toggle_subscribed_only(),
            Action::Reconnect => return vec![Cmd::Reconnect],
        }
        Vec::new()
    }

    /// A line submitted from the prompt, by what it was for.
    fn submit_line(&mut self, p: Prompt, line: String) -> Vec<Cmd> {
        match p.kind {
            LineKind::Search => self.submit_search(p),
            LineKind::Filter => {
                self.submit_filter(&line);
                Vec::new()
            }
            _ if line.is_empty() => Vec::new(),
            LineKind::Command => self.submit(line),
            LineKind::TagPattern => {
                self.tag_matching(&line);
                Vec::new()
            }
            kind => self.submit_folder_name(kind, line),
        }
    }

    fn submit(&mut self, line: String) -> Vec<Cmd> {
        remember(&mut self.history, &line);
        match prompt::parse(&line) {
            Ok(Command::OpenLink(n)) => self.open_link(n),
            Ok(Command::Save { section, output }) => return self.save_section(section, output),
            Ok(Command::Folder(name)) => return self.open_folder(&name),
            Ok(Command::Help) => self.help = Some(0),
            Ok(Command::Quit) => self.quit = true,
            Err(e) => self.complain(e),
        }
        Vec::new()
    }

    fn back(&mut self) {
        match self.focus {
            Pane::Parts => {
                self.show_parts = false;
                self.focus = Pane::Reader;
            }
            Pane::Reader => {
                self.reader = None;
                self.show_parts = false;
                self.focus = Pane::List;
            }
            Pane::Folders => self.focus = Pane::List,
            Pane::List if self.reader.is_some() => {
                self.reader = None;
                self.show_parts = false;
            }
            Pane::List if self.filter.is_some() => self.clear_filter(),
            Pane::List if self.search.is_some() => self.clear_search(),
            Pane::List => self.quit = true,
        }
    }

    fn page(&self) -> usize {
        let rows = match self.focus {
            Pane::Folders => self.geometry.folder_rows(),
            Pane::List => self.geometry.list_rows(),
            Pane::Reader => self.geometry.reader_inner().height as usize,
            Pane::Parts => self.geometry.parts_rows(),
        };
        rows.saturating_sub(1).max(1)
    }

    /// Moves the focused pane's cursor (or the reader's scroll) by `delta`, clamped.
    fn move_by(&mut self, delta: isize) {
        let step = |at: usize, len: usize| -> usize {
            let target = (at as isize).saturating_add(delta);
            target.clamp(0, len.saturating_sub(1) as isize) as usize
        };
        match self.focus {
            Pane::Folders => self.folder_cursor = step(self.folder_cursor, self.tree.len()),
            Pane::List => {
                let rows = self.rows();
                let selected = step(self.selected, rows.len());
                let uid = rows.get(selected).copied();
                drop(rows);
                self.selected = selected;
                self.selected_uid = uid;
            }
            Pane::Reader => {
                if let Some(r) = self.reader.as_mut() {
                    // prepare() clamps to the layout; here only the document length is known.
                    r.scroll = step(r.scroll, r.doc.lines.len());
                }
            }
            Pane::Parts => self.parts_cursor = step(self.parts_cursor, self.parts().len()),
        }
    }

    /// The panes that can take focus now, in Tab order.
    fn panes(&self) -> Vec<Pane> {
        let mut panes = vec![Pane::Folders, Pane::List];
        if self.reader.is_some() {
            panes.push(Pane::Reader);
            if self.show_parts {
                panes.push(Pane::Parts);
            }
        }
        panes
    }

    fn cycle(&mut self, dir: isize) {
        let panes = self.panes();
        let at = panes.iter().position(|p| *p == self.focus).unwrap_or(0) as isize;
        let len = panes.len() as isize;
        self.focus = panes[(at + dir).rem_euclid(len) as usize];
    }

    fn open(&mut self, count: Option<usize>) -> Vec<Cmd> {
        if let Some(n) = count
            && self.reader.is_some()
            && self.focus != Pane::Folders
        {
            self.open_link(n);
            return Vec::new();
        }
        match self.focus {
            Pane::Folders => {
                let Some(row) = self.tree.get(self.folder_cursor) else {
                    return Vec::new();
                };
                if row.selectable {
                    let name = row.name.clone();
                    self.open_folder(&name)
                } else {
                    self.toggle_collapse();
                    Vec::new()
                }
            }
            Pane::List => self.open_message(),
            Pane::Reader => Vec::new(),
            Pane::Parts => self.open_selected(),
        }
    }

    pub(crate) fn open_folder(&mut self, name: &str) -> Vec<Cmd> {
        let Some(info) = self.model.folders.iter().find(|f| f.folder.name() == name) else {
            self.complain(format!("There is no folder \"{name}\""));
            return Vec::new();
        };
        if !info.selectable {
            self.complain(format!(
                "\"{name}\" only holds other folders; it cannot be opened"
            ));
            return Vec::new();
        }
        let folder = info.folder.clone();
        self.wanted_folder = name.to_string();
        self.focus = Pane::List;
        vec![Cmd::Select {
            folder,
            read_only: false,
            first_screen: self.geometry.list_rows().max(1) + FIRST_SCREEN_MARGIN,
        }]
    }

    fn toggle_collapse(&mut self) {
        if self.focus != Pane::Folders {
            return;
        }
        let Some(row) = self.tree.get(self.folder_cursor) else {
            return;
        };
        if !row.has_children {
            return;
        }
        let name = row.name.clone();
        if !self.collapsed.remove(&name) {
            self.collapsed.insert(name.clone());
        }
        self.rebuild_tree(Some(name));
    }

    fn toggle_mode(&mut self, f: impl FnOnce(&mut crate::ui::document::ReaderMode)) {
        if let Some(r) = self.reader.as_mut() {
            f(&mut r.mode);
            r.scroll = 0;
        }
    }

    fn toggle_raw(&mut self) -> Vec<Cmd> {
        self.toggle_mode(|m| m.raw = !m.raw);
        let Some(r) = self.reader.as_ref() else {
            return Vec::new();
        };
        let (uid, folder, raw) = (r.uid, r.folder.clone(), r.mode.raw);
        let have = self.message().is_some_and(|m| m.raw.is_some());
        if !raw || have || self.is_pending(&Pending::Raw(uid)) {
            return Vec::new();
        }
        let req = self.req(Pending::Raw(uid));
        vec![Cmd::FetchRaw { req, folder, uid }]
    }

    fn open_link(&mut self, n: usize) {
        let Some(url) = self
            .reader
            .as_ref()
            .and_then(|r| r.doc.links.get(n.wrapping_sub(1)))
            .cloned()
        else {
            self.complain(format!("There is no link {n} in this message"));
            return;
        };
        match (self.launcher)(url.as_ref()) {
            Ok(()) => self.say(format!("Opened link {n}")),
            Err(e) => self.complain(format!("Could not open link {n}: {e}")),
        }
    }
}
