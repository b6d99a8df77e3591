//! Terminal input on its own thread, so the UI thread only ever waits in one `select!`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossbeam_channel::{Receiver, unbounded};
use crossterm::event::{self, Event, MouseEventKind};

/// How often the thread checks whether it should stop.
const POLL: Duration = Duration::from_millis(100);

/// Sets `stop` on drop, so the thread ends with the UI whatever path the UI leaves by.
pub struct Input {
    pub events: Receiver<Event>,
    stop: Arc<AtomicBool>,
}

impl Drop for Input {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

pub fn spawn() -> std::io::Result<Input> {
    let (tx, rx) = unbounded();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
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
    Ok(Input { events: rx, stop })
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
