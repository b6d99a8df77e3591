//! Process handling, which needs the module's own view of /proc; the rest of the devserver
//! is tested through its public API in tests/devserver.rs.

use std::time::Instant;

use super::*;

#[test]
fn stop_leaves_no_process_and_is_idempotent() {
    let t0 = Instant::now();
    let mut d = Dovecot::start(DovecotOptions::default()).unwrap();
    eprintln!("start took {:?}", t0.elapsed());
    let _s = d.session("alice").unwrap(); // spawns imap-login + imap
    let master = sys::read_proc(d.pid()).unwrap().0;
    let kids = sys::descendants(d.pid());
    assert!(kids.iter().any(|(_, c)| c == "imap"), "{kids:?}");
    let dir = d.dir.clone();
    let t0 = Instant::now();
    d.stop();
    eprintln!("stop took {:?}", t0.elapsed());
    d.stop();
    assert!(!sys::is_running(&master));
    assert!(kids.iter().all(|(p, _)| !sys::is_running(p)), "{kids:?}");
    drop(d);
    assert!(!dir.exists(), "temp dir should be removed on drop");
}
