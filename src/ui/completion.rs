//! Tab completion on the composer's lines: file paths for `attach`, addresses for To. The
//! first Tab finds the candidates for what was typed; each further Tab shows the next one.

use std::path::PathBuf;

use crate::compose::people::{self, People};
use crate::config::expand_home;

/// Candidates shown at most, and asked of the address sources.
const MAX_CANDIDATES: usize = 50;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completion {
    candidates: Vec<String>,
    /// The candidate on the line now.
    at: Option<usize>,
}

impl Completion {
    /// Tab: the line's next text, or None when nothing matches `text`. `find` is asked only
    /// on the first Tab.
    pub fn next(&mut self, text: &str, find: impl FnOnce(&str) -> Vec<String>) -> Option<String> {
        let at = match self.at {
            Some(i) => (i + 1) % self.candidates.len().max(1),
            None => {
                self.candidates = find(text);
                self.candidates.truncate(MAX_CANDIDATES);
                0
            }
        };
        let next = self.candidates.get(at)?.clone();
        self.at = Some(at);
        Some(next)
    }

    /// Any key but Tab: the next Tab starts from the new text.
    pub fn reset(&mut self) {
        *self = Completion::default();
    }

    /// The choices of the last Tab, when there was more than one.
    pub fn choices(&self) -> &[String] {
        if self.candidates.len() > 1 {
            &self.candidates
        } else {
            &[]
        }
    }
}

/// Paths that start with `typed`, directories ending in `/`, sorted; `~/` stands for home.
/// Hidden files only when the typed name starts with a dot.
pub fn paths(typed: &str) -> Vec<String> {
    let (dir_part, prefix) = match typed.rfind('/') {
        Some(i) => typed.split_at(i + 1),
        None => ("", typed),
    };
    let dir = match dir_part {
        "" => PathBuf::from("."),
        d => expand_home(d),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let slash = if e.path().is_dir() { "/" } else { "" };
            Some(format!("{dir_part}{name}{slash}"))
        })
        .collect();
    out.sort();
    out
}

/// The line with its last address (after the last comma) completed: the address book's
/// answers first (`book`, a command), then the people tern has seen.
pub fn addresses(people: &People, book: Option<&str>, typed: &str) -> Vec<String> {
    let (head, last) = match typed.rfind(',') {
        Some(i) => (typed[..=i].to_string() + " ", &typed[i + 1..]),
        None => (String::new(), typed),
    };
    let query = last.trim();
    if query.is_empty() {
        return Vec::new();
    }
    people::complete(people, book, query, MAX_CANDIDATES)
        .into_iter()
        .map(|m| format!("{head}{m}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_cycles_through_matching_paths() {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().to_str().unwrap();
        for f in ["report.pdf", "report.txt", ".hidden"] {
            std::fs::write(tmp.path().join(f), "x").unwrap();
        }
        std::fs::create_dir(tmp.path().join("rep")).unwrap();
        let typed = format!("{base}/rep");
        assert_eq!(
            paths(&typed),
            [
                format!("{base}/rep/"),
                format!("{base}/report.pdf"),
                format!("{base}/report.txt")
            ]
        );
        assert_eq!(paths(&format!("{base}/.h")), [format!("{base}/.hidden")]);
        let mut c = Completion::default();
        let first = c.next(&typed, paths).unwrap();
        assert_eq!(first, format!("{base}/rep/"));
        assert_eq!(c.choices().len(), 3);
        assert_eq!(c.next(&first, paths).unwrap(), format!("{base}/report.pdf"));
        c.reset();
        assert_eq!(c.next("/nonexistent/x", paths), None);
    }
}
