//! `tern demo`: a private Dovecot on 127.0.0.1 holding a realistic small mailbox, so tern can
//! be tried without an account.
//!
//! The mailbox is generated from `assets/demo/` ([`mailbox`]) and seeded over IMAP ([`seed`])
//! the first time a directory is used; later starts reuse it, so UIDs, flags and anything the
//! user changed survive. The server lives as long as the returned [`Demo`].

mod mailbox;
mod seed;
mod serve;
mod spec;
mod text;
mod writer;

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::{self, Account, Config};
use crate::devserver::{DevServerError, Dovecot, DovecotOptions, Postfix, PostfixOptions};
use crate::error::{Error, Result};

pub use serve::serve;

const USER: &str = "alice";
/// The demo user's address (the mailbox in `assets/demo/` is addressed to it).
const ADDRESS: &str = "alice@example.com";
const PASSWORD: &str = "wonderland";
/// Written once seeding finished; without it the mail in a directory is incomplete.
const MARKER: &str = "demo-seeded";

/// A running demo server and a tern account for it. Dropping it stops the server.
#[derive(Debug)]
pub struct Demo {
    /// The private Postfix the demo sends through, when it can run here (declared first so
    /// it stops before the Dovecot it delivers into).
    pub mta: Option<Postfix>,
    pub server: Dovecot,
    pub config: Config,
    pub account: Account,
    pub password: String,
    /// A config file for the CLI (`tern --config PATH list INBOX`), rewritten on every start
    /// because the port changes.
    pub config_path: PathBuf,
    /// How long seeding took, or None when an earlier run's mailbox was reused.
    pub seeded_in: Option<Duration>,
}

/// `$XDG_DATA_HOME/tern/demo` (or the platform's equivalent); `/var/tmp/tern-demo` for root,
/// whose home the unprivileged `dovecot` user cannot enter.
pub fn default_dir() -> Result<PathBuf> {
    if is_root() {
        return Ok(PathBuf::from("/var/tmp/tern-demo"));
    }
    directories::ProjectDirs::from("", "", "tern")
        .map(|d| d.data_dir().join("demo"))
        .ok_or_else(|| Error::Config("cannot find a data directory; pass --dir PATH".into()))
}

/// Starts the demo server on `dir`, seeding it unless an earlier run already did.
pub fn start(dir: &Path, port: Option<u16>) -> Result<Demo> {
    check_reachable(dir)?;
    let seeded = dir.join(MARKER).exists();
    if !seeded {
        clear_partial_seed(dir)?;
    }
    let server = Dovecot::start(DovecotOptions {
        users: vec![(USER.into(), PASSWORD.into())],
        root: Some(dir.to_path_buf()),
        catch_all: Some(USER.into()),
        imap_port: port,
        ..DovecotOptions::default()
    })
    .map_err(server_error)?;
    let seeded_in = if seeded {
        None
    } else {
        let started = Instant::now();
        let (folders, messages) = mailbox::build()?;
        let count = seed::seed(&server, USER, &folders, &messages).map_err(server_error)?;
        let marker = dir.join(MARKER);
        fs::write(&marker, format!("{count} messages\n"))
            .map_err(|e| Error::Io(format!("{}: {e}", marker.display())))?;
        Some(started.elapsed())
    };
    let downloads = dir.join("downloads");
    fs::create_dir_all(&downloads)
        .map_err(|e| Error::Io(format!("{}: {e}", downloads.display())))?;
    let config_path = dir.join("config.toml");
    let mta = start_mta(&server, dir);
    let text = config_text(dir, server.imap_port) + &sending_text(&server, mta.as_ref());
    write_private(&config_path, &text)?;
    let config = config::parse(&text).map_err(|e| Error::Config(format!("demo config {e}")))?;
    let account = config.account(None)?.clone();
    Ok(Demo {
        mta,
        server,
        config,
        account,
        password: PASSWORD.into(),
        config_path,
        seeded_in,
    })
}

/// A run that died while seeding leaves some of the mail behind; start that mailbox over.
/// Only a directory the devserver set up (it has `dovecot.conf`) is touched; any other
/// non-empty directory is refused rather than risk deleting someone's files.
fn clear_partial_seed(dir: &Path) -> Result<()> {
    let is_empty = fs::read_dir(dir).map_or(true, |mut d| d.next().is_none());
    if is_empty {
        return Ok(());
    }
    if !dir.join("dovecot.conf").exists() {
        return Err(Error::Config(format!(
            "{} is not empty and holds no tern demo; pass an empty or new directory with --dir",
            dir.display()
        )));
    }
    let mail = dir.join("mail");
    match fs::remove_dir_all(&mail) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(Error::Io(format!("{}: {e}", mail.display())))
        }
        _ => Ok(()),
    }
}

/// Run as root, Dovecot reads the mail as the `dovecot` user, which must be able to walk down
/// to `dir`; without this check the failure only shows up as a refused login.
fn check_reachable(dir: &Path) -> Result<()> {
    if !is_root() {
        return Ok(());
    }
    let closed = dir
        .ancestors()
        .skip(1)
        .find(|a| fs::metadata(a).is_ok_and(|m| m.permissions().mode() & 0o001 == 0));
    match closed {
        Some(a) => Err(Error::Config(format!(
            "the dovecot user cannot enter {} (no o+x), so it cannot reach {}; use a directory under /var/tmp",
            a.display(),
            dir.display()
        ))),
        None => Ok(()),
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn config_text(dir: &Path, port: u16) -> String {
    // Through toml so any path is quoted correctly.
    let downloads = toml::Value::String(dir.join("downloads").display().to_string());
    format!(
        "# Written by `tern demo` for its server on 127.0.0.1:{port}; rewritten on every start.\n\
         download_dir = {downloads}\n\n\
         [[account]]\n\
         name = \"demo\"\n\
         host = \"127.0.0.1\"\n\
         port = {port}\n\
         tls = \"none\"\n\
         username = \"{USER}\"\n\
         password = \"{PASSWORD}\"\n"
    )
}

/// A private Postfix delivering into the demo's Dovecot, every recipient rewritten to the
/// demo user: sending from the demo lands in its own mailbox. None when Postfix is not
/// installed or cannot run here (it needs root); the demo then delivers over LMTP itself.
fn start_mta(server: &Dovecot, dir: &Path) -> Option<Postfix> {
    let opts = PostfixOptions {
        domains: vec!["example.com".into()],
        root: Some(dir.join("postfix")),
        catch_all: Some(ADDRESS.into()),
        ..PostfixOptions::default()
    };
    Postfix::start(server, opts)
        .inspect_err(|e| tracing::info!("demo: no private Postfix ({e}); sending over LMTP"))
        .ok()
}

/// The account's sending half: through the demo's Postfix (implicit TLS with the demo's
/// self-signed certificate), else straight into Dovecot's LMTP socket, else nothing (no
/// dovecot-lmtpd: sending then says what is missing).
fn sending_text(server: &Dovecot, mta: Option<&Postfix>) -> String {
    let from = format!("from = \"Alice Liddell <{ADDRESS}>\"\n");
    match (mta, server.lmtp_socket()) {
        // Inline, so the account table stays open for lines added after it.
        (Some(mta), _) => format!(
            "{from}smtp = {{ host = \"127.0.0.1\", port = {}, tls = \"implicit\", accept_invalid_certs = true }}\n",
            mta.smtps_port
        ),
        (None, Some(socket)) => format!(
            "{from}lmtp_socket = {}\n",
            toml::Value::String(socket.display().to_string())
        ),
        (None, None) => from,
    }
}

/// Owner-only, since it holds a password (tern warns about readable ones).
fn write_private(path: &Path, text: &str) -> Result<()> {
    let io = |e: std::io::Error| Error::Io(format!("{}: {e}", path.display()));
    fs::write(path, text).map_err(io)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(io)
}

fn server_error(e: DevServerError) -> Error {
    match e {
        DevServerError::NotInstalled => Error::Io(
            "Dovecot is not installed: run scripts/demo, or apt-get install dovecot-imapd".into(),
        ),
        other => Error::Io(format!("demo server: {other}")),
    }
}
