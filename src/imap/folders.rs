//! LIST, LSUB and STATUS: the folder tree with decoded names, roles and counts.

use std::collections::HashSet;

use imap_proto::types::NameAttribute;

use crate::error::Result;
use crate::imap::session::{Connection, map_err};
use crate::imap::utf7;
use crate::msg::{FolderInfo, FolderStatus, SpecialUse};

pub fn list(conn: &mut Connection) -> Result<Vec<FolderInfo>> {
    let names = conn
        .session
        .list(Some(""), Some("\"*\""))
        .map_err(|e| map_err("LIST", e))?;
    let subscribed: HashSet<String> = conn
        .session
        .lsub(Some(""), Some("\"*\""))
        .map_err(|e| map_err("LSUB", e))?
        .iter()
        .map(|n| n.name().to_string())
        .collect();
    let mut folders: Vec<FolderInfo> = names
        .iter()
        .map(|n| {
            let attributes: Vec<String> = n.attributes().iter().map(attribute_name).collect();
            let raw = n.name().to_string();
            let delimiter = n.delimiter().and_then(|d| d.chars().next());
            let selectable = !attributes.iter().any(|a| {
                a.eq_ignore_ascii_case("\\Noselect") || a.eq_ignore_ascii_case("\\NonExistent")
            });
            let name = utf7::decode(&raw);
            FolderInfo {
                special: special_use(&name, delimiter, &attributes),
                subscribed: subscribed.contains(&raw),
                name,
                raw,
                delimiter,
                attributes,
                selectable,
                status: None,
            }
        })
        .collect();
    for f in folders.iter_mut().filter(|f| f.selectable) {
        f.status = Some(status(conn, &f.raw)?);
    }
    Ok(folders)
}

pub fn status(conn: &mut Connection, raw: &str) -> Result<FolderStatus> {
    let mb = conn
        .session
        .status(raw, "(MESSAGES UNSEEN UIDNEXT UIDVALIDITY)")
        .map_err(|e| map_err("STATUS", e))?;
    Ok(FolderStatus {
        messages: mb.exists,
        // After STATUS (unlike SELECT) this is a count, not a sequence number.
        unseen: mb.unseen.unwrap_or(0),
        uid_next: mb.uid_next.unwrap_or(0),
        uid_validity: mb.uid_validity.unwrap_or(0),
    })
}

fn attribute_name(a: &NameAttribute) -> String {
    match a {
        NameAttribute::NoInferiors => "\\Noinferiors".into(),
        NameAttribute::NoSelect => "\\Noselect".into(),
        NameAttribute::Marked => "\\Marked".into(),
        NameAttribute::Unmarked => "\\Unmarked".into(),
        NameAttribute::All => "\\All".into(),
        NameAttribute::Archive => "\\Archive".into(),
        NameAttribute::Drafts => "\\Drafts".into(),
        NameAttribute::Flagged => "\\Flagged".into(),
        NameAttribute::Junk => "\\Junk".into(),
        NameAttribute::Sent => "\\Sent".into(),
        NameAttribute::Trash => "\\Trash".into(),
        NameAttribute::Extension(e) => e.to_string(),
        other => format!("{other:?}"),
    }
}

/// RFC 6154 attributes first (case-insensitively: Cyrus sends `\drafts`), else the names
/// servers commonly use without announcing a role.
fn special_use(name: &str, delimiter: Option<char>, attributes: &[String]) -> Option<SpecialUse> {
    if name.eq_ignore_ascii_case("INBOX") {
        return Some(SpecialUse::Inbox);
    }
    let by_attr = [
        ("\\Drafts", SpecialUse::Drafts),
        ("\\Sent", SpecialUse::Sent),
        ("\\Archive", SpecialUse::Archive),
        ("\\Junk", SpecialUse::Junk),
        ("\\Trash", SpecialUse::Trash),
    ];
    for (attr, role) in by_attr {
        if attributes.iter().any(|a| a.eq_ignore_ascii_case(attr)) {
            return Some(role);
        }
    }
    let leaf = match delimiter {
        Some(d) => name.rsplit(d).next().unwrap_or(name),
        None => name,
    };
    // Only top-level names, or direct children of INBOX (Cyrus-style `INBOX.Sent`), count.
    let depth_ok = match delimiter {
        Some(d) => {
            let parent = name.strip_suffix(leaf).unwrap_or("").trim_end_matches(d);
            parent.is_empty() || parent.eq_ignore_ascii_case("INBOX")
        }
        None => true,
    };
    if !depth_ok {
        return None;
    }
    let by_name: [(&[&str], SpecialUse); 5] = [
        (&["drafts", "draft"], SpecialUse::Drafts),
        (
            &["sent", "sent items", "sent messages", "sent mail"],
            SpecialUse::Sent,
        ),
        (&["archive", "archives"], SpecialUse::Archive),
        (
            &["junk", "spam", "junk e-mail", "junk email"],
            SpecialUse::Junk,
        ),
        (
            &["trash", "deleted messages", "deleted items", "bin"],
            SpecialUse::Trash,
        ),
    ];
    let leaf = leaf.to_lowercase();
    by_name
        .into_iter()
        .find(|(names, _)| names.contains(&leaf.as_str()))
        .map(|(_, role)| role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_from_attributes_and_names() {
        let none: Vec<String> = vec![];
        assert_eq!(
            special_use("INBOX", Some('/'), &none),
            Some(SpecialUse::Inbox)
        );
        assert_eq!(
            special_use("已发送", Some('/'), &["\\Sent".into()]),
            Some(SpecialUse::Sent)
        );
        assert_eq!(
            special_use("INBOX.Drafts", Some('.'), &["\\drafts".into()]),
            Some(SpecialUse::Drafts)
        );
        assert_eq!(
            special_use("INBOX.Sent Items", Some('.'), &none),
            Some(SpecialUse::Sent)
        );
        assert_eq!(
            special_use("Deleted Messages", Some('/'), &none),
            Some(SpecialUse::Trash)
        );
        assert_eq!(special_use("Work/Trash", Some('/'), &none), None);
        assert_eq!(special_use("Notes", Some('/'), &none), None);
    }
}
