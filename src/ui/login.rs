//! A refused login: the server said no, so the worker waits for the user instead of
//! retrying. A password account is offered the password line at once (and again on
//! `reconnect`); an OAuth2 account is offered a sign-in in the browser on `reconnect` (run by
//! the main loop off the UI thread), after which the reconnect reads the new tokens. Once
//! logged in, what the refused start could not load is asked for again.

#[derive(Debug, Default)]
pub struct Login {
    refused: bool,
    /// The account signs in with OAuth2: a password line would be no use.
    oauth2: bool,
    /// The user asked to sign in; the main loop has not started it yet.
    sign_in_wanted: bool,
    /// A sign-in is under way in the browser.
    signing_in: bool,
}

impl Login {
    pub fn is_refused(&self) -> bool {
        self.refused
    }

    /// Whether a refusal is mended by asking for the password (else by signing in).
    pub fn wants_password(&self) -> bool {
        !self.oauth2
    }

    pub fn is_signing_in(&self) -> bool {
        self.signing_in
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

    /// Asks for a sign-in, unless one is under way already (its browser tab is still open).
    pub(crate) fn want_sign_in(&mut self) -> bool {
        let fresh = !self.signing_in;
        self.sign_in_wanted |= fresh;
        fresh
    }

    /// Whether to start a sign-in now; from then on it is under way.
    pub(crate) fn take_sign_in(&mut self) -> bool {
        let wanted = std::mem::take(&mut self.sign_in_wanted);
        self.signing_in |= wanted;
        wanted
    }

    pub(crate) fn sign_in_ended(&mut self) {
        self.signing_in = false;
    }
}
