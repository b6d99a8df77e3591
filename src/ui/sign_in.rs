//! The TUI's sign-in for an OAuth2 account: the browser flow on a thread of its own, so the
//! screen keeps working while the user is in the browser; the address to open and the end
//! come back on a channel. The flow gives up by itself after a few minutes.

use crossbeam_channel::{Receiver, unbounded};

use crate::config::Account;
use crate::error::{Error, Result};
use crate::oauth::login;

pub enum SignIn {
    /// Shown in case no browser opened.
    Url(String),
    /// Signed in (the tokens are saved), or why not.
    Done(Result<()>),
}

pub fn start(account: Account) -> Receiver<SignIn> {
    let (tx, rx) = unbounded();
    let spawned = std::thread::Builder::new().name("sign-in".into()).spawn({
        let tx = tx.clone();
        move || {
            let result = login::with_browser(&account, |url| {
                let _ = tx.send(SignIn::Url(url.to_string()));
                login::open_browser(url);
            });
            let _ = tx.send(SignIn::Done(result.map(drop)));
        }
    });
    if let Err(e) = spawned {
        let _ = tx.send(SignIn::Done(Err(Error::Io(format!(
            "cannot start the sign-in: {e}"
        )))));
    }
    rx
}
