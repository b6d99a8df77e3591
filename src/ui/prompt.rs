//! The `:` command line: editing, history, and parsing what was typed into a [`Command`].

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::config::expand_home;
use crate::mime::Section;
use crate::model::sort::SortOrder;
use crate::msg::Folder;
use crate::ui::action::Action;
use crate::ui::cmdline;
use crate::ui::completion::Completion;

/// Commands the line accepts, with the one-line help the overlay shows.
pub const COMMANDS: &[(&str, &str)] = &[
    (
        ":open N",
        "Open link N of the message with the system's opener",
    ),
    (
        ":save SECTION [PATH]",
        "Save part SECTION (e.g. 4.2.1) to the download folder, or to PATH (a new file or a folder)",
    ),
    (
        ":folder NAME",
        "Open the folder NAME (any case; a prefix that names one folder is enough)",
    ),
    (
        ":sort KEY [reverse] [unread] [flagged]",
        "Sort the list by date, arrival, from, to, subject or size; unread/flagged first",
    ),
    (":help", "Show this help"),
    (":quit", "Quit tern"),
    (
        ":ACTION",
        "Run any action above by its name, e.g. :reply or :compose; a prefix that names one is enough",
    ),
    (
        ":move FOLDER, :copy FOLDER",
        "Move or copy to FOLDER without the picker, e.g. :move Work/Projects; another account's as :move work: INBOX",
    ),
    (
        ":tag-pattern TEXT, :search QUERY, :filter TEXT",
        "Tag, search or filter by what follows instead of asking for it",
    ),
    (
        ":create-folder NAME, :rename-folder NAME",
        "Create NAME, or rename the folder under the folder cursor to NAME",
    ),
    (
        "Tab on the : line",
        "Completes command names, then folder names after :folder, :move and :copy (other accounts' too after :move and :copy)",
    ),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    OpenLink(usize),
    Save {
        section: Section,
        output: Option<PathBuf>,
    },
    Folder(String),
    /// `:account NAME`: open another account.
    Account(String),
    Sort(SortOrder),
    Help,
    Quit,
    /// An action by its keymap name.
    Run(Action),
    /// An action given what it would otherwise ask for: `:move Work`, `:tag-pattern invoice`.
    RunWith(Action, String),
}

/// Actions that ask for a line or a folder, and so take it after their name instead.
const TAKES_TEXT: &[Action] = &[
    Action::Move,
    Action::Copy,
    Action::TagPattern,
    Action::Search,
    Action::Filter,
    Action::CreateFolder,
    Action::RenameFolder,
];

/// What the line being edited is for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum LineKind {
    /// `:` commands.
    #[default]
    Command,
    /// `/` search queries.
    Search,
    /// The local filter, applied as it is typed.
    Filter,
    /// Text to tag matching messages by.
    TagPattern,
    CreateFolder,
    /// Boxed: the line is passed around by value, and most lines rename nothing.
    RenameFolder {
        from: Box<Folder>,
    },
    /// The password again, after the server refused it; drawn masked, never remembered.
    Password,
}

impl LineKind {
    /// What the line starts with on screen.
    pub fn label(&self) -> &'static str {
        match self {
            LineKind::Command => ":",
            LineKind::Search => "/",
            LineKind::Filter => "Filter: ",
            LineKind::TagPattern => "Tag messages matching: ",
            LineKind::CreateFolder => "New folder: ",
            LineKind::RenameFolder { .. } => "Rename to: ",
            LineKind::Password => "Login refused; password (Esc: stay offline): ",
        }
    }

    /// What is typed on the line as it is shown: a password only as stars.
    pub fn shown(&self, text: &str) -> String {
        match self {
            LineKind::Password => "*".repeat(text.chars().count()),
            _ => crate::mime::sanitize::sanitize_line(text),
        }
    }
}

/// Why the submitted line was refused, with the 1-based column (in characters) to point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub column: usize,
    pub message: String,
}

/// The line being edited; `recall` is the history entry shown, counted from the newest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prompt {
    pub kind: LineKind,
    pub text: String,
    /// Shown under the line until the next key.
    pub error: Option<LineError>,
    recall: Option<usize>,
    completion: Box<Completion>,
}

/// What a key did to the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    Editing,
    Cancel,
    Submit(String),
}

impl Prompt {
    pub fn new(kind: LineKind, text: String) -> Prompt {
        Prompt {
            kind,
            text,
            ..Prompt::default()
        }
    }

    /// Tab: the next of what `find` offers for the text typed before the first Tab.
    pub fn complete(&mut self, find: impl FnOnce(&str) -> Vec<String>) {
        if let Some(text) = self.completion.next(&self.text, find) {
            self.text = text;
        }
    }

    pub fn key(&mut self, key: &KeyEvent, history: &[String]) -> Edit {
        self.error = None;
        self.completion.reset();
        match key.code {
            KeyCode::Esc => Edit::Cancel,
            // A password may begin or end with a space.
            KeyCode::Enter if self.kind == LineKind::Password => Edit::Submit(self.text.clone()),
            KeyCode::Enter => Edit::Submit(self.text.trim().to_string()),
            KeyCode::Backspace if self.text.is_empty() => Edit::Cancel,
            KeyCode::Backspace => {
                self.text.pop();
                Edit::Editing
            }
            KeyCode::Up => {
                let next = self.recall.map_or(0, |i| i + 1);
                if let Some(entry) = history.iter().rev().nth(next) {
                    self.text = entry.clone();
                    self.recall = Some(next);
                }
                Edit::Editing
            }
            KeyCode::Down => {
                match self.recall {
                    Some(0) | None => {
                        self.recall = None;
                        self.text.clear();
                    }
                    Some(i) => {
                        self.recall = Some(i - 1);
                        self.text = history.iter().rev().nth(i - 1).cloned().unwrap_or_default();
                    }
                }
                Edit::Editing
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.text.clear();
                Edit::Editing
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.text.push(c);
                Edit::Editing
            }
            _ => Edit::Editing,
        }
    }
}

/// Parses a command line (without the `:`); the error is a sentence for the status bar.
pub fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim();
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    if word.is_empty() {
        return Err(String::new());
    }
    let name = cmdline::resolve(word)?;
    match name.as_str() {
        // Without a number, `open` is the action.
        "open" if rest.is_empty() => Ok(Command::Run(Action::Open)),
        "open" => rest
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .map(Command::OpenLink)
            .ok_or_else(|| "usage: :open N, where N is a link number".to_string()),
        "save" => {
            let (section, path) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            if section.is_empty() {
                return Err("usage: :save SECTION [PATH], e.g. :save 4.2.1".into());
            }
            let section = section.parse::<Section>().map_err(|e| e.to_string())?;
            let path = path.trim();
            if path == "-" {
                return Err("the TUI cannot save to standard output; give a file or folder".into());
            }
            Ok(Command::Save {
                section,
                output: (!path.is_empty()).then(|| expand_home(path)),
            })
        }
        "folder" if !rest.is_empty() => Ok(Command::Folder(rest.to_string())),
        "folder" => Err("usage: :folder NAME".into()),
        "account" if !rest.is_empty() => Ok(Command::Account(rest.to_string())),
        "account" => Err("usage: :account NAME".into()),
        "sort" => rest.parse().map(Command::Sort),
        "help" if rest.is_empty() => Ok(Command::Help),
        "quit" if rest.is_empty() => Ok(Command::Quit),
        other => match cmdline::action(other) {
            Some(action) if rest.is_empty() => Ok(Command::Run(action)),
            Some(action) if TAKES_TEXT.contains(&action) => {
                Ok(Command::RunWith(action, rest.to_string()))
            }
            _ => Err(format!(":{other} takes nothing after it")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands() {
        assert_eq!(parse("open 3"), Ok(Command::OpenLink(3)));
        assert_eq!(
            parse("save 4.2.1 /tmp/x y.bin"),
            Ok(Command::Save {
                section: "4.2.1".parse().unwrap(),
                output: Some(PathBuf::from("/tmp/x y.bin"))
            })
        );
        assert_eq!(
            parse(" save 2 "),
            Ok(Command::Save {
                section: "2".parse().unwrap(),
                output: None
            })
        );
        assert_eq!(
            parse("folder 其他文件夹/QQ邮件"),
            Ok(Command::Folder("其他文件夹/QQ邮件".into()))
        );
        assert_eq!(parse("account work"), Ok(Command::Account("work".into())));
        assert!(parse("account").is_err());
        assert!(parse("open x").is_err());
        assert!(parse("save").is_err());
        assert!(parse("save 1.x").is_err());
        assert!(parse("save 1 -").is_err());
        assert!(parse("frobnicate").unwrap_err().contains("frobnicate"));
        assert_eq!(parse("open"), Ok(Command::Run(Action::Open)));
        assert_eq!(parse("ARCH"), Ok(Command::Run(Action::Archive)));
        assert_eq!(
            parse("move Work/Projects"),
            Ok(Command::RunWith(Action::Move, "Work/Projects".into()))
        );
        assert_eq!(
            parse("tag-pattern invoice 2024"),
            Ok(Command::RunWith(Action::TagPattern, "invoice 2024".into()))
        );
        assert!(parse("archive now").unwrap_err().contains("takes nothing"));
        assert_eq!(
            parse("sort size reverse"),
            Ok(Command::Sort("reverse size".parse().unwrap()))
        );
        assert!(parse("sort").unwrap_err().contains("subject"));
    }

    #[test]
    fn history_walks_back_and_forth() {
        let history = vec!["open 1".to_string(), "save 2".to_string()];
        let mut p = Prompt::default();
        let up = KeyEvent::new(KeyCode::Up, KeyModifiers::NONE);
        let down = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
        p.key(&up, &history);
        assert_eq!(p.text, "save 2");
        p.key(&up, &history);
        assert_eq!(p.text, "open 1");
        p.key(&up, &history);
        assert_eq!(p.text, "open 1");
        p.key(&down, &history);
        assert_eq!(p.text, "save 2");
        p.key(&down, &history);
        assert_eq!(p.text, "");
    }
}
