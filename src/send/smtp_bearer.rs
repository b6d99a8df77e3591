//! SMTP AUTH OAUTHBEARER (RFC 7628) or XOAUTH2 for `auth = "oauth2"` accounts, written out
//! over lettre's connection: lettre knows no OAUTHBEARER, and its own XOAUTH2 gives up on the
//! server's error challenge (334) without answering it, so a refused token would leave the
//! exchange half done and could not be retried with a fresh one on the same connection.

use std::fmt;

use base64::Engine as _;
use lettre::transport::smtp::client::SmtpConnection;
use lettre::transport::smtp::commands::Ehlo;
use lettre::transport::smtp::extension::ClientId;

use super::deliver::Delivery;
use super::smtp::server_words;
use crate::config::Account;
use crate::error::Error;
use crate::oauth::{self, Mechanism};

/// Logs in with the account's access token, by the mechanism the server offers (OAUTHBEARER
/// before XOAUTH2); after a refusal once more with a fresh token.
pub(super) fn login(
    conn: &mut SmtpConnection,
    hello: &ClientId,
    account: &Account,
    user: &str,
    place: &str,
) -> Result<(), Delivery> {
    let Some(mechanism) = offered(conn, hello, place)? else {
        return Err(Delivery::Permanent(format!(
            "{place} offers neither OAUTHBEARER nor XOAUTH2, so an OAuth2 account cannot log in there"
        )));
    };
    let name = mechanism.name();
    let token = oauth::access_token(account).map_err(token_failure)?;
    let refused = match attempt(conn, mechanism, user, &token, place) {
        Ok(()) => return Ok(()),
        Err(Attempt::Refused(words)) => words,
        Err(Attempt::Failed(d)) => return Err(d),
    };
    tracing::info!("{place}: {name} refused ({refused}); refreshing the token");
    let token = oauth::after_refusal(account, &token).map_err(token_failure)?;
    match attempt(conn, mechanism, user, &token, place) {
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

/// The bearer mechanism the server's AUTH line offers. lettre parses EHLO into the mechanisms
/// it knows (not OAUTHBEARER) and keeps no text, so EHLO is sent once more (RFC 5321 allows it
/// at any time; it only resets a transaction, and none has started) and its lines read here.
fn offered(
    conn: &mut SmtpConnection,
    hello: &ClientId,
    place: &str,
) -> Result<Option<Mechanism>, Delivery> {
    let reply = conn.command(Ehlo::new(hello.clone())).map_err(|e| {
        Delivery::Transient(format!(
            "{place} did not answer EHLO again: {}",
            server_words(&e)
        ))
    })?;
    let names: Vec<&str> = reply.message().flat_map(auth_names).collect();
    Ok(Mechanism::choose(names.iter().copied()))
}

/// The mechanism names of an EHLO line `AUTH M1 M2 ...` (or the pre-standard `AUTH=M1 M2`).
fn auth_names(line: &str) -> Vec<&str> {
    let mut words = line.split_whitespace();
    match words.next() {
        Some(w) if w.eq_ignore_ascii_case("AUTH") => words.collect(),
        Some(w) if w.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("AUTH=")) => {
            std::iter::once(&w[5..]).chain(words).collect()
        }
        _ => Vec::new(),
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

/// The base64 answer to the server's error challenge: XOAUTH2's empty response, or
/// OAUTHBEARER's %x01 (RFC 7628 3.2.3, "AQ==").
fn error_answer(mechanism: Mechanism) -> String {
    base64::engine::general_purpose::STANDARD.encode(mechanism.error_ack())
}

fn attempt(
    conn: &mut SmtpConnection,
    mechanism: Mechanism,
    user: &str,
    token: &str,
    place: &str,
) -> Result<(), Attempt> {
    let first =
        base64::engine::general_purpose::STANDARD.encode(mechanism.initial_response(user, token));
    let mut reply = conn.command(Line(format!("AUTH {} {first}", mechanism.name())));
    if reply.as_ref().is_ok_and(|r| r.has_code(334)) {
        // The error report; the server answers the acknowledgement with its final 5xx.
        reply = conn.command(Line(error_answer(mechanism)));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_challenge_is_answered_with_each_mechanisms_own_bytes() {
        assert_eq!(
            Line(error_answer(Mechanism::OAuthBearer)).to_string(),
            "AQ==\r\n"
        );
        assert_eq!(Line(error_answer(Mechanism::Xoauth2)).to_string(), "\r\n");
    }

    #[test]
    fn auth_lines_name_their_mechanisms() {
        assert_eq!(
            auth_names("AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER"),
            ["PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER"]
        );
        assert_eq!(auth_names("auth=LOGIN XOAUTH2"), ["LOGIN", "XOAUTH2"]);
        assert!(auth_names("AUTHX PLAIN").is_empty() && auth_names("SIZE 10240000").is_empty());
        let offered = ["PIPELINING", "AUTH PLAIN XOAUTH2 OAUTHBEARER", "8BITMIME"];
        let names: Vec<&str> = offered.into_iter().flat_map(auth_names).collect();
        assert_eq!(
            Mechanism::choose(names.iter().copied()),
            Some(Mechanism::OAuthBearer)
        );
    }
}
