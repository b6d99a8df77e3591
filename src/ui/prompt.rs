//! The `:` command line: editing, history, and parsing what was typed into a [`Command`].

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::mime::Section;
use crate::msg::Folder;
use crate::ui::action::Action;

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
    (":folder NAME", "Open the folder NAME"),
    (":help", "Show this help"),
    (":quit", "Quit tern"),
    (
        ":ACTION",
        "Run any action above by its name, e.g. :reply or :compose",
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
    Help,
    Quit,
    /// An action by its keymap name.
    Run(Action),
}

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

    pub fn key(&mut self, key: &KeyEvent, history: &[String]) -> Edit {
        self.error = None;
        match key.code {
            KeyCode::Esc => Edit::Cancel,
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
    match word {
        "open" | "o" => rest
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .map(Command::OpenLink)
            .ok_or_else(|| "usage: :open N, where N is a link number".to_string()),
        "save" | "w" => {
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
        "folder" | "f" | "cd" if !rest.is_empty() => Ok(Command::Folder(rest.to_string())),
        "folder" | "f" | "cd" => Err("usage: :folder NAME".into()),
        "help" | "h" => Ok(Command::Help),
        "quit" | "q" => Ok(Command::Quit),
        "" => Err(String::new()),
        other => match Action::from_name(other) {
            Some(action) if rest.is_empty() => Ok(Command::Run(action)),
            _ => Err(format!("unknown command \"{other}\"; press ? for the list")),
        },
    }
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), directories::BaseDirs::new()) {
        (Some(rest), Some(dirs)) => dirs.home_dir().join(rest),
        _ => PathBuf::from(path),
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
        assert!(parse("open x").is_err());
        assert!(parse("save").is_err());
        assert!(parse("save 1.x").is_err());
        assert!(parse("save 1 -").is_err());
        assert!(parse("frobnicate").unwrap_err().contains("frobnicate"));
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
