//! Which folder plays a role (Trash, Archive, Sent, Drafts, Junk): the one rule every caller
//! (CLI, TUI, the Sent copy) uses. The config's name overrides; else the folder the server
//! marks with the RFC 6154 attribute; a usual name (`Deleted Messages`) is only the fallback.

use crate::msg::{Folder, FolderInfo, SpecialUse};

/// The folder for `role`. A `configured` name is looked up in the list for the server's own
/// spelling (and delimiter), and used as given when the list lacks it.
pub fn folder_for(
    folders: &[FolderInfo],
    role: SpecialUse,
    configured: Option<&str>,
) -> Option<Folder> {
    if let Some(name) = configured {
        let listed = folders.iter().find(|f| f.folder.name() == name);
        return Some(listed.map_or_else(|| Folder::named(name), |f| f.folder.clone()));
    }
    let with_role = || folders.iter().filter(|f| f.special == Some(role));
    with_role()
        .find(|f| marked(f, role))
        .or_else(|| with_role().next())
        .map(|f| f.folder.clone())
}

/// Drops the roles only guessed from a name where another folder carries the server's
/// attribute for them, so the tree labels one Trash, the one deletes go to.
pub fn settle(folders: &mut [FolderInfo]) {
    let attributed: Vec<SpecialUse> = folders
        .iter()
        .filter_map(|f| f.special.filter(|r| marked(f, *r)))
        .collect();
    for f in folders.iter_mut() {
        if let Some(role) = f.special
            && !marked(f, role)
            && attributed.contains(&role)
        {
            f.special = None;
        }
    }
}

/// Whether the server itself marks `f` with `role` (Inbox is marked by its name).
fn marked(f: &FolderInfo, role: SpecialUse) -> bool {
    match role.attribute() {
        Some(attr) => f.attributes.iter().any(|a| a.eq_ignore_ascii_case(attr)),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str, special: Option<SpecialUse>, attributes: &[&str]) -> FolderInfo {
        FolderInfo {
            folder: Folder::from_server(name.into(), Some('/')),
            attributes: attributes.iter().map(|a| a.to_string()).collect(),
            special,
            selectable: true,
            subscribed: true,
            status: None,
        }
    }

    fn both_trashes() -> Vec<FolderInfo> {
        vec![
            info("Deleted Messages", Some(SpecialUse::Trash), &[]),
            info("Bin", Some(SpecialUse::Trash), &["\\trash"]),
            info("Junk", Some(SpecialUse::Junk), &[]),
        ]
    }

    #[test]
    fn the_servers_attribute_wins_over_a_usual_name() {
        let folders = both_trashes();
        let trash = folder_for(&folders, SpecialUse::Trash, None).unwrap();
        assert_eq!(trash.name(), "Bin");
        // Only guessed: the name is the fallback.
        let junk = folder_for(&folders, SpecialUse::Junk, None).unwrap();
        assert_eq!(junk.name(), "Junk");
        assert_eq!(folder_for(&folders, SpecialUse::Archive, None), None);
    }

    #[test]
    fn the_config_overrides_both() {
        let folders = both_trashes();
        let trash = folder_for(&folders, SpecialUse::Trash, Some("Deleted Messages")).unwrap();
        assert_eq!(trash.name(), "Deleted Messages");
        let named = folder_for(&folders, SpecialUse::Trash, Some("Elsewhere")).unwrap();
        assert_eq!(named.name(), "Elsewhere");
    }

    #[test]
    fn settle_keeps_one_folder_per_marked_role() {
        let mut folders = both_trashes();
        settle(&mut folders);
        let roles: Vec<_> = folders.iter().map(|f| f.special).collect();
        assert_eq!(
            roles,
            [None, Some(SpecialUse::Trash), Some(SpecialUse::Junk)]
        );
    }
}
