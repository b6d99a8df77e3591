//! The worker for an account's protocol: both answer the same [`crate::msg`] contract, so the
//! UI and CLI start one through here and never ask which.

use crate::config::Account;
use crate::imap::worker::Handle;

pub fn spawn(account: Account, password: String) -> Handle {
    if account.is_pop3() {
        crate::pop3::worker::spawn(account, password)
    } else {
        crate::imap::worker::spawn(account, password)
    }
}
