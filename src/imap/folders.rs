//! LIST, LSUB and STATUS: the folder tree with decoded names, roles and counts.

use std::collections::HashSet;

use imap_proto::types::{MailboxDatum, NameAttribute, Response, StatusAttribute};

use crate::error::{Error, Result};
use crate::imap::messages::responses;
use crate::imap::session::{Connection, map_err};
use crate::msg::{Folder, FolderInfo, FolderOp, FolderStatus, SpecialUse};
use crate::policy;
use crate::utf7;

/// Every folder with its counts: one LIST-STATUS command (RFC 5819) where the server has it,
/// else LIST and one STATUS per folder.
pub fn list(conn: &mut Connection) -> Result<Vec<FolderInfo>> {
    if conn.has("LIST-STATUS") {
        return list_status(conn);
    }
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

/// `LIST ... RETURN (STATUS ...)`: the names and every selectable folder's counts in one round
/// trip, which is what makes a refresh every minute cheap.
fn list_status(conn: &mut Connection) -> Result<Vec<FolderInfo>> {
    // With RETURN options the roles (RFC 6154) come only when asked for (Dovecot).
    let roles = if conn.has("SPECIAL-USE") {
        "SPECIAL-USE "
    } else {
        ""
    };
    let (data, _) = conn
        .session
        .run(format!(
            "LIST \"\" \"*\" RETURN ({roles}STATUS {STATUS_ITEMS})"
        ))
        .map_err(|e| map_err("LIST", e))?;
    let mut entries = Vec::new();
    let mut counts = std::collections::HashMap::new();
    for resp in responses(&data) {
        match resp {
            Response::MailboxData(MailboxDatum::List {
                name_attributes,
                delimiter,
                name,
            }) => entries.push(Entry {
                attributes: name_attributes.iter().map(attribute_name).collect(),
                delimiter: delimiter.and_then(|d| d.chars().next()),
                raw: name.to_string(),
            }),
            Response::MailboxData(MailboxDatum::Status { mailbox, status }) => {
                counts.insert(mailbox.to_string(), read_status(&status));
            }
            _ => {}
        }
    }
    let mut folders = build(conn, entries)?;
    for f in &mut folders {
        f.status = counts.remove(f.folder.raw());
    }
    Ok(folders)
}

/// One name from LIST, as the server sent it.
struct Entry {
    attributes: Vec<String>,
    delimiter: Option<char>,
    raw: String,
}

/// LIST and LSUB: every folder with its role settled ([`policy::settle_roles`]), no counts yet.
fn names(conn: &mut Connection) -> Result<Vec<FolderInfo>> {
    let entries = conn
        .session
        .list(Some(""), Some("\"*\""))
        .map_err(|e| map_err("LIST", e))?
        .iter()
        .map(|n| Entry {
            attributes: n.attributes().iter().map(attribute_name).collect(),
            delimiter: n.delimiter().and_then(|d| d.chars().next()),
            // Plain: the guard turned escaped names into literals; commands re-quote it.
            raw: n.name().to_string(),
        })
        .collect();
    build(conn, entries)
}

/// Folders from LIST entries, with LSUB's subscriptions and settled roles.
fn build(conn: &mut Connection, entries: Vec<Entry>) -> Result<Vec<FolderInfo>> {
    let subscribed: HashSet<String> = conn
        .session
        .lsub(Some(""), Some("\"*\""))
        .map_err(|e| map_err("LSUB", e))?
        .iter()
        .map(|n| n.name().to_string())
        .collect();
    let mut folders: Vec<FolderInfo> = entries
        .into_iter()
        .map(
            |Entry {
                 attributes,
                 delimiter,
                 raw,
             }| {
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
            },
        )
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
        .run(format!("STATUS {} {STATUS_ITEMS}", utf7::quote(raw)))
        .map_err(|e| map_err("STATUS", e))?;
    let mut out = FolderStatus::default();
    for resp in responses(&data) {
        if let Response::MailboxData(MailboxDatum::Status { status, .. }) = resp {
            out = read_status(&status);
        }
    }
    Ok(out)
}

const STATUS_ITEMS: &str = "(MESSAGES UNSEEN UIDNEXT UIDVALIDITY)";

fn read_status(attrs: &[StatusAttribute]) -> FolderStatus {
    let mut out = FolderStatus::default();
    for attr in attrs {
        match *attr {
            StatusAttribute::Messages(n) => out.messages = n,
            // After STATUS (unlike SELECT) this is a count, not a sequence number.
            StatusAttribute::Unseen(n) => out.unseen = n,
            StatusAttribute::UidNext(n) => out.uid_next = n,
            StatusAttribute::UidValidity(n) => out.uid_validity = n,
            _ => {}
        }
    }
    out
}

/// The personal namespace's prefix (RFC 2342), decoded, e.g. `INBOX.` on servers that keep
/// every folder under INBOX; None without a personal namespace or NAMESPACE support. Neither
/// crate parses a NAMESPACE reply (the guard drops it before the crate would fail on it), so
/// the command goes out under a tag of our own and its reply is read here, as
/// `summary_reader` does; bytes past the tagged line go back to the crate.
pub fn personal_namespace(conn: &mut Connection) -> Result<Option<String>> {
    if !conn.has("NAMESPACE") {
        return Ok(None);
    }
    // The reply is a line or two; anything over 64 KiB is not one.
    let (_, reply) = conn
        .raw
        .lock()
        .exchange("NAMESPACE", 64 << 10)
        .map_err(|e| map_err("NAMESPACE", imap::Error::Io(e)))?;
    Ok(personal_prefix(&reply).map(|raw| utf7::decode(&raw)))
}

/// The first prefix of `* NAMESPACE (("prefix" "delim") ...) other shared`, quoted-string
/// escapes undone; None for `NIL` or a form we do not read (a literal).
fn personal_prefix(data: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(data).ok()?;
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("* NAMESPACE "))?
        .trim_start();
    let quoted = line.strip_prefix("((")?.trim_start().strip_prefix('"')?;
    let mut prefix = String::new();
    let mut chars = quoted.chars();
    loop {
        match chars.next()? {
            '"' => return Some(prefix),
            '\\' => prefix.push(chars.next()?),
            c => prefix.push(c),
        }
    }
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
    fn personal_namespace_prefix() {
        let dovecot_dot = b"* NAMESPACE ((\"INBOX.\" \".\")) NIL NIL\r\n";
        assert_eq!(personal_prefix(dovecot_dot).as_deref(), Some("INBOX."));
        let plain = b"* NAMESPACE ((\"\" \"/\")) NIL ((\"shared/\" \"/\"))\r\n";
        assert_eq!(personal_prefix(plain).as_deref(), Some(""));
        let escaped = b"* NAMESPACE ((\"a\\\"b.\" \".\")) NIL NIL\r\n";
        assert_eq!(personal_prefix(escaped).as_deref(), Some("a\"b."));
        assert_eq!(personal_prefix(b"* NAMESPACE NIL NIL NIL\r\n"), None);
        assert_eq!(personal_prefix(b"* OK nothing\r\n"), None);
    }

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
