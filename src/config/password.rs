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
