//! LIST, LSUB and STATUS: the folder tree with decoded names, roles and counts.

use std::collections::HashSet;

use imap_proto::types::{MailboxDatum, NameAttribute, Response, StatusAttribute};

use crate::error::{Error, Result};
use crate::imap::messages::responses;
use crate::imap::session::{Connection, map_err};
use crate::msg::{Folder, FolderInfo, FolderOp, FolderStatus, SpecialUse};
use crate::policy;
use crate::utf7;

pub fn list(conn: &mut Connection) -> Result<Vec<FolderInfo>> {
    let mut folders = names(conn)?;
    for f in folders.iter_mut().filter(|f| f.selectable) {
        // A folder the server will not count for us (`NO [NOPERM]`) is listed without counts.
        f.status = match status(conn, f.folder.raw()) {
            Ok(s) => Some(s),
            Err(e @ Error::Server { .. }) => {
                tracing::info!("{}: {e}", f.folder);
                None
            }
            Err(e) => return Err(e),
        };
    }
    Ok(folders)
}

/// LIST and LSUB: every folder with its role settled ([`policy::settle_roles`]), no counts yet.
fn names(conn: &mut Connection) -> Result<Vec<FolderInfo>> {
    let names = conn
        .session
        .list(Some(""), Some("\"*\""))
        .map_err(|e| map_err("LIST", e))?;
    let subscribed: HashSet<String> = conn
        .session
        .lsub(Some(""), Some("\"*\""))
        .map_err(|e| map_err("LSUB", e))?
        .iter()
        .map(|n| utf7::unescape(n.name()))
        .collect();
    let mut folders: Vec<FolderInfo> = names
        .iter()
        .map(|n| {
            let attributes: Vec<String> = n.attributes().iter().map(attribute_name).collect();
            // The parser leaves quoted-string escapes in; commands re-quote the plain name.
            let raw = utf7::unescape(n.name());
            let delimiter = n.delimiter().and_then(|d| d.chars().next());
            let selectable = !attributes.iter().any(|a| {
                a.eq_ignore_ascii_case("\\Noselect") || a.eq_ignore_ascii_case("\\NonExistent")
            });
            let subscribed = subscribed.contains(&raw);
            let folder = Folder::from_server(raw, delimiter);
            FolderInfo {
                special: special_use(folder.name(), delimiter, &attributes),
                subscribed,
                folder,
                attributes,
                selectable,
                status: None,
            }
        })
        .collect();
    policy::settle_roles(&mut folders);
    Ok(folders)
}

/// The raw name of the folder with `role`, from LIST and LSUB (no STATUS), by the one rule
/// ([`policy::special_folder`]).
pub fn find_role(conn: &mut Connection, role: SpecialUse) -> Result<Option<String>> {
    let folders = names(conn)?;
    Ok(policy::special_folder(None, &folders, role).map(|f| f.raw().to_string()))
}

/// STATUS through a raw command: the crate matches the reply's mailbox name against ours
/// and misses names that needed escaping.
pub fn status(conn: &mut Connection, raw: &str) -> Result<FolderStatus> {
    let (data, _) = conn
        .session
        .run(format!(
            "STATUS {} (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)",
            utf7::quote(raw)
        ))
        .map_err(|e| map_err("STATUS", e))?;
    let mut out = FolderStatus::default();
    for resp in responses(&data) {
        if let Response::MailboxData(MailboxDatum::Status { status, .. }) = resp {
            for attr in status {
                match attr {
                    StatusAttribute::Messages(n) => out.messages = n,
                    // After STATUS (unlike SELECT) this is a count, not a sequence number.
                    StatusAttribute::Unseen(n) => out.unseen = n,
                    StatusAttribute::UidNext(n) => out.uid_next = n,
                    StatusAttribute::UidValidity(n) => out.uid_validity = n,
                    _ => {}
                }
            }
        }
    }
    Ok(out)
}

/// CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE.
pub fn manage(conn: &mut Connection, op: &FolderOp) -> Result<()> {
    let s = &mut conn.session;
    match op {
        FolderOp::Create(f) => s.create(f.raw()).map_err(|e| map_err("CREATE", e)),
        FolderOp::Delete(f) => {
            if has_children(conn, f.raw())? {
                return Err(Error::Refused(format!(
                    "{f} has subfolders; delete or move them first"
                )));
            }
            conn.session
                .delete(f.raw())
                .map_err(|e| map_err("DELETE", e))
        }
        FolderOp::Rename { from, to } => s
            .rename(from.raw(), to.raw())
            .map_err(|e| map_err("RENAME", e)),
        FolderOp::Subscribe(f) => s.subscribe(f.raw()).map_err(|e| map_err("SUBSCRIBE", e)),
        FolderOp::Unsubscribe(f) => s
            .unsubscribe(f.raw())
            .map_err(|e| map_err("UNSUBSCRIBE", e)),
    }
}

fn has_children(conn: &mut Connection, raw: &str) -> Result<bool> {
    let own = conn
        .session
        .list(Some(""), Some(&utf7::quote(raw)))
        .map_err(|e| map_err("LIST", e))?;
    let Some(delimiter) = own.iter().find_map(|n| n.delimiter().map(String::from)) else {
        return Ok(false);
    };
    let pattern = utf7::quote(&format!("{raw}{delimiter}*"));
    let children = conn
        .session
        .list(Some(""), Some(&pattern))
        .map_err(|e| map_err("LIST", e))?;
    Ok(!children.is_empty())
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
    let roles = [
        SpecialUse::Drafts,
        SpecialUse::Sent,
        SpecialUse::Archive,
        SpecialUse::Junk,
        SpecialUse::Trash,
    ];
    for role in roles {
        if let Some(attr) = role.attribute()
            && attributes.iter().any(|a| a.eq_ignore_ascii_case(attr))
        {
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
