//! Commands that only read: check, folders, list, parts, read, save, export.

use std::io::Write;
use std::path::Path;

use super::client::Client;
use super::output::{io_err, record, summary, summary_fields};
use crate::config::Account;
use crate::error::{Error, Result};
use crate::imap::session;
use crate::mime::body::display_parts;
use crate::mime::headers::parse_headers;
use crate::mime::html::html_to_text;
use crate::mime::sanitize::{sanitize_line, sanitize_text};
use crate::mime::{Section, decode};
use crate::model::{Model, View};
use crate::msg::{Cmd, ConnState, Event, Folder, SaveTo, Uid};
use crate::save;

pub fn check(account: &Account, password: &str, out: &mut impl Write) -> Result<()> {
    if account.is_pop3() {
        let session = crate::pop3::session::Session::connect(account, password)?;
        print_info(&session.info, out)?;
        return session.quit();
    }
    let mut conn = session::connect(account, password)?;
    print_info(&conn.info, out)?;
    let _ = conn.session.logout();
    Ok(())
}

fn print_info(info: &crate::msg::SessionInfo, out: &mut impl Write) -> Result<()> {
    record(out, &["greeting", &info.greeting])?;
    record(out, &["tls", info.tls.as_deref().unwrap_or("none")])?;
    record(out, &["capabilities", &info.capabilities.join(" ")])?;
    record(out, &["auth", &info.auth])
}

pub fn folders(client: &mut Client, out: &mut impl Write) -> Result<()> {
    for f in client.folders()? {
        let (messages, unseen) = match f.status {
            Some(s) => (s.messages.to_string(), s.unseen.to_string()),
            None => (String::new(), String::new()),
        };
        let delimiter = f.folder.delimiter().map(String::from).unwrap_or_default();
        record(
            out,
            &[
                f.folder.name(),
                &delimiter,
                &f.attributes.join(" "),
                &messages,
                &unseen,
                if f.subscribed { "subscribed" } else { "" },
            ],
        )?;
    }
    Ok(())
}

/// With `--limit`, prints rows as the worker streams them (newest first) and stops at N;
/// otherwise prints the folder as the server has it once the sync (warm or cold) is done.
pub fn list(
    client: &mut Client,
    folder: &Folder,
    limit: Option<usize>,
    view: View,
    timings: bool,
    out: &mut impl Write,
) -> Result<()> {
    let start = std::time::Instant::now();
    let ms =
        |t: Option<std::time::Duration>| t.map_or(String::from("-"), |d| d.as_millis().to_string());
    let (mut connected, mut first_rows) = (None, None);
    let wanted = limit.unwrap_or(usize::MAX);
    client.send(Cmd::Select {
        folder: folder.clone(),
        read_only: true,
        first_screen: limit.unwrap_or(50).max(1),
    })?;
    let mut model = Model::default();
    let mut printed = 0usize;
    loop {
        let event = client.next()?;
        match &event {
            Event::Conn(ConnState::Connected(_)) => connected = connected.or(Some(start.elapsed())),
            Event::Summaries { .. } | Event::CachedSummaries { .. } => {
                first_rows = first_rows.or(Some(start.elapsed()))
            }
            _ => {}
        }
        let done = match &event {
            Event::Selected { uids, .. } => uids.is_empty() && limit.is_some(),
            Event::Summaries { chunk, .. } | Event::CachedSummaries { chunk, .. }
                if limit.is_some() =>
            {
                for s in chunk.iter().take(wanted - printed) {
                    summary(out, s.view())?;
                    printed += 1;
                }
                printed >= wanted
            }
            Event::SyncDone { .. } => true,
            _ => false,
        };
        model.apply(event);
        if done {
            break;
        }
    }
    // Before printing: writing 100 000 rows to a pipe is not part of getting them.
    let in_sync = start.elapsed();
    // Once, over the whole folder, rather than as each chunk arrives; the options decide, not
    // how the TUI last listed the folder.
    if model.view().map(|v| (v.order, v.threads)) != Some((view.order, view.threads)) {
        model.set_order(view.order);
        model.set_threads(view.threads);
    }
    if limit.is_none()
        && let Some(mb) = &model.mailbox
    {
        // One write per row would be one system call per row: standard output is line-buffered.
        let mut out = std::io::BufWriter::with_capacity(64 << 10, out);
        match &mb.threads {
            Some(c) => {
                for row in c.rows() {
                    if let Some(s) = mb.summaries.get(&row.uid) {
                        let mut fields = vec![row.depth.to_string()];
                        fields.extend(summary_fields(s));
                        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
                        record(&mut out, &fields)?;
                    }
                }
            }
            None => {
                for s in mb.rows() {
                    summary(&mut out, s)?;
                }
            }
        }
        out.flush().map_err(io_err)?;
    }
    if timings {
        eprintln!(
            "timings\tconnected_ms={}\tfirst_rows_ms={}\tin_sync_ms={}\tbytes_received={}",
            ms(connected),
            ms(first_rows),
            in_sync.as_millis(),
            crate::imap::stream::bytes_received()
        );
    }
    Ok(())
}

pub fn parts(client: &mut Client, folder: &Folder, uid: Uid, out: &mut impl Write) -> Result<()> {
    let (root, _) = client.structure(folder, uid)?;
    for p in root.walk() {
        record(
            out,
            &[
                &p.section.to_string(),
                &p.mime_type,
                p.filename.as_deref().unwrap_or(""),
                &p.size.to_string(),
            ],
        )?;
    }
    Ok(())
}

/// Width used to lay out HTML for `tern read`.
const READ_WIDTH: usize = 80;

pub fn read(
    client: &mut Client,
    folder: &Folder,
    uid: Uid,
    timings: bool,
    out: &mut impl Write,
) -> Result<()> {
    let (root, header, labels) = client.structure_and_labels(folder, uid)?;
    let h = parse_headers(&header);
    let labels = labels.join(", ");
    for (name, value) in [
        ("From", &h.from),
        ("To", &h.to),
        ("Cc", &h.cc),
        ("Date", &h.date),
        ("Subject", &h.subject),
        ("Labels", &labels),
    ] {
        if !value.is_empty() {
            writeln!(out, "{name}: {}", sanitize_line(value)).map_err(io_err)?;
        }
    }
    let mut links = Vec::new();
    for part in display_parts(&root) {
        let raw = client.part(folder, uid, &part.section)?;
        let text = decode::decode_text(part, &raw);
        writeln!(out).map_err(io_err)?;
        if part.mime_type == "text/html" {
            let rendered = html_to_text(&text, READ_WIDTH);
            for line in &rendered.lines {
                writeln!(out, "{}", sanitize_line(line)).map_err(io_err)?;
            }
            links.extend(rendered.links);
        } else {
            writeln!(out, "{}", sanitize_text(text.trim_end())).map_err(io_err)?;
        }
    }
    if !links.is_empty() {
        writeln!(out, "\nLinks:").map_err(io_err)?;
        for (i, url) in links.iter().enumerate() {
            writeln!(out, "[{}] {}", i + 1, sanitize_line(url)).map_err(io_err)?;
        }
    }
    if timings {
        eprintln!(
            "timings\tbytes_received={}",
            crate::imap::stream::bytes_received()
        );
    }
    Ok(())
}

pub struct SaveTarget<'a> {
    pub output: Option<&'a Path>,
    pub download_dir: &'a Path,
}

pub fn save_part(
    client: &mut Client,
    folder: &Folder,
    uid: Uid,
    section: &Section,
    target: SaveTarget,
    out: &mut impl Write,
) -> Result<()> {
    let (root, _) = client.structure(folder, uid)?;
    let part = root
        .find(section)
        .ok_or_else(|| Error::NotFound(format!("message {uid} has no part {section}")))?
        .clone();
    let to = SaveTo {
        output: target.output.map(Path::to_path_buf),
        download_dir: target.download_dir.to_path_buf(),
    };
    match client.save(folder, uid, part, to)? {
        Some(path) => writeln!(out, "{}", path.display()).map_err(io_err),
        None => Ok(()),
    }
}

/// The raw message, byte for byte as the server stores it.
pub fn export(
    client: &mut Client,
    folder: &Folder,
    uid: Uid,
    output: Option<&Path>,
    out: &mut impl Write,
) -> Result<()> {
    let bytes = match client.call(|req| Cmd::FetchRaw {
        req,
        folder: folder.clone(),
        uid,
    })? {
        Event::Raw { bytes, .. } if !bytes.is_empty() => bytes,
        _ => {
            return Err(Error::NotFound(format!(
                "no message with UID {uid} in {folder}"
            )));
        }
    };
    match output {
        None => out.write_all(&bytes).map_err(io_err),
        Some(p) if p == Path::new("-") => out.write_all(&bytes).map_err(io_err),
        Some(p) => {
            let path = save::write_new(Some(p), p, &format!("{uid}.eml"), &bytes)?;
            writeln!(out, "{}", path.display()).map_err(io_err)
        }
    }
}
