//! `scripts/compare` (= `cargo bench --bench compare -- [OPTIONS]`): tern against NeoMutt and
//! aerc on one private Dovecot, measured the way a user sees them (issue 17, item 7).
//!
//! One Dovecot's INBOX gets the realistic bench corpus (tests/support/corpus.rs, 100 000
//! messages by default). Each client runs in a fresh tmux session of 200×50 with a throw-away
//! config (and HOME) pointing at that Dovecot; the bench polls the screen
//! (`tmux capture-pane`) for subjects it knows, by their unique `[#i]` token:
//!
//! - *newest on screen*: launch (a `date +%s%N` in the pane's shell, just before `exec`) to
//!   the newest message's subject on screen;
//! - *oldest on screen*: `End` (`*` in NeoMutt, `G` in aerc) is sent the moment the newest is
//!   seen; launch to the oldest message's subject on screen (if the client then says it holds
//!   the whole list and the oldest is still not shown, `End` is pressed again, and the report
//!   says how often);
//! - *whole list loaded*: launch to the client saying it holds every message (tern's status
//!   bar `N messages`, NeoMutt's `Msgs:N`); aerc fetches only the rows it shows, so none;
//! - *RSS* (VmRSS) and *CPU* (user + system, all threads, from `/proc/PID/stat`) once the
//!   last of those is seen and the client's CPU has stopped moving (everything loaded);
//! - *raw wire*: a bare client's `UID FETCH 1:* ENVELOPE` (connect, login, select, fetch);
//!   with `raw` chosen, each round also times the same bare client asking for tern's summary
//!   items ([`tern::imap::summary_reader::ITEMS`]), what tern's own fetch costs the server and
//!   the wire, printed apart (the ratios stay to the ENVELOPE fetch).
//!
//! Clients: tern cold (its cache removed before each launch), tern warm (cache filled by an
//! untimed launch), NeoMutt plain, NeoMutt with its header cache and QRESYNC (warm), aerc.
//! Each round launches every client once, in a rotating order; figures are medians with the
//! range over the rounds. The tables are printed with absolute figures and as ratios to the
//! raw wire. NeoMutt and aerc are skipped when not installed (scripts/compare installs them).
//!
//! Options: `--messages N` (default 100 000), `--rounds N` (default 6), `--small` (the
//! corpus's small shape, for a million messages), `--only a,b` (columns by key: raw, cold,
//! warm, neomutt, hcache, aerc).
//!
//! `TERN_BENCH_KEEP=DIR` keeps the server's directory (its Maildir and Dovecot's index) in
//! DIR between runs: a later run with the same `--messages` and shape starts Dovecot on it
//! and skips the fill and the index build (for a million, about three minutes). DIR must be
//! short (Dovecot's sockets live under it) and is never removed by the bench.
//!
//! Under `cargo test --all-targets` it runs one round of tern on 200 messages, so the harness
//! cannot rot.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tern::devserver::{Dovecot, DovecotOptions};

#[path = "../tests/support/corpus.rs"]
mod corpus;
#[path = "../tests/support/dovecot.rs"]
mod dovecot;
#[path = "../tests/support/tmux.rs"]
#[allow(dead_code)] // the bench needs only a session, its keys and its screen
mod tmux;
#[path = "../tests/support/wire.rs"]
mod wire;

use corpus::{Corpus, Shape, token};
use dovecot::Seeding;

const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;
const PASSWORD: &str = "wonderland";
/// How long one wait may take before the bench gives up (a cold million-message sync).
const DEADLINE: Duration = Duration::from_secs(900);

/// The clients, in the column order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Client {
    TernCold,
    TernWarm,
    NeoMutt,
    NeoMuttHcache,
    Aerc,
}

impl Client {
    const ALL: [Client; 5] = [
        Client::TernCold,
        Client::TernWarm,
        Client::NeoMutt,
        Client::NeoMuttHcache,
        Client::Aerc,
    ];

    fn key(self) -> &'static str {
        match self {
            Client::TernCold => "cold",
            Client::TernWarm => "warm",
            Client::NeoMutt => "neomutt",
            Client::NeoMuttHcache => "hcache",
            Client::Aerc => "aerc",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Client::TernCold => "tern cold",
            Client::TernWarm => "tern warm",
            Client::NeoMutt => "NeoMutt",
            Client::NeoMuttHcache => "NeoMutt hcache+QRESYNC",
            Client::Aerc => "aerc",
        }
    }

    fn program(self) -> &'static str {
        match self {
            Client::TernCold | Client::TernWarm => env!("CARGO_BIN_EXE_tern"),
            Client::NeoMutt | Client::NeoMuttHcache => "neomutt",
            Client::Aerc => "aerc",
        }
    }

    fn installed(self) -> bool {
        Path::new(self.program()).is_absolute()
            || Command::new("sh")
                .args(["-c", &format!("command -v {}", self.program())])
                .output()
                .is_ok_and(|o| o.status.success())
    }
}

/// One client's throw-away home: its config, cache and what to run.
struct Setup {
    client: Client,
    home: PathBuf,
    /// The shell command that runs the client (after `exec`).
    command: String,
    /// What the client shows once it holds every message.
    whole: Option<String>,
    end_key: &'static str,
}

/// What one launch measured: milliseconds from launch, KiB, CPU milliseconds.
#[derive(Clone, Copy, Debug, Default)]
struct Launch {
    newest: f64,
    oldest: f64,
    /// The first `End` did not bring the oldest: it was pressed again once the whole list
    /// was loaded (issue 17, item 3).
    pressed_again: bool,
    whole: Option<f64>,
    rss_kib: f64,
    cpu_ms: f64,
}

struct Options {
    messages: usize,
    rounds: usize,
    shape: Shape,
    only: Option<Vec<String>>,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let benching = args.iter().any(|a| a == "--bench");
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(String::as_str)
    };
    let number = |name: &str, default: usize| {
        value(name).map_or(default, |v| {
            v.replace('_', "")
                .parse()
                .unwrap_or_else(|_| panic!("{name} {v}: not a number"))
        })
    };
    let mut o = Options {
        messages: number("--messages", 100_000),
        rounds: number("--rounds", 6),
        shape: if args.iter().any(|a| a == "--small") {
            Shape::Small
        } else {
            Shape::Realistic
        },
        only: value("--only").map(|v| v.split(',').map(str::to_string).collect()),
    };
    if !benching {
        // `cargo test --all-targets`: the harness on a small folder, tern only.
        (o.messages, o.rounds) = (200, 1);
        o.only = Some(vec!["raw".into(), "cold".into(), "warm".into()]);
    }
    o
}

fn main() {
    let o = options();
    let wanted = |key: &str| o.only.as_ref().is_none_or(|k| k.iter().any(|k| k == key));
    let clients: Vec<Client> = Client::ALL
        .into_iter()
        .filter(|c| wanted(c.key()))
        .filter(|c| {
            let ok = c.installed();
            if !ok {
                eprintln!(
                    "{} is not installed: skipped (scripts/compare installs it)",
                    c.program()
                );
            }
            ok
        })
        .collect();
    println!("load before: {}", uptime());
    let server = seeded(o.messages, o.shape);
    let scratch = tempfile::tempdir().expect("tempdir");
    let setups: Vec<Setup> = clients
        .iter()
        .map(|c| setup(*c, scratch.path(), server.imap_port, o.messages))
        .collect();
    // Warm caches are filled by one untimed launch; so is the server's own cache for each
    // client's fetch items.
    for s in &setups {
        prepare(s);
        let first = launch(s, o.messages);
        eprintln!("{}: untimed first launch {first:?}", s.client.title());
    }
    let mut wire_ms = Vec::new();
    let mut wire_tern_ms = Vec::new();
    let mut results: Vec<Vec<Launch>> = setups.iter().map(|_| Vec::new()).collect();
    for round in 0..o.rounds {
        if wanted("raw") {
            let (t, reply) =
                wire::fetch_all(server.imap_port, "alice", PASSWORD, "INBOX", "(ENVELOPE)");
            eprintln!(
                "round {round}: raw wire {:.0} ms, {:.1} MB",
                ms(t),
                reply.len() as f64 / 1e6
            );
            wire_ms.push(ms(t));
            let (t, reply) = wire::fetch_all(
                server.imap_port,
                "alice",
                PASSWORD,
                "INBOX",
                tern::imap::summary_reader::ITEMS,
            );
            eprintln!(
                "round {round}: raw wire with tern's items {:.0} ms, {:.1} MB",
                ms(t),
                reply.len() as f64 / 1e6
            );
            wire_tern_ms.push(ms(t));
        }
        for k in 0..setups.len() {
            let i = (k + round) % setups.len();
            prepare(&setups[i]);
            let l = launch(&setups[i], o.messages);
            eprintln!("round {round}: {} {l:?}", setups[i].client.title());
            results[i].push(l);
        }
    }
    println!("load after: {}", uptime());
    report(&o, &setups, &wire_ms, &results);
    if let Some((m, lo, hi)) = spread(&wire_tern_ms) {
        let w = spread(&wire_ms).map_or(f64::NAN, |(w, ..)| w);
        println!(
            "\nraw wire with tern's summary items {}: {:.2} s ({:.2}–{:.2}) = {:.2}× the ENVELOPE fetch",
            tern::imap::summary_reader::ITEMS,
            m / 1e3,
            lo / 1e3,
            hi / 1e3,
            m / w
        );
    }
}

/// A private Dovecot whose INBOX holds `count` messages of the corpus, its index built: in
/// `TERN_BENCH_KEEP`'s directory when set, filled there only once for a count and shape.
fn seeded(count: usize, shape: Shape) -> Dovecot {
    let keep = std::env::var_os("TERN_BENCH_KEEP").map(PathBuf::from);
    let server = Dovecot::start(DovecotOptions {
        root: keep.clone(),
        ..Default::default()
    })
    .expect("start dovecot");
    // What the kept directory holds, written once its fill and index build are complete.
    let filled = format!("{count} {shape:?} seed {}\n", corpus::SEED);
    let marker = keep.map(|d| d.join("bench-corpus"));
    if let Some(m) = &marker {
        match std::fs::read_to_string(m) {
            Ok(held) if held == filled => {
                let (first, _) =
                    wire::fetch_all(server.imap_port, "alice", PASSWORD, "INBOX", "(ENVELOPE)");
                println!(
                    "corpus: kept in {} ({}), Dovecot's first fetch {first:.1?}",
                    server.dir.display(),
                    held.trim()
                );
                return server;
            }
            Ok(held) => panic!(
                "TERN_BENCH_KEEP={} holds another corpus ({}): remove it or choose another directory",
                server.dir.display(),
                held.trim()
            ),
            Err(_) => {
                let cur = server.dir.join("mail/alice/cur");
                assert!(
                    std::fs::read_dir(&cur).map_or(true, |mut d| d.next().is_none()),
                    "TERN_BENCH_KEEP={}: an unfinished fill is there (no bench-corpus marker): remove it",
                    server.dir.display()
                );
            }
        }
    }
    let started = Instant::now();
    let mut bytes = 0u64;
    let messages = Corpus::new(shape)
        .messages(count)
        .inspect(|m| bytes += m.len() as u64);
    server
        .seed_maildir_bulk("alice", "INBOX", messages)
        .expect("seed");
    let written = started.elapsed();
    // Dovecot indexes the folder and caches the envelopes on the first fetch.
    let (first, _) = wire::fetch_all(server.imap_port, "alice", PASSWORD, "INBOX", "(ENVELOPE)");
    println!(
        "corpus: {count} messages ({shape:?}, seed {}), {:.2} GB, written in {written:.1?}; Dovecot's first fetch (index build) {first:.1?}",
        corpus::SEED,
        bytes as f64 / 1e9,
    );
    if let Some(m) = &marker {
        std::fs::write(m, filled).expect("bench-corpus marker");
    }
    server
}

fn setup(client: Client, scratch: &Path, port: u16, count: usize) -> Setup {
    let home = scratch.join(client.key());
    std::fs::create_dir_all(&home).expect("client home");
    let h = home.display();
    let (command, whole, end_key) = match client {
        Client::TernCold | Client::TernWarm => {
            let config = home.join("config.toml");
            std::fs::write(
                &config,
                format!(
                    "confirm_quit = false\n\n[[account]]\nname = \"bench\"\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nusername = \"alice\"\npassword_env = \"TERN_BENCH_PASSWORD\"\ncache_file = \"{h}/cache.redb\"\n"
                ),
            )
            .expect("tern config");
            (
                format!("'{}' --config '{}'", client.program(), config.display()),
                Some(format!("INBOX · {count} messages")),
                "End",
            )
        }
        Client::NeoMutt | Client::NeoMuttHcache => {
            let hcache = if client == Client::NeoMuttHcache {
                format!(
                    "set header_cache = \"{h}/hcache/\"\nset imap_condstore = yes\nset imap_qresync = yes\n"
                )
            } else {
                "unset header_cache\n".to_string()
            };
            std::fs::create_dir_all(home.join("hcache")).expect("hcache dir");
            std::fs::write(
                home.join("muttrc"),
                format!(
                    "set folder = \"imap://alice@127.0.0.1:{port}/\"\nset spoolfile = \"+INBOX\"\nset imap_user = alice\nset imap_pass = {PASSWORD}\nset ssl_starttls = no\nset ssl_force_tls = no\nset sort = reverse-date\nset sleep_time = 0\nset mail_check_stats = no\nset imap_check_subscribed = no\nunset message_cachedir\n{hcache}"
                ),
            )
            .expect("muttrc");
            (
                format!("neomutt -n -F '{h}/muttrc'"),
                Some(format!("Msgs:{count}")),
                // NeoMutt's last-entry; it does not bind End.
                "*",
            )
        }
        Client::Aerc => {
            let dir = home.join("config/aerc");
            std::fs::create_dir_all(&dir).expect("aerc config dir");
            let accounts = dir.join("accounts.conf");
            std::fs::write(
                &accounts,
                format!(
                    "[bench]\nsource = imap+insecure://alice:{PASSWORD}@127.0.0.1:{port}\noutgoing = /bin/false\ndefault = INBOX\nfrom = Alice <alice@example.org>\n"
                ),
            )
            .expect("accounts.conf");
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&accounts, std::fs::Permissions::from_mode(0o600))
                .expect("chmod accounts.conf");
            std::fs::write(dir.join("aerc.conf"), "").expect("aerc.conf");
            ("aerc".to_string(), None, "G")
        }
    };
    Setup {
        client,
        home,
        command,
        whole,
        end_key,
    }
}

/// Before a launch: a cold tern starts with no cache.
fn prepare(s: &Setup) {
    if s.client == Client::TernCold {
        let _ = std::fs::remove_file(s.home.join("cache.redb"));
    }
}

fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos()
}

/// Runs the client once in a fresh tmux session and measures it (see the module doc).
fn launch(s: &Setup, count: usize) -> Launch {
    let dir = tempfile::tempdir().expect("tempdir");
    let pid_file = dir.path().join("pid");
    let start_file = dir.path().join("start");
    let h = s.home.display().to_string();
    let cmd = format!(
        "echo $$ >'{}'; date +%s%N >'{}'; exec {}",
        pid_file.display(),
        start_file.display(),
        s.command
    );
    let vars = [
        ("HOME", h.clone()),
        ("XDG_CONFIG_HOME", format!("{h}/config")),
        ("XDG_CACHE_HOME", format!("{h}/cache")),
        ("XDG_DATA_HOME", format!("{h}/data")),
        ("XDG_STATE_HOME", format!("{h}/state")),
        ("TERN_BENCH_PASSWORD", PASSWORD.to_string()),
    ];
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let t = tmux::Tmux::start(&cmd, &vars, WIDTH, HEIGHT);
    let read =
        |path: &Path| -> Option<u128> { std::fs::read_to_string(path).ok()?.trim().parse().ok() };
    let deadline = Instant::now() + Duration::from_secs(20);
    let (pid, started) = loop {
        if let (Some(p), Some(s)) = (read(&pid_file), read(&start_file)) {
            break (p as u32, s);
        }
        assert!(
            Instant::now() < deadline,
            "the client's shell never started"
        );
        std::thread::sleep(Duration::from_millis(1));
    };
    let since = |seen: u128| (seen.saturating_sub(started)) as f64 / 1e6;
    let newest = since(wait_for(&t, &token(count - 1), s));
    t.keys(&[s.end_key]);
    let (seen, pressed_again) = wait_for_oldest(&t, s);
    let oldest = since(seen);
    let whole = s.whole.as_ref().map(|w| since(wait_for(&t, w, s)));
    settle(pid);
    let (rss_kib, cpu_ms) = usage(pid);
    t.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    Launch {
        newest,
        oldest,
        pressed_again,
        whole,
        rss_kib,
        cpu_ms,
    }
}

/// When `text` was first seen on the screen (ns since the epoch), polled as fast as tmux
/// answers.
fn wait_for(t: &tmux::Tmux, text: &str, s: &Setup) -> u128 {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let screen = t.capture();
        if screen.contains(text) {
            return now_ns();
        }
        assert!(
            Instant::now() < deadline,
            "{}: {text} never shown:\n{screen}",
            s.client.title()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// When the oldest message was first seen (ns since the epoch), and whether `End` had to be
/// pressed again: a client whose first `End` landed on a row that was the last one then
/// (tern during a cold sync) gets it again once it shows the whole list loaded, as a user
/// would press it again.
fn wait_for_oldest(t: &tmux::Tmux, s: &Setup) -> (u128, bool) {
    let deadline = Instant::now() + DEADLINE;
    let oldest = token(0);
    let mut again = false;
    let mut whole_seen: Option<Instant> = None;
    loop {
        let screen = t.capture();
        if screen.contains(&oldest) {
            return (now_ns(), again);
        }
        // Half a second after the whole list shows, so a client still drawing the first
        // End's screen is not counted.
        if whole_seen.is_none() && s.whole.as_ref().is_some_and(|w| screen.contains(w)) {
            whole_seen = Some(Instant::now());
        }
        if !again && whole_seen.is_some_and(|w| w.elapsed() > Duration::from_millis(500)) {
            t.keys(&[s.end_key]);
            again = true;
        }
        assert!(
            Instant::now() < deadline,
            "{}: {oldest} never shown:\n{screen}",
            s.client.title()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Waits until the process's CPU time has not moved for half a second (it has done what
/// the launch asked of it), at most a minute.
fn settle(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = usage(pid).1;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        let now = usage(pid).1;
        if now == last {
            return;
        }
        last = now;
    }
}

/// VmRSS (KiB) and user + system CPU (ms, every thread) of a running process.
fn usage(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(f64::NAN);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces), from the third on.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    // SAFETY: sysconf only reads a constant of the system.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    // utime and stime are the 14th and 15th fields: 12th and 13th after the name.
    (rss, (ticks(11) + ticks(12)) * 1000.0 / hz)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn uptime() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| {
            let v: Vec<&str> = l.split_whitespace().take(3).collect();
            format!(
                "load average {} (1, 5, 15 min), {} cores",
                v.join(" "),
                num_cores()
            )
        })
        .unwrap_or_default()
}

fn num_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Median, min and max.
fn spread(v: &[f64]) -> Option<(f64, f64, f64)> {
    let mut v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some((v[v.len() / 2], v[0], v[v.len() - 1]))
}

/// One row of the table: a launch's figure, if it has one.
type Figure = fn(&Launch) -> Option<f64>;

fn report(o: &Options, setups: &[Setup], wire_ms: &[f64], results: &[Vec<Launch>]) {
    let wire = spread(wire_ms);
    let secs = |v: &[f64]| {
        spread(v).map_or(String::new(), |(m, lo, hi)| {
            format!("{:.2} s ({:.2}–{:.2})", m / 1e3, lo / 1e3, hi / 1e3)
        })
    };
    let ratio = |v: &[f64]| match (spread(v), wire) {
        (Some((m, lo, hi)), Some((w, ..))) => {
            format!("{:.2}× ({:.2}–{:.2})", m / w, lo / w, hi / w)
        }
        _ => String::new(),
    };
    let mib = |v: &[f64]| {
        spread(v).map_or(String::new(), |(m, lo, hi)| {
            format!(
                "{:.1} MiB ({:.1}–{:.1})",
                m / 1024.0,
                lo / 1024.0,
                hi / 1024.0
            )
        })
    };
    let rows: [(&str, Figure); 3] = [
        ("newest on screen", |l| Some(l.newest)),
        ("oldest on screen (End pressed at once)", |l| Some(l.oldest)),
        ("whole list loaded", |l| l.whole),
    ];
    let mut header = String::from("| | raw wire (UID FETCH 1:* ENVELOPE)");
    for s in setups {
        header.push_str(&format!(" | {}", s.client.title()));
    }
    let rule = format!("|---|---{}|", "|---".repeat(setups.len()));
    println!(
        "\n{} messages ({:?} corpus), tmux {WIDTH}×{HEIGHT}, medians of {} interleaved rounds (range):\n",
        o.messages, o.shape, o.rounds
    );
    println!("{header} |\n{rule}");
    for (name, f) in rows {
        let mut line = format!(
            "| {name} | {}",
            if name.starts_with("newest") {
                secs(wire_ms) + " (whole fetch)"
            } else {
                String::new()
            }
        );
        for r in results {
            let v: Vec<f64> = r.iter().filter_map(f).collect();
            line.push_str(&format!(
                " | {}",
                if v.is_empty() { "—".into() } else { secs(&v) }
            ));
        }
        println!("{line} |");
    }
    let mut line = String::from("| RSS, everything loaded |");
    for r in results {
        line.push_str(&format!(
            " | {}",
            mib(&r.iter().map(|l| l.rss_kib).collect::<Vec<_>>())
        ));
    }
    println!("{line} |");
    let mut line = String::from("| CPU user+sys, everything loaded |");
    for r in results {
        line.push_str(&format!(
            " | {}",
            secs(&r.iter().map(|l| l.cpu_ms).collect::<Vec<_>>())
        ));
    }
    println!("{line} |");
    for (s, r) in setups.iter().zip(results) {
        let again = r.iter().filter(|l| l.pressed_again).count();
        if again > 0 {
            println!(
                "{}: in {again} of {} launches the first End did not reach the oldest message; it was pressed again once the whole list was loaded",
                s.client.title(),
                r.len()
            );
        }
    }
    println!("\nAs ratios to the raw wire's median (range over the rounds):\n");
    println!("{header} |\n{rule}");
    for (name, f) in rows {
        let mut line = format!(
            "| {name} | {}",
            if name.starts_with("newest") {
                "1.00×"
            } else {
                ""
            }
        );
        for r in results {
            let v: Vec<f64> = r.iter().filter_map(f).collect();
            line.push_str(&format!(
                " | {}",
                if v.is_empty() {
                    "—".into()
                } else {
                    ratio(&v)
                }
            ));
        }
        println!("{line} |");
    }
}
