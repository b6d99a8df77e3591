//! Logging to a file only: the terminal belongs to the user (and to the TUI), and IMAP traffic
//! may hold secrets, so nothing is ever logged to the screen.

use std::path::PathBuf;

use tracing_subscriber::EnvFilter;

/// The log file's directory: the XDG state dir (`~/.local/state/tern`), else the cache dir.
pub fn log_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "tern")?;
    Some(
        dirs.state_dir()
            .map(PathBuf::from)
            .unwrap_or_else(|| dirs.cache_dir().to_path_buf()),
    )
}

/// Starts file logging at `level`; returns the log file path. Failure to log is not fatal.
pub fn init(level: &str) -> Option<PathBuf> {
    let dir = log_dir()?;
    crate::private::create_dir(&dir).ok()?;
    crate::private::tighten_own();
    crate::private::create_file(&dir.join("tern.log")).ok()?;
    let appender = tracing_appender::rolling::never(&dir, "tern.log");
    let filter =
        EnvFilter::try_new(format!("tern={level}")).unwrap_or_else(|_| EnvFilter::new("tern=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(appender)
        .try_init()
        .ok()?;
    Some(dir.join("tern.log"))
}
