//! What the config's triage settings mean, decided once for the CLI and the TUI: which folder
//! has a role (Trash, Archive), and what deleting messages does.

use crate::config::DeletePolicy;
use crate::msg::{Folder, FolderInfo, SpecialUse};

/// What deleting messages of a folder does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deletion {
    /// Mark them \Deleted: the policy says so, or they already are in Trash.
    Flag,
    /// Move them to this folder (Trash).
    MoveTo(Folder),
}

/// Deleting needs a Trash folder and the account has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this account has no Trash folder; set trash_folder for it, or delete = \"flag\"")]
pub struct NoTrash;

/// The one delete rule: with `delete = "flag"`, or inside Trash itself, mark \Deleted;
/// else move to `trash`.
pub fn deletion(
    policy: DeletePolicy,
    trash: Option<Folder>,
    folder: &Folder,
) -> Result<Deletion, NoTrash> {
    if policy == DeletePolicy::Flag || trash.as_ref() == Some(folder) {
        return Ok(Deletion::Flag);
    }
    trash.map(Deletion::MoveTo).ok_or(NoTrash)
}

/// The folder with `role`: the configured name when there is one (the listed folder of that
/// name, for the server's own spelling), else the listed folder with the role. A folder the
/// server marks with the role's SPECIAL-USE attribute wins over one whose name only looks
/// like it.
pub fn special_folder(
    configured: Option<&str>,
    folders: &[FolderInfo],
    role: SpecialUse,
) -> Option<Folder> {
    let listed = |want: &dyn Fn(&FolderInfo) -> bool| {
        folders.iter().find(|f| want(f)).map(|f| f.folder.clone())
    };
    if let Some(name) = configured {
        return Some(listed(&|f| f.folder.name() == name).unwrap_or_else(|| Folder::named(name)));
    }
    let marked = |f: &FolderInfo| {
        role.attribute()
            .is_some_and(|a| f.attributes.iter().any(|x| x.eq_ignore_ascii_case(a)))
    };
    listed(&|f| f.special == Some(role) && marked(f))
        .or_else(|| listed(&|f| f.special == Some(role)))
        .or_else(|| {
            (role == SpecialUse::Archive)
                .then(|| listed(&is_all_mail))
                .flatten()
        })
}

/// RFC 6154 `\All`: every message, whatever folder (Gmail label) it is in. Where there is no
/// Archive folder, archiving moves there, which on Gmail takes the message out of INBOX and
/// keeps it under All Mail: what Gmail's own Archive does.
fn is_all_mail(f: &FolderInfo) -> bool {
    f.attributes.iter().any(|a| a.eq_ignore_ascii_case("\\All"))
}

/// Drops the roles only guessed from a name where another folder carries the server's
/// attribute for them, so the tree labels one Trash: the one deleting moves to.
pub fn settle_roles(folders: &mut [FolderInfo]) {
    let marked = |f: &FolderInfo, role: SpecialUse| {
        role.attribute()
            .is_some_and(|a| f.attributes.iter().any(|x| x.eq_ignore_ascii_case(a)))
    };
    let attributed: Vec<SpecialUse> = folders
        .iter()
        .filter_map(|f| f.special.filter(|r| marked(f, *r)))
        .collect();
    for f in folders.iter_mut() {
        if let Some(role) = f.special
            && role.attribute().is_some()
            && !marked(f, role)
            && attributed.contains(&role)
        {
            f.special = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str, attributes: &[&str], special: Option<SpecialUse>) -> FolderInfo {
        FolderInfo {
            folder: Folder::from_server(crate::utf7::encode(name), Some('/')),
            attributes: attributes.iter().map(|a| a.to_string()).collect(),
            special,
            selectable: true,
            subscribed: true,
            status: None,
        }
    }

    #[test]
    fn the_trash_attribute_wins_over_a_name_guess() {
        let folders = [
            info("Trash", &[], Some(SpecialUse::Trash)),
            info("Deleted Items", &["\\Trash"], Some(SpecialUse::Trash)),
        ];
        let trash = special_folder(None, &folders, SpecialUse::Trash).unwrap();
        assert_eq!(trash.name(), "Deleted Items");
        let configured = special_folder(Some("Trash"), &folders, SpecialUse::Trash).unwrap();
        assert_eq!(configured.name(), "Trash");
        assert_eq!(
            special_folder(None, &folders[..1], SpecialUse::Trash),
            Some(folders[0].folder.clone())
        );
        assert_eq!(special_folder(None, &folders, SpecialUse::Archive), None);
    }

    #[test]
    fn archive_falls_back_to_all_mail_but_not_past_an_archive_folder() {
        let gmail = [
            info("INBOX", &[], Some(SpecialUse::Inbox)),
            info("[Gmail]/All Mail", &["\\HasNoChildren", "\\All"], None),
            info("[Gmail]/Trash", &["\\Trash"], Some(SpecialUse::Trash)),
        ];
        let archive = special_folder(None, &gmail, SpecialUse::Archive).unwrap();
        assert_eq!(archive.name(), "[Gmail]/All Mail");
        assert_eq!(
            special_folder(None, &gmail, SpecialUse::Trash)
                .unwrap()
                .name(),
            "[Gmail]/Trash"
        );
        let both = [
            gmail[1].clone(),
            info("Archive", &["\\Archive"], Some(SpecialUse::Archive)),
        ];
        let archive = special_folder(None, &both, SpecialUse::Archive).unwrap();
        assert_eq!(archive.name(), "Archive");
        assert_eq!(special_folder(None, &gmail[1..], SpecialUse::Junk), None);
    }

    #[test]
    fn delete_moves_to_trash_except_in_trash_or_with_the_flag_policy() {
        let (inbox, trash) = (Folder::named("INBOX"), Folder::named("Trash"));
        let to_trash = deletion(DeletePolicy::Trash, Some(trash.clone()), &inbox);
        assert_eq!(to_trash, Ok(Deletion::MoveTo(trash.clone())));
        assert_eq!(
            deletion(DeletePolicy::Trash, Some(trash.clone()), &trash),
            Ok(Deletion::Flag)
        );
        assert_eq!(
            deletion(DeletePolicy::Flag, Some(trash), &inbox),
            Ok(Deletion::Flag)
        );
        assert_eq!(deletion(DeletePolicy::Trash, None, &inbox), Err(NoTrash));
        assert_eq!(
            deletion(DeletePolicy::Flag, None, &inbox),
            Ok(Deletion::Flag)
        );
    }

    #[test]
    fn a_name_guess_yields_its_role_to_a_marked_folder() {
        let mut folders = [
            info("Deleted Messages", &[], Some(SpecialUse::Trash)),
            info("Bin", &["\\trash"], Some(SpecialUse::Trash)),
            info("Junk", &[], Some(SpecialUse::Junk)),
            info("INBOX", &[], Some(SpecialUse::Inbox)),
        ];
        settle_roles(&mut folders);
        let roles: Vec<_> = folders.iter().map(|f| f.special).collect();
        assert_eq!(
            roles,
            [
                None,
                Some(SpecialUse::Trash),
                Some(SpecialUse::Junk),
                Some(SpecialUse::Inbox)
            ]
        );
    }
}
