//! Where an account's password comes from. The password never goes into an error or a log.

use std::process::Command;

use super::Account;
use crate::error::{Error, Result};

/// Resolves the password: `password_command` (first line of its stdout), `password_env`,
/// the literal `password`, else an interactive masked prompt when a terminal is attached.
pub fn resolve_password(account: &Account) -> Result<String> {
    if let Some(cmd) = &account.password_command {
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
    if let Some(var) = &account.password_env {
        return std::env::var(var).map_err(|_| {
            Error::Config(format!(
                "password_env: environment variable {var} is not set"
            ))
        });
    }
    if let Some(p) = &account.password {
        return Ok(p.clone());
    }
    rpassword::prompt_password(format!(
        "Password for {}@{}: ",
        account.username, account.host
    ))
    .map_err(|e| {
        Error::Config(format!(
            "account \"{}\" has no password_command, password_env or password, and no terminal to ask on ({e})",
            account.name
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
        assert!(
            resolve_password(&a)
                .unwrap_err()
                .to_string()
                .contains("TERN_SURELY_UNSET_VARIABLE")
        );
    }
}
