//! A private Postfix on 127.0.0.1 that delivers into a [`Dovecot`] over LMTP and checks SMTP
//! AUTH against that Dovecot's users: the real MTA behind tern's sending tests and the demo.
//!
//! Each [`Postfix`] owns one directory (config, queue, log). Its master runs as our child
//! (`master -d`), so only PIDs it started are ever signalled. Postfix needs root (its master
//! switches to the `postfix` user); otherwise [`Postfix::start`] says so and the demo delivers
//! straight into Dovecot's LMTP instead.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::postfix_config::{self, PostfixParams};
use super::{DevServerError, Dovecot, accepts, sys, wait_child, wait_gone};

const START_TIMEOUT: Duration = Duration::from_secs(20);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
const POSTFIX_SBIN: &str = "/usr/lib/postfix/sbin";

/// How to set the MTA up.
#[derive(Clone, Debug)]
pub struct PostfixOptions {
    /// Mail domains delivered into the Dovecot (`user@domain` for each Dovecot user).
    pub domains: Vec<String>,
    /// Largest message accepted, in bytes (base64 included).
    pub message_size_limit: u64,
    /// Where config, queue and log go. `None`: a fresh temporary directory, removed on drop.
    pub root: Option<PathBuf>,
    /// Rewrite every recipient to this address (the demo: all mail lands in its own box).
    pub catch_all: Option<String>,
}

impl Default for PostfixOptions {
    fn default() -> Self {
        PostfixOptions {
            domains: vec!["example.org".into()],
            message_size_limit: 50 << 20,
            root: None,
            catch_all: None,
        }
    }
}

/// A running private Postfix. Stopped (and its temp dir removed) on drop.
#[derive(Debug)]
pub struct Postfix {
    /// Implicit TLS (like port 465), the Dovecot's self-signed certificate.
    pub smtps_port: u16,
    /// STARTTLS offered, AUTH only after it (like port 587).
    pub submission_port: u16,
    /// No STARTTLS at all; AUTH allowed in plain text.
    pub plain_port: u16,
    pub dir: PathBuf,
    pid: i32,
    child: Option<Child>,
    remove_dir_on_drop: bool,
}

impl Postfix {
    /// Writes the config next to `dovecot`'s sockets, starts the master on free ports and
    /// waits until every listener accepts.
    pub fn start(dovecot: &Dovecot, opts: PostfixOptions) -> Result<Postfix, DevServerError> {
        if !Path::new(POSTFIX_SBIN).join("master").exists() {
            return Err(DevServerError::MissingPackage(
                "postfix is not installed: run scripts/test (or apt-get install postfix)".into(),
            ));
        }
        let Some(lmtp_socket) = dovecot.lmtp_socket() else {
            return Err(DevServerError::MissingPackage(
                "dovecot-lmtpd is not installed: run scripts/test".into(),
            ));
        };
        if !sys::is_root() {
            return Err(DevServerError::MissingPackage(
                "a private Postfix needs root (its master switches to the postfix user)".into(),
            ));
        }
        let (dir, remove_dir_on_drop) = match &opts.root {
            Some(d) => (d.clone(), false),
            None => (make_temp_dir()?, true),
        };
        let mut server = Postfix {
            smtps_port: 0,
            submission_port: 0,
            plain_port: 0,
            dir,
            pid: 0,
            child: None,
            remove_dir_on_drop,
        };
        let ports = sys::free_ports(3)?;
        (server.smtps_port, server.submission_port, server.plain_port) =
            (ports[0], ports[1], ports[2]);
        let users: Vec<String> = dovecot.users().iter().map(|(u, _)| u.clone()).collect();
        let syslog_name = format!(
            "tern-postfix-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let params = PostfixParams {
            dir: &server.dir,
            syslog_name: &syslog_name,
            smtps_port: server.smtps_port,
            submission_port: server.submission_port,
            plain_port: server.plain_port,
            domains: &opts.domains,
            users: &users,
            lmtp_socket: &lmtp_socket,
            auth_socket: &dovecot.auth_socket(),
            cert_pem: &dovecot.cert_pem,
            key_pem: &dovecot.key_pem(),
            message_size_limit: opts.message_size_limit,
            catch_all: opts.catch_all.as_deref(),
        };
        server.write_config(&params)?;
        let result = server.launch();
        sys::release_ports(&ports);
        result.map(|()| server)
    }

    /// PID of the Postfix master (the last one, once stopped).
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// Everything Postfix logged so far (deliveries, refusals), for test failure messages.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("maillog")).unwrap_or_default()
    }

    /// SIGTERMs the master and waits until it and every process it started are gone.
    /// Idempotent; also run by Drop.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let mut procs: Vec<sys::Proc> = sys::descendants(self.pid)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        sys::send_signal(self.pid, libc::SIGTERM);
        for (p, _) in sys::descendants(self.pid) {
            if !procs.contains(&p) {
                procs.push(p);
            }
        }
        if !wait_child(&mut child, STOP_TIMEOUT) {
            sys::send_signal(self.pid, libc::SIGKILL);
            let _ = child.wait();
        }
        if !wait_gone(&procs, STOP_TIMEOUT) {
            for p in &procs {
                sys::send_signal_to(p, libc::SIGKILL);
            }
            wait_gone(&procs, Duration::from_secs(2));
        }
    }

    /// Starts again on the same ports, config and queue (a stopped MTA coming back).
    pub fn restart(&mut self) -> Result<(), DevServerError> {
        self.stop();
        super::relaunch(|| self.launch())
    }

    fn etc(&self) -> PathBuf {
        self.dir.join("etc")
    }

    fn write_config(&self, params: &PostfixParams) -> Result<(), DevServerError> {
        let etc = self.etc();
        fs::create_dir_all(&etc)
            .map_err(DevServerError::io(format!("creating {}", etc.display())))?;
        // The postfix user must traverse to the queue and the log; `postfix check` fills in
        // the queue directory but wants it, and a data directory postfix owns, to exist.
        super::set_mode(&self.dir, 0o755)?;
        for sub in ["queue", "data"] {
            let p = self.dir.join(sub);
            fs::create_dir_all(&p)
                .map_err(DevServerError::io(format!("creating {}", p.display())))?;
        }
        let postfix = sys::account_by_name("postfix")?;
        let data = self.dir.join("data");
        std::os::unix::fs::chown(&data, Some(postfix.uid), Some(postfix.gid))
            .map_err(DevServerError::io(format!("chown {}", data.display())))?;
        super::write(
            &etc.join("main.cf"),
            postfix_config::main_cf(params).as_bytes(),
        )?;
        super::write(
            &etc.join("master.cf"),
            postfix_config::master_cf(params).as_bytes(),
        )?;
        Ok(())
    }

    /// `postfix check` creates the queue directories with their owners; then the master
    /// runs in the foreground as our child.
    fn launch(&mut self) -> Result<(), DevServerError> {
        let check = Command::new("/usr/sbin/postfix")
            .arg("-c")
            .arg(self.etc())
            .arg("check")
            .stdin(Stdio::null())
            .output()
            .map_err(DevServerError::io("running postfix check"))?;
        if !check.status.success() {
            return Err(DevServerError::StartFailed {
                status: format!("postfix check: {}", check.status),
                log_tail: format!(
                    "{}{}{}",
                    String::from_utf8_lossy(&check.stdout),
                    String::from_utf8_lossy(&check.stderr),
                    self.log()
                ),
            });
        }
        let stderr_path = self.dir.join("master.stderr");
        let stderr = fs::File::create(&stderr_path).map_err(DevServerError::io(format!(
            "creating {}",
            stderr_path.display()
        )))?;
        let log_offset = fs::metadata(self.dir.join("maillog")).map_or(0, |m| m.len());
        let child = Command::new(Path::new(POSTFIX_SBIN).join("master"))
            .arg("-d")
            .arg("-c")
            .arg(self.etc())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .map_err(DevServerError::io("spawning the postfix master"))?;
        self.pid = child.id() as i32;
        self.child = Some(child);
        let ports = [self.smtps_port, self.submission_port, self.plain_port];
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                self.child = None;
                return Err(DevServerError::StartFailed {
                    status: format!("postfix master: {status}"),
                    log_tail: self.log_tail(log_offset),
                });
            }
            if ports.iter().all(|p| accepts(*p)) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let log_tail = self.log_tail(log_offset);
                self.stop();
                return Err(DevServerError::StartFailed {
                    status: format!("no listener within {} s", START_TIMEOUT.as_secs()),
                    log_tail,
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log_tail(&self, offset: u64) -> String {
        let stderr = fs::read_to_string(self.dir.join("master.stderr")).unwrap_or_default();
        let log = self.log();
        let log = log.get(offset as usize..).unwrap_or("");
        let text = format!("{stderr}{log}");
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        self.stop();
        if self.remove_dir_on_drop {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

static SEQ: AtomicU64 = AtomicU64::new(0);

fn make_temp_dir() -> Result<PathBuf, DevServerError> {
    loop {
        let dir = std::env::temp_dir().join(format!(
            "tern-postfix-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
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
