//! Talking to the authorization server through the `oauth2` crate: the code exchange, the
//! device flow and refreshing.

use std::time::{SystemTime, UNIX_EPOCH};

use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthType, AuthUrl, ClientId, ClientSecret, DeviceAuthorizationUrl, ErrorResponse,
    RequestTokenError, Scope, TokenResponse, TokenUrl,
};

use super::http::{Http, HttpError};
use super::store::Tokens;
use crate::config::OAuth2;
use crate::error::{Error, Result};

/// Why a refresh did not give a new access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshError {
    /// The server no longer honours the refresh token (revoked, expired, or the client was
    /// changed): only a new sign-in helps, so nothing retries.
    Revoked(String),
    /// Anything else (network, a server error): worth trying again later.
    Failed(Error),
}

fn url_err(key: &str) -> impl Fn(oauth2::url::ParseError) -> Error + '_ {
    move |e| Error::Config(format!("[account.oauth2] {key}: {e}"))
}

/// The `oauth2` client for these settings: the token endpoint always, and the one URL a
/// flow needs added by the caller.
fn client(
    o: &OAuth2,
) -> Result<
    BasicClient<
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointSet,
    >,
> {
    let mut c = BasicClient::new(ClientId::new(o.client_id.clone()))
        .set_token_uri(TokenUrl::new(o.token_url.clone()).map_err(url_err("token_url"))?);
    if let Some(secret) = &o.client_secret {
        c = c.set_client_secret(ClientSecret::new(secret.clone()));
    } else {
        // A public client (no secret) names itself in the form body.
        c = c.set_auth_type(AuthType::RequestBody);
    }
    Ok(c)
}

pub(super) fn auth_url(o: &OAuth2) -> Result<AuthUrl> {
    AuthUrl::new(o.auth_url.clone()).map_err(url_err("auth_url"))
}

pub(super) fn scopes(o: &OAuth2) -> impl Iterator<Item = Scope> + '_ {
    o.scopes.iter().map(|s| Scope::new(s.clone()))
}

/// Exchanges the authorization code (with its PKCE verifier) for tokens.
pub(super) fn exchange_code(
    o: &OAuth2,
    code: String,
    verifier: oauth2::PkceCodeVerifier,
    redirect: &oauth2::RedirectUrl,
) -> Result<Tokens> {
    let answer = client(o)?
        .set_redirect_uri(redirect.clone())
        .exchange_code(oauth2::AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request(&Http::new()?)
        .map_err(|e| token_error("exchanging the authorization code", e))?;
    Ok(tokens_from(&answer, None))
}

/// RFC 8628: asks for a user code, shows it with `show(url, code)`, then polls until the
/// user has approved it (or the code expired).
pub(super) fn device_flow(o: &OAuth2, show: impl FnOnce(&str, &str)) -> Result<Tokens> {
    let device_url = o.device_url.clone().ok_or_else(|| {
        Error::Config(
            "[account.oauth2] has no device_url: the device flow needs one (Gmail offers none for mail); use `tern login` without --device".into(),
        )
    })?;
    let c = client(o)?.set_device_authorization_url(
        DeviceAuthorizationUrl::new(device_url).map_err(url_err("device_url"))?,
    );
    let http = Http::new()?;
    let details: oauth2::StandardDeviceAuthorizationResponse = c
        .exchange_device_code()
        .add_scopes(scopes(o))
        .request(&http)
        .map_err(|e| token_error("asking for a device code", e))?;
    let url = details
        .verification_uri_complete()
        .map(|u| u.secret().to_string())
        .unwrap_or_else(|| details.verification_uri().to_string());
    show(&url, details.user_code().secret());
    let answer = c
        .exchange_device_access_token(&details)
        .request(&http, std::thread::sleep, None)
        .map_err(|e| token_error("waiting for the device code's approval", e))?;
    Ok(tokens_from(&answer, None))
}

/// A new access token for `refresh_token`; the refresh token in the answer replaces the old
/// one when the server rotates them, else the old one is kept.
pub(super) fn refresh(
    o: &OAuth2,
    refresh_token: &str,
) -> std::result::Result<Tokens, RefreshError> {
    let http = Http::new().map_err(RefreshError::Failed)?;
    let answer = client(o)
        .map_err(RefreshError::Failed)?
        .exchange_refresh_token(&oauth2::RefreshToken::new(refresh_token.to_string()))
        .request(&http);
    match answer {
        Ok(answer) => Ok(tokens_from(&answer, Some(refresh_token))),
        Err(RequestTokenError::ServerResponse(e))
            if *e.error() == BasicErrorResponseType::InvalidGrant =>
        {
            Err(RefreshError::Revoked(
                e.error_description()
                    .cloned()
                    .unwrap_or_else(|| "invalid_grant".into()),
            ))
        }
        Err(e) => Err(RefreshError::Failed(token_error(
            "refreshing the access token",
            e,
        ))),
    }
}

fn tokens_from(answer: &oauth2::basic::BasicTokenResponse, old_refresh: Option<&str>) -> Tokens {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Tokens {
        refresh_token: answer
            .refresh_token()
            .map(|r| r.secret().clone())
            .or(old_refresh.map(String::from)),
        access_token: Some(answer.access_token().secret().clone()),
        expires_at: answer.expires_in().map(|d| now + d.as_secs()),
    }
}

/// The authorization server's own words where it sent some; never a token (the crate's
/// messages quote neither requests nor secrets).
fn token_error<T: ErrorResponse>(doing: &str, e: RequestTokenError<HttpError, T>) -> Error {
    match e {
        RequestTokenError::ServerResponse(r) => {
            Error::Auth(format!("the authorization server refused {doing}: {r}"))
        }
        RequestTokenError::Request(e) => Error::Network(format!(
            "{doing}: {}",
            crate::mime::sanitize::sanitize_line(&e.to_string())
        )),
        RequestTokenError::Parse(_, _) => Error::Protocol(format!(
            "{doing}: the authorization server's answer could not be understood"
        )),
        RequestTokenError::Other(text) => Error::Protocol(format!("{doing}: {text}")),
    }
}
