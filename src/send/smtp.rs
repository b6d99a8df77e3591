//! One SMTP submission with lettre's step-by-step `SmtpConnection` (blocking; run it off the
//! UI thread): TLS as configured and never less (no silent fall back to plain), AUTH
//! PLAIN/LOGIN, then MAIL/RCPT/DATA, every answer classified.

use std::net::Ipv4Addr;
use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};

use super::deliver::{Delivery, FinalDot, Message};
use crate::config::{Smtp, TlsMode};

/// Writes are handed to lettre in slices this big, so its dot-stuffing copy stays small
/// whatever the message size.
const CHUNK: usize = 64 * 1024;

pub struct SmtpTarget<'a> {
    pub smtp: &'a Smtp,
    pub username: &'a str,
    pub login: Login<'a>,
    pub timeout: Duration,
}

/// How the submission server is logged in to.
pub enum Login<'a> {
    /// AUTH PLAIN or LOGIN, where offered.
    Password(&'a str),
    /// AUTH OAUTHBEARER or XOAUTH2 with this OAuth2 account's token ([`super::smtp_bearer`]).
    Bearer(&'a crate::config::Account),
}

pub fn send(target: &SmtpTarget, msg: &Message, final_dot: FinalDot) -> Delivery {
    let place = format!("{}:{}", target.smtp.host, target.smtp.port());
    let mut conn = match connect(target) {
        Ok(c) => c,
        Err(d) => return d,
    };
    let result = transaction(&mut conn, msg, final_dot, &place);
    // Whatever happened, leave politely; a failing QUIT changes nothing.
    let _ = conn.quit();
    result
}

fn connect(target: &SmtpTarget) -> Result<SmtpConnection, Delivery> {
    let smtp = target.smtp;
    let place = format!("{}:{}", smtp.host, smtp.port());
    // An address literal: the host's own name would tell every recipient's server about it.
    let hello = ClientId::Ipv4(Ipv4Addr::LOCALHOST);
    let tls = || tls_parameters(smtp);
    let addr = (smtp.host.as_str(), smtp.port());
    let mut conn = match smtp.tls {
        TlsMode::Implicit => {
            let params = tls()?;
            SmtpConnection::connect(addr, Some(target.timeout), &hello, Some(&params), None)
                .map_err(|e| connect_failure(&e, smtp, &place))?
        }
        TlsMode::Starttls | TlsMode::None => {
            SmtpConnection::connect(addr, Some(target.timeout), &hello, None, None)
                .map_err(|e| connect_failure(&e, smtp, &place))?
        }
    };
    if smtp.tls == TlsMode::Starttls {
        if !conn.can_starttls() {
            conn.abort();
            return Err(Delivery::Permanent(format!(
                "{place} does not offer STARTTLS, and tls = \"starttls\" requires it: nothing was sent in plain text (check the port, or tls = \"implicit\")"
            )));
        }
        let params = tls()?;
        conn.starttls(&params, &hello)
            .map_err(|e| connect_failure(&e, smtp, &place))?;
    }
    let password = match target.login {
        Login::Bearer(account) => {
            if let Err(d) =
                super::smtp_bearer::login(&mut conn, &hello, account, target.username, &place)
            {
                conn.abort();
                return Err(d);
            }
            return Ok(conn);
        }
        Login::Password(p) => p,
    };
    let mechanisms = [Mechanism::Plain, Mechanism::Login];
    if conn.server_info().get_auth_mechanism(&mechanisms).is_some() {
        let credentials = Credentials::new(target.username.into(), password.into());
        if let Err(e) = conn.auth(&mechanisms, &credentials) {
            let words = server_words(&e);
            let text = format!(
                "SMTP login as {} at {place} failed: {words}",
                target.username
            );
            return Err(if e.is_transient() {
                Delivery::Transient(text)
            } else if e.is_permanent() {
                Delivery::Permanent(text)
            } else {
                Delivery::Transient(format!("{place}: connection lost during login: {words}"))
            });
        }
    } else if conn
        .server_info()
        .supports_auth_mechanism(Mechanism::Xoauth2)
    {
        return Err(Delivery::Permanent(format!(
            "{place} offers only XOAUTH2 login: set auth = \"oauth2\" for this account and run `tern login`"
        )));
    }
    Ok(conn)
}

fn transaction(
    conn: &mut SmtpConnection,
    msg: &Message,
    final_dot: FinalDot,
    place: &str,
) -> Delivery {
    let info = conn.server_info();
    let mut params = Vec::new();
    if !msg.bytes.is_ascii() {
        if !info.supports_feature(Extension::EightBitMime) {
            return Delivery::Permanent(format!(
                "{place} does not accept 8-bit messages (no 8BITMIME); the message needs a 7-bit encoding"
            ));
        }
        params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    let all_addresses = std::iter::once(&msg.sender).chain(msg.recipients.iter());
    if all_addresses.clone().any(|a| !a.is_ascii()) {
        if !info.supports_feature(Extension::SmtpUtfEight) {
            return Delivery::Permanent(format!(
                "{place} does not accept non-ASCII addresses (no SMTPUTF8)"
            ));
        }
        params.push(MailParameter::SmtpUtfEight);
    }
    let parse = |a: &str| {
        a.parse::<lettre::Address>()
            .map_err(|e| Delivery::Permanent(format!("{a}: not a valid address ({e})")))
    };
    let sender = match parse(&msg.sender) {
        Ok(s) => s,
        Err(d) => return d,
    };
    if let Err(e) = conn.command(Mail::new(Some(sender), params)) {
        return step_failure(&e, "MAIL FROM", place);
    }
    for rcpt in &msg.recipients {
        let to = match parse(rcpt) {
            Ok(t) => t,
            Err(d) => return d,
        };
        if let Err(e) = conn.command(Rcpt::new(to, vec![])) {
            return step_failure(&e, &format!("recipient {rcpt}"), place);
        }
    }
    if let Err(e) = conn.command(Data) {
        return step_failure(&e, "DATA", place);
    }
    // Every chunk handed over means the final "." is next: the caller records that, so a
    // tern killed from here on knows the message may have been sent.
    let sent_all = std::cell::Cell::new(false);
    let mut mark = Some(final_dot);
    let chunks = msg.bytes.chunks(CHUNK).chain(std::iter::from_fn(|| {
        if let Some(mark) = mark.take() {
            mark();
        }
        sent_all.set(true);
        None
    }));
    match conn.message_iter(chunks) {
        Ok(_) => Delivery::Accepted,
        Err(e) if e.is_permanent() => {
            Delivery::Permanent(format!("{place} refused the message: {}", server_words(&e)))
        }
        Err(e) if e.is_transient() => Delivery::Transient(format!(
            "{place} deferred the message: {}",
            server_words(&e)
        )),
        Err(e) if sent_all.get() => Delivery::MaybeSent(format!(
            "the connection to {place} was lost after the whole message went out, before the server answered ({})",
            server_words(&e)
        )),
        Err(e) => Delivery::Transient(format!(
            "the connection to {place} was lost while sending: {}",
            server_words(&e)
        )),
    }
}

fn step_failure(e: &lettre::transport::smtp::Error, step: &str, place: &str) -> Delivery {
    let words = server_words(e);
    if e.is_permanent() {
        Delivery::Permanent(format!("{place} refused {step}: {words}"))
    } else if e.is_transient() {
        Delivery::Transient(format!("{place} deferred {step}: {words}"))
    } else {
        Delivery::Transient(format!("{place}: connection lost at {step}: {words}"))
    }
}

fn tls_parameters(smtp: &Smtp) -> Result<TlsParameters, Delivery> {
    TlsParameters::builder(smtp.host.clone())
        .dangerous_accept_invalid_certs(smtp.accept_invalid_certs)
        .dangerous_accept_invalid_hostnames(smtp.accept_invalid_certs)
        .build_native()
        .map_err(|e| Delivery::Permanent(format!("cannot set up TLS: {}", chain(&e))))
}

/// A failure before the transaction: unreachable is transient, a refused certificate or a
/// failed handshake is not (retrying would not change it).
fn connect_failure(e: &lettre::transport::smtp::Error, smtp: &Smtp, place: &str) -> Delivery {
    let text = chain(e);
    // lettre reports a failed handshake as a connection error: OpenSSL's words tell.
    if e.is_tls() || text.contains("SSL routines") {
        if let Some(reason) = text
            .contains("certificate verify failed")
            .then(|| verify_reason(&text))
        {
            return Delivery::Permanent(format!(
                "TLS: the certificate of {} was refused: {reason}. If you trust this server, set accept_invalid_certs = true in [account.smtp]",
                smtp.host
            ));
        }
        let hint = if smtp.tls == TlsMode::Implicit {
            " (is this a STARTTLS port? then tls = \"starttls\")"
        } else {
            ""
        };
        return Delivery::Permanent(format!("TLS: handshake with {place} failed{hint}: {text}"));
    }
    if e.is_permanent() || e.is_transient() {
        let words = server_words(e);
        return if e.is_permanent() {
            Delivery::Permanent(format!("{place} refused the connection: {words}"))
        } else {
            Delivery::Transient(format!("{place} is busy: {words}"))
        };
    }
    Delivery::Transient(format!("cannot reach {place}: {text}"))
}

/// OpenSSL's verify result, from native-tls's "… (self-signed certificate)".
fn verify_reason(text: &str) -> String {
    text.rsplit_once('(')
        .and_then(|(_, r)| r.split_once(')'))
        .map_or_else(|| "verification failed".to_string(), |(r, _)| r.to_string())
}

/// The server's code and words for a negative reply, else the error chain.
pub(super) fn server_words(e: &lettre::transport::smtp::Error) -> String {
    match (e.status(), std::error::Error::source(e)) {
        (Some(code), Some(words)) => format!("{code} {words}"),
        _ => chain(e),
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}
