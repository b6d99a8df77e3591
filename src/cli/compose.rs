//! `tern reply` and `tern forward`: the draft the TUI would write, from the original on the
//! server; with `--body` sent at once, else opened in the editor and sent when saved. After
//! a successful send the original is flagged (\Answered, or $Forwarded) by UID.

use std::io::{Read as _, Write};
use std::path::Path;

use super::client::Client;
use crate::compose::editor::{self, Edited};
use crate::compose::followup;
use crate::compose::meta::MessageRef;
use crate::compose::original::{Attachment, Original, TextPart};
use crate::compose::prepare::{PrepareError, Prepared, prepare};
use crate::compose::{Composed, DraftDir, DraftStore, Identities, Mailbox, address, reply};
use crate::config::Account;
use crate::error::{Error, Result};
use crate::mime::{Part, decode, display_parts, safe_filename, sanitize_line};
use crate::msg::{Cmd, Event, Folder, Uid};
use crate::save;
use crate::send::{self, Submitted};

/// What the reply or forward says above the quote: from a file, `-` for standard input, or
/// None to write it in the editor.
pub fn read_body(source: Option<&Path>) -> Result<Option<String>> {
    let Some(path) = source else {
        return Ok(None);
    };
    let bytes = if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Error::Io(format!("cannot read standard input: {e}")))?;
        buf
    } else {
        std::fs::read(path)
            .map_err(|e| Error::Io(format!("cannot read {}: {e}", path.display())))?
    };
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// The account's identities: `from` (default: the username when it is an address) and
/// `aliases`.
pub fn identities(account: &Account) -> Result<Identities> {
    let from = account.from_address().ok_or_else(|| {
        Error::Config(format!(
            "account \"{}\" has no `from` address (and its username is not one); add from = \"Name <you@example.org>\"",
            account.name
        ))
    })?;
    Identities::parse(from, &account.aliases)
        .map_err(|e| Error::Config(format!("account \"{}\": from/aliases: {e}", account.name)))
}

/// `--to` arguments (each may hold several, comma-separated) as addresses.
pub fn parse_recipients(args: &[String]) -> Result<Vec<Mailbox>> {
    let mut out = Vec::new();
    for a in args {
        out.extend(address::parse_list(a).map_err(|e| Error::Config(format!("--to: {e}")))?);
    }
    if out.is_empty() {
        return Err(Error::Config("forward needs --to ADDRESS".into()));
    }
    Ok(out)
}

pub struct Request<'a> {
    pub folder: &'a Folder,
    pub uid: Uid,
    pub body: Option<String>,
}

pub fn reply(
    client: &mut Client,
    account: &Account,
    req: Request<'_>,
    all: bool,
    out: &mut impl Write,
) -> Result<()> {
    let me = identities(account)?;
    let original = fetch_text(client, req.folder, req.uid, false)?;
    let composed = reply::reply(
        &original,
        at(req.folder, req.uid),
        &me,
        all,
        req.body.as_deref().unwrap_or(""),
    );
    write_and_send(client, account, composed, req.body.is_some(), out)
}

pub fn forward(
    client: &mut Client,
    account: &Account,
    req: Request<'_>,
    to: Vec<Mailbox>,
    attached: bool,
    out: &mut impl Write,
) -> Result<()> {
    let me = identities(account)?;
    let text = req.body.as_deref().unwrap_or("");
    let composed = if attached {
        let raw = match client.call(|r| Cmd::FetchRaw {
            req: r,
            folder: req.folder.clone(),
            uid: req.uid,
        })? {
            Event::Raw { bytes, .. } if !bytes.is_empty() => bytes,
            _ => return Err(not_found(req.folder, req.uid)),
        };
        let original = Original::from_raw(&raw);
        reply::forward_attached(&original, raw, at(req.folder, req.uid), &me, to, text)
    } else {
        let original = fetch_text(client, req.folder, req.uid, true)?;
        reply::forward_inline(&original, at(req.folder, req.uid), &me, to, text)
    };
    write_and_send(client, account, composed, req.body.is_some(), out)
}

fn at(folder: &Folder, uid: Uid) -> MessageRef {
    MessageRef {
        folder: folder.name().to_string(),
        uid,
        uid_validity: None,
    }
}

fn not_found(folder: &Folder, uid: Uid) -> Error {
    Error::NotFound(format!("no message with UID {uid} in {folder}"))
}

/// The original's header and shown text parts, fetched by section; with `attachments`, its
/// attachments too (decoded), for an inline forward.
fn fetch_text(
    client: &mut Client,
    folder: &Folder,
    uid: Uid,
    attachments: bool,
) -> Result<Original> {
    let (root, header) = client.structure(folder, uid)?;
    let shown = display_parts(&root);
    let mut texts = Vec::with_capacity(shown.len());
    for part in &shown {
        let raw = client.part(folder, uid, &part.section)?;
        texts.push((part.mime_type.clone(), decode::decode_text(part, &raw)));
    }
    let parts: Vec<TextPart> = texts
        .iter()
        .map(|(mime_type, text)| TextPart { mime_type, text })
        .collect();
    let mut original = Original::from_parts(&header, &parts);
    if attachments {
        let messages: Vec<&Part> = root
            .walk()
            .filter(|p| p.mime_type == "message/rfc822")
            .collect();
        for part in root.walk().filter(|p| carried(p, &shown, &messages)) {
            let raw = client.part(folder, uid, &part.section)?;
            original.attachments.push(Attachment {
                name: safe_filename(part.filename.as_deref(), &part.section, &part.mime_type),
                mime_type: part.mime_type.clone(),
                bytes: save::content(part, &raw),
            });
        }
    }
    Ok(original)
}

/// Leaves that are attachments and not the text already forwarded; an attached message is
/// carried whole, its own parts not again.
fn carried(part: &Part, shown: &[&Part], messages: &[&Part]) -> bool {
    part.is_attachment()
        && !part.is_multipart()
        && !shown.iter().any(|s| s.section == part.section)
        && !messages.iter().any(|m| {
            part.section.path.len() > m.section.path.len()
                && part.section.path.starts_with(&m.section.path)
        })
}

/// Stores the draft, lets the user edit it (unless the text was given), sends it, flags the
/// original, and prints the Message-ID.
fn write_and_send(
    client: &mut Client,
    account: &Account,
    composed: Composed,
    given: bool,
    out: &mut impl Write,
) -> Result<()> {
    let dir_path = DraftStore::default_dir()
        .ok_or_else(|| Error::Io("cannot find a state directory for drafts".into()))?;
    let store = DraftStore::open(&dir_path)?;
    let draft = store.create(&composed.draft, &composed.meta, &composed.carried)?;
    let prepared = if given {
        prepare(&draft).map_err(|e| kept(&draft, e))?
    } else {
        match edit_until_valid(&draft)? {
            Some(p) => p,
            None => {
                draft.remove()?;
                eprintln!("tern: the draft was not changed; nothing sent");
                return Ok(());
            }
        }
    };
    send_prepared(client, account, draft, prepared, out)
}

fn kept(draft: &DraftDir, e: PrepareError) -> Error {
    Error::Config(format!(
        "{e}; the draft is kept at {}",
        draft.text_path().display()
    ))
}

/// Opens the editor until the draft parses; None when the user left it as it was at first.
fn edit_until_valid(draft: &DraftDir) -> Result<Option<Prepared>> {
    let mut edited_once = false;
    loop {
        let edited = editor::edit(&draft.text_path())?;
        if edited == Edited::Unchanged && !edited_once {
            return Ok(None);
        }
        edited_once = true;
        match prepare(draft) {
            Ok(p) => return Ok(Some(p)),
            Err(PrepareError::Draft(e)) if edited == Edited::Saved => {
                // The reason may quote an address from the original mail.
                eprintln!(
                    "tern: {}; opening the editor again (leave it unchanged to stop)",
                    sanitize_line(&e.to_string())
                );
            }
            Err(e) => return Err(kept(draft, e)),
        }
    }
}

fn send_prepared(
    client: &mut Client,
    account: &Account,
    draft: DraftDir,
    prepared: Prepared,
    out: &mut impl Write,
) -> Result<()> {
    let result = send::submit(account, &prepared.bytes);
    // Queued or sent, the outbox holds the message now; the draft is done with. Refused, it
    // stays for the user to correct.
    if result.is_ok() {
        draft.remove()?;
    } else {
        eprintln!("tern: the draft is kept at {}", draft.text_path().display());
    }
    let sent = matches!(result, Ok(Submitted::Sent { .. }));
    let reported = super::send::report(result, out);
    if sent {
        after_send(client, &prepared);
    }
    reported
}

/// Flags the original (and removes a resumed draft's Drafts copy). The message is sent
/// already, so a failure here is a warning, not an error.
fn after_send(client: &mut Client, prepared: &Prepared) {
    for step in followup::after_send(&prepared.meta) {
        if let Err(e) = client.call(|req| step.into_cmd(req)) {
            let why = format!("{}: {e}", step.failure());
            eprintln!("tern: warning: sent, but {}", sanitize_line(&why));
        }
    }
}
