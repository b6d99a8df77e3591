//! Folder management and import: mkdir, rename, rmdir, subscribe, unsubscribe, import.

use std::io::Write;
use std::path::PathBuf;

use super::client::Client;
use super::output::record;
use super::triage::parse_flag_op;
use crate::error::{Error, Result};
use crate::msg::{Cmd, Event, Flags, Folder, FolderOp};

pub fn folder_op(client: &mut Client, op: FolderOp) -> Result<()> {
    client.call(|req| Cmd::Manage { req, op })?;
    Ok(())
}

/// Deletes a folder; one that holds messages needs `yes`, one with subfolders is refused.
pub fn rmdir(client: &mut Client, name: &Folder, yes: bool) -> Result<()> {
    let folders = client.folders()?;
    let folder = folders
        .iter()
        .find(|f| f.folder == *name)
        .ok_or_else(|| Error::NotFound(format!("no folder named {name}")))?;
    let count = folder.status.map_or(0, |s| s.messages);
    if count > 0 && !yes {
        return Err(Error::Config(format!(
            "{name} holds {count} message(s); pass --yes to delete it with them"
        )));
    }
    folder_op(client, FolderOp::Delete(folder.folder.clone()))
}

/// `seen,flagged` or `\Seen \Flagged` → flags.
pub fn parse_flags(text: &str) -> Result<Flags> {
    text.split([',', ' '])
        .filter(|s| !s.is_empty())
        .try_fold(Flags::NONE, |acc, name| {
            let (_, f) = parse_flag_op(&format!("+{name}"))?;
            Ok(acc.union(f))
        })
}

/// APPENDs each file with `flags` and its own Date header as the internal date; prints
/// `FILE<TAB>UID`.
pub fn import(
    client: &mut Client,
    folder: &Folder,
    files: &[PathBuf],
    flags: Flags,
    out: &mut impl Write,
) -> Result<()> {
    for file in files {
        let bytes = std::fs::read(file)
            .map_err(|e| Error::Io(format!("cannot read {}: {e}", file.display())))?;
        let date = header_date(&bytes);
        let event = client.call(|req| Cmd::Append {
            req,
            folder: folder.clone(),
            bytes,
            flags,
            date,
        })?;
        let uid = match event {
            Event::Appended { uid: Some(u), .. } => u.to_string(),
            _ => String::new(),
        };
        record(out, &[&file.display().to_string(), &uid])?;
    }
    Ok(())
}

/// The message's Date header as (seconds since the epoch, UTC offset in seconds).
fn header_date(bytes: &[u8]) -> Option<(i64, i32)> {
    let msg = mail_parser::MessageParser::default().parse_headers(bytes)?;
    let d = msg.date()?;
    let offset = (i32::from(d.tz_hour) * 3600 + i32::from(d.tz_minute) * 60)
        * if d.tz_before_gmt { -1 } else { 1 };
    Some((d.to_timestamp(), offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::Flag;

    #[test]
    fn flags_and_dates() {
        assert_eq!(
            parse_flags("\\Seen \\Flagged").unwrap(),
            Flag::Seen | Flag::Flagged
        );
        assert_eq!(
            parse_flags("seen,answered").unwrap(),
            Flag::Seen | Flag::Answered
        );
        assert!(parse_flags("bogus").is_err());
        let (secs, off) =
            header_date(b"Date: Mon, 2 Feb 2026 10:00:00 -0500\r\nSubject: x\r\n\r\nbody").unwrap();
        assert_eq!(secs, 1_770_044_400);
        assert_eq!(off, -5 * 3600);
    }
}
