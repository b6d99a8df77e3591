//! Sorting the open folder anew: the sort on a helper thread ([`SortJob`]) and taking its
//! result. Until it lands the list keeps its order, and new mail is placed in that order.

use super::job::{Changes, Stamp};
use super::sort::SortOrder;
use super::sort_job::{SortJob, Sorted};
use super::{Known, Mailbox, Model};
use crate::msg::Uid;

/// A sort under way: the order it sorts in, and what changed since it started.
#[derive(Debug)]
pub(super) struct Sorting {
    pub(super) order: SortOrder,
    pub(super) changes: Changes,
}

impl Model {
    /// Lists the open folder in `order` once the returned job, copied ([`Model::copy_sort`])
    /// and run on another thread, has sorted it ([`Model::sorted`]); until then it is listed
    /// as before. Remembered as the folder's order at once. A sort started before is dropped:
    /// the newest wins.
    pub fn start_sort(&mut self, order: SortOrder) -> Option<SortJob> {
        let mb = self.mailbox.as_mut()?;
        self.views.entry(mb.folder.clone()).or_default().order = order;
        let (stamp, changes) = Stamp::new(mb.folder.clone());
        mb.sorting = Some(Sorting { order, changes });
        Some(SortJob::new(
            stamp,
            order,
            mb.uids.clone(),
            mb.arrivals.clone(),
            &mb.summaries,
        ))
    }

    /// Copies up to `max` more messages into `job`: Some(true) once it can run, None when it
    /// is stale (another folder, or another sort since).
    pub fn copy_sort(&self, job: &mut SortJob, max: usize) -> Option<bool> {
        let mb = self.mailbox.as_ref()?;
        let current = job.stamp.is_current(&mb.folder, mb.sorting_changes());
        current.then(|| job.copy(&mb.summaries, max))
    }

    /// The list a [`SortJob`] sorted: the folder is listed in its order from now on, with the
    /// messages that came, changed or went meanwhile put in their place. False when the sort
    /// is stale (another folder, or another sort since).
    pub fn sorted(&mut self, sorted: Sorted) -> bool {
        let Some(mb) = self.mailbox.as_mut() else {
            return false;
        };
        if !sorted.stamp.is_current(&mb.folder, mb.sorting_changes()) {
            return false;
        }
        let Some(s) = mb.sorting.take() else {
            return false;
        };
        mb.take_sorted(sorted.order, sorted.uids, s.changes);
        mb.generation += 1;
        true
    }
}

impl Mailbox {
    /// The order the folder is listed in, or will be once a sort under way lands.
    pub fn wanted_order(&self) -> SortOrder {
        self.sorting.as_ref().map_or(self.order, |s| s.order)
    }

    fn sorting_changes(&self) -> Option<&Changes> {
        self.sorting.as_ref().map(|s| &s.changes)
    }

    /// Notes messages that came or whose summary or flags changed, for a sort or a gather
    /// under way.
    pub(super) fn note_moved(&mut self, uids: &[Uid]) {
        if let Some(s) = self.sorting.as_mut() {
            s.changes.moved.extend_from_slice(uids);
        }
        if let Some(c) = self.gathering_changes() {
            c.moved.extend_from_slice(uids);
        }
    }

    /// Notes messages that went, for a sort or a gather under way.
    pub(super) fn note_removed(&mut self, uids: &[Uid]) {
        if let Some(s) = self.sorting.as_mut() {
            s.changes.removed.extend_from_slice(uids);
        }
        if let Some(c) = self.gathering_changes() {
            c.removed.extend_from_slice(uids);
        }
    }

    /// The order of a sort under way, taken at once: the list is about to be sorted whole
    /// anyway (a cold open's full list came), and the job's snapshot no longer holds it.
    pub(super) fn sort_now(&mut self) {
        if let Some(s) = self.sorting.take() {
            self.order = s.order;
        }
    }

    /// Lists `uids` (the list as it was when the sort started, in `order`) with `changes` put
    /// in: rows gone dropped, rows that came or changed placed. The search hits follow the
    /// list.
    fn take_sorted(&mut self, order: SortOrder, mut uids: Vec<Uid>, changes: Changes) {
        let removed: foldhash::HashSet<Uid> = changes.removed.iter().copied().collect();
        let moved: foldhash::HashSet<Uid> = changes.moved.iter().copied().collect();
        if !removed.is_empty() || !moved.is_empty() {
            uids.retain(|u| !removed.contains(u) && !moved.contains(u));
        }
        // Those that moved and are still listed, each once.
        let back: Vec<Uid> = if moved.is_empty() {
            Vec::new()
        } else {
            self.uids
                .iter()
                .copied()
                .filter(|u| moved.contains(u))
                .collect()
        };
        let rows = Known(&self.summaries, &self.arrivals);
        if !back.is_empty() {
            uids.extend_from_slice(&back);
            order.place(&mut uids, &back, rows);
        }
        if let Some(hits) = self.search.as_mut() {
            let wanted: foldhash::HashSet<Uid> = hits.iter().copied().collect();
            let mut ordered: Vec<Uid> = uids
                .iter()
                .copied()
                .filter(|u| wanted.contains(u))
                .collect();
            // A hit the list does not hold (yet) is placed among the others.
            if ordered.len() < wanted.len() {
                let listed: foldhash::HashSet<Uid> = ordered.iter().copied().collect();
                let extra: Vec<Uid> = wanted.difference(&listed).copied().collect();
                ordered.extend_from_slice(&extra);
                order.place(&mut ordered, &extra, rows);
            }
            *hits = ordered;
        }
        self.uids = uids;
        self.order = order;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::{Event, Flag, Flags, Folder, Summary};
    use crate::test_fixtures::summary;

    fn inbox() -> Folder {
        Folder::named("INBOX")
    }

    /// Subjects that sort apart from UIDs: 1 "e", 2 "d", … 5 "a".
    fn row(uid: Uid) -> Summary {
        let subject = char::from(b'a' + (5 - uid as u8) % 26).to_string();
        summary(uid, "x@y", &format!("Re: {subject}"))
    }

    /// INBOX with UIDs 1 … 5 listed newest first, their summaries loaded.
    fn model() -> Model {
        let mut m = Model::default();
        select(&mut m, inbox(), vec![5, 4, 3, 2, 1]);
        m.apply(Event::Summaries {
            folder: inbox(),
            uid_validity: 7,
            chunk: (1..=5).map(row).collect(),
        });
        m
    }

    fn select(m: &mut Model, folder: Folder, uids: Vec<Uid>) {
        m.apply(Event::Selected {
            folder,
            uid_validity: 7,
            read_only: false,
            complete: true,
            uids,
        });
    }

    fn listed(m: &Model) -> Vec<Uid> {
        m.mailbox.as_ref().unwrap().uids.clone()
    }

    fn order(words: &str) -> SortOrder {
        words.parse().unwrap()
    }

    /// Copies the whole job at once and runs it here.
    fn run(m: &Model, mut job: SortJob) -> Option<Sorted> {
        m.copy_sort(&mut job, usize::MAX)?;
        Some(job.run())
    }

    #[test]
    fn the_list_keeps_its_order_until_the_sort_lands() {
        let mut m = model();
        let mut job = m.start_sort(order("subject")).unwrap();
        assert_eq!(
            m.view().unwrap().order,
            order("subject"),
            "remembered at once"
        );
        assert_eq!(listed(&m), [5, 4, 3, 2, 1], "not sorted yet");
        assert_eq!(m.copy_sort(&mut job, 2), Some(false), "a slice at a time");
        assert_eq!(m.copy_sort(&mut job, 3), Some(true));
        assert!(m.sorted(job.run()));
        assert_eq!(listed(&m), [5, 4, 3, 2, 1], "a … e");
        let job = m.start_sort(order("subject reverse")).unwrap();
        let sorted = run(&m, job).unwrap();
        assert!(m.sorted(sorted));
        assert_eq!(listed(&m), [1, 2, 3, 4, 5]);
        assert_eq!(m.mailbox.as_ref().unwrap().order, order("subject reverse"));
    }

    #[test]
    fn the_newest_sort_wins() {
        let mut m = model();
        let mut first = m.start_sort(order("subject reverse")).unwrap();
        let second = m.start_sort(order("arrival reverse")).unwrap();
        assert_eq!(m.copy_sort(&mut first, 10), None, "stale at once");
        let late = first.run();
        let sorted = run(&m, second).unwrap();
        assert!(m.sorted(sorted));
        assert!(
            !m.sorted(late),
            "the earlier sort, landing late, is dropped"
        );
        assert_eq!(listed(&m), [1, 2, 3, 4, 5]);
        assert_eq!(m.view().unwrap().order, order("arrival reverse"));
    }

    #[test]
    fn mail_that_comes_changes_or_goes_meanwhile_is_put_in_its_place() {
        let mut m = model();
        m.apply(Event::SearchResult {
            req: 1,
            folder: inbox(),
            uids: vec![1, 3, 4],
        });
        let mut job = m.start_sort(order("unread subject")).unwrap();
        assert_eq!(m.copy_sort(&mut job, 3), Some(false));
        // Between frames: 6 ("Re: c0", between 3 and 2) arrives, 4 is read, 2 is expunged.
        m.apply(Event::Arrived {
            folder: inbox(),
            uid_validity: 7,
            uids: vec![6],
        });
        m.apply(Event::Summaries {
            folder: inbox(),
            uid_validity: 7,
            chunk: vec![summary(6, "x@y", "c0")],
        });
        m.apply(Event::FlagsChanged {
            folder: inbox(),
            changes: vec![(4, Flags::from(Flag::Seen))],
        });
        m.apply(Event::Expunged {
            req: None,
            folder: inbox(),
            uids: vec![2],
        });
        assert_eq!(m.copy_sort(&mut job, 10), Some(true));
        assert!(m.sorted(job.run()));
        assert_eq!(
            listed(&m),
            [5, 3, 6, 1, 4],
            "unread a, c, c0, e; then read b"
        );
        let mb = m.mailbox.as_ref().unwrap();
        assert_eq!(
            mb.search.as_deref(),
            Some(&[3, 1, 4][..]),
            "hits in the new order"
        );
    }

    #[test]
    fn another_folder_drops_the_sort() {
        let mut m = model();
        let job = m.start_sort(order("subject reverse")).unwrap();
        let sorted = job.run();
        select(&mut m, Folder::named("Archive"), vec![2, 1]);
        assert!(!m.sorted(sorted));
        assert_eq!(listed(&m), [2, 1]);
        // A sort of Archive, and INBOX opened again before its copy is done.
        let mut job = m.start_sort(order("size")).unwrap();
        select(&mut m, inbox(), vec![5, 4, 3, 2, 1]);
        assert_eq!(m.copy_sort(&mut job, 10), None, "another folder is open");
        assert_eq!(
            m.view().unwrap().order,
            order("subject reverse"),
            "INBOX is listed as last asked"
        );
    }
}
