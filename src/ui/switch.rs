//! The `App` with many accounts: adding them, taking each worker's events by the account they
//! came from, and opening another account (`next_account`, `prev_account`, `:account NAME`,
//! or a folder of another account in the folder pane).

use crate::msg::{Cmd, ConnState, Event, Folder};
use crate::ui::accounts::{AccountId, Accounts, Parked, Profile};
use crate::ui::action::Action;
use crate::ui::app::{App, FIRST_SCREEN_MARGIN};
use crate::ui::layout::Pane;

impl App {
    /// Adds an account after the first; returns its id and the commands its worker starts
    /// with (the folder list, whose counts the pane shows).
    pub fn add_account(&mut self, profile: Profile) -> (AccountId, Vec<Cmd>) {
        let id = self.accounts.add(profile);
        self.relist_folders();
        (id, vec![Cmd::ListFolders])
    }

    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// The account whose folder is open: every command the app makes is for its worker.
    pub fn open_account(&self) -> AccountId {
        self.accounts.open()
    }

    /// An event from `account`'s worker. The open account's take the usual way; a parked
    /// one's only update its model (the pane's counts and connection state), since nothing
    /// of it is on screen and it has no request in flight (see [`App::switch_account`]).
    pub fn on_account_event(&mut self, account: AccountId, ev: Event) -> Vec<Cmd> {
        if let Some(req) = ev.req()
            && self.is_routed(req)
        {
            self.routed_answered(account, req, ev);
            return Vec::new();
        }
        // The answer to a request of a parked account (made in All inboxes, or before it
        // was parked there): settled in that account's state, as if it were open.
        if let Some(req) = ev.req()
            && account != self.accounts.open()
            && self.requests.account_of(req) == Some(account)
        {
            return self
                .as_account(account, |app| app.on_event(ev))
                .unwrap_or_default();
        }
        let name = self.accounts.name(account).to_string();
        let Some(parked) = self.accounts.parked_mut(account) else {
            return self.on_event(ev);
        };
        let relist = matches!(ev, Event::Folders(_));
        match &ev {
            Event::Failed { error, .. } => self.status.complain(format!("{name}: {error}")),
            // A refused login waits for the user, who is asked once the account is opened.
            Event::Conn(ConnState::Offline { retry_in: None, .. }) => parked.login.refuse(),
            _ => {}
        }
        // In All inboxes its new mail is on screen: said as for the open folder.
        let listed = |p: &Parked| p.model.mailbox.as_ref().map_or(0, |m| m.uids.len());
        let before = listed(parked);
        let arrived = matches!(ev, Event::Arrived { .. });
        parked.model.apply(ev);
        let fresh = listed(parked).saturating_sub(before);
        if arrived && fresh > 0 && self.inboxes.is_active() {
            self.status.say(format!(
                "{} in {name}",
                crate::ui::notify::new_messages(fresh)
            ));
        }
        if relist {
            self.relist_folders();
        }
        Vec::new()
    }

    /// Rebuilds the folder pane from every account's folder list.
    pub(crate) fn relist_folders(&mut self) {
        let sections = self.accounts.sections(&self.model);
        self.folders.listed(self.accounts.open(), &sections);
    }

    /// Opens `account` at `folder` (else its default folder). The open account's state is
    /// parked first; its worker keeps its folder list and counts current. Refused while a
    /// request is in flight, whose answer must reach the state that asked.
    pub(crate) fn switch_account(&mut self, account: AccountId, folder: Option<&str>) -> Vec<Cmd> {
        if account == self.accounts.open() {
            self.leave_all_inboxes();
            return match folder {
                Some(name) => self.open_folder(name),
                None => Vec::new(),
            };
        }
        let busy = self.requests.in_flight();
        if busy > 0 {
            let name = self.accounts.name(self.accounts.open()).to_string();
            self.status.complain(format!(
                "Wait: {busy} request(s) of {name} are in flight; switch when they are done"
            ));
            return Vec::new();
        }
        if self.accounts.parked_mut(account).is_none() {
            return Vec::new();
        }
        self.leave_all_inboxes();
        let mut current = self.park_open();
        // The folder of a parked account is not on screen; reopening it loads it afresh.
        current.model.mailbox = None;
        if !self.unpark(account, current) {
            return Vec::new();
        }
        self.close_reader();
        if matches!(self.focus, Pane::Reader | Pane::Parts) {
            self.focus = Pane::List;
        }
        let name = folder.unwrap_or(self.accounts.default_folder(account));
        let name = name.to_string();
        self.folders.want(&name);
        self.relist_folders();
        self.folders.point_at(account, &name);
        self.status.clear();
        // Its login was refused while it was parked: asked now, as at start.
        if self.login.is_refused() {
            let name = self.accounts.name(account);
            let key = self.keymap().keys_for(Action::Reconnect);
            let key = key.first().map_or("reconnect", String::as_str);
            self.status
                .complain(format!("{name} refused the login; press {key} to sign in"));
            if self.login.wants_password() {
                self.ask_password();
            }
        }
        let select = Cmd::Select {
            folder: self
                .model
                .folders
                .iter()
                .find(|f| f.folder.name() == name)
                .map_or_else(|| Folder::named(&name), |f| f.folder.clone()),
            read_only: false,
            first_screen: self.geometry.list_rows().max(1) + FIRST_SCREEN_MARGIN,
        };
        vec![select]
    }

    /// The open account's state, taken out of the `App` to be parked.
    pub(crate) fn park_open(&mut self) -> Parked {
        Parked {
            model: std::mem::take(&mut self.model),
            triage: std::mem::take(&mut self.triage),
            login: std::mem::take(&mut self.login),
            compose: std::mem::take(&mut self.composer.settings),
        }
    }

    /// Opens `account`, parking `current` (the open one's state). Only for a parked
    /// `account`: otherwise `current` would be lost, and false says so.
    pub(crate) fn unpark(&mut self, account: AccountId, current: Parked) -> bool {
        let Some(taken) = self.accounts.swap(account, current) else {
            tracing::error!("account {} is not parked; its state is lost", account.0);
            return false;
        };
        self.model = taken.model;
        self.triage = taken.triage;
        self.login = taken.login;
        self.composer.settings = taken.compose;
        self.requests.set_account(account);
        true
    }

    /// Runs `f` with `account` open, then opens again the account that was: for acting on,
    /// or settling the answers of, a parked account's messages with the open account's code.
    /// Its state moves in and back out (never copied); the view of the open folder (list
    /// cursor and tags, reader, parts, search, filter, folds), which is not the borrowed
    /// account's, is set aside meanwhile, so `f` sees none. None if there is no such account.
    pub(crate) fn as_account<T>(
        &mut self,
        account: AccountId,
        f: impl FnOnce(&mut App) -> T,
    ) -> Option<T> {
        let home = self.accounts.open();
        if account == home {
            return Some(f(self));
        }
        self.accounts.parked_mut(account)?;
        let current = self.park_open();
        self.unpark(account, current);
        let view = (
            std::mem::take(&mut self.list),
            std::mem::take(&mut self.reader),
            std::mem::take(&mut self.parts),
            std::mem::take(&mut self.search),
            std::mem::take(&mut self.filter),
            std::mem::take(&mut self.folds),
        );
        let out = f(self);
        (
            self.list,
            self.reader,
            self.parts,
            self.search,
            self.filter,
            self.folds,
        ) = view;
        let borrowed = self.park_open();
        self.unpark(home, borrowed);
        Some(out)
    }

    /// `next_account` / `prev_account`: the account `delta` places away, at its default folder.
    pub(crate) fn step_account(&mut self, delta: isize) -> Vec<Cmd> {
        if self.accounts.len() < 2 {
            self.status.say("There is only one account");
            return Vec::new();
        }
        let to = self.accounts.step(delta);
        self.switch_account(to, None)
    }

    /// `:account NAME`.
    pub(crate) fn account_named(&mut self, name: &str) -> Vec<Cmd> {
        match self.accounts.find(name) {
            Some(id) => self.switch_account(id, None),
            None => {
                self.status
                    .complain(format!("There is no account \"{name}\""));
                Vec::new()
            }
        }
    }
}
