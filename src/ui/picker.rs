//! The folder picker of move and copy: type some letters of a folder's decoded name, in order
//! but not necessarily together (`wk24` finds `Work/2024`), case-insensitively; CJK names
//! match character by character. Folders that cannot hold messages are not offered. With
//! several accounts the other accounts' folders are offered too, as `ACCOUNT: FOLDER`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::msg::{Folder, Uid};
use crate::ui::accounts::{AccountId, Section};

/// A folder the messages can go to, and the account it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dest {
    pub account: AccountId,
    pub folder: Folder,
    /// What is shown and matched: the folder's name, after its account's for another account.
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub query: String,
    /// Index into `matches`.
    pub cursor: usize,
    /// First match shown.
    pub offset: usize,
    /// Matching folders, best first.
    pub matches: Vec<Dest>,
    /// Move (true) or copy.
    pub remove: bool,
    /// Where the messages are, and which: fixed when the picker opened.
    pub folder: Folder,
    pub uids: Vec<Uid>,
    /// Every folder that can be a destination.
    candidates: Vec<Dest>,
    /// The account the messages are in.
    open: AccountId,
}

impl Picker {
    /// For `uids` of `folder` in the `open` account: the folders of every section but that one.
    pub fn new(
        open: AccountId,
        sections: &[Section<'_>],
        folder: Folder,
        uids: Vec<Uid>,
        remove: bool,
    ) -> Picker {
        let candidates: Vec<Dest> = sections
            .iter()
            .flat_map(|s| {
                s.folders()
                    .iter()
                    .filter(|f| f.selectable && (s.account != open || f.folder != folder))
                    .map(|f| Dest {
                        account: s.account,
                        folder: f.folder.clone(),
                        label: if s.account == open {
                            f.folder.name().to_string()
                        } else {
                            format!("{}: {}", s.name, f.folder.name())
                        },
                    })
            })
            .collect();
        let mut p = Picker {
            query: String::new(),
            cursor: 0,
            offset: 0,
            matches: Vec::new(),
            remove,
            folder,
            uids,
            candidates,
            open,
        };
        p.refilter();
        p
    }

    fn refilter(&mut self) {
        let mut scored: Vec<((usize, usize, usize), &Dest)> = self
            .candidates
            .iter()
            .filter_map(|d| score(&self.query, &d.label).map(|s| (s, d)))
            .collect();
        // The open account's folders first, then by how well they match.
        let open = self.open;
        scored.sort_by(|(a, x), (b, y)| {
            (x.account != open, a, &x.label).cmp(&(y.account != open, b, &y.label))
        });
        self.matches = scored.into_iter().map(|(_, n)| n.clone()).collect();
        self.cursor = 0;
        self.offset = 0;
    }
}

/// Where `query`'s characters occur in order in `name`, ignoring case: lower is better —
/// a tighter span, then an earlier start, then a shorter name. None if they do not.
pub fn score(query: &str, name: &str) -> Option<(usize, usize, usize)> {
    let name_chars: Vec<char> = name.chars().flat_map(char::to_lowercase).collect();
    let query: Vec<char> = query.chars().flat_map(char::to_lowercase).collect();
    let Some(first) = query.first() else {
        return Some((0, 0, name_chars.len()));
    };
    // Try every place the first character occurs and keep the tightest span.
    let mut best: Option<(usize, usize, usize)> = None;
    for (start, _) in name_chars.iter().enumerate().filter(|(_, c)| *c == first) {
        let mut at = start;
        let mut ok = true;
        for q in &query[1..] {
            match name_chars[at + 1..].iter().position(|c| c == q) {
                Some(off) => at += 1 + off,
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if !ok {
            break;
        }
        let s = (at - start, start, name_chars.len());
        best = Some(best.map_or(s, |b| b.min(s)));
    }
    best
}

/// What a key did in the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    Editing,
    Cancel,
    /// Enter on a folder.
    Chosen(Dest),
    /// Enter with no folder matching.
    NoMatch,
}

impl Picker {
    pub fn key(&mut self, key: &KeyEvent) -> Pick {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return Pick::Cancel,
            KeyCode::Enter => {
                return match self.matches.get(self.cursor) {
                    Some(dest) => Pick::Chosen(dest.clone()),
                    None => Pick::NoMatch,
                };
            }
            KeyCode::Down | KeyCode::Tab => self.cursor = next(self.cursor, self.matches.len(), 1),
            KeyCode::Char('n') if ctrl => self.cursor = next(self.cursor, self.matches.len(), 1),
            KeyCode::Up | KeyCode::BackTab => {
                self.cursor = next(self.cursor, self.matches.len(), -1)
            }
            KeyCode::Char('p') if ctrl => self.cursor = next(self.cursor, self.matches.len(), -1),
            KeyCode::Backspace => {
                self.query.pop();
                self.refilter();
            }
            KeyCode::Char('u') if ctrl => {
                self.query.clear();
                self.refilter();
            }
            KeyCode::Char(c) if !ctrl => {
                self.query.push(c);
                self.refilter();
            }
            _ => {}
        }
        Pick::Editing
    }
}

/// `at` moved by `step` within `len` rows, wrapping.
fn next(at: usize, len: usize, step: isize) -> usize {
    if len == 0 {
        return 0;
    }
    (at as isize + step).rem_euclid(len as isize) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::FolderInfo;

    #[test]
    fn subsequence_matching_ranks_tight_matches_first() {
        assert!(score("wk24", "Work/2024").is_some());
        assert!(score("WORK", "work").is_some());
        assert!(score("krow", "Work").is_none());
        assert!(score("qq", "其他文件夹/QQ邮件").is_some());
        assert!(score("邮件", "其他文件夹/QQ邮件").is_some());
        assert!(score("arch", "Archive") < score("arch", "Projects/Research/Chemistry"));
        assert!(score("", "x").is_some());
    }

    #[test]
    fn noselect_and_the_source_folder_are_not_offered() {
        let f = |name: &str, selectable: bool| FolderInfo {
            folder: Folder::from_server(crate::utf7::encode(name), Some('/')),
            attributes: Vec::new(),
            special: None,
            selectable,
            subscribed: true,
            status: None,
        };
        let folders = [f("INBOX", true), f("Work", false), f("Work/2024", true)];
        let model_of = |folders: &[FolderInfo]| {
            let mut m = crate::model::Model::default();
            m.folders = folders.to_vec();
            m
        };
        let model = model_of(&folders);
        let other = model_of(&[f("INBOX", true), f("Lists", false)]);
        let sections = [
            Section {
                account: AccountId(0),
                name: "home",
                model: &model,
            },
            Section {
                account: AccountId(1),
                name: "work",
                model: &other,
            },
        ];
        let p = Picker::new(
            AccountId(0),
            &sections,
            Folder::named("INBOX"),
            vec![1],
            true,
        );
        let names: Vec<&str> = p.matches.iter().map(|d| d.label.as_str()).collect();
        assert_eq!(names, ["Work/2024", "work: INBOX"]);
        assert_eq!(p.matches[1].account, AccountId(1));
    }
}
