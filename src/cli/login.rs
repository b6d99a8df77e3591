//! `tern login`: signs an `auth = "oauth2"` account in, in the browser (the URL is also
//! printed, for a browser elsewhere) or with `--device` through a code typed in on another
//! device. Messages go to stderr; the token file's path is printed on stdout.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::config::Account;
use crate::error::Result;
use crate::mime::sanitize::sanitize_line;
use crate::oauth::login;

pub fn run(account: &Account, device: bool, out: &mut impl Write) -> Result<()> {
    let store = if device {
        login::with_device(account, |url, code| {
            eprintln!(
                "tern: to sign in account \"{}\", open {} and enter the code {}",
                account.name,
                sanitize_line(url),
                sanitize_line(code)
            );
            eprintln!("tern: waiting for the sign-in (Ctrl-C cancels)…");
        })?
    } else {
        login::with_browser(account, |url| {
            eprintln!(
                "tern: to sign in account \"{}\", open this address in a browser:\n{url}",
                account.name
            );
            open_browser(url);
            eprintln!("tern: waiting for the browser (Ctrl-C cancels)…");
        })?
    };
    eprintln!(
        "tern: signed in; the tokens are kept in {}",
        store.describe()
    );
    super::output::record(out, &[&store.describe()])
}

/// `$BROWSER URL`, else `xdg-open URL`, in the background; the URL is printed anyway, so a
/// browser that does not start is only worth a log line.
fn open_browser(url: &str) {
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
