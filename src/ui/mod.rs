//! The interactive client (`tern` with no command).
//!
//! Three sources feed one loop on the UI thread: terminal input (its own thread), the IMAP
//! worker's events, and a tick. The loop waits in `select!`, drains everything already queued,
//! updates the [`app::App`], and then draws once — so a burst of summary chunks costs one frame,
//! and a key press is answered by the next frame without waiting for the network (commands go
//! to the worker over an unbounded channel and never block).

pub mod action;
pub mod app;
mod commands;
mod document;
mod events;
pub mod filter;
pub mod folder_pane;
mod folder_tree;
pub mod help;
mod input;
pub mod keymap;
pub mod layout;
mod links;
pub mod message_list;
mod mouse;
pub mod notify;
pub mod overlays;
pub mod parts;
pub mod picker;
pub mod prompt;
pub mod reader;
pub mod requests;
mod rows;
pub mod search;
pub mod status;
mod term_input;
mod terminal;
pub mod triage;
pub mod views;
mod wrap;

use std::path::Path;
use std::time::Duration;

use crossbeam_channel::{Receiver, never, select, tick};
use crossterm::event::Event as TermEvent;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::config::theme::Theme;
use crate::config::{Account, Config};
use crate::error::{Error, Result};
use crate::imap::worker::Handle;
use crate::msg::Cmd;
use crate::ui::app::{App, Settings};
use crate::ui::keymap::Keymap;
use crate::ui::notify::NotifyPolicy;
use crate::ui::triage::Policy;

/// Redraw at least this often, so time-based state (and a SIGTERM) is noticed while idle.
const TICK: Duration = Duration::from_millis(250);
/// How long quitting waits for the worker to log out before leaving it behind.
const LOGOUT_WAIT: Duration = Duration::from_secs(2);

/// Runs the TUI for `account` until the user quits. The terminal is restored on every way out.
pub fn run(config: &Config, account: Account, password: String) -> Result<()> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = Theme::from_table(&config.theme, no_color).map_err(Error::Config)?;
    let keymap = Keymap::new(&config.keys);
    let tty = |e: std::io::Error| Error::Io(format!("cannot use the terminal: {e}"));

    let guard = terminal::TerminalGuard::enter(config.mouse).map_err(tty)?;
    terminal::install_panic_hook();
    terminal::install_signal_handlers();
    let mut term = Terminal::new(CrosstermBackend::new(std::io::stdout())).map_err(tty)?;
    let size = term.size().map_err(tty)?;
    let input = term_input::spawn().map_err(tty)?;

    let handle = crate::backend::spawn(account.clone(), password);
    let (mut app, start) = App::new(Settings {
        account: account.name.clone(),
        default_folder: account.default_folder.clone(),
        download_dir: config.download_dir(),
        keymap,
        theme,
        size: (size.width, size.height),
        launcher: Box::new(|target| open::that_detached(target)),
    });
    app.set_policy(Policy::new(config, &account));
    app.set_notify(NotifyPolicy::new(config));
    send(&handle, start);
    let result = event_loop(&mut term, &mut app, &handle, &input.events);
    drop(input);
    drop(term);
    drop(guard);
    shutdown(handle);
    result
}

fn event_loop(
    term: &mut Terminal<CrosstermBackend<std::io::Stdout>>,
    app: &mut App,
    handle: &Handle,
    input: &Receiver<TermEvent>,
) -> Result<()> {
    let draw_err = |e: std::io::Error| Error::Io(format!("cannot draw: {e}"));
    let ticker = tick(TICK);
    // Swapped for a channel that never fires once the worker is gone, so select! does not spin.
    let mut events = handle.events.clone();
    loop {
        let mut cmds = Vec::new();
        select! {
            recv(input) -> ev => match ev {
                Ok(ev) => cmds.extend(on_input(app, ev)),
                Err(_) => return Err(Error::Io("terminal input stopped".into())),
            },
            recv(events) -> ev => match ev {
                Ok(ev) => cmds.extend(app.on_event(ev)),
                Err(_) => {
                    events = never();
                    app.status
                        .complain("The IMAP worker stopped; quit and restart tern");
                }
            },
            recv(ticker) -> _ => {}
        }
        // Everything already queued is applied before the one draw below.
        while let Ok(ev) = input.try_recv() {
            cmds.extend(on_input(app, ev));
        }
        while let Ok(ev) = events.try_recv() {
            cmds.extend(app.on_event(ev));
        }
        send(handle, cmds);
        if app.should_quit() || terminal::terminate_requested() {
            return Ok(());
        }
        term.draw(|frame| {
            app.prepare(frame.area());
            views::draw(frame, app);
        })
        .map_err(draw_err)?;
        if app.take_bell() {
            ring(term.backend_mut()).map_err(draw_err)?;
        }
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

fn send(handle: &Handle, cmds: Vec<Cmd>) {
    for cmd in cmds {
        if handle.commands.send(cmd).is_err() {
            tracing::error!("the IMAP worker is gone; command dropped");
        }
    }
}

/// Asks the worker to log out, but does not keep the user waiting on a slow server: the
/// terminal is already restored, and after `LOGOUT_WAIT` the process just exits.
fn shutdown(handle: Handle) {
    let (done_tx, done_rx) = crossbeam_channel::bounded::<()>(1);
    let spawned = std::thread::Builder::new()
        .name("logout".into())
        .spawn(move || {
            handle.shutdown();
            let _ = done_tx.send(());
        });
    if spawned.is_ok() {
        let _ = done_rx.recv_timeout(LOGOUT_WAIT);
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
