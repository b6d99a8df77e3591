//! `cargo bench --bench pop3`: a private Dovecot's INBOX with 10 000 messages (or the counts
//! given as arguments), read over POP3 by the real `tern` binary. Prints, as medians:
//!
//! - cold login: from the process's start to logged in (TCP, STLS, CAPA, AUTH PLAIN);
//! - cold first screen: `tern list INBOX --limit 50` with an empty local store (login, UIDL,
//!   LIST and `TOP n 0` for the 50 newest only), from the process's start;
//! - cold full list: every header fetched (`TOP n 0` for all), from the process's start;
//! - warm first screen: the same `--limit 50` once the store holds the list (rows from the
//!   store before the server is asked);
//! - warm in sync: the whole list once the store holds it, until the server's UIDL and LIST
//!   confirmed it (no `TOP` needed), from the process's start.
//!
//! Under `cargo test --all-targets` it runs once on 200 messages, so the harness cannot rot.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use tern::devserver::{Dovecot, DovecotOptions};

#[path = "../tests/support/dovecot.rs"]
mod dovecot;
use dovecot::Seeding;

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let mut counts: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if counts.is_empty() {
        counts = vec![if benching { 10_000 } else { 200 }];
    }
    let runs = if benching { 5 } else { 1 };
    println!(
        "messages\tcold login ms\tcold first screen ms\tcold full list ms\twarm first screen ms\twarm in sync ms"
    );
    for n in counts {
        row(n, runs);
    }
}

fn row(count: usize, runs: usize) {
    let server = Dovecot::start(DovecotOptions::default()).expect("start dovecot");
    let seeded = Instant::now();
    // Dovecot makes INBOX's Maildir on first delivery; the rest is written straight into it.
    server
        .append("alice", "INBOX", &message(0), &[], None)
        .expect("first message");
    server
        .seed_maildir_bulk("alice", "INBOX", (1..count).map(message))
        .expect("seed");
    eprintln!("seeded {count} messages in {:.2?}", seeded.elapsed());
    let home = tempfile::tempdir().expect("tempdir");
    let store = home.path().join("store");
    let config = write_config(home.path(), server.pop3_port, &store);
    let fresh = || {
        let _ = std::fs::remove_dir_all(&store);
    };
    // Dovecot builds its POP3 UIDL and size caches on first access: once, unmeasured.
    fresh();
    list(&config, Some(1));
    let (cold_login, cold_first): (Vec<f64>, Vec<f64>) = (0..runs)
        .map(|_| {
            fresh();
            let t = list(&config, Some(50));
            (
                t.connected.expect("logged in before the first rows"),
                t.done,
            )
        })
        .unzip();
    let cold_full: Vec<f64> = (0..runs)
        .map(|_| {
            fresh();
            list(&config, None).done
        })
        .collect();
    let warm_first: Vec<f64> = (0..runs).map(|_| list(&config, Some(50)).done).collect();
    let warm_full: Vec<f64> = (0..runs).map(|_| list(&config, None).done).collect();
    println!(
        "{count}\t{:.0}\t{:.0}\t{:.0}\t{:.0}\t{:.0}",
        median(cold_login),
        median(cold_first),
        median(cold_full),
        median(warm_first),
        median(warm_full)
    );
}

fn write_config(dir: &Path, port: u16, store: &Path) -> PathBuf {
    let path = dir.join("config.toml");
    let text = format!(
        "[[account]]\nname = \"bench\"\nprotocol = \"pop3\"\nhost = \"127.0.0.1\"\nport = {port}\n\
         tls = \"starttls\"\naccept_invalid_certs = true\nusername = \"alice\"\n\
         password = \"wonderland\"\npop3_store = \"{}\"\n",
        store.display()
    );
    std::fs::write(&path, text).expect("write config");
    path
}

/// Milliseconds from `tern list`'s start, as its `--timings` reports them.
struct Timings {
    /// Logged in; None when the rows came first (a warm start) and tern ended before.
    connected: Option<f64>,
    /// The first rows (with a limit: the first screen) or the whole list (without).
    done: f64,
}

fn list(config: &Path, limit: Option<usize>) -> Timings {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tern"));
    cmd.arg("--config")
        .arg(config)
        .args(["list", "INBOX", "--timings"]);
    if let Some(n) = limit {
        cmd.args(["--limit", &n.to_string()]);
    }
    let state = tempfile::tempdir().expect("tempdir");
    cmd.env("XDG_STATE_HOME", state.path())
        .env("XDG_CACHE_HOME", state.path());
    let out = cmd.output().expect("run tern");
    assert!(
        out.status.success(),
        "tern list failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = out.stdout.iter().filter(|b| **b == b'\n').count();
    assert!(rows > 0, "no rows listed");
    let key = if limit.is_some() {
        "first_rows_ms="
    } else {
        "in_sync_ms="
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    let field = |key: &str| {
        stderr
            .split(['\t', '\n'])
            .find_map(|field| field.strip_prefix(key)?.parse().ok())
    };
    Timings {
        connected: field("connected_ms="),
        done: field(key).expect("timings on stderr"),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A plain message with a varied sender, subject and length.
fn message(i: usize) -> Vec<u8> {
    let senders = [
        "Ana <ana@example.org>",
        "Ben <ben@example.net>",
        "Chen <chen@example.cn>",
    ];
    let date = chrono::DateTime::from_timestamp(1_750_000_000 + i as i64 * 90, 0)
        .unwrap_or_default()
        .to_rfc2822();
    let lines = "A line of text in the body of a benchmark message.\r\n".repeat(5 + i % 30);
    format!(
        "From: {}\r\nTo: alice@example.com\r\nSubject: POP3 bench message {i}\r\nDate: {date}\r\n\
         Message-ID: <pop3-{i}@bench.example>\r\n\r\n{lines}",
        senders[i % senders.len()]
    )
    .into_bytes()
}
