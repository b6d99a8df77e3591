//! Terminal input on its own thread, so the UI thread only ever waits in one `select!`.
//! While an editor has the terminal the thread is paused: it must not read the keys meant
//! for the editor.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};
use crossterm::event::{self, Event, MouseEventKind};

/// How often the thread checks whether it should stop.
const POLL: Duration = Duration::from_millis(100);

/// Sets `stop` on drop, so the thread ends with the UI whatever path the UI leaves by.
pub struct Input {
    pub events: Receiver<Event>,
    stop: Arc<AtomicBool>,
    control: Sender<Control>,
}

enum Control {
    /// Stop reading; the sender is told once the thread no longer polls.
    Pause(Sender<()>),
    Resume,
}

impl Input {
    /// Stops reading the terminal; returns once the thread has stopped polling it (at most
    /// one poll interval), so nothing typed into the editor is taken.
    pub fn pause(&self) {
        let (ack_tx, ack_rx) = bounded(1);
        if self.control.send(Control::Pause(ack_tx)).is_ok() {
            // A thread that ended (input failed) acknowledges by dropping the sender.
            let _ = ack_rx.recv();
        }
    }

    pub fn resume(&self) {
        let _ = self.control.send(Control::Resume);
    }
}

impl Drop for Input {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

pub fn spawn() -> std::io::Result<Input> {
    let (tx, rx) = unbounded();
    let (control, control_rx) = unbounded();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
                if let Ok(Control::Pause(ack)) = control_rx.try_recv() {
                    let _ = ack.send(());
                    // Until resumed; a dropped Input ends the thread.
                    loop {
                        match control_rx.recv() {
                            Ok(Control::Resume) => break,
                            Ok(Control::Pause(ack)) => {
                                let _ = ack.send(());
                            }
                            Err(_) => return,
                        }
                    }
                    continue;
                }
                match event::poll(POLL) {
                    Ok(false) => {}
                    Ok(true) => match event::read() {
                        Ok(ev) if is_noise(&ev) => {}
                        Ok(ev) => {
                            if tx.send(ev).is_err() {
                                break;
                            }
                        }
                        Err(e) => {
                            tracing::error!("terminal input failed: {e}");
                            break;
                        }
                    },
                    Err(e) => {
                        tracing::error!("terminal input failed: {e}");
                        break;
                    }
                }
            }
        })?;
    Ok(Input {
        events: rx,
        stop,
        control,
    })
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
