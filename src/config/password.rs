//! Where an account's password comes from. The password never goes into an error or a log.

use std::io::{IsTerminal, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, unbounded};

use super::Account;
use crate::error::{Error, Result};
use crate::mime::sanitize::sanitize_line;

/// Resolves the password: `password_command` (first line of its stdout), `password_env`,
/// the literal `password`, else an interactive masked prompt when a terminal is attached.
pub fn resolve_password(account: &Account) -> Result<String> {
    // An OAuth2 account has no password to ask for: every connection fetches its access
    // token itself (crate::oauth), so this empty one is never sent.
    if account.auth == super::AuthMethod::Oauth2 {
        return Ok(String::new());
    }
    let source = Source {
        command: account.password_command.as_deref(),
        env: account.password_env.as_deref(),
        literal: account.password.as_deref(),
    };
    resolve(&source, &account.username, &account.host, &account.name)
}

/// The SMTP password: `[account.smtp]`'s own source, else the account's (the same sources,
/// in the same order).
pub fn resolve_smtp_password(account: &Account) -> Result<String> {
    match &account.smtp {
        Some(smtp) if smtp.has_password_source() => {
            let source = Source {
                command: smtp.password_command.as_deref(),
                env: smtp.password_env.as_deref(),
                literal: smtp.password.as_deref(),
            };
            let user = smtp.username.as_deref().unwrap_or(&account.username);
            resolve(&source, user, &smtp.host, &account.name)
        }
        _ => resolve_password(account),
    }
}

struct Source<'a> {
    command: Option<&'a str>,
    env: Option<&'a str>,
    literal: Option<&'a str>,
}

fn resolve(source: &Source, user: &str, host: &str, account: &str) -> Result<String> {
    if let Some(cmd) = source.command {
        return run_password_command(cmd);
    }
    if let Some(var) = source.env {
        return std::env::var(var).map_err(|_| {
            Error::Config(format!(
                "password_env: environment variable {var} is not set"
            ))
        });
    }
    if let Some(p) = source.literal {
        return Ok(p.to_string());
    }
    rpassword::prompt_password(prompt(user, host)).map_err(|e| {
        Error::Config(format!(
            "account \"{account}\" has no password_command, password_env or password, and no terminal to ask on ({e})"
        ))
    })
}

/// The prompt names the account as the config spells it, with anything that could steer the
/// terminal taken out.
fn prompt(user: &str, host: &str) -> String {
    format!(
        "Password for {}@{}: ",
        sanitize_line(user),
        sanitize_line(host)
    )
}

/// After this long, say that tern is waiting for the command (it may be asking for a
/// passphrase, or hanging).
const SAY_WAITING: Duration = Duration::from_secs(1);
/// Once the command has exited, how long to wait for output still in the pipe: a child it
/// left running may hold its stdout open forever.
const DRAIN: Duration = Duration::from_millis(300);
/// More output than any password: the rest is not read.
const MAX_OUTPUT: usize = 64 * 1024;

/// Runs `password_command` and returns the first line it printed. Its exit is what counts,
/// not the end of its output, so a background child holding stdout does not hang tern; a
/// command that never exits is waited for (Ctrl-C ends both).
fn run_password_command(cmd: &str) -> Result<String> {
    let shown = sanitize_line(cmd);
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Config(format!("password_command `{shown}` could not be run: {e}")))?;
    let out = drain_in_background(child.stdout.take());
    let err = drain_in_background(child.stderr.take());
    let started = Instant::now();
    let mut said = false;
    let status = loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|e| Error::Config(format!("password_command `{shown}`: {e}")))?
        {
            break status;
        }
        if !said && started.elapsed() >= SAY_WAITING && std::io::stderr().is_terminal() {
            eprintln!("tern: waiting for password_command `{shown}` (Ctrl-C cancels)");
            said = true;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = collect(&out);
    if !status.success() {
        let stderr = String::from_utf8_lossy(&collect(&err)).trim().to_string();
        return Err(Error::Config(format!(
            "password_command `{shown}` failed ({status}): {}",
            sanitize_line(&stderr)
        )));
    }
    let text = String::from_utf8_lossy(&stdout);
    let password = text.lines().next().unwrap_or("").to_string();
    if password.is_empty() {
        return Err(Error::Config(format!(
            "password_command `{shown}` printed no password"
        )));
    }
    Ok(password)
}

/// Chunks of a pipe, read on a thread of its own; the channel closes at end of output.
fn drain_in_background(pipe: Option<impl Read + Send + 'static>) -> Receiver<Vec<u8>> {
    let (tx, rx) = unbounded();
    if let Some(mut pipe) = pipe {
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            let mut total = 0;
            while let Ok(n @ 1..) = pipe.read(&mut buf) {
                total += n;
                if total > MAX_OUTPUT || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
    }
    rx
}

/// What a pipe gave until it closed, or until nothing more came for [`DRAIN`].
fn collect(chunks: &Receiver<Vec<u8>>) -> Vec<u8> {
    let mut all = Vec::new();
    while let Ok(chunk) = chunks.recv_timeout(DRAIN) {
        all.extend(chunk);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(extra: &str) -> Account {
        let text = format!("[[account]]\nname = \"a\"\nhost = \"h\"\nusername = \"u\"\n{extra}\n");
        crate::config::parse(&text).unwrap().accounts.remove(0)
    }

    #[test]
    fn command_gives_its_first_line() {
        let a = account("password_command = \"printf 's3cret\\\\nsecond'\"");
        assert_eq!(resolve_password(&a).unwrap(), "s3cret");
    }

    #[test]
    fn failing_command_and_missing_env_are_config_errors() {
        let a = account("password_command = \"echo oops >&2; exit 3\"");
        let e = resolve_password(&a).unwrap_err();
        assert!(
            matches!(e, Error::Config(_)) && e.to_string().contains("oops"),
            "{e}"
        );
        let a = account("password_env = \"TERN_SURELY_UNSET_VARIABLE\"");
        assert!(
            resolve_password(&a)
                .unwrap_err()
                .to_string()
                .contains("TERN_SURELY_UNSET_VARIABLE")
        );
    }

    #[test]
    fn a_command_that_prints_nothing_is_an_error_naming_it() {
        let a = account("password_command = \"true\"");
        let e = resolve_password(&a).unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{e}");
        assert!(e.to_string().contains("`true` printed no password"), "{e}");
    }

    #[test]
    fn a_child_left_holding_stdout_does_not_hang_the_login() {
        // `sleep` keeps the pipe open long after the command itself has exited.
        let a = account("password_command = \"echo pw; sleep 20 &\"");
        let (tx, rx) = crossbeam_channel::bounded(1);
        std::thread::spawn(move || tx.send(resolve_password(&a)));
        let got = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("password_command waited for its child's output");
        assert_eq!(got.unwrap(), "pw");
    }

    #[test]
    fn the_prompt_cannot_steer_the_terminal() {
        let a = account("");
        let mut a = a;
        a.username = "u\u{1b}]0;pwned\u{7}".into();
        a.host = "h\u{1b}[2J".into();
        let p = prompt(&a.username, &a.host);
        assert!(!p.chars().any(char::is_control), "{p:?}");
        assert!(
            p.starts_with("Password for u") && p.ends_with(": "),
            "{p:?}"
        );
    }
}

#[cfg(test)]
mod smtp_tests {
    use super::*;

    #[test]
    fn smtp_uses_its_own_source_else_the_accounts() {
        let text = "[[account]]\nname = \"a\"\nhost = \"h\"\nusername = \"u\"\npassword = \"imap\"\n[account.smtp]\nhost = \"s\"\n";
        let a = crate::config::parse(text).unwrap().accounts.remove(0);
        assert_eq!(resolve_smtp_password(&a).unwrap(), "imap");
        let text = format!("{text}password_command = \"echo smtp\"\n");
        let a = crate::config::parse(&text).unwrap().accounts.remove(0);
        assert_eq!(resolve_smtp_password(&a).unwrap(), "smtp");
    }
}
