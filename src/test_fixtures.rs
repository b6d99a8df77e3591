//! Builders shared by the unit tests (the integration tests have theirs in tests/support; the
//! MIME fixtures live in `mime::test_support`, which `msg` would otherwise reach in a cycle).

use crate::msg::{Flags, HeaderFacts, Summary, Uid};

/// An unflagged message to bob with no date and no size: each test overrides the fields it
/// is about with `Summary { date: …, ..summary(uid, from, subject) }`.
pub(crate) fn summary(uid: Uid, from: &str, subject: &str) -> Summary {
    Summary {
        uid,
        flags: Flags::NONE,
        date: 0,
        date_offset: 0,
        size: 0,
        from: from.into(),
        to: "bob@example.org".into(),
        subject: subject.into(),
        header: HeaderFacts::default(),
    }
}
