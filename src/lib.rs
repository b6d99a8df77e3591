//! tern — a terminal mail client for IMAP.
//!
//! # Architecture
//!
//! ```text
//!   cli / ui  ──Cmd──▶  imap::worker (thread, owns the IMAP connection)
//!      ▲                    │ imap::{session, folders, messages}: blocking protocol steps
//!      └──────Event─────────┘
//!   model::Model::apply(Event)  ← the one owner of what views render
//! ```
//!
//! Dependencies point one way, and `scripts/module-cycles` fails on a cycle: [`msg`],
//! [`mime`], [`config`] and [`utf7`] are leaves (`msg` uses only `mime`, `search`, `utf7` and
//! `error`); [`imap`] and [`model`] build on them; [`ui`] and [`cli`] sit on top and nothing
//! in the library imports `ui`. Each piece of state has one owner: the worker owns the
//! connection, [`model::Model`] what the server said, a `ui` sub-state its own view state.
//!
//! - [`msg`] is the contract: plain enums carrying data; messages are named by UID, folders by
//!   [`msg::Folder`] (decoded name, the server's raw name and delimiter), flags by
//!   [`msg::Flag`]/[`msg::Flags`] with one table of IMAP names, and a change of flags by one
//!   [`msg::FlagChange`] that the UI sends, the worker stores and the model applies. A
//!   [`msg::Summary`] (one list row) also carries [`msg::HeaderFacts`]: the Date header, the
//!   ids threads are built from, and the attachment bit behind the list's `@`.
//! - [`imap`] speaks the protocol (our own socket with timeouts, TLS via OpenSSL, mUTF-7
//!   names) and never touches the terminal.
//! - [`ui`] is the TUI. `ui::app::App` holds the model and one sub-state per pane or job
//!   (folder pane, message list, reader, parts, overlays, search, filter, triage and undo,
//!   requests in flight, status, new mail), each owning its fields. `App` only dispatches:
//!   key → action → sub-state, and worker event → model → sub-states in one exhaustive
//!   match. `ui::layout` sizes panes and overlays; `ui::views` only draws. With several
//!   accounts, `ui::accounts` parks the state of every account but the open one (its model,
//!   triage, login, identities) and `ui::workers` tags each worker's events with their account;
//!   the app makes commands only for the open account, and the loop sends them to its worker.
//! - [`model`] also orders the list (`model::sort`, kept in order chunk by chunk during a
//!   sync; in date order, rows still loading are placed by UID, so the last row is the oldest
//!   message before its summary comes, and the UI asks for the rows it shows) and groups conversations (`model::threads`, JWZ; `model::conversations` keeps a
//!   folder's thread order, rebuilding only the threads a change touches); all are pure and
//!   know no UI. `ui::folds` only hides the replies of folded threads; a full thread build
//!   runs on a helper thread (`model::thread_job`). `ui::conversation` shows a message's
//!   thread with the user's replies from Sent, which the worker finds by the ids in
//!   [`msg::related`] (header cache first, then the server).
//! - [`mime`] turns BODYSTRUCTURE into a part tree with RFC 3501 section numbers, decodes
//!   transfer encodings and charsets, renders HTML, and sanitises anything bound for a screen.
//! - [`pop3`] serves a POP3 mailbox through the same contract: its own worker answers the
//!   same [`msg::Cmd`]s for INBOX from a local store, so the UI and CLI need no POP3 code;
//!   [`net`] holds the TCP and TLS setup both protocols share.
//! - [`memory`] hands what a sync freed back to the system once it is done.
//! - [`cache`] keeps summaries, flags, MODSEQ, structures and text bodies on disk (redb),
//!   written by a thread of its own; [`intern`] shares repeated senders and recipients.
//! - [`compose`] writes mail: drafts on disk, replies and forwards, the MIME message, the
//!   editor, address completion (no network: callers fetch and send).
//! - [`config`] loads and validates `config.toml`, naming the line of any mistake.
//! - [`oauth`] signs `auth = "oauth2"` accounts in (`tern login`), keeps their tokens and
//!   refreshes them; IMAP, POP3 and SMTP present the token with its SASL messages.
//! - [`mailcap`] reads RFC 1524 mailcap files (which program views a type); `ui::opener`
//!   chooses between a mailcap viewer, the desktop's opener and the pager.
//! - [`policy`] is the one delete rule (and special-folder choice) the CLI and the TUI share.
//! - [`devserver`] runs a private Dovecot (and Postfix) on loopback for the demo and the
//!   tests; seeding mail for tests and benchmarks lives in `tests/support`, not here.
//! - [`send`] prepares, queues (the outbox) and sends mail over SMTP, a sendmail command or
//!   LMTP, then files the Sent copy.
//! - [`demo`] generates a realistic mailbox from `assets/demo/` into that Dovecot (`tern demo`).

pub mod backend;
pub mod cache;
pub mod cli;
pub mod compose;
pub mod config;
pub mod demo;
pub mod devserver;
pub mod error;
pub mod imap;
pub mod intern;
pub mod logging;
pub mod mailcap;
pub mod memory;
pub mod mime;
pub mod model;
pub mod msg;
pub mod net;
pub mod oauth;
pub mod policy;
pub mod pop3;
pub mod private;
pub mod save;
pub mod search;
pub mod send;
#[cfg(test)]
pub(crate) mod test_fixtures;
pub mod ui;
pub mod utf7;
