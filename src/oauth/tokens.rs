//! The access token a login presents: the stored one while it has a minute left, else a
//! refreshed one, saved at once (with the new refresh token when the server rotates them)
//! before anything uses it. Refreshes are serialised within the process and, through the
//! store's lock, across tern processes, so a rotating refresh token is never spent twice.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use super::client::{self, RefreshError};
use super::store::{Store, Tokens};
use crate::config::{Account, OAuth2};
use crate::error::{Error, Result};

/// A token this close to its expiry is refreshed first: the login itself takes time, and
/// clocks differ.
const EARLY_SECS: u64 = 60;

/// Held while tokens are read, refreshed and saved.
static REFRESHING: Mutex<()> = Mutex::new(());

/// The token for the next login of `account` (auth = "oauth2").
pub fn access_token(account: &Account) -> Result<String> {
    let _held = REFRESHING.lock().unwrap_or_else(|e| e.into_inner());
    let (oauth, store) = settings(account)?;
    let _locked = store.lock()?;
    let tokens = store.load()?;
    match &tokens.access_token {
        Some(token) if !expiring(&tokens) => Ok(token.clone()),
        _ => refresh(account, &oauth, &store, tokens),
    }
}

/// After the server refused `refused`: a fresh token, unless another connection has already
/// replaced it. Called once per login; a second refusal is the server's last word.
pub fn after_refusal(account: &Account, refused: &str) -> Result<String> {
    let _held = REFRESHING.lock().unwrap_or_else(|e| e.into_inner());
    let (oauth, store) = settings(account)?;
    let _locked = store.lock()?;
    let tokens = store.load()?;
    match &tokens.access_token {
        Some(token) if token != refused && !expiring(&tokens) => Ok(token.clone()),
        _ => refresh(account, &oauth, &store, tokens),
    }
}

/// Keeps what `tern login` obtained.
pub fn save_new(account: &Account, tokens: &Tokens) -> Result<Store> {
    let store = Store::for_account(account)?;
    let _locked = store.lock()?;
    store.save(tokens)?;
    Ok(store)
}

fn settings(account: &Account) -> Result<(OAuth2, Store)> {
    let oauth = account.oauth2().ok_or_else(|| {
        Error::Config(format!(
            "account \"{}\" does not sign in with OAuth2 (auth = \"oauth2\")",
            account.name
        ))
    })?;
    Ok((oauth, Store::for_account(account)?))
}

fn refresh(account: &Account, oauth: &OAuth2, store: &Store, tokens: Tokens) -> Result<String> {
    let Some(refresh_token) = tokens.refresh_token else {
        return Err(sign_in_needed(account, "tern has no sign-in for it yet"));
    };
    match client::refresh(oauth, &refresh_token) {
        Ok(fresh) => {
            store.save(&fresh)?;
            tracing::info!(account = %account.name, "OAuth2 access token refreshed");
            fresh
                .access_token
                .ok_or_else(|| Error::Protocol("the token endpoint sent no access token".into()))
        }
        Err(RefreshError::Revoked(why)) => Err(sign_in_needed(
            account,
            &format!(
                "the authorization server no longer accepts its sign-in ({})",
                crate::mime::sanitize::sanitize_line(&why)
            ),
        )),
        Err(RefreshError::Failed(e)) => Err(e),
    }
}

/// The one error for "only `tern login` helps": an authentication error, so workers wait for
/// the user instead of retrying.
pub fn sign_in_needed(account: &Account, why: &str) -> Error {
    Error::Auth(format!(
        "account \"{}\": {why}; run `tern login --account {}`",
        account.name,
        shell_word(&account.name)
    ))
}

/// The account name as one shell word, so the suggested command can be pasted.
fn shell_word(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
    {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', r"'\''"))
    }
}

fn expiring(tokens: &Tokens) -> bool {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    tokens
        .expires_at
        .is_some_and(|at| at <= now.saturating_add(EARLY_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_refreshed_a_minute_early_and_never_without_an_expiry() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let at = |expires_at| Tokens {
            expires_at,
            ..Tokens::default()
        };
        assert!(expiring(&at(Some(now + 30))));
        assert!(!expiring(&at(Some(now + 300))));
        assert!(!expiring(&at(None)));
    }

    #[test]
    fn the_suggested_command_can_be_pasted() {
        assert_eq!(shell_word("work"), "work");
        assert_eq!(shell_word("my mail"), "'my mail'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
