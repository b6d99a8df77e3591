//! `cargo bench --bench sync`: seeds a private Dovecot with 10 000 and 100 000 messages of the
//! realistic bench corpus (tests/support/corpus.rs; or the counts given as arguments; `--small`
//! for the corpus's small shape, as for a million messages) and prints one table, each figure a
//! median of several runs of the real `tern` binary:
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
//! `cargo bench --bench sync -- --marker [COUNTS]` measures what the header facts of the
//! summaries (the `@` marker, References for threads) cost the cold sync: the raw fetch with
//! the summary items before they were added, with tern's items now
//! ([`tern::imap::summary_reader::ITEMS`]), with only `CONTENT-TYPE`, and with `BODYSTRUCTURE`
//! instead; and tern's own parsing of the first two replies in this process (CPU and the bytes
//! the rows hold).
//!
//! `cargo bench --bench sync -- --tui [COUNTS]` measures the TUI the way a user sees it: from
//! launch until the newest cached row is on screen in tmux (200×50), warm, with the server up
//! and with nothing listening on its port.
//!
//! `cargo bench --bench sync -- --threads [COUNTS]` compares a cold `tern list` with a cold
//! `tern list --threads` (wall of the whole process, CPU, peak RSS), runs interleaved.
//!
//! `--runs N` sets the runs per figure (5); `cargo bench --bench sync -- --small --runs 3
//! 1000000` is the million-message table (issue 17, item 6).
//!
//! Under `cargo test --all-targets` it runs once on 200 messages, so the harness cannot rot.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tern::devserver::{Dovecot, DovecotOptions};

#[path = "../tests/support/corpus.rs"]
mod corpus;
#[path = "../tests/support/dovecot.rs"]
mod dovecot;
use corpus::{Corpus, Shape};
use dovecot::Seeding;
#[path = "../tests/support/tmux.rs"]
#[allow(dead_code)] // the bench needs only a session and its screen
mod tmux;
#[path = "../tests/support/wire.rs"]
mod wire;

struct Timings {
    connected: f64,
    first_rows: f64,
    in_sync: f64,
    bytes: u64,
    /// User and system CPU of the process.
    cpu: f64,
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--runs N`: runs per figure (5 by default).
    let runs_arg = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1)?.parse::<usize>().ok());
    let mut counts: Vec<usize> = args
        .iter()
        .enumerate()
        .filter(|(i, _)| *i == 0 || args[i - 1] != "--runs")
        .filter_map(|(_, a)| a.parse().ok())
        .collect();
    if counts.is_empty() {
        counts = if benching {
            vec![10_000, 100_000]
        } else {
            vec![200]
        };
    }
    let runs = runs_arg.unwrap_or(if benching { 5 } else { 1 });
    if std::env::args().any(|a| a == "--threads") {
        println!("messages\tlist\twall ms\tCPU ms\tpeak RSS MB");
        for n in counts {
            threads_row(n, runs);
        }
        return;
    }
    if std::env::args().any(|a| a == "--marker") {
        println!(
            "messages\titems\twire ms\twire MB\t+ms vs base\t+MB vs base\tparse CPU ms\tids bytes/row"
        );
        for n in counts {
            marker_row(n, runs);
        }
        return;
    }
    if std::env::args().any(|a| a == "--tui") || !benching {
        println!(
            "messages\tbuild\tTUI warm, server up: launch to rows ms (range)\tTUI warm, server down (range)"
        );
        for &n in &counts {
            tui_row(n, runs);
        }
        if benching {
            return;
        }
    }
    println!(
        "messages\tbuild\twire ms\tcold first screen ms\tcold sync ms\tcold CPU ms\tcold/wire\tcold RSS MB\twarm first screen ms\twarm in-sync ms\twarm/cold\tchanged in-sync ms"
    );
    for n in counts {
        row(n, runs);
    }
    attachment_bytes();
}

/// The tern binaries measured: this build, and the one named by `TERN_BENCH_BEFORE` (say, a
/// release build of main) to compare with on the same server, runs interleaved.
fn binaries() -> Vec<(&'static str, PathBuf)> {
    let mut bins = vec![("this", PathBuf::from(env!("CARGO_BIN_EXE_tern")))];
    if let Some(before) = std::env::var_os("TERN_BENCH_BEFORE") {
        bins.push(("before", PathBuf::from(before)));
    }
    bins
}

/// A private Dovecot whose folder `Bench` holds `count` of the bench's messages.
fn seeded(count: usize) -> Dovecot {
    let server = Dovecot::start(DovecotOptions::default()).expect("start dovecot");
    server
        .create_folder("alice", "Bench")
        .expect("create folder");
    let seeded = Instant::now();
    server
        .seed_maildir_bulk("alice", "Bench", corpus().messages(count))
        .expect("seed");
    eprintln!("seeded {count} messages in {:.2?}", seeded.elapsed());
    server
}

fn row(count: usize, runs: usize) {
    let server = seeded(count);
    let home = tempfile::tempdir().expect("tempdir");
    // Each binary keeps its own cache: their formats may differ.
    let setups: Vec<(&str, PathBuf, PathBuf, PathBuf)> = binaries()
        .into_iter()
        .map(|(name, tern)| {
            let dir = home.path().join(name);
            std::fs::create_dir_all(&dir).expect("dir");
            let cache = dir.join("cache.redb");
            let config = write_config(&dir, server.imap_port, &cache);
            (name, tern, cache, config)
        })
        .collect();
    // Warm Dovecot's own indexes once so every measured run sees the same server state.
    raw_wire(server.imap_port);

    let wire = median((0..runs).map(|_| raw_wire(server.imap_port)).collect());
    let mut cold: Vec<Vec<(Timings, i64)>> = setups.iter().map(|_| Vec::new()).collect();
    let mut warm: Vec<Vec<Timings>> = setups.iter().map(|_| Vec::new()).collect();
    for _ in 0..runs {
        for (i, (_, tern, cache, config)) in setups.iter().enumerate() {
            let _ = std::fs::remove_file(cache);
            cold[i].push(tern_list(tern, config, &[]));
        }
    }
    for _ in 0..runs {
        for (i, (_, tern, _, config)) in setups.iter().enumerate() {
            warm[i].push(tern_list(tern, config, &[]).0);
        }
    }
    // Changes on the server are measured with this build only: they cannot be undone.
    let (_, tern, _, config) = &setups[0];
    let changed: Vec<Timings> = (0..runs)
        .map(|i| {
            change_one_percent(&server, count, i);
            tern_list(tern, config, &[]).0
        })
        .collect();
    let changed_sync = median_f(changed.iter().map(|t| t.in_sync).collect());

    for (i, (name, ..)) in setups.iter().enumerate() {
        let cold_runs: Vec<&Timings> = cold[i].iter().map(|(t, _)| t).collect();
        let rss = median_f(cold[i].iter().map(|(_, r)| *r as f64).collect());
        let first_screen = |t: &&Timings| (t.first_rows - t.connected).max(0.0);
        let cold_first = median_f(cold_runs.iter().map(first_screen).collect());
        // Sync times count from the process's start, login included, like the raw client's.
        let cold_sync = median_f(cold_runs.iter().map(|t| t.in_sync).collect());
        let cold_cpu = median_f(cold_runs.iter().map(|t| t.cpu).collect());
        let warm_first = median_f(warm[i].iter().map(|t| t.first_rows).collect());
        let warm_sync = median_f(warm[i].iter().map(|t| t.in_sync).collect());
        let changed = if i == 0 {
            format!("{changed_sync:.0}")
        } else {
            "-".into()
        };
        println!(
            "{count}\t{name}\t{:.0}\t{cold_first:.0}\t{cold_sync:.0}\t{cold_cpu:.0}\t{:.2}\t{:.1}\t{warm_first:.0}\t{warm_sync:.0}\t{:.3}\t{changed}",
            ms(wire),
            cold_sync / ms(wire),
            rss / 1024.0,
            warm_sync / cold_sync,
        );
    }
}

/// Launch to the newest row on screen in the TUI, warm (the cache filled by a `tern list`
/// first), per binary: with the server up, and with nothing listening on its port (the same
/// cache). Median and range of `runs` launches, interleaved.
fn tui_row(count: usize, runs: usize) {
    let server = seeded(count);
    let home = tempfile::tempdir().expect("tempdir");
    // Bound and dropped: nothing listens there, so a connection is refused at once.
    let down_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    // The subject's token: a list may shorten or strip a `Re:` in front.
    let newest = &corpus::token(count - 1);
    let setups: Vec<(&str, PathBuf, PathBuf, PathBuf)> = binaries()
        .into_iter()
        .map(|(name, tern)| {
            let up = home.path().join(name);
            let down = up.join("down");
            std::fs::create_dir_all(&down).expect("dir");
            let cache = up.join("cache.redb");
            let up = write_config(&up, server.imap_port, &cache);
            let down = write_config(&down, down_port, &cache);
            tern_list(&tern, &up, &[]);
            (name, tern, up, down)
        })
        .collect();
    let mut up: Vec<Vec<f64>> = setups.iter().map(|_| Vec::new()).collect();
    let mut down = up.clone();
    for _ in 0..runs {
        for (i, (_, tern, config_up, config_down)) in setups.iter().enumerate() {
            up[i].push(launch_to_text(tern, config_up, newest));
            down[i].push(launch_to_text(tern, config_down, newest));
        }
    }
    let spread = |v: &[f64]| {
        let (lo, hi) = v
            .iter()
            .fold((f64::MAX, 0f64), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
        format!("{:.0} ({lo:.0}–{hi:.0})", median_f(v.to_vec()))
    };
    for (i, (name, ..)) in setups.iter().enumerate() {
        println!("{count}\t{name}\t{}\t{}", spread(&up[i]), spread(&down[i]));
    }
}

/// Milliseconds from the shell's start of tern in a fresh 200×50 tmux session until `text` is
/// on its screen, polled every millisecond. Then tern is quit with `q`, as a user would: killed
/// instead, it would leave the cache for the next launch to repair.
fn launch_to_text(tern: &Path, config: &Path, text: &str) -> f64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let start = dir.path().join("start");
    let done = dir.path().join("done");
    let cmd = format!(
        "date +%s%N >'{}'; '{}' --config '{}'; touch '{}'; sleep 60",
        start.display(),
        tern.display(),
        config.display(),
        done.display()
    );
    let t = tmux::Tmux::start(&cmd, &[("TERN_BENCH_PASSWORD", "wonderland")], 200, 50);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !t.capture().contains(text) {
        assert!(
            Instant::now() < deadline,
            "{text} never shown:\n{}",
            t.capture()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let seen = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    let started: u128 = std::fs::read_to_string(&start)
        .expect("launch time")
        .trim()
        .parse()
        .expect("date +%s%N");
    t.keys(&["q"]);
    while !done.exists() {
        assert!(
            Instant::now() < deadline,
            "tern did not quit:\n{}",
            t.capture()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    (seen - started) as f64 / 1e6
}

/// A cold `tern list` against `tern list --threads` on one folder, runs interleaved: the
/// thread view's whole cost (building the threads after the sync, printing in thread order).
/// Wall is the whole process, as a script waiting for it sees it.
fn threads_row(count: usize, runs: usize) {
    let server = seeded(count);
    let home = tempfile::tempdir().expect("tempdir");
    let cache = home.path().join("cache.redb");
    let config = write_config(home.path(), server.imap_port, &cache);
    let tern = PathBuf::from(env!("CARGO_BIN_EXE_tern"));
    raw_wire(server.imap_port);
    let modes: [(&str, &[&str]); 2] = [("plain", &[]), ("--threads", &["--threads"])];
    let mut results: Vec<Vec<(f64, f64, i64)>> = vec![Vec::new(), Vec::new()];
    for _ in 0..runs {
        for (i, (_, extra)) in modes.iter().enumerate() {
            let _ = std::fs::remove_file(&cache);
            let start = Instant::now();
            let (t, rss) = tern_list(&tern, &config, extra);
            results[i].push((start.elapsed().as_secs_f64() * 1e3, t.cpu, rss));
        }
    }
    for ((name, _), r) in modes.iter().zip(&results) {
        println!(
            "{count}\t{name}\t{:.0}\t{:.0}\t{:.1}",
            median_f(r.iter().map(|x| x.0).collect()),
            median_f(r.iter().map(|x| x.1).collect()),
            median_f(r.iter().map(|x| x.2 as f64).collect()) / 1024.0,
        );
    }
}

fn write_config(dir: &Path, port: u16, cache: &Path) -> PathBuf {
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "confirm_quit = false\n\n[[account]]\nname = \"bench\"\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nusername = \"alice\"\npassword_env = \"TERN_BENCH_PASSWORD\"\ncache_file = \"{}\"\ndefault_folder = \"Bench\"\n",
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
                &corpus().message(count + round * 100 + i),
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

/// User plus system CPU (ms) in a rusage.
fn cpu_ms(usage: &libc::rusage) -> f64 {
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    ms(usage.ru_utime) + ms(usage.ru_stime)
}

/// User plus system CPU (ms) of this process so far.
fn own_cpu_ms() -> f64 {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    cpu_ms(&usage)
}

/// One `tern list --timings` run of the binary `tern`: its own timings, its CPU as the kernel
/// counted it for this child alone, and its peak RSS (KiB). The peak is the child's VmHWM,
/// polled every 5 ms: rusage's maximum counts the forked copy of this process before `exec`,
/// which at 100 000 messages is larger than tern.
#[allow(clippy::zombie_processes)] // reaped by wait4, which also gives its rusage
fn tern_list(tern: &Path, config: &Path, extra: &[&str]) -> (Timings, i64) {
    let mut child = Command::new(tern)
        .arg("--config")
        .arg(config)
        .args(["list", "Bench", "--timings"])
        .args(extra)
        .env("TERN_BENCH_PASSWORD", "wonderland")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tern");
    let pid = child.id();
    let peak = std::thread::spawn(move || {
        let status = format!("/proc/{pid}/status");
        let mut peak = 0;
        // Until the process is gone (or a zombie, without memory lines).
        while let Some(kib) = std::fs::read_to_string(&status).ok().and_then(|s| {
            let line = s.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
            line.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<i64>()
                .ok()
        }) {
            peak = peak.max(kib);
            std::thread::sleep(Duration::from_millis(5));
        }
        peak
    });
    // The rows (megabytes) first: tern writes its few lines of timings to stderr at the end.
    let mut rows = Vec::new();
    let mut stderr = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_end(&mut rows)
        .expect("read rows");
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read timings");
    let mut status = 0;
    // SAFETY: wait4 reaps our own child and only writes into the values we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = pid as libc::pid_t;
    assert_eq!(unsafe { libc::wait4(pid, &mut status, 0, &mut usage) }, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "tern failed: {stderr}"
    );
    let mut t = timings(&stderr);
    t.cpu = cpu_ms(&usage);
    (t, peak.join().expect("VmHWM poller"))
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
        cpu: 0.0,
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

/// The summary items before the header facts, and what was added or could have been.
const BASE_ITEMS: &str = "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)";
const MARKER_ITEMS: [(&str, &str); 4] = [
    ("before", BASE_ITEMS),
    ("tern now", tern::imap::summary_reader::ITEMS),
    (
        "+content-type only",
        "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY.PEEK[HEADER.FIELDS (CONTENT-TYPE)])",
    ),
    (
        "+bodystructure",
        "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)",
    ),
];

fn marker_row(count: usize, runs: usize) {
    let server = seeded(count);
    // Dovecot caches what it was asked for once; every variant is measured warm, as a user's
    // second client would find it.
    for (_, items) in MARKER_ITEMS {
        raw_fetch(server.imap_port, items);
    }
    let mut base = (0.0, 0.0);
    for (name, items) in MARKER_ITEMS {
        let results: Vec<(Duration, Vec<u8>)> = (0..runs)
            .map(|_| raw_fetch(server.imap_port, items))
            .collect();
        let t = ms(median(results.iter().map(|r| r.0).collect()));
        let reply = &results[0].1;
        let mb = reply.len() as f64 / 1e6;
        if items == BASE_ITEMS {
            base = (t, mb);
        }
        // tern reads only its own items, and the replies it read before them.
        let parsed = [BASE_ITEMS, tern::imap::summary_reader::ITEMS]
            .contains(&items)
            .then(|| parse(reply, runs));
        let parsed = parsed.map_or(String::new(), |(t, ids)| format!("{t:.0}\t{ids:.0}"));
        println!(
            "{count}\t{name}\t{t:.0}\t{mb:.1}\t{:+.0}\t{:+.1}\t{parsed}",
            t - base.0,
            mb - base.1
        );
    }
}

/// tern's summary reader on a recorded reply (the third command's, tagged `a3`): the median
/// CPU time over `runs` (this process runs nothing else meanwhile; CPU rather than wall time,
/// as other processes share the machine), and the bytes a row's ids take on the heap on
/// average (the rest of a row is its fixed size, `size_of::<Summary>()`, and its strings).
fn parse(reply: &[u8], runs: usize) -> (f64, f64) {
    let read = || {
        let mut reader = tern::imap::summary_reader::Reader::new(
            "a3",
            "UID FETCH",
            Vec::new(),
            Default::default(),
        );
        reader.rows(&mut &reply[..]).expect("tern reads the reply")
    };
    let times = (0..runs)
        .map(|_| {
            let start = own_cpu_ms();
            std::hint::black_box(read());
            own_cpu_ms() - start
        })
        .collect();
    let rows = read();
    let held: usize = rows.iter().map(|s| s.header.heap_bytes()).sum();
    (median_f(times), held as f64 / rows.len() as f64)
}

/// The floor: a minimal client that logs in, selects and reads every summary, as tern asks
/// for them, to the tagged OK.
fn raw_wire(port: u16) -> Duration {
    raw_fetch(port, tern::imap::summary_reader::ITEMS).0
}

/// [`raw_wire`] fetching `items`: its time, and the reply to the fetch as received.
fn raw_fetch(port: u16, items: &str) -> (Duration, Vec<u8>) {
    wire::fetch_all(port, "alice", "wonderland", "Bench", items)
}

/// The bench's mail: realistic (tests/support/corpus.rs), or small with `--small` (for a
/// million messages).
fn corpus() -> Corpus {
    let small = std::env::args().any(|a| a == "--small");
    Corpus::new(if small {
        Shape::Small
    } else {
        Shape::Realistic
    })
}

fn base64(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}
