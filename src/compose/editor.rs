//! Running the user's editor on a draft file: `$VISUAL`, else `$EDITOR`, else `vi`. The
//! variable is a shell command (`code --wait`, `vim -c 'set tw=72'`), so it runs through
//! `sh -c` with the file as a separate argument, as git does. Suspending a TUI around this is
//! the caller's job.

use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

use crate::error::{Error, Result};

/// The editor command line to use, from the environment.
pub fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// Whether the editor saved the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edited {
    Saved,
    Unchanged,
}

/// Runs the editor on `file` and waits for it; an editor that fails is an error (the file
/// is kept either way).
pub fn edit(file: &Path) -> Result<Edited> {
    edit_with(&editor_command(), file)
}

pub fn edit_with(editor: &str, file: &Path) -> Result<Edited> {
    let stamp = |p: &Path| -> Option<(SystemTime, Vec<u8>)> {
        let modified = std::fs::metadata(p).and_then(|m| m.modified()).ok()?;
        Some((modified, std::fs::read(p).ok()?))
    };
    let before = stamp(file);
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg("sh")
        .arg(file)
        .status()
        .map_err(|e| Error::Io(format!("cannot run the editor ({editor}): {e}")))?;
    if !status.success() {
        return Err(Error::Io(format!(
            "the editor ({editor}) failed ({status}); the draft is kept at {}",
            file.display()
        )));
    }
    Ok(if stamp(file) == before {
        Edited::Unchanged
    } else {
        Edited::Saved
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_a_shell_command_on_the_file_and_sees_saves() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("it's a draft.txt");
        std::fs::write(&file, "before\n").unwrap();
        assert_eq!(edit_with("true", &file).unwrap(), Edited::Unchanged);
        let script = "f() { echo added >> \"$1\"; }; f";
        assert_eq!(edit_with(script, &file).unwrap(), Edited::Saved);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "before\nadded\n");
        let e = edit_with("false", &file).unwrap_err().to_string();
        assert!(e.contains("the draft is kept"), "{e}");
    }
}
