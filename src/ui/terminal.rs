//! Owning the terminal: raw mode, the alternate screen and (if configured) mouse capture while
//! tern runs, and the way back on every exit path — normal return and error (the guard's
//! Drop), panic (a hook that runs before the previous one), SIGTERM and SIGHUP (the input thread
//! tells the main loop, which then returns through the guard). An editor borrows it in between
//! ([`suspend`], [`resume`]).

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::Show;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::queue;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

/// Whether the mouse is captured now: read by [`restore`], which the panic hook calls without
/// a guard at hand.
static MOUSE: AtomicBool = AtomicBool::new(false);

/// Raw mode, the alternate screen and maybe the mouse for as long as it lives.
pub struct TerminalGuard(());

impl TerminalGuard {
    pub fn enter(mouse: bool) -> io::Result<TerminalGuard> {
        enable_raw_mode()?;
        // From here on a failure must still undo raw mode, so build the guard first.
        let guard = TerminalGuard(());
        MOUSE.store(mouse, Ordering::SeqCst);
        write_enter(&mut io::stdout(), mouse)?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Releases the mouse, leaves the alternate screen, ends raw mode and shows the cursor; safe to
/// call twice.
pub fn restore() {
    let _ = write_leave(&mut io::stdout(), MOUSE.load(Ordering::SeqCst));
    let _ = disable_raw_mode();
}

/// Gives the terminal to another program (the editor): as [`restore`] does.
pub fn suspend() {
    restore();
}

/// Takes the terminal back after [`suspend`]: raw mode, the alternate screen, the mouse.
pub fn resume() -> io::Result<()> {
    enable_raw_mode()?;
    write_enter(&mut io::stdout(), MOUSE.load(Ordering::SeqCst))
}

/// What entering writes once raw mode is on.
fn write_enter(out: &mut impl Write, mouse: bool) -> io::Result<()> {
    queue!(out, EnterAlternateScreen)?;
    if mouse {
        queue!(out, EnableMouseCapture)?;
    }
    out.flush()
}

/// What leaving writes, in the reverse order; each step is tried even if one before failed.
fn write_leave(out: &mut impl Write, mouse: bool) -> io::Result<()> {
    let released = if mouse {
        queue!(out, DisableMouseCapture)
    } else {
        Ok(())
    };
    let left = queue!(out, LeaveAlternateScreen, Show);
    let flushed = out.flush();
    released.and(left).and(flushed)
}

/// Restores the terminal before the existing hook prints anything. Only for panics on the UI
/// thread: the worker recovers from its own panics and the screen must stay as it is then.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("main") {
            restore();
        }
        previous(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Normal mouse tracking on (`?1000h`) and its SGR coordinates (`?1006h`), or off.
    const MOUSE_ON: &str = "\x1b[?1000h";
    const MOUSE_OFF: &str = "\x1b[?1000l";
    const SGR_OFF: &str = "\x1b[?1006l";

    fn enter(mouse: bool) -> String {
        let mut out = Vec::new();
        write_enter(&mut out, mouse).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn leave(mouse: bool) -> String {
        let mut out = Vec::new();
        write_leave(&mut out, mouse).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn mouse_is_captured_and_released_only_when_configured() {
        let (on, off) = (enter(true), leave(true));
        assert!(
            on.starts_with("\x1b[?1049h"),
            "alternate screen first: {on:?}"
        );
        assert!(on.contains(MOUSE_ON), "{on:?}");
        assert!(off.contains(MOUSE_OFF) && off.contains(SGR_OFF), "{off:?}");
        let released = off.find(MOUSE_OFF).unwrap_or(usize::MAX);
        let left = off.find("\x1b[?1049l").unwrap_or(0);
        assert!(released < left, "the mouse goes before the screen: {off:?}");

        let (on, off) = (enter(false), leave(false));
        for seq in [on, off.clone()] {
            assert!(
                !seq.contains("\x1b[?100") && !seq.contains("?1015"),
                "{seq:?}"
            );
        }
        assert!(
            off.contains("\x1b[?1049l") && off.contains("\x1b[?25h"),
            "{off:?}"
        );
    }
}
