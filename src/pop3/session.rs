//! A logged-in POP3 session: connect (implicit TLS, STLS or plain), CAPA, log in, and the
//! commands tern uses. Plain blocking functions; the worker decides when to call them.

use std::io;

use base64::Engine as _;

use crate::config::{Account, TlsMode};
use crate::error::{Error, Result};
use crate::mime::sanitize_line;
use crate::msg::SessionInfo;
use crate::net::{self, Endpoint, Transport};
use crate::pop3::wire::{Status, Wire};

mod bearer;

/// Most messages a maildrop may list; far above any real one, and it bounds the lists' memory.
const MAX_MESSAGES: usize = 2_000_000;
/// A header block from TOP past this is cut (the summary needs only the first fields).
pub const HEADER_CAP: usize = 256 * 1024;

pub struct Session {
    wire: Wire<Transport>,
    pub info: SessionInfo,
}

/// A message of this session: its number (valid until QUIT) and its unique id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub number: u32,
    pub uidl: String,
    pub size: u64,
}

fn endpoint(account: &Account) -> Endpoint<'_> {
    Endpoint {
        host: &account.host,
        port: account.port(),
        tls: account.tls,
        accept_invalid_certs: account.accept_invalid_certs,
        connect_timeout: std::time::Duration::from_secs(account.connect_timeout_secs),
        read_timeout: std::time::Duration::from_secs(account.read_timeout_secs),
    }
}

/// The server's words, safe to show.
fn said(text: &str) -> String {
    sanitize_line(text)
}

/// `-ERR` as an error naming the command; the RFC 2449/3206 codes explained.
fn refused(command: &str, text: &str) -> Error {
    let upper = text.to_ascii_uppercase();
    if upper.starts_with("[IN-USE]") {
        return Error::Server {
            command: command.into(),
            text: format!(
                "{} (another client holds the mailbox lock: close the other mail program or wait until it finishes)",
                said(text)
            ),
        };
    }
    if upper.starts_with("[LOGIN-DELAY]") {
        return Error::Server {
            command: command.into(),
            text: format!(
                "{} (the server allows only so many logins; try again later)",
                said(text)
            ),
        };
    }
    Error::Server {
        command: command.into(),
        text: said(text),
    }
}

impl Session {
    /// Connects and logs in as the account says.
    pub fn connect(account: &Account, password: &str) -> Result<Session> {
        let ep = endpoint(account);
        let tcp = net::connect_tcp(&ep)?;
        let timeout = ep.read_timeout;
        let transport = match ep.tls {
            TlsMode::Implicit => Transport::Tls(Box::new(net::handshake(&ep, tcp)?)),
            TlsMode::Starttls | TlsMode::None => Transport::Plain(tcp),
        };
        let mut wire = Wire::new(transport, timeout);
        let greeting = match wire.status()? {
            Status::Ok(text) => text,
            Status::Err(text) => return Err(refused("connect", &text)),
        };
        let mut session = Session {
            wire,
            info: SessionInfo {
                greeting: said(&greeting),
                tls: None,
                capabilities: Vec::new(),
                auth: String::new(),
            },
        };
        session.info.capabilities = session.capa()?;
        if ep.tls == TlsMode::Starttls {
            session = session.stls(&ep)?;
        }
        session.info.tls = session.wire.get_ref().tls_description();
        session.login(account, password, &greeting)?;
        Ok(session)
    }

    fn has(&self, capability: &str) -> bool {
        self.info
            .capabilities
            .iter()
            .any(|c| c.split(' ').next() == Some(capability))
    }

    /// CAPA (RFC 2449); a server without it has no extensions we could use.
    fn capa(&mut self) -> Result<Vec<String>> {
        self.wire.send("CAPA")?;
        match self.wire.status()? {
            Status::Ok(_) => Ok(self
                .wire
                .lines(256, 1024)?
                .iter()
                .map(|l| said(l).to_ascii_uppercase())
                .collect()),
            Status::Err(_) => Ok(Vec::new()),
        }
    }

    /// STLS (RFC 2595), then CAPA again: what was said in the clear no longer counts.
    fn stls(mut self, ep: &Endpoint) -> Result<Session> {
        self.wire.send("STLS")?;
        if let Status::Err(text) = self.wire.status()? {
            return Err(Error::Tls(format!(
                "the server refused STLS: {}",
                said(&text)
            )));
        }
        let Some(Transport::Plain(tcp)) = self.wire.into_inner() else {
            return Err(Error::Protocol(
                "the POP3 server sent data before the TLS handshake".into(),
            ));
        };
        let tls = net::handshake(ep, tcp)?;
        let mut session = Session {
            wire: Wire::new(Transport::Tls(Box::new(tls)), ep.read_timeout),
            info: self.info,
        };
        session.info.capabilities = session.capa()?;
        Ok(session)
    }

    fn login(&mut self, account: &Account, password: &str, greeting: &str) -> Result<()> {
        let user = &account.username;
        if account.oauth2().is_some() {
            self.refuse_clear_text(account)?;
            return self.bearer_login(account);
        }
        if account.pop3_apop {
            let stamp = apop_timestamp(greeting).ok_or_else(|| {
                Error::Refused(format!(
                    "pop3_apop is set, but the greeting of {} offers no APOP timestamp; remove pop3_apop to log in another way",
                    account.host
                ))
            })?;
            let hex = apop_digest(stamp, password)?;
            self.info.auth = "APOP".into();
            return self.expect_login(&format!("APOP {user} {hex}"));
        }
        self.refuse_clear_text(account)?;
        let sasl_plain = self.info.capabilities.iter().any(|c| {
            let mut words = c.split(' ');
            words.next() == Some("SASL") && words.any(|m| m == "PLAIN")
        });
        if sasl_plain {
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"));
            self.info.auth = "AUTH PLAIN".into();
            return self.expect_login(&format!("AUTH PLAIN {token}"));
        }
        self.info.auth = "USER/PASS".into();
        self.wire.send(&format!("USER {user}"))?;
        if let Status::Err(text) = self.wire.status()? {
            return Err(login_refused(&text));
        }
        self.expect_login(&format!("PASS {password}"))
    }

    /// Never a password or token in the clear where the server offered to encrypt.
    fn refuse_clear_text(&self, account: &Account) -> Result<()> {
        if self.info.tls.is_none() && self.has("STLS") {
            return Err(Error::Refused(format!(
                "{} offers STLS but the account has tls = \"none\": tern does not send the password unencrypted; set tls = \"starttls\"",
                account.host
            )));
        }
        Ok(())
    }

    fn expect_login(&mut self, command: &str) -> Result<()> {
        self.wire.send(command)?;
        match self.wire.status()? {
            Status::Ok(_) => Ok(()),
            Status::Err(text) => Err(login_refused(&text)),
        }
    }

    fn simple(&mut self, command: &str) -> Result<String> {
        self.wire.send(command)?;
        match self.wire.status()? {
            Status::Ok(text) => Ok(text),
            Status::Err(text) => Err(refused(command, &text)),
        }
    }

    /// STAT: message count and total size.
    pub fn stat(&mut self) -> Result<(u32, u64)> {
        let text = self.simple("STAT")?;
        let mut words = text.split_whitespace().map(str::parse::<u64>);
        match (words.next(), words.next()) {
            (Some(Ok(n)), Some(Ok(size))) if n <= MAX_MESSAGES as u64 => Ok((n as u32, size)),
            _ => Err(malformed("STAT", &text)),
        }
    }

    /// UIDL and LIST together: every message with its unique id and size, in number order.
    /// With PIPELINING both go out at once, saving a round trip before the first screen.
    pub fn listing(&mut self) -> Result<Vec<Listed>> {
        let pipelined = self.has("PIPELINING");
        self.wire.send("UIDL")?;
        if pipelined {
            self.wire.send("LIST")?;
        }
        let uidls = match self.wire.status()? {
            Status::Ok(_) => self.wire.lines(MAX_MESSAGES, 128)?,
            Status::Err(text) => {
                return Err(Error::Refused(format!(
                    "the server has no UIDL ({}): tern needs it to tell messages apart between sessions",
                    said(&text)
                )));
            }
        };
        if !pipelined {
            self.wire.send("LIST")?;
        }
        if let Status::Err(text) = self.wire.status()? {
            return Err(refused("LIST", &text));
        }
        let sizes = self.wire.lines(MAX_MESSAGES, 128)?;
        let sizes: foldhash::HashMap<u32, u64> = sizes
            .iter()
            .map(|l| parse_pair(l, "LIST").and_then(|(n, s)| Ok((n, parse_num(s, "LIST", l)?))))
            .collect::<Result<_>>()?;
        let mut seen = foldhash::HashSet::default();
        let mut out = Vec::with_capacity(uidls.len());
        for line in &uidls {
            let (number, uidl) = parse_pair(line, "UIDL")?;
            // RFC 1939: 1 to 70 printable characters, unique in the maildrop.
            let valid =
                (1..=70).contains(&uidl.len()) && uidl.bytes().all(|b| (0x21..=0x7e).contains(&b));
            if !valid || !seen.insert(uidl) {
                return Err(malformed("UIDL", line));
            }
            out.push(Listed {
                number,
                uidl: uidl.to_string(),
                size: sizes.get(&number).copied().unwrap_or(0),
            });
        }
        out.sort_unstable_by_key(|l| l.number);
        Ok(out)
    }

    /// `TOP n 0` for each message: the header blocks only, each cut at [`HEADER_CAP`]. With
    /// PIPELINING (RFC 2449) the commands go out together, saving a round trip each.
    pub fn headers(&mut self, numbers: &[u32]) -> Result<Vec<Vec<u8>>> {
        let pipelined = self.has("PIPELINING");
        if pipelined {
            for n in numbers {
                self.wire.send(&format!("TOP {n} 0"))?;
            }
        }
        let mut out = Vec::with_capacity(numbers.len());
        let mut first_error = None;
        for n in numbers {
            let command = format!("TOP {n} 0");
            if !pipelined {
                self.wire.send(&command)?;
            }
            match self.wire.status()? {
                Status::Ok(_) => {}
                Status::Err(text) => {
                    // Pipelined answers still to come are read before giving up.
                    first_error.get_or_insert_with(|| refused(&command, &text));
                    out.push(Vec::new());
                    if pipelined {
                        continue;
                    }
                    break;
                }
            }
            let mut header = Vec::new();
            self.wire.multi(|piece| {
                let room = HEADER_CAP.saturating_sub(header.len());
                header.extend_from_slice(&piece[..piece.len().min(room)]);
                Ok(())
            })?;
            out.push(header);
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// RETR: the message, handed to `sink` as it arrives. Nothing is kept here.
    pub fn retrieve(
        &mut self,
        number: u32,
        sink: impl FnMut(&[u8]) -> io::Result<()>,
    ) -> Result<u64> {
        self.simple(&format!("RETR {number}"))?;
        self.wire.multi(sink)
    }

    /// DELE: marked for deletion; carried out only by a successful QUIT.
    pub fn delete(&mut self, number: u32) -> Result<()> {
        self.simple(&format!("DELE {number}")).map(drop)
    }

    /// RSET: unmarks everything marked for deletion in this session.
    pub fn reset(&mut self) -> Result<()> {
        self.simple("RSET").map(drop)
    }

    pub fn noop(&mut self) -> Result<()> {
        self.simple("NOOP").map(drop)
    }

    /// QUIT: the server removes what was marked and releases the mailbox. An error here
    /// means nothing marked was removed.
    pub fn quit(mut self) -> Result<()> {
        self.wire.send("QUIT")?;
        match self.wire.status()? {
            Status::Ok(_) => Ok(()),
            Status::Err(text) => Err(refused("QUIT", &text)),
        }
    }
}

fn login_refused(text: &str) -> Error {
    match refused("login", text) {
        Error::Server { text, .. } if !text.contains("another client") => Error::Auth(text),
        other => other,
    }
}

fn malformed(command: &str, line: &str) -> Error {
    Error::Protocol(format!(
        "malformed {command} reply from the POP3 server: {:?}",
        said(line)
    ))
}

fn parse_pair<'a>(line: &'a str, command: &str) -> Result<(u32, &'a str)> {
    let mut words = line.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some(n), Some(rest), None) => Ok((parse_num(n, command, line)? as u32, rest)),
        _ => Err(malformed(command, line)),
    }
}

fn parse_num(word: &str, command: &str, line: &str) -> Result<u64> {
    word.parse::<u64>()
        .ok()
        .filter(|n| *n <= u64::from(u32::MAX))
        .filter(|_| word.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| malformed(command, line))
}

/// MD5 of the timestamp and the password, in lowercase hex (RFC 1939 section 7).
fn apop_digest(stamp: &str, password: &str) -> Result<String> {
    let digest = openssl::hash::hash(
        openssl::hash::MessageDigest::md5(),
        format!("{stamp}{password}").as_bytes(),
    )
    .map_err(|e| Error::Tls(format!("cannot compute the APOP digest: {e}")))?;
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// The `<...@...>` timestamp of an APOP-capable greeting (RFC 1939 section 7).
fn apop_timestamp(greeting: &str) -> Option<&str> {
    let start = greeting.find('<')?;
    let end = start + greeting[start..].find('>')?;
    let stamp = &greeting[start..=end];
    stamp.contains('@').then_some(stamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apop_timestamp_is_found_only_when_well_formed() {
        assert_eq!(
            apop_timestamp("POP3 server ready <1896.697170952@dbc.mtview.ca.us>"),
            Some("<1896.697170952@dbc.mtview.ca.us>")
        );
        assert_eq!(apop_timestamp("Dovecot ready."), None);
        assert_eq!(apop_timestamp("ready <no-at-sign>"), None);
    }

    #[test]
    fn apop_digest_is_the_md5_of_timestamp_and_password() {
        // RFC 1939's example inputs; the digest printed there is known not to match them
        // (checked with coreutils: `printf '<1896...>tanstaafl' | md5sum`).
        let digest = apop_digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaafl").unwrap();
        assert_eq!(digest, "a6f0dd348916c9ee9539661f94c75203");
    }

    #[test]
    fn in_use_is_explained_and_stays_the_servers_words() {
        let e = refused("login", "[IN-USE] Mailbox locked");
        let text = e.to_string();
        assert!(text.contains("[IN-USE] Mailbox locked"), "{text}");
        assert!(
            text.contains("another client holds the mailbox lock"),
            "{text}"
        );
        assert!(matches!(login_refused("[IN-USE] x"), Error::Server { .. }));
        assert!(matches!(
            login_refused("[AUTH] bad password"),
            Error::Auth(_)
        ));
    }

    #[test]
    fn list_lines_are_checked() {
        assert_eq!(parse_pair("3 abc", "UIDL").unwrap(), (3, "abc"));
        assert!(parse_pair("3", "UIDL").is_err());
        assert!(parse_pair("x abc", "UIDL").is_err());
        assert!(parse_pair("+3 abc", "UIDL").is_err());
        assert!(parse_pair("3 a b", "UIDL").is_err());
    }
}
