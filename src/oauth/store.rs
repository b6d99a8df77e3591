//! Where an account's tokens live between runs: a TOML file of its own in tern's state
//! directory (0600 in a 0700 directory, replaced atomically so a crash never leaves half a
//! refresh token), or whatever `token_command` keeps them in. Tokens never reach a log or an
//! error message: `Tokens`' Debug shows only which ones are there.

use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::os::fd::AsRawFd as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use crate::config::{Account, safe_file_name};
use crate::error::{Error, Result};
use crate::mime::sanitize::sanitize_line;

/// What the authorization server gave us. `expires_at` is seconds since the Unix epoch.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |t: &Option<String>| t.as_ref().map(|_| "…");
        f.debug_struct("Tokens")
            .field("refresh_token", &shown(&self.refresh_token))
            .field("access_token", &shown(&self.access_token))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The place an account's tokens are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    File(PathBuf),
    /// Run through `sh -c` with `get` or `store` appended.
    Command(String),
}

impl Store {
    /// `token_command` when set, else `$XDG_STATE_HOME/tern/oauth2/<account>.toml`.
    pub fn for_account(account: &Account) -> Result<Store> {
        if let Some(cmd) = account.oauth2().and_then(|o| o.token_command) {
            return Ok(Store::Command(cmd));
        }
        let dirs = directories::ProjectDirs::from("", "", "tern")
            .ok_or_else(|| Error::Io("no home directory to keep OAuth2 tokens in".into()))?;
        let dir = dirs
            .state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .join("oauth2");
        Ok(Store::File(
            dir.join(format!("{}.toml", safe_file_name(&account.name))),
        ))
    }

    /// The stored tokens; an empty set when nothing was stored yet.
    pub fn load(&self) -> Result<Tokens> {
        let text = match self {
            Store::File(path) => match fs::read_to_string(path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) => return Err(Error::Io(format!("reading {}: {e}", path.display()))),
            },
            Store::Command(cmd) => run(cmd, "get", None)?,
        };
        // The parser's message could quote the line, and the line holds a token.
        toml::from_str(&text).map_err(|_| {
            Error::Io(format!(
                "{} does not hold tokens tern can read; run `tern login` again",
                self.describe()
            ))
        })
    }

    /// Replaces what is stored with `tokens`.
    pub fn save(&self, tokens: &Tokens) -> Result<()> {
        let text =
            toml::to_string(tokens).map_err(|e| Error::Io(format!("encoding the tokens: {e}")))?;
        match self {
            Store::File(path) => write_private(path, text.as_bytes()),
            Store::Command(cmd) => run(cmd, "store", Some(&text)).map(drop),
        }
    }

    /// Held while the tokens are read, refreshed and written back, so another tern process
    /// (the TUI while `tern send` runs) never spends the same rotating refresh token: it
    /// waits, then reads the tokens this one saved. None for `token_command` (its keeper
    /// does its own locking, if any).
    pub fn lock(&self) -> Result<Option<StoreLock>> {
        let Store::File(path) = self else {
            return Ok(None);
        };
        let dir = path
            .parent()
            .ok_or_else(|| Error::Io(format!("{} has no directory", path.display())))?;
        private_dir(dir)?;
        let lock = dir.join(format!(".{}.lock", file_name(path)));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&lock)
            .map_err(|e| Error::Io(format!("creating {}: {e}", lock.display())))?;
        // SAFETY: flock on a file descriptor we own; no memory is involved.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        if rc != 0 {
            return Err(Error::Io(format!(
                "locking {}: {}",
                lock.display(),
                std::io::Error::last_os_error()
            )));
        }
        Ok(Some(StoreLock { _file: file }))
    }

    /// For messages: the file's path, or the command.
    pub fn describe(&self) -> String {
        match self {
            Store::File(path) => path.display().to_string(),
            Store::Command(cmd) => format!("token_command `{}`", sanitize_line(cmd)),
        }
    }
}

/// Released when dropped (or by the kernel when tern dies).
pub struct StoreLock {
    _file: fs::File,
}

/// `dir`, made (or tightened to) 0700: it holds tokens.
fn private_dir(dir: &Path) -> Result<()> {
    crate::private::create_dir(dir)
        .and_then(|()| fs::set_permissions(dir, fs::Permissions::from_mode(0o700)))
        .map_err(|e| Error::Io(format!("creating {}: {e}", dir.display())))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or("tokens".into(), |n| n.to_string_lossy().into_owned())
}

/// Writes `bytes` to a 0600 temporary file beside `path`, syncs it and renames it over
/// `path`, in a directory made (or tightened to) 0700.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let io =
        |what: &str, p: &Path, e: std::io::Error| Error::Io(format!("{what} {}: {e}", p.display()));
    let dir = path
        .parent()
        .ok_or_else(|| Error::Io(format!("{} has no directory", path.display())))?;
    crate::private::create_dir(dir).map_err(|e| io("creating", dir, e))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .map_err(|e| io("protecting", dir, e))?;
    let tmp = dir.join(format!(
        ".{}.new",
        path.file_name()
            .map_or("tokens".into(), |n| n.to_string_lossy())
    ));
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| io("creating", &tmp, e))?;
    // An older leftover may have been made with other permissions.
    file.set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(|e| io("protecting", &tmp, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| io("writing", &tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| io("replacing", path, e))
}

/// Runs `cmd ACTION` through the shell, `input` on its stdin; returns its stdout.
fn run(cmd: &str, action: &str, input: Option<&str>) -> Result<String> {
    let shown = sanitize_line(cmd);
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("{cmd} \"$1\""))
        .arg("tern")
        .arg(action)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Config(format!("token_command `{shown}` could not be run: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its input is not an error of ours.
        let _ = stdin.write_all(input.unwrap_or_default().as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| Error::Config(format!("token_command `{shown}`: {e}")))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(Error::Config(format!(
            "token_command `{shown} {action}` failed ({}): {}",
            out.status,
            sanitize_line(stderr.trim())
        )));
    }
    String::from_utf8(out.stdout).map_err(|_| {
        Error::Config(format!(
            "token_command `{shown} get` printed something that is not text"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> Tokens {
        Tokens {
            refresh_token: Some("r-secret".into()),
            access_token: Some("a-secret".into()),
            expires_at: Some(42),
        }
    }

    #[test]
    fn a_file_round_trips_private_and_replaces_the_old_one() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("state/oauth2/work.toml");
        let store = Store::File(path.clone());
        assert_eq!(store.load().unwrap(), Tokens::default());
        store.save(&tokens()).unwrap();
        let mut newer = tokens();
        newer.refresh_token = Some("r2".into());
        store.save(&newer).unwrap();
        assert_eq!(store.load().unwrap(), newer);
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn a_second_process_waits_for_the_lock() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::File(tmp.path().join("oauth2/work.toml"));
        let held = store.lock().unwrap().expect("a file store locks");
        let lock = tmp.path().join("oauth2/.work.toml.lock");
        // flock(1) stands in for another tern: it cannot take the lock while we hold it.
        let try_other = || {
            std::process::Command::new("flock")
                .args(["-n", "-x"])
                .arg(&lock)
                .arg("true")
                .status()
                .unwrap()
                .success()
        };
        assert!(!try_other());
        drop(held);
        assert!(try_other());
    }

    #[test]
    fn a_command_is_asked_to_store_and_to_get() {
        let tmp = tempfile::tempdir().unwrap();
        let kept = tmp.path().join("kept");
        let cmd = format!(
            "f={}; case \"$1\" in get) cat $f ;; store) cat > $f ;; *) exit 9 ;; esac #",
            kept.display()
        );
        let store = Store::Command(cmd);
        store.save(&tokens()).unwrap();
        assert!(fs::read_to_string(&kept).unwrap().contains("r-secret"));
        assert_eq!(store.load().unwrap(), tokens());
        let failing = Store::Command("echo no keyring >&2; exit 1; #".into());
        let e = failing.load().unwrap_err().to_string();
        assert!(e.contains("no keyring") && e.contains("get"), "{e}");
    }

    #[test]
    fn neither_debug_nor_a_bad_file_shows_a_token() {
        assert!(!format!("{:?}", tokens()).contains("secret"));
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("t.toml");
        fs::write(&path, "refresh_token = \"r-secret\nbroken").unwrap();
        let e = Store::File(path).load().unwrap_err().to_string();
        assert!(!e.contains("secret") && e.contains("tern login"), "{e}");
    }
}
