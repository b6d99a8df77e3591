//! Saving and opening parts of the open message: fetch the part if it is not here yet, then
//! write it with `tern save`'s rules (or hand a temporary copy to the system viewer).

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::mime::Section;
use crate::msg::{Cmd, Uid};
use crate::save;
use crate::ui::app::{App, Pending, Purpose};

impl App {
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
        if sections.is_empty() && self.reader.is_some() {
            self.say("This message has no attachments");
        }
        let total = sections.len();
        let cmds: Vec<Cmd> = sections
            .into_iter()
            .flat_map(|s| self.with_part(s, Purpose::Save(None)))
            .collect();
        if !cmds.is_empty() {
            self.say(format!("Saving {total} attachments…"));
        }
        cmds
    }

    /// `:save SECTION [PATH]`.
    pub(crate) fn save_section(&mut self, section: Section, output: Option<PathBuf>) -> Vec<Cmd> {
        self.with_part(section, Purpose::Save(output))
    }

    /// The part under the parts cursor, when the part list is showing.
    fn cursor_section(&mut self) -> Option<Section> {
        self.reader.as_ref()?;
        let section = self
            .parts()
            .get(self.parts_cursor)
            .map(|p| p.section.clone());
        if section.is_none() {
            self.complain("The message's parts are still loading");
        }
        section
    }

    /// Does `purpose` with `section` of the open message now, or fetches it first.
    fn with_part(&mut self, section: Section, purpose: Purpose) -> Vec<Cmd> {
        let Some(r) = self.reader.as_ref() else {
            self.complain("Open a message first");
            return Vec::new();
        };
        let (uid, folder) = (r.uid, r.folder.clone());
        let Some(message) = self.message() else {
            self.complain("The message is still loading");
            return Vec::new();
        };
        let Some(root) = message.root.as_ref() else {
            self.complain("The message is still loading");
            return Vec::new();
        };
        if root.find(&section).is_none() {
            self.complain(format!("This message has no part {section}"));
            return Vec::new();
        }
        if message.parts.contains_key(&section) {
            self.finish(uid, &section, purpose);
            return Vec::new();
        }
        let p = Pending::Part {
            uid,
            section: section.clone(),
            purpose,
        };
        if self.is_pending(&p) {
            return Vec::new();
        }
        let req = self.req(p);
        vec![Cmd::FetchPart {
            req,
            folder,
            uid,
            section,
        }]
    }

    /// A fetched part arrived; finish whatever it was fetched for.
    pub(crate) fn part_arrived(&mut self, uid: Uid, section: &Section, purpose: Purpose) {
        if purpose != Purpose::Display {
            self.finish(uid, section, purpose);
        }
    }

    fn finish(&mut self, uid: Uid, section: &Section, purpose: Purpose) {
        let Some((bytes, name)) = self.part_bytes(uid, section) else {
            self.complain(format!("Part {section} is no longer available"));
            return;
        };
        match purpose {
            Purpose::Display => {}
            Purpose::Save(output) => {
                match save::write_new(output.as_deref(), &self.download_dir, &name, &bytes) {
                    Ok(path) => self.say(format!("Saved part {section} to {}", path.display())),
                    Err(e) => self.complain(format!("Could not save part {section}: {e}")),
                }
            }
            Purpose::Open => match self.open_copy(&name, &bytes) {
                Ok(()) => self.say(format!("Opened part {section} with the system viewer")),
                Err(e) => self.complain(format!("Could not open part {section}: {e}")),
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

    fn open_copy(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let dir = viewer_dir()?;
        let path = save::write_new(None, &dir, name, bytes)?;
        (self.launcher)(path.as_os_str())
            .map_err(|e| Error::Io(format!("no viewer for {}: {e}", path.display())))
    }
}

/// A private directory for parts handed to the system viewer: the viewer runs detached and
/// may read the file after tern has moved on, so the files stay until the OS cleans the
/// temporary directory.
fn viewer_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("tern-{}", std::process::id()));
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(&dir)
        .map_err(|e| Error::Io(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
}
