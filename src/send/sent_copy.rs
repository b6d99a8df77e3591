//! The copy in Sent: one short IMAP connection that APPENDs the message as transmitted
//! (Bcc gone), flagged \Seen, to the folder the server marks \Sent (or one named so).

use crate::config::Account;
use crate::imap::{actions, folders, session};
use crate::msg::{Flag, Flags, SpecialUse};

pub fn store(account: &Account, password: &str, bytes: &[u8]) -> Result<(), String> {
    let mut conn = session::connect(account, password).map_err(|e| e.to_string())?;
    let result = folders::find_role(&mut conn, SpecialUse::Sent)
        .map_err(|e| e.to_string())
        .and_then(|found| {
            found.ok_or_else(|| {
                "the server has no Sent folder (create one, or set save_sent = false)".to_string()
            })
        })
        .and_then(|sent| {
            actions::append(&mut conn, &sent, bytes, Flags::NONE.with(Flag::Seen), None)
                .map(|_| ())
                .map_err(|e| e.to_string())
        });
    let _ = conn.session.logout();
    result
}
