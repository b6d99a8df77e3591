//! OAuth2 end to end: `tern login` (browser and device flows) against the tests'
//! authorization server, then IMAP logins with OAUTHBEARER and XOAUTH2 at a real Dovecot
//! that introspects every token there, and SMTP submission through Postfix with either; refreshing before expiry and after a refusal, rotated
//! refresh tokens saved, a revoked sign-in ending in one clear error, the token file private.
//! Each test has its own Dovecot: refused logins make Dovecot slow down the next ones from
//! the same address.

mod support;

use std::io::{BufRead as _, BufReader};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::Run;
use support::authz::{AuthServer, get};
use support::mta::{DOMAIN, read_folder, subject, tag};
use tern::devserver::{Dovecot, DovecotOptions, Postfix, PostfixOptions};

struct Setup {
    auth: AuthServer,
    dovecot: Dovecot,
    /// Submission through Postfix, which checks tokens with the same Dovecot.
    postfix: Option<Postfix>,
    /// The account reads mail over POP3 instead of IMAP.
    pop3: bool,
    home: tempfile::TempDir,
}

impl Setup {
    fn start(lifetime_secs: u64, mechanisms: &str) -> Setup {
        let auth = AuthServer::start("alice", lifetime_secs);
        let dovecot = Dovecot::start(DovecotOptions {
            oauth2: Some(auth.passdb(mechanisms)),
            users: vec![
                ("alice".into(), "wonderland".into()),
                ("bob".into(), "builder".into()),
            ],
            ..DovecotOptions::default()
        })
        .expect("start dovecot");
        Setup {
            auth,
            dovecot,
            postfix: None,
            pop3: false,
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn config(&self) -> PathBuf {
        let path = self.home.path().join("config.toml");
        let smtp = self.postfix.as_ref().map_or(String::new(), |p| {
            format!(
                "from = \"alice@{DOMAIN}\"\n[account.smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"starttls\"\naccept_invalid_certs = true\n",
                p.submission_port
            )
        });
        // POP3 over TLS: Dovecot offers STLS on the plain port, and tern sends no token in
        // the clear where encryption was offered.
        let (protocol, port, tls) = if self.pop3 {
            let port = self.dovecot.pop3s_port;
            (
                "pop3",
                port,
                "tls = \"implicit\"\naccept_invalid_certs = true",
            )
        } else {
            ("imap", self.dovecot.imap_port, "tls = \"none\"")
        };
        let text = format!(
            "[[account]]\nname = \"test\"\nprotocol = \"{protocol}\"\nhost = \"127.0.0.1\"\nport = {port}\n{tls}\nusername = \"alice\"\nauth = \"oauth2\"\nconnect_timeout_secs = 5\nread_timeout_secs = 30\n{smtp}{}",
            self.auth.account_table()
        );
        std::fs::write(&path, text).unwrap();
        path
    }

    fn state(&self) -> PathBuf {
        self.home.path().join("state")
    }

    fn token_file(&self) -> PathBuf {
        self.state().join("tern/oauth2/test.toml")
    }

    fn stored(&self, key: &str) -> String {
        let text = std::fs::read_to_string(self.token_file()).expect("the token file");
        let table: toml::Table = toml::from_str(&text).unwrap();
        table[key].as_str().unwrap().to_string()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tern"));
        cmd.arg("--config")
            .arg(self.config())
            .args(args)
            .env("XDG_STATE_HOME", self.state())
            .env("XDG_CACHE_HOME", self.state())
            // The test plays the browser itself.
            .env("BROWSER", "true");
        cmd
    }

    fn tern(&self, args: &[&str]) -> Run {
        let out = self.command(args).output().expect("run tern");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            raw_stdout: out.stdout,
        }
    }

    /// `tern login` (with `extra` arguments); `act` gets each stderr line and may act on it.
    fn login(&self, extra: &[&str], mut act: impl FnMut(&str)) -> Run {
        let mut args = vec!["login"];
        args.extend(extra);
        let mut child = self
            .command(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run tern login");
        let mut lines = Vec::new();
        for line in BufReader::new(child.stderr.take().unwrap()).lines() {
            let line = line.unwrap();
            act(&line);
            lines.push(line);
        }
        let out = child.wait_with_output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: lines.join("\n"),
            raw_stdout: out.stdout,
        }
    }

    /// The browser flow, with the test following the printed URL the way a browser would.
    fn login_in_browser(&self) -> Run {
        self.login(&[], |line| {
            if line.starts_with(&self.auth.url("/authorize")) {
                let (status, location) = get(line);
                assert!(status.contains("302"), "{status}");
                let location = location.expect("a redirect to tern");
                assert!(location.starts_with("http://127.0.0.1:"), "{location}");
                let (status, _) = get(&location);
                assert!(status.contains("200"), "tern's listener said {status}");
            }
        })
    }

    fn check(&self) -> Run {
        self.tern(&["check"])
    }

    /// Dovecot's log, for failure messages.
    fn log(&self) -> String {
        std::fs::read_to_string(self.dovecot.dir.join("dovecot.log")).unwrap_or_default()
    }
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn browser_sign_in_then_oauthbearer_login_with_a_private_token_file() {
    let s = Setup::start(3600, "xoauth2 oauthbearer");
    let run = s.login_in_browser();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("signed in"), "{}", run.stderr);
    assert_eq!(run.stdout.trim(), s.token_file().display().to_string());
    assert_eq!(mode(&s.token_file()), 0o600);
    assert_eq!(mode(s.token_file().parent().unwrap()), 0o700);
    let check = s.check();
    assert_eq!(check.code, 0, "{}\n{}", check.stderr, s.log());
    assert!(
        check.stdout.contains("AUTHENTICATE OAUTHBEARER"),
        "{}",
        check.stdout
    );
    // A fresh token was good: no refresh, one introspection.
    assert_eq!((s.auth.refresh_grants(), s.auth.introspections()), (0, 1));
    // The tokens appear in no output.
    let access = s.stored("access_token");
    assert!(!format!("{}{}{}", run.stderr, check.stdout, check.stderr).contains(&access));
}

#[test]
fn device_sign_in_then_xoauth2_login() {
    let s = Setup::start(3600, "xoauth2");
    let run = s.login(&["--device"], |line| {
        if let Some((_, code)) = line.split_once("enter the code ") {
            s.auth.approve(code.trim());
        }
    });
    assert_eq!(run.code, 0, "{}", run.stderr);
    let check = s.check();
    assert_eq!(check.code, 0, "{}\n{}", check.stderr, s.log());
    assert!(
        check.stdout.contains("AUTHENTICATE XOAUTH2"),
        "{}",
        check.stdout
    );
    // A refused XOAUTH2 token: the error challenge is answered with an empty line, then a
    // fresh token goes over the same connection.
    s.auth.forget_access_tokens();
    let check = s.check();
    assert_eq!(check.code, 0, "{}\n{}", check.stderr, s.log());
    assert_eq!((s.auth.refresh_grants(), s.auth.introspections()), (1, 3));
}

#[test]
fn a_token_about_to_expire_is_refreshed_and_the_rotated_refresh_token_saved() {
    // Lifetimes under a minute are refreshed before every login.
    let s = Setup::start(30, "xoauth2 oauthbearer");
    assert_eq!(s.login_in_browser().code, 0);
    let first = s.stored("refresh_token");
    let check = s.check();
    assert_eq!(check.code, 0, "{}\n{}", check.stderr, s.log());
    assert_eq!(s.auth.refresh_grants(), 1);
    let second = s.stored("refresh_token");
    assert_ne!(first, second);
    assert!(s.auth.is_valid_refresh_token(&second));
    assert!(!s.auth.is_valid_refresh_token(&first));
    // The saved rotation is what the next run uses.
    assert_eq!(s.check().code, 0);
    assert_eq!(
        (s.auth.refresh_grants(), s.auth.refused_refreshes()),
        (2, 0)
    );
}

#[test]
fn a_refused_token_is_refreshed_once_on_the_same_connection() {
    let s = Setup::start(3600, "xoauth2 oauthbearer");
    assert_eq!(s.login_in_browser().code, 0);
    s.auth.forget_access_tokens();
    let check = s.check();
    assert_eq!(check.code, 0, "{}\n{}", check.stderr, s.log());
    assert_eq!(s.auth.refresh_grants(), 1);
    // The refused token and the fresh one were both checked by Dovecot.
    assert_eq!(s.auth.introspections(), 2);
}

#[test]
fn a_revoked_sign_in_gives_one_clear_error_and_no_retries() {
    let s = Setup::start(3600, "xoauth2 oauthbearer");
    assert_eq!(s.login_in_browser().code, 0);
    s.auth.revoke_all();
    let check = s.check();
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(
        check.stderr.contains("run `tern login --account test`"),
        "{}",
        check.stderr
    );
    assert_eq!(check.stderr.trim().lines().count(), 1, "{}", check.stderr);
    assert_eq!(s.auth.refused_refreshes(), 1);
    // Signing in again mends it.
    assert_eq!(s.login_in_browser().code, 0);
    let check = s.check();
    assert_eq!(check.code, 0, "{}\n{}", check.stderr, s.log());
}

#[test]
fn without_a_sign_in_the_error_says_to_run_tern_login() {
    let s = Setup::start(3600, "xoauth2 oauthbearer");
    let check = s.check();
    assert_eq!(check.code, 1);
    assert!(
        check.stderr.contains("no sign-in") && check.stderr.contains("tern login --account test"),
        "{}",
        check.stderr
    );
    assert_eq!(s.auth.introspections(), 0);
}

/// Sends a message with `tern send` through Postfix, whose Dovecot offers `mechanisms`, after
/// the first token was forgotten (refused at SMTP AUTH too: tern answers the error challenge
/// and refreshes); the Postfix log once the message arrived.
fn send_after_a_refresh(mechanisms: &str) -> String {
    let mut s = Setup::start(3600, mechanisms);
    s.postfix = Some(Postfix::start(&s.dovecot, PostfixOptions::default()).expect("start postfix"));
    assert_eq!(s.login_in_browser().code, 0);
    s.auth.forget_access_tokens();
    let t = tag("oauth2");
    let raw = format!("To: bob@{DOMAIN}\nSubject: {t}\n\nSent with a bearer token.\n");
    let mut child = s
        .command(&["send"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tern send");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), raw.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let log = s.postfix.as_ref().unwrap().log();
    assert!(
        out.status.success(),
        "{}\n{log}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s.auth.refresh_grants(), 1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let arrived = loop {
        let found = read_folder(&s.dovecot, "bob", "INBOX")
            .into_iter()
            .any(|m| subject(&m).contains(&t));
        if found || std::time::Instant::now() > deadline {
            break found;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(arrived, "nothing arrived for bob\n{log}");
    s.postfix.as_ref().unwrap().log()
}

#[test]
fn mail_is_sent_through_postfix_with_oauthbearer_where_offered_after_a_refresh() {
    let log = send_after_a_refresh("xoauth2 oauthbearer");
    assert!(log.contains("sasl_method=OAUTHBEARER"), "{log}");
    assert!(!log.contains("sasl_method=XOAUTH2"), "{log}");
}

#[test]
fn mail_is_sent_through_postfix_with_xoauth2_where_only_it_is_offered() {
    let log = send_after_a_refresh("xoauth2");
    assert!(log.contains("sasl_method=XOAUTH2"), "{log}");
}

#[test]
fn pop3_logs_in_with_xoauth2_and_refreshes_a_refused_token() {
    let mut s = Setup::start(3600, "xoauth2");
    s.pop3 = true;
    assert_eq!(s.login_in_browser().code, 0);
    let check = s.check();
    assert_eq!(check.code, 0, "{}\n{}", check.stderr, s.log());
    assert!(check.stdout.contains("AUTH XOAUTH2"), "{}", check.stdout);
    s.auth.forget_access_tokens();
    let check = s.check();
    assert_eq!(check.code, 0, "{}\n{}", check.stderr, s.log());
    assert_eq!(s.auth.refresh_grants(), 1);
}
