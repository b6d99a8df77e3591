//! The scriptable command line: one tab-separated record a line, everything from the server
//! sanitised, exit codes 0 (success), 1 (runtime failure), 2 (usage or config error).

mod across;
mod client;
mod compose;
mod local;
mod login;
mod manage;
mod output;
mod read;
mod send;
mod triage;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::{self, Config};
use crate::error::{Error, Result};
use crate::imap::uidset;
use crate::mime::Section;
use crate::model::View;
use crate::model::sort::SortOrder;
use crate::msg::{Folder, FolderOp, Uid};
use client::Client;

/// A folder named on the command line, decoded, as `tern folders` prints it.
fn folder_arg(name: &str) -> std::result::Result<Folder, std::convert::Infallible> {
    Ok(Folder::named(name))
}

#[derive(Debug, Parser)]
#[command(
    name = "tern",
    version,
    about = "A fast, safe terminal mail client for IMAP"
)]
pub struct Args {
    /// Configuration file (default: $XDG_CONFIG_HOME/tern/config.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Account to use (default: the first in the config file).
    #[arg(long, global = true, value_name = "NAME")]
    pub account: Option<String>,
    /// Log verbosity for the log file: error, warn, info, debug or trace.
    #[arg(long, global = true, default_value = "info", value_name = "LEVEL")]
    pub log_level: String,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connect and log in; print greeting, TLS, capabilities and the login method.
    Check,
    /// Sign an `auth = "oauth2"` account in: in the browser (authorization code with PKCE,
    /// redirected to 127.0.0.1), or with --device by a code entered on another device.
    Login {
        /// Use the device flow (RFC 8628): for machines without a browser.
        #[arg(long)]
        device: bool,
    },
    /// Folders: name, delimiter, attributes, messages, unseen, subscribed.
    Folders,
    /// Messages of FOLDER, newest sent first (or as sorted; `--sort arrival` for UID order):
    /// UID, date, flags, from, subject.
    List {
        #[arg(value_parser = folder_arg)]
        folder: Folder,
        /// Print at most N messages: only the newest N by arrival (UID) are fetched, bypassing
        /// the cache.
        #[arg(long, value_name = "N", conflicts_with = "sort")]
        limit: Option<usize>,
        /// Order by KEY (date, arrival, from, to, subject, size), optionally with `unread`
        /// and `flagged` to put those first: `--sort size`, `--sort unread,date`.
        #[arg(long, value_name = "KEY")]
        sort: Option<SortOrder>,
        /// Flip the key's order (oldest, smallest or Z first).
        #[arg(long, requires = "sort")]
        reverse: bool,
        /// In conversations, as the TUI's thread view lists them (newest thread first,
        /// replies oldest first under their parents), each row after its depth in its
        /// thread (0 for the top).
        #[arg(long, conflicts_with_all = ["sort", "limit"])]
        threads: bool,
        /// Also print to stderr when the connection, the first rows and the full state
        /// arrived (milliseconds since start), for benchmarks.
        #[arg(long)]
        timings: bool,
    },
    /// MIME parts of a message: section, type, filename, size.
    Parts {
        #[arg(value_parser = folder_arg)]
        folder: Folder,
        uid: Uid,
    },
    /// A message as a reader shows it: decoded headers, then text.
    Read {
        #[arg(value_parser = folder_arg)]
        folder: Folder,
        uid: Uid,
        /// Also print to stderr how many bytes were received from the server.
        #[arg(long)]
        timings: bool,
    },
    /// Save the decoded part SECTION (e.g. 2 or 4.2.2.1); prints the path written.
    Save {
        #[arg(value_parser = folder_arg)]
        folder: Folder,
        uid: Uid,
        section: String,
        /// Where to write: a file (never overwritten), a directory, or - for standard output.
        #[arg(short, long, value_name = "PATH")]
        output: Option<PathBuf>,
    },
    /// Add or remove a flag: +seen -seen +flagged -flagged +answered -answered +deleted -deleted.
    Mark {
        #[arg(value_parser = folder_arg)]
        folder: Folder,
        uids: String,
        #[arg(allow_hyphen_values = true)]
        change: String,
    },
    /// Move messages (UID MOVE, or COPY + \Deleted + UID EXPUNGE); prints UID and new UID.
    /// With --to-account, DEST is that account's: each message is APPENDed there (with its
    /// flags and date) and removed here only once the other server confirmed it.
    Move {
        #[arg(value_parser = folder_arg)]
        folder: Folder,
        uids: String,
        #[arg(value_parser = folder_arg)]
        dest: Folder,
        #[arg(long, value_name = "NAME")]
        to_account: Option<String>,
    },
    /// Copy messages; prints UID and new UID. With --to-account, DEST is that account's.
    Copy {
        #[arg(value_parser = folder_arg)]
        folder: Folder,
        uids: String,
        #[arg(value_parser = folder_arg)]
        dest: Folder,
        #[arg(long, value_name = "NAME")]
        to_account: Option<String>,
    },
    /// Delete by the configured policy: move to Trash, or mark \Deleted.
    Delete {
        #[arg(value_parser = folder_arg)]
        folder: Folder,
        uids: String,
    },
    /// Expunge exactly these messages (those marked \Deleted); prints the UIDs removed.
    Expunge {
        #[arg(value_parser = folder_arg)]
        folder: Folder,
        uids: String,
        /// On a server without UIDPLUS, run a plain EXPUNGE: removes EVERY \Deleted message.
        #[arg(long)]
        all_deleted: bool,
    },
    /// Search FOLDER on the server: from: to: cc: subject: body: text: since: before: on:
    /// larger: smaller: is: has:attachment, not, or, "phrases", (groups).
    /// With --local: search the header cache of every synced folder (no server, no folder
    /// argument) for words in sender, recipient or subject, ignoring case and accents.
    #[command(
        override_usage = "tern search FOLDER QUERY...\n       tern search --local [--folder FOLDER] WORDS..."
    )]
    Search {
        #[arg(long)]
        local: bool,
        /// With --local, only this folder.
        #[arg(long, value_name = "FOLDER", requires = "local")]
        folder: Option<String>,
        /// FOLDER then the query; with --local, only the words.
        #[arg(required = true, allow_hyphen_values = true, value_name = "ARGS")]
        words: Vec<String>,
    },
    /// Create a folder (NAME uses the server's delimiter, e.g. Work/2026 or INBOX.Work).
    Mkdir {
        #[arg(value_parser = folder_arg)]
        name: Folder,
    },
    /// Rename a folder.
    Rename {
        #[arg(value_parser = folder_arg)]
        from: Folder,
        #[arg(value_parser = folder_arg)]
        to: Folder,
    },
    /// Delete a folder; refused if it has subfolders, and needs --yes if it holds messages.
    Rmdir {
        #[arg(value_parser = folder_arg)]
        name: Folder,
        #[arg(long)]
        yes: bool,
    },
    Subscribe {
        #[arg(value_parser = folder_arg)]
        name: Folder,
    },
    Unsubscribe {
        #[arg(value_parser = folder_arg)]
        name: Folder,
    },
    /// Append .eml files to FOLDER with their Date header as internal date; prints FILE and UID.
    Import {
        #[arg(value_parser = folder_arg)]
        folder: Folder,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Flags for the new messages, e.g. "\Seen" or "seen,flagged".
        #[arg(long, default_value = "")]
        flags: String,
    },
    /// Write the raw message, byte for byte (to standard output, or -o FILE/DIR).
    Export {
        #[arg(value_parser = folder_arg)]
        folder: Folder,
        uid: Uid,
        #[arg(short, long, value_name = "PATH")]
        output: Option<PathBuf>,
    },
    /// Send an RFC 5322 message from FILE (or standard input): recipients from To/Cc/Bcc,
    /// Bcc removed, Date/Message-ID/MIME-Version/From added when missing. Prints the
    /// Message-ID; exit 0 sent, 75 queued in the outbox (server unreachable or 4xx), 1 refused.
    Send { file: Option<PathBuf> },
    /// Reply to message UID of FOLDER (to Reply-To or From; with --all also To and Cc, never
    /// yourself), quoting it. With --body the text (FILE, or - for standard input) goes above
    /// the quote and it is sent at once; without, $VISUAL/$EDITOR opens the draft and it is
    /// sent when saved. Prints the Message-ID; exit codes as `tern send`.
    Reply {
        #[arg(value_parser = folder_arg)]
        folder: Folder,
        uid: Uid,
        #[arg(long)]
        all: bool,
        #[arg(long, value_name = "FILE|-")]
        body: Option<PathBuf>,
    },
    /// Forward message UID of FOLDER to --to: its text inline with its attachments, or with
    /// --attached the whole message byte for byte. --body and the editor as for `reply`.
    Forward {
        #[arg(value_parser = folder_arg)]
        folder: Folder,
        uid: Uid,
        #[arg(long, required = true, num_args = 1.., value_name = "ADDR")]
        to: Vec<String>,
        #[arg(long)]
        attached: bool,
        #[arg(long, value_name = "FILE|-")]
        body: Option<PathBuf>,
    },
    /// List the outbox: Message-ID, date, recipients, subject, status, last error.
    /// `tern outbox send` tries every waiting message now, once.
    Outbox {
        #[command(subcommand)]
        action: Option<OutboxAction>,
    },
    /// The configuration file: `tern config init` writes the documented example to the
    /// config path (or --config PATH), never over an existing file, and prints where;
    /// `--email ADDRESS` writes a config for that address.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Try tern on a local demo server holding a few hundred messages (needs Dovecot: run
    /// scripts/demo). Opens the interactive client on it, or with --serve only runs the server.
    Demo {
        /// Where the demo keeps its mail between runs (default: $XDG_DATA_HOME/tern/demo).
        #[arg(long, value_name = "PATH")]
        dir: Option<PathBuf>,
        /// Only run the server, in the foreground until Ctrl-C, and print a config file for
        /// trying the command line against it.
        #[arg(long)]
        serve: bool,
        /// IMAP on this port of 127.0.0.1 instead of a free one (for a config that stays put).
        #[arg(long, value_name = "N")]
        port: Option<u16>,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboxAction {
    /// Send the queued messages now, each at most once; never one the server accepted. A
    /// message that may have been sent already is sent again only when named by --resend.
    Send {
        /// The Message-ID of a message to send again although it may have been sent.
        #[arg(long, value_name = "MESSAGE-ID")]
        resend: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Write config.example.toml's text to the config path (0600, in a 0700 directory).
    Init {
        /// Write a short config for this address instead: for a known provider (Gmail,
        /// Outlook, iCloud, Fastmail, Yahoo, 163/126/yeah.net, QQ) only what you must add.
        #[arg(long, value_name = "ADDRESS")]
        email: Option<String>,
    },
}

fn uids(text: &str) -> Result<Vec<Uid>> {
    uidset::parse(text).map_err(Error::Config)
}

/// Runs a CLI command; the caller prints the error and exits with its code.
pub fn run(args: &Args, command: &Command) -> Result<()> {
    if let Command::Config {
        action: ConfigAction::Init { email },
    } = command
    {
        let path = config_path(args)?;
        let starter = email
            .as_deref()
            .map(config::starter::for_address)
            .transpose()?;
        let text = starter.as_ref().map_or(config::init::EXAMPLE, |s| &s.text);
        config::init::write_new(&path, text)?;
        if let (Some(starter), Some(email)) = (&starter, email) {
            eprintln!("tern: wrote {}", starter.next_step(email));
        }
        let out = &mut std::io::stdout().lock();
        return output::record(out, &[&path.display().to_string()]);
    }
    let config = load_config(args)?;
    let account = config.account(args.account.as_deref())?.clone();
    if let Command::Login { device } = command {
        return login::run(&account, *device, &mut std::io::stdout().lock());
    }
    // Arguments are checked before a password is asked for or a connection made.
    let section = match command {
        Command::Save { section, .. } => Some(
            section
                .parse::<Section>()
                .map_err(|e| Error::Config(e.to_string()))?,
        ),
        _ => None,
    };
    let parsed_uids = match command {
        Command::Mark { uids: u, .. }
        | Command::Move { uids: u, .. }
        | Command::Copy { uids: u, .. }
        | Command::Delete { uids: u, .. }
        | Command::Expunge { uids: u, .. } => uids(u)?,
        _ => Vec::new(),
    };
    let flags = match command {
        Command::Import { flags, .. } => manage::parse_flags(flags)?,
        _ => Default::default(),
    };
    if let Command::Mark { change, .. } = command {
        triage::parse_flag_op(change)?;
    }
    if let Command::Move {
        to_account: Some(other),
        ..
    }
    | Command::Copy {
        to_account: Some(other),
        ..
    } = command
    {
        config.account(Some(other))?;
    }
    if account.is_pop3() {
        match command {
            Command::Move { .. }
            | Command::Copy { .. }
            | Command::Mkdir { .. }
            | Command::Rename { .. }
            | Command::Rmdir { .. }
            | Command::Subscribe { .. }
            | Command::Unsubscribe { .. }
            | Command::Import { .. } => return Err(crate::pop3::worker::no_folders()),
            Command::Search { local: false, .. } => {
                return Err(Error::Refused(
                    "POP3 has no server-side search: use tern search --local WORDS".into(),
                ));
            }
            _ => {}
        }
    }
    let out = &mut std::io::stdout().lock();
    if let Command::Search {
        local: true,
        folder,
        words,
    } = command
    {
        return local::search(&account, folder.as_deref(), &words.join(" "), out);
    }
    match command {
        Command::Send { file } => return send::send_file(&account, file.as_deref(), out),
        Command::Outbox { action: None } => return send::list(&account, out),
        Command::Outbox {
            action: Some(OutboxAction::Send { resend }),
        } => return send::send_all(&account, resend, out),
        _ => {}
    }
    // Everything a reply or forward needs from the user is checked before connecting.
    let (body, forward_to) = match command {
        Command::Reply { body, .. } => {
            compose::identities(&account)?;
            (compose::read_body(body.as_deref())?, Vec::new())
        }
        Command::Forward { body, to, .. } => {
            compose::identities(&account)?;
            let to = compose::parse_recipients(to)?;
            (compose::read_body(body.as_deref())?, to)
        }
        _ => (None, Vec::new()),
    };
    let password = config::resolve_password(&account)?;
    if let Command::Check = command {
        return read::check(&account, &password, out);
    }
    let mut account = account;
    if let Command::List { limit: Some(_), .. } = command {
        // The newest N straight from the server; the cache would mean syncing everything.
        account.cache = false;
    }
    let mut client = Client::new(account.clone(), password);
    let c = &mut client;
    match command {
        Command::Mark { folder, .. }
        | Command::Move { folder, .. }
        | Command::Copy { folder, .. }
        | Command::Delete { folder, .. }
        | Command::Expunge { folder, .. } => triage::require_existing(c, folder, &parsed_uids)?,
        _ => {}
    }
    match command {
        Command::Check => Ok(()),
        Command::Folders => read::folders(c, out),
        Command::List {
            folder,
            limit,
            sort,
            reverse,
            threads,
            timings,
        } => {
            let view = View {
                order: sort.map_or(SortOrder::default(), |o| SortOrder {
                    reverse: o.reverse != *reverse,
                    ..o
                }),
                threads: *threads,
                ..View::default()
            };
            read::list(c, folder, *limit, view, *timings, out)
        }
        Command::Parts { folder, uid } => read::parts(c, folder, *uid, out),
        Command::Read {
            folder,
            uid,
            timings,
        } => read::read(c, folder, *uid, *timings, out),
        Command::Save {
            folder,
            uid,
            output,
            ..
        } => {
            let download_dir = config.download_dir();
            let target = read::SaveTarget {
                output: output.as_deref(),
                download_dir: &download_dir,
            };
            let section = section.ok_or_else(|| Error::Config("no section".into()))?;
            read::save_part(c, folder, *uid, &section, target, out)
        }
        Command::Export {
            folder,
            uid,
            output,
        } => read::export(c, folder, *uid, output.as_deref(), out),
        Command::Mark { folder, change, .. } => triage::mark(c, folder, parsed_uids, change),
        Command::Move {
            folder,
            dest,
            to_account: Some(other),
            ..
        }
        | Command::Copy {
            folder,
            dest,
            to_account: Some(other),
            ..
        } if *other != account.name => {
            let remove = matches!(command, Command::Move { .. });
            let target = config.account(Some(other))?.clone();
            let password = config::resolve_password(&target)?;
            let mut to = Client::new(target, password);
            across::transfer(c, folder, parsed_uids, &mut to, dest, remove, out)
        }
        Command::Move { folder, dest, .. } => {
            triage::transfer(c, folder, parsed_uids, dest, true, out)
        }
        Command::Copy { folder, dest, .. } => {
            triage::transfer(c, folder, parsed_uids, dest, false, out)
        }
        // POP3: DELE, committed by QUIT; there is no Trash.
        Command::Delete { folder, .. } if account.is_pop3() => {
            triage::expunge(c, folder, parsed_uids, false, out)
        }
        Command::Delete { folder, .. } => {
            triage::delete(c, &account, config.delete, folder, parsed_uids, out)
        }
        Command::Expunge {
            folder,
            all_deleted,
            ..
        } => triage::expunge(c, folder, parsed_uids, *all_deleted, out),
        Command::Search { words, .. } => match words.split_first() {
            Some((folder, query)) if !query.is_empty() => {
                triage::search(c, &Folder::named(folder), &query.join(" "), out)
            }
            _ => Err(Error::Config(
                "usage: tern search FOLDER QUERY... (or --local WORDS...)".into(),
            )),
        },
        Command::Mkdir { name } => manage::folder_op(c, FolderOp::Create(name.clone())),
        Command::Rename { from, to } => manage::folder_op(
            c,
            FolderOp::Rename {
                from: from.clone(),
                to: to.clone(),
            },
        ),
        Command::Rmdir { name, yes } => manage::rmdir(c, name, *yes),
        Command::Subscribe { name } => manage::folder_op(c, FolderOp::Subscribe(name.clone())),
        Command::Unsubscribe { name } => manage::folder_op(c, FolderOp::Unsubscribe(name.clone())),
        Command::Import { folder, files, .. } => manage::import(c, folder, files, flags, out),
        Command::Reply {
            folder, uid, all, ..
        } => {
            let req = compose::Request {
                folder,
                uid: *uid,
                body,
            };
            compose::reply(c, &account, req, *all, out)
        }
        Command::Forward {
            folder,
            uid,
            attached,
            ..
        } => {
            let req = compose::Request {
                folder,
                uid: *uid,
                body,
            };
            compose::forward(c, &account, req, forward_to, *attached, out)
        }
        // main dispatches `tern demo` itself: it needs the interactive client.
        Command::Demo { .. } => Err(Error::Config("run by main".into())),
        Command::Send { .. } | Command::Outbox { .. } => Ok(()),
        Command::Config { .. } | Command::Login { .. } => {
            Err(Error::Config("handled above".into()))
        }
    }
}

fn config_path(args: &Args) -> Result<PathBuf> {
    match &args.config {
        Some(p) => Ok(p.clone()),
        None => config::default_path().ok_or_else(|| {
            Error::Config("cannot find a config directory; pass --config PATH".into())
        }),
    }
}

pub fn load_config(args: &Args) -> Result<Config> {
    let path = config_path(args)?;
    if !path.exists() {
        return Err(Error::Config(format!(
            "no config file at {}; run `tern config init` to write the documented example (config.example.toml) there, then fill in your account (see README.md)",
            path.display()
        )));
    }
    let loaded = config::load(&path)?;
    for w in &loaded.warnings {
        eprintln!("tern: warning: {w}");
    }
    Ok(loaded.config)
}
