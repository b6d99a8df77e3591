//! tern's own files on disk: private to the user whatever the umask, and tightened when an
//! older tern left them readable by others.

mod support;

use std::fs::{self, Permissions};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use support::scripted::{Script, Server};
use support::watched::run_tern;

fn mode(p: &Path) -> u32 {
    fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn cache_and_log_are_0600_in_0700_directories() {
    let server = Server::start(Script::new());
    let home = tempfile::tempdir().unwrap();
    // What an older tern left: a world-readable folder and log.
    let own = home.path().join("tern");
    fs::create_dir(&own).unwrap();
    fs::set_permissions(&own, Permissions::from_mode(0o755)).unwrap();
    fs::write(own.join("tern.log"), "old log\n").unwrap();
    fs::set_permissions(own.join("tern.log"), Permissions::from_mode(0o644)).unwrap();
    let config = home.path().join("config.toml");
    fs::write(&config, server.config("cache = true")).unwrap();
    let run = run_tern(&config, home.path(), &["list", "INBOX"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(mode(&own), 0o700);
    assert_eq!(mode(&own.join("tern.log")), 0o600);
    assert_eq!(mode(&own.join("fake.redb")), 0o600);
}

#[test]
fn a_new_cache_directory_is_0700() {
    let server = Server::start(Script::new());
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    fs::write(&config, server.config("cache = true")).unwrap();
    let run = run_tern(&config, home.path(), &["list", "INBOX"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(mode(&home.path().join("tern")), 0o700);
    assert_eq!(mode(&home.path().join("tern/fake.redb")), 0o600);
}
