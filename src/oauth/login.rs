//! Signing in: the authorization code flow with PKCE (S256) and a redirect to a one-shot
//! listener on 127.0.0.1 at a free port (RFC 8252), or the device flow (RFC 8628). Either
//! way the tokens are saved before this returns. Showing the URL is the caller's business;
//! [`open_browser`] opens it.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use oauth2::{CsrfToken, PkceCodeChallenge, RedirectUrl};

use super::client;
use super::store::Store;
use super::tokens::save_new;
use crate::config::{Account, OAuth2};
use crate::error::{Error, Result};

/// How long the user has to finish in the browser; then the listener is closed (the TUI's
/// sign-in thread must end even if the browser never comes back).
const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);
/// How often the listener is looked at while waiting.
const POLL: Duration = Duration::from_millis(100);
/// How long the browser may take to send its one request once connected.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Longer than any request line the redirect can carry.
const MAX_REQUEST_LINE: u64 = 16 * 1024;

/// The browser flow: `show` gets the URL to open; this waits (up to five minutes) for the
/// redirect, exchanges the code and saves the tokens.
pub fn with_browser(account: &Account, show: impl FnOnce(&str)) -> Result<Store> {
    let oauth = settings(account)?;
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| Error::Io(format!("listening on 127.0.0.1 for the sign-in: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::Io(format!("the sign-in listener: {e}")))?
        .port();
    let redirect = RedirectUrl::new(format!("http://127.0.0.1:{port}/"))
        .map_err(|e| Error::Config(format!("redirect address: {e}")))?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) =
        oauth2::basic::BasicClient::new(oauth2::ClientId::new(oauth.client_id.clone()))
            .set_auth_uri(client::auth_url(&oauth)?)
            .set_redirect_uri(redirect.clone())
            .authorize_url(CsrfToken::new_random)
            .add_scopes(client::scopes(&oauth))
            .set_pkce_challenge(challenge)
            .url();
    show(url.as_str());
    let code = wait_for_code(&listener, state.secret())?;
    let tokens = client::exchange_code(&oauth, code, verifier, &redirect)?;
    if tokens.refresh_token.is_none() {
        tracing::warn!(account = %account.name, "the sign-in gave no refresh token");
    }
    save_new(account, &tokens)
}

/// The device flow: `show(url, code)` tells the user where to enter which code; this polls
/// until they have, then saves the tokens.
pub fn with_device(account: &Account, show: impl FnOnce(&str, &str)) -> Result<Store> {
    let oauth = settings(account)?;
    let tokens = client::device_flow(&oauth, show)?;
    save_new(account, &tokens)
}

fn settings(account: &Account) -> Result<OAuth2> {
    account.oauth2().ok_or_else(|| {
        Error::Config(format!(
            "account \"{}\" does not sign in with OAuth2: set auth = \"oauth2\" and an [account.oauth2] table",
            account.name
        ))
    })
}

/// Serves the loopback listener until the redirect with our `state` arrives; other requests
/// (a browser's favicon, a stray visitor) are answered 404 and do not end the wait.
fn wait_for_code(listener: &TcpListener, state: &str) -> Result<String> {
    let waiting = |e: std::io::Error| Error::Io(format!("waiting for the browser: {e}"));
    listener.set_nonblocking(true).map_err(waiting)?;
    let deadline = Instant::now() + SIGN_IN_TIMEOUT;
    loop {
        let mut stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() > deadline {
                    return Err(Error::Auth(format!(
                        "the sign-in was not finished in the browser within {} minutes",
                        SIGN_IN_TIMEOUT.as_secs() / 60
                    )));
                }
                std::thread::sleep(POLL);
                continue;
            }
            Err(e) => return Err(waiting(e)),
        };
        // Whether an accepted socket inherits the listener's mode depends on the platform.
        stream.set_nonblocking(false).map_err(waiting)?;
        let Some(target) = request_target(&stream) else {
            continue;
        };
        let Ok(url) = oauth2::url::Url::parse(&format!("http://127.0.0.1{target}")) else {
            answer(
                &mut stream,
                "400 Bad Request",
                "That is not a sign-in answer.",
            );
            continue;
        };
        let param = |key: &str| {
            url.query_pairs()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.into_owned())
        };
        if url.path() != "/" || param("state").as_deref() != Some(state) {
            answer(&mut stream, "404 Not Found", "Nothing here.");
            continue;
        }
        if let Some(code) = param("code") {
            answer(
                &mut stream,
                "200 OK",
                "Signed in to tern. You can close this tab.",
            );
            return Ok(code);
        }
        let error = param("error").unwrap_or_else(|| "no code".into());
        let text = param("error_description").map_or(error.clone(), |d| format!("{error}: {d}"));
        answer(
            &mut stream,
            "200 OK",
            "The sign-in did not succeed; see tern.",
        );
        return Err(Error::Auth(format!(
            "the authorization server did not sign you in: {}",
            crate::mime::sanitize::sanitize_line(&text)
        )));
    }
}

/// The path and query of a `GET` request, or None for anything else.
fn request_target(stream: &TcpStream) -> Option<String> {
    stream.set_read_timeout(Some(REQUEST_TIMEOUT)).ok()?;
    let mut line = String::new();
    BufReader::new(std::io::Read::take(stream, MAX_REQUEST_LINE))
        .read_line(&mut line)
        .ok()?;
    let mut words = line.split_whitespace();
    match (words.next(), words.next()) {
        (Some("GET"), Some(target)) if target.starts_with('/') => Some(target.to_string()),
        _ => None,
    }
}

fn answer(stream: &mut TcpStream, status: &str, text: &str) {
    let body = format!("<!doctype html><title>tern</title><p>{text}</p>\n");
    // The browser going away early changes nothing for the sign-in.
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// `$BROWSER URL`, else `xdg-open URL`, in the background. The caller shows the URL anyway,
/// so a browser that does not start is only worth a log line.
pub fn open_browser(url: &str) {
    let mut cmd = match std::env::var("BROWSER") {
        Ok(browser) if !browser.trim().is_empty() => {
            let mut c = Command::new("sh");
            // The URL is an argument, never part of the shell text.
            c.arg("-c")
                .arg(format!("{browser} \"$1\""))
                .arg("tern")
                .arg(url);
            c
        }
        _ => {
            let mut c = Command::new("xdg-open");
            c.arg(url);
            c
        }
    };
    let started = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match started {
        // Reaped on a thread of its own so no zombie outlives the wait for the browser.
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => tracing::info!("no browser started: {e}"),
    }
}
