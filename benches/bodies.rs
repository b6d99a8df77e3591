//! `cargo bench --bench bodies`: the disk cache of messages read before. Seeds a private
//! Dovecot with 500 messages (plain text, text with an HTML alternative, and some with a
//! 200 KB attachment) and drives an in-process worker the way the reader does (structure,
//! then the shown text parts), printing:
//!
//! - time and bytes received to open a message, first from the server, then from the cache;
//! - the cache file with summaries only, and after reading every message once;
//! - with `body_cache_mb = 1`: the file after each of three passes over every message, and
//!   which come back from the cache (the most recently read) and which from the server (the
//!   oldest, evicted).
//!
//! Under `cargo test --all-targets` it runs once on 40 messages, so the harness cannot rot.

use std::path::Path;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use tern::devserver::{Dovecot, DovecotOptions};

#[path = "../tests/support/dovecot.rs"]
mod dovecot;
use dovecot::Seeding;
use tern::imap::stream::bytes_received;
use tern::imap::worker::{self, Handle};
use tern::msg::{Cmd, Event, Folder, Uid};

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let count = if benching { 500 } else { 40 };
    let server = Dovecot::start(DovecotOptions::default()).expect("start dovecot");
    server
        .seed_maildir_bulk("alice", "Read", (0..count).map(message))
        .expect("seed");
    let home = tempfile::tempdir().expect("tempdir");

    let cache = home.path().join("bodies.redb");
    let w = Reader::start(&server, &cache, 64);
    let uids = w.uids.clone();
    w.stop();
    let summaries_only = file_mb(&cache);
    let mut w = Reader::start(&server, &cache, 64);
    let cold: Vec<(Duration, u64, u64)> = uids.iter().map(|u| w.open(*u)).collect();
    let warm: Vec<(Duration, u64, u64)> = uids.iter().map(|u| w.open(*u)).collect();
    w.stop();
    let text: u64 = cold.iter().map(|c| c.2).sum();
    println!(
        "open a message ({count}, median): from the server {:.2} ms, {} bytes received; from the cache {:.2} ms, {} bytes",
        median(cold.iter().map(|c| ms(c.0)).collect()),
        median(cold.iter().map(|c| c.1 as f64).collect()),
        median(warm.iter().map(|c| ms(c.0)).collect()),
        median(warm.iter().map(|c| c.1 as f64).collect()),
    );
    println!(
        "cache file: {summaries_only:.2} MB with {count} summaries, {:.2} MB after reading them all ({:.2} MB of text shown)",
        file_mb(&cache),
        text as f64 / 1e6
    );

    let small = home.path().join("small.redb");
    let mut w = Reader::start(&server, &small, 1);
    // Reading in a cycle larger than the bound: every open misses, stores and evicts.
    let mut sizes = Vec::new();
    for _ in 0..3 {
        for uid in &uids {
            w.open(*uid);
        }
        sizes.push(format!("{:.2}", file_mb(&small)));
    }
    let served = |w: &mut Reader, uids: &[Uid]| uids.iter().filter(|u| w.open(**u).1 == 0).count();
    let tail = &uids[uids.len() - 10..];
    let from_cache_newest = served(&mut w, tail);
    let from_cache_oldest = served(&mut w, &uids[..10]);
    w.stop();
    println!(
        "body_cache_mb = 1, reading all {count} three times: file {} MB while open, {:.2} MB closed; of the 10 read last {from_cache_newest} come from the cache, of the 10 read first {from_cache_oldest}",
        sizes.join(" / "),
        file_mb(&small)
    );
}

/// A worker with the folder synced, opening messages as the reader does.
struct Reader {
    handle: Handle,
    uids: Vec<Uid>,
    next_req: u64,
}

impl Reader {
    fn start(server: &Dovecot, cache: &Path, body_cache_mb: u64) -> Reader {
        let text = format!(
            "[[account]]\nname = \"bench\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nusername = \"alice\"\nidle = false\ncache_file = \"{}\"\nbody_cache_mb = {body_cache_mb}\n",
            server.imap_port,
            cache.display()
        );
        let account = tern::config::parse(&text).expect("config").accounts[0].clone();
        let handle = worker::spawn(account, "wonderland".into());
        handle
            .commands
            .send(Cmd::Select {
                folder: Folder::named("Read"),
                read_only: true,
                first_screen: 50,
            })
            .expect("send");
        let mut uids = Vec::new();
        loop {
            match next(&handle.events) {
                Event::Selected { uids: u, .. } | Event::Listed { uids: u, .. } => uids = u,
                Event::SyncDone { .. } => break,
                _ => {}
            }
        }
        Reader {
            handle,
            uids,
            next_req: 1,
        }
    }

    /// Structure, then every shown part: (time, bytes received, text bytes).
    fn open(&mut self, uid: Uid) -> (Duration, u64, u64) {
        let (start, before) = (Instant::now(), bytes_received());
        let root = match self.call(|req| Cmd::FetchStructure {
            req,
            folder: Folder::named("Read"),
            uid,
        }) {
            Event::Structure { root, .. } => root,
            other => panic!("{other:?}"),
        };
        let mut text = 0;
        for part in tern::mime::display_parts(&root) {
            match self.call(|req| Cmd::FetchPart {
                req,
                folder: Folder::named("Read"),
                uid,
                section: part.section.clone(),
            }) {
                Event::PartData { bytes, .. } => text += bytes.len() as u64,
                other => panic!("{other:?}"),
            }
        }
        (start.elapsed(), bytes_received() - before, text)
    }

    fn call(&mut self, make: impl FnOnce(u64) -> Cmd) -> Event {
        self.next_req += 1;
        let req = self.next_req;
        self.handle.commands.send(make(req)).expect("send");
        loop {
            let ev = next(&self.handle.events);
            if ev.req() == Some(req) {
                return ev;
            }
        }
    }

    /// Shuts the worker down, which closes (and flushes) the cache.
    fn stop(self) {
        self.handle.shutdown();
    }
}

fn next(events: &Receiver<Event>) -> Event {
    events
        .recv_timeout(Duration::from_secs(60))
        .expect("worker event")
}

fn file_mb(path: &Path) -> f64 {
    std::fs::metadata(path).expect("cache file").len() as f64 / 1e6
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Plain text of 1 to 10 KB; every third also as HTML; every fifth with a 200 KB attachment.
fn message(i: usize) -> Vec<u8> {
    let line = "The quarterly numbers are in; see the notes below before Friday.\r\n";
    let plain = line.repeat(15 + (i * 37) % 140);
    let mut parts = vec![format!(
        "Content-Type: text/plain; charset=utf-8\r\n\r\n{plain}"
    )];
    if i.is_multiple_of(3) {
        let html = plain.replace("\r\n", "<br>\r\n");
        parts = vec![format!(
            "Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\n{}\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>{html}</p></body></html>\r\n--alt--\r\n",
            parts[0]
        )];
    }
    if i.is_multiple_of(5) {
        let data: String = (0..2700)
            .map(|n| format!("{:076}\r\n", n * 7919 + i))
            .collect();
        parts.push(format!(
            "Content-Type: application/octet-stream; name=\"data{i}.bin\"\r\nContent-Disposition: attachment; filename=\"data{i}.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{data}"
        ));
    }
    let body: String = parts.iter().map(|p| format!("--mix\r\n{p}\r\n")).collect();
    format!(
        "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: Report {i}\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <{i}@bodies.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n{body}--mix--\r\n"
    )
    .into_bytes()
}
