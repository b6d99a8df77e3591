//! Running the real `tern` binary with its peak memory and time watched, for the hostile
//! tests: a failure must be exit 1 with one `tern: ...` line, within bounded memory.

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The longest a run may take before it is killed (and the test fails on its exit status).
pub const DEADLINE: Duration = Duration::from_secs(60);

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Peak resident set of the tern process (VmHWM), in KiB.
    pub max_rss_kib: u64,
    pub took: Duration,
}

pub fn run_tern(config: &Path, home: &Path, args: &[&str]) -> Run {
    run_tern_as(config, home, "secret", args)
}

/// [`run_tern`] with `password` in `TERN_TEST_PASSWORD` (a seeded Dovecot's is `wonderland`).
pub fn run_tern_as(config: &Path, home: &Path, password: &str, args: &[&str]) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tern"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("TERN_TEST_PASSWORD", password)
        .env("XDG_STATE_HOME", home)
        .env("XDG_CACHE_HOME", home)
        .env("HOME", home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tern");
    let pid = child.id();
    let read_all = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = r.read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let out = read_all(Box::new(child.stdout.take().unwrap()));
    let err = read_all(Box::new(child.stderr.take().unwrap()));
    // Poll until it exits: its own peak memory is VmHWM in /proc while it runs (after exit
    // the kernel keeps only ru_maxrss, which also counts this process's peak at spawn time).
    let deadline = Instant::now() + DEADLINE;
    let mut max_rss_kib = 0;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for tern") {
            break status;
        }
        if let Some(hwm) = vm_hwm_kib(pid) {
            max_rss_kib = max_rss_kib.max(hwm);
        }
        if Instant::now() > deadline {
            // A hung tern: the test then fails on the exit status.
            let _ = child.kill();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let code = status
        .code()
        .unwrap_or_else(|| -status.signal().unwrap_or(0));
    Run {
        code,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        max_rss_kib,
        took: started.elapsed(),
    }
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Exit code 1 and exactly one `tern: ...` line on stderr, without panic text.
pub fn assert_clean_failure(run: &Run) -> String {
    assert_eq!(run.code, 1, "exit code; stderr: {}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "stderr: {}", run.stderr);
    assert!(lines[0].starts_with("tern: "), "{}", lines[0]);
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("internal error"),
        "{}",
        run.stderr
    );
    lines[0].to_string()
}

/// The run stayed under `mib` MiB of resident memory.
pub fn assert_peak_under(run: &Run, mib: u64) {
    assert!(
        run.max_rss_kib < mib * 1024,
        "tern peaked at {} MiB",
        run.max_rss_kib / 1024
    );
}

/// Runs `tern` with `config` as its config file, in a fresh home directory.
pub fn run_with_config(config: &str, args: &[&str]) -> Run {
    let home = tempfile::tempdir().expect("tempdir");
    let path = home.path().join("config.toml");
    std::fs::write(&path, config).expect("write config");
    run_tern(&path, home.path(), args)
}
