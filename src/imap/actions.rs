//! Changes to messages: STORE, COPY/MOVE, EXPUNGE, APPEND, and SEARCH. Every one names
//! messages by UID and touches exactly the UIDs it is given.

use imap_proto::types::{MailboxDatum, Response, ResponseCode, UidSetMember};

use crate::error::{Error, Result};
use crate::imap::messages::responses;
use crate::imap::session::{Connection, map_err};
use crate::imap::uidset;
use crate::msg::{Flag, Flags, Uid};
use crate::search::Query;
use crate::utf7;

/// The IMAP names of `flags` a client may set: \Recent is the server's (RFC 3501 2.3.2).
fn settable(flags: Flags) -> Vec<&'static str> {
    flags
        .iter()
        .filter(|f| *f != Flag::Recent)
        .map(Flag::imap_name)
        .collect()
}

pub fn store(conn: &mut Connection, uids: &[Uid], add: bool, flags: Flags) -> Result<()> {
    let names = settable(flags);
    if uids.is_empty() || names.is_empty() {
        return Ok(());
    }
    let sign = if add { '+' } else { '-' };
    let names = names.join(" ");
    conn.session
        .run(format!(
            "UID STORE {} {sign}FLAGS.SILENT ({names})",
            uidset::format(uids)
        ))
        .map_err(|e| map_err("UID STORE", e))?;
    Ok(())
}

/// Sets or clears a keyword (`$Forwarded`, RFC 5788). Only atom characters are allowed, so
/// nothing else can be smuggled into the command.
pub fn store_keyword(conn: &mut Connection, uids: &[Uid], add: bool, keyword: &str) -> Result<()> {
    let atom = !keyword.is_empty()
        && keyword
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"(){%*\"]\\".contains(&b));
    if !atom {
        return Err(Error::Config(format!(
            "\"{keyword}\" is not a valid IMAP keyword"
        )));
    }
    if uids.is_empty() {
        return Ok(());
    }
    let sign = if add { '+' } else { '-' };
    conn.session
        .run(format!(
            "UID STORE {} {sign}FLAGS.SILENT ({keyword})",
            uidset::format(uids)
        ))
        .map_err(|e| map_err("UID STORE", e))?;
    Ok(())
}

/// The outcome of a copy or move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// Parallel to the UIDs given, when the server reported COPYUID.
    pub dest_uids: Option<Vec<Uid>>,
    /// False when a move could only mark the originals \Deleted.
    pub expunged: bool,
}

/// Copies, or moves with `remove`: UID MOVE where advertised; else UID COPY, then
/// \Deleted and UID EXPUNGE of exactly those UIDs. Without UIDPLUS the originals are only
/// marked \Deleted, because a plain EXPUNGE could remove messages the user never chose.
pub fn copy(conn: &mut Connection, uids: &[Uid], dest_raw: &str, remove: bool) -> Result<Copied> {
    let set = uidset::format(uids);
    let dest = utf7::quote(dest_raw);
    if remove && conn.has("MOVE") {
        let (data, _) = conn
            .session
            .run(format!("UID MOVE {set} {dest}"))
            .map_err(|e| map_err("UID MOVE", e))?;
        return Ok(Copied {
            dest_uids: copy_uids(&data, uids),
            expunged: true,
        });
    }
    let (data, _) = conn
        .session
        .run(format!("UID COPY {set} {dest}"))
        .map_err(|e| map_err("UID COPY", e))?;
    let dest_uids = copy_uids(&data, uids);
    if !remove {
        return Ok(Copied {
            dest_uids,
            expunged: false,
        });
    }
    store(conn, uids, true, Flags::from(Flag::Deleted))?;
    let expunged = conn.has("UIDPLUS");
    if expunged {
        expunge(conn, uids)?;
    }
    Ok(Copied {
        dest_uids,
        expunged,
    })
}

/// Maps each given UID to its new UID from a COPYUID response code (RFC 4315), whose source
/// and destination sets pair up in order. The sets stay ranges until they are known to be no
/// larger than the copy. A code naming more messages than we copied breaks the protocol; the
/// copy itself succeeded, so it is reported without new UIDs rather than as a failure.
fn copy_uids(data: &[u8], uids: &[Uid]) -> Option<Vec<Uid>> {
    let ranges = |set: Vec<UidSetMember>| -> Vec<std::ops::RangeInclusive<Uid>> {
        set.into_iter()
            .map(|m| match m {
                UidSetMember::Uid(u) => u..=u,
                UidSetMember::UidRange(r) => r,
            })
            .collect()
    };
    let (src, dst) = responses(data).into_iter().find_map(|r| match r {
        Response::Data {
            code: Some(ResponseCode::CopyUid(_, src, dst)),
            ..
        }
        | Response::Done {
            code: Some(ResponseCode::CopyUid(_, src, dst)),
            ..
        } => Some((ranges(src), ranges(dst))),
        _ => None,
    })?;
    let count = |set: &[std::ops::RangeInclusive<Uid>]| -> u64 {
        set.iter()
            .map(|r| u64::from(r.start().abs_diff(*r.end())) + 1)
            .sum()
    };
    let copied = uids.len() as u64;
    if count(&src) > copied || count(&dst) > copied {
        tracing::warn!(
            "protocol error: the server's COPYUID names {} messages; {copied} were copied",
            count(&src).max(count(&dst))
        );
        return None;
    }
    if count(&src) != count(&dst) {
        return None;
    }
    // Both sets hold at most as many UIDs as we sent, so listing them is bounded.
    let list = |set: Vec<std::ops::RangeInclusive<Uid>>| -> Vec<Uid> {
        set.into_iter()
            .flat_map(|r| {
                let (a, b) = (*r.start(), *r.end());
                a.min(b)..=a.max(b)
            })
            .collect()
    };
    let map: std::collections::HashMap<Uid, Uid> = list(src).into_iter().zip(list(dst)).collect();
    uids.iter().map(|u| map.get(u).copied()).collect()
}

/// UID EXPUNGE of exactly `uids` (those of them marked \Deleted); returns the UIDs that are
/// really gone, checked with a UID SEARCH afterwards.
pub fn expunge(conn: &mut Connection, uids: &[Uid]) -> Result<Vec<Uid>> {
    if !conn.has("UIDPLUS") {
        return Err(Error::Refused(
            "this server lacks UIDPLUS, so tern cannot expunge only the chosen messages".into(),
        ));
    }
    let set = uidset::format(uids);
    conn.session
        .run(format!("UID EXPUNGE {set}"))
        .map_err(|e| map_err("UID EXPUNGE", e))?;
    let remaining = conn
        .session
        .uid_search(format!("UID {set}"))
        .map_err(|e| map_err("UID SEARCH", e))?;
    Ok(uids
        .iter()
        .copied()
        .filter(|u| !remaining.contains(u))
        .collect())
}

/// A plain EXPUNGE: removes every \Deleted message in the folder. Only on explicit request.
pub fn expunge_all_deleted(conn: &mut Connection) -> Result<()> {
    conn.session
        .expunge()
        .map_err(|e| map_err("EXPUNGE", e))
        .map(|_| ())
}

pub fn search(conn: &mut Connection, query: &Query) -> Result<Vec<Uid>> {
    let charset = if query.needs_utf8() {
        "CHARSET UTF-8 "
    } else {
        ""
    };
    let criteria = query.to_imap(conn.has("LITERAL+"));
    let (data, _) = conn
        .session
        .run(format!("UID SEARCH {charset}{criteria}"))
        .map_err(|e| map_err("UID SEARCH", e))?;
    let mut uids: Vec<Uid> = responses(&data)
        .into_iter()
        .filter_map(|r| match r {
            Response::MailboxData(MailboxDatum::Search(v)) => Some(v),
            _ => None,
        })
        .flatten()
        .collect();
    uids.sort_unstable_by_key(|u| std::cmp::Reverse(*u));
    Ok(uids)
}

pub fn append(
    conn: &mut Connection,
    folder_raw: &str,
    bytes: &[u8],
    flags: Flags,
    date: Option<(i64, i32)>,
) -> Result<Option<Uid>> {
    let flag_list: Vec<imap::types::Flag> = settable(flags)
        .into_iter()
        .map(|f| imap::types::Flag::from(f.to_string()))
        .collect();
    let mut cmd = conn.session.append(folder_raw, bytes);
    cmd.flags(flag_list);
    if let Some(d) = date.and_then(|(secs, off)| {
        let offset = chrono::FixedOffset::east_opt(off)?;
        Some(chrono::DateTime::from_timestamp(secs, 0)?.with_timezone(&offset))
    }) {
        cmd.internal_date(d);
    }
    let appended = cmd.finish().map_err(|e| match e {
        // The server answered the command with its tagged NO (or BAD) instead of asking for
        // the message: nothing was stored, the exchange is over, and sending it again would
        // be refused again. The crate keeps the server's words to itself.
        imap::Error::Append => Error::Refused(format!(
            "the server refused to store the message in {}",
            crate::utf7::decode(folder_raw)
        )),
        e => map_err("APPEND", e),
    })?;
    Ok(appended.uids.and_then(|set| match set.first() {
        Some(UidSetMember::Uid(u)) => Some(*u),
        Some(UidSetMember::UidRange(r)) => Some(*r.start()),
        None => None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(code: &str) -> Vec<u8> {
        format!("a1 OK [{code}] done\r\n").into_bytes()
    }

    #[test]
    fn copyuid_pairs_ranges_in_order() {
        let data = done("COPYUID 9 3:5,8 100:103");
        assert_eq!(
            copy_uids(&data, &[8, 3, 4, 5]),
            Some(vec![103, 100, 101, 102])
        );
        assert_eq!(copy_uids(b"a1 OK done\r\n", &[1]), None);
    }

    #[test]
    fn copyuid_wider_than_the_copy_is_ignored_unlisted() {
        let data = done("COPYUID 1 1:4294967295 1:4294967295");
        assert_eq!(copy_uids(&data, &[1, 2]), None);
    }
}
