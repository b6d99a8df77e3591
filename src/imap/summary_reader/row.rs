//! The row builder: a parsed FETCH response into a [`Summary`], and the rows of one reply
//! into the list.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::sync::Arc;

use crate::mime::headers::decode_text;
use crate::msg::{HeaderFacts, Summary};

use super::date::internal_date;
use super::parser::{Address, Envelope, Fetch, Str};

/// One row and what its FETCH response carried, for merging answers about one message.
pub(super) struct Row {
    summary: Summary,
    /// It had an ENVELOPE: a full row, not a flag update.
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
        let (date, date_offset) = self
            .date
            .as_ref()
            .map_or((0, 0), |d| internal_date(&unescape(d)));
        let env = self.envelope.as_ref();
        let mut address = |a: Option<&Address>| {
            scratch.clear();
            a.inspect(|a| display(a, scratch));
            Arc::from(scratch.as_str())
        };
        Some(Row {
            summary: Summary {
                uid,
                flags: self.flags.unwrap_or_default(),
                date,
                date_offset,
                size: self.size.unwrap_or(0),
                from: address(env.and_then(|e| e.from.as_ref())),
                to: address(env.and_then(|e| e.to.as_ref())),
                subject: env
                    .and_then(|e| e.subject.as_ref())
                    .map_or(Cow::Borrowed(""), decoded)
                    .into(),
                header: facts(env, self.header.as_ref()),
            },
            full: env.is_some(),
            has_flags: self.flags.is_some(),
        })
    }
}

/// The Date, ids and attachment bit from the envelope and the header fields.
fn facts(env: Option<&Envelope>, header: Option<&Str>) -> HeaderFacts {
    let date = env.and_then(|e| e.date.as_ref()).map(unescape);
    let message_id = env.and_then(|e| e.message_id.as_ref()).map(unescape);
    let in_reply_to = env.and_then(|e| e.in_reply_to.as_ref()).map(unescape);
    let header = header.map(unescape);
    HeaderFacts::from_envelope(
        date.as_deref(),
        message_id.as_deref(),
        in_reply_to.as_deref(),
        header.as_deref().unwrap_or_default(),
    )
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
/// Header text: RFC 2047 words decoded.
fn decoded<'a>(s: &Str<'a>) -> Cow<'a, str> {
    match unescape(s) {
        Cow::Borrowed(b) => decode_text(b),
        Cow::Owned(v) => Cow::Owned(decode_text(&v).into_owned()),
    }
}

fn lossy<'a>(s: &Str<'a>) -> Cow<'a, str> {
    match unescape(s) {
        Cow::Borrowed(b) => String::from_utf8_lossy(b),
        Cow::Owned(v) => Cow::Owned(String::from_utf8_lossy(&v).into_owned()),
    }
}

/// `Name <mailbox@host>`, or whichever part there is, appended to `out`: the caller keeps
/// one buffer for every row, so the shared copy it makes is the row's only allocation.
fn display<'a>(a: &Address<'a>, out: &mut String) {
    let text = |s: Option<&Str<'a>>| s.map_or(Cow::Borrowed(""), lossy);
    let (mailbox, host) = (text(a.mailbox.as_ref()), text(a.host.as_ref()));
    let name = a.name.as_ref().map_or(Cow::Borrowed(""), decoded);
    let shown = name.trim();
    if mailbox.is_empty() {
        if !shown.is_empty() {
            out.push_str(&name);
        }
        return;
    }
    if !shown.is_empty() {
        out.push_str(shown);
        out.push_str(" <");
    }
    out.push_str(&mailbox);
    if !host.is_empty() {
        out.push('@');
        out.push_str(&host);
    }
    if !shown.is_empty() {
        out.push('>');
    }
}
