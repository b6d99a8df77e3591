//! Loading and validating `config.toml`: one place that turns a file into typed settings,
//! with every mistake reported as `file:line:column: what is wrong`.

mod account;
pub mod init;
pub mod keys;
mod oauth2;
mod password;
pub mod providers;
mod sending;
pub mod starter;
pub mod theme;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

pub use account::{
    Account, DeletePolicy, Pop3Download, Protocol, SeenPolicy, TlsMode, safe_file_name,
};
pub use oauth2::{AuthMethod, OAuth2, OAuth2Table, Provider};
pub use password::{resolve_password, resolve_smtp_password};
pub use sending::{Route, Smtp};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where `save` writes parts when no path is given.
    #[serde(default)]
    pub download_dir: Option<PathBuf>,
    #[serde(default, rename = "account")]
    pub accounts: Vec<Account>,
    /// What deleting a message does: move it to Trash, or only mark it \Deleted.
    #[serde(default)]
    pub delete: DeletePolicy,
    /// Whether opening a message in the TUI marks it \Seen.
    #[serde(default)]
    pub seen_policy: SeenPolicy,
    /// Folders whose new mail (while open) rings the bell and runs `notify_command`.
    #[serde(default = "default_notify_folders")]
    pub notify_folders: Vec<String>,
    /// Ring the terminal bell on new mail in `notify_folders`.
    #[serde(default)]
    pub notify_bell: bool,
    /// Run on new mail in `notify_folders`, split on whitespace and never through a shell,
    /// with two arguments added: "N new messages in FOLDER" and "From SENDER: SUBJECT".
    #[serde(default)]
    pub notify_command: Option<String>,
    /// Let the TUI take the mouse: click to focus and select, wheel to scroll. Off by default:
    /// while tern has the mouse, the terminal's own text selection works only with Shift held
    /// (in most terminals).
    #[serde(default)]
    pub mouse: bool,
    /// Address completion's address book, e.g. `khard email --parsable %s`: one
    /// `address<TAB>name` a line ([`crate::compose::people`]).
    #[serde(default)]
    pub address_book_command: Option<String>,
    /// `q`/`Esc` at the top level ask "Quit tern? (y/N)" first; Ctrl-C always quits at once.
    #[serde(default = "default_true")]
    pub confirm_quit: bool,
    /// `[keys]`: action name → key(s), on top of `assets/keymap.toml`.
    #[serde(default)]
    pub keys: keys::KeysTable,
    /// `[theme]`: role → style words.
    #[serde(default)]
    pub theme: theme::ThemeTable,
}

/// The loaded configuration plus where it came from (for messages and the permission check).
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub path: PathBuf,
    /// Warnings the user should see once (e.g. a readable literal password).
    pub warnings: Vec<String>,
}

/// `$XDG_CONFIG_HOME/tern/config.toml` (or the platform's equivalent).
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "tern").map(|d| d.config_dir().join("config.toml"))
}

pub fn load(path: &Path) -> Result<Loaded> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Config(format!("{}: cannot read: {e}", path.display())))?;
    let config = parse(&text).map_err(|e| Error::Config(format!("{}:{e}", path.display())))?;
    let mut warnings = Vec::new();
    if config.accounts.iter().any(|a| a.password.is_some()) && readable_by_others(path) {
        warnings.push(format!(
            "{}: holds a password and is readable by other users; run `chmod 600 {}` or use password_command",
            path.display(),
            path.display()
        ));
    }
    Ok(Loaded {
        config,
        path: path.to_path_buf(),
        warnings,
    })
}

/// Parses and validates; the error text starts with `line:column: `.
pub fn parse(text: &str) -> std::result::Result<Config, String> {
    let mut config: Config = toml::from_str(text).map_err(|e| {
        let (line, col) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        format!("{line}:{col}: {}", e.message().trim())
    })?;
    providers::fill(&mut config, text)?;
    validate(&config, text)?;
    Ok(config)
}

fn validate(config: &Config, text: &str) -> std::result::Result<(), String> {
    keys::validate(&config.keys, text)?;
    theme::validate(&config.theme, text)?;
    if config
        .notify_command
        .as_deref()
        .is_some_and(|c| c.trim().is_empty())
    {
        let (line, col) = line_col(text, text.find("notify_command").unwrap_or(0));
        return Err(format!("{line}:{col}: notify_command is empty"));
    }
    let mut seen = std::collections::HashSet::new();
    for account in &config.accounts {
        let at = |key: &str| locate(text, &account.name, key);
        if !seen.insert(account.name.as_str()) {
            return Err(format!(
                "{}: account name \"{}\" is used twice",
                at("name"),
                account.name
            ));
        }
        let sources = [
            account.password.is_some(),
            account.password_command.is_some(),
            account.password_env.is_some(),
        ];
        if sources.iter().filter(|s| **s).count() > 1 {
            return Err(format!(
                "{}: account \"{}\" sets more than one of password, password_command, password_env",
                at("password"),
                account.name
            ));
        }
        if account.host.trim().is_empty() {
            return Err(format!("{}: host is empty", at("host")));
        }
        if account.port == Some(0) {
            return Err(format!("{}: port 0 is not a valid port", at("port")));
        }
        if !account.is_pop3() {
            let pop3_only = [
                ("pop3_download", account.pop3_download != Pop3Download::Open),
                ("leave_on_server", !account.leave_on_server),
                ("delete_after_days", account.delete_after_days.is_some()),
                ("pop3_apop", account.pop3_apop),
                ("pop3_store", account.pop3_store.is_some()),
            ];
            if let Some((key, _)) = pop3_only.iter().find(|(_, set)| *set) {
                return Err(format!(
                    "{}: {key} is for POP3 accounts; add protocol = \"pop3\" to account \"{}\"",
                    at(key),
                    account.name
                ));
            }
        }
        if account.is_pop3() {
            let folders = [
                (
                    "default_folder",
                    !account.default_folder.eq_ignore_ascii_case("INBOX"),
                ),
                ("trash_folder", account.trash_folder.is_some()),
                ("archive_folder", account.archive_folder.is_some()),
            ];
            if let Some((key, _)) = folders.iter().find(|(_, set)| *set) {
                return Err(format!(
                    "{}: {key} does not apply: a POP3 account has only INBOX",
                    at(key)
                ));
            }
        }
        if account.is_pop3() && account.delete_after_days == Some(0) {
            return Err(format!(
                "{}: delete_after_days = 0 would delete at once; use leave_on_server = false for that",
                at("delete_after_days")
            ));
        }
        sending::validate(account, text)?;
        oauth2::validate(account, text)?;
    }
    Ok(())
}

/// Best-effort position of `key` inside the account named `name`, for semantic errors that
/// serde cannot place.
fn locate(text: &str, name: &str, key: &str) -> String {
    let needle = format!("\"{name}\"");
    let start = text.find(&needle).unwrap_or(0);
    let block_start = text[..start].rfind("[[account]]").unwrap_or(0);
    let offset = text[block_start..]
        .lines()
        .scan(block_start, |pos, line| {
            let here = *pos;
            *pos += line.len() + 1;
            Some((here, line))
        })
        .find(|(_, line)| line.trim_start().starts_with(key))
        .map(|(pos, _)| pos)
        .unwrap_or(start);
    let (line, col) = line_col(text, offset);
    format!("{line}:{col}")
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn readable_by_others(_: &Path) -> bool {
    false
}

impl Config {
    /// The account called `name`, or the first one.
    pub fn account(&self, name: Option<&str>) -> Result<&Account> {
        match name {
            Some(n) => self.accounts.iter().find(|a| a.name == n).ok_or_else(|| {
                let known: Vec<_> = self.accounts.iter().map(|a| a.name.as_str()).collect();
                Error::Config(format!(
                    "no account named \"{n}\" (configured: {})",
                    known.join(", ")
                ))
            }),
            None => self
                .accounts
                .first()
                .ok_or_else(|| Error::Config("the config file has no [[account]] table".into())),
        }
    }

    pub fn download_dir(&self) -> PathBuf {
        self.download_dir
            .clone()
            .map(|p| expand_home(&p))
            .or_else(|| directories::UserDirs::new().and_then(|u| u.download_dir().map(Into::into)))
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

fn default_notify_folders() -> Vec<String> {
    vec!["INBOX".into()]
}

pub(super) fn default_true() -> bool {
    true
}

/// `~` and `~/x` under the home directory; any other path as it is.
pub fn expand_home(p: impl AsRef<Path>) -> PathBuf {
    let p = p.as_ref();
    match (p.strip_prefix("~"), directories::BaseDirs::new()) {
        (Ok(rest), Some(dirs)) => dirs.home_dir().join(rest),
        _ => p.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
download_dir = "/tmp/x"

[[account]]
name = "work"
host = "imap.example.com"
username = "me"
password_command = "pass show mail"

[[account]]
name = "home"
host = "127.0.0.1"
tls = "none"
username = "alice"
password_env = "PW"
"#;

    #[test]
    fn parses_accounts_and_defaults_ports() {
        let c = parse(GOOD).unwrap();
        assert_eq!(c.accounts.len(), 2);
        assert_eq!(c.accounts[0].port(), 993);
        assert_eq!(c.accounts[1].port(), 143);
        assert_eq!(c.account(Some("home")).unwrap().username, "alice");
        assert_eq!(c.account(None).unwrap().name, "work");
        assert!(!c.accounts[0].accept_invalid_certs);
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        let text = "[[account]]\nname = \"a\"\nhost = \"h\"\nusername = \"u\"\nprot = 3\n";
        let e = parse(text).unwrap_err();
        assert!(e.starts_with("5:1:"), "{e}");
        assert!(e.contains("prot"), "{e}");
    }

    #[test]
    fn wrong_type_and_bad_enum_are_located() {
        let e = parse("[[account]]\nname = \"a\"\nhost = \"h\"\nusername = \"u\"\nport = \"x\"\n")
            .unwrap_err();
        assert!(e.starts_with("5:8:"), "{e}");
        let e = parse("[[account]]\nname = \"a\"\nhost = \"h\"\nusername = \"u\"\ntls = \"ssl\"\n")
            .unwrap_err();
        assert!(e.starts_with("5:7:"), "{e}");
    }

    #[test]
    fn missing_field_and_bad_toml() {
        let e = parse("[[account]]\nname = \"a\"\nhost = \"h\"\n").unwrap_err();
        assert!(e.contains("username"), "{e}");
        let e = parse("download_dir = \n").unwrap_err();
        assert!(e.starts_with("1:"), "{e}");
    }

    #[test]
    fn seen_policy_defaults_to_open_and_refuses_typos() {
        assert_eq!(parse(GOOD).unwrap().seen_policy, SeenPolicy::Open);
        let c = parse("seen_policy = \"never\"\n").unwrap();
        assert_eq!(c.seen_policy, SeenPolicy::Never);
        let e = parse("seen_policy = \"sometimes\"\n").unwrap_err();
        assert!(e.starts_with("1:15:"), "{e}");
    }

    #[test]
    fn notify_settings_default_to_inbox_without_bell_or_command() {
        let c = parse(GOOD).unwrap();
        assert_eq!(c.notify_folders, ["INBOX"]);
        assert!(!c.notify_bell && c.notify_command.is_none());
        let c = parse(
            "notify_folders = [\"Lists\"]\nnotify_bell = true\nnotify_command = \"notify-send\"\n",
        )
        .unwrap();
        assert_eq!(
            (c.notify_folders.as_slice(), c.notify_bell),
            (&["Lists".to_string()][..], true)
        );
        let e = parse("\nnotify_command = \" \"\n").unwrap_err();
        assert!(e.starts_with("2:1:"), "{e}");
    }

    #[test]
    fn address_book_command_is_optional() {
        assert_eq!(parse(GOOD).unwrap().address_book_command, None);
        let c = parse(&format!(
            "address_book_command = \"khard email --parsable %s\"\n{GOOD}"
        ));
        assert_eq!(
            c.unwrap().address_book_command.as_deref(),
            Some("khard email --parsable %s")
        );
    }

    #[test]
    fn mouse_is_off_unless_asked_for() {
        assert!(!parse(GOOD).unwrap().mouse);
        assert!(parse("mouse = true\n").unwrap().mouse);
    }

    #[test]
    fn body_cache_defaults_to_64_mb_and_follows_the_cache_switch() {
        let c = parse(GOOD).unwrap();
        assert_eq!(c.accounts[0].body_cache_bytes(), Some(64 << 20));
        let account = |extra: &str| {
            let text =
                format!("[[account]]\nname = \"a\"\nhost = \"h\"\nusername = \"u\"\n{extra}\n");
            parse(&text).map(|c| c.accounts[0].body_cache_bytes())
        };
        assert_eq!(account("body_cache_mb = 5"), Ok(Some(5 << 20)));
        assert_eq!(account("body_cache_mb = 0"), Ok(None));
        assert_eq!(account("cache = false"), Ok(None));
        let e = account("body_cache_mb = -1").unwrap_err();
        assert!(e.starts_with("5:"), "{e}");
    }

    #[test]
    fn pop3_accounts_default_to_995_and_keep_mail_on_the_server() {
        let text =
            "[[account]]\nname = \"p\"\nprotocol = \"pop3\"\nhost = \"h\"\nusername = \"u\"\n";
        let c = parse(text).unwrap();
        let a = &c.accounts[0];
        assert_eq!((a.port(), a.is_pop3()), (995, true));
        assert!(a.leave_on_server && a.delete_after_days.is_none() && !a.pop3_apop);
        assert_eq!(a.pop3_download, Pop3Download::Open);
        let c = parse(&format!(
            "{text}tls = \"starttls\"\npop3_download = \"all\"\n"
        ))
        .unwrap();
        assert_eq!(c.accounts[0].port(), 110);
        assert_eq!(c.accounts[0].pop3_download, Pop3Download::All);
        let e = parse(&format!("{text}protocol2 = 1\n")).unwrap_err();
        assert!(e.starts_with("6:1:"), "{e}");
    }

    #[test]
    fn pop3_settings_on_an_imap_account_are_located() {
        let text =
            "[[account]]\nname = \"i\"\nhost = \"h\"\nusername = \"u\"\ndelete_after_days = 3\n";
        let e = parse(text).unwrap_err();
        assert!(
            e.starts_with("5:1:") && e.contains("protocol = \"pop3\""),
            "{e}"
        );
        let text = "[[account]]\nname = \"p\"\nprotocol = \"pop3\"\nhost = \"h\"\nusername = \"u\"\ndelete_after_days = 0\n";
        assert!(parse(text).unwrap_err().starts_with("6:1:"));
        let text = "[[account]]\nname = \"p\"\nprotocol = \"pop3\"\nhost = \"h\"\nusername = \"u\"\ntrash_folder = \"Trash\"\n";
        let e = parse(text).unwrap_err();
        assert!(e.starts_with("6:1:") && e.contains("only INBOX"), "{e}");
        let e = parse(
            "[[account]]\nname = \"a\"\nprotocol = \"smtp\"\nhost = \"h\"\nusername = \"u\"\n",
        )
        .unwrap_err();
        assert!(e.starts_with("3:12:"), "{e}");
    }

    #[test]
    fn two_password_sources_are_refused() {
        let text = "[[account]]\nname = \"a\"\nhost = \"h\"\nusername = \"u\"\npassword = \"p\"\npassword_env = \"X\"\n";
        let e = parse(text).unwrap_err();
        assert!(e.starts_with("5:1:"), "{e}");
        assert!(!e.contains("\"p\""), "the password must not be echoed: {e}");
    }
}
