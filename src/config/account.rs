//! One `[[account]]` table: the server, how to sign in, and the per-account choices, with
//! the file locations derived from its name.

use std::path::PathBuf;

use serde::Deserialize;

use super::{AuthMethod, OAuth2Table, Smtp, default_true, expand_home};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeletePolicy {
    /// Move to the Trash folder; in Trash itself, mark \Deleted.
    #[default]
    Trash,
    /// Mark \Deleted and leave the message where it is until an expunge.
    Flag,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeenPolicy {
    /// Mark a message \Seen when it is opened in the TUI.
    #[default]
    Open,
    /// Never change \Seen by opening; only the read/unread key does.
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// TLS from the first byte (port 993).
    Implicit,
    /// Plain connection upgraded with STARTTLS before login (port 143).
    Starttls,
    /// No encryption at all; only when the user asks for it.
    None,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    #[default]
    Imap,
    /// One folder (INBOX), kept in a local store ([`crate::pop3`]).
    Pop3,
}

/// When a POP3 account downloads whole messages (the list needs only their headers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pop3Download {
    /// A message is downloaded (RETR) when it is first opened.
    #[default]
    Open,
    /// Every message is downloaded in the background after the list is shown.
    All,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub name: String,
    /// "imap" (default) or "pop3".
    #[serde(default)]
    pub protocol: Protocol,
    /// The address; for a provider in [`providers::TABLE`] it is all the server settings
    /// needed. Also the default username and sender.
    #[serde(default)]
    pub email: Option<String>,
    /// Required unless `email` names a known provider (filled in by [`providers::fill`]).
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default = "default_tls")]
    pub tls: TlsMode,
    /// Default: `email`.
    #[serde(default)]
    pub username: String,
    /// "password" (default) or "oauth2" (with an `[account.oauth2]` table).
    #[serde(default)]
    pub auth: AuthMethod,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub password_command: Option<String>,
    #[serde(default)]
    pub password_env: Option<String>,
    #[serde(default)]
    pub accept_invalid_certs: bool,
    #[serde(default = "default_folder")]
    pub default_folder: String,
    /// Overrides the server's \Trash folder (decoded name).
    #[serde(default)]
    pub trash_folder: Option<String>,
    /// Overrides the server's \Archive folder (decoded name).
    #[serde(default)]
    pub archive_folder: Option<String>,
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_secs: u64,
    #[serde(default = "default_read_timeout")]
    pub read_timeout_secs: u64,
    /// Use IMAP IDLE (where advertised) to see new mail at once.
    #[serde(default = "default_true")]
    pub idle: bool,
    /// How often to check the open folder when IDLE is off or unavailable.
    #[serde(default = "default_poll")]
    pub poll_interval_secs: u64,
    /// How often to refresh the counts of all folders (one LIST-STATUS command where the
    /// server has it).
    #[serde(default = "default_status")]
    pub status_interval_secs: u64,
    /// Keep summaries on disk so a folder opens at once and only changes are fetched.
    #[serde(default = "default_true")]
    pub cache: bool,
    /// Where the cache lives (default: `$XDG_CACHE_HOME/tern/<account name>.redb`).
    #[serde(default)]
    pub cache_file: Option<PathBuf>,
    /// Megabytes of message structures and text bodies kept in the cache, least recently
    /// read dropped first; 0 keeps none.
    #[serde(default = "default_body_cache_mb")]
    pub body_cache_mb: u64,
    /// POP3: when whole messages are downloaded.
    #[serde(default)]
    pub pop3_download: Pop3Download,
    /// POP3: keep messages on the server once downloaded (false: removed at the next commit).
    #[serde(default = "default_true")]
    pub leave_on_server: bool,
    /// POP3: remove downloaded messages from the server this many days after downloading.
    #[serde(default)]
    pub delete_after_days: Option<u32>,
    /// POP3: log in with APOP when the greeting offers a timestamp (the password never crosses
    /// the wire, but the server must keep it in the clear).
    #[serde(default)]
    pub pop3_apop: bool,
    /// POP3: where the local copy lives (default `$XDG_DATA_HOME/tern/pop3/<account name>`).
    #[serde(default)]
    pub pop3_store: Option<PathBuf>,
    /// The sender, `Name <user@domain>`; default: the username when it is an address.
    #[serde(default)]
    pub from: Option<String>,
    /// Other addresses of this account (never replied to; the identity of a reply).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// APPEND a copy of what was sent to the Sent folder (off for providers that file it).
    #[serde(default = "default_true")]
    pub save_sent: bool,
    /// Send by running this command instead of SMTP (recipients appended, message on stdin).
    #[serde(default)]
    pub sendmail_command: Option<String>,
    /// Deliver straight into a local LMTP server's socket instead of SMTP.
    #[serde(default)]
    pub lmtp_socket: Option<PathBuf>,
    /// `[account.smtp]`: the submission server.
    #[serde(default)]
    pub smtp: Option<Smtp>,
    /// `[account.oauth2]`: where and how `auth = "oauth2"` signs in.
    #[serde(default)]
    pub oauth2: Option<OAuth2Table>,
}

pub(crate) fn default_tls() -> TlsMode {
    TlsMode::Implicit
}
fn default_folder() -> String {
    "INBOX".into()
}
fn default_connect_timeout() -> u64 {
    10
}
fn default_read_timeout() -> u64 {
    60
}
fn default_poll() -> u64 {
    60
}
fn default_status() -> u64 {
    60
}
fn default_body_cache_mb() -> u64 {
    64
}

impl Account {
    /// The header cache file, or None when the cache is off.
    pub fn cache_path(&self) -> Option<PathBuf> {
        if !self.cache {
            return None;
        }
        self.cache_file
            .as_ref()
            .map(expand_home)
            .or_else(|| default_cache_path(&self.name))
    }

    /// The most bytes of structures and bodies to cache, or None when that is off.
    pub fn body_cache_bytes(&self) -> Option<u64> {
        let bytes = self.body_cache_mb.saturating_mul(1 << 20);
        (self.cache && bytes > 0).then_some(bytes)
    }

    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match (self.protocol, self.tls) {
            (Protocol::Imap, TlsMode::Implicit) => 993,
            (Protocol::Imap, TlsMode::Starttls | TlsMode::None) => 143,
            (Protocol::Pop3, TlsMode::Implicit) => 995,
            (Protocol::Pop3, TlsMode::Starttls | TlsMode::None) => 110,
        })
    }

    /// The POP3 store's directory, or None when there is no data directory.
    pub fn pop3_store_dir(&self) -> Option<PathBuf> {
        self.pop3_store.as_ref().map(expand_home).or_else(|| {
            let dirs = directories::ProjectDirs::from("", "", "tern")?;
            Some(
                dirs.data_dir()
                    .join("pop3")
                    .join(safe_file_name(&self.name)),
            )
        })
    }

    /// Whether a sent message is filed in the server's Sent folder: a POP3 server has no
    /// folders to file it in, whatever `save_sent` says.
    pub fn files_sent_copy(&self) -> bool {
        self.save_sent && !self.is_pop3()
    }

    pub fn is_pop3(&self) -> bool {
        self.protocol == Protocol::Pop3
    }
}

/// An account name as one path component: anything but letters, digits, `-` and `_` is `_`.
pub fn safe_file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The default cache file of an account: `$XDG_CACHE_HOME/tern/<account>.redb`.
fn default_cache_path(account: &str) -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "tern")?;
    Some(
        dirs.cache_dir()
            .join(format!("{}.redb", safe_file_name(account))),
    )
}
