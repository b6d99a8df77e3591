//! Rows coming into view before their summaries: asked for ahead of the sync's own order, so
//! End, a page far down, a click or a search hit during a cold sync shows mail at once rather
//! than `loading…` until the background fetch gets there. Each UID is asked for once per
//! folder; the answer is an ordinary `Summaries` event.

use std::collections::HashSet;

use crate::model::Mailbox;
use crate::msg::{Cmd, Event, Folder, Summary, Uid};
use crate::ui::accounts::AccountId;
use crate::ui::app::App;
use crate::ui::rows;

#[derive(Debug, Default)]
pub(crate) struct Visible {
    /// The folder (and UIDVALIDITY) the UIDs below belong to.
    folder: Option<(Folder, u32)>,
    asked: HashSet<Uid>,
    /// The oldest screenful was asked for by sequence number (End before the UIDs were
    /// listed).
    asked_oldest: bool,
    /// What the user waits for and has not come yet: rows asked for, and End's oldest
    /// screenful. The frame bringing them is drawn at once, not paced like a sync's.
    pending: HashSet<Uid>,
    oldest_pending: bool,
}

impl Visible {
    /// Forgets what was asked for when `mb` is another folder (or UIDVALIDITY) than before.
    fn follow(&mut self, mb: &Mailbox) {
        let key = (mb.folder.clone(), mb.uid_validity);
        if self.folder.as_ref() != Some(&key) {
            self.asked.clear();
            self.asked_oldest = false;
            self.pending.clear();
            self.oldest_pending = false;
            self.folder = Some(key);
        }
    }

    /// The command fetching the rows of `window` that `mb` has no summary for and that were
    /// not asked for yet.
    fn wanted(&mut self, mb: &Mailbox, window: &[Uid]) -> Option<Cmd> {
        self.follow(mb);
        // Once synced, the only rows without summaries are arrivals the worker fetches itself.
        if mb.synced {
            return None;
        }
        let uids: Vec<Uid> = window
            .iter()
            .copied()
            .filter(|u| !mb.summaries.contains_key(u) && self.asked.insert(*u))
            .collect();
        self.pending.extend(uids.iter().copied());
        (!uids.is_empty()).then(|| Cmd::FetchVisible {
            folder: mb.folder.clone(),
            uids,
        })
    }

    /// End before `mb`'s UIDs are listed: the command fetching its oldest `count` rows, once
    /// per folder.
    fn oldest(&mut self, mb: &Mailbox, count: usize) -> Option<Cmd> {
        self.follow(mb);
        if mb.listed || self.asked_oldest {
            return None;
        }
        self.asked_oldest = true;
        self.oldest_pending = true;
        Some(Cmd::FetchOldest {
            folder: mb.folder.clone(),
            count: u32::try_from(count.max(1)).unwrap_or(u32::MAX),
        })
    }

    /// Whether rows of `folder` that came (`chunk`) are ones the user waits for; they are
    /// not waited for any more. End's oldest screenful is the first rows to come after it.
    fn awaited(&mut self, folder: &Folder, chunk: &[Summary]) -> bool {
        if self.folder.as_ref().is_none_or(|(f, _)| f != folder) {
            return false;
        }
        let mut hit = std::mem::take(&mut self.oldest_pending);
        for s in chunk {
            hit |= self.pending.remove(&s.uid);
        }
        hit
    }
}

impl App {
    /// Whether worker event `ev` brings rows the user waits for on screen (asked for in view,
    /// or End's oldest): its frame is drawn at once rather than paced.
    pub fn brings_awaited(&mut self, account: AccountId, ev: Option<&Event>) -> bool {
        match ev {
            Some(Event::Summaries { folder, chunk, .. }) if account == self.open_account() => {
                self.visible.awaited(folder, chunk)
            }
            _ => false,
        }
    }

    /// End pressed before the open folder's UIDs are listed (a cold open): its oldest
    /// screenful, asked for at once rather than after the UID list.
    pub fn fetch_oldest(&mut self) -> Option<Cmd> {
        let mb = self.model.mailbox.as_ref()?;
        self.visible.oldest(mb, self.geometry.list_rows())
    }

    /// After a frame: the rows it showed still loading, for the worker to fetch next.
    pub fn fetch_visible(&mut self) -> Option<Cmd> {
        let mb = self.model.mailbox.as_ref()?;
        let rows = rows::listed(
            Some(mb),
            &self.search,
            &self.filter,
            &self.folds,
            &self.requests,
        );
        let start = self.list.offset().min(rows.len());
        let end = (start + self.geometry.list_rows()).min(rows.len());
        self.visible.wanted(mb, &rows[start..end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;
    use crate::test_fixtures;

    fn syncing(uids: Vec<Uid>, known: &[Uid]) -> Model {
        let mut m = Model::default();
        m.apply(Event::Selected {
            folder: Folder::named("INBOX"),
            uid_validity: 7,
            read_only: false,
            complete: true,
            uids,
        });
        m.apply(Event::Summaries {
            folder: Folder::named("INBOX"),
            uid_validity: 7,
            chunk: known
                .iter()
                .map(|&u| test_fixtures::summary(u, "a", "s"))
                .collect(),
        });
        m
    }

    fn asked(cmd: Option<Cmd>) -> Vec<Uid> {
        match cmd {
            Some(Cmd::FetchVisible { folder, uids }) => {
                assert_eq!(folder, Folder::named("INBOX"));
                uids
            }
            None => Vec::new(),
            Some(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn rows_in_view_without_summaries_are_asked_for_once() {
        let mut m = syncing((1..=10).rev().collect(), &[10, 9, 8]);
        let mut v = Visible::default();
        let mb = m.mailbox.as_ref().unwrap();
        assert_eq!(asked(v.wanted(mb, &[10, 9, 8])), Vec::<Uid>::new());
        assert_eq!(asked(v.wanted(mb, &[3, 2, 1])), vec![3, 2, 1]);
        assert_eq!(
            asked(v.wanted(mb, &[4, 3, 2])),
            vec![4],
            "2 and 3 are on their way"
        );
        m.apply(Event::SyncDone {
            folder: Folder::named("INBOX"),
        });
        let mb = m.mailbox.as_ref().unwrap();
        assert_eq!(asked(v.wanted(mb, &[7, 6])), Vec::<Uid>::new(), "synced");
    }

    #[test]
    fn rows_asked_for_are_awaited_until_they_come() {
        let m = syncing((1..=10).rev().collect(), &[10, 9, 8]);
        let mut v = Visible::default();
        let mb = m.mailbox.as_ref().unwrap();
        asked(v.wanted(mb, &[3, 2, 1]));
        let rows = |uids: &[Uid]| -> Vec<Summary> {
            uids.iter()
                .map(|&u| test_fixtures::summary(u, "a", "s"))
                .collect()
        };
        let inbox = Folder::named("INBOX");
        assert!(!v.awaited(&inbox, &rows(&[7, 6])), "a sync chunk");
        assert!(!v.awaited(&Folder::named("Other"), &rows(&[3])));
        assert!(v.awaited(&inbox, &rows(&[4, 3])));
        assert!(v.awaited(&inbox, &rows(&[2, 1])));
        assert!(!v.awaited(&inbox, &rows(&[2, 1])), "come already");
    }

    #[test]
    fn end_before_the_list_asks_for_the_oldest_once_and_awaits_it() {
        let mut m = syncing(vec![10, 9, 8], &[10, 9, 8]);
        m.mailbox.as_mut().unwrap().listed = false;
        let mut v = Visible::default();
        let mb = m.mailbox.as_ref().unwrap();
        match v.oldest(mb, 3) {
            Some(Cmd::FetchOldest { folder, count }) => {
                assert_eq!((folder, count), (Folder::named("INBOX"), 3));
            }
            other => panic!("{other:?}"),
        }
        assert!(v.oldest(mb, 3).is_none(), "asked once");
        let oldest = [test_fixtures::summary(1, "a", "s")];
        assert!(v.awaited(&Folder::named("INBOX"), &oldest));
        assert!(!v.awaited(&Folder::named("INBOX"), &oldest));
        m.mailbox.as_mut().unwrap().listed = true;
        let mut fresh = Visible::default();
        assert!(
            fresh.oldest(m.mailbox.as_ref().unwrap(), 3).is_none(),
            "listed: End goes to the last row, whose rows are asked for in view"
        );
    }

    #[test]
    fn another_folder_starts_afresh() {
        let m = syncing(vec![3, 2, 1], &[]);
        let mut v = Visible::default();
        assert_eq!(
            asked(v.wanted(m.mailbox.as_ref().unwrap(), &[2, 1])),
            vec![2, 1]
        );
        let mut again = syncing(vec![3, 2, 1], &[]);
        again.mailbox.as_mut().unwrap().uid_validity = 8;
        assert_eq!(
            asked(v.wanted(again.mailbox.as_ref().unwrap(), &[2, 1])),
            vec![2, 1],
            "a new UIDVALIDITY: the old UIDs mean other messages"
        );
    }
}
