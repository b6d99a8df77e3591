//! `cargo bench --bench sync`: seeds a private Dovecot with 10 000 messages (pass another
//! count as the first argument) and prints, as medians of several runs, the raw-wire floor
//! for fetching every envelope next to `tern list` (full sync and first screen) and its
//! peak memory. Numbers, not assertions: see docs/PERFORMANCE.md.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use tern::devserver::{Dovecot, DovecotOptions};

fn main() {
    // `cargo bench` passes --bench; under `cargo test --all-targets` this runs as a quick
    // smoke test so the harness cannot rot.
    let benching = std::env::args().any(|a| a == "--bench");
    let count: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(if benching { 10_000 } else { 200 });
    let runs = if benching { 5 } else { 1 };
    let server = Dovecot::start(DovecotOptions::default()).expect("start dovecot");
    server
        .create_folder("alice", "Bench")
        .expect("create folder");
    let seeded = Instant::now();
    let n = server
        .seed_maildir_bulk("alice", "Bench", (0..count).map(message))
        .expect("seed");
    eprintln!("seeded {n} messages in {:.2?}", seeded.elapsed());
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[account]]\nname = \"bench\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nusername = \"alice\"\npassword_env = \"TERN_BENCH_PASSWORD\"\n",
            server.imap_port
        ),
    )
    .expect("config");
    // Warm Dovecot's own index once so every measured run sees the same server state.
    raw_wire(server.imap_port);

    let wire = median((0..runs).map(|_| raw_wire(server.imap_port)).collect());
    let full: Vec<(Duration, i64)> = (0..runs)
        .map(|_| tern(&config, &["list", "Bench"]))
        .collect();
    let first: Vec<(Duration, i64)> = (0..runs)
        .map(|_| tern(&config, &["list", "Bench", "--limit", "50"]))
        .collect();
    let full_t = median(full.iter().map(|r| r.0).collect());
    let first_t = median(first.iter().map(|r| r.0).collect());
    let rss = full.iter().map(|r| r.1).max().unwrap_or(0);

    println!("messages\t{n}");
    println!("raw wire UID FETCH 1:* ENVELOPE\t{:.0} ms", ms(wire));
    println!(
        "tern list (full sync, process start to exit)\t{:.0} ms\t{:.2}x wire",
        ms(full_t),
        ms(full_t) / ms(wire)
    );
    println!("tern list --limit 50 (first screen)\t{:.0} ms", ms(first_t));
    println!("tern list peak RSS\t{:.1} MB", rss as f64 / 1024.0);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Wall time of one `tern` run, and the peak RSS (KiB) of every child reaped so far: all
/// measured runs do the same work, so the maximum is the figure wanted.
fn tern(config: &std::path::Path, args: &[&str]) -> (Duration, i64) {
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_tern"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("TERN_BENCH_PASSWORD", "wonderland")
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run tern");
    let elapsed = start.elapsed();
    assert!(status.success(), "tern failed");
    // SAFETY: getrusage only writes into the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    (elapsed, usage.ru_maxrss)
}

/// The floor: a minimal client that logs in, selects and reads every envelope to the tagged OK.
fn raw_wire(port: u16) -> Duration {
    let start = Instant::now();
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let mut w = stream.try_clone().expect("clone");
    let mut r = BufReader::with_capacity(1 << 16, stream);
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line).expect("greeting");
    for (tag, cmd) in [
        ("a1", "LOGIN alice wonderland"),
        ("a2", "SELECT Bench"),
        (
            "a3",
            "UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)",
        ),
    ] {
        write!(w, "{tag} {cmd}\r\n").expect("send");
        loop {
            line.clear();
            r.read_until(b'\n', &mut line).expect("read");
            // Skip literals ({n}) so a subject line cannot be mistaken for the tagged reply.
            if let Some(n) = literal_len(&line) {
                let mut skip = vec![0; n];
                r.read_exact(&mut skip).expect("literal");
                continue;
            }
            if line.starts_with(tag.as_bytes()) {
                break;
            }
        }
    }
    start.elapsed()
}

fn literal_len(line: &[u8]) -> Option<usize> {
    let body = line.strip_suffix(b"}\r\n")?;
    let open = body.iter().rposition(|b| *b == b'{')?;
    std::str::from_utf8(&body[open + 1..]).ok()?.parse().ok()
}

/// A plausible message: varied senders, subjects and sizes, dates one minute apart.
fn message(i: usize) -> Vec<u8> {
    const NAMES: [&str; 8] = [
        "Alice Martin",
        "Bob Chen",
        "Chloé Dubois",
        "Dmitri Ivanov",
        "Eve Adams",
        "王小明",
        "Grace Hopper",
        "Hiro Tanaka",
    ];
    const TOPICS: [&str; 6] = [
        "Quarterly report",
        "Lunch on Friday?",
        "Build failed on main",
        "Re: design review",
        "Invoice 2026-",
        "Your order has shipped",
    ];
    let name = NAMES[i % NAMES.len()];
    let topic = TOPICS[(i / 3) % TOPICS.len()];
    let from = if name.is_ascii() {
        format!(
            "{name} <{}@example.com>",
            name.split(' ').next().unwrap_or("x").to_lowercase()
        )
    } else {
        format!("=?UTF-8?B?{}?= <wang@example.cn>", base64(name.as_bytes()))
    };
    let minutes = i as i64;
    let date = chrono::DateTime::from_timestamp(1_760_000_000 + minutes * 60, 0)
        .unwrap_or_default()
        .to_rfc2822();
    let body = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n".repeat(10 + i % 40);
    format!(
        "From: {from}\r\nTo: alice@example.com\r\nSubject: {topic}{i}\r\nDate: {date}\r\nMessage-ID: <{i}@bench.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    )
    .into_bytes()
}

fn base64(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}
