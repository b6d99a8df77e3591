//! One delivery attempt over the account's route (SMTP, a sendmail command, or LMTP), with
//! the outcome sorted the way the outbox needs it.

use std::time::Duration;

use super::smtp::Login;
use crate::config::{Account, Route};

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The server acknowledged the whole message.
    Accepted,
    /// Not sent, worth retrying: unreachable, connection lost before the end, 4xx.
    Transient(String),
    /// Not sent, and retrying would not help: 5xx (the server's words), TLS or login refused.
    Permanent(String),
    /// The whole message went out, the answer never came.
    MaybeSent(String),
}

/// The envelope and bytes of one message.
pub struct Message<'a> {
    pub sender: String,
    pub recipients: Vec<String>,
    pub bytes: &'a [u8],
}

/// Called once, right before the final "." (or the end of input) is written.
pub type FinalDot<'a> = Box<dyn FnOnce() + 'a>;

/// Sends `msg`; `smtp_password` is asked for only when the route needs one.
pub fn deliver(
    account: &Account,
    msg: &Message,
    smtp_password: &dyn Fn() -> Result<String, String>,
    final_dot: FinalDot,
) -> Delivery {
    let timeout = Duration::from_secs(account.read_timeout_secs.max(1));
    match account.route() {
        None => Delivery::Permanent(format!(
            "account \"{}\" has no [account.smtp], sendmail_command or lmtp_socket to send with",
            account.name
        )),
        Some(Route::Sendmail(cmd)) => super::sendmail::send(cmd, msg, final_dot),
        Some(Route::Lmtp(path)) => super::lmtp::send(path, msg, timeout, final_dot),
        Some(Route::Smtp(smtp)) => {
            // An OAuth2 account presents its token unless [account.smtp] has a password.
            let password = if account.oauth2().is_some() && !smtp.has_password_source() {
                None
            } else {
                match smtp_password() {
                    Ok(p) => Some(p),
                    Err(e) => return Delivery::Permanent(e),
                }
            };
            let target = super::smtp::SmtpTarget {
                smtp,
                username: smtp.username.as_deref().unwrap_or(&account.username),
                login: password
                    .as_deref()
                    .map_or(Login::Bearer(account), Login::Password),
                timeout,
            };
            super::smtp::send(&target, msg, final_dot)
        }
    }
}
