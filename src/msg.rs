//! The contract between the IMAP worker and whoever drives it (CLI or TUI): plain enums that
//! carry data. Mutations and fetches name messages by UID, never by sequence number.

use std::sync::Arc;

use crate::error::Error;
use crate::mime::{Part, Section};

pub mod facts;
mod flags;
mod folder;
pub mod id_hash;
pub mod id_text;
pub mod related;
mod summary;
mod summary_ref;
pub mod uid_map;
pub use facts::HeaderFacts;
pub use flags::{Flag, FlagChange, Flags};
pub use folder::{Folder, FolderInfo, FolderStatus, SpecialUse};
pub use summary::Summary;
pub use summary_ref::SummaryRef;

pub type Uid = u32;
/// Chosen by the sender of a [`Cmd`] so it can match the answering [`Event`].
pub type ReqId = u64;

/// A password on its way to the worker: never printed, not even in a debug log.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Commands from the UI (or CLI) to the worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    /// LIST, LSUB and STATUS of every selectable folder.
    ListFolders,
    /// Open a folder (EXAMINE when `read_only`), learn its UIDs and stream summaries,
    /// newest first: `first_screen` of them at once, the rest in chunks. Abandons any sync
    /// of the previously open folder.
    Select {
        folder: Folder,
        read_only: bool,
        first_screen: usize,
    },
    /// BODYSTRUCTURE and the header block of one message.
    FetchStructure {
        req: ReqId,
        folder: Folder,
        uid: Uid,
    },
    /// The raw (still transfer-encoded) bytes of one part: `BODY.PEEK[section]`.
    FetchPart {
        req: ReqId,
        folder: Folder,
        uid: Uid,
        section: Section,
    },
    /// Writes one part to a new file (or standard output) as it arrives, decoded on the way:
    /// `BODY.PEEK[section]` never held whole. Answered by `SaveProgress` now and then, then
    /// `Saved`; a cancelled save removes what it wrote and ends in `Failed`.
    SavePart {
        req: ReqId,
        folder: Folder,
        uid: Uid,
        part: Box<Part>,
        to: SaveTo,
        cancel: Cancel,
    },
    /// The whole raw message: `BODY.PEEK[]`.
    FetchRaw {
        req: ReqId,
        folder: Folder,
        uid: Uid,
    },
    /// Summaries of exactly these UIDs (e.g. search hits), as `Summaries` then `Done`.
    FetchSummaries {
        req: ReqId,
        folder: Folder,
        uids: Vec<Uid>,
    },
    /// Summaries of the messages of `folder` (another than the open one, e.g. Sent) that
    /// belong with a conversation known by `ids` (see [`related`]), whose messages in
    /// `members_of` are `members`: answered by `Related` from the header cache at once, by
    /// another `Related` from the server when online (replacing it), then `Done`. The server
    /// is searched for the members' ids, fetched first: the model keeps only their hashes.
    Related {
        req: ReqId,
        folder: Folder,
        ids: related::Ids,
        members_of: Folder,
        members: Vec<Uid>,
    },
    /// Summaries of rows coming into view while the folder is still syncing (End, a page far
    /// down, a click): fetched ahead of the sync's own order, answered by `Summaries` alone.
    FetchVisible { folder: Folder, uids: Vec<Uid> },
    /// The oldest `count` messages of `folder`, while a cold open has not listed its UIDs yet
    /// (End pressed at once): fetched by sequence number (`1:count` are the lowest UIDs), so
    /// without waiting for the UID list; answered by `Summaries` alone.
    FetchOldest { folder: Folder, count: u32 },
    /// `UID STORE ±FLAGS.SILENT`: add or remove system flags on exactly these UIDs.
    Store { req: ReqId, change: FlagChange },
    /// `UID STORE ±FLAGS.SILENT (keyword)`: a keyword such as `$Forwarded` (RFC 5788), which
    /// the model does not keep; answered by `Done`.
    Keyword {
        req: ReqId,
        folder: Folder,
        uids: Vec<Uid>,
        add: bool,
        keyword: String,
    },
    /// Copy (or move, with `remove`) exactly these UIDs to `dest`.
    Copy {
        req: ReqId,
        folder: Folder,
        uids: Vec<Uid>,
        dest: Folder,
        remove: bool,
    },
    /// `UID EXPUNGE` of exactly these UIDs (needs UIDPLUS). With `all_deleted`, a server
    /// without UIDPLUS gets a plain EXPUNGE, which removes every \Deleted message.
    Expunge {
        req: ReqId,
        folder: Folder,
        uids: Vec<Uid>,
        all_deleted: bool,
    },
    /// `UID SEARCH` in `folder`.
    Search {
        req: ReqId,
        folder: Folder,
        query: crate::search::Query,
    },
    /// Folder management.
    Manage { req: ReqId, op: FolderOp },
    /// APPEND a raw message with flags and an internal date (seconds, UTC offset seconds).
    Append {
        req: ReqId,
        folder: Folder,
        bytes: Vec<u8>,
        flags: Flags,
        date: Option<(i64, i32)>,
    },
    /// Remember how `folder` is listed (the words `model::View` prints: sort order, and
    /// `threads`), to list it so again when it is next opened, in this run or the next.
    RememberView { folder: Folder, view: String },
    /// Fresh counts of a folder changed outside the worker (the send thread filed a copy in
    /// Sent), as `FolderStatus`; the folder on screen is left to the live updates.
    Counts(Folder),
    /// Reconnect now (after a refused login, or to skip the backoff wait).
    Reconnect,
    /// Log in again with this password (after a refused login).
    Login(Secret),
    /// Log out and end the worker thread.
    Shutdown,
}

/// Where [`Cmd::SavePart`] writes: exactly `output` (a new file), a fresh name inside it
/// when it is a folder, or inside `download_dir` without one; `-` is standard output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveTo {
    pub output: Option<std::path::PathBuf>,
    pub download_dir: std::path::PathBuf,
}

/// Set by the sender of a long command to stop it; the worker looks between reads.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<std::sync::atomic::AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The same token, not an equal flag: a command is matched by what it can cancel.
impl PartialEq for Cancel {
    fn eq(&self, other: &Cancel) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Cancel {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderOp {
    Create(Folder),
    /// Refused when the folder has children, as servers do.
    Delete(Folder),
    Rename {
        from: Folder,
        to: Folder,
    },
    Subscribe(Folder),
    Unsubscribe(Folder),
}

/// Connection progress, for a status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnState {
    Connecting {
        host: String,
        port: u16,
    },
    Connected(SessionInfo),
    /// Not connected; `retry_in` seconds until the next automatic attempt (None: waiting for
    /// the user, e.g. after a refused login).
    Offline {
        reason: String,
        retry_in: Option<u64>,
    },
}

/// What we learnt while connecting, as `tern check` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub greeting: String,
    /// Negotiated protocol and cipher, e.g. `TLSv1.3 TLS_AES_256_GCM_SHA384`; None on a plain link.
    pub tls: Option<String>,
    pub capabilities: Vec<String>,
    /// `LOGIN` or `AUTHENTICATE PLAIN`.
    pub auth: String,
}

/// Events from the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Conn(ConnState),
    Folders(Vec<FolderInfo>),
    /// The personal namespace's prefix (decoded, e.g. `INBOX.`), where new folders go.
    Namespace {
        personal: String,
    },
    /// How `folder` was listed when last remembered ([`Cmd::RememberView`]); sent before its
    /// `Selected`.
    View {
        folder: Folder,
        view: String,
    },
    /// Fresh counts of one folder, e.g. right after tern copied mail into it.
    FolderStatus {
        folder: Folder,
        status: FolderStatus,
    },
    /// The folder is open; `uids` is every UID in it, newest first, when `complete`; else
    /// only the first screen's, and a `Listed` follows with them all.
    Selected {
        folder: Folder,
        uid_validity: u32,
        read_only: bool,
        complete: bool,
        uids: Vec<Uid>,
    },
    /// Every UID of the open folder, newest first, once known: after `Selected` carried only
    /// the first screen's (fetched by sequence number before the UID list was asked for).
    Listed {
        folder: Folder,
        uid_validity: u32,
        uids: Vec<Uid>,
    },
    /// A chunk of summaries for the open folder.
    Summaries {
        folder: Folder,
        uid_validity: u32,
        chunk: Vec<Summary>,
    },
    /// A warm start's cached rows between its first screen (`Selected`) and its `Listed`:
    /// they go into the folder's store only, and `Listed`, which names them, puts them in the
    /// list with one sort. As `Summaries`, a million rows in slices of 16 000 were merged
    /// into the list slice by slice, each time with a sort of every row so far.
    CachedSummaries {
        folder: Folder,
        uid_validity: u32,
        chunk: Vec<Summary>,
    },
    /// Every summary of the open folder has been sent.
    SyncDone {
        folder: Folder,
    },
    Structure {
        req: ReqId,
        folder: Folder,
        uid: Uid,
        root: Box<Part>,
        header: Vec<u8>,
        /// Gmail's labels (X-GM-EXT-1), named for display; empty elsewhere.
        labels: Vec<String>,
    },
    PartData {
        req: ReqId,
        folder: Folder,
        uid: Uid,
        section: Section,
        bytes: Vec<u8>,
    },
    Raw {
        req: ReqId,
        folder: Folder,
        uid: Uid,
        bytes: Vec<u8>,
    },
    /// A `SavePart` has received `done` of the part's `total` bytes (as the server sends
    /// them, transfer-encoded; `total` is BODYSTRUCTURE's figure, so `done` may pass it).
    SaveProgress {
        req: ReqId,
        done: u64,
        total: u64,
    },
    /// A `SavePart` is written: to `path`, or to standard output (None).
    Saved {
        req: ReqId,
        path: Option<std::path::PathBuf>,
    },
    /// Flags were changed on the server.
    Stored {
        req: ReqId,
        change: FlagChange,
    },
    /// Messages were copied or moved. `dest_uids[i]` is the new UID of `uids[i]` when the
    /// server reported COPYUID (UIDPLUS). `expunged` is false for a move that could only mark
    /// the originals \Deleted (no MOVE and no UIDPLUS).
    Copied {
        req: ReqId,
        folder: Folder,
        dest: Folder,
        uids: Vec<Uid>,
        dest_uids: Option<Vec<Uid>>,
        moved: bool,
        expunged: bool,
    },
    /// These messages are gone from `folder`.
    Expunged {
        req: Option<ReqId>,
        folder: Folder,
        uids: Vec<Uid>,
    },
    SearchResult {
        req: ReqId,
        folder: Folder,
        uids: Vec<Uid>,
    },
    /// The messages of `folder` that belong with a conversation ([`Cmd::Related`]), oldest
    /// first; a later answer to the same request replaces this one.
    Related {
        req: ReqId,
        folder: Folder,
        found: Vec<Summary>,
    },
    Appended {
        req: ReqId,
        folder: Folder,
        uid: Option<Uid>,
    },
    /// New messages arrived in the open folder (their summaries follow), newest first.
    Arrived {
        folder: Folder,
        uid_validity: u32,
        uids: Vec<Uid>,
    },
    /// Flags changed on the server (by another client, or as a result of our commands).
    FlagsChanged {
        folder: Folder,
        changes: Vec<(Uid, Flags)>,
    },
    /// A change could not be sent (offline); it will be carried out after reconnecting.
    Queued {
        req: ReqId,
    },
    /// Something the user should know that is not an error (e.g. a folder was reset).
    Notice(String),
    /// A command without data of its own succeeded.
    Done {
        req: ReqId,
    },
    /// A command failed; `req` is None for commands without an id (ListFolders, Select).
    Failed {
        req: Option<ReqId>,
        error: Error,
    },
}

impl Event {
    /// The request this event answers, if any.
    pub fn req(&self) -> Option<ReqId> {
        match self {
            Event::Structure { req, .. }
            | Event::PartData { req, .. }
            | Event::Raw { req, .. }
            | Event::SaveProgress { req, .. }
            | Event::Saved { req, .. }
            | Event::Stored { req, .. }
            | Event::Copied { req, .. }
            | Event::SearchResult { req, .. }
            | Event::Related { req, .. }
            | Event::Appended { req, .. }
            | Event::Queued { req }
            | Event::Done { req } => Some(*req),
            Event::Expunged { req, .. } | Event::Failed { req, .. } => *req,
            _ => None,
        }
    }
}
