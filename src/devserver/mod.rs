//! A private Dovecot (and, for sending, a Postfix delivering into it) on 127.0.0.1 for tests,
//! benchmarks and tern's demo mode.
//!
//! Each [`Dovecot`] owns one directory (config, certificate, mail, logs and
//! runtime files) and one master process started as `dovecot -F`, so it is our
//! child and can be reaped. It only ever signals PIDs it started itself (the
//! master, and that master's children), never anything found by name.
//!
//! As root (this sandbox), Dovecot drops to the `dovecot`/`dovenull` system
//! users and the mail is owned by `dovecot`; as an ordinary user everything
//! runs as that user with chroot disabled.

mod config;
mod error;
mod postfix;
mod postfix_config;
mod session;
mod sys;
#[cfg(test)]
mod tests;

use std::fs;
use std::io::Read as _;
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub use error::DevServerError;
pub use postfix::{Postfix, PostfixOptions};

/// How long to wait for Dovecot to come up or go down.
const START_TIMEOUT: Duration = Duration::from_secs(10);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts with fresh ports when another process grabbed one of ours.
const PORT_ATTEMPTS: usize = 5;

/// How to set the server up.
#[derive(Clone, Debug)]
pub struct DovecotOptions {
    /// Hierarchy delimiter: '/' (namespace prefix "") or '.' (Cyrus-style,
    /// prefix "INBOX.", names like `INBOX.Drafts`).
    pub delimiter: char,
    /// Replaces the advertised capability list (`imap_capability`), e.g.
    /// `Some("IMAP4rev1 UIDPLUS")` to exercise fallbacks without MOVE.
    pub capabilities: Option<String>,
    /// (user, password) pairs.
    pub users: Vec<(String, String)>,
    /// Where config, mail and runtime files go. `None`: a fresh temporary
    /// directory, removed when the [`Dovecot`] is dropped. Keep the path
    /// short: Dovecot's UNIX sockets live under it (108-byte limit).
    pub root: Option<PathBuf>,
    /// Deliver LMTP mail for any address that is not a user into this user's mailbox (the
    /// demo: whatever tern sends lands in its own mail).
    pub catch_all: Option<String>,
    /// Plain IMAP on this port instead of a free one (`tern demo --port`); taken, it is an
    /// error rather than another port, since the user asked for this one.
    pub imap_port: Option<u16>,
    /// Also accept OAuth2 bearer tokens (XOAUTH2, OAUTHBEARER), checked on every login by
    /// RFC 7662 introspection at this authorization server (the tests' own).
    pub oauth2: Option<OAuth2Passdb>,
}

/// Where Dovecot's oauth2 passdb asks whether a token is active, and as which client.
#[derive(Clone, Debug)]
pub struct OAuth2Passdb {
    /// e.g. `http://127.0.0.1:PORT/introspect`; answers `{"active": true, "username": …}`.
    pub introspection_url: String,
    /// Put into the XOAUTH2 error challenge (Dovecot 2.3 wants one).
    pub openid_configuration_url: String,
    /// Sent as HTTP Basic credentials with each introspection.
    pub client_id: String,
    pub client_secret: String,
    /// The bearer mechanisms offered, e.g. `xoauth2 oauthbearer`, or one to test it alone.
    pub mechanisms: String,
}

impl Default for DovecotOptions {
    fn default() -> Self {
        DovecotOptions {
            delimiter: '/',
            capabilities: None,
            users: vec![("alice".to_string(), "wonderland".to_string())],
            root: None,
            catch_all: None,
            imap_port: None,
            oauth2: None,
        }
    }
}

/// A running private Dovecot. Stopped (and its temp dir removed) on drop.
#[derive(Debug)]
pub struct Dovecot {
    /// Plain IMAP; LOGIN allowed without TLS, STARTTLS offered.
    pub imap_port: u16,
    /// Implicit TLS with the self-signed certificate at `cert_pem`.
    pub imaps_port: u16,
    /// Plain POP3; STLS offered.
    pub pop3_port: u16,
    /// POP3 with implicit TLS, the same certificate.
    pub pop3s_port: u16,
    /// The instance directory (config, mail, logs).
    pub dir: PathBuf,
    /// Self-signed certificate for `localhost` / `127.0.0.1` (PEM).
    pub cert_pem: PathBuf,
    pid: i32,
    child: Option<Child>,
    opts: DovecotOptions,
    mail_owner: sys::Account,
    remove_dir_on_drop: bool,
}

impl Dovecot {
    /// Writes the config and certificate, starts Dovecot on free ports and
    /// waits (up to ~10 s) until the master is up and all ports accept.
    pub fn start(opts: DovecotOptions) -> Result<Dovecot, DevServerError> {
        if !Path::new("/usr/sbin/dovecot").exists() && !in_path("dovecot") {
            return Err(DevServerError::NotInstalled);
        }
        if opts.delimiter != '/' && opts.delimiter != '.' {
            return Err(DevServerError::InvalidOption(format!(
                "delimiter {:?}: only '/' and '.' are supported",
                opts.delimiter
            )));
        }
        let root = is_root();
        let mail_owner = if root {
            sys::account_by_name("dovecot")?
        } else {
            sys::current_account()?
        };
        let (dir, remove_dir_on_drop) = match &opts.root {
            Some(d) => (d.clone(), false),
            None => (make_temp_dir()?, true),
        };
        let mut server = Dovecot {
            imap_port: 0,
            imaps_port: 0,
            pop3_port: 0,
            pop3s_port: 0,
            cert_pem: dir.join("cert.pem"),
            dir,
            pid: 0,
            child: None,
            opts,
            mail_owner,
            remove_dir_on_drop,
        };
        // From here on, Drop cleans up the temp dir if anything fails.
        server.prepare_dirs()?;
        config::ensure_cert(&server.dir)?;
        let mut last_err = None;
        for _ in 0..PORT_ATTEMPTS {
            let ports = sys::free_ports(4)?;
            (
                server.imap_port,
                server.imaps_port,
                server.pop3_port,
                server.pop3s_port,
            ) = (ports[0], ports[1], ports[2], ports[3]);
            let fixed = server.opts.imap_port;
            if let Some(port) = fixed {
                server.imap_port = port;
            }
            let result = server.launch();
            sys::release_ports(&ports);
            match result {
                Ok(()) => return Ok(server),
                Err(e) if is_addr_in_use(&e) && fixed.is_some() => {
                    return Err(DevServerError::InvalidOption(format!(
                        "port {} is in use; pick another with --port, or leave it out for a free one",
                        server.imap_port
                    )));
                }
                Err(e) if is_addr_in_use(&e) => last_err = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_err.unwrap_or(DevServerError::InvalidOption("no port attempts".into())))
    }

    /// PID of the Dovecot master (the last one, once stopped).
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// Dovecot's LMTP socket, when dovecot-lmtpd is installed: delivering here puts mail
    /// straight into the users' INBOXes.
    pub fn lmtp_socket(&self) -> Option<PathBuf> {
        lmtp_installed().then(|| self.dir.join(config::LMTP_SOCKET))
    }

    /// Dovecot's auth socket, where an MTA checks SMTP AUTH against this server's users.
    pub fn auth_socket(&self) -> PathBuf {
        self.dir.join(config::AUTH_SOCKET)
    }

    /// The private key of `cert_pem`, for an MTA serving TLS with the same certificate.
    pub fn key_pem(&self) -> PathBuf {
        self.dir.join("key.pem")
    }

    /// The users this instance was started with.
    pub fn users(&self) -> &[(String, String)] {
        &self.opts.users
    }

    /// The hierarchy delimiter this instance was configured with.
    pub fn delimiter(&self) -> char {
        self.opts.delimiter
    }

    /// SIGTERMs the master and waits until it and its children are gone
    /// (zombies count as gone). Idempotent; also run by Drop.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // Dovecot's master leaves processes that still serve a client (and
        // the log/stats processes they hold open) running for many seconds
        // after it exits, so signal its children as well. Snapshot before
        // and right after the master's SIGTERM so a child spawned in between
        // is not missed; only these exact processes (PID + start time) are
        // ever signalled.
        let mut kids = sys::descendants(self.pid);
        sys::send_signal(self.pid, libc::SIGTERM);
        for k in sys::descendants(self.pid) {
            if !kids.contains(&k) {
                kids.push(k);
            }
        }
        for (p, _) in &kids {
            sys::send_signal_to(p, libc::SIGTERM);
        }
        let procs: Vec<sys::Proc> = kids.into_iter().map(|(p, _)| p).collect();
        let kids_gone = wait_gone(&procs, STOP_TIMEOUT);
        // Once its children are gone the master only idles on a 1 s shutdown
        // timer; nothing of value is lost by cutting that short, and every
        // test pays it on drop.
        let grace = if kids_gone {
            Duration::from_millis(300)
        } else {
            STOP_TIMEOUT
        };
        if !wait_child(&mut child, grace) {
            sys::send_signal(self.pid, libc::SIGKILL);
            let _ = child.wait();
        }
        if !wait_gone(&procs, Duration::from_secs(1)) {
            for p in &procs {
                sys::send_signal_to(p, libc::SIGKILL);
            }
            wait_gone(&procs, Duration::from_secs(2));
        }
    }

    /// Kills this instance's post-login `imap` processes, which drops every
    /// IMAP connection the way a server crash or network cut would.
    pub fn kill_imap_sessions(&self) {
        if self.child.is_none() {
            return;
        }
        let victims: Vec<_> = sys::descendants(self.pid)
            .into_iter()
            .filter(|(p, comm)| comm == "imap" && p.ppid == self.pid)
            .map(|(p, _)| p)
            .collect();
        for p in &victims {
            sys::send_signal_to(p, libc::SIGKILL);
        }
        wait_gone(&victims, Duration::from_secs(5));
    }

    /// Stops and starts again on the same ports, config and mail.
    pub fn restart(&mut self) -> Result<(), DevServerError> {
        self.stop();
        relaunch(|| self.launch())
    }

    fn prepare_dirs(&self) -> Result<(), DevServerError> {
        let root = is_root();
        fs::create_dir_all(&self.dir).map_err(DevServerError::io(format!(
            "creating {}",
            self.dir.display()
        )))?;
        if root {
            // The dovecot user must be able to traverse into the mail.
            set_mode(&self.dir, 0o755)?;
        }
        for sub in ["mail", "home", "state"] {
            let p = self.dir.join(sub);
            fs::create_dir_all(&p)
                .map_err(DevServerError::io(format!("creating {}", p.display())))?;
            set_mode(&p, 0o755)?;
            if root && sub != "state" {
                self.chown(&p)?;
            }
        }
        let users = config::users_file(&self.dir, &self.opts.users, &self.mail_owner)?;
        write(&self.dir.join("users"), users.as_bytes())?;
        if let Some(oauth2) = &self.opts.oauth2 {
            write(
                &self.dir.join(config::OAUTH2_ARGS),
                config::oauth2_args(oauth2).as_bytes(),
            )?;
        }
        Ok(())
    }

    fn chown(&self, path: &Path) -> Result<(), DevServerError> {
        if !is_root() {
            return Ok(());
        }
        std::os::unix::fs::chown(path, Some(self.mail_owner.uid), Some(self.mail_owner.gid))
            .map_err(DevServerError::io(format!("chown {}", path.display())))
    }

    fn config_path(&self) -> PathBuf {
        self.dir.join("dovecot.conf")
    }

    /// Writes the config for the current ports and runs the master.
    fn launch(&mut self) -> Result<(), DevServerError> {
        let root_users = is_root().then_some(("dovecot", "dovenull"));
        let own_group = if is_root() {
            None
        } else {
            Some(sys::current_group_name()?)
        };
        let text = config::render(&config::ConfigParams {
            dir: &self.dir,
            imap_port: self.imap_port,
            imaps_port: self.imaps_port,
            pop3_port: self.pop3_port,
            pop3s_port: self.pop3s_port,
            delimiter: self.opts.delimiter,
            capabilities: self.opts.capabilities.as_deref(),
            mail_owner: &self.mail_owner,
            root_users,
            own_group: own_group.as_deref(),
            lmtp: lmtp_installed(),
            catch_all: self.opts.catch_all.as_deref(),
            oauth2: self.opts.oauth2.as_ref().map(|o| o.mechanisms.as_str()),
        });
        write(&self.config_path(), text.as_bytes())?;
        self.clear_stale_pid_file()?;
        let stderr_path = self.dir.join("dovecot.stderr");
        let stderr = fs::File::create(&stderr_path).map_err(DevServerError::io(format!(
            "creating {}",
            stderr_path.display()
        )))?;
        // Remember where this launch's log starts so errors show only it.
        let log_offset = fs::metadata(self.dir.join("dovecot.log")).map_or(0, |m| m.len());
        // -F: stay in the foreground as our child, so we can reap it and
        // notice at once if it dies during start.
        let child = Command::new(dovecot_bin())
            .arg("-F")
            .arg("-c")
            .arg(self.config_path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => DevServerError::NotInstalled,
                _ => DevServerError::Io {
                    context: "spawning dovecot".into(),
                    source: e,
                },
            })?;
        self.pid = child.id() as i32;
        self.child = Some(child);
        match self.wait_ready() {
            Ok(()) => Ok(()),
            Err(kind) => {
                let tail = self.log_tail(log_offset);
                self.stop();
                Err(match kind {
                    Some(status) => DevServerError::StartFailed {
                        status,
                        log_tail: tail,
                    },
                    None => DevServerError::StartTimeout {
                        secs: START_TIMEOUT.as_secs(),
                        config: self.config_path(),
                        log_tail: tail,
                    },
                })
            }
        }
    }

    /// Ok when master.pid names our child and every port accepts.
    /// Err(Some(status)) if the master exited, Err(None) on timeout.
    fn wait_ready(&mut self) -> Result<(), Option<String>> {
        let deadline = Instant::now() + START_TIMEOUT;
        let pid_file = self.dir.join("run").join("master.pid");
        let ports = [
            self.imap_port,
            self.imaps_port,
            self.pop3_port,
            self.pop3s_port,
        ];
        let mut pid_seen = false;
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                self.child = None;
                return Err(Some(status.to_string()));
            }
            if !pid_seen {
                pid_seen =
                    fs::read_to_string(&pid_file).is_ok_and(|s| s.trim() == self.pid.to_string());
            }
            if pid_seen && ports.iter().all(|p| accepts(*p)) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Err(None)
    }

    /// A master.pid left by a killed run would make Dovecot refuse to start
    /// if its PID got reused. Remove it unless it names a live Dovecot using
    /// our config, which we report instead of killing.
    fn clear_stale_pid_file(&self) -> Result<(), DevServerError> {
        let pid_file = self.dir.join("run").join("master.pid");
        let Ok(text) = fs::read_to_string(&pid_file) else {
            return Ok(());
        };
        if let Ok(pid) = text.trim().parse::<i32>() {
            let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let ours = self.config_path();
            let needle = ours.as_os_str().as_encoded_bytes();
            let running = sys::read_proc(pid).is_some_and(|(p, _)| !p.zombie);
            if running && cmdline.windows(needle.len()).any(|w| w == needle) {
                return Err(DevServerError::InvalidOption(format!(
                    "another dovecot (PID {pid}) is already running on {}; stop it first",
                    self.dir.display()
                )));
            }
        }
        let _ = fs::remove_file(&pid_file);
        Ok(())
    }

    fn log_tail(&self, log_offset: u64) -> String {
        let mut log = Vec::new();
        if let Ok(mut f) = fs::File::open(self.dir.join("dovecot.log")) {
            use std::io::Seek as _;
            let _ = f.seek(std::io::SeekFrom::Start(log_offset));
            let _ = f.read_to_end(&mut log);
        }
        let stderr = fs::read(self.dir.join("dovecot.stderr")).unwrap_or_default();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&stderr),
            String::from_utf8_lossy(&log)
        );
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// The password configured for `user`.
    fn password(&self, user: &str) -> Result<&str, DevServerError> {
        self.opts
            .users
            .iter()
            .find(|(u, _)| u == user)
            .map(|(_, p)| p.as_str())
            .ok_or_else(|| DevServerError::UnknownUser(user.to_string()))
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
        if self.remove_dir_on_drop {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn is_root() -> bool {
    sys::is_root()
}

fn in_path(bin: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(bin).is_file()))
}

/// LMTP comes in its own package (dovecot-lmtpd); without it `protocols = lmtp` fails.
fn lmtp_installed() -> bool {
    Path::new("/usr/lib/dovecot/lmtp").exists()
}

fn dovecot_bin() -> &'static str {
    // /usr/sbin is often not in PATH for non-root users.
    if Path::new("/usr/sbin/dovecot").exists() {
        "/usr/sbin/dovecot"
    } else {
        "dovecot"
    }
}

fn accepts(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
}

fn wait_child(child: &mut Child, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return true,
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    false
}

/// Waits until none of `procs` runs; false on timeout.
fn wait_gone(procs: &[sys::Proc], timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if !procs.iter().any(sys::is_running) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Launches again on the ports just released: the old listening sockets close with the
/// master, but a fresh bind can still race a TIME_WAIT or a slow exit, so retry briefly.
fn relaunch(mut launch: impl FnMut() -> Result<(), DevServerError>) -> Result<(), DevServerError> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match launch() {
            Err(e) if is_addr_in_use(&e) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

fn is_addr_in_use(e: &DevServerError) -> bool {
    match e {
        DevServerError::StartFailed { log_tail, .. }
        | DevServerError::StartTimeout { log_tail, .. } => {
            log_tail.contains("Address already in use")
        }
        _ => false,
    }
}

fn make_temp_dir() -> Result<PathBuf, DevServerError> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let base = std::env::temp_dir();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    loop {
        let n = SEQ.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("tern-dovecot-{}-{n}-{nanos:x}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(DevServerError::Io {
                    context: format!("creating {}", dir.display()),
                    source: e,
                });
            }
        }
    }
}

fn set_mode(path: &Path, mode: u32) -> Result<(), DevServerError> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(DevServerError::io(format!("chmod {}", path.display())))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), DevServerError> {
    fs::write(path, bytes).map_err(DevServerError::io(format!("writing {}", path.display())))
}
