//! Which program opens a part: a mailcap rule for its type, else the desktop's opener when
//! there is a display, else the pager for text; anything else says how to save it.

use std::path::{Path, PathBuf};

use crate::mailcap::{self, Entry};

/// What tern knows of the user's viewers, read once at start.
#[derive(Debug, Clone, Default)]
pub struct Viewers {
    pub mailcap: Vec<Entry>,
    /// A graphical session (`DISPLAY` or `WAYLAND_DISPLAY`, or macOS) where the desktop's
    /// opener can show a window.
    pub display: bool,
    /// `$PAGER`, else `less`.
    pub pager: String,
}

impl Viewers {
    pub fn from_env() -> Viewers {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
        let path = mailcap::search_path(var("MAILCAPS").as_deref(), home.as_deref());
        Viewers {
            mailcap: mailcap::load(&path),
            display: cfg!(target_os = "macos")
                || var("DISPLAY").is_some()
                || var("WAYLAND_DISPLAY").is_some(),
            pager: var("PAGER").unwrap_or_else(|| "less".into()),
        }
    }

    /// How to open `file`, a part of `mime_type`; `passes` runs a mailcap `test=` command.
    pub fn choose(&self, mime_type: &str, file: &Path, passes: impl FnMut(&str) -> bool) -> Opener {
        if let Some(e) = mailcap::find(&self.mailcap, mime_type, passes) {
            let (command, named) = mailcap::expand(&e.command, file, mime_type);
            let run = Run {
                command,
                stdin: (!named).then(|| file.to_path_buf()),
            };
            return if e.copious_output {
                Opener::Output(run)
            } else if e.needs_terminal {
                Opener::Terminal(run)
            } else {
                Opener::Detached(run)
            };
        }
        if self.display {
            return Opener::System;
        }
        if mime_type.starts_with("text/") {
            let (command, _) = mailcap::expand(&format!("{} %s", self.pager), file, mime_type);
            return Opener::Terminal(Run {
                command,
                stdin: None,
            });
        }
        Opener::Unavailable
    }
}

/// A shell command, given the file on standard input when it does not name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub command: String,
    pub stdin: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opener {
    /// Runs on its own, e.g. an image viewer in a window.
    Detached(Run),
    /// Takes the terminal: tern steps aside until it exits.
    Terminal(Run),
    /// Prints text that the reader shows.
    Output(Run),
    /// The desktop's opener (xdg-open, open).
    System,
    /// No display and no rule: only saving helps.
    Unavailable,
}

impl Run {
    /// `sh -c` the command, with the file on standard input if it does not name it.
    pub fn command(&self) -> std::io::Result<std::process::Command> {
        let mut cmd = std::process::Command::new("sh");
        cmd.arg("-c").arg(&self.command);
        if let Some(file) = &self.stdin {
            cmd.stdin(std::fs::File::open(file)?);
        }
        Ok(cmd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewers(rules: &str, display: bool) -> Viewers {
        Viewers {
            mailcap: mailcap::parse(rules),
            display,
            pager: "less -R".into(),
        }
    }

    #[test]
    fn mailcap_first_then_the_desktop_then_the_pager() {
        let file = Path::new("/tmp/t/a.pdf");
        let v = viewers(
            "application/pdf; pdftotext %s -; copiousoutput\nimage/*; chafa %s; needsterminal\n\
             text/html; lynx -dump; copiousoutput\nvideo/*; mpv %s\n",
            false,
        );
        let run = |command: &str, stdin: Option<&str>| Run {
            command: command.into(),
            stdin: stdin.map(PathBuf::from),
        };
        assert_eq!(
            v.choose("application/pdf", file, |_| true),
            Opener::Output(run("pdftotext '/tmp/t/a.pdf' -", None))
        );
        assert_eq!(
            v.choose("image/png", file, |_| true),
            Opener::Terminal(run("chafa '/tmp/t/a.pdf'", None))
        );
        assert_eq!(
            v.choose("text/html", file, |_| true),
            Opener::Output(run("lynx -dump", Some("/tmp/t/a.pdf")))
        );
        assert_eq!(
            v.choose("video/mp4", file, |_| true),
            Opener::Detached(run("mpv '/tmp/t/a.pdf'", None))
        );
        // Over SSH: text goes to the pager, the rest cannot be shown.
        assert_eq!(
            v.choose("text/plain", file, |_| true),
            Opener::Terminal(run("less -R '/tmp/t/a.pdf'", None))
        );
        assert_eq!(
            v.choose("application/zip", file, |_| true),
            Opener::Unavailable
        );
        let desktop = viewers("", true);
        assert_eq!(
            desktop.choose("application/zip", file, |_| true),
            Opener::System
        );
    }
}
