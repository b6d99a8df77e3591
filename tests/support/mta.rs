//! A real mail system for sending tests: a private Dovecot (users alice, bob, carol) and a
//! private Postfix that checks SMTP AUTH against it and delivers into it over LMTP. One pair
//! per test binary (Postfix takes seconds to start), stopped when the binary exits.
//! Tests keep apart by unique subjects, and read what arrived over IMAP as the recipient.

use std::io::Write as _;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use tern::devserver::{Dovecot, DovecotOptions, Postfix, PostfixOptions};

pub const DOMAIN: &str = "example.org";

pub struct Mta {
    pub dovecot: Dovecot,
    pub postfix: Postfix,
}

static SHARED: OnceLock<Mutex<Option<Mta>>> = OnceLock::new();

/// Stops the shared servers and removes their directories when the test binary exits
/// (statics are never dropped).
extern "C" fn stop_shared() {
    if let Some(m) = SHARED.get() {
        let taken = m.lock().unwrap_or_else(|e| e.into_inner()).take();
        drop(taken);
    }
}

/// The shared pair, held for the length of one test.
pub struct Shared(MutexGuard<'static, Option<Mta>>);

impl std::ops::Deref for Shared {
    type Target = Mta;
    fn deref(&self) -> &Mta {
        self.0.as_ref().expect("the shared servers are running")
    }
}

impl Mta {
    pub fn start() -> Mta {
        let dovecot = Dovecot::start(DovecotOptions {
            users: vec![
                ("alice".into(), "wonderland".into()),
                ("bob".into(), "builder".into()),
                ("carol".into(), "singer".into()),
            ],
            ..DovecotOptions::default()
        })
        .expect("start dovecot");
        let postfix = Postfix::start(&dovecot, PostfixOptions::default()).expect("start postfix");
        Mta { dovecot, postfix }
    }

    /// The binary's shared pair. Tests that stop or restart a server start their own.
    pub fn shared() -> Shared {
        let m = SHARED.get_or_init(|| {
            // SAFETY: registers a plain extern "C" function; it runs once at exit.
            unsafe { libc::atexit(stop_shared) };
            Mutex::new(Some(Mta::start()))
        });
        Shared(m.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// A tern config for alice sending through `port` with `tls`; `extra` lines are added
    /// to the `[account.smtp]` table (`TRUST` accepts the self-signed certificate).
    pub fn config(&self, dir: &Path, port: u16, tls: &str, extra: &str) -> PathBuf {
        let path = dir.join("config.toml");
        let text = format!(
            "[[account]]\nname = \"test\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nusername = \"alice\"\npassword_env = \"TERN_TEST_PASSWORD\"\nfrom = \"Alice Liddell <alice@{DOMAIN}>\"\nconnect_timeout_secs = 3\nread_timeout_secs = 10\n\n[account.smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"{tls}\"\n{extra}\n",
            self.dovecot.imap_port
        );
        std::fs::write(&path, text).expect("write config");
        path
    }

    /// A shell in tmux (`width`×`height`) for alice writing mail: `editor` (a shell script's
    /// text) as `EDITOR`, a private state directory under `home`, and `vars` besides; and
    /// her config, sending through the Postfix on implicit TLS.
    pub fn composing(
        &self,
        home: &Path,
        editor: &str,
        vars: &[(&str, &str)],
        (width, height): (u16, u16),
    ) -> (super::tmux::Tmux, PathBuf) {
        use std::os::unix::fs::PermissionsExt as _;
        let script = home.join("editor.sh");
        std::fs::write(&script, editor).expect("write the editor script");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
            .expect("make the editor script executable");
        let state = home.join("state");
        let (script, state) = (script.to_str().unwrap(), state.to_str().unwrap());
        let mut env = vec![
            ("TERN_TEST_PASSWORD", "wonderland"),
            ("XDG_STATE_HOME", state),
            ("XDG_CACHE_HOME", state),
            ("VISUAL", ""),
            ("EDITOR", script),
        ];
        env.extend_from_slice(vars);
        let tmux = super::tmux::Tmux::shell(&env, width, height);
        let config = self.config(home, self.postfix.smtps_port, "implicit", TRUST);
        (tmux, config)
    }

    /// The account of that config, parsed.
    pub fn account(&self, dir: &Path, port: u16, tls: &str, extra: &str) -> tern::config::Account {
        let path = self.config(dir, port, tls, extra);
        tern::config::load(&path)
            .expect("config")
            .config
            .accounts
            .remove(0)
    }

    /// Every message in `user`'s `folder` whose decoded subject contains `tag`.
    pub fn messages(&self, user: &str, folder: &str, tag: &str) -> Vec<Vec<u8>> {
        read_folder(&self.dovecot, user, folder)
            .into_iter()
            .filter(|m| subject(m).contains(tag))
            .collect()
    }

    /// Waits (up to 20 s) until `user`'s `folder` holds `n` messages tagged `tag`.
    pub fn wait_for(&self, user: &str, folder: &str, tag: &str, n: usize) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let found = self.messages(user, folder, tag);
            if found.len() >= n || Instant::now() > deadline {
                return found;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A unique subject tag, so tests sharing one server find their own mail.
pub fn tag(name: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The raw header block, unfolded enough for `contains` checks (RFC 2047 words stay encoded).
pub fn header_text(message: &[u8]) -> String {
    let text = String::from_utf8_lossy(message);
    text.split("\r\n\r\n").next().unwrap_or("").to_string()
}

pub fn password(user: &str) -> &'static str {
    match user {
        "alice" => "wonderland",
        "bob" => "builder",
        "carol" => "singer",
        _ => "",
    }
}

/// Every message of `folder` (the Maildir may not exist yet: then none).
pub fn read_folder(dovecot: &Dovecot, user: &str, folder: &str) -> Vec<Vec<u8>> {
    let tcp = TcpStream::connect(("127.0.0.1", dovecot.imap_port)).expect("connect imap");
    let client = imap::Client::new(tcp);
    let mut session = client
        .login(user, password(user))
        .map_err(|(e, _)| e)
        .expect("imap login");
    let mailbox = session.examine(folder).expect("examine");
    let mut out = Vec::new();
    if mailbox.exists > 0 {
        let fetches = session.fetch("1:*", "BODY.PEEK[]").expect("fetch");
        for f in fetches.iter() {
            out.push(f.body().unwrap_or_default().to_vec());
        }
    }
    let _ = session.logout();
    out
}

pub fn subject(message: &[u8]) -> String {
    mail_parser::MessageParser::new()
        .parse_headers(message)
        .and_then(|m| m.subject().map(str::to_string))
        .unwrap_or_default()
}

/// Flags of the messages tagged `tag` in `folder`, as the server lists them.
pub fn flags(dovecot: &Dovecot, user: &str, folder: &str, tag: &str) -> Vec<String> {
    let tcp = TcpStream::connect(("127.0.0.1", dovecot.imap_port)).expect("connect imap");
    let mut session = imap::Client::new(tcp)
        .login(user, password(user))
        .map_err(|(e, _)| e)
        .expect("imap login");
    session.examine(folder).expect("examine");
    let fetches = session
        .fetch("1:*", "(FLAGS BODY.PEEK[HEADER])")
        .expect("fetch");
    let mut out = Vec::new();
    for f in fetches.iter() {
        if subject(f.header().unwrap_or_default()).contains(tag) {
            out.push(format!("{:?}", f.flags()));
        }
    }
    let _ = session.logout();
    out
}

/// `[account.smtp]` line accepting the test servers' self-signed certificate.
pub const TRUST: &str = "accept_invalid_certs = true";

/// Starts the tern binary with `config`, its outbox under `state`, `stdin` as input (then
/// closed); stdout and stderr are captured.
pub fn spawn_tern(config: &Path, state: &Path, args: &[&str], stdin: &[u8]) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tern"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("TERN_TEST_PASSWORD", "wonderland")
        .env("XDG_STATE_HOME", state)
        .env("XDG_CACHE_HOME", state)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tern");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin).expect("write stdin");
    child
}

/// [`spawn_tern`], waited for.
pub fn tern(config: &Path, state: &Path, args: &[&str], stdin: &[u8]) -> super::Run {
    let out = spawn_tern(config, state, args, stdin)
        .wait_with_output()
        .expect("wait for tern");
    super::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        raw_stdout: out.stdout,
    }
}

impl Mta {
    /// Waits (up to 20 s) until Postfix's queue holds nothing: every message it took is
    /// delivered (or bounced).
    pub fn wait_queue_empty(&self) {
        let queue = self.postfix.dir.join("queue");
        let deadline = Instant::now() + Duration::from_secs(20);
        let busy = || {
            ["maildrop", "incoming", "active", "deferred", "hold"]
                .iter()
                .any(|sub| has_files(&queue.join(sub)))
        };
        while busy() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn has_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let p = e.path();
            if p.is_dir() { has_files(&p) } else { true }
        })
    })
}
