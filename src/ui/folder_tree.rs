//! The folder list as a tree: split by each folder's delimiter, special-use folders first,
//! parents the server did not list filled in as non-selectable nodes, collapsed branches hidden.
//! Rebuilt only when the folder list or the collapsed set changes, never per frame; the
//! counts are not copied here but read from the model when drawn, so they follow every change.

use std::collections::{HashMap, HashSet};

use crate::msg::{FolderInfo, SpecialUse};
use crate::ui::accounts::AccountId;

/// One visible row of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRow {
    /// The account the folder is in.
    pub account: AccountId,
    /// The row names the account itself (its name in `name`), not a folder.
    pub is_account: bool,
    /// The row is "All inboxes" (see `ui::inboxes`), not a folder or an account.
    pub all_inboxes: bool,
    /// The folder's full decoded name, as commands need it.
    pub name: String,
    /// What to draw: the last path component, or the role label for a special-use folder.
    pub label: String,
    pub depth: usize,
    pub has_children: bool,
    pub collapsed: bool,
    pub selectable: bool,
    pub special: Option<SpecialUse>,
}

struct Node<'a> {
    name: String,
    leaf: String,
    info: Option<&'a FolderInfo>,
    children: Vec<usize>,
}

/// `account`'s folders as rows at `depth` 0 and below.
pub fn build<'f>(
    account: AccountId,
    folders: impl IntoIterator<Item = &'f FolderInfo>,
    collapsed: &HashSet<String>,
) -> Vec<TreeRow> {
    let mut nodes: Vec<Node<'_>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut roots: Vec<usize> = Vec::new();
    for f in folders {
        let (full, delimiter) = (f.folder.name(), f.folder.delimiter());
        let parts: Vec<&str> = match delimiter {
            Some(d) => full.split(d).collect(),
            None => vec![full],
        };
        let mut parent: Option<usize> = None;
        for depth in 0..parts.len() {
            let name = match delimiter {
                Some(d) => parts[..=depth].join(&d.to_string()),
                None => full.to_string(),
            };
            let id = match index.get(&name) {
                Some(&id) => id,
                None => {
                    nodes.push(Node {
                        name: name.clone(),
                        leaf: parts[depth].to_string(),
                        info: None,
                        children: Vec::new(),
                    });
                    let id = nodes.len() - 1;
                    index.insert(name, id);
                    match parent {
                        Some(p) => nodes[p].children.push(id),
                        None => roots.push(id),
                    }
                    id
                }
            };
            parent = Some(id);
        }
        if let Some(id) = parent {
            nodes[id].info = Some(f);
        }
    }
    let mut rows = Vec::with_capacity(nodes.len());
    sort(&mut roots, &nodes);
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&id| (id, 0)).collect();
    while let Some((id, depth)) = stack.pop() {
        let mut children = nodes[id].children.clone();
        sort(&mut children, &nodes);
        let node = &nodes[id];
        let folded = collapsed.contains(&node.name);
        rows.push(row(account, node, depth, folded));
        if !folded {
            stack.extend(children.iter().rev().map(|&c| (c, depth + 1)));
        }
    }
    rows
}

fn special(node: &Node<'_>) -> Option<SpecialUse> {
    node.info.and_then(|i| i.special).or_else(|| {
        // Servers do not always flag INBOX, but it is always the inbox.
        node.name
            .eq_ignore_ascii_case("INBOX")
            .then_some(SpecialUse::Inbox)
    })
}

/// Special-use folders in the order, then the rest alphabetically.
fn sort(ids: &mut [usize], nodes: &[Node<'_>]) {
    ids.sort_by_cached_key(|&id| {
        let n = &nodes[id];
        (
            special(n).map_or(u8::MAX, |s| s as u8),
            n.leaf.to_lowercase(),
        )
    });
}

pub fn role_label(s: SpecialUse) -> &'static str {
    match s {
        SpecialUse::Inbox => "Inbox",
        SpecialUse::Drafts => "Drafts",
        SpecialUse::Sent => "Sent",
        SpecialUse::Archive => "Archive",
        SpecialUse::Junk => "Junk",
        SpecialUse::Trash => "Trash",
    }
}

fn row(account: AccountId, node: &Node<'_>, depth: usize, collapsed: bool) -> TreeRow {
    let special = special(node);
    let label = match special {
        Some(s) if node.leaf.eq_ignore_ascii_case(role_label(s)) => role_label(s).to_string(),
        Some(s) => format!("{} ({})", role_label(s), node.leaf),
        None => node.leaf.clone(),
    };
    TreeRow {
        account,
        is_account: false,
        all_inboxes: false,
        name: node.name.clone(),
        label,
        depth,
        has_children: !node.children.is_empty(),
        collapsed,
        selectable: node.info.is_some_and(|i| i.selectable),
        special,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::Folder;

    fn folder(name: &str, special: Option<SpecialUse>, selectable: bool) -> FolderInfo {
        FolderInfo {
            folder: Folder::from_server(crate::utf7::encode(name), Some('/')),
            attributes: Vec::new(),
            special,
            selectable,
            subscribed: true,
            status: None,
        }
    }

    #[test]
    fn orders_special_first_and_fills_missing_parents() {
        let folders = vec![
            folder("Work/2024", None, true),
            folder("Trash", Some(SpecialUse::Trash), true),
            folder("Archive", None, true),
            folder("INBOX", None, true),
            folder("Sent Messages", Some(SpecialUse::Sent), true),
        ];
        let rows = build(AccountId(0), &folders, &HashSet::new());
        let labels: Vec<(&str, usize)> = rows.iter().map(|r| (r.label.as_str(), r.depth)).collect();
        assert_eq!(
            labels,
            [
                ("Inbox", 0),
                ("Sent (Sent Messages)", 0),
                ("Trash", 0),
                ("Archive", 0),
                ("Work", 0),
                ("2024", 1)
            ]
        );
        assert!(
            !rows[4].selectable,
            "a parent the server did not list cannot be opened"
        );
        let folded = build(AccountId(0), &folders, &HashSet::from(["Work".to_string()]));
        assert_eq!(folded.len(), 5);
        assert!(folded[4].collapsed && folded[4].has_children);
    }
}
