//! The scriptable command line: one tab-separated record a line, everything from the server
//! sanitised, exit codes 0 (success), 1 (runtime failure), 2 (usage or config error).

mod commands;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use commands::{load_config, run};

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
    /// Folders: name, delimiter, attributes, messages, unseen.
    Folders,
    /// Messages of FOLDER, newest first: UID, date, flags, from, subject.
    List {
        folder: String,
        /// Print at most N messages.
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
    },
    /// MIME parts of a message: section, type, filename, size.
    Parts { folder: String, uid: u32 },
    /// A message as a reader shows it: decoded headers, then text.
    Read { folder: String, uid: u32 },
    /// Save the decoded part SECTION (e.g. 2 or 4.2.2.1); prints the path written.
    Save {
        folder: String,
        uid: u32,
        section: String,
        /// Where to write: a file (never overwritten), a directory, or - for standard output.
        #[arg(short, long, value_name = "PATH")]
        output: Option<PathBuf>,
    },
}
