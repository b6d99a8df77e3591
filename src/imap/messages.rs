//! Per-folder operations: open a folder, learn its UIDs, fetch summaries, structure and parts.
//! Plain blocking functions over a [`Connection`]; the worker decides when to call them.

use imap_proto::MailboxDatum;
use imap_proto::types::{AttributeValue, MessageSection, Response, ResponseCode, SectionPath};

use crate::error::{Error, Result};
use crate::imap::guard::Expect;
use crate::imap::session::{Connection, map_err};
use crate::imap::{quirks, summary_reader, uidset};
use crate::mime::{Part, Section};
use crate::msg::{Flag, Flags, Summary, Uid};
use crate::utf7;

/// What SELECT/EXAMINE told us.
#[derive(Debug, Clone, Default)]
pub struct Opened {
    pub exists: u32,
    pub uid_validity: u32,
    pub uid_next: u32,
    /// 0 when the server does not keep modification sequences for this folder.
    pub highest_modseq: u64,
    pub read_only: bool,
}

/// What a QRESYNC SELECT (RFC 7162) reported beyond the usual: messages gone since the
/// known MODSEQ, and the flags of messages changed (or new) since then.
#[derive(Debug, Clone, Default)]
pub struct Delta {
    pub vanished: uidset::Ranges,
    pub changed: Vec<(Uid, Flags)>,
}

/// SELECT (or EXAMINE) through a raw command: the crate's `select` panics on an untagged
/// NO/BAD during SELECT, and we want the response codes it drops.
pub fn open(conn: &mut Connection, raw_name: &str, read_only: bool) -> Result<Opened> {
    open_with(conn, raw_name, read_only, None).map(|(o, _)| o)
}

/// SELECT/EXAMINE with QRESYNC parameters (`known` = UIDVALIDITY and MODSEQ of the cache),
/// when QRESYNC is enabled; otherwise a plain open with an empty delta.
pub fn open_with(
    conn: &mut Connection,
    raw_name: &str,
    read_only: bool,
    known: Option<(u32, u64)>,
) -> Result<(Opened, Delta)> {
    let verb = if read_only { "EXAMINE" } else { "SELECT" };
    let qresync = match known {
        Some((uv, modseq)) if modseq > 0 && conn.enabled("QRESYNC") => {
            format!(" (QRESYNC ({uv} {modseq}))")
        }
        _ => String::new(),
    };
    let (data, _) = conn
        .session
        .run(format!("{verb} {}{qresync}", utf7::quote(raw_name)))
        .map_err(|e| map_err(verb, e))?;
    let mut opened = Opened {
        read_only,
        ..Opened::default()
    };
    let mut delta = Delta::default();
    let mut vanished = Vec::new();
    for resp in responses(&data) {
        match resp {
            Response::MailboxData(MailboxDatum::Exists(n)) => opened.exists = n,
            Response::Data {
                code: Some(code), ..
            }
            | Response::Done {
                code: Some(code), ..
            } => match code {
                ResponseCode::UidValidity(v) => opened.uid_validity = v,
                ResponseCode::UidNext(n) => opened.uid_next = n,
                ResponseCode::HighestModSeq(m) => opened.highest_modseq = m,
                ResponseCode::ReadOnly => opened.read_only = true,
                _ => {}
            },
            Response::Vanished { uids, .. } => vanished.extend(uids),
            Response::Fetch(_, attrs) => {
                if let Some(change) = uid_and_flags(&attrs) {
                    delta.changed.push(change);
                }
            }
            _ => {}
        }
    }
    delta.vanished = uidset::Ranges::new(vanished);
    // No UID at or past UIDNEXT has ever existed, so none can have vanished.
    if let Some(max) = delta.vanished.max()
        && opened.uid_next > 0
        && max >= opened.uid_next
    {
        return Err(Error::Protocol(format!(
            "the server reported UID {max} as expunged, but its UIDs end below {}",
            opened.uid_next
        )));
    }
    Ok((opened, delta))
}

fn uid_and_flags(attrs: &[AttributeValue]) -> Option<(Uid, Flags)> {
    let uid = attrs.iter().find_map(|a| match a {
        AttributeValue::Uid(u) => Some(*u),
        _ => None,
    })?;
    let flags = attrs.iter().find_map(|a| match a {
        AttributeValue::Flags(f) => Some(flag_bits(f.iter().map(|s| s.as_ref()))),
        _ => None,
    })?;
    Some((uid, flags))
}

fn flag_bits<'a>(names: impl Iterator<Item = &'a str>) -> Flags {
    names
        .filter_map(|n| Flag::from_imap(n.as_bytes()))
        .collect()
}

/// Flags of every message changed since `modseq` (CONDSTORE `CHANGEDSINCE`).
pub fn flags_changed_since(conn: &mut Connection, modseq: u64) -> Result<Vec<(Uid, Flags)>> {
    let (data, _) = conn
        .session
        .run(format!("UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE {modseq})"))
        .map_err(|e| map_err("UID FETCH", e))?;
    Ok(responses(&data)
        .into_iter()
        .filter_map(|r| match r {
            Response::Fetch(_, attrs) => uid_and_flags(&attrs),
            _ => None,
        })
        .collect())
}

/// Every response in `data`; a line we cannot parse is skipped, not fatal, because servers
/// add untagged data of their own.
pub fn responses(data: &[u8]) -> Vec<Response<'_>> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        match imap_proto::parser::parse_response(rest) {
            Ok((next, resp)) => {
                out.push(resp);
                rest = next;
            }
            Err(_) => match rest.windows(2).position(|w| w == b"\r\n") {
                Some(end) => rest = &rest[end + 2..],
                None => break,
            },
        }
    }
    out
}

/// All UIDs of the open folder, newest (highest) first. With ESEARCH (RFC 4731) they come
/// as ranges: `1:100000` where a plain SEARCH sends 589 KB at 100 000 messages, to be
/// read and parsed before the cold sync can go on.
pub fn uids(conn: &mut Connection) -> Result<Vec<Uid>> {
    let mut uids: Vec<Uid> = if conn.has("ESEARCH") {
        // Ranges: a folder whose every other message is gone still fits many millions.
        const MAX_REPLY: usize = 64 << 20;
        let (tag, reply) = conn
            .raw
            .lock()
            .exchange("UID SEARCH RETURN (ALL) ALL", MAX_REPLY)
            .map_err(|e| map_err("UID SEARCH", imap::Error::Io(e)))?;
        esearch_all(&tag, &reply)?
    } else {
        let set = conn
            .session
            .uid_search("ALL")
            .map_err(|e| map_err("UID SEARCH", e))?;
        set.into_iter().collect()
    };
    uids.sort_unstable_by_key(|u| std::cmp::Reverse(*u));
    Ok(uids)
}

/// The UIDs of an `* ESEARCH (TAG "t") UID ALL set` reply ending in our tagged line; none when
/// the folder is empty (no ALL). Other untagged lines (EXISTS, FETCH) are not ours to read.
fn esearch_all(tag: &str, reply: &[u8]) -> Result<Vec<Uid>> {
    let text = String::from_utf8_lossy(reply);
    let mut uids = Vec::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        let words: Vec<&str> = line.split_ascii_whitespace().collect();
        match words.as_slice() {
            ["*", esearch, rest @ ..] if esearch.eq_ignore_ascii_case("ESEARCH") => {
                if let Some(at) = rest.iter().position(|w| w.eq_ignore_ascii_case("ALL")) {
                    let set = rest.get(at + 1).ok_or_else(|| {
                        Error::Protocol("UID SEARCH: an ESEARCH reply without its set".into())
                    })?;
                    uids = uidset::parse(set).map_err(|e| {
                        Error::Protocol(format!("UID SEARCH: the server's ESEARCH reply: {e}"))
                    })?;
                }
            }
            [t, status, ..] if *t == tag && !status.eq_ignore_ascii_case("OK") => {
                let said = line[tag.len()..].trim().to_string();
                return Err(Error::Server {
                    command: "UID SEARCH".into(),
                    text: quirks::explain(crate::imap::raw8::restore(said)),
                });
            }
            _ => {}
        }
    }
    Ok(uids)
}

/// Summaries of the messages numbered `first..=last` (sequence numbers), newest first: a
/// screenful of a folder without waiting for its UID list, the newest (`EXISTS-n+1:EXISTS`,
/// the first screen) or the oldest (`1:n`, End).
pub fn by_sequence(conn: &mut Connection, first: u32, last: u32) -> Result<Vec<Summary>> {
    if first == 0 || last < first {
        return Ok(Vec::new());
    }
    summary_reader::fetch(
        conn,
        "FETCH",
        &format!("{first}:{last}"),
        (last - first + 1) as usize,
    )
}

/// [`by_sequence`] without the sizes (each 0), for a big folder's first screen: see
/// [`summary_reader::ITEMS_WITHOUT_SIZE`]; [`sizes_by_sequence`] brings them.
pub fn by_sequence_without_size(
    conn: &mut Connection,
    first: u32,
    last: u32,
) -> Result<Vec<Summary>> {
    if first == 0 || last < first {
        return Ok(Vec::new());
    }
    let items = summary_reader::ITEMS_WITHOUT_SIZE;
    let count = (last - first + 1) as usize;
    summary_reader::fetch_items(conn, "FETCH", &format!("{first}:{last}"), count, items)
}

/// The sizes (RFC822.SIZE) of the messages numbered `first..=last`, by UID.
pub fn sizes_by_sequence(conn: &mut Connection, first: u32, last: u32) -> Result<Vec<(Uid, u32)>> {
    if first == 0 || last < first {
        return Ok(Vec::new());
    }
    let fetches = conn
        .session
        .fetch(format!("{first}:{last}"), "(UID RFC822.SIZE)")
        .map_err(|e| map_err("FETCH", e))?;
    Ok(fetches
        .iter()
        .filter_map(|f| Some((f.uid?, f.size?)))
        .collect())
}

/// Summaries for `uids`, newest (highest UID) first.
pub fn summaries(conn: &mut Connection, uids: &[Uid]) -> Result<Vec<Summary>> {
    if uids.is_empty() {
        return Ok(Vec::new());
    }
    summary_reader::fetch(conn, "UID FETCH", &uidset::format(uids), uids.len())
}

/// `UID FETCH 1:* (UID FLAGS)`: every message's flags, for comparing with what we know.
pub fn flags_of_all(conn: &mut Connection) -> Result<Vec<(Uid, Flags)>> {
    let fetches = conn
        .session
        .uid_fetch("1:*", "(UID FLAGS)")
        .map_err(|e| map_err("UID FETCH", e))?;
    Ok(fetches
        .iter()
        .filter_map(|f| Some((f.uid?, flags(f.flags()))))
        .collect())
}

pub fn flags(list: &[imap::types::Flag]) -> Flags {
    use imap::types::Flag as F;
    list.iter()
        .filter_map(|f| match f {
            F::Seen => Some(Flag::Seen),
            F::Answered => Some(Flag::Answered),
            F::Flagged => Some(Flag::Flagged),
            F::Deleted => Some(Flag::Deleted),
            F::Draft => Some(Flag::Draft),
            F::Recent => Some(Flag::Recent),
            _ => None,
        })
        .collect()
}

/// `UID FETCH uid items` of one message, handing its answer to `take`; a UID the folder does
/// not hold is an error naming it.
fn fetch_one<T>(
    conn: &mut Connection,
    uid: Uid,
    items: &str,
    take: impl FnOnce(&imap::types::Fetch) -> Result<T>,
) -> Result<T> {
    let fetches = conn
        .session
        .uid_fetch(uid.to_string(), items)
        .map_err(|e| map_err("UID FETCH", e))?;
    let f = fetches
        .iter()
        .find(|f| f.uid == Some(uid))
        .ok_or_else(|| Error::NotFound(format!("no message with UID {uid} in this folder")))?;
    take(f)
}

/// BODYSTRUCTURE and the header block of one message.
pub fn structure(conn: &mut Connection, uid: Uid) -> Result<(Part, Vec<u8>)> {
    fetch_one(conn, uid, "(UID BODYSTRUCTURE BODY.PEEK[HEADER])", |f| {
        let bs = f
            .bodystructure()
            .ok_or_else(|| Error::Protocol("the server sent no BODYSTRUCTURE".into()))?;
        Ok((
            crate::mime::structure::from_bodystructure(bs),
            f.header().unwrap_or_default().to_vec(),
        ))
    })
}

/// Gmail's labels of one message (X-GM-EXT-1), named for display: read-only in tern, since a
/// label change is a copy or move on Gmail and those have their own commands.
pub fn gmail_labels(conn: &mut Connection, uid: Uid) -> Result<Vec<String>> {
    fetch_one(conn, uid, "(UID X-GM-LABELS)", |f| {
        Ok(f.gmail_labels()
            .map(|labels| labels.map(quirks::label_name).collect())
            .unwrap_or_default())
    })
}

/// The raw bytes of one part (`BODY.PEEK`, so \Seen is left alone).
pub fn part(conn: &mut Connection, uid: Uid, section: &Section) -> Result<Vec<u8>> {
    let query = format!("(UID BODY.PEEK[{}])", section.imap_spec());
    fetch_one(conn, uid, &query, |f| {
        let path = match (section.path.is_empty(), section.text) {
            (true, _) => SectionPath::Full(MessageSection::Text),
            (false, true) => SectionPath::Part(section.path.clone(), Some(MessageSection::Text)),
            (false, false) => SectionPath::Part(section.path.clone(), None),
        };
        let bytes = match &path {
            SectionPath::Full(_) => f.text(),
            _ => f.section(&path),
        };
        bytes
            .map(<[u8]>::to_vec)
            .ok_or_else(|| Error::NotFound(format!("message {uid} has no part {section}")))
    })
}

/// The whole message as stored on the server.
pub fn raw(conn: &mut Connection, uid: Uid) -> Result<Vec<u8>> {
    // Its size first: the answer is then capped (and timed) by it, not by a general cap.
    let size = fetch_one(conn, uid, "(UID RFC822.SIZE)", |f| Ok(f.size))?;
    if let Some(size) = size {
        conn.raw.lock().expect(Expect::literal(u64::from(size)));
    }
    fetch_one(conn, uid, "(UID BODY.PEEK[])", |f| {
        Ok(f.body().unwrap_or_default().to_vec())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esearch_all_reads_ranges_and_refusals() {
        let reply =
            b"* 3 EXISTS\r\n* ESEARCH (TAG \"t7\") UID ALL 1:3,7,9:10\r\nt7 OK Search done\r\n";
        assert_eq!(esearch_all("t7", reply).unwrap(), vec![1, 2, 3, 7, 9, 10]);
        let empty = b"* ESEARCH (TAG \"t8\") UID\r\nt8 OK done\r\n";
        assert_eq!(esearch_all("t8", empty).unwrap(), Vec::<Uid>::new());
        let refused = b"t9 NO [SERVERBUG] broken\r\n";
        assert!(matches!(
            esearch_all("t9", refused),
            Err(Error::Server { .. })
        ));
        let garbled = b"* ESEARCH (TAG \"t1\") UID ALL 1:x\r\nt1 OK done\r\n";
        assert!(matches!(
            esearch_all("t1", garbled),
            Err(Error::Protocol(_))
        ));
    }
}
