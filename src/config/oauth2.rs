//! `auth = "oauth2"` and its `[account.oauth2]` table: where tern signs in, with which client,
//! for which scopes, and where the tokens are kept. `provider` fills in the URLs and scopes of
//! the big providers; the user always brings their own client id.

use serde::Deserialize;

use super::{Account, locate};

/// How an account proves who it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    /// A password from `password_command`, `password_env`, `password` or a prompt.
    #[default]
    Password,
    /// OAuth2 bearer tokens from `tern login` (SASL XOAUTH2 or OAUTHBEARER).
    Oauth2,
}

/// Providers whose OAuth2 endpoints and mail scopes are built in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Gmail,
    Outlook,
}

/// `[account.oauth2]` as written in the file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth2Table {
    #[serde(default)]
    pub provider: Option<Provider>,
    pub client_id: String,
    /// Only for clients registered as confidential; desktop clients usually have none.
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub auth_url: Option<String>,
    #[serde(default)]
    pub token_url: Option<String>,
    /// RFC 8628 device authorization endpoint, for `tern login --device`.
    #[serde(default)]
    pub device_url: Option<String>,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// Keeps the tokens elsewhere (a keyring): run as `CMD get` (prints what was stored) and
    /// `CMD store` (the new text on stdin), instead of the file in tern's state directory.
    #[serde(default)]
    pub token_command: Option<String>,
}

/// The settings with a provider's defaults filled in: what the sign-in code works with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuth2 {
    pub client_id: String,
    pub client_secret: Option<String>,
    pub auth_url: String,
    pub token_url: String,
    pub device_url: Option<String>,
    pub scopes: Vec<String>,
    pub token_command: Option<String>,
}

struct Preset {
    auth_url: &'static str,
    token_url: &'static str,
    device_url: Option<&'static str>,
    scopes: &'static [&'static str],
}

impl Provider {
    fn preset(self) -> Preset {
        match self {
            Provider::Gmail => Preset {
                auth_url: "https://accounts.google.com/o/oauth2/v2/auth",
                token_url: "https://oauth2.googleapis.com/token",
                // Google's device flow does not grant the mail scope.
                device_url: None,
                scopes: &["https://mail.google.com/"],
            },
            // "common" lets both work/school and personal Microsoft accounts sign in;
            // offline_access is what makes Microsoft hand out a refresh token.
            Provider::Outlook => Preset {
                auth_url: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
                token_url: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
                device_url: Some("https://login.microsoftonline.com/common/oauth2/v2.0/devicecode"),
                scopes: &[
                    "https://outlook.office.com/IMAP.AccessAsUser.All",
                    "https://outlook.office.com/POP.AccessAsUser.All",
                    "https://outlook.office.com/SMTP.Send",
                    "offline_access",
                ],
            },
        }
    }
}

impl OAuth2Table {
    /// The table with the provider's defaults under what the user wrote; None when a URL is
    /// missing (validation reports that with its line).
    fn resolve(&self) -> Option<OAuth2> {
        let preset = self.provider.map(Provider::preset);
        let pick = |own: &Option<String>, preset_value: Option<&'static str>| {
            own.clone().or(preset_value.map(String::from))
        };
        Some(OAuth2 {
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            auth_url: pick(&self.auth_url, preset.as_ref().map(|p| p.auth_url))?,
            token_url: pick(&self.token_url, preset.as_ref().map(|p| p.token_url))?,
            device_url: pick(&self.device_url, preset.as_ref().and_then(|p| p.device_url)),
            scopes: self.scopes.clone().unwrap_or_else(|| {
                preset
                    .as_ref()
                    .map(|p| p.scopes.iter().map(|s| s.to_string()).collect())
                    .unwrap_or_default()
            }),
            token_command: self.token_command.clone(),
        })
    }
}

impl Account {
    /// The account's OAuth2 settings when it signs in with OAuth2.
    pub fn oauth2(&self) -> Option<OAuth2> {
        match self.auth {
            AuthMethod::Oauth2 => self.oauth2.as_ref().and_then(OAuth2Table::resolve),
            AuthMethod::Password => None,
        }
    }
}

pub(super) fn validate(account: &Account, text: &str) -> Result<(), String> {
    let at = |key: &str| locate(text, &account.name, key);
    let name = &account.name;
    match (account.auth, &account.oauth2) {
        (AuthMethod::Password, None) => Ok(()),
        (AuthMethod::Password, Some(_)) => Err(format!(
            "{}: account \"{name}\" has an [account.oauth2] table but signs in with a password; add auth = \"oauth2\"",
            at("[account.oauth2]")
        )),
        (AuthMethod::Oauth2, None) => Err(format!(
            "{}: auth = \"oauth2\" needs an [account.oauth2] table with client_id, auth_url and token_url (or provider = \"gmail\" | \"outlook\")",
            at("auth")
        )),
        (AuthMethod::Oauth2, Some(table)) => {
            let password_keys = [
                ("password", account.password.is_some()),
                ("password_command", account.password_command.is_some()),
                ("password_env", account.password_env.is_some()),
            ];
            if let Some((key, _)) = password_keys.iter().find(|(_, set)| *set) {
                return Err(format!(
                    "{}: {key} does not apply: account \"{name}\" signs in with OAuth2 (`tern login`)",
                    at(key)
                ));
            }
            if table.client_id.trim().is_empty() {
                return Err(format!("{}: client_id is empty", at("client_id")));
            }
            for (key, url) in [
                ("auth_url", &table.auth_url),
                ("token_url", &table.token_url),
                ("device_url", &table.device_url),
            ] {
                if let Some(url) = url
                    && !(url.starts_with("https://") || url.starts_with("http://127.0.0.1"))
                {
                    return Err(format!(
                        "{}: {key} must be an https:// address (tokens must not cross the network in the clear)",
                        at(key)
                    ));
                }
            }
            let Some(resolved) = table.resolve() else {
                let missing = if table.auth_url.is_none() {
                    "auth_url"
                } else {
                    "token_url"
                };
                return Err(format!(
                    "{}: [account.oauth2] of account \"{name}\" has no {missing} (set it, or provider = \"gmail\" | \"outlook\")",
                    at("client_id")
                ));
            };
            if resolved.scopes.is_empty() {
                return Err(format!(
                    "{}: [account.oauth2] of account \"{name}\" has no scopes",
                    at("client_id")
                ));
            }
            if table
                .token_command
                .as_deref()
                .is_some_and(|c| c.trim().is_empty())
            {
                return Err(format!("{}: token_command is empty", at("token_command")));
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::parse;

    const HEAD: &str = "[[account]]\nname = \"a\"\nhost = \"h\"\nusername = \"u@example.org\"\n";

    #[test]
    fn a_provider_fills_urls_and_scopes_and_own_values_win() {
        let text = format!(
            "{HEAD}auth = \"oauth2\"\n[account.oauth2]\nprovider = \"gmail\"\nclient_id = \"id\"\ntoken_url = \"https://own.example/token\"\n"
        );
        let o = parse(&text).unwrap().accounts[0].oauth2().unwrap();
        assert_eq!(o.auth_url, "https://accounts.google.com/o/oauth2/v2/auth");
        assert_eq!(o.token_url, "https://own.example/token");
        assert_eq!(o.scopes, ["https://mail.google.com/"]);
        assert_eq!(o.client_secret, None);
    }

    #[test]
    fn password_accounts_have_no_oauth2_settings() {
        assert_eq!(parse(HEAD).unwrap().accounts[0].oauth2(), None);
    }

    #[test]
    fn mistakes_are_reported_on_their_line() {
        let e = parse(&format!("{HEAD}auth = \"oauth2\"\n")).unwrap_err();
        assert!(
            e.starts_with("5:1:") && e.contains("[account.oauth2]"),
            "{e}"
        );
        let e = parse(&format!("{HEAD}auth = \"token\"\n")).unwrap_err();
        assert!(e.starts_with("5:8:"), "{e}");
        let e = parse(&format!(
            "{HEAD}[account.oauth2]\nclient_id = \"id\"\nprovider = \"gmail\"\n"
        ))
        .unwrap_err();
        assert!(
            e.starts_with("5:1:") && e.contains("add auth = \"oauth2\""),
            "{e}"
        );
        let e = parse(&format!(
            "{HEAD}auth = \"oauth2\"\n[account.oauth2]\nclient_id = \"id\"\nauth_url = \"https://a\"\n"
        ))
        .unwrap_err();
        assert!(e.starts_with("7:1:") && e.contains("token_url"), "{e}");
        let e = parse(&format!(
            "{HEAD}auth = \"oauth2\"\n[account.oauth2]\nclient_id = \"id\"\nauth_url = \"http://idp.example/a\"\ntoken_url = \"https://t\"\nscopes = [\"s\"]\n"
        ))
        .unwrap_err();
        assert!(e.starts_with("8:1:") && e.contains("https://"), "{e}");
        let e = parse(&format!(
            "{HEAD}auth = \"oauth2\"\npassword_command = \"pass x\"\n[account.oauth2]\nprovider = \"outlook\"\nclient_id = \"id\"\n"
        ))
        .unwrap_err();
        assert!(e.starts_with("6:1:") && e.contains("OAuth2"), "{e}");
        let e = parse(&format!(
            "{HEAD}auth = \"oauth2\"\n[account.oauth2]\nprovider = \"outlook\"\nclient_id = \"id\"\nscope = [\"x\"]\n"
        ))
        .unwrap_err();
        assert!(e.starts_with("9:1:"), "{e}");
    }
}
