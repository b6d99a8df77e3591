//! Opening and leaving All inboxes, and acting on its rows. Everything done to a row is done
//! by its own account: its state is opened for the moment ([`App::as_account`]), the usual
//! triage code makes the request for its INBOX by UID, and the commands go to its worker.
//! Reading a row opens its account for good, so the reader fetches from that account.

use crate::model::{Mailbox, Model};
use crate::msg::{Cmd, Flag, FlagChange, Flags, Folder, Uid};
use crate::ui::accounts::AccountId;
use crate::ui::action::Action;
use crate::ui::app::{App, FIRST_SCREEN_MARGIN};
use crate::ui::inboxes::{InboxKey, Inboxes, by_account, merge};
use crate::ui::layout::Pane;
use crate::ui::picker::{Dest, Picker};
use crate::ui::triage::{Across, Origin, Transfer, count};

/// The INBOX of a folder list: named so by IMAP, whatever the case.
fn inbox_of(model: &Model) -> Folder {
    model
        .folders
        .iter()
        .find(|f| f.folder.name().eq_ignore_ascii_case("INBOX"))
        .map_or_else(|| Folder::named("INBOX"), |f| f.folder.clone())
}

fn is_inbox(mb: &Mailbox) -> bool {
    mb.folder.name().eq_ignore_ascii_case("INBOX")
}

impl App {
    pub fn inboxes(&self) -> &Inboxes {
        &self.inboxes
    }

    /// `account`'s model, wherever its state is.
    pub fn model_of(&self, account: AccountId) -> Option<&Model> {
        self.accounts
            .sections(&self.model)
            .into_iter()
            .find(|s| s.account == account)
            .map(|s| s.model)
    }

    /// `account`'s INBOX, if it is open in its model.
    pub fn inbox(&self, account: AccountId) -> Option<&Mailbox> {
        self.model_of(account)?
            .mailbox
            .as_ref()
            .filter(|m| is_inbox(m))
    }

    /// The rows of All inboxes, newest first.
    pub fn inbox_rows(&self) -> Vec<InboxKey> {
        let sections = self.accounts.sections(&self.model);
        let hidden: Vec<_> = sections
            .iter()
            .filter_map(|s| {
                let mb = s.model.mailbox.as_ref().filter(|m| is_inbox(m))?;
                Some((
                    s.account,
                    mb,
                    self.requests.hidden_in(s.account, &mb.folder),
                ))
            })
            .collect();
        let sources: Vec<_> = hidden.iter().map(|(a, mb, h)| (*a, *mb, h)).collect();
        merge(&sources)
    }

    /// A row's flags as the user should see them (with changes in flight).
    pub fn inbox_flags(&self, key: InboxKey) -> Option<Flags> {
        let mb = self.inbox(key.account)?;
        self.requests.flags_in(key.account, mb, key.uid)
    }

    /// Opens All inboxes: every account's worker opens its INBOX, whose rows its model keeps
    /// while the list shows.
    pub(crate) fn open_all_inboxes(&mut self) -> Vec<Cmd> {
        if self.accounts.len() < 2 {
            self.status.say("All inboxes needs two accounts or more");
            return Vec::new();
        }
        self.close_reader();
        self.clear_search();
        self.filter.reset();
        self.inboxes.enter();
        self.focus = Pane::List;
        let first_screen = self.geometry.list_rows().max(1) + FIRST_SCREEN_MARGIN;
        let mut cmds = Vec::new();
        for i in 0..self.accounts.len() {
            let account = AccountId(i);
            let Some(model) = self.model_of(account) else {
                continue;
            };
            if model.mailbox.as_ref().is_some_and(is_inbox) {
                continue;
            }
            let select = Cmd::Select {
                folder: inbox_of(model),
                read_only: false,
                first_screen,
            };
            if account == self.accounts.open() {
                cmds.push(select);
            } else {
                self.routed.push((account, select));
            }
        }
        cmds
    }

    /// Back to one folder: the parked accounts forget their INBOX rows.
    pub(crate) fn leave_all_inboxes(&mut self) {
        if self.inboxes.is_active() {
            self.inboxes.leave();
            self.accounts.forget_mailboxes();
        }
    }

    /// An action while All inboxes shows; None for those that work as anywhere else.
    pub(crate) fn inbox_act(&mut self, action: Action, n: usize) -> Option<Vec<Cmd>> {
        if action == Action::Undo {
            return Some(self.undo_newest());
        }
        if self.focus != Pane::List {
            return None;
        }
        let rows = self.inbox_rows();
        self.inboxes.follow(&rows);
        let page = self.geometry.list_rows().max(1) as isize;
        let n = n as isize;
        match action {
            Action::Down => self.inboxes.move_by(&rows, n),
            Action::Up => self.inboxes.move_by(&rows, -n),
            Action::PageDown => self.inboxes.move_by(&rows, page),
            Action::PageUp => self.inboxes.move_by(&rows, -page),
            Action::Top => self.inboxes.move_by(&rows, isize::MIN / 2),
            Action::Bottom => self.inboxes.move_by(&rows, isize::MAX / 2),
            Action::Open => return Some(self.read_row()),
            Action::Tag => {
                if self.inboxes.toggle_tag() {
                    self.inboxes.move_by(&rows, 1);
                }
            }
            Action::UntagAll => {
                let n = self.inboxes.untag_all();
                self.status.say(format!("Untagged {}", count(n)));
            }
            Action::ToggleRead => self.toggle_rows(&rows, Flag::Seen),
            Action::ToggleFlag => self.toggle_rows(&rows, Flag::Flagged),
            Action::ToggleAnswered => self.toggle_rows(&rows, Flag::Answered),
            Action::Archive => self.each_account(&rows, App::archive_these),
            Action::Delete => self.each_account(&rows, App::delete_these),
            Action::Move => self.pick_for_rows(&rows, true),
            Action::Copy => self.pick_for_rows(&rows, false),
            Action::Threads
            | Action::Sort
            | Action::Filter
            | Action::Search
            | Action::TagPattern
            | Action::TagThread
            | Action::Collapse
            | Action::CollapseAll
            | Action::Expunge => self
                .status
                .complain("Not in All inboxes: open one account's INBOX for that"),
            _ => return None,
        }
        Some(Vec::new())
    }

    /// Reads the row under the cursor in its account, which is opened for it.
    fn read_row(&mut self) -> Vec<Cmd> {
        let Some(key) = self.inboxes.selected() else {
            return Vec::new();
        };
        if key.account != self.accounts.open() && !self.focus_account(key.account) {
            return Vec::new();
        }
        self.with_rows(|list, rows| list.select_or_first(rows, Some(key.uid)));
        if self.list.selected_uid() != Some(key.uid) {
            return Vec::new();
        }
        self.open_message()
    }

    /// Opens `account` without leaving All inboxes: its INBOX rows are already in its model,
    /// and the answers to the other accounts' requests still in flight are settled in their
    /// own state when they come.
    fn focus_account(&mut self, account: AccountId) -> bool {
        if self.accounts.parked_mut(account).is_none() {
            return false;
        }
        self.close_reader();
        let current = self.park_open();
        self.unpark(account, current)
    }

    /// Sets `flag` on every target, or clears it when all have it, each in its account.
    fn toggle_rows(&mut self, rows: &[InboxKey], flag: Flag) {
        let targets = self.inboxes.targets(rows);
        let has = |k: &InboxKey| self.inbox_flags(*k).is_some_and(|f| f.has(flag));
        let add = !targets.iter().all(has);
        let changing: Vec<InboxKey> = targets.iter().filter(|k| has(k) != add).copied().collect();
        for (account, uids) in by_account(&changing) {
            let Some(folder) = self.inbox(account).map(|m| m.folder.clone()) else {
                continue;
            };
            let change = FlagChange {
                folder,
                uids,
                add,
                flags: flag.into(),
            };
            let cmds = self
                .as_account(account, |app| app.requests.store(change, Origin::User))
                .unwrap_or_default();
            self.route(account, cmds);
        }
    }

    /// Runs `act` on the targets of each account, in that account.
    fn each_account(&mut self, rows: &[InboxKey], act: fn(&mut App, Folder, Vec<Uid>) -> Vec<Cmd>) {
        let targets = self.inboxes.targets(rows);
        if targets.is_empty() {
            self.status.say("No message selected");
        }
        for (account, uids) in by_account(&targets) {
            let Some(folder) = self.inbox(account).map(|m| m.folder.clone()) else {
                continue;
            };
            let cmds = self
                .as_account(account, |app| act(app, folder, uids))
                .unwrap_or_default();
            self.route(account, cmds);
        }
        let gone: Vec<InboxKey> = targets
            .into_iter()
            .filter(|k| self.inbox_flags(*k).is_none() || self.is_hidden(*k))
            .collect();
        self.inboxes.untag(&gone);
    }

    fn is_hidden(&self, key: InboxKey) -> bool {
        self.inbox(key.account).is_some_and(|mb| {
            self.requests
                .hidden_in(key.account, &mb.folder)
                .contains(&key.uid)
        })
    }

    /// The folder picker for the targets; the first one's account is where "other accounts"
    /// are counted from.
    fn pick_for_rows(&mut self, rows: &[InboxKey], remove: bool) {
        let targets = self.inboxes.targets(rows);
        let groups = by_account(&targets);
        let Some((first, uids)) = groups.first().cloned() else {
            self.status.say("No message selected");
            return;
        };
        let Some(folder) = self.inbox(first).map(|m| m.folder.clone()) else {
            return;
        };
        let sections = self.accounts.sections(&self.model);
        let picker = Picker::new(first, &sections, folder, uids, remove);
        self.overlays.set_picker(picker);
        self.inboxes.set_picking(groups);
    }

    /// `:move` / `:copy` in All inboxes: the targets, each from its account, to `dest`.
    pub(crate) fn transfer_rows(&mut self, dest: Dest, remove: bool) -> Vec<Cmd> {
        let rows = self.inbox_rows();
        self.inboxes.follow(&rows);
        let groups = by_account(&self.inboxes.targets(&rows));
        if groups.is_empty() {
            self.status.say("No message selected");
        }
        self.transfer_groups(groups, dest, remove);
        Vec::new()
    }

    /// Moves or copies each account's rows to `dest`: within the account, or across.
    pub(crate) fn transfer_groups(
        &mut self,
        groups: Vec<(AccountId, Vec<Uid>)>,
        dest: Dest,
        remove: bool,
    ) {
        for (account, uids) in groups {
            let Some(folder) = self.inbox(account).map(|m| m.folder.clone()) else {
                continue;
            };
            let to = (dest.account, dest.folder.clone());
            let cmds = self
                .as_account(account, |app| {
                    if to.0 == account {
                        app.transfer(Transfer {
                            folder,
                            uids,
                            dest: to.1,
                            remove,
                            origin: Origin::User,
                        })
                    } else {
                        let across = Across {
                            from: (account, folder),
                            to,
                            remove,
                            origin: Origin::User,
                            batch: crate::ui::triage::next_stamp(),
                        };
                        app.transfer_across(across, uids)
                    }
                })
                .unwrap_or_default();
            self.route(account, cmds);
        }
    }

    /// Undoes the newest action of any account, in that account.
    fn undo_newest(&mut self) -> Vec<Cmd> {
        let open = self.accounts.open();
        let newest = (0..self.accounts.len())
            .map(AccountId)
            .filter_map(|a| {
                let stamp = if a == open {
                    self.triage.newest()
                } else {
                    self.accounts.parked_mut(a)?.triage.newest()
                };
                Some((stamp?, a))
            })
            .max();
        let Some((_, account)) = newest else {
            self.status.say("Nothing to undo");
            return Vec::new();
        };
        let cmds = self.as_account(account, App::undo).unwrap_or_default();
        self.route(account, cmds);
        Vec::new()
    }

    fn route(&mut self, account: AccountId, cmds: Vec<Cmd>) {
        self.routed.extend(cmds.into_iter().map(|c| (account, c)));
    }
}
