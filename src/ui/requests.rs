//! Requests in flight: what each `ReqId` sent to the worker was for, so its answer does the
//! right thing, and the overlay of changes not yet confirmed (flags drawn on top of the model,
//! moved messages hidden). Every command that expects an answer is made here.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use crate::compose::followup::Step;
use crate::compose::{DraftDir, Meta};
use crate::mime::Part;
use crate::mime::Section;
use crate::model::Mailbox;
use crate::msg::related::Ids;
use crate::msg::{Cancel, Cmd, FlagChange, Flags, Folder, FolderOp, ReqId, SaveTo, Uid};
use crate::search::Query;
use crate::ui::accounts::AccountId;
use crate::ui::triage::{Crossing, Origin, Transfer, Uncopy};

/// Why a part was fetched, so its arrival does the right thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    Display,
    /// Save to `output` (a file or directory), or to the download folder.
    Save(Option<PathBuf>),
    Open,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Structure {
        folder: Folder,
        uid: Uid,
    },
    Part {
        uid: Uid,
        section: Section,
        purpose: Purpose,
    },
    Raw(Uid),
    /// A part being written to a file as it arrives; `cancel` stops it.
    Save {
        section: Section,
        cancel: Cancel,
    },
    /// A flag change; while it is in flight it is drawn on top of the model's flags.
    Store {
        change: FlagChange,
        origin: Origin,
    },
    /// A copy or move; while a move is in flight its messages are hidden from the list.
    Transfer(Transfer),
    Expunge {
        folder: Folder,
        uids: Vec<Uid>,
    },
    Search,
    /// Summaries of search hits that were not loaded yet.
    Hits,
    Manage(FolderOp),
    /// A step of writing mail, answered to the composer.
    Compose(ComposeReq),
    /// A step of a move or copy to another account.
    Crossing(Crossing),
    /// A step of undoing a copy.
    Uncopy(Uncopy),
    /// A fetch for the conversation view, answered to it.
    Conversation(ConvReq),
}

/// What the conversation view asked the worker for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConvReq {
    /// The user's replies in Sent.
    Related,
    Structure {
        folder: Folder,
        uid: Uid,
    },
    Part {
        folder: Folder,
        uid: Uid,
        section: Section,
    },
}

/// What the composer asked the worker for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComposeReq {
    /// The whole message being answered, forwarded or resumed.
    Original,
    /// The APPEND of a postponed draft; the local draft goes once it is done.
    Postpone { dir: DraftDir, meta: Meta },
    /// Flagging the original or removing a Drafts copy after sending.
    FollowUp(Step),
}

/// The requests in flight, in the order they were sent: flag changes among them are applied
/// in this order on top of the model. Each is for the account that was open when it was made
/// (two accounts' INBOXes share a name and their UIDs, so a request is matched by both).
#[derive(Debug, Default)]
pub struct Requests {
    pending: BTreeMap<ReqId, (AccountId, Pending)>,
    last: ReqId,
    /// The account requests are made for now: the open one.
    account: AccountId,
}

impl Requests {
    fn send(&mut self, pending: Pending) -> ReqId {
        self.last += 1;
        self.pending.insert(self.last, (self.account, pending));
        self.last
    }

    /// Requests made from now on are for `account` (it was opened).
    pub(crate) fn set_account(&mut self, account: AccountId) {
        self.account = account;
    }

    /// Changes whenever a request is made or answered: what is derived from the requests in
    /// flight (rows hidden by a move) can tell it is stale.
    pub(crate) fn version(&self) -> (ReqId, usize) {
        (self.last, self.pending.len())
    }

    /// How many requests of the open account await an answer.
    pub(crate) fn in_flight(&self) -> usize {
        self.pending
            .values()
            .filter(|(a, _)| *a == self.account)
            .count()
    }

    pub(crate) fn is_pending(&self, p: &Pending) -> bool {
        self.pending
            .values()
            .any(|(a, q)| *a == self.account && q == p)
    }

    pub(crate) fn get(&self, req: ReqId) -> Option<&Pending> {
        self.pending.get(&req).map(|(_, p)| p)
    }

    /// The account `req` was sent to.
    pub(crate) fn account_of(&self, req: ReqId) -> Option<AccountId> {
        self.pending.get(&req).map(|(a, _)| *a)
    }

    /// The request is answered: forget it.
    pub(crate) fn take(&mut self, req: ReqId) -> Option<Pending> {
        self.pending.remove(&req).map(|(_, p)| p)
    }

    /// `uid`'s flags as the user should see them: the model's, with the flag changes still
    /// in flight applied in the order they were sent.
    pub fn flags_of(&self, mb: &Mailbox, uid: Uid) -> Option<Flags> {
        self.flags_in(self.account, mb, uid)
    }

    /// [`Requests::flags_of`] for a message of `account`'s open folder `mb`.
    pub fn flags_in(&self, account: AccountId, mb: &Mailbox, uid: Uid) -> Option<Flags> {
        let mut flags = mb.summaries.get(&uid)?.flags;
        for (a, p) in self.pending.values() {
            if let Pending::Store { change, .. } = p
                && *a == account
                && change.folder == mb.folder
                && change.uids.contains(&uid)
            {
                flags = change.apply(flags);
            }
        }
        Some(flags)
    }

    /// Messages of the open account's `folder` with a move in flight: shown as gone at once,
    /// back on failure.
    pub(crate) fn hidden(&self, folder: &Folder) -> HashSet<Uid> {
        self.hidden_in(self.account, folder)
    }

    /// [`Requests::hidden`] in `account`'s `folder`: moves within the account, and moves
    /// to another account at any step (the original goes only once the copy is confirmed,
    /// but the user sees it gone at once, and back if it fails before that).
    pub(crate) fn hidden_in(&self, account: AccountId, folder: &Folder) -> HashSet<Uid> {
        let mut hidden = HashSet::new();
        for (a, p) in self.pending.values() {
            match p {
                Pending::Transfer(t) if *a == account && t.remove && t.folder == *folder => {
                    hidden.extend(t.uids.iter().copied());
                }
                Pending::Crossing(c)
                    if c.across.remove && c.across.from == (account, folder.clone()) =>
                {
                    hidden.insert(c.uid);
                }
                _ => {}
            }
        }
        hidden
    }

    /// `Store` for `change`; nothing when it changes no message.
    pub(crate) fn store(&mut self, change: FlagChange, origin: Origin) -> Vec<Cmd> {
        if change.uids.is_empty() {
            return Vec::new();
        }
        let req = self.send(Pending::Store {
            change: change.clone(),
            origin,
        });
        vec![Cmd::Store { req, change }]
    }

    /// `Copy`; a move's messages leave the list until the answer.
    pub(crate) fn transfer(&mut self, t: Transfer) -> Cmd {
        let (folder, uids, dest, remove) =
            (t.folder.clone(), t.uids.clone(), t.dest.clone(), t.remove);
        let req = self.send(Pending::Transfer(t));
        Cmd::Copy {
            req,
            folder,
            uids,
            dest,
            remove,
        }
    }

    pub(crate) fn expunge(&mut self, folder: Folder, uids: Vec<Uid>) -> Cmd {
        let req = self.send(Pending::Expunge {
            folder: folder.clone(),
            uids: uids.clone(),
        });
        Cmd::Expunge {
            req,
            folder,
            uids,
            all_deleted: false,
        }
    }

    pub(crate) fn manage(&mut self, op: FolderOp) -> Cmd {
        let req = self.send(Pending::Manage(op.clone()));
        Cmd::Manage { req, op }
    }

    pub(crate) fn search(&mut self, folder: Folder, query: Query) -> (ReqId, Cmd) {
        let req = self.send(Pending::Search);
        (req, Cmd::Search { req, folder, query })
    }

    /// The summaries of search hits not loaded yet.
    pub(crate) fn hits(&mut self, folder: Folder, uids: Vec<Uid>) -> Cmd {
        let req = self.send(Pending::Hits);
        Cmd::FetchSummaries { req, folder, uids }
    }

    /// The command `make` makes for `p`, unless the same request is already in flight.
    fn send_once(&mut self, p: Pending, make: impl FnOnce(ReqId) -> Cmd) -> Option<Cmd> {
        if self.is_pending(&p) {
            return None;
        }
        Some(make(self.send(p)))
    }

    /// `FetchStructure`, unless it is already asked for.
    pub(crate) fn structure(&mut self, folder: Folder, uid: Uid) -> Option<Cmd> {
        let p = Pending::Structure {
            folder: folder.clone(),
            uid,
        };
        self.send_once(p, |req| Cmd::FetchStructure { req, folder, uid })
    }

    /// `FetchPart`, unless the same part is already asked for the same purpose.
    pub(crate) fn part(
        &mut self,
        folder: Folder,
        uid: Uid,
        section: Section,
        purpose: Purpose,
    ) -> Option<Cmd> {
        let p = Pending::Part {
            uid,
            section: section.clone(),
            purpose,
        };
        self.send_once(p, |req| Cmd::FetchPart {
            req,
            folder,
            uid,
            section,
        })
    }

    /// `SavePart`: `part` of `uid` written to `to` as it arrives.
    pub(crate) fn save(&mut self, folder: Folder, uid: Uid, part: Part, to: SaveTo) -> Cmd {
        let cancel = Cancel::default();
        let req = self.send(Pending::Save {
            section: part.section.clone(),
            cancel: cancel.clone(),
        });
        Cmd::SavePart {
            req,
            folder,
            uid,
            part: Box::new(part),
            to,
            cancel,
        }
    }

    /// Cancels every save in flight; how many there were.
    pub(crate) fn cancel_saves(&self) -> usize {
        self.pending
            .values()
            .filter_map(|(_, p)| match p {
                Pending::Save { cancel, .. } if !cancel.is_cancelled() => Some(cancel),
                _ => None,
            })
            .inspect(|c| c.cancel())
            .count()
    }

    /// A composer request; its answer goes to the composer.
    /// A step of a crossing; the caller sends its command to the right account.
    pub(crate) fn crossing(&mut self, c: Crossing) -> ReqId {
        self.send(Pending::Crossing(c))
    }

    pub(crate) fn uncopy(&mut self, u: Uncopy) -> ReqId {
        self.send(Pending::Uncopy(u))
    }

    pub(crate) fn compose(&mut self, c: ComposeReq) -> ReqId {
        self.send(Pending::Compose(c))
    }

    /// The messages of `folder` (Sent) that belong with a conversation known by `ids`.
    pub(crate) fn related(
        &mut self,
        folder: Folder,
        ids: Ids,
        members_of: Folder,
        members: Vec<Uid>,
    ) -> Cmd {
        let req = self.send(Pending::Conversation(ConvReq::Related));
        Cmd::Related {
            req,
            folder,
            ids,
            members_of,
            members,
        }
    }

    /// A message's structure for the conversation view, unless already asked for.
    pub(crate) fn conv_structure(&mut self, folder: Folder, uid: Uid) -> Option<Cmd> {
        let p = Pending::Conversation(ConvReq::Structure {
            folder: folder.clone(),
            uid,
        });
        self.send_once(p, |req| Cmd::FetchStructure { req, folder, uid })
    }

    /// A text part for the conversation view, unless already asked for.
    pub(crate) fn conv_part(&mut self, folder: Folder, uid: Uid, section: Section) -> Option<Cmd> {
        let p = Pending::Conversation(ConvReq::Part {
            folder: folder.clone(),
            uid,
            section: section.clone(),
        });
        self.send_once(p, |req| Cmd::FetchPart {
            req,
            folder,
            uid,
            section,
        })
    }

    /// `FetchRaw`, unless it is already asked for.
    pub(crate) fn raw(&mut self, folder: Folder, uid: Uid) -> Option<Cmd> {
        self.send_once(Pending::Raw(uid), |req| Cmd::FetchRaw { req, folder, uid })
    }
}

impl Pending {
    /// Requests that change something (or search): their answers settle triage state, and a
    /// refusal is reported as "Could not …".
    pub fn is_triage(&self) -> bool {
        !matches!(
            self,
            Pending::Structure { .. }
                | Pending::Part { .. }
                | Pending::Raw(_)
                | Pending::Save { .. }
                | Pending::Compose(_)
                | Pending::Crossing(_)
                | Pending::Uncopy(_)
                | Pending::Conversation(_)
        )
    }
}
