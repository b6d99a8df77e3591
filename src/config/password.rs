//! Where an account's password comes from. The password never goes into an error or a log.

use std::process::Command;

use super::Account;
use crate::error::{Error, Result};

/// Resolves the password: `password_command` (first line of its stdout), `password_env`,
/// the literal `password`, else an interactive masked prompt when a terminal is attached.
pub fn resolve_password(account: &Account) -> Result<String> {
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
        let out = Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .output()
            .map_err(|e| Error::Config(format!("password_command could not be run: {e}")))?;
        if !out.status.success() {
            return Err(Error::Config(format!(
                "password_command failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        return Ok(stdout.lines().next().unwrap_or("").to_string());
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
    rpassword::prompt_password(format!("Password for {user}@{host}: ")).map_err(|e| {
        Error::Config(format!(
            "account \"{account}\" has no password_command, password_env or password, and no terminal to ask on ({e})"
        ))
    })
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
        assert!(resolve_smtp_password(&a).is_err());
        assert!(
            resolve_password(&a)
                .unwrap_err()
                .to_string()
                .contains("TERN_SURELY_UNSET_VARIABLE")
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
