//! Names on the `:` line: commands and actions by a case-insensitive, unambiguous prefix
//! (`-` and `_` alike), folders by name or prefix (another account's as `work: INBOX`, as
//! the folder picker shows them), and what Tab completes to.

use crate::msg::FolderInfo;
use crate::ui::accounts::AccountId;
use crate::ui::action::Action;

/// Another account's folders, for `:move` and `:copy`.
pub struct Other<'a> {
    pub account: AccountId,
    pub name: &'a str,
    pub folders: &'a [FolderInfo],
}

/// Commands of the line itself; every action's name is one too.
const BUILT_IN: &[&str] = &["open", "save", "folder", "account", "help", "quit"];
/// Short forms, matched only whole.
const ALIASES: &[(&str, &str)] = &[
    ("o", "open"),
    ("w", "save"),
    ("f", "folder"),
    ("cd", "folder"),
    ("h", "help"),
    ("q", "quit"),
];

/// Every name the line knows, as typed: actions with `-` between words.
pub fn names() -> Vec<String> {
    let mut out: Vec<String> = BUILT_IN.iter().map(|n| n.to_string()).collect();
    for a in Action::ALL {
        let name = a.name().replace('_', "-");
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The name `word` stands for: itself or an alias, else the one name it begins.
pub fn resolve(word: &str) -> Result<String, String> {
    let typed = word.to_lowercase().replace('_', "-");
    if let Some((_, name)) = ALIASES.iter().find(|(a, _)| *a == typed) {
        return Ok(name.to_string());
    }
    let names = names();
    if names.contains(&typed) {
        return Ok(typed);
    }
    let matching: Vec<&String> = names.iter().filter(|n| n.starts_with(&typed)).collect();
    match matching[..] {
        [one] => Ok(one.clone()),
        [] => Err(format!("unknown command \"{word}\"; press ? for the list")),
        _ => Err(format!(
            "\"{word}\" could be {}; type more of it",
            list(matching.iter().map(|s| s.as_str()))
        )),
    }
}

/// The action a resolved name runs.
pub fn action(name: &str) -> Option<Action> {
    Action::from_name(&name.replace('-', "_"))
}

/// The folder `typed` names: its exact name, else the one folder whose name is it or begins
/// with it regardless of case.
pub fn folder<'a>(folders: &'a [FolderInfo], typed: &str) -> Result<&'a FolderInfo, String> {
    if let Some(f) = folders.iter().find(|f| f.folder.name() == typed) {
        return Ok(f);
    }
    let lower = typed.to_lowercase();
    let same: Vec<&FolderInfo> = folders
        .iter()
        .filter(|f| f.folder.name().to_lowercase() == lower)
        .collect();
    if let [one] = same[..] {
        return Ok(one);
    }
    let begins: Vec<&FolderInfo> = folders
        .iter()
        .filter(|f| f.folder.name().to_lowercase().starts_with(&lower))
        .collect();
    match begins[..] {
        [one] => Ok(one),
        [] => Err(format!("There is no folder \"{typed}\"")),
        _ => Err(format!(
            "\"{typed}\" could be {}; type more of it",
            list(begins.iter().map(|f| f.folder.name()))
        )),
    }
}

/// Where `:move` and `:copy` send messages: a folder of the open account (by [`folder`]),
/// else `ACCOUNT: FOLDER` (space optional) for another account's; the account is None for
/// the open one. An exact folder name of the open account wins over an account prefix.
pub fn destination<'a>(
    folders: &'a [FolderInfo],
    others: &[Other<'a>],
    typed: &str,
) -> Result<(Option<AccountId>, &'a FolderInfo), String> {
    if let Some(f) = folders.iter().find(|f| f.folder.name() == typed) {
        return Ok((None, f));
    }
    let other = typed.split_once(':').and_then(|(name, rest)| {
        let name = name.trim().to_lowercase();
        let o = others.iter().find(|o| o.name.to_lowercase() == name)?;
        Some((o, rest.trim()))
    });
    match other {
        Some((o, rest)) => folder(o.folders, rest)
            .map(|f| (Some(o.account), f))
            .map_err(|e| format!("{}: {e}", o.name)),
        None => folder(folders, typed).map(|f| (None, f)),
    }
}

/// What Tab offers for `text`: command names while the first word is typed, then folder
/// names after a command that takes a folder (after `move` and `copy`, the other accounts'
/// too, as `work: INBOX`).
pub fn complete(text: &str, folders: &[FolderInfo], others: &[Other<'_>]) -> Vec<String> {
    let Some((word, rest)) = text.split_once(' ') else {
        let typed = text.to_lowercase().replace('_', "-");
        let mut out: Vec<String> = names()
            .into_iter()
            .filter(|n| n.starts_with(&typed))
            .collect();
        out.sort();
        return out;
    };
    let command = resolve(word).unwrap_or_default();
    let across = matches!(command.as_str(), "move" | "copy");
    if !across && command != "folder" {
        return Vec::new();
    }
    let typed = rest.trim_start().to_lowercase();
    let mut out: Vec<String> = folders
        .iter()
        .map(|f| f.folder.name().to_string())
        .filter(|n| n.to_lowercase().starts_with(&typed))
        .map(|n| format!("{word} {n}"))
        .collect();
    out.sort();
    if across {
        // "work:inbox" and "work: inbox" alike.
        let typed = typed.replacen(':', ": ", 1).replace(":  ", ": ");
        for o in others {
            let mut theirs: Vec<String> = o
                .folders
                .iter()
                .filter(|f| f.selectable)
                .map(|f| format!("{}: {}", o.name, f.folder.name()))
                .filter(|n| n.to_lowercase().starts_with(&typed))
                .map(|n| format!("{word} {n}"))
                .collect();
            theirs.sort();
            out.extend(theirs);
        }
    }
    out
}

/// At most a few of `names`, for a message.
fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    let shown = names.iter().take(4).copied().collect::<Vec<_>>().join(", ");
    if names.len() > 4 {
        format!("{shown}, …")
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::Folder;

    fn folders(names: &[&str]) -> Vec<FolderInfo> {
        names
            .iter()
            .map(|n| FolderInfo {
                folder: Folder::named(n),
                attributes: Vec::new(),
                special: None,
                selectable: true,
                subscribed: true,
                status: None,
            })
            .collect()
    }

    #[test]
    fn names_resolve_by_unambiguous_prefix_in_any_case() {
        assert_eq!(resolve("tag-pattern").unwrap(), "tag-pattern");
        assert_eq!(resolve("TAG_PATTERN").unwrap(), "tag-pattern");
        assert_eq!(resolve("arch").unwrap(), "archive");
        assert_eq!(resolve("cd").unwrap(), "folder");
        assert_eq!(resolve("fol").unwrap(), "folder");
        assert!(resolve("toggle").unwrap_err().contains("toggle-read"));
        assert!(resolve("frobnicate").unwrap_err().contains("unknown"));
        assert_eq!(action("tag-pattern"), Some(Action::TagPattern));
        assert_eq!(action("folder"), None);
    }

    #[test]
    fn folders_resolve_by_name_then_case_then_prefix() {
        let f = folders(&["INBOX", "Trash", "Work/Projects", "Work/Plans", "trash"]);
        assert_eq!(folder(&f, "trash").unwrap().folder.name(), "trash");
        assert_eq!(folder(&f, "inbox").unwrap().folder.name(), "INBOX");
        assert_eq!(
            folder(&f, "work/pr").unwrap().folder.name(),
            "Work/Projects"
        );
        assert!(folder(&f, "TRASH").unwrap_err().contains("could be"));
        assert!(folder(&f, "Work/").unwrap_err().contains("Work/Plans"));
        assert!(folder(&f, "Nope").unwrap_err().contains("no folder"));
    }

    #[test]
    fn tab_offers_commands_then_folders() {
        let f = folders(&["INBOX", "Work/Projects", "Work/Plans"]);
        assert_eq!(complete("arc", &f, &[]), ["archive"]);
        assert_eq!(
            complete("tag", &f, &[]),
            ["tag", "tag-pattern", "tag-thread"]
        );
        assert_eq!(
            complete("move work/p", &f, &[]),
            ["move Work/Plans", "move Work/Projects"]
        );
        assert_eq!(complete("f in", &f, &[]), ["f INBOX"]);
        assert!(complete("archive x", &f, &[]).is_empty());
    }

    #[test]
    fn move_and_copy_reach_other_accounts_folders() {
        let home = folders(&["INBOX", "Work/Projects"]);
        let theirs = folders(&["INBOX", "Projects", "a:b"]);
        let others = [Other {
            account: AccountId(1),
            name: "work",
            folders: &theirs,
        }];
        assert_eq!(
            complete("move work:", &home, &others),
            ["move work: INBOX", "move work: Projects", "move work: a:b"]
        );
        assert_eq!(
            complete("copy Work: pro", &home, &others),
            ["copy work: Projects"]
        );
        assert_eq!(
            complete("move w", &home, &others),
            [
                "move Work/Projects",
                "move work: INBOX",
                "move work: Projects",
                "move work: a:b"
            ]
        );
        assert!(
            complete("folder work:", &home, &others).is_empty(),
            "one account's"
        );
        let to = |typed| {
            destination(&home, &others, typed).map(|(a, f)| (a, f.folder.name().to_string()))
        };
        assert_eq!(to("work: INBOX"), Ok((Some(AccountId(1)), "INBOX".into())));
        assert_eq!(to("WORK:proj"), Ok((Some(AccountId(1)), "Projects".into())));
        assert_eq!(to("work: a:b"), Ok((Some(AccountId(1)), "a:b".into())));
        assert_eq!(to("inbox"), Ok((None, "INBOX".into())));
        assert!(
            to("work: Nope")
                .unwrap_err()
                .starts_with("work: There is no folder")
        );
        assert!(to("home: INBOX").unwrap_err().contains("no folder"));
    }
}
