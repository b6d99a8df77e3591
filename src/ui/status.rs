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
}

impl Status {
    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }

    pub fn has_error(&self) -> bool {
        self.notice.as_ref().is_some_and(|n| n.error)
    }

    pub(crate) fn say(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice::info(text));
    }

    pub(crate) fn complain(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice::error(text));
    }

    pub(crate) fn show(&mut self, notice: Notice) {
        self.notice = Some(notice);
    }

    /// The user did something: the notice has been seen.
    pub(crate) fn clear(&mut self) {
        self.notice = None;
    }
}
