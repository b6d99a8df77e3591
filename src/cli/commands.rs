//! What each CLI command does, on top of the worker and model.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Args, Command};
use crate::config::{self, Account, Config};
use crate::error::{Error, Result};
use crate::imap::{session, worker};
use crate::mime::body::display_parts;
use crate::mime::filename::{create_unique, safe_filename};
use crate::mime::headers::parse_headers;
use crate::mime::html::html_to_text;
use crate::mime::sanitize::{sanitize_line, sanitize_text};
use crate::mime::{Part, Section, decode};
use crate::model::Model;
use crate::msg::{Cmd, Event, ReqId, Uid};

/// Runs a CLI command; the caller prints the error and exits with its code.
pub fn run(args: &Args, command: &Command) -> Result<()> {
    let config = load_config(args)?;
    let account = config.account(args.account.as_deref())?.clone();
    let password = config::resolve_password(&account)?;
    let out = &mut std::io::stdout().lock();
    match command {
        Command::Check => check(&account, &password, out),
        Command::Folders => folders(account, password, out),
        Command::List { folder, limit } => list(account, password, folder, *limit, out),
        Command::Parts { folder, uid } => parts(account, password, folder, *uid, out),
        Command::Read { folder, uid } => read(account, password, folder, *uid, out),
        Command::Save {
            folder,
            uid,
            section,
            output,
        } => {
            let section: Section =
                section
                    .parse()
                    .map_err(|e: crate::mime::section::SectionParseError| {
                        Error::Config(e.to_string())
                    })?;
            let dir = config.download_dir();
            save(
                account,
                password,
                folder,
                *uid,
                &section,
                output.as_deref(),
                &dir,
                out,
            )
        }
    }
}

pub fn load_config(args: &Args) -> Result<Config> {
    let path = match &args.config {
        Some(p) => p.clone(),
        None => config::default_path().ok_or_else(|| {
            Error::Config("cannot find a config directory; pass --config PATH".into())
        })?,
    };
    if !path.exists() {
        return Err(Error::Config(format!(
            "no config file at {}; copy config.example.toml there and fill in your account (see README.md)",
            path.display()
        )));
    }
    let loaded = config::load(&path)?;
    for w in &loaded.warnings {
        eprintln!("tern: warning: {w}");
    }
    Ok(loaded.config)
}

fn io_err(e: std::io::Error) -> Error {
    Error::Io(format!("cannot write output: {e}"))
}

fn check(account: &Account, password: &str, out: &mut impl Write) -> Result<()> {
    let mut conn = session::connect(account, password)?;
    let info = &conn.info;
    let lines = [
        ("greeting", info.greeting.clone()),
        ("tls", info.tls.clone().unwrap_or_else(|| "none".into())),
        ("capabilities", info.capabilities.join(" ")),
        ("auth", info.auth.clone()),
    ];
    for (k, v) in lines {
        writeln!(out, "{k}\t{}", sanitize_line(&v)).map_err(io_err)?;
    }
    let _ = conn.session.logout();
    Ok(())
}

/// A worker for one CLI command, with a model fed from its events.
struct Client {
    handle: Option<worker::Handle>,
    model: Model,
    next_req: ReqId,
}

/// No single step of a CLI command may take longer than this without the worker reporting.
const STEP_TIMEOUT: Duration = Duration::from_secs(600);

impl Client {
    fn new(account: Account, password: String) -> Self {
        Client {
            handle: Some(worker::spawn(account, password)),
            model: Model::default(),
            next_req: 1,
        }
    }

    fn send(&mut self, cmd: Cmd) -> Result<()> {
        self.handle
            .as_ref()
            .and_then(|h| h.commands.send(cmd).ok())
            .ok_or_else(|| Error::Io("the IMAP worker stopped unexpectedly".into()))
    }

    fn req(&mut self) -> ReqId {
        self.next_req += 1;
        self.next_req
    }

    /// Applies events to the model until `done` says the awaited one arrived, and returns it.
    fn until(&mut self, mut done: impl FnMut(&Event) -> bool) -> Result<Event> {
        loop {
            let event = self
                .handle
                .as_ref()
                .ok_or_else(|| Error::Io("the IMAP worker is gone".into()))?
                .events
                .recv_timeout(STEP_TIMEOUT)
                .map_err(|_| Error::Network("no answer from the IMAP worker".into()))?;
            if let Event::Failed { error, .. } = &event {
                return Err(error.clone());
            }
            if done(&event) {
                return Ok(event);
            }
            self.model.apply(event);
        }
    }

    /// Structure and header of one message, without opening the folder for a full sync.
    fn structure(&mut self, folder: &str, uid: Uid) -> Result<(Part, Vec<u8>)> {
        let req = self.req();
        self.send(Cmd::FetchStructure {
            req,
            folder: folder.into(),
            uid,
        })?;
        match self.until(|e| matches!(e, Event::Structure { req: r, .. } if *r == req))? {
            Event::Structure { root, header, .. } => Ok((*root, header)),
            _ => Err(Error::NotFound(format!("no message with UID {uid}"))),
        }
    }

    fn part(&mut self, folder: &str, uid: Uid, section: &Section) -> Result<Vec<u8>> {
        let req = self.req();
        self.send(Cmd::FetchPart {
            req,
            folder: folder.into(),
            uid,
            section: section.clone(),
        })?;
        match self.until(|e| matches!(e, Event::PartData { req: r, .. } if *r == req))? {
            Event::PartData { bytes, .. } => Ok(bytes),
            _ => Err(Error::NotFound(format!(
                "message {uid} has no part {section}"
            ))),
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.shutdown();
        }
    }
}

fn folders(account: Account, password: String, out: &mut impl Write) -> Result<()> {
    let mut client = Client::new(account, password);
    client.send(Cmd::ListFolders)?;
    let Event::Folders(list) = client.until(|e| matches!(e, Event::Folders(_)))? else {
        return Ok(());
    };
    for f in &list {
        let (messages, unseen) = match f.status {
            Some(s) => (s.messages.to_string(), s.unseen.to_string()),
            None => (String::new(), String::new()),
        };
        writeln!(
            out,
            "{}\t{}\t{}\t{messages}\t{unseen}",
            sanitize_line(&f.name),
            f.delimiter.map(String::from).unwrap_or_default(),
            sanitize_line(&f.attributes.join(" ")),
        )
        .map_err(io_err)?;
    }
    Ok(())
}

fn list(
    account: Account,
    password: String,
    folder: &str,
    limit: Option<usize>,
    out: &mut impl Write,
) -> Result<()> {
    let mut client = Client::new(account, password);
    client.send(Cmd::Select {
        folder: folder.into(),
        read_only: true,
        first_screen: limit.unwrap_or(50),
    })?;
    let wanted = limit.unwrap_or(usize::MAX);
    let mut have = 0usize;
    let last = client.until(|e| match e {
        Event::Selected { uids, .. } => uids.is_empty() || wanted == 0,
        Event::Summaries { chunk, .. } => {
            have += chunk.len();
            have >= wanted
        }
        Event::SyncDone { .. } => true,
        _ => false,
    })?;
    client.model.apply(last);
    let Some(mailbox) = client.model.mailbox.as_ref() else {
        return Ok(());
    };
    for s in mailbox.rows().take(wanted) {
        let date = chrono::DateTime::from_timestamp(s.date, 0)
            .zip(chrono::FixedOffset::east_opt(s.date_offset))
            .map(|(d, off)| d.with_timezone(&off).to_rfc3339())
            .unwrap_or_default();
        writeln!(
            out,
            "{}\t{date}\t{}\t{}\t{}",
            s.uid,
            s.flags.names().join(" "),
            sanitize_line(&s.from),
            sanitize_line(&s.subject)
        )
        .map_err(io_err)?;
    }
    Ok(())
}

fn parts(
    account: Account,
    password: String,
    folder: &str,
    uid: Uid,
    out: &mut impl Write,
) -> Result<()> {
    let mut client = Client::new(account, password);
    let (root, _) = client.structure(folder, uid)?;
    for p in root.walk() {
        writeln!(
            out,
            "{}\t{}\t{}\t{}",
            p.section,
            sanitize_line(&p.mime_type),
            sanitize_line(p.filename.as_deref().unwrap_or("")),
            p.size
        )
        .map_err(io_err)?;
    }
    Ok(())
}

/// Width used to lay out HTML for `tern read`.
const READ_WIDTH: usize = 80;

fn read(
    account: Account,
    password: String,
    folder: &str,
    uid: Uid,
    out: &mut impl Write,
) -> Result<()> {
    let mut client = Client::new(account, password);
    let (root, header) = client.structure(folder, uid)?;
    let h = parse_headers(&header);
    for (name, value) in [
        ("From", &h.from),
        ("To", &h.to),
        ("Cc", &h.cc),
        ("Date", &h.date),
        ("Subject", &h.subject),
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
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn save(
    account: Account,
    password: String,
    folder: &str,
    uid: Uid,
    section: &Section,
    output: Option<&Path>,
    download_dir: &Path,
    out: &mut impl Write,
) -> Result<()> {
    let mut client = Client::new(account, password);
    let (root, _) = client.structure(folder, uid)?;
    let part = root
        .find(section)
        .ok_or_else(|| Error::NotFound(format!("message {uid} has no part {section}")))?
        .clone();
    let raw = client.part(folder, uid, section)?;
    let bytes = if part.is_multipart() || part.mime_type == "message/rfc822" {
        raw
    } else {
        decode::decode_bytes(&part, &raw)
    };
    if output == Some(Path::new("-")) {
        return out.write_all(&bytes).map_err(io_err);
    }
    let name = safe_filename(part.filename.as_deref(), section, &part.mime_type);
    let path = write_new(output, download_dir, &name, &bytes)?;
    writeln!(out, "{}", path.display()).map_err(io_err)
}

/// Writes `bytes` to a file that did not exist before: `-o FILE` exactly (refused if it
/// exists), or a fresh name inside `-o DIR` or the download folder.
fn write_new(
    output: Option<&Path>,
    download_dir: &Path,
    name: &str,
    bytes: &[u8],
) -> Result<PathBuf> {
    let write_err =
        |p: &Path, e: std::io::Error| Error::Io(format!("cannot write {}: {e}", p.display()));
    let (path, mut file) = match output {
        Some(p) if !p.is_dir() => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(p)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => Error::Io(format!(
                        "{} already exists; not overwriting it",
                        p.display()
                    )),
                    _ => write_err(p, e),
                })?;
            (p.to_path_buf(), file)
        }
        other => {
            let dir = other.unwrap_or(download_dir);
            std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
            create_unique(dir, name).map_err(|e| write_err(dir, e))?
        }
    };
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(|e| write_err(&path, e))?;
    Ok(path)
}
