//! `tern demo --serve`: keep the demo server up in the foreground for trying the CLI.

use std::io::Write as _;

use super::{Demo, PASSWORD, USER};
use crate::error::{Error, Result};

/// Prints how to reach the server, then waits for Ctrl-C, SIGTERM or SIGHUP. The caller
/// drops the [`Demo`] afterwards, which stops Dovecot.
pub fn serve(demo: &Demo) -> Result<()> {
    let config = demo.config_path.display();
    let text = format!(
        "demo server on 127.0.0.1:{} (user {USER}, password {PASSWORD}, no TLS), mail in {}\n\
         config: {config}\n\
         try:    tern --config {config} list INBOX --limit 10\n\
         send:   printf 'To: bob@example.org\\nSubject: hi\\n\\nhello\\n' | tern --config {config} send\n\
         \x20       (whoever it is addressed to, it lands in the demo's INBOX)\n\
         Ctrl-C stops the server.\n",
        demo.server.imap_port,
        demo.server.dir.display()
    );
    // Not println!: with stdout closed that panics; an error stops the server cleanly instead.
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::Io(format!("cannot write to standard output: {e}")))?;
    drop(out);
    wait_for_stop_signal()
}

/// Blocks the stop signals and waits for one synchronously: no handler ever runs, so there is
/// nothing async-signal-unsafe to get wrong, and the wait costs no CPU.
fn wait_for_stop_signal() -> Result<()> {
    // SAFETY: plain libc calls on a zeroed, then initialised, sigset_t owned by this frame.
    let rc = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, sig);
        }
        let mut rc = libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        if rc == 0 {
            let mut received = 0;
            rc = libc::sigwait(&set, &mut received);
        }
        rc
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(Error::Io(format!(
            "cannot wait for Ctrl-C: {}",
            std::io::Error::from_raw_os_error(rc)
        )))
    }
}
