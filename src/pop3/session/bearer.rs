//! POP3 AUTH (RFC 5034) with a bearer token, for `auth = "oauth2"` accounts: OAUTHBEARER or
//! XOAUTH2 from the SASL capability. The token goes after the server's first, empty
//! challenge rather than as an initial response, which RFC 5034 caps at 255 octets (tokens
//! are longer). A refused token gets an error challenge, answered before the final -ERR; then
//! one more try with a fresh token.

use base64::Engine as _;

use super::{Session, login_refused, said};
use crate::config::Account;
use crate::error::{Error, Result};
use crate::oauth::{self, Mechanism};
use crate::pop3::wire::{Status, parse_status};

/// A challenge line is short: the server's JSON error report at most.
const CHALLENGE_CAP: usize = 4096;

impl Session {
    pub(super) fn bearer_login(&mut self, account: &Account) -> Result<()> {
        let offered: Vec<&str> = self
            .info
            .capabilities
            .iter()
            .filter_map(|c| c.strip_prefix("SASL "))
            .flat_map(|m| m.split(' '))
            .collect();
        let Some(mechanism) = Mechanism::choose(offered.iter().copied()) else {
            return Err(Error::Auth(format!(
                "{} offers neither OAUTHBEARER nor XOAUTH2 for POP3, so an OAuth2 account cannot log in there",
                account.host
            )));
        };
        self.info.auth = format!("AUTH {}", mechanism.name());
        let user = &account.username;
        let token = oauth::access_token(account)?;
        let Some(refusal) = self.bearer_attempt(mechanism, user, &token)? else {
            return Ok(());
        };
        tracing::info!(
            "POP3 {} refused ({refusal}); refreshing the token",
            mechanism.name()
        );
        let token = oauth::after_refusal(account, &token)?;
        match self.bearer_attempt(mechanism, user, &token)? {
            None => Ok(()),
            Some(refusal) => Err(oauth::tokens::sign_in_needed(
                account,
                &format!("the server refused a freshly refreshed token ({refusal})"),
            )),
        }
    }

    /// One AUTH exchange: None when logged in, else the server's words of refusal.
    fn bearer_attempt(
        &mut self,
        mechanism: Mechanism,
        user: &str,
        token: &str,
    ) -> Result<Option<String>> {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        self.wire.send(&format!("AUTH {}", mechanism.name()))?;
        let mut answered_error = false;
        loop {
            let line = self.wire.line(CHALLENGE_CAP)?;
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\r', '\n']);
            let Some(challenge) = text.strip_prefix('+').filter(|_| !is_ok(text)) else {
                // +OK or -ERR: the status parser has the last word.
                return match parse_status(text)? {
                    Status::Ok(_) => Ok(None),
                    Status::Err(words) => match login_refused(&words) {
                        Error::Auth(words) => Ok(Some(words)),
                        other => Err(other),
                    },
                };
            };
            if answered_error {
                return Err(Error::Protocol(format!(
                    "the POP3 server sent another challenge after its error report: {:?}",
                    said(challenge)
                )));
            }
            let challenge = base64::engine::general_purpose::STANDARD
                .decode(challenge.trim())
                .map_err(|_| Error::Protocol("the POP3 server's challenge is not base64".into()))?;
            answered_error = !challenge.is_empty();
            self.wire
                .send(&b64(&mechanism.respond(&challenge, user, token)))?;
        }
    }
}

fn is_ok(text: &str) -> bool {
    text.get(..3).is_some_and(|m| m.eq_ignore_ascii_case("+OK"))
}
