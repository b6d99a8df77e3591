//! Shared test support: a seeded private Dovecot plus a tern config pointing at it, and a
//! way to run the real `tern` binary against them.

#![allow(dead_code)] // each test binary uses a different subset

pub mod accounts;
pub mod authz;
pub mod dovecot;
pub mod fake_smtp;
pub mod gate;
pub mod mta;
pub mod pop3_fake;
pub mod scripted;
pub mod tmux;
pub mod ui;
pub mod watched;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dovecot::{SeedReport, seed_fixtures};
use tern::devserver::{Dovecot, DovecotOptions};

pub struct Env {
    pub server: Dovecot,
    pub seed: SeedReport,
    pub home: tempfile::TempDir,
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

impl Env {
    pub fn start() -> Env {
        Env::with(DovecotOptions::default())
    }

    pub fn with(opts: DovecotOptions) -> Env {
        let server = Dovecot::start(opts).expect("start dovecot");
        let seed = seed_fixtures(&server, "alice", &fixtures()).expect("seed fixtures");
        let home = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(home.path().join("downloads")).expect("downloads dir");
        Env { server, seed, home }
    }

    pub fn downloads(&self) -> PathBuf {
        self.home.path().join("downloads")
    }

    /// Writes a config with one account; `extra` lines are appended to the account table.
    pub fn config(&self, extra: &str) -> PathBuf {
        let path = self.home.path().join("config.toml");
        let text = format!(
            "download_dir = \"{}\"\n\n[[account]]\nname = \"test\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nusername = \"alice\"\npassword_env = \"TERN_TEST_PASSWORD\"\nconnect_timeout_secs = 3\nread_timeout_secs = 10\n{extra}\n",
            self.downloads().display(),
            self.server.imap_port
        );
        std::fs::write(&path, text).expect("write config");
        path
    }

    /// Writes a config with two accounts, "home" on this server and "work" on `work`'s (the
    /// same user and password on both).
    pub fn config_with(&self, work: &Env) -> PathBuf {
        let account = |name: &str, port: u16| {
            format!(
                "[[account]]\nname = \"{name}\"\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nusername = \"alice\"\npassword_env = \"TERN_TEST_PASSWORD\"\nfrom = \"Alice <alice@{name}.example>\"\nconnect_timeout_secs = 3\nread_timeout_secs = 10\n\n"
            )
        };
        let path = self.home.path().join("config.toml");
        let text = format!(
            "download_dir = \"{}\"\n\n{}{}",
            self.downloads().display(),
            account("home", self.server.imap_port),
            account("work", work.server.imap_port)
        );
        std::fs::write(&path, text).expect("write config");
        path
    }

    pub fn uid(&self, folder: &str, fixture: &str) -> u32 {
        self.seed
            .uid(folder, fixture)
            .unwrap_or_else(|| panic!("{fixture} not seeded in {folder}"))
    }

    /// Runs tern with the default config and the right password.
    pub fn tern(&self, args: &[&str]) -> Run {
        let config = self.config("");
        tern_with(&config, "wonderland", args)
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub raw_stdout: Vec<u8>,
}

pub fn tern_with(config: &Path, password: &str, args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tern"));
    cmd.arg("--config").arg(config).args(args);
    cmd.env("TERN_TEST_PASSWORD", password);
    run(cmd)
}

pub fn run(mut cmd: Command) -> Run {
    // Keep logs and state out of the real home directory.
    let state = tempfile::tempdir().expect("tempdir");
    cmd.env("XDG_STATE_HOME", state.path())
        .env("XDG_CACHE_HOME", state.path());
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run tern");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        raw_stdout: stdout,
    }
}

impl Run {
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "tern failed: {}", self.stderr);
        self
    }

    pub fn rows(&self) -> Vec<Vec<String>> {
        self.stdout
            .lines()
            .map(|l| l.split('\t').map(String::from).collect())
            .collect()
    }
}
