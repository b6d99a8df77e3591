//! New mail in the open folder: "N new messages" in the status bar and, for the folders the
//! config names, a terminal bell and a desktop notification command.
//!
//! The command never goes through a shell: its words come from the config, and the mail text
//! (sanitised, shortened, never starting with `-`) is passed as separate arguments. It runs
//! once the newest message's summary is in, so it can name the sender and subject.

use std::process::{Command, Stdio};

use crate::config::Config;
use crate::mime::sanitize::{sanitize_line, truncate_width};
use crate::model::Mailbox;
use crate::msg::{Folder, Uid};

/// Runs a notification command (program and arguments); replaced in tests so nothing runs.
pub type Notifier = Box<dyn Fn(&[String]) -> std::io::Result<()>>;

/// Longest sender-and-subject argument, in columns.
const BODY_W: usize = 200;

/// What the config says about new mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyPolicy {
    /// Folders whose new mail rings and runs `command` (decoded names; INBOX in any case).
    pub folders: Vec<String>,
    pub bell: bool,
    /// Program and leading arguments, split on whitespace.
    pub command: Option<Vec<String>>,
}

impl Default for NotifyPolicy {
    fn default() -> Self {
        NotifyPolicy {
            folders: vec!["INBOX".into()],
            bell: false,
            command: None,
        }
    }
}

impl NotifyPolicy {
    pub fn new(config: &Config) -> NotifyPolicy {
        let command = config
            .notify_command
            .as_deref()
            .map(|c| c.split_whitespace().map(String::from).collect::<Vec<_>>())
            .filter(|words| !words.is_empty());
        NotifyPolicy {
            folders: config.notify_folders.clone(),
            bell: config.notify_bell,
            command,
        }
    }

    fn watches(&self, folder: &str) -> bool {
        self.folders.iter().any(|f| {
            f == folder || (f.eq_ignore_ascii_case("INBOX") && folder.eq_ignore_ascii_case("INBOX"))
        })
    }
}

/// New mail waiting for its newest summary before the command runs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Waiting {
    folder: Folder,
    newest: Uid,
    count: usize,
}

/// The new-mail sub-state: the config's wishes, the command runner, and what waits for it.
pub struct NewMail {
    policy: NotifyPolicy,
    /// Runs the notification command; replaced in tests so nothing is spawned.
    notifier: Notifier,
    waiting: Option<Waiting>,
    /// The terminal bell should ring after the next draw.
    bell: bool,
}

impl Default for NewMail {
    fn default() -> Self {
        NewMail {
            policy: NotifyPolicy::default(),
            notifier: Box::new(spawn_detached),
            waiting: None,
            bell: false,
        }
    }
}

impl NewMail {
    pub(crate) fn set_policy(&mut self, policy: NotifyPolicy) {
        self.policy = policy;
    }

    pub(crate) fn set_notifier(&mut self, notifier: Notifier) {
        self.notifier = notifier;
    }

    /// Another folder was opened: what waited for the last one is dropped.
    pub(crate) fn forget(&mut self) {
        self.waiting = None;
    }

    /// `fresh` messages, the newest `newest`, arrived in the open `folder` (shown as `mb`).
    /// Rings if the folder is watched and runs the command once the newest summary is in.
    pub(crate) fn arrived(
        &mut self,
        mb: Option<&Mailbox>,
        folder: &Folder,
        fresh: usize,
        newest: Option<Uid>,
    ) -> Result<(), String> {
        if !self.policy.watches(folder.name()) {
            return Ok(());
        }
        self.bell |= self.policy.bell;
        let (Some(_), Some(newest)) = (&self.policy.command, newest) else {
            return Ok(());
        };
        let count = fresh + self.waiting.take().map_or(0, |w| w.count);
        self.waiting = Some(Waiting {
            folder: folder.clone(),
            newest,
            count,
        });
        self.notify_if_ready(mb)
    }

    /// Runs the notification command once the newest arrival's summary is in `mb`.
    pub(crate) fn notify_if_ready(&mut self, mb: Option<&Mailbox>) -> Result<(), String> {
        let (Some(w), Some(mb), Some(command)) = (&self.waiting, mb, &self.policy.command) else {
            return Ok(());
        };
        if mb.folder != w.folder {
            self.waiting = None;
            return Ok(());
        }
        let Some(s) = mb.summaries.get(&w.newest) else {
            return Ok(());
        };
        let title = match w.count {
            1 => format!("1 new message in {}", sanitize_line(w.folder.name())),
            n => format!("{n} new messages in {}", sanitize_line(w.folder.name())),
        };
        let body = format!(
            "From {}: {}",
            sanitize_line(s.from),
            sanitize_line(s.subject)
        );
        let mut argv = command.clone();
        argv.extend([title, truncate_width(&body, BODY_W)]);
        self.waiting = None;
        (self.notifier)(&argv).map_err(|e| format!("Could not run notify_command: {e}"))
    }

    /// Whether the bell should ring now; asking resets it.
    pub(crate) fn take_bell(&mut self) -> bool {
        std::mem::take(&mut self.bell)
    }
}

/// "1 new message", "3 new messages".
pub(crate) fn new_messages(n: usize) -> String {
    match n {
        1 => "1 new message".to_string(),
        n => format!("{n} new messages"),
    }
}

/// Starts `argv` with no terminal attached and does not wait for it; a thread reaps it.
pub fn spawn_detached(argv: &[String]) -> std::io::Result<()> {
    let Some((program, args)) = argv.split_first() else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the command is empty",
        ));
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    std::thread::Builder::new()
        .name("notify".into())
        .spawn(move || {
            let _ = child.wait();
        })?;
    Ok(())
}
