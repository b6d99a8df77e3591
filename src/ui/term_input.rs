//! Terminal input on its own thread, so the UI thread only ever waits in one `select!`.
//!
//! The thread blocks in crossterm's `read` with no timeout, so an idle tern makes no wakeups.
//! To get its attention ([`Input::pause`], dropping the [`Input`]) tern raises SIGWINCH, which
//! crossterm's own handler turns into a `Resize` event that ends the wait (and costs one
//! redraw). SIGTERM and SIGHUP arrive on a signal thread of their own that also only blocks,
//! and tell the UI to end, which restores the terminal on the way. While an editor has the
//! terminal the thread is paused: it must not read the keys meant for the editor.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};
use crossterm::event::{self, Event, MouseEventKind};
use signal_hook::consts::{SIGHUP, SIGTERM, SIGWINCH};
use signal_hook::iterator::{Handle as SignalsHandle, Signals};

/// What the input thread passes on.
#[derive(Debug)]
pub enum Received {
    Term(Event),
    /// SIGTERM or SIGHUP: leave as if the user had quit.
    Terminate,
}

/// Sets `stop` and wakes the thread on drop, so it ends with the UI whatever path the UI
/// leaves by; the signal thread ends with it.
pub struct Input {
    pub events: Receiver<Received>,
    stop: Arc<AtomicBool>,
    control: Sender<Control>,
    signals: SignalsHandle,
}

enum Control {
    /// Stop reading; the sender is told once the thread no longer reads.
    Pause(Sender<()>),
    Resume,
}

impl Input {
    /// Stops reading the terminal; returns once the thread has stopped reading it, so nothing
    /// typed into the editor is taken.
    pub fn pause(&self) {
        let (ack_tx, ack_rx) = bounded(1);
        if self.control.send(Control::Pause(ack_tx)).is_ok() {
            wake_reader();
            // A thread that ended (input failed) acknowledges by dropping the sender.
            let _ = ack_rx.recv();
        }
    }

    pub fn resume(&self) {
        // A paused thread waits on the control channel alone: no wake-up needed.
        let _ = self.control.send(Control::Resume);
    }
}

impl Drop for Input {
    fn drop(&mut self) {
        self.signals.close();
        self.stop.store(true, Ordering::SeqCst);
        wake_reader();
    }
}

/// Ends a blocking crossterm `read` on whatever thread it runs: crossterm's SIGWINCH handler
/// makes it return a `Resize`.
fn wake_reader() {
    // SAFETY: raise only sends a signal to this thread; SIGWINCH's handler is crossterm's.
    unsafe {
        libc::raise(SIGWINCH);
    }
}

pub fn spawn() -> std::io::Result<Input> {
    let (tx, rx) = unbounded();
    let (control, control_rx) = unbounded();
    let stop = Arc::new(AtomicBool::new(false));
    // Sets up crossterm's reader (and its SIGWINCH handler) before anything can wake it;
    // an event read here stays queued inside crossterm for the thread.
    event::poll(Duration::ZERO)?;
    let mut signals = Signals::new([SIGTERM, SIGHUP])?;
    let handle = signals.handle();
    std::thread::Builder::new().name("signals".into()).spawn({
        let tx = tx.clone();
        move || {
            if signals.forever().next().is_some() {
                let _ = tx.send(Received::Terminate);
            }
        }
    })?;
    let stopped = Arc::clone(&stop);
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            if let Err(e) = read_loop(&stopped, &control_rx, &tx) {
                tracing::error!("terminal input failed: {e}");
            }
        })?;
    Ok(Input {
        events: rx,
        stop,
        control,
        signals: handle,
    })
}

fn read_loop(
    stop: &AtomicBool,
    control: &Receiver<Control>,
    tx: &Sender<Received>,
) -> std::io::Result<()> {
    while !stop.load(Ordering::SeqCst) {
        if let Ok(Control::Pause(ack)) = control.try_recv() {
            let _ = ack.send(());
            // Until resumed; a dropped Input ends the thread.
            loop {
                match control.recv() {
                    Ok(Control::Resume) => break,
                    Ok(Control::Pause(ack)) => {
                        let _ = ack.send(());
                    }
                    Err(_) => return Ok(()),
                }
            }
            continue;
        }
        let ev = event::read()?;
        if !is_noise(&ev) && tx.send(Received::Term(ev)).is_err() {
            break;
        }
    }
    Ok(())
}

/// Pointer motion, drags and button releases: tern acts on none of them, and with the mouse
/// captured they come by the dozen per second, each of which would wake the UI for a frame.
fn is_noise(ev: &Event) -> bool {
    matches!(
        ev,
        Event::Mouse(m) if matches!(
            m.kind,
            MouseEventKind::Moved | MouseEventKind::Drag(_) | MouseEventKind::Up(_)
        )
    )
}
