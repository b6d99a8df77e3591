//! What tern itself says on the status line (not the connection): the latest notice, shown
//! until the next key.

/// A line for the status bar from tern itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Notice {
        Notice {
            text: text.into(),
            error: false,
        }
    }

    pub fn error(text: impl Into<String>) -> Notice {
        Notice {
            text: text.into(),
            error: true,
        }
    }
}

#[derive(Debug, Default)]
pub struct Status {
    notice: Option<Notice>,
    /// The notice is why the connection was lost: it goes once connected again.
    about_connection: bool,
}

impl Status {
    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }

    pub fn has_error(&self) -> bool {
        self.notice.as_ref().is_some_and(|n| n.error)
    }

    pub(crate) fn say(&mut self, text: impl Into<String>) {
        self.show(Notice::info(text));
    }

    pub(crate) fn complain(&mut self, text: impl Into<String>) {
        self.show(Notice::error(text));
    }

    pub(crate) fn show(&mut self, notice: Notice) {
        self.notice = Some(notice);
        self.about_connection = false;
    }

    /// A notice about the connection (lost, logging in), which connecting again ends.
    pub(crate) fn about_connection(&mut self, notice: Notice) {
        self.show(notice);
        self.about_connection = true;
    }

    /// Connected again: the reason it was lost is old news, anything said since is not.
    pub(crate) fn connected(&mut self) {
        if self.about_connection {
            self.clear();
        }
    }

    /// The user did something: the notice has been seen.
    pub(crate) fn clear(&mut self) {
        self.notice = None;
        self.about_connection = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnecting_clears_only_the_reason_it_was_lost() {
        let mut s = Status::default();
        s.about_connection(Notice::error("Offline: connection reset"));
        s.connected();
        assert_eq!(s.notice(), None);
        s.about_connection(Notice::error("Offline: connection reset"));
        s.complain("Could not fetch part 2");
        s.connected();
        assert_eq!(
            s.notice().map(|n| n.text.as_str()),
            Some("Could not fetch part 2")
        );
    }
}
