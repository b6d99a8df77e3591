//! A sync's row chunks held back while a frame is held, and applied as one before the next
//! frame: placing a chunk in the sorted list is a pass over the whole list (100 000 rows for
//! a chunk of 1 000), so a hundred chunks applied one by one were a tenth of a cold sync's CPU.
//! Only `Summaries` of one folder follow each other here; anything else comes after what is
//! held, so events keep their order.

use super::workers::Tagged;
use crate::msg::Event;

#[derive(Debug, Default)]
pub struct Batch {
    held: Option<Tagged>,
}

impl Batch {
    /// Takes `ev` into the held chunk when it continues it (the same account, folder and
    /// UIDVALIDITY, no UID of it held already); otherwise returns what is held (first) and
    /// `ev`, to be applied now in that order.
    pub fn hold(&mut self, ev: Tagged) -> Vec<Tagged> {
        if !matches!(ev.1, Some(Event::Summaries { .. })) {
            return self.held.take().into_iter().chain([ev]).collect();
        }
        match &mut self.held {
            Some(held) if continues(held, &ev) => {
                if let (
                    Some(Event::Summaries { chunk, .. }),
                    Some(Event::Summaries { chunk: more, .. }),
                ) = (&mut held.1, ev.1)
                {
                    chunk.extend(more);
                }
                Vec::new()
            }
            _ => self.held.replace(ev).into_iter().collect(),
        }
    }

    /// What is held, to be applied before anything else reads the list.
    pub fn take(&mut self) -> Option<Tagged> {
        self.held.take()
    }
}

/// Whether `ev`'s rows may join `held`'s.
fn continues(held: &Tagged, ev: &Tagged) -> bool {
    let (
        (
            account,
            Some(Event::Summaries {
                folder,
                uid_validity,
                chunk,
            }),
        ),
        (
            next_account,
            Some(Event::Summaries {
                folder: f,
                uid_validity: uv,
                chunk: more,
            }),
        ),
    ) = (held, ev)
    else {
        return false;
    };
    // A UID in both (a first screen sent again with its sizes) is applied in two steps, as
    // it came: the later row replaces the earlier.
    let overlaps = || {
        let mut held: Vec<_> = chunk.iter().map(|s| s.uid).collect();
        held.sort_unstable();
        more.iter().any(|s| held.binary_search(&s.uid).is_ok())
    };
    account == next_account && folder == f && uid_validity == uv && !overlaps()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::{Folder, Summary, Uid};
    use crate::test_fixtures;
    use crate::ui::accounts::AccountId;

    fn rows(account: usize, folder: &str, uv: u32, uids: &[Uid]) -> Tagged {
        let chunk: Vec<Summary> = uids
            .iter()
            .map(|&u| test_fixtures::summary(u, "a@x", "s"))
            .collect();
        (
            AccountId(account),
            Some(Event::Summaries {
                folder: Folder::named(folder),
                uid_validity: uv,
                chunk,
            }),
        )
    }

    fn uids(ev: &Tagged) -> Vec<Uid> {
        match &ev.1 {
            Some(Event::Summaries { chunk, .. }) => chunk.iter().map(|s| s.uid).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn chunks_of_one_sync_are_applied_as_one_in_order() {
        let mut b = Batch::default();
        assert!(b.hold(rows(0, "INBOX", 1, &[9, 8])).is_empty());
        assert!(b.hold(rows(0, "INBOX", 1, &[7, 6])).is_empty());
        let held = b.take().unwrap();
        assert_eq!(uids(&held), [9, 8, 7, 6]);
        assert!(b.take().is_none());
    }

    #[test]
    fn anything_else_comes_after_what_is_held() {
        let mut b = Batch::default();
        b.hold(rows(0, "INBOX", 1, &[9]));
        let due = b.hold((AccountId(0), Some(Event::Done { req: 1 })));
        assert_eq!(due.len(), 2);
        assert_eq!(uids(&due[0]), [9]);
        assert!(matches!(due[1].1, Some(Event::Done { req: 1 })));
        assert!(b.take().is_none());
        // Nothing held: the event is applied at once.
        assert_eq!(b.hold((AccountId(0), None)).len(), 1);
    }

    #[test]
    fn another_folder_account_uidvalidity_or_a_uid_again_starts_a_new_chunk() {
        for other in [
            rows(1, "INBOX", 1, &[7]),
            rows(0, "Sent", 1, &[7]),
            rows(0, "INBOX", 2, &[7]),
            rows(0, "INBOX", 1, &[8, 7]),
        ] {
            let mut b = Batch::default();
            b.hold(rows(0, "INBOX", 1, &[9, 8]));
            let due = b.hold(other.clone());
            assert_eq!(due.len(), 1, "{other:?}");
            assert_eq!(uids(&due[0]), [9, 8]);
            assert_eq!(b.take().map(|h| uids(&h)), Some(uids(&other)));
        }
    }
}
