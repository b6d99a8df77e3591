//! Every configured account in one session. One account is open: its state lives in the
//! `App` (the model, the triage policy and undo stack, the login state, the composer's
//! identities). Each of the
//! others is parked here whole, and its worker's events keep its model current (folder list,
//! counts, connection state) for the folder pane. Opening another account swaps the two, so
//! an account's state always has exactly one owner, and a command, which the `App` only makes
//! for the open account, is sent to that account's worker.

use crate::model::Model;
use crate::msg::FolderInfo;
use crate::ui::composer::ComposeSettings;
use crate::ui::login::Login;
use crate::ui::triage::{Policy, Triage};

/// An account of the session: its place in the config's `[[account]]` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct AccountId(pub usize);

/// What the config says about an account, for [`App::add_account`](crate::ui::app::App).
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub default_folder: String,
    pub policy: Policy,
    pub compose: ComposeSettings,
    pub oauth2: bool,
}

/// The state of an account that is not open.
#[derive(Debug, Default)]
pub(crate) struct Parked {
    pub model: Model,
    pub triage: Triage,
    pub login: Login,
    pub compose: ComposeSettings,
}

#[derive(Debug)]
struct Entry {
    name: String,
    default_folder: String,
    /// `None` while the account is open.
    parked: Option<Parked>,
}

/// One account's folders, for the folder pane.
pub struct Section<'a> {
    pub account: AccountId,
    pub name: &'a str,
    pub model: &'a Model,
}

impl Section<'_> {
    pub fn folders(&self) -> &[FolderInfo] {
        &self.model.folders
    }
}

#[derive(Debug)]
pub struct Accounts {
    entries: Vec<Entry>,
    open: AccountId,
}

impl Accounts {
    /// The session's first account, open.
    pub(crate) fn new(name: String, default_folder: String) -> Accounts {
        Accounts {
            entries: vec![Entry {
                name,
                default_folder,
                parked: None,
            }],
            open: AccountId(0),
        }
    }

    /// Adds a parked account; its id follows the last one's.
    pub(crate) fn add(&mut self, profile: Profile) -> AccountId {
        let mut triage = Triage::default();
        triage.set_policy(profile.policy);
        let mut login = Login::default();
        login.set_oauth2(profile.oauth2);
        self.entries.push(Entry {
            name: profile.name,
            default_folder: profile.default_folder,
            parked: Some(Parked {
                model: Model::default(),
                triage,
                login,
                compose: profile.compose,
            }),
        });
        AccountId(self.entries.len() - 1)
    }

    pub fn open(&self) -> AccountId {
        self.open
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn name(&self, id: AccountId) -> &str {
        self.entries.get(id.0).map_or("", |e| e.name.as_str())
    }

    pub fn default_folder(&self, id: AccountId) -> &str {
        self.entries.get(id.0).map_or("", |e| &e.default_folder)
    }

    /// The account called `name` (exactly, else regardless of case).
    pub fn find(&self, name: &str) -> Option<AccountId> {
        let exact = self.entries.iter().position(|e| e.name == name);
        exact
            .or_else(|| {
                let lower = name.to_lowercase();
                let same: Vec<usize> = (0..self.entries.len())
                    .filter(|&i| self.entries[i].name.to_lowercase() == lower)
                    .collect();
                (same.len() == 1).then(|| same[0])
            })
            .map(AccountId)
    }

    /// The account `delta` places from the open one, wrapping around.
    pub fn step(&self, delta: isize) -> AccountId {
        let n = self.entries.len() as isize;
        AccountId((self.open.0 as isize + delta).rem_euclid(n.max(1)) as usize)
    }

    /// A parked account's state, for its worker's events; `None` for the open one.
    pub(crate) fn parked_mut(&mut self, id: AccountId) -> Option<&mut Parked> {
        self.entries.get_mut(id.0)?.parked.as_mut()
    }

    /// Opens `id`: parks `current` (the open account's state) and hands back `id`'s.
    pub(crate) fn swap(&mut self, id: AccountId, current: Parked) -> Option<Parked> {
        let taken = self.entries.get_mut(id.0)?.parked.take()?;
        self.entries[self.open.0].parked = Some(current);
        self.open = id;
        Some(taken)
    }

    /// Every parked account forgets its open folder (All inboxes closed).
    pub(crate) fn forget_mailboxes(&mut self) {
        for p in self.entries.iter_mut().filter_map(|e| e.parked.as_mut()) {
            p.model.mailbox = None;
        }
    }

    /// Every account's folders in config order, the open one's from `open_model`.
    pub fn sections<'a>(&'a self, open_model: &'a Model) -> Vec<Section<'a>> {
        self.entries
            .iter()
            .enumerate()
            .map(|(i, e)| Section {
                account: AccountId(i),
                name: &e.name,
                model: e.parked.as_ref().map_or(open_model, |p| &p.model),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::{ConnState, Event};

    fn profile(name: &str) -> Profile {
        Profile {
            name: name.into(),
            default_folder: "INBOX".into(),
            policy: Policy::default(),
            compose: ComposeSettings::default(),
            oauth2: false,
        }
    }

    #[test]
    fn swapping_moves_each_state_to_one_place() {
        let mut accounts = Accounts::new("home".into(), "INBOX".into());
        let work = accounts.add(profile("work"));
        assert_eq!(work, AccountId(1));
        let offline = Event::Conn(ConnState::Offline {
            reason: "refused".into(),
            retry_in: None,
        });
        accounts.parked_mut(work).unwrap().model.apply(offline);
        assert!(accounts.parked_mut(AccountId(0)).is_none(), "home is open");

        let home_model = Model::default();
        let sections = accounts.sections(&home_model);
        assert_eq!(sections.len(), 2);
        assert!(sections[1].model.conn.is_some(), "work's events were kept");

        let taken = accounts.swap(work, Parked::default()).unwrap();
        assert!(taken.model.conn.is_some());
        assert_eq!(accounts.open(), work);
        assert!(accounts.parked_mut(work).is_none());
        assert!(accounts.parked_mut(AccountId(0)).is_some());
        assert!(
            accounts.swap(work, Parked::default()).is_none(),
            "the open account cannot be opened again"
        );
    }

    #[test]
    fn finds_and_steps_with_wraparound() {
        let mut accounts = Accounts::new("home".into(), "INBOX".into());
        accounts.add(profile("Work"));
        accounts.add(profile("lists"));
        assert_eq!(accounts.find("work"), Some(AccountId(1)));
        assert_eq!(accounts.find("nope"), None);
        assert_eq!(accounts.step(-1), AccountId(2));
        assert_eq!(accounts.step(1), AccountId(1));
        assert_eq!(accounts.step(3), AccountId(0));
    }
}
