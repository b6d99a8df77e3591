//! `tern login`: signs an `auth = "oauth2"` account in, in the browser (the URL is also
//! printed, for a browser elsewhere) or with `--device` through a code typed in on another
//! device. Messages go to stderr; the token file's path is printed on stdout.

use std::io::Write;

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
            login::open_browser(url);
            eprintln!("tern: waiting for the browser (Ctrl-C cancels)…");
        })?
    };
    eprintln!(
        "tern: signed in; the tokens are kept in {}",
        store.describe()
    );
    super::output::record(out, &[&store.describe()])
}
