//! Actions that read: opening folders and messages, fetching and saving parts, links, the
//! search and the filter, and folder management. Each asks the sub-states what to do and
//! [`Requests`](crate::ui::requests::Requests) for the commands.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crossterm::event::KeyEvent;

use crate::error::{Error, Result};
use crate::mime::Section;
use crate::model::sort::SortOrder;
use crate::msg::{Cmd, Folder, FolderInfo, FolderOp, SaveTo, Uid};
use crate::save;
use crate::ui::action::Action;
use crate::ui::app::{App, FIRST_SCREEN_MARGIN};
use crate::ui::layout::Pane;
use crate::ui::open_job::{OpenJob, Opened};
use crate::ui::opener::Opener;
use crate::ui::parts::first_attachment;
use crate::ui::prompt::{LineKind, Prompt};
use crate::ui::reader::missing_parts;
use crate::ui::requests::Purpose;
use crate::ui::search::parse_line;
use crate::ui::sort_picker::{SortPick, SortPicker};
use crate::ui::triage::{Confirm, Deferred, count};

impl App {
    pub(crate) fn open_folder(&mut self, name: &str) -> Vec<Cmd> {
        self.leave_all_inboxes();
        let Some(info) = self.model.folders.iter().find(|f| f.folder.name() == name) else {
            self.status
                .complain(format!("There is no folder \"{name}\""));
            return Vec::new();
        };
        if !info.selectable {
            self.status.complain(format!(
                "\"{name}\" only holds other folders; it cannot be opened"
            ));
            return Vec::new();
        }
        let folder = info.folder.clone();
        self.folders.want(name);
        self.focus = Pane::List;
        vec![Cmd::Select {
            folder,
            read_only: false,
            first_screen: self.geometry.list_rows().max(1) + FIRST_SCREEN_MARGIN,
        }]
    }

    /// Opens the message under the list cursor: its structure first if it is not here, then
    /// the text parts it shows; marks it \Seen if the config says so.
    pub(crate) fn open_message(&mut self) -> Vec<Cmd> {
        let (Some(uid), Some(folder)) = (
            self.list.selected_uid(),
            self.mailbox().map(|m| m.folder.clone()),
        ) else {
            return Vec::new();
        };
        self.reader.show(uid, folder.clone());
        self.conversation.close();
        self.parts.hide();
        self.focus = Pane::Reader;
        let have = self.message().is_some_and(|m| m.root.is_some());
        let mut cmds = Vec::new();
        if have {
            self.point_at_attachment();
            cmds = self.fetch_shown_parts();
        } else {
            cmds.extend(self.requests.structure(folder.clone(), uid));
        }
        cmds.extend(self.mark_seen_on_open(folder, uid));
        self.offer_resume();
        cmds
    }

    /// The parts cursor on the open message's first attachment.
    pub(crate) fn point_at_attachment(&mut self) {
        let i = first_attachment(&self.parts());
        self.parts.point_at(i);
    }

    /// FetchPart for every shown text part not yet fetched or asked for.
    pub(crate) fn fetch_shown_parts(&mut self) -> Vec<Cmd> {
        let Some(r) = self.reader.open() else {
            return Vec::new();
        };
        let (uid, folder, mode) = (r.uid, r.folder.clone(), r.mode);
        let Some(missing) = self.message().map(|m| missing_parts(m, mode)) else {
            return Vec::new();
        };
        missing
            .into_iter()
            .filter_map(|s| self.requests.part(folder.clone(), uid, s, Purpose::Display))
            .collect()
    }

    pub(crate) fn toggle_raw(&mut self) -> Vec<Cmd> {
        let Some(mode) = self.reader.toggle_mode(|m| m.raw = !m.raw) else {
            return Vec::new();
        };
        let have = self.message().is_some_and(|m| m.raw.is_some());
        let Some(r) = self.reader.open().filter(|_| mode.raw && !have) else {
            return Vec::new();
        };
        let (folder, uid) = (r.folder.clone(), r.uid);
        self.requests.raw(folder, uid).into_iter().collect()
    }

    pub(crate) fn open_link(&mut self, n: usize) {
        let Some(url) = self.reader.link(n) else {
            self.status
                .complain(format!("There is no link {n} in this message"));
            return;
        };
        if !crate::ui::links::openable_link(&url) {
            self.status.complain(format!(
                "Not opening link {n}: only http, https and mailto links are opened ({})",
                crate::mime::sanitize::sanitize_line(&url)
            ));
            return;
        }
        match (self.settings.launcher)(url.as_ref()) {
            Ok(()) => self.status.say(format!("Opened link {n}")),
            Err(e) => self
                .status
                .complain(format!("Could not open link {n}: {e}")),
        }
    }

    pub(crate) fn save_selected(&mut self) -> Vec<Cmd> {
        match self.cursor_section() {
            Some(s) => self.with_part(s, Purpose::Save(None)),
            None => Vec::new(),
        }
    }

    pub(crate) fn open_selected(&mut self) -> Vec<Cmd> {
        match self.cursor_section() {
            Some(s) => self.with_part(s, Purpose::Open),
            None => Vec::new(),
        }
    }

    pub(crate) fn save_all(&mut self) -> Vec<Cmd> {
        let sections: Vec<Section> = self
            .parts()
            .into_iter()
            .filter(|p| p.is_attachment())
            .map(|p| p.section.clone())
            .collect();
        if sections.is_empty() && self.reader.is_open() {
            self.status.say("This message has no attachments");
        }
        let total = sections.len();
        let cmds: Vec<Cmd> = sections
            .into_iter()
            .flat_map(|s| self.with_part(s, Purpose::Save(None)))
            .collect();
        if !cmds.is_empty() {
            self.status.say(format!("Saving {total} attachments…"));
        }
        cmds
    }

    /// `:save SECTION [PATH]`.
    pub(crate) fn save_section(&mut self, section: Section, output: Option<PathBuf>) -> Vec<Cmd> {
        self.with_part(section, Purpose::Save(output))
    }

    /// The part under the parts cursor, when the part list is showing.
    fn cursor_section(&mut self) -> Option<Section> {
        self.reader.open()?;
        let section = self
            .parts()
            .get(self.parts.cursor())
            .map(|p| p.section.clone());
        if section.is_none() {
            self.status
                .complain("The message's parts are still loading");
        }
        section
    }

    /// Does `purpose` with `section` of the open message now, or fetches it first.
    fn with_part(&mut self, section: Section, purpose: Purpose) -> Vec<Cmd> {
        let Some(r) = self.reader.open() else {
            self.status.complain("Open a message first");
            return Vec::new();
        };
        let (uid, folder) = (r.uid, r.folder.clone());
        let Some((message, root)) = self.message().and_then(|m| Some((m, m.root.as_ref()?))) else {
            self.status.complain("The message is still loading");
            return Vec::new();
        };
        if root.find(&section).is_none() {
            self.status
                .complain(format!("This message has no part {section}"));
            return Vec::new();
        }
        if message.parts.contains_key(&section) {
            self.finish(uid, &section, purpose);
            return Vec::new();
        }
        if let Purpose::Save(output) = &purpose {
            // Not in memory: written as it arrives, never held whole (a 50 MB attachment).
            let part = root.find(&section).cloned();
            let to = SaveTo {
                output: output.clone(),
                download_dir: self.settings.download_dir.clone(),
            };
            return part
                .map(|part| self.requests.save(folder, uid, part, to))
                .into_iter()
                .collect();
        }
        self.requests
            .part(folder, uid, section, purpose)
            .into_iter()
            .collect()
    }

    /// A part fetched to save or open arrived, or was here already: do it.
    pub(crate) fn finish(&mut self, uid: Uid, section: &Section, purpose: Purpose) {
        let Some((bytes, name)) = self.part_bytes(uid, section) else {
            self.status
                .complain(format!("Part {section} is no longer available"));
            return;
        };
        let dir = &self.settings.download_dir;
        match purpose {
            Purpose::Display => {}
            Purpose::Save(output) => match save::write_new(output.as_deref(), dir, &name, &bytes) {
                Ok(path) => self
                    .status
                    .say(format!("Saved part {section} to {}", path.display())),
                Err(e) => self
                    .status
                    .complain(format!("Could not save part {section}: {e}")),
            },
            Purpose::Open => match self.open_copy(uid, section, &name, &bytes) {
                Ok(said) => self.status.say(said),
                Err(e) => self
                    .status
                    .complain(format!("Could not open part {section}: {e}")),
            },
        }
    }

    /// The content to write and the file name to write it under.
    fn part_bytes(&self, uid: Uid, section: &Section) -> Option<(Vec<u8>, String)> {
        let message = self.mailbox()?.messages.get(&uid)?;
        let part = message.root.as_ref()?.find(section)?;
        let raw = message.parts.get(section)?;
        Some((save::content(part, raw), save::file_name(part)))
    }

    /// Writes the part to the viewer directory and queues it to be opened off the UI thread.
    fn open_copy(
        &mut self,
        uid: Uid,
        section: &Section,
        name: &str,
        bytes: &[u8],
    ) -> Result<String> {
        let path = self.viewer.write(name, bytes)?;
        let mime_type = self
            .parts()
            .into_iter()
            .find(|p| p.section == *section)
            .map_or_else(
                || "application/octet-stream".to_string(),
                |p| p.mime_type.clone(),
            );
        self.parts.open(OpenJob {
            uid,
            section: section.clone(),
            path,
            mime_type,
            viewers: self.settings.viewers.clone(),
        });
        Ok(format!("Opening part {section}…"))
    }

    /// The viewer for a part was chosen (and, when it only prints text, ran).
    pub fn on_opened(&mut self, opened: Opened) {
        match opened {
            Opened::Output {
                uid,
                section,
                command,
                text,
            } => {
                // The user may have moved on while the viewer ran.
                if !self.reader.shows(uid) {
                    return;
                }
                let title = format!("part {section} through {command}");
                self.reader.show_output(title, text);
                self.focus = Pane::Reader;
                self.status
                    .say(format!("Part {section} as {command} shows; Esc goes back"));
            }
            Opened::Chosen {
                section,
                path,
                mime_type,
                opener,
            } => match self.start_viewer(&section, &path, &mime_type, opener) {
                Ok(said) => self.status.say(said),
                Err(e) => self
                    .status
                    .complain(format!("Could not open part {section}: {e}")),
            },
            Opened::Failed { section, why } => self
                .status
                .complain(format!("Could not open part {section}: {why}")),
        }
    }

    /// Starts the viewer chosen for `path` (part `section`, of `mime_type`); returns what to
    /// tell the user.
    fn start_viewer(
        &mut self,
        section: &Section,
        path: &Path,
        mime_type: &str,
        opener: Opener,
    ) -> Result<String> {
        let failed = |e: std::io::Error| Error::Io(format!("cannot run the viewer: {e}"));
        match opener {
            Opener::System => {
                (self.settings.launcher)(path.as_os_str())
                    .map_err(|e| Error::Io(format!("no viewer for {}: {e}", path.display())))?;
                Ok(format!("Opened part {section} with the system viewer"))
            }
            Opener::Detached(run) => {
                let mut cmd = run.command().map_err(failed)?;
                if run.stdin.is_none() {
                    cmd.stdin(Stdio::null());
                }
                // Nothing may write over the screen; the child is reaped when it exits.
                let mut child = cmd
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .map_err(failed)?;
                std::thread::spawn(move || child.wait());
                Ok(format!("Opened part {section} with {}", run.command))
            }
            // Chosen only by the job, which runs it itself.
            Opener::Output(run) => Err(Error::Io(format!("{} was not run", run.command))),
            Opener::Terminal(run) => {
                self.parts.run_in_terminal(run);
                Ok(String::new())
            }
            Opener::Unavailable => {
                let key = self.settings.keymap.keys_for(Action::SavePart);
                let save = key.first().map_or(String::new(), |k| format!("{k} or "));
                Err(Error::Io(format!(
                    "no viewer for {mime_type} without a display; save it with {save}:save {section} PATH"
                )))
            }
        }
    }

    /// Parses the `/` line; sends the search, or puts the line back with the error under it.
    pub(crate) fn submit_search(&mut self, line: Prompt) -> Vec<Cmd> {
        let text = line.text.clone();
        if text.trim().is_empty() {
            self.clear_search();
            return Vec::new();
        }
        let query = match parse_line(line) {
            Ok(q) => q,
            Err(line) => {
                self.overlays.set_line(line);
                return Vec::new();
            }
        };
        let Some(folder) = self.mailbox().map(|m| m.folder.clone()) else {
            return Vec::new();
        };
        self.overlays.remember(&LineKind::Search, &text);
        let (req, cmd) = self.requests.search(folder, query);
        let text = text.trim().to_string();
        self.keep_selection(&[], |app| app.search.start(text, req));
        vec![cmd]
    }

    /// Asks the server again for the active search (e.g. an undone move brought messages
    /// back); the current hits stay listed until the answer comes.
    pub(crate) fn rerun_search(&mut self) -> Vec<Cmd> {
        let (Some(query), Some(folder)) = (
            self.search.again(),
            self.mailbox().map(|m| m.folder.clone()),
        ) else {
            return Vec::new();
        };
        let (req, cmd) = self.requests.search(folder, query);
        self.search.asked_again(req);
        vec![cmd]
    }

    pub(crate) fn clear_search(&mut self) {
        self.keep_selection(&[], |app| app.search.end());
    }

    /// Moves to the next (or previous) hit, wrapping, and shows it if a message is open.
    pub(crate) fn jump_hit(&mut self, forward: bool) -> Vec<Cmd> {
        if self.search.active().is_none() {
            self.status.say("No search; / starts one");
            return Vec::new();
        }
        if self.rows().is_empty() {
            return Vec::new();
        }
        self.with_rows(|list, rows| list.cycle(rows, forward));
        if self.reader.is_open() {
            let focus = self.focus;
            let cmds = self.open_message();
            self.focus = focus;
            return cmds;
        }
        Vec::new()
    }

    pub(crate) fn open_filter(&mut self) {
        if self.mailbox().is_none() {
            return;
        }
        let text = self.filter.open(self.list.selected_uid());
        self.filter_typed(&text);
        self.overlays.open_line(LineKind::Filter, text);
    }

    /// The filter line changed: narrow the list at once.
    pub(crate) fn filter_typed(&mut self, text: &str) {
        let Some(mb) = self.model.mailbox.as_ref() else {
            return;
        };
        if let Some(want) = self.filter.typed(mb, text, self.list.selected_uid()) {
            self.with_rows(|list, rows| list.select_or_first(rows, want));
        }
    }

    /// Enter: keep the filter (an empty one is no filter) and go back to the list.
    pub(crate) fn submit_filter(&mut self, text: &str) {
        if text.is_empty() {
            self.clear_filter();
        } else {
            self.filter.keep();
        }
    }

    /// Esc: the whole list again; the cursor goes back to the message it was on when the
    /// line opened, or (after Enter) stays where it is.
    pub(crate) fn clear_filter(&mut self) {
        if let Some(want) = self.filter.clear(self.list.selected_uid()) {
            self.with_rows(|list, rows| list.select_or_first(rows, want));
        }
    }

    /// `sort`: the sort picker, on the open folder's order.
    pub(crate) fn pick_sort(&mut self) {
        if let Some(order) = self.mailbox().map(|m| m.wanted_order()) {
            self.overlays.set_sort_picker(SortPicker::new(order));
        }
    }

    /// A key while the sort picker is open.
    pub(crate) fn sort_picker_key(&mut self, key: &KeyEvent) -> Vec<Cmd> {
        let Some(mut p) = self.overlays.take_sort_picker() else {
            return Vec::new();
        };
        match p.key(key) {
            SortPick::Choosing => self.overlays.set_sort_picker(p),
            SortPick::Cancel => {}
            SortPick::Chosen(order) => return self.sort(order),
        }
        Vec::new()
    }

    /// `:sort`: the open folder in `order`, sorted on another thread ([`App::take_jobs`]);
    /// when it lands the cursor stays on its message, and the next frame scrolls it into
    /// view. A sort asked for while one runs replaces it.
    pub(crate) fn sort(&mut self, order: SortOrder) -> Vec<Cmd> {
        if self.mailbox().is_none() {
            self.status.complain("No folder open to sort");
            return Vec::new();
        }
        self.sort_job = self.model.start_sort(order);
        self.status.say(format!("Sorting by {order}…"));
        self.remember_view()
    }

    /// Asks the worker to keep how the open folder is listed, for the next start.
    pub(crate) fn remember_view(&self) -> Vec<Cmd> {
        let (Some(mb), Some(view)) = (self.mailbox(), self.model.view()) else {
            return Vec::new();
        };
        vec![Cmd::RememberView {
            folder: mb.folder.clone(),
            view: view.to_string(),
        }]
    }

    /// The folder under the folder cursor, or a notice that there is none.
    fn cursor_folder(&mut self) -> Option<FolderInfo> {
        let info = self
            .folders
            .cursor_folder(self.accounts.open(), &self.model.folders)
            .cloned();
        if info.is_none() {
            self.status
                .complain("Put the folder cursor on a folder first");
        }
        info
    }

    pub(crate) fn ask_rename_folder(&mut self) {
        if let Some(f) = self.cursor_folder() {
            let text = f.folder.name().to_string();
            let kind = LineKind::RenameFolder {
                from: Box::new(f.folder),
            };
            self.overlays.open_line(kind, text);
        }
    }

    pub(crate) fn ask_delete_folder(&mut self) {
        let Some(f) = self.cursor_folder() else {
            return;
        };
        let holds = match f.status {
            Some(s) => format!(" and the {} it holds", count(s.messages as usize)),
            None => String::new(),
        };
        self.overlays.ask(Confirm {
            question: format!("Delete folder {}{holds}? y/N", f.folder),
            then: Deferred::DeleteFolder(f.folder),
        });
    }

    pub(crate) fn toggle_subscribed(&mut self) -> Vec<Cmd> {
        let op = match self.cursor_folder() {
            Some(f) if f.subscribed => FolderOp::Unsubscribe(f.folder),
            Some(f) => FolderOp::Subscribe(f.folder),
            None => return Vec::new(),
        };
        vec![self.requests.manage(op)]
    }

    /// `:rename-folder NAME`: the folder under the folder cursor becomes NAME.
    pub(crate) fn rename_folder_to(&mut self, name: String) -> Vec<Cmd> {
        match self.cursor_folder() {
            Some(f) => self.submit_folder_name(
                LineKind::RenameFolder {
                    from: Box::new(f.folder),
                },
                name,
            ),
            None => Vec::new(),
        }
    }

    /// A submitted folder name line.
    pub(crate) fn submit_folder_name(&mut self, kind: LineKind, name: String) -> Vec<Cmd> {
        let op = match kind {
            LineKind::CreateFolder => FolderOp::Create(Folder::named(&name)),
            LineKind::RenameFolder { from } if from.name() != name => FolderOp::Rename {
                from: *from,
                to: Folder::named(&name),
            },
            _ => return Vec::new(),
        };
        vec![self.requests.manage(op)]
    }
}
