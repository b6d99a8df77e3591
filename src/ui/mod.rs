//! The interactive client (`tern` with no command).
//!
//! Three sources feed one loop on the UI thread: terminal input and signals (their own
//! threads), every account's worker events (tagged with their account by `workers`), and the
//! send threads' verdicts. There is no tick: nothing
//! on screen changes by itself, so an idle tern sleeps until one of them speaks. The loop waits
//! in `select!`, drains everything already queued, updates the [`app::App`], and then draws
//! once — so a burst of summary chunks costs one frame,
//! and a key press is answered by the next frame without waiting for the network (commands go
//! to the worker over an unbounded channel and never block).
//!
//! Writing mail hands the terminal to the user's editor: the input thread pauses, the
//! terminal is restored, and the editor runs on a thread of its own while the loop keeps
//! applying worker events without drawing; when it exits the terminal is taken back and
//! redrawn at its current size.

pub mod accounts;
pub mod action;
pub mod app;
mod batch;
mod cmdline;
mod commands;
mod completion;
mod compose_answers;
mod compose_flow;
mod compose_review;
pub mod composer;
pub mod conversation;
mod conversation_flow;
mod document;
mod events;
pub mod filter;
pub mod folder_pane;
mod folder_tree;
pub mod folds;
pub mod help;
pub mod inboxes;
mod input;
mod jobs;
pub mod keymap;
pub mod layout;
mod links;
pub mod login;
pub mod message_list;
mod mouse;
pub mod notify;
pub mod open_job;
pub mod opener;
pub mod overlays;
pub mod parts;
pub mod picker;
pub mod prompt;
mod quotes;
pub mod reader;
pub mod requests;
mod rows;
pub mod search;
mod sign_in;
pub mod sort_picker;
pub mod status;
mod switch;
mod term_input;
mod terminal;
mod threads;
pub mod triage;
pub mod viewer;
pub mod views;
mod visible;
mod workers;
mod wrap;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, never, select};
use crossterm::event::Event as TermEvent;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::compose::editor::{self, Edited};
use crate::config::theme::Theme;
use crate::config::{Account, Config};
use crate::error::{Error, Result};
use crate::model::job::{Done, Job};
use crate::msg::Cmd;
use crate::send::worker::{SendCmd, SendEvent};
use crate::ui::accounts::{AccountId, Profile};
use crate::ui::app::{App, Settings, Zone};
use crate::ui::batch::Batch;
use crate::ui::composer::ComposeSettings;
use crate::ui::keymap::Keymap;
use crate::ui::notify::NotifyPolicy;
use crate::ui::opener::Viewers;
use crate::ui::sign_in::SignIn;
use crate::ui::term_input::Received;
use crate::ui::triage::Policy;
use crate::ui::workers::{Tagged, Workers};

/// Worker events are applied for at most this long before a frame is drawn: a flood of them
/// (a big folder's cached rows, read faster than the model takes them) then shows its first
/// rows at once instead of after its last.
const FRAME_BUDGET: Duration = Duration::from_millis(16);

/// While only worker events come (a sync streaming rows in), frames are at least this far
/// apart: a frame per 1 000-row chunk was ~40% of the UI thread's work in a cold sync, and at
/// 25 ms a frame still 9 % of its CPU. Keys, rows the user waits for, and a folder's first
/// rows are drawn at once; a sync's counter moving 20 times a second looks as smooth.
const FRAME_INTERVAL: Duration = Duration::from_millis(50);

/// Runs the TUI for every account in `accounts` (the first opened first) until the user
/// quits. Each comes with its password. The terminal is restored on every way out.
pub fn run(config: &Config, accounts: Vec<(Account, String)>) -> Result<()> {
    let Some((first, _)) = accounts.first() else {
        return Err(Error::Config("there is no [[account]] to open".into()));
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = Theme::from_table(&config.theme, no_color).map_err(Error::Config)?;
    let keymap = Keymap::new(&config.keys);
    let tty = |e: std::io::Error| Error::Io(format!("cannot use the terminal: {e}"));

    // The folder is asked for before the terminal is set up: the login is most of the wait
    // for the first screen, and it needs nothing from the terminal but its size.
    let size = crossterm::terminal::size().map_err(tty)?;
    let workers = Workers::spawn(&accounts);
    let (mut app, start) = App::new(Settings {
        account: first.name.clone(),
        default_folder: first.default_folder.clone(),
        download_dir: config.download_dir(),
        keymap,
        theme,
        size,
        launcher: Box::new(|target| open::that_detached(target)),
        confirm_quit: config.confirm_quit,
        zone: Zone::Local,
        viewers: Viewers::from_env(),
    });
    app.set_policy(Policy::new(config, first));
    app.set_oauth2(first.oauth2().is_some());
    app.set_notify(NotifyPolicy::new(config));
    workers.send(app.open_account(), start);
    app.set_compose(ComposeSettings::new(config, first));
    for (account, _) in &accounts[1..] {
        let (id, start) = app.add_account(Profile {
            name: account.name.clone(),
            default_folder: account.default_folder.clone(),
            policy: Policy::new(config, account),
            compose: ComposeSettings::new(config, account),
            oauth2: account.oauth2().is_some(),
        });
        workers.send(id, start);
    }

    let setup = (|| {
        let guard = terminal::TerminalGuard::enter(config.mouse)?;
        terminal::install_panic_hook();
        let term = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
        let input = term_input::spawn()?;
        Ok((guard, term, input))
    })();
    let (guard, mut term, input) = match setup {
        Ok(t) => t,
        Err(e) => {
            workers.shutdown();
            return Err(tty(e));
        }
    };
    tracing::debug!("timing: terminal ready");
    let accounts: Vec<Account> = accounts.into_iter().map(|(a, _)| a).collect();
    let result = event_loop(&mut term, &mut app, &workers, &input, &accounts);
    drop(input);
    drop(term);
    drop(guard);
    workers.shutdown();
    result
}

fn event_loop(
    term: &mut Terminal<CrosstermBackend<std::io::Stdout>>,
    app: &mut App,
    workers: &Workers,
    input: &term_input::Input,
    accounts: &[Account],
) -> Result<()> {
    let draw_err = |e: std::io::Error| Error::Io(format!("cannot draw: {e}"));
    // Swapped for a channel that never fires once every sender is gone, so select! does not
    // spin.
    let mut events = workers.events.clone();
    let mut sent = workers.sent.clone();
    // While the editor runs: its verdict comes here, and no key is read nor frame drawn.
    let mut editor: Option<Receiver<Result<Edited>>> = None;
    // An OAuth2 sign-in in the browser, while one is under way.
    let mut signing: Receiver<SignIn> = never();
    let keys = input.events.clone();
    // Parts being opened: their viewers are chosen, and text-only ones run, on threads.
    let (opening, opened) = crossbeam_channel::unbounded();
    // Thread builds and sorts, on threads of their own (~100 ms at 100 000 messages).
    let (jobs, done) = crossbeam_channel::unbounded();
    let mut rows_drawn = false;
    let mut drawn_at: Option<Instant> = None;
    // When a frame held back by FRAME_INTERVAL is drawn, if no key comes first.
    let mut held: Option<Instant> = None;
    // A sync's rows that came while that frame is held.
    let mut batch = Batch::default();
    loop {
        // Whether this turn draws at once: anything but worker events does.
        let mut urgent = true;
        let tick = held.map_or_else(never, crossbeam_channel::at);
        // Commands are tagged with the account open when they were made: a key that opens
        // another account makes the next ones for that account.
        let mut cmds = Routed::default();
        let typed = if editor.is_some() {
            never()
        } else {
            keys.clone()
        };
        let edited = editor.clone().unwrap_or_else(never);
        // A job being copied, a slice per frame: the next slice is due at once.
        let copying = if app.copying() {
            crossbeam_channel::after(Duration::ZERO)
        } else {
            never()
        };
        // Anything but a worker event (or the held frame's tick) may read the list, so the
        // rows held back go in first.
        select! {
            recv(typed) -> ev => match ev {
                Ok(Received::Term(ev)) => {
                    settle(app, &mut cmds, &mut batch);
                    cmds.push(on_input(app, ev), app);
                }
                Ok(Received::Terminate) => return Ok(()),
                Err(_) => return Err(Error::Io("terminal input stopped".into())),
            },
            recv(events) -> ev => match ev {
                Ok(ev) => {
                    urgent = app.brings_awaited(ev.0, ev.1.as_ref());
                    receive(app, &mut cmds, &mut batch, ev, rows_drawn && !urgent);
                }
                Err(_) => events = never(),
            },
            recv(tick) -> _ => held = None,
            recv(sent) -> ev => match ev {
                Ok(ev) => {
                    settle(app, &mut cmds, &mut batch);
                    let follow = app.on_send_event(ev);
                    cmds.push(follow, app);
                }
                Err(_) => sent = never(),
            },
            recv(signing) -> ev => match ev {
                Ok(SignIn::Url(url)) => app.sign_in_url(&url),
                Ok(SignIn::Done(result)) => {
                    settle(app, &mut cmds, &mut batch);
                    signing = never();
                    cmds.push(app.signed_in(result), app);
                }
                Err(_) => signing = never(),
            },
            recv(opened) -> ev => {
                if let Ok(ev) = ev {
                    settle(app, &mut cmds, &mut batch);
                    app.on_opened(ev);
                }
            },
            recv(copying) -> _ => {},
            recv(done) -> done => {
                if let Ok(done) = done {
                    settle(app, &mut cmds, &mut batch);
                    let follow = app.job_done(done);
                    cmds.push(follow, app);
                }
            },
            recv(edited) -> result => {
                settle(app, &mut cmds, &mut batch);
                editor = None;
                terminal::resume().map_err(|e| Error::Io(format!("cannot take the terminal back: {e}")))?;
                // The editor drew over everything, and the window may have changed size.
                // Cleared before input resumes: clearing asks the terminal where the cursor
                // is, and the answer must not race the input thread's blocking read for it.
                term.clear().map_err(draw_err)?;
                input.resume();
                let result = result.unwrap_or_else(|_| Err(Error::Io("the editor thread ended".into())));
                app.on_edited(result);
            },
        }
        // What is already queued is applied before the one draw below: every key, and worker
        // events for up to a frame's time.
        let frame_due = Instant::now() + FRAME_BUDGET;
        if editor.is_none() {
            while let Ok(ev) = keys.try_recv() {
                urgent = true;
                settle(app, &mut cmds, &mut batch);
                match ev {
                    Received::Term(ev) => cmds.push(on_input(app, ev), app),
                    Received::Terminate => return Ok(()),
                }
            }
        }
        // A folder's first rows are drawn as soon as they are in, not after a frame's worth of
        // the rows that follow them.
        let rows_due =
            |app: &App| !rows_drawn && app.mailbox().is_some_and(|m| !m.summaries.is_empty());
        while Instant::now() < frame_due
            && !rows_due(app)
            && let Ok(ev) = events.try_recv()
        {
            let awaited = app.brings_awaited(ev.0, ev.1.as_ref());
            urgent |= awaited;
            receive(app, &mut cmds, &mut batch, ev, rows_drawn && !awaited);
        }
        // Decided once: rows held back stay held only while this turn's frame is.
        let first_rows = rows_due(app);
        let hold_frame =
            !urgent && !first_rows && drawn_at.is_some_and(|at| at.elapsed() < FRAME_INTERVAL);
        if !hold_frame {
            settle(app, &mut cmds, &mut batch);
        }
        while let Ok(ev) = sent.try_recv() {
            let follow = app.on_send_event(ev);
            cmds.push(follow, app);
        }
        // The message is written from the open account, so its send thread sends it.
        let sender = workers.sender(app.open_account());
        for cmd in app.take_send() {
            let req = match &cmd {
                SendCmd::Submit { req, .. } => Some(*req),
                _ => None,
            };
            // A password for a thread that is gone has nothing to send with; nothing is lost.
            let matters = !matches!(cmd, SendCmd::Password(_));
            if sender.is_none_or(|s| s.commands.send(cmd).is_err()) && matters {
                let text =
                    "tern cannot send now (no outbox, or its thread stopped); the draft is kept";
                let failed = app.on_send_event(SendEvent::Failed {
                    req,
                    text: text.into(),
                });
                cmds.push(failed, app);
            }
        }
        if app.take_sign_in()
            && let Some(account) = accounts.get(app.open_account().0)
        {
            signing = sign_in::start(account.clone());
        }
        cmds.0
            .extend(app.take_routed().into_iter().map(|(a, c)| (a, vec![c])));
        for (account, cmds) in cmds.0 {
            workers.send(account, cmds);
        }
        if app.should_quit() {
            return Ok(());
        }
        if editor.is_none()
            && let Some(file) = app.take_edit()
        {
            input.pause();
            terminal::suspend();
            editor = Some(run_editor(file));
            continue;
        }
        if editor.is_some() {
            continue;
        }
        if let Some(job) = app.take_open_job() {
            job.spawn(opening.clone());
        }
        for job in app.take_jobs() {
            spawn_job(job, jobs.clone());
        }
        if let Some(run) = app.take_viewer() {
            // A viewer that needs the terminal has it to itself until it exits; worker events
            // wait in their channel meanwhile.
            input.pause();
            terminal::suspend();
            let status = run.command().and_then(|mut c| c.status());
            terminal::resume()
                .map_err(|e| Error::Io(format!("cannot take the terminal back: {e}")))?;
            // Cleared before input resumes, as after the editor.
            term.clear().map_err(draw_err)?;
            input.resume();
            app.viewer_done(&run, status);
        }
        if let Some(at) = drawn_at
            && hold_frame
        {
            held.get_or_insert(at + FRAME_INTERVAL);
            continue;
        }
        term.draw(|frame| {
            app.prepare(frame.area());
            views::draw(frame, app);
        })
        .map_err(draw_err)?;
        drawn_at = Some(Instant::now());
        held = None;
        if first_rows {
            rows_drawn = true;
            tracing::debug!("timing: first frame with rows");
        }
        if let Some(cmd) = app.fetch_visible() {
            workers.send(app.open_account(), vec![cmd]);
        }
        if app.take_bell() {
            ring(term.backend_mut()).map_err(draw_err)?;
        }
    }
}

/// Runs the editor on `file` on a thread of its own, so worker events are still applied
/// while it runs; the verdict arrives on the returned channel.
fn run_editor(file: PathBuf) -> Receiver<Result<Edited>> {
    let (tx, rx) = crossbeam_channel::bounded(1);
    let spawned = std::thread::Builder::new().name("editor".into()).spawn({
        let tx = tx.clone();
        move || {
            let _ = tx.send(editor::edit(&file));
        }
    });
    if let Err(e) = spawned {
        let _ = tx.send(Err(Error::Io(format!("cannot start the editor: {e}"))));
    }
    rx
}

/// Runs a job (a thread build, a sort) on a thread of its own; the result arrives on `done`.
/// Without a thread (the system out of them) the job runs here: slower to show, but the view
/// still works.
fn spawn_job(job: Job, done: Sender<Done>) {
    let job = std::sync::Arc::new(std::sync::Mutex::new(Some(job)));
    let spawned = std::thread::Builder::new().name("job".into()).spawn({
        let (job, done) = (job.clone(), done.clone());
        move || {
            if let Some(job) = job.lock().ok().and_then(|mut j| j.take()) {
                let _ = done.send(job.run());
            }
        }
    });
    if spawned.is_err()
        && let Some(job) = job.lock().ok().and_then(|mut j| j.take())
    {
        let _ = done.send(job.run());
    }
}

fn ring(out: &mut impl std::io::Write) -> std::io::Result<()> {
    out.write_all(b"\x07")?;
    out.flush()
}

fn on_input(app: &mut App, ev: TermEvent) -> Vec<Cmd> {
    match ev {
        TermEvent::Key(key) => app.on_key(key),
        TermEvent::Mouse(mouse) => app.on_mouse(mouse),
        // A resize needs no state change: the next draw lays out for the new size, and the
        // selection is held by UID.
        _ => Vec::new(),
    }
}

/// A worker's event, to the app as its account's; a stopped worker is said once.
/// A worker event, applied now, or held with the sync's rows held back when `hold`.
fn receive(app: &mut App, cmds: &mut Routed, batch: &mut Batch, ev: Tagged, hold: bool) {
    if hold {
        for due in batch.hold(ev) {
            on_worker(app, cmds, due);
        }
    } else {
        settle(app, cmds, batch);
        on_worker(app, cmds, ev);
    }
}

/// Applies the rows held back, before anything that reads the list.
fn settle(app: &mut App, cmds: &mut Routed, batch: &mut Batch) {
    if let Some(ev) = batch.take() {
        on_worker(app, cmds, ev);
    }
}

fn on_worker(app: &mut App, cmds: &mut Routed, (account, ev): Tagged) {
    match ev {
        Some(ev) => {
            let follow = app.on_account_event(account, ev);
            // Follow-ups are for the worker that spoke (a parked account makes none).
            cmds.0.push((account, follow));
        }
        None => {
            let name = app.accounts().name(account).to_string();
            app.status.complain(format!(
                "The worker of account {name} stopped; quit and restart tern"
            ));
        }
    }
}

/// Commands in the order they were made, each batch with the account it is for.
#[derive(Default)]
struct Routed(Vec<(AccountId, Vec<Cmd>)>);

impl Routed {
    /// `cmds` were made by the app just now: they are for the account open now.
    fn push(&mut self, cmds: Vec<Cmd>, app: &App) {
        if !cmds.is_empty() {
            self.0.push((app.open_account(), cmds));
        }
    }
}

/// What `tern` says when there is no config file yet, instead of an error.
pub fn missing_config_message(path: &Path) -> String {
    format!(
        "tern has no configuration yet.\n\n\
         To use your own mail account, run\n  tern config init\n\
         which writes the documented example to\n  {}\n\
         then fill in your server and login (every setting is explained in it),\n\
         or pass another file with --config PATH.\n\n\
         To try tern first on a local demo mailbox, run\n  tern demo\n\
         (or scripts/demo from a source checkout).\n",
        path.display()
    )
}
