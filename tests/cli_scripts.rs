//! What scripts meet at the command line's edges, against a real Dovecot: a reader that
//! closes the pipe early, UIDs that do not exist, an output directory that does not exist.

mod support;

use std::process::{Command, Stdio};

use support::Env;

fn uids(env: &Env, folder: &str) -> Vec<String> {
    env.tern(&["list", folder])
        .ok()
        .rows()
        .into_iter()
        .map(|r| r[0].clone())
        .collect()
}

#[test]
fn a_closed_pipe_ends_tern_quietly() {
    let env = Env::start();
    let state = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tern"))
        .arg("--config")
        .arg(env.config(""))
        .args(["list", "INBOX"])
        .env("TERN_TEST_PASSWORD", "wonderland")
        .env("XDG_STATE_HOME", state.path())
        .env("XDG_CACHE_HOME", state.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // As `| head -0` would: the reader is gone before the first row is written.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn a_missing_uid_is_an_error_and_nothing_changes() {
    let env = Env::start();
    let inbox = uids(&env, "INBOX");
    let archive = uids(&env, "Archive");
    let first = inbox.last().unwrap().clone();

    let run = env.tern(&["move", "INBOX", "99999", "Archive"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("99999"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    // One good UID with a bad one: the good one is not moved either.
    let set = format!("{first},99998:99999");
    let run = env.tern(&["move", "INBOX", &set, "Archive"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("99998:99999"), "{}", run.stderr);
    for args in [
        ["mark", "INBOX", "99999", "+flagged"],
        ["delete", "INBOX", "99999", ""],
        ["copy", "INBOX", "99999", "Archive"],
    ] {
        let args: Vec<&str> = args.into_iter().filter(|a| !a.is_empty()).collect();
        let run = env.tern(&args);
        assert_eq!(run.code, 1, "{args:?}");
        assert!(
            run.stderr.contains("no message with UID 99999"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(uids(&env, "INBOX"), inbox);
    assert_eq!(uids(&env, "Archive"), archive);
}

#[test]
fn a_missing_output_directory_is_named() {
    let env = Env::start();
    let uid = uids(&env, "INBOX").last().unwrap().clone();
    let gone = env.home.path().join("missing/dir/");
    let run = env.tern(&["save", "INBOX", &uid, "1", "-o", gone.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains(&format!("no such directory: {}", gone.display())),
        "{}",
        run.stderr
    );
}

#[test]
fn tern_does_not_put_its_own_words_in_the_servers_mouth() {
    let env = Env::start();
    let run = env.tern(&["rmdir", "Work", "--yes"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("Work has subfolders"), "{}", run.stderr);
    assert!(!run.stderr.contains("server said"), "{}", run.stderr);
    // The server's own refusal still says whose words they are.
    let run = env.tern(&["list", "Nope"]);
    assert!(run.stderr.contains("server said"), "{}", run.stderr);
}

#[test]
fn config_init_writes_the_example_once() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("conf/tern/config.toml");
    let init = |path: &std::path::Path| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tern"));
        cmd.arg("--config").arg(path).args(["config", "init"]);
        support::run(cmd)
    };
    let run = init(&path).ok();
    assert_eq!(run.stdout.trim(), path.display().to_string());
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("[[account]]"), "{written}");
    std::fs::write(&path, "mine").unwrap();
    let again = init(&path);
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("not overwriting"), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
    // The missing-config error points at the command.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tern"));
    cmd.arg("--config")
        .arg(home.path().join("none.toml"))
        .arg("folders");
    let run = support::run(cmd);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("tern config init"), "{}", run.stderr);
}

#[test]
fn config_init_with_an_address_writes_a_private_config_for_its_provider_once() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let init = |path: &std::path::Path, email: &str| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tern"));
        cmd.arg("--config")
            .arg(path)
            .args(["config", "init", "--email", email]);
        support::run(cmd)
    };
    let path = home.path().join("gmail/config.toml");
    let run = init(&path, "me@gmail.com").ok();
    assert_eq!(run.stdout.trim(), path.display().to_string());
    assert!(run.stderr.contains("tern login"), "{}", run.stderr);
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(
        written.contains("email = \"me@gmail.com\"") && written.contains("provider = \"gmail\""),
        "{written}"
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let again = init(&path, "other@163.com");
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("not overwriting"), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), written);

    let path = home.path().join("netease/config.toml");
    let run = init(&path, "me@163.com").ok();
    assert!(run.stderr.contains("授权码"), "{}", run.stderr);
    let path = home.path().join("unknown/config.toml");
    let run = init(&path, "me@example.org").ok();
    assert!(run.stderr.contains("not in tern's table"), "{}", run.stderr);
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(
        written.contains("username = \"me@example.org\""),
        "{written}"
    );
    let bad = init(&home.path().join("bad/config.toml"), "nobody");
    assert_eq!(bad.code, 2);
    assert!(!home.path().join("bad/config.toml").exists());
}
