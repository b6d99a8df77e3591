//! Sending a message with a 20 MB attachment: `tern send` (the release binary, through its
//! outbox, over implicit TLS) against a bare SMTP client (Python's smtplib, message already
//! in memory) on the same private Postfix, plus the peak RSS of each. Prints numbers:
//! `cargo bench --bench send`. Needs root, Postfix and dovecot-lmtpd (scripts/test installs
//! them).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tern::devserver::{Dovecot, DovecotOptions, Postfix, PostfixOptions};

const SMTPLIB: &str = r#"
import smtplib, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
data = open(sys.argv[2], 'rb').read()
with smtplib.SMTP_SSL('127.0.0.1', int(sys.argv[1]), context=ctx) as s:
    s.login('alice', 'wonderland')
    s.sendmail('alice@example.org', ['bob@example.org'], data)
"#;

fn main() {
    // Under `cargo test` (no --bench): one small run, as a smoke test of the harness.
    let benching = std::env::args().any(|a| a == "--bench");
    let (runs, attachment) = if benching {
        (3, 20 << 20)
    } else {
        (1, 1 << 20)
    };
    let dovecot = Dovecot::start(DovecotOptions {
        users: vec![
            ("alice".into(), "wonderland".into()),
            ("bob".into(), "builder".into()),
        ],
        ..DovecotOptions::default()
    })
    .expect("start dovecot");
    let postfix = Postfix::start(
        &dovecot,
        PostfixOptions {
            message_size_limit: 64 << 20,
            ..PostfixOptions::default()
        },
    )
    .expect("start postfix (root, postfix and dovecot-lmtpd needed: run scripts/test once)");
    let dir = tempfile::tempdir().expect("tempdir");
    let message = dir.path().join("message.eml");
    std::fs::write(&message, build_message(attachment)).expect("write message");
    let size = std::fs::metadata(&message).map_or(0, |m| m.len());
    println!(
        "message: {:.1} MB ({} MB attachment, base64), private Postfix over implicit TLS, {runs} runs each",
        size as f64 / 1e6,
        attachment >> 20
    );
    let port = postfix.smtps_port;
    for save_sent in [false, true] {
        let config = write_config(dir.path(), &dovecot, port, save_sent);
        let runs: Vec<(Duration, u64)> = (0..runs)
            .map(|_| {
                let mut cmd = Command::new(env!("CARGO_BIN_EXE_tern"));
                cmd.arg("--config")
                    .arg(&config)
                    .arg("send")
                    .arg(&message)
                    .env("XDG_STATE_HOME", dir.path().join("state"));
                let run = measure(cmd);
                wait_queue_empty(&postfix);
                run
            })
            .collect();
        let what = if save_sent {
            "tern send + Sent copy (APPEND)"
        } else {
            "tern send, save_sent = false"
        };
        report(what, &runs);
    }
    if Command::new("python3").arg("--version").output().is_ok() {
        let runs: Vec<(Duration, u64)> = (0..runs)
            .map(|_| {
                let mut cmd = Command::new("python3");
                cmd.arg("-c")
                    .arg(SMTPLIB)
                    .arg(port.to_string())
                    .arg(&message);
                let run = measure(cmd);
                wait_queue_empty(&postfix);
                run
            })
            .collect();
        report("python3 smtplib (bare client)", &runs);
    } else {
        println!("python3 not found: no bare-client comparison");
    }
}

fn report(what: &str, runs: &[(Duration, u64)]) {
    let mut times: Vec<f64> = runs.iter().map(|(d, _)| d.as_secs_f64()).collect();
    times.sort_by(f64::total_cmp);
    let rss = runs.iter().map(|(_, r)| *r).max().unwrap_or(0);
    println!(
        "{what:<34} median {:.3} s (min {:.3}, max {:.3}), peak RSS {:.1} MB",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        rss as f64 / 1024.0
    );
}

/// Wall time until the process exited successfully, and its peak RSS (KiB).
// Reaped with wait4 (which also returns its rusage), not Child::wait.
#[allow(clippy::zombie_processes)]
fn measure(mut cmd: Command) -> (Duration, u64) {
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id() as i32;
    let mut status = 0;
    // SAFETY: zeroed rusage is a valid value; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for the child spawned just above; pointers are to live locals.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let took = started.elapsed();
    assert_eq!(rc, pid, "wait4");
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let mut err = String::new();
        if let Some(mut e) = child.stderr {
            let _ = std::io::Read::read_to_string(&mut e, &mut err);
        }
        panic!("{cmd:?} failed ({status}): {err}");
    }
    (took, usage.ru_maxrss as u64)
}

fn write_config(dir: &Path, dovecot: &Dovecot, smtps: u16, save_sent: bool) -> std::path::PathBuf {
    let path = dir.join(format!("config-{save_sent}.toml"));
    let text = format!(
        "[[account]]\nname = \"bench\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nusername = \"alice\"\npassword = \"wonderland\"\nfrom = \"alice@example.org\"\nsave_sent = {save_sent}\n\n[account.smtp]\nhost = \"127.0.0.1\"\nport = {smtps}\naccept_invalid_certs = true\n",
        dovecot.imap_port
    );
    std::fs::write(&path, text).expect("write config");
    path
}

/// A multipart/mixed message with a short text and `size` bytes of (deterministic,
/// incompressible) binary attachment, base64 in 76-column lines.
fn build_message(size: usize) -> Vec<u8> {
    use base64::Engine as _;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let mut out = String::with_capacity(encoded.len() * 78 / 76 + 1024);
    out.push_str(
        "From: alice@example.org\r\nTo: bob@example.org\r\nSubject: 20 MB attachment\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nThe data, attached.\r\n--b\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"data.bin\"\r\n\r\n",
    );
    for line in encoded.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push_str("\r\n");
    }
    out.push_str("--b--\r\n");
    out.into_bytes()
}

fn wait_queue_empty(postfix: &Postfix) {
    let queue = postfix.dir.join("queue");
    let deadline = Instant::now() + Duration::from_secs(60);
    let busy = || {
        ["incoming", "active", "deferred", "maildrop"]
            .iter()
            .any(|sub| walk_has_file(&queue.join(sub)))
    };
    while busy() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn walk_has_file(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let p = e.path();
            if p.is_dir() { walk_has_file(&p) } else { true }
        })
    })
}
