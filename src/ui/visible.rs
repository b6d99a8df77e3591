//! Rows coming into view before their summaries: asked for ahead of the sync's own order, so
//! End, a page far down, a click or a search hit during a cold sync shows mail at once rather
//! than `loading…` until the background fetch gets there. Each UID is asked for once per
//! folder; the answer is an ordinary `Summaries` event.

use std::collections::HashSet;

use crate::model::Mailbox;
use crate::msg::{Cmd, Folder, Uid};
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
}

impl Visible {
    /// Forgets what was asked for when `mb` is another folder (or UIDVALIDITY) than before.
    fn follow(&mut self, mb: &Mailbox) {
        let key = (mb.folder.clone(), mb.uid_validity);
        if self.folder.as_ref() != Some(&key) {
            self.asked.clear();
            self.asked_oldest = false;
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
        Some(Cmd::FetchOldest {
            folder: mb.folder.clone(),
            count: u32::try_from(count.max(1)).unwrap_or(u32::MAX),
        })
    }
}

impl App {
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
    use crate::msg::Event;
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
