//! SMTP AUTH XOAUTH2 for `auth = "oauth2"` accounts, written out over lettre's connection:
//! lettre's own XOAUTH2 gives up on the server's error challenge (334) without answering it,
//! so a refused token would leave the exchange half done and could not be retried with a
//! fresh one on the same connection.

use std::fmt;

use base64::Engine as _;
use lettre::transport::smtp::authentication::Mechanism as LettreMechanism;
use lettre::transport::smtp::client::SmtpConnection;

use super::deliver::Delivery;
use super::smtp::server_words;
use crate::config::Account;
use crate::error::Error;
use crate::oauth::{self, Mechanism};

/// Logs in with the account's access token; after a refusal once more with a fresh one.
pub(super) fn login(
    conn: &mut SmtpConnection,
    account: &Account,
    user: &str,
    place: &str,
) -> Result<(), Delivery> {
    if !conn
        .server_info()
        .supports_auth_mechanism(LettreMechanism::Xoauth2)
    {
        return Err(Delivery::Permanent(format!(
            "{place} does not offer XOAUTH2, so an OAuth2 account cannot log in there"
        )));
    }
    let token = oauth::access_token(account).map_err(token_failure)?;
    let refused = match attempt(conn, user, &token, place) {
        Ok(()) => return Ok(()),
        Err(Attempt::Refused(words)) => words,
        Err(Attempt::Failed(d)) => return Err(d),
    };
    tracing::info!("{place}: XOAUTH2 refused ({refused}); refreshing the token");
    let token = oauth::after_refusal(account, &token).map_err(token_failure)?;
    match attempt(conn, user, &token, place) {
        Ok(()) => Ok(()),
        Err(Attempt::Refused(words)) => Err(Delivery::Permanent(
            oauth::tokens::sign_in_needed(
                account,
                &format!("{place} refused a freshly refreshed token ({words})"),
            )
            .to_string(),
        )),
        Err(Attempt::Failed(d)) => Err(d),
    }
}

enum Attempt {
    /// 5xx after the exchange: the token was not accepted.
    Refused(String),
    Failed(Delivery),
}

/// One raw command line (lettre writes what `Display` gives, as is).
struct Line(String);

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\r\n", self.0)
    }
}

fn attempt(conn: &mut SmtpConnection, user: &str, token: &str, place: &str) -> Result<(), Attempt> {
    let first = base64::engine::general_purpose::STANDARD
        .encode(Mechanism::Xoauth2.initial_response(user, token));
    let mut reply = conn.command(Line(format!("AUTH XOAUTH2 {first}")));
    if reply.as_ref().is_ok_and(|r| r.has_code(334)) {
        // The error report; the server answers the acknowledgement with its final 5xx.
        reply = conn.command(Line(Mechanism::Xoauth2.error_ack().into()));
    }
    match reply {
        Ok(r) if r.is_positive() && !r.has_code(334) => Ok(()),
        Ok(r) => Err(Attempt::Failed(Delivery::Transient(format!(
            "{place} answered the login with {}",
            r.code()
        )))),
        Err(e) if e.is_permanent() => Err(Attempt::Refused(server_words(&e))),
        Err(e) if e.is_transient() => Err(Attempt::Failed(Delivery::Transient(format!(
            "SMTP login as {user} at {place} failed: {}",
            server_words(&e)
        )))),
        Err(e) => Err(Attempt::Failed(Delivery::Transient(format!(
            "{place}: connection lost during login: {}",
            server_words(&e)
        )))),
    }
}

/// No token to present: a sign-in or configuration problem waits for the user; a network
/// failure on the way to the authorization server is worth a later try.
fn token_failure(e: Error) -> Delivery {
    if e.is_fatal_for_connection() {
        Delivery::Transient(e.to_string())
    } else {
        Delivery::Permanent(e.to_string())
    }
}
