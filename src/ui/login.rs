//! A refused login: the server said no, so the worker waits for the user instead of
//! retrying. A password account is offered the password line at once (and again on
//! `reconnect`); an OAuth2 account is told to sign in with `tern login` and then reconnect,
//! which reads the new tokens. Once logged in, what the refused start could not load is asked
//! for again.

#[derive(Debug, Default)]
pub struct Login {
    refused: bool,
    /// The account signs in with OAuth2: a password line would be no use.
    oauth2: bool,
}

impl Login {
    pub fn is_refused(&self) -> bool {
        self.refused
    }

    /// Whether a refusal is mended by asking for the password (else by `tern login`).
    pub fn wants_password(&self) -> bool {
        !self.oauth2
    }

    pub(crate) fn set_oauth2(&mut self, oauth2: bool) {
        self.oauth2 = oauth2;
    }

    pub(crate) fn refuse(&mut self) {
        self.refused = true;
    }

    /// Logged in; true when that ends a refusal.
    pub(crate) fn take_refused(&mut self) -> bool {
        std::mem::take(&mut self.refused)
    }
}
