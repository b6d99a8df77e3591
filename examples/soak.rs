//! The churn soak of issue "Live and resilient": tern's worker and model stay open while
//! another session appends, flags and expunges, tern itself flags messages, and the server is
//! restarted; at the end the model must match the server exactly, and every action of tern's
//! must have been answered exactly once.
//!
//! `cargo run --release --example soak -- --minutes 60 --restarts 2` (scripts/soak).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tern::devserver::{Dovecot, DovecotOptions};

#[path = "../tests/support/dovecot.rs"]
mod dovecot;
use dovecot::Seeding;
use tern::imap::worker;
use tern::model::Model;
use tern::msg::{Cmd, ConnState, Event, Flag, FlagChange, Folder, Uid};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic generator, so a failing run can be repeated.
struct Rng(u64);
impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn message(n: u64) -> Vec<u8> {
    format!("From: churn@example.com\r\nSubject: churn {n}\r\nMessage-ID: <{n}@soak>\r\n\r\nbody {n}\r\n").into_bytes()
}

fn main() {
    let minutes = arg("--minutes", 60);
    let restarts = arg("--restarts", 2);
    let total = Duration::from_secs(minutes * 60);
    let mut server = Dovecot::start(DovecotOptions::default()).expect("dovecot");
    server.create_folder("alice", "Soak").expect("create");
    server
        .seed_maildir_bulk("alice", "Soak", (0..2000).map(message))
        .expect("seed");
    let home = tempfile::tempdir().expect("tempdir");
    let text = format!(
        "[[account]]\nname = \"soak\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nusername = \"alice\"\nconnect_timeout_secs = 2\nread_timeout_secs = 10\npoll_interval_secs = 5\ncache_file = \"{}\"\n",
        server.imap_port,
        home.path().join("cache.redb").display()
    );
    let account = tern::config::parse(&text)
        .expect("config")
        .accounts
        .remove(0);
    let h = worker::spawn(account, "wonderland".into());
    h.commands
        .send(Cmd::Select {
            folder: Folder::named("Soak"),
            read_only: false,
            first_screen: 60,
        })
        .expect("select");

    let stop = Arc::new(AtomicBool::new(false));
    let churn_ops = Arc::new(AtomicU64::new(0));
    let port = server.imap_port;
    let churn = {
        let (stop, ops) = (stop.clone(), churn_ops.clone());
        std::thread::spawn(move || churn_loop(port, &stop, &ops))
    };

    let mut model = Model::default();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut outcomes: HashMap<u64, Vec<&'static str>> = HashMap::new();
    let (mut next_req, mut reconnects, mut restarts_done) = (1u64, 0u32, 0u64);
    let start = Instant::now();
    let mut next_action = start + Duration::from_secs(2);
    while start.elapsed() < total {
        if restarts_done < restarts
            && start.elapsed() >= total * (restarts_done as u32 + 1) / (restarts as u32 + 1)
        {
            server.restart().expect("restart");
            restarts_done += 1;
            eprintln!("[{:>5.0}s] server restarted", start.elapsed().as_secs_f64());
        }
        if Instant::now() >= next_action {
            next_action = Instant::now() + Duration::from_secs(2);
            if let Some(mb) = &model.mailbox {
                let rows: Vec<Uid> = mb.summaries.keys().collect();
                if !rows.is_empty() {
                    let uid = rows[rng.next(rows.len() as u64) as usize];
                    outcomes.entry(next_req).or_default();
                    h.commands
                        .send(Cmd::Store {
                            req: next_req,
                            change: FlagChange {
                                folder: Folder::named("Soak"),
                                uids: vec![uid],
                                add: rng.next(2) == 0,
                                flags: Flag::Flagged.into(),
                            },
                        })
                        .expect("store");
                    next_req += 1;
                }
            }
        }
        if let Ok(ev) = h.events.recv_timeout(Duration::from_millis(100)) {
            match &ev {
                Event::Stored { req, .. } => outcomes.entry(*req).or_default().push("stored"),
                Event::Failed { req: Some(req), .. } => {
                    outcomes.entry(*req).or_default().push("failed")
                }
                Event::Queued { req } => outcomes.entry(*req).or_default().push("queued"),
                Event::Conn(ConnState::Connected(_)) => reconnects += 1,
                _ => {}
            }
            model.apply(ev);
        }
    }
    stop.store(true, Ordering::SeqCst);
    churn.join().expect("churn thread");
    // Let the worker see the last changes (IDLE, else the 5 s poll), then compare.
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_secs(15) {
        if let Ok(ev) = h.events.recv_timeout(Duration::from_millis(100)) {
            if let Event::Stored { req, .. } = &ev {
                outcomes.entry(*req).or_default().push("stored");
            }
            model.apply(ev);
        }
    }
    let server_state = server_flags(&server);
    let tern_state: BTreeMap<Uid, bool> = model
        .mailbox
        .as_ref()
        .map(|mb| {
            mb.uids
                .iter()
                .map(|u| {
                    let flagged = mb
                        .summaries
                        .get(u)
                        .is_some_and(|s| s.flags.has(Flag::Flagged));
                    (*u, flagged)
                })
                .collect()
        })
        .unwrap_or_default();
    let missing = server_state
        .keys()
        .filter(|u| !tern_state.contains_key(u))
        .count();
    let extra = tern_state
        .keys()
        .filter(|u| !server_state.contains_key(u))
        .count();
    let flag_diff = server_state
        .iter()
        .filter(|(u, f)| tern_state.get(u).is_some_and(|t| t != *f))
        .count();
    let doubled = outcomes
        .values()
        .filter(|o| o.iter().filter(|x| **x == "stored").count() > 1)
        .count();
    let unanswered = outcomes
        .values()
        .filter(|o| !o.iter().any(|x| *x == "stored" || *x == "failed"))
        .count();
    let failed = outcomes.values().filter(|o| o.contains(&"failed")).count();
    let queued = outcomes.values().filter(|o| o.contains(&"queued")).count();
    println!(
        "soak: {minutes} min, {restarts_done} server restarts, {} connections made",
        reconnects
    );
    println!(
        "churn by another session: {} operations (append/flag/expunge)",
        churn_ops.load(Ordering::SeqCst)
    );
    println!(
        "tern's own flag changes: {} sent, {} queued while offline, {} failed with a reason, {doubled} applied twice, {unanswered} unanswered",
        outcomes.len(),
        queued,
        failed
    );
    println!(
        "final: server {} messages, tern {} messages; missing {missing}, extra {extra}, flag differences {flag_diff}",
        server_state.len(),
        tern_state.len()
    );
    h.shutdown();
    // process::exit below skips destructors: stop the server we started ourselves.
    server.stop();
    let ok = missing == 0 && extra == 0 && flag_diff == 0 && doubled == 0 && unanswered == 0;
    println!(
        "{}",
        if ok {
            "RESULT: list matches the server; no lost or doubled actions"
        } else {
            "RESULT: MISMATCH"
        }
    );
    std::process::exit(if ok { 0 } else { 1 });
}

fn server_flags(server: &Dovecot) -> BTreeMap<Uid, bool> {
    let mut s = server.session("alice").expect("session");
    s.examine("Soak").expect("examine");
    s.uid_fetch("1:*", "(UID FLAGS)")
        .expect("fetch")
        .iter()
        .filter_map(|f| {
            Some((
                f.uid?,
                f.flags().iter().any(|x| x.to_string() == "\\Flagged"),
            ))
        })
        .collect()
}

/// Another client: appends, flags and expunges at random, reconnecting across restarts.
fn churn_loop(port: u16, stop: &AtomicBool, ops: &AtomicU64) {
    let mut rng = Rng(0x0c0f_fee0_dead_beef);
    let mut n = 100_000u64;
    while !stop.load(Ordering::SeqCst) {
        let Ok(tcp) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
            std::thread::sleep(Duration::from_millis(200));
            continue;
        };
        let mut client = imap::Client::new(tcp);
        if client.read_greeting().is_err() {
            continue;
        }
        let Ok(mut s) = client.login("alice", "wonderland").map_err(|e| e.0) else {
            continue;
        };
        if s.select("Soak").is_err() {
            continue;
        }
        while !stop.load(Ordering::SeqCst) {
            let uids: Vec<Uid> = match s.uid_search("ALL") {
                Ok(set) => set.into_iter().collect(),
                Err(_) => break,
            };
            let pick = |rng: &mut Rng| uids.get(rng.next(uids.len() as u64) as usize).copied();
            let result = match rng.next(10) {
                0..=3 => {
                    n += 1;
                    s.append("Soak", &message(n)).finish().map(|_| ())
                }
                4..=7 => match pick(&mut rng) {
                    Some(u) => {
                        let op = [
                            "+FLAGS (\\Seen)",
                            "-FLAGS (\\Seen)",
                            "+FLAGS (\\Flagged)",
                            "-FLAGS (\\Flagged)",
                        ][rng.next(4) as usize];
                        s.uid_store(u.to_string(), op).map(|_| ())
                    }
                    None => Ok(()),
                },
                _ => match pick(&mut rng) {
                    Some(u) if uids.len() > 500 => s
                        .uid_store(u.to_string(), "+FLAGS.SILENT (\\Deleted)")
                        .and_then(|_| s.uid_expunge(u.to_string()))
                        .map(|_| ()),
                    _ => Ok(()),
                },
            };
            if result.is_err() {
                break;
            }
            ops.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(150));
        }
    }
}
