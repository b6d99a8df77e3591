//! Commands that change messages: mark, move, copy, delete, expunge; and search.

use std::io::Write;

use super::client::Client;
use super::output::{record, summary};
use crate::config::{Account, DeletePolicy};
use crate::error::{Error, Result};
use crate::msg::{Cmd, Event, Flag, FlagChange, Flags, Folder, SpecialUse, Uid};
use crate::policy::{self, Deletion};
use crate::search;

/// `+seen`, `-flagged`… → (add?, flag).
pub fn parse_flag_op(op: &str) -> Result<(bool, Flags)> {
    let bad = || {
        Error::Config(format!(
            "invalid flag change \"{op}\": use +seen, -seen, +flagged, -flagged, +answered, -answered, +deleted or -deleted"
        ))
    };
    let (add, name) = match op.split_at_checked(1) {
        Some(("+", n)) => (true, n),
        Some(("-", n)) => (false, n),
        _ => return Err(bad()),
    };
    // \Recent is the server's to set.
    match Flag::from_imap(format!("\\{}", name.trim_start_matches('\\')).as_bytes()) {
        Some(Flag::Recent) | None => Err(bad()),
        Some(flag) => Ok((add, flag.into())),
    }
}

pub fn mark(client: &mut Client, folder: &Folder, uids: Vec<Uid>, op: &str) -> Result<()> {
    let (add, flags) = parse_flag_op(op)?;
    let change = FlagChange {
        folder: folder.clone(),
        uids,
        add,
        flags,
    };
    client.call(|req| Cmd::Store { req, change })?;
    Ok(())
}

fn search_uids(client: &mut Client, folder: &Folder, query: search::Query) -> Result<Vec<Uid>> {
    Ok(
        match client.call(|req| Cmd::Search {
            req,
            folder: folder.clone(),
            query,
        })? {
            Event::SearchResult { uids, .. } => uids,
            _ => Vec::new(),
        },
    )
}

/// Fails naming the UIDs of `uids` that `folder` does not hold, so a script's typo changes
/// nothing (servers answer OK to a COPY or STORE of UIDs that do not exist).
pub fn require_existing(client: &mut Client, folder: &Folder, uids: &[Uid]) -> Result<()> {
    let query = search::Query::Uids(crate::imap::uidset::format(uids));
    let found: std::collections::HashSet<Uid> =
        search_uids(client, folder, query)?.into_iter().collect();
    let missing: Vec<Uid> = uids
        .iter()
        .copied()
        .filter(|u| !found.contains(u))
        .collect();
    match missing.as_slice() {
        [] => Ok(()),
        [one] => Err(Error::NotFound(format!(
            "no message with UID {one} in {folder}; nothing was changed"
        ))),
        many => Err(Error::NotFound(format!(
            "no messages with UIDs {} in {folder}; nothing was changed",
            crate::imap::uidset::format(many)
        ))),
    }
}

/// Copy, or move with `remove`; prints `UID<TAB>NEW-UID` for each message (NEW-UID empty
/// when the server does not report it).
pub fn transfer(
    client: &mut Client,
    folder: &Folder,
    uids: Vec<Uid>,
    dest: &Folder,
    remove: bool,
    out: &mut impl Write,
) -> Result<()> {
    let event = client.call(|req| Cmd::Copy {
        req,
        folder: folder.clone(),
        uids,
        dest: dest.clone(),
        remove,
    })?;
    let Event::Copied {
        uids,
        dest_uids,
        expunged,
        ..
    } = event
    else {
        return Ok(());
    };
    for (i, uid) in uids.iter().enumerate() {
        let new = dest_uids
            .as_ref()
            .and_then(|d| d.get(i))
            .map(u32::to_string)
            .unwrap_or_default();
        record(out, &[&uid.to_string(), &new])?;
    }
    if remove && !expunged {
        eprintln!(
            "tern: note: this server lacks UIDPLUS, so the originals in {folder} are only marked \\Deleted; `tern expunge {folder} UIDSET --all-deleted` removes every \\Deleted message there"
        );
    }
    Ok(())
}

/// Delete by the configured policy ([`policy::deletion`]).
pub fn delete(
    client: &mut Client,
    account: &Account,
    delete: DeletePolicy,
    folder: &Folder,
    uids: Vec<Uid>,
    out: &mut impl Write,
) -> Result<()> {
    let configured = account.trash_folder.as_deref();
    // A configured Trash needs no folder list.
    let listed = match configured {
        Some(_) => Vec::new(),
        None => client.folders()?,
    };
    let trash = policy::special_folder(configured, &listed, SpecialUse::Trash);
    match policy::deletion(delete, trash, folder) {
        Ok(Deletion::Flag) => mark(client, folder, uids, "+deleted"),
        Ok(Deletion::MoveTo(trash)) => transfer(client, folder, uids, &trash, true, out),
        Err(e) => Err(Error::NotFound(e.to_string())),
    }
}

/// Prints the UIDs that are really gone.
pub fn expunge(
    client: &mut Client,
    folder: &Folder,
    uids: Vec<Uid>,
    all_deleted: bool,
    out: &mut impl Write,
) -> Result<()> {
    if let Event::Expunged { uids, .. } = client.call(|req| Cmd::Expunge {
        req,
        folder: folder.clone(),
        uids,
        all_deleted,
    })? {
        for uid in uids {
            record(out, &[&uid.to_string()])?;
        }
    }
    Ok(())
}

pub fn search(
    client: &mut Client,
    folder: &Folder,
    text: &str,
    out: &mut impl Write,
) -> Result<()> {
    let query = search::parse(text).map_err(|e| {
        Error::Config(format!(
            "bad search query at {e}\n  {text}\n  {}^",
            " ".repeat(e.column.saturating_sub(1))
        ))
    })?;
    let uids = search_uids(client, folder, query)?;
    if uids.is_empty() {
        return Ok(());
    }
    for s in client.summaries(folder, uids)? {
        summary(out, s.view())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_ops() {
        assert_eq!(
            parse_flag_op("+seen").unwrap(),
            (true, Flags::from(Flag::Seen))
        );
        assert_eq!(
            parse_flag_op("-Flagged").unwrap(),
            (false, Flags::from(Flag::Flagged))
        );
        assert_eq!(
            parse_flag_op("+\\Deleted").unwrap(),
            (true, Flags::from(Flag::Deleted))
        );
        assert!(parse_flag_op("seen").is_err());
        assert!(parse_flag_op("+bogus").is_err());
        assert!(parse_flag_op("").is_err());
    }
}
