//! The sending half of an account: `from`, `aliases`, `save_sent`, and where mail goes
//! (`[account.smtp]`, `sendmail_command` or `lmtp_socket`), validated with line numbers.

use serde::Deserialize;

use super::{Account, TlsMode, locate};

/// `[account.smtp]`: the submission server.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Smtp {
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default = "super::account::default_tls")]
    pub tls: TlsMode,
    /// Default: the account's IMAP username.
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub password_command: Option<String>,
    #[serde(default)]
    pub password_env: Option<String>,
    #[serde(default)]
    pub accept_invalid_certs: bool,
}

impl Smtp {
    /// 465 for implicit TLS, 587 for STARTTLS and plain (submission).
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Implicit => 465,
            TlsMode::Starttls | TlsMode::None => 587,
        })
    }

    /// Whether this table names a password source of its own (else the account's is used).
    pub fn has_password_source(&self) -> bool {
        self.password.is_some() || self.password_command.is_some() || self.password_env.is_some()
    }
}

/// Where an account's outgoing mail goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route<'a> {
    Smtp(&'a Smtp),
    /// Run through `sh -c`, recipients appended, message on stdin.
    Sendmail(&'a str),
    /// Straight into a local LMTP server's UNIX socket (the demo without Postfix).
    Lmtp(&'a std::path::Path),
}

impl Account {
    /// The `from` setting, else `email`, else the username when it is an address.
    pub fn from_address(&self) -> Option<&str> {
        self.from.as_deref().or(self.email.as_deref()).or_else(|| {
            self.username
                .contains('@')
                .then_some(self.username.as_str())
        })
    }

    /// Where mail is sent, or None when the account cannot send.
    pub fn route(&self) -> Option<Route<'_>> {
        if let Some(cmd) = &self.sendmail_command {
            return Some(Route::Sendmail(cmd));
        }
        if let Some(path) = &self.lmtp_socket {
            return Some(Route::Lmtp(path));
        }
        self.smtp.as_ref().map(Route::Smtp)
    }
}

pub(super) fn validate(account: &Account, text: &str) -> Result<(), String> {
    let at = |key: &str| locate(text, &account.name, key);
    let routes = [
        account.smtp.is_some(),
        account.sendmail_command.is_some(),
        account.lmtp_socket.is_some(),
    ];
    if routes.iter().filter(|r| **r).count() > 1 {
        return Err(format!(
            "{}: account \"{}\" sets more than one of [account.smtp], sendmail_command, lmtp_socket",
            at("sendmail_command"),
            account.name
        ));
    }
    if account
        .sendmail_command
        .as_deref()
        .is_some_and(|c| c.trim().is_empty())
    {
        return Err(format!(
            "{}: sendmail_command is empty",
            at("sendmail_command")
        ));
    }
    if let Some(from) = &account.from
        && !is_mailbox(from)
    {
        return Err(format!(
            "{}: from = {from:?} is not an address (write \"Name <user@example.org>\" or \"user@example.org\")",
            at("from")
        ));
    }
    for alias in &account.aliases {
        if !is_mailbox(alias) {
            return Err(format!(
                "{}: alias {alias:?} is not an address",
                at("aliases")
            ));
        }
    }
    if let Some(smtp) = &account.smtp {
        let at_smtp = |key: &str| locate_smtp(text, &account.name, key);
        if smtp.host.trim().is_empty() {
            return Err(format!("{}: [account.smtp] host is empty", at_smtp("host")));
        }
        if smtp.port == Some(0) {
            return Err(format!("{}: port 0 is not a valid port", at_smtp("port")));
        }
        let sources = [
            smtp.password.is_some(),
            smtp.password_command.is_some(),
            smtp.password_env.is_some(),
        ];
        if sources.iter().filter(|s| **s).count() > 1 {
            return Err(format!(
                "{}: [account.smtp] sets more than one of password, password_command, password_env",
                at_smtp("password")
            ));
        }
    }
    Ok(())
}

/// `Name <user@domain>` or `user@domain`, as mail-parser reads an address header.
fn is_mailbox(text: &str) -> bool {
    crate::mime::address::parse_mailbox(text).is_some()
}

/// Like `locate`, but inside the `[account.smtp]` table after the account's name.
fn locate_smtp(text: &str, name: &str, key: &str) -> String {
    let start = text.find(&format!("\"{name}\"")).unwrap_or(0);
    match text[start..].find("[account.smtp]") {
        Some(table) => {
            let from = start + table;
            let offset = text[from..]
                .lines()
                .scan(from, |pos, line| {
                    let here = *pos;
                    *pos += line.len() + 1;
                    Some((here, line))
                })
                .find(|(_, line)| line.trim_start().starts_with(key))
                .map_or(from, |(pos, _)| pos);
            let (line, col) = super::line_col(text, offset);
            format!("{line}:{col}")
        }
        None => locate(text, name, key),
    }
}

#[cfg(test)]
mod tests {
    use crate::config::parse;

    fn account(extra: &str) -> Result<crate::config::Account, String> {
        let text = format!("[[account]]\nname = \"a\"\nhost = \"h\"\nusername = \"u\"\n{extra}\n");
        parse(&text).map(|mut c| c.accounts.remove(0))
    }

    #[test]
    fn smtp_defaults_follow_the_tls_mode() {
        let a = account("[account.smtp]\nhost = \"smtp.example.org\"").unwrap();
        let smtp = a.smtp.as_ref().unwrap();
        assert_eq!(
            (smtp.port(), smtp.tls),
            (465, crate::config::TlsMode::Implicit)
        );
        assert!(a.save_sent && !smtp.accept_invalid_certs && !smtp.has_password_source());
        let a = account("[account.smtp]\nhost = \"s\"\ntls = \"starttls\"").unwrap();
        assert_eq!(a.smtp.unwrap().port(), 587);
    }

    #[test]
    fn from_defaults_to_an_address_username() {
        assert_eq!(account("").unwrap().from_address(), None);
        let a = account("from = \"Alice <alice@example.org>\"").unwrap();
        assert_eq!(a.from_address(), Some("Alice <alice@example.org>"));
        let text = "[[account]]\nname = \"a\"\nhost = \"h\"\nusername = \"me@example.org\"\n";
        let c = parse(text).unwrap();
        assert_eq!(c.accounts[0].from_address(), Some("me@example.org"));
    }

    #[test]
    fn mistakes_name_their_line() {
        let e = account("from = \"not an address\"").unwrap_err();
        assert!(e.starts_with("5:1:"), "{e}");
        let e = account("aliases = [\"a@b.example\", \"nope\"]").unwrap_err();
        assert!(e.starts_with("5:1:"), "{e}");
        let e = account("sendmail_command = \"msmtp\"\n[account.smtp]\nhost = \"s\"").unwrap_err();
        assert!(e.starts_with("5:1:"), "{e}");
        let e = account("[account.smtp]\nhost = \"s\"\nport = 0").unwrap_err();
        assert!(e.starts_with("7:1:"), "{e}");
        let e = account("[account.smtp]\nhost = \"s\"\nprot = 1").unwrap_err();
        assert!(e.starts_with("7:1:"), "{e}");
        let e = account("[account.smtp]\nhost = \"s\"\ntls = \"ssl\"").unwrap_err();
        assert!(e.starts_with("7:7:"), "{e}");
        let e = account("[account.smtp]\nhost = \"s\"\npassword = \"x\"\npassword_env = \"Y\"")
            .unwrap_err();
        assert!(e.starts_with("7:1:") && !e.contains("\"x\""), "{e}");
    }

    #[test]
    fn the_example_config_parses_with_its_smtp_table() {
        let text = include_str!("../../config.example.toml");
        let c = parse(text).unwrap_or_else(|e| panic!("config.example.toml:{e}"));
        let smtp = c.accounts[0].smtp.as_ref().unwrap();
        assert_eq!((smtp.host.as_str(), smtp.port()), ("smtp.example.com", 465));
    }

    #[test]
    fn the_route_is_the_one_configured() {
        use crate::config::Route;
        assert_eq!(account("").unwrap().route(), None);
        let a = account("sendmail_command = \"msmtp -a work\"").unwrap();
        assert_eq!(a.route(), Some(Route::Sendmail("msmtp -a work")));
        let a = account("lmtp_socket = \"/run/lmtp\"").unwrap();
        assert_eq!(
            a.route(),
            Some(Route::Lmtp(std::path::Path::new("/run/lmtp")))
        );
    }
}
