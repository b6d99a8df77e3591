//! `tern move|copy FOLDER UIDSET DEST --to-account NAME`: messages go from one account's server
//! to another's. IMAP cannot copy between servers, so each message is fetched whole and
//! APPENDed to the destination with its flags and INTERNALDATE; a move then removes the
//! originals by UID, and only those whose APPEND the destination confirmed. So a failure never
//! loses a message: before the destination confirms, the source is untouched; after it, a
//! failed removal leaves the message in both places, and tern says so.

use std::io::Write;

use super::client::Client;
use super::output::record;
use crate::error::{Error, Result};
use crate::msg::{Cmd, Event, Flag, FlagChange, Folder, Uid};

/// Copies (or, with `remove`, moves) `uids` of `folder` in `from` to `dest` in `to`. Prints
/// `UID<TAB>NEW-UID` for each message the destination holds (NEW-UID empty when the server
/// does not report it); fails on the first message the destination refused, after removing
/// the ones it did take.
pub fn transfer(
    from: &mut Client,
    folder: &Folder,
    uids: Vec<Uid>,
    to: &mut Client,
    dest: &Folder,
    remove: bool,
    out: &mut impl Write,
) -> Result<()> {
    let mut copied = Vec::new();
    let mut refused = None;
    for summary in from.summaries(folder, uids)? {
        let uid = summary.uid;
        let appended = fetch_raw(from, folder, uid).and_then(|bytes| {
            to.call(|req| Cmd::Append {
                req,
                folder: dest.clone(),
                bytes,
                // \Recent is the server's to set; the rest travel with the message.
                flags: summary.flags.minus(Flag::Recent.into()),
                date: Some((summary.date, summary.date_offset)),
            })
        });
        match appended {
            Ok(Event::Appended { uid: new, .. }) => {
                let new = new.map(|n| n.to_string()).unwrap_or_default();
                record(out, &[&uid.to_string(), &new])?;
                copied.push(uid);
            }
            // Only `Appended` is the server's word: anything else (a change queued while the
            // link is down) leaves the original where it is.
            Ok(_) => {
                let e = Error::Network(format!("{dest} did not confirm the APPEND"));
                refused = Some((uid, e));
                break;
            }
            Err(e) => {
                refused = Some((uid, e));
                break;
            }
        }
    }
    if remove && !copied.is_empty() {
        remove_originals(from, folder, &copied, dest)?;
    }
    match refused {
        None => Ok(()),
        Some((uid, e)) => Err(Error::Refused(format!(
            "message {uid} was not {} ({e}); it is still in {folder}, and so is any message after it",
            if remove { "moved" } else { "copied" }
        ))),
    }
}

fn fetch_raw(client: &mut Client, folder: &Folder, uid: Uid) -> Result<Vec<u8>> {
    match client.call(|req| Cmd::FetchRaw {
        req,
        folder: folder.clone(),
        uid,
    })? {
        Event::Raw { bytes, .. } => Ok(bytes),
        _ => Err(Error::NotFound(format!(
            "no message with UID {uid} in {folder}"
        ))),
    }
}

/// Marks the originals \Deleted and expunges exactly them. Either step failing leaves them in
/// both places, which the error says.
fn remove_originals(
    client: &mut Client,
    folder: &Folder,
    uids: &[Uid],
    dest: &Folder,
) -> Result<()> {
    let both = |e: Error| {
        Error::Refused(format!(
            "messages {} are now in both {folder} and {dest}: removing the originals failed ({e})",
            crate::imap::uidset::format(uids)
        ))
    };
    let change = FlagChange {
        folder: folder.clone(),
        uids: uids.to_vec(),
        add: true,
        flags: Flag::Deleted.into(),
    };
    client
        .call(|req| Cmd::Store { req, change })
        .map_err(both)?;
    let expunged = client
        .call(|req| Cmd::Expunge {
            req,
            folder: folder.clone(),
            uids: uids.to_vec(),
            all_deleted: false,
        })
        .map_err(both)?;
    match expunged {
        Event::Expunged { uids: gone, .. } if gone.len() == uids.len() => Ok(()),
        _ => Err(both(Error::Refused(
            "the server kept some of them, marked \\Deleted".into(),
        ))),
    }
}
