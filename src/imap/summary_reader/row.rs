//! The row builder: a parsed FETCH response into a [`Summary`], and the rows of one reply
//! into the list.

use std::borrow::Cow;
use std::cmp::Reverse;

use crate::mime::list_fields::ListFields;
use crate::msg::Summary;

use super::date::internal_date;
use super::parser::{Fetch, Str};

/// One row and what its FETCH response carried, for merging answers about one message.
pub(super) struct Row {
    summary: Summary,
    /// It had the header fields: a full row, not a flag update.
    full: bool,
    has_flags: bool,
}

/// Newest first, one row per UID. A server may answer twice for one message (a flag change
/// arriving during the fetch): the full row stays, with the flags the server sent last.
pub(super) fn list(mut rows: Vec<Row>) -> Vec<Summary> {
    // Servers answer in ascending UID order, one response a message: reversed, that is the
    // order wanted, without the stable sort's scratch copy of every row.
    if rows.windows(2).all(|w| w[0].summary.uid < w[1].summary.uid) {
        rows.reverse();
        return rows.into_iter().map(|r| r.summary).collect();
    }
    // Stable, so answers about one message stay in arrival order.
    rows.sort_by_key(|r| Reverse(r.summary.uid));
    rows.dedup_by(|later, kept| {
        if later.summary.uid != kept.summary.uid {
            return false;
        }
        let flags = if later.has_flags {
            later.summary.flags
        } else {
            kept.summary.flags
        };
        if later.full && !kept.full {
            std::mem::swap(&mut kept.summary, &mut later.summary);
            kept.full = true;
        }
        kept.summary.flags = flags;
        kept.has_flags |= later.has_flags;
        true
    });
    rows.into_iter().map(|r| r.summary).collect()
}

impl Fetch<'_> {
    /// The row, as `messages::summaries_from` makes it from the crate's parse; none without UID.
    /// `scratch` is a buffer for the addresses' display forms.
    pub(super) fn row(&self, scratch: &mut String) -> Option<Row> {
        let uid = self.uid?;
        let received = self
            .date
            .as_ref()
            .map_or((0, 0), |d| internal_date(&unescape(d)));
        let header = self.header.as_ref().map(unescape);
        let fields = header.as_deref().map(ListFields::read).unwrap_or_default();
        Some(Row {
            summary: Summary::from_fields(
                uid,
                self.flags.unwrap_or_default(),
                received,
                self.size.unwrap_or(0),
                &fields,
                scratch,
            ),
            full: self.header.is_some(),
            has_flags: self.flags.is_some(),
        })
    }
}

fn unescape<'a>(s: &Str<'a>) -> Cow<'a, [u8]> {
    if !s.escaped {
        return Cow::Borrowed(s.bytes);
    }
    let mut out = Vec::with_capacity(s.bytes.len());
    let mut bytes = s.bytes.iter();
    while let Some(&c) = bytes.next() {
        match c {
            b'\\' => out.extend(bytes.next()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}
