//! Keys and the mouse → actions → sub-states. Overlays take keys first (a question, the
//! picker, the line, help); then the keymap names an action, and what a movement means depends
//! on the pane with focus. The mouse acts on the pane under the pointer (see `mouse`).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent};

use crate::msg::{Cmd, Flag, Secret};
use crate::ui::accounts::{AccountId, Section};
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::cmdline;
use crate::ui::layout::Pane;
use crate::ui::mouse::{self, Pointer};
use crate::ui::overlays::HelpKey;
use crate::ui::picker::Dest;
use crate::ui::prompt::{self, Command, Edit, LineKind, Prompt};
use crate::ui::status::Notice;
use crate::ui::triage::{Across, Confirm, Deferred, Origin, Transfer};

impl App {
    /// Handles one key press and returns the commands it calls for.
    pub fn on_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        // A notice stays on screen until the user does something else.
        self.status.clear();
        // Ctrl-C quits from anywhere, whatever the keymap says, so there is always a way out.
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return Vec::new();
        }
        if let Some(confirm) = self.overlays.take_question() {
            if matches!(key.code, KeyCode::Char('y' | 'Y')) {
                return self.run_deferred(confirm.then);
            }
            self.status.say("Cancelled");
            return Vec::new();
        }
        if self.overlays.picker().is_some() {
            return self.picker_key(&key);
        }
        if self.overlays.sort_picker().is_some() {
            return self.sort_picker_key(&key);
        }
        if let Some(p) = self.overlays.take_line() {
            return self.line_key(p, &key);
        }
        let action = self.settings.keymap.action(&key);
        if self.overlays.help().is_some() {
            let page = self.geometry.screen.height.saturating_sub(5).max(1) as usize;
            if self.overlays.help_key(action, page) == HelpKey::Quit {
                self.quit = true;
            }
            return Vec::new();
        }
        if self.composer.is_active() {
            return self.composer_key(&key);
        }
        if let KeyCode::Char(d) = key.code
            && key.modifiers.is_empty()
            && action.is_none()
            && self.overlays.digit(d)
        {
            return Vec::new();
        }
        let count = self.overlays.take_count();
        match action {
            Some(a) => self.act(a, count),
            None => Vec::new(),
        }
    }

    /// A key while a line is being edited.
    fn line_key(&mut self, mut p: Prompt, key: &KeyEvent) -> Vec<Cmd> {
        if key.code == KeyCode::Tab && p.kind == LineKind::Command {
            let sections = self.accounts.sections(&self.model);
            let others = other_accounts(self.accounts.open(), &sections);
            p.complete(|text| cmdline::complete(text, &self.model.folders, &others));
            self.overlays.set_line(p);
            return Vec::new();
        }
        let filtering = p.kind == LineKind::Filter;
        match p.key(key, self.overlays.history(&p.kind)) {
            Edit::Editing => {
                if filtering {
                    self.filter_typed(&p.text);
                }
                self.overlays.set_line(p);
                Vec::new()
            }
            Edit::Cancel => {
                if filtering {
                    self.clear_filter();
                }
                Vec::new()
            }
            Edit::Submit(line) => self.submit_line(p, line),
        }
    }

    /// Runs `action`; `count` is a number typed before it.
    pub fn act(&mut self, action: Action, count: Option<usize>) -> Vec<Cmd> {
        let n = count.unwrap_or(1);
        if self.inboxes.is_active()
            && let Some(cmds) = self.inbox_act(action, n)
        {
            return cmds;
        }
        match action {
            Action::Quit => self.quit = true,
            Action::Back => self.back(),
            Action::Help => self.overlays.show_help(),
            Action::Command => self.overlays.set_line(Prompt::default()),
            Action::Sort => self.pick_sort(),
            Action::Down => self.move_by(n as isize),
            Action::Up => self.move_by(-(n as isize)),
            Action::PageDown => self.move_by(self.page() as isize),
            Action::PageUp => self.move_by(-(self.page() as isize)),
            Action::Top => self.move_by(isize::MIN / 2),
            Action::Bottom => {
                self.move_by(isize::MAX / 2);
                if self.focus == Pane::List && self.mailbox().is_some_and(|m| !m.listed) {
                    self.list.await_end();
                    return self.fetch_oldest().into_iter().collect();
                }
            }
            Action::NextPane => self.cycle(1),
            Action::PrevPane => self.cycle(-1),
            Action::Open => return self.open(count),
            Action::Collapse if self.focus == Pane::List => return self.fold_thread(),
            Action::Collapse if self.focus == Pane::Reader && self.conversation.is_open() => {
                self.toggle_quotes()
            }
            Action::Collapse => self.toggle_collapse(),
            Action::CollapseAll => return self.fold_all(),
            Action::Threads => return self.toggle_threads(),
            Action::NextThread => self.jump_thread(true),
            Action::PrevThread => self.jump_thread(false),
            Action::NextUnreadInThread => return self.next_unread_in_thread(),
            Action::TagThread => self.tag_thread(),
            Action::Conversation => return self.open_conversation(),
            Action::AllHeaders => {
                self.reader.toggle_mode(|m| m.all_headers = !m.all_headers);
            }
            Action::Alternative => {
                self.reader.toggle_mode(|m| m.flipped = !m.flipped);
                return self.fetch_shown_parts();
            }
            Action::Raw => return self.toggle_raw(),
            Action::Parts => {
                if self.reader.is_open() {
                    self.parts.show();
                    self.focus = Pane::Parts;
                }
            }
            Action::SavePart => return self.save_selected(),
            Action::SaveAll => return self.save_all(),
            Action::OpenPart => return self.open_selected(),
            Action::Tag => self.toggle_tag(),
            Action::TagPattern => self.overlays.open_line(LineKind::TagPattern, String::new()),
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
            Action::Search => {
                let text = self.search.text();
                self.overlays.open_line(LineKind::Search, text);
            }
            Action::NextHit => return self.jump_hit(true),
            Action::PrevHit => return self.jump_hit(false),
            Action::CreateFolder => {
                let text = self.folders.new_folder_prefix(
                    self.accounts.open(),
                    &self.model.folders,
                    &self.model.personal_prefix,
                );
                self.overlays.open_line(LineKind::CreateFolder, text);
            }
            Action::RenameFolder => self.ask_rename_folder(),
            Action::DeleteFolder => self.ask_delete_folder(),
            Action::ToggleSubscribed => return self.toggle_subscribed(),
            Action::NextAccount => return self.step_account(1),
            Action::PrevAccount => return self.step_account(-1),
            Action::SubscribedOnly => {
                let sections = self.accounts.sections(&self.model);
                let on = self.folders.toggle_subscribed_only(&sections);
                self.status.say(if on {
                    "Showing subscribed folders only"
                } else {
                    "Showing all folders"
                });
            }
            // After a refused login the same password (or token) would be refused again.
            Action::Reconnect if self.login.is_refused() && self.login.wants_password() => {
                self.ask_password()
            }
            Action::Reconnect if self.login.is_refused() => {
                if self.login.want_sign_in() {
                    self.status
                        .about_connection(Notice::info("Signing in: opening the browser…"));
                } else {
                    self.status
                        .say("A sign-in is under way: finish it in the browser");
                }
            }
            Action::Reconnect => return vec![Cmd::Reconnect],
            Action::Compose
            | Action::Reply
            | Action::ReplyAll
            | Action::Forward
            | Action::ForwardAttached
            | Action::EditDraft => return self.start_compose(action),
            Action::Send
            | Action::Edit
            | Action::Attach
            | Action::Detach
            | Action::Postpone
            | Action::Abort => self
                .status
                .say("That works on the review screen, after the editor"),
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
            LineKind::Password => {
                self.status.about_connection(Notice::info("Logging in…"));
                self.composer.password_typed(Secret(line.clone()));
                vec![Cmd::Login(Secret(line))]
            }
            LineKind::TagPattern => {
                self.tag_matching(&line);
                Vec::new()
            }
            kind => self.submit_folder_name(kind, line),
        }
    }

    fn submit(&mut self, line: String) -> Vec<Cmd> {
        self.overlays.remember(&LineKind::Command, &line);
        match prompt::parse(&line) {
            Ok(Command::OpenLink(n)) => self.open_link(n),
            Ok(Command::Save { section, output }) => return self.save_section(section, output),
            Ok(Command::Folder(name)) => match cmdline::folder(&self.model.folders, &name) {
                Ok(f) => {
                    let name = f.folder.name().to_string();
                    return self.open_folder(&name);
                }
                Err(e) => self.status.complain(e),
            },
            Ok(Command::Account(name)) => return self.account_named(&name),
            Ok(Command::Sort(order)) => return self.sort(order),
            Ok(Command::Help) => self.overlays.show_help(),
            Ok(Command::Quit) => self.quit = true,
            Ok(Command::Run(action)) => return self.act(action, None),
            Ok(Command::RunWith(action, text)) => return self.act_with(action, text),
            Err(e) => self.status.complain(e),
        }
        Vec::new()
    }

    /// An action that asks for a line or a folder, given it on the `:` line instead.
    fn act_with(&mut self, action: Action, text: String) -> Vec<Cmd> {
        match action {
            Action::Move | Action::Copy => {
                let remove = action == Action::Move;
                let open = self.accounts.open();
                let sections = self.accounts.sections(&self.model);
                let others = other_accounts(open, &sections);
                let (account, dest) =
                    match cmdline::destination(&self.model.folders, &others, &text) {
                        Ok((account, f)) => (account.unwrap_or(open), f.folder.clone()),
                        Err(e) => {
                            self.status.complain(e);
                            return Vec::new();
                        }
                    };
                if self.inboxes.is_active() {
                    let label = dest.name().to_string();
                    let dest = Dest {
                        account,
                        folder: dest,
                        label,
                    };
                    return self.transfer_rows(dest, remove);
                }
                let Some((folder, uids)) = self.targets() else {
                    return Vec::new();
                };
                if account != open {
                    let across = Across {
                        from: (open, folder),
                        to: (account, dest),
                        remove,
                        origin: Origin::User,
                        batch: crate::ui::triage::next_stamp(),
                    };
                    return self.transfer_across(across, uids);
                }
                return self.transfer(Transfer {
                    folder,
                    uids,
                    dest,
                    remove,
                    origin: Origin::User,
                });
            }
            Action::TagPattern => self.tag_matching(&text),
            Action::Search => return self.submit_search(Prompt::new(LineKind::Search, text)),
            Action::Filter => {
                self.open_filter();
                // The filter narrows as the line is typed; here it is all typed at once.
                self.overlays.take_line();
                self.filter_typed(&text);
                self.submit_filter(&text);
            }
            Action::CreateFolder => return self.submit_folder_name(LineKind::CreateFolder, text),
            Action::RenameFolder => return self.rename_folder_to(text),
            _ => return self.act(action, None),
        }
        Vec::new()
    }

    fn back(&mut self) {
        let cancelled = self.requests.cancel_saves();
        if cancelled > 0 {
            self.status.say(match cancelled {
                1 => "Cancelling the save…".to_string(),
                n => format!("Cancelling {n} saves…"),
            });
            return;
        }
        match self.focus {
            Pane::Parts => {
                self.parts.hide();
                self.focus = Pane::Reader;
            }
            Pane::Reader if self.conversation.is_open() => self.conversation.close(),
            Pane::Reader if self.reader.close_output() => {}
            Pane::Reader => {
                self.close_reader();
                self.focus = Pane::List;
            }
            Pane::Folders => self.focus = Pane::List,
            Pane::List if self.reader.is_open() => self.close_reader(),
            Pane::List if self.filter.active().is_some() => self.clear_filter(),
            Pane::List if self.search.active().is_some() => self.clear_search(),
            Pane::List if self.settings.confirm_quit => self.overlays.ask(Confirm {
                question: "Quit tern? (y/N)".into(),
                then: Deferred::Quit,
            }),
            Pane::List => self.quit = true,
        }
    }

    /// Closes the reader and the parts pane with it.
    pub(crate) fn close_reader(&mut self) {
        self.reader.close();
        self.conversation.close();
        self.parts.hide();
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
        match self.focus {
            Pane::Folders => self.folders.move_by(delta),
            Pane::List => self.with_rows(|list, rows| list.move_by(rows, delta)),
            // prepare() clamps to the layout; here only the document length is known.
            Pane::Reader if self.conversation.is_open() => self.conversation.scroll_by(delta),
            Pane::Reader => self.reader.scroll_by(delta),
            Pane::Parts => {
                let len = self.parts().len();
                self.parts.move_by(len, delta);
            }
        }
    }

    /// The panes that can take focus now, in Tab order.
    fn panes(&self) -> Vec<Pane> {
        let mut panes = vec![Pane::Folders, Pane::List];
        if self.reader.is_open() {
            panes.push(Pane::Reader);
            if self.parts.is_shown() {
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
            && self.reader.is_open()
            && self.focus != Pane::Folders
        {
            self.open_link(n);
            return Vec::new();
        }
        match self.focus {
            Pane::Folders => {
                let Some(row) = self.folders.cursor_row() else {
                    return Vec::new();
                };
                if row.all_inboxes {
                    self.open_all_inboxes()
                } else if row.selectable {
                    let (account, name) = (row.account, row.name.clone());
                    self.switch_account(account, Some(&name))
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

    fn toggle_collapse(&mut self) {
        if self.focus == Pane::Folders {
            let sections = self.accounts.sections(&self.model);
            self.folders.toggle_collapse(&sections);
        }
    }

    /// Handles one mouse event and returns the commands it calls for.
    pub fn on_mouse(&mut self, ev: MouseEvent) -> Vec<Cmd> {
        let Some(pointer) = Pointer::read(&ev) else {
            return Vec::new();
        };
        // The command line, the picker, a question and the composer wait for keys; the mouse
        // leaves them be.
        if self.overlays.wants_keys() || self.composer.is_active() {
            return Vec::new();
        }
        if self.overlays.help().is_some() {
            // prepare() clamps the scroll to the help text.
            if let Pointer::Wheel(delta) = pointer {
                self.overlays.help_wheel(delta);
            }
            return Vec::new();
        }
        let Some((pane, row, rows)) = mouse::locate(&self.geometry, &ev) else {
            return Vec::new();
        };
        // As with a key: the notice has been seen, and a half-typed count is dropped.
        self.status.clear();
        self.overlays.take_count();
        match pointer {
            Pointer::Wheel(delta) => {
                self.wheel(pane, delta, rows);
                Vec::new()
            }
            Pointer::Click => self.click(pane, row),
        }
    }

    /// A click on `row` of `pane`'s body (None: on its border).
    fn click(&mut self, pane: Pane, row: Option<usize>) -> Vec<Cmd> {
        let focused = self.focus == pane;
        self.focus = pane;
        let (Some(row), Some((offset, cursor, len))) = (row, self.window(pane)) else {
            return Vec::new();
        };
        let i = offset.saturating_add(row);
        if i >= len {
            return Vec::new();
        }
        if focused && i == cursor {
            return self.act(Action::Open, None);
        }
        self.set_window(pane, offset, i);
        Vec::new()
    }

    /// Scrolls `pane` (`rows` high) by `delta` rows.
    fn wheel(&mut self, pane: Pane, delta: isize, rows: usize) {
        if pane == Pane::Reader && self.conversation.is_open() {
            self.conversation.wheel(delta, rows);
        } else if pane == Pane::Reader {
            self.reader.wheel(delta, rows);
        } else if let Some((offset, cursor)) = self
            .window(pane)
            .and_then(|w| mouse::scrolled(w, rows, delta))
        {
            self.set_window(pane, offset, cursor);
        }
    }

    /// First visible row, cursor and row count of a list pane; None for the reader.
    fn window(&self, pane: Pane) -> Option<(usize, usize, usize)> {
        match pane {
            Pane::Folders => {
                let f = &self.folders;
                Some((f.offset(), f.cursor(), f.tree().len()))
            }
            Pane::List if self.inboxes.is_active() => {
                let v = &self.inboxes;
                Some((v.offset(), v.cursor(), self.inbox_rows().len()))
            }
            Pane::List => Some((self.list.offset(), self.list.selected(), self.rows().len())),
            Pane::Parts => {
                let p = &self.parts;
                Some((p.offset(), p.cursor(), self.parts().len()))
            }
            Pane::Reader => None,
        }
    }

    fn set_window(&mut self, pane: Pane, offset: usize, cursor: usize) {
        match pane {
            Pane::Folders => self.folders.set_window(offset, cursor),
            Pane::List if self.inboxes.is_active() => {
                let rows = self.inbox_rows().into_owned();
                self.inboxes.set_window(&rows, offset, cursor);
            }
            Pane::List => self.with_rows(|list, rows| list.set_window(rows, offset, cursor)),
            Pane::Parts => self.parts.set_window(offset, cursor),
            Pane::Reader => {}
        }
    }
}

/// The folders of every account but `open`, for the `:` line.
fn other_accounts<'a>(open: AccountId, sections: &[Section<'a>]) -> Vec<cmdline::Other<'a>> {
    sections
        .iter()
        .filter(|s| s.account != open)
        .map(|s| cmdline::Other {
            account: s.account,
            name: s.name,
            folders: &s.model.folders,
        })
        .collect()
}
