//! [`SummaryRef`]: one list row borrowed, whether it is an owned [`Summary`] or a row of the
//! model's compact store. Readers use it the way they used `&Summary`: the same field names
//! and methods.

use super::facts::FactsRef;
use super::{Flags, Summary, Uid};

/// One row, borrowed. `Copy`, and small enough to pass by value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SummaryRef<'a> {
    pub uid: Uid,
    pub flags: Flags,
    /// INTERNALDATE as seconds since the epoch, with the server's UTC offset in seconds.
    pub date: i64,
    pub date_offset: i32,
    pub size: u32,
    pub from: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub header: FactsRef<'a>,
}

impl<'a> SummaryRef<'a> {
    /// When the message was sent: its Date header, or INTERNALDATE when it has none that
    /// parses. Seconds since the epoch and UTC offset in seconds.
    pub fn sent(&self) -> (i64, i32) {
        self.header.sent().unwrap_or((self.date, self.date_offset))
    }

    /// Whether the list marks the message `@`.
    pub fn has_attachment(&self) -> bool {
        self.header.has_attachment()
    }
}

impl<'a> From<&'a Summary> for SummaryRef<'a> {
    fn from(s: &'a Summary) -> SummaryRef<'a> {
        SummaryRef {
            uid: s.uid,
            flags: s.flags,
            date: s.date,
            date_offset: s.date_offset,
            size: s.size,
            from: &s.from,
            to: &s.to,
            subject: &s.subject,
            header: s.header.view(),
        }
    }
}
