//! `cargo bench --bench sync`: seeds a private Dovecot with 10 000 and 100 000 plausible
//! messages (or the counts given as arguments) and prints one table, each figure a median of
//! several runs of the real `tern` binary:
//!
//! - raw wire: a minimal client reading `UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE
//!   ENVELOPE)` to the tagged OK: the floor for a cold sync;
//! - cold (empty cache): first rows after login; full sync from the process's start (login
//!   included, as for the raw client); peak RSS;
//! - warm, nothing changed: first rows (from the cache, before login) and in sync, both from
//!   the process's start;
//! - warm after 1 % of the flags changed and 100 new messages, in sync from the start;
//! - bytes received to read a message that carries a 5 MB attachment.
//!
//! `cargo bench --bench sync -- --marker [COUNTS]` measures only what knowing the `@`
//! attachment marker from the summaries would add to the cold sync's wire floor: the same
//! raw fetch plus `BODY.PEEK[HEADER.FIELDS (CONTENT-TYPE)]`, or plus `BODYSTRUCTURE`.
//!
//! Under `cargo test --all-targets` it runs once on 200 messages, so the harness cannot rot.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tern::devserver::{Dovecot, DovecotOptions};

#[path = "../tests/support/dovecot.rs"]
mod dovecot;
use dovecot::Seeding;

struct Timings {
    connected: f64,
    first_rows: f64,
    in_sync: f64,
    bytes: u64,
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let mut counts: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if counts.is_empty() {
        counts = if benching {
            vec![10_000, 100_000]
        } else {
            vec![200]
        };
    }
    let runs = if benching { 5 } else { 1 };
    if std::env::args().any(|a| a == "--marker") {
        println!("messages\titems\twire ms\twire MB\t+ms vs base\t+MB vs base");
        for n in counts {
            marker_row(n, runs);
        }
        return;
    }
    println!(
        "messages\twire ms\tcold first screen ms\tcold sync ms\tcold/wire\tcold RSS MB\twarm first screen ms\twarm in-sync ms\twarm/cold\tchanged in-sync ms"
    );
    for n in counts {
        row(n, runs);
    }
    attachment_bytes();
}

fn row(count: usize, runs: usize) {
    let server = Dovecot::start(DovecotOptions::default()).expect("start dovecot");
    server
        .create_folder("alice", "Bench")
        .expect("create folder");
    let seeded = Instant::now();
    server
        .seed_maildir_bulk("alice", "Bench", (0..count).map(message))
        .expect("seed");
    eprintln!("seeded {count} messages in {:.2?}", seeded.elapsed());
    let home = tempfile::tempdir().expect("tempdir");
    let cache = home.path().join("cache.redb");
    let config = write_config(home.path(), server.imap_port, &cache);
    // Warm Dovecot's own indexes once so every measured run sees the same server state.
    raw_wire(server.imap_port);

    let wire = median((0..runs).map(|_| raw_wire(server.imap_port)).collect());
    let mut rss = 0;
    let cold: Vec<Timings> = (0..runs)
        .map(|_| {
            let _ = std::fs::remove_file(&cache);
            let (t, r) = tern_list(&config);
            rss = rss.max(r);
            t
        })
        .collect();
    let warm: Vec<Timings> = (0..runs).map(|_| tern_list(&config).0).collect();
    let changed: Vec<Timings> = (0..runs)
        .map(|i| {
            change_one_percent(&server, count, i);
            tern_list(&config).0
        })
        .collect();

    let first_screen = |t: &Timings| (t.first_rows - t.connected).max(0.0);
    let cold_first = median_f(cold.iter().map(first_screen).collect());
    // Sync times count from the process's start, login included, like the raw client's.
    let cold_sync = median_f(cold.iter().map(|t| t.in_sync).collect());
    let warm_first = median_f(warm.iter().map(|t| t.first_rows).collect());
    let warm_sync = median_f(warm.iter().map(|t| t.in_sync).collect());
    let changed_sync = median_f(changed.iter().map(|t| t.in_sync).collect());
    println!(
        "{count}\t{:.0}\t{cold_first:.0}\t{cold_sync:.0}\t{:.2}\t{:.1}\t{warm_first:.0}\t{warm_sync:.0}\t{:.3}\t{changed_sync:.0}",
        ms(wire),
        cold_sync / ms(wire),
        rss as f64 / 1024.0,
        warm_sync / cold_sync,
    );
}

fn write_config(dir: &Path, port: u16, cache: &Path) -> PathBuf {
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[account]]\nname = \"bench\"\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nusername = \"alice\"\npassword_env = \"TERN_BENCH_PASSWORD\"\ncache_file = \"{}\"\n",
            cache.display()
        ),
    )
    .expect("config");
    config
}

/// 1 % of the messages change flags and 100 new ones arrive, through another session.
fn change_one_percent(server: &Dovecot, count: usize, round: usize) {
    let mut s = server.session("alice").expect("session");
    s.select("Bench").expect("select");
    let step = 100;
    let uids: Vec<String> = (0..count / 100)
        .map(|i| (1 + (i * step + round) % count).to_string())
        .collect();
    if !uids.is_empty() {
        let flag = if round.is_multiple_of(2) {
            "+FLAGS (\\Flagged)"
        } else {
            "-FLAGS (\\Seen)"
        };
        s.uid_store(uids.join(","), flag).expect("store");
    }
    drop(s);
    for i in 0..100 {
        server
            .append(
                "alice",
                "Bench",
                &message(count + round * 100 + i),
                &[],
                None,
            )
            .expect("append");
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn median_f(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One `tern list --timings` run: its own timings, and the peak RSS (KiB) of every child
/// reaped so far (all runs of a row do the same work, so the maximum is the figure wanted).
fn tern_list(config: &Path) -> (Timings, i64) {
    let out = Command::new(env!("CARGO_BIN_EXE_tern"))
        .arg("--config")
        .arg(config)
        .args(["list", "Bench", "--timings"])
        .env("TERN_BENCH_PASSWORD", "wonderland")
        .output()
        .expect("run tern");
    assert!(
        out.status.success(),
        "tern failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // SAFETY: getrusage only writes into the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    (
        timings(&String::from_utf8_lossy(&out.stderr)),
        usage.ru_maxrss,
    )
}

fn timings(stderr: &str) -> Timings {
    let field = |name: &str| -> f64 {
        stderr
            .split(['\t', '\n'])
            .find_map(|f| f.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {stderr}"))
    };
    Timings {
        connected: field("connected_ms"),
        first_rows: field("first_rows_ms"),
        in_sync: field("in_sync_ms"),
        bytes: field("bytes_received") as u64,
    }
}

/// Reading a message whose 5 MB attachment is not shown must not download it.
fn attachment_bytes() {
    let server = Dovecot::start(DovecotOptions::default()).expect("start dovecot");
    let bytes: Vec<u8> = (0..5 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let encoded = base64(&bytes);
    let attachment: String = encoded
        .as_bytes()
        .chunks(76)
        .map(|l| format!("{}\r\n", String::from_utf8_lossy(l)))
        .collect();
    let raw = format!(
        "From: a@example.com\r\nSubject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nThe report is attached.\r\n--b\r\nContent-Type: application/octet-stream; name=\"big.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{attachment}--b--\r\n"
    );
    let uid = server
        .append("alice", "INBOX", raw.as_bytes(), &[], None)
        .expect("append");
    let home = tempfile::tempdir().expect("tempdir");
    let config = write_config(home.path(), server.imap_port, &home.path().join("c.redb"));
    let out = Command::new(env!("CARGO_BIN_EXE_tern"))
        .arg("--config")
        .arg(&config)
        .args(["read", "INBOX", &uid.to_string(), "--timings"])
        .env("TERN_BENCH_PASSWORD", "wonderland")
        .output()
        .expect("run tern");
    assert!(out.status.success());
    let t = timings(&format!(
        "{}\tconnected_ms=0\tfirst_rows_ms=0\tin_sync_ms=0",
        String::from_utf8_lossy(&out.stderr)
    ));
    println!(
        "open a message ({:.1} MB on the server) with a 5 MiB attachment: {} bytes received",
        raw.len() as f64 / 1e6,
        t.bytes
    );
}

/// What the summaries would add to learn whether a message has attachments.
const MARKER_ITEMS: [(&str, &str); 3] = [
    ("base", ""),
    ("+content-type", " BODY.PEEK[HEADER.FIELDS (CONTENT-TYPE)]"),
    ("+bodystructure", " BODYSTRUCTURE"),
];

fn marker_row(count: usize, runs: usize) {
    let server = Dovecot::start(DovecotOptions::default()).expect("start dovecot");
    server
        .create_folder("alice", "Bench")
        .expect("create folder");
    server
        .seed_maildir_bulk("alice", "Bench", (0..count).map(message))
        .expect("seed");
    // Dovecot caches what it was asked for once; every variant is measured warm, as a user's
    // second client would find it.
    for (_, extra) in MARKER_ITEMS {
        raw_fetch(server.imap_port, extra);
    }
    let mut base = (0.0, 0.0);
    for (name, extra) in MARKER_ITEMS {
        let results: Vec<(Duration, u64)> = (0..runs)
            .map(|_| raw_fetch(server.imap_port, extra))
            .collect();
        let t = ms(median(results.iter().map(|r| r.0).collect()));
        let mb = results[0].1 as f64 / 1e6;
        if extra.is_empty() {
            base = (t, mb);
        }
        println!(
            "{count}\t{name}\t{t:.0}\t{mb:.1}\t{:+.0}\t{:+.1}",
            t - base.0,
            mb - base.1
        );
    }
}

/// The floor: a minimal client that logs in, selects and reads every envelope to the tagged OK.
fn raw_wire(port: u16) -> Duration {
    raw_fetch(port, "").0
}

/// [`raw_wire`] with `extra` items fetched too: its time and the bytes received.
fn raw_fetch(port: u16, extra: &str) -> (Duration, u64) {
    let start = Instant::now();
    let mut bytes = 0u64;
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
            &format!("UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE{extra})"),
        ),
    ] {
        write!(w, "{tag} {cmd}\r\n").expect("send");
        loop {
            line.clear();
            r.read_until(b'\n', &mut line).expect("read");
            bytes += line.len() as u64;
            // Skip literals ({n}) so a subject line cannot be mistaken for the tagged reply.
            if let Some(n) = literal_len(&line) {
                let mut skip = vec![0; n];
                r.read_exact(&mut skip).expect("literal");
                bytes += n as u64;
                continue;
            }
            if line.starts_with(tag.as_bytes()) {
                break;
            }
        }
    }
    (start.elapsed(), bytes)
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
    let date = chrono::DateTime::from_timestamp(1_760_000_000 + i as i64 * 60, 0)
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
