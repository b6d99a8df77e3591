//! Connecting and logging in: greeting, CAPABILITY, ID, LOGIN or AUTHENTICATE.

use std::net::TcpStream;
use std::time::Duration;

use crate::config::Account;
use crate::error::{Error, Result};
use crate::imap::quirks::{self, Family};
use crate::imap::raw8;
use crate::imap::stream::{self, Endpoint, Raw, Stream};
use crate::msg::SessionInfo;
use crate::oauth::{self, Mechanism};

pub type Session = imap::Session<Stream>;

/// A logged-in session and what we learnt on the way.
pub struct Connection {
    pub session: Session,
    pub info: SessionInfo,
    /// Post-login capabilities, upper-cased, for feature checks.
    caps: Vec<String>,
    /// Extensions switched on with ENABLE (`QRESYNC`, `CONDSTORE`).
    enabled: Vec<String>,
    pub(crate) warnings: crate::imap::guard::Warnings,
    /// The socket under the session, for replies we read ourselves.
    pub raw: Raw,
    /// Shuts the socket down from outside a blocking read (interrupts, shutdown).
    pub control: TcpStream,
}

impl Connection {
    pub fn has(&self, cap: &str) -> bool {
        self.caps.iter().any(|c| c.eq_ignore_ascii_case(cap))
    }

    /// Untagged NO/BAD texts the server sent since the last call.
    pub fn take_warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default()
    }

    /// Whether `ext` was switched on with ENABLE (QRESYNC implies CONDSTORE).
    pub fn enabled(&self, ext: &str) -> bool {
        self.enabled.iter().any(|e| {
            e.eq_ignore_ascii_case(ext) || (ext.eq_ignore_ascii_case("CONDSTORE") && e == "QRESYNC")
        })
    }
}

struct Plain<'a> {
    user: &'a str,
    password: &'a str,
}

impl imap::Authenticator for Plain<'_> {
    type Response = String;
    fn process(&self, _challenge: &[u8]) -> String {
        format!("\0{}\0{}", self.user, self.password)
    }
}

/// A bearer token for SASL XOAUTH2 or OAUTHBEARER ([`crate::oauth::sasl`]).
struct Bearer<'a> {
    mechanism: Mechanism,
    user: &'a str,
    token: &'a str,
}

impl imap::Authenticator for Bearer<'_> {
    type Response = String;
    fn process(&self, challenge: &[u8]) -> String {
        self.mechanism.respond(challenge, self.user, self.token)
    }
}

/// OAuth2: the mechanism the server offers, the current access token, and after a refusal
/// one fresh token on the same connection (the token may have been revoked or expired
/// early); a second refusal is final.
fn bearer_login(
    client: imap::Client<Stream>,
    account: &Account,
    pre_caps: &[String],
) -> Result<(Session, String)> {
    let offered = pre_caps.iter().filter_map(|c| {
        c.get(..5)
            .filter(|p| p.eq_ignore_ascii_case("AUTH="))
            .map(|_| &c[5..])
    });
    let Some(mechanism) = Mechanism::choose(offered) else {
        return Err(Error::Auth(format!(
            "{} offers neither OAUTHBEARER nor XOAUTH2, so an OAuth2 account cannot log in there",
            account.host
        )));
    };
    let user = account.username.as_str();
    let token = oauth::access_token(account)?;
    let how = format!("AUTHENTICATE {}", mechanism.name());
    let first = Bearer {
        mechanism,
        user,
        token: &token,
    };
    let client = match client.authenticate(mechanism.name(), &first) {
        Ok(session) => return Ok((session, how)),
        Err((imap::Error::No(refusal), client)) => {
            tracing::info!(
                "{how} refused ({}); refreshing the token",
                refusal.information
            );
            client
        }
        Err((e, _)) => return Err(auth_err(e)),
    };
    let token = oauth::after_refusal(account, &token)?;
    let second = Bearer {
        mechanism,
        user,
        token: &token,
    };
    match client.authenticate(mechanism.name(), &second) {
        Ok(session) => Ok((session, how)),
        Err((imap::Error::No(n), _)) => Err(oauth::tokens::sign_in_needed(
            account,
            &format!(
                "the server refused a freshly refreshed token ({})",
                raw8::restore(n.information)
            ),
        )),
        Err((e, _)) => Err(auth_err(e)),
    }
}

pub fn connect(account: &Account, password: &str) -> Result<Connection> {
    let ep = Endpoint {
        host: &account.host,
        port: account.port(),
        tls: account.tls,
        accept_invalid_certs: account.accept_invalid_certs,
        connect_timeout: Duration::from_secs(account.connect_timeout_secs.max(1)),
        read_timeout: Duration::from_secs(account.read_timeout_secs.max(1)),
    };
    let opened = stream::open(&ep)?;
    tracing::debug!("timing: connected to {}:{}", ep.host, ep.port);
    let tls = opened.stream.tls_description();
    let warnings = opened.stream.warnings();
    let raw = opened.stream.raw();
    let mut client = imap::Client::new(opened.stream);
    let greeting = match opened.greeting {
        Some(g) => g,
        None => {
            let raw = client.read_greeting().map_err(|e| map_err("greeting", e))?;
            raw8::restore(String::from_utf8_lossy(&raw).trim_end().to_string())
        }
    };
    if greeting.starts_with("* BYE") {
        return Err(Error::Network(format!(
            "the server refused the connection: {greeting}"
        )));
    }
    if !greeting.starts_with("* OK") && !greeting.starts_with("* PREAUTH") {
        let shown: String = greeting.chars().take(80).collect();
        return Err(Error::Protocol(format!(
            "{}:{} did not greet like an IMAP server (wrong port, or does it need tls = \"implicit\"?); its greeting was: {shown}",
            account.host,
            account.port()
        )));
    }
    let pre_caps = capability_names(
        &client
            .capabilities()
            .map_err(|e| map_err("CAPABILITY", e))?,
    );
    let has_pre = |c: &str| pre_caps.iter().any(|x| x.eq_ignore_ascii_case(c));
    let family = Family::recognise(&account.host, &greeting);
    // RFC 2971 allows ID in any state; Coremail checks for it at login (and QQ lists it before
    // login), so it goes out before authenticating. A refusal is not fatal: ID is tried again
    // after login, where some servers only accept it.
    let identified = (family.must_identify() || has_pre("ID")) && identify_before_login(&raw)?;

    let (session, auth) = if account.oauth2().is_some() {
        bearer_login(client, account, &pre_caps)?
    } else if has_pre("AUTH=PLAIN") {
        let plain = Plain {
            user: &account.username,
            password,
        };
        let s = client
            .authenticate("PLAIN", &plain)
            .map_err(|(e, _)| auth_err(e))?;
        (s, "AUTHENTICATE PLAIN".to_string())
    } else if has_pre("LOGINDISABLED") {
        return Err(Error::Auth(
            "the server disables LOGIN and offers no AUTH=PLAIN on this connection".into(),
        ));
    } else {
        let s = client
            .login(&account.username, password)
            .map_err(|(e, _)| auth_err(e))?;
        (s, "LOGIN".to_string())
    };
    let mut session = session;
    tracing::debug!("timing: logged in");
    let caps = capability_names(
        &session
            .capabilities()
            .map_err(|e| map_err("CAPABILITY", e))?,
    );
    if !identified && (family.must_identify() || caps.iter().any(|c| c.eq_ignore_ascii_case("ID")))
    {
        // Coremail (163.com, 126.com) answers SELECT with "Unsafe Login" unless we identify,
        // and does not always list ID: it is recognised by host or greeting instead.
        if let Err(e) = session.run_command_and_check_ok(id_command()) {
            let e = map_err("ID", e);
            if e.is_fatal_for_connection() {
                return Err(e);
            }
            tracing::warn!("ID refused: {e}");
        }
    }
    // QRESYNC (which implies CONDSTORE) lets a warm start learn only what changed.
    let enable = if caps.iter().any(|c| c.eq_ignore_ascii_case("QRESYNC")) {
        Some("ENABLE QRESYNC")
    } else if caps.iter().any(|c| c.eq_ignore_ascii_case("CONDSTORE")) {
        Some("ENABLE CONDSTORE")
    } else {
        None
    };
    let mut enabled = Vec::new();
    if let Some(cmd) = enable {
        match session.run_command_and_check_ok(cmd) {
            Ok(()) => enabled.push(cmd.trim_start_matches("ENABLE ").to_string()),
            Err(e) => {
                let e = map_err("ENABLE", e);
                if e.is_fatal_for_connection() {
                    return Err(e);
                }
                tracing::warn!("ENABLE refused: {e}");
            }
        }
    }
    tracing::debug!("timing: session ready");
    Ok(Connection {
        warnings,
        raw,
        enabled,
        session,
        info: SessionInfo {
            greeting,
            tls,
            capabilities: caps.clone(),
            auth,
        },
        caps,
        control: opened.control,
    })
}

/// What tern tells a server about itself with ID (RFC 2971).
fn id_command() -> String {
    format!(
        r#"ID ("name" "tern" "version" "{}" "vendor" "tern")"#,
        env!("CARGO_PKG_VERSION")
    )
}

/// ID before login, under a tag of our own (the `imap` crate offers no command before login),
/// between the crate's CAPABILITY and its LOGIN or AUTHENTICATE; whether the server took it.
/// Safe there: the guard ends the crate's reads at CAPABILITY's tagged line, so nothing of ours
/// can be in the crate's buffer, and what follows our reply goes back to the guard.
fn identify_before_login(raw: &Raw) -> Result<bool> {
    // The answer is one `* ID (...)` line of a few fields.
    const MAX_ID_REPLY: usize = 64 << 10;
    let reply = raw
        .lock()
        .command(&id_command(), MAX_ID_REPLY)
        .map_err(|e| map_err("ID", imap::Error::Io(e)))?;
    if !reply.ok() {
        tracing::info!(
            "ID before login refused ({}); it is sent again after login where needed",
            raw8::restore(reply.status)
        );
        return Ok(false);
    }
    Ok(true)
}

fn capability_names(caps: &imap::types::Capabilities) -> Vec<String> {
    use imap_proto::types::Capability;
    caps.iter()
        .map(|c| match c {
            Capability::Imap4rev1 => "IMAP4rev1".to_string(),
            Capability::Auth(a) => format!("AUTH={a}"),
            Capability::Atom(a) => a.to_string(),
        })
        .collect()
}

fn auth_err(e: imap::Error) -> Error {
    match e {
        imap::Error::No(n) => Error::Auth(quirks::explain(raw8::restore(n.information))),
        imap::Error::Bad(b) => Error::Auth(quirks::explain(raw8::restore(b.information))),
        imap::Error::Validate(v) => Error::Auth(format!("the username or password {v}")),
        other => map_err("login", other),
    }
}

/// Translates the crate's error for `command` into ours, keeping the server's words.
pub fn map_err(command: &str, e: imap::Error) -> Error {
    match e {
        imap::Error::Io(io)
            if io.get_ref().is_some_and(|e| {
                e.is::<stream::DeadlinePassed>() || e.is::<crate::imap::guard::CapExceeded>()
            }) =>
        {
            Error::Limit(format!("{command}: {io}"))
        }
        imap::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                Error::Network(format!("the server is not responding ({command})"))
            }
            _ => Error::Network(format!("{command}: {io}")),
        },
        imap::Error::No(n) => Error::Server {
            command: command.into(),
            text: quirks::explain(raw8::restore(n.information)),
        },
        imap::Error::Bad(b) => Error::Server {
            command: command.into(),
            text: quirks::explain(raw8::restore(b.information)),
        },
        // The crate reports an unparseable reply as a BYE with this text.
        imap::Error::Bye(b) if b.information == "no explanation given" => Error::Protocol(format!(
            "the server's reply to {command} could not be understood"
        )),
        imap::Error::Bye(b) => Error::Network(format!(
            "the server closed the connection: {}",
            raw8::restore(b.information)
        )),
        imap::Error::ConnectionLost => Error::Network("the connection was lost".into()),
        imap::Error::Parse(_) => {
            Error::Protocol(format!("{command}: the server sent a malformed reply"))
        }
        imap::Error::Validate(v) => Error::Config(format!("{command}: {v}")),
        other => Error::Protocol(format!("{command}: {other}")),
    }
}
