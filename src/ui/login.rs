//! A refused login: the server said no to the password, so the worker waits for the user
//! instead of retrying. The password line is offered at once (and again on `reconnect`);
//! once logged in, what the refused start could not load is asked for again.

#[derive(Debug, Default)]
pub struct Login {
    refused: bool,
}

impl Login {
    pub fn is_refused(&self) -> bool {
        self.refused
    }

    pub(crate) fn refuse(&mut self) {
        self.refused = true;
    }

    /// Logged in; true when that ends a refusal.
    pub(crate) fn take_refused(&mut self) -> bool {
        std::mem::take(&mut self.refused)
    }
}
