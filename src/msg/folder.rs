//! Folders as the server names them, their roles, and what LIST and STATUS tell of them.

use crate::utf7;

/// Folder roles from RFC 6154 SPECIAL-USE (or guessed from common names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SpecialUse {
    Inbox,
    Drafts,
    Sent,
    Archive,
    Junk,
    Trash,
}

impl SpecialUse {
    /// The RFC 6154 attribute that marks a folder with this role (INBOX has none: it is
    /// named).
    pub const fn attribute(self) -> Option<&'static str> {
        match self {
            SpecialUse::Inbox => None,
            SpecialUse::Drafts => Some("\\Drafts"),
            SpecialUse::Sent => Some("\\Sent"),
            SpecialUse::Archive => Some("\\Archive"),
            SpecialUse::Junk => Some("\\Junk"),
            SpecialUse::Trash => Some("\\Trash"),
        }
    }
}

/// A folder as the server names it: its own spelling (modified UTF-7, what commands send), the
/// decoded name people read, and its hierarchy delimiter. Two values are the same folder when
/// the server's spelling is, whether or not one was learnt with its delimiter.
#[derive(Debug, Clone)]
pub struct Folder {
    name: String,
    raw: String,
    delimiter: Option<char>,
}

impl Folder {
    /// A folder as LIST reported it.
    pub fn from_server(raw: String, delimiter: Option<char>) -> Folder {
        Folder {
            name: utf7::decode(&raw),
            raw,
            delimiter,
        }
    }

    /// A folder named by a person (command line, config, a name typed for a new folder):
    /// its server spelling is the name's encoding; the delimiter is not known.
    pub fn named(name: &str) -> Folder {
        Folder {
            name: name.to_string(),
            raw: utf7::encode(name),
            delimiter: None,
        }
    }

    /// Decoded full path, with the server's delimiter (`其他文件夹/QQ邮件`, `INBOX.Drafts`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name exactly as the server spells it, for commands.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    pub fn delimiter(&self) -> Option<char> {
        self.delimiter
    }
}

impl PartialEq for Folder {
    fn eq(&self, other: &Folder) -> bool {
        self.raw == other.raw
    }
}

impl Eq for Folder {}

impl std::hash::Hash for Folder {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.raw.hash(state);
    }
}

impl std::fmt::Display for Folder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderInfo {
    pub folder: Folder,
    /// Attributes as the server sent them, e.g. `\HasChildren`, `\Noselect`, `\Sent`.
    pub attributes: Vec<String>,
    pub special: Option<SpecialUse>,
    pub selectable: bool,
    pub subscribed: bool,
    pub status: Option<FolderStatus>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FolderStatus {
    pub messages: u32,
    pub unseen: u32,
    pub uid_next: u32,
    pub uid_validity: u32,
}
