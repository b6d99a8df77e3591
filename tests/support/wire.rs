//! The raw wire: a bare IMAP client on a socket, the floor any client's sync is measured
//! against (benches/sync.rs, benches/compare.rs). It logs in, selects, sends one `UID FETCH
//! 1:* ITEMS` and reads the reply to the tagged OK, literals whole, parsing nothing else.

#![allow(dead_code)] // included by benches, each using a different subset

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Connect, `LOGIN user password`, `SELECT folder`, `UID FETCH 1:* items` on `port` of
/// 127.0.0.1: the time from before the connect to the fetch's tagged OK, and the fetch's
/// reply as received.
pub fn fetch_all(
    port: u16,
    user: &str,
    password: &str,
    folder: &str,
    items: &str,
) -> (Duration, Vec<u8>) {
    let start = Instant::now();
    let mut reply = Vec::new();
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let mut w = stream.try_clone().expect("clone");
    let mut r = BufReader::with_capacity(1 << 16, stream);
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line).expect("greeting");
    for (tag, cmd) in [
        ("a1", format!("LOGIN {user} {password}")),
        ("a2", format!("SELECT \"{folder}\"")),
        ("a3", format!("UID FETCH 1:* {items}")),
    ] {
        write!(w, "{tag} {cmd}\r\n").expect("send");
        reply.clear();
        loop {
            line.clear();
            r.read_until(b'\n', &mut line).expect("read");
            reply.extend_from_slice(&line);
            // Read literals ({n}) whole so a subject line cannot be mistaken for the tagged reply.
            if let Some(n) = literal_len(&line) {
                let at = reply.len();
                reply.resize(at + n, 0);
                r.read_exact(&mut reply[at..]).expect("literal");
                continue;
            }
            if line.starts_with(tag.as_bytes()) {
                assert!(
                    line[tag.len()..].starts_with(b" OK"),
                    "{cmd}: {}",
                    String::from_utf8_lossy(&line)
                );
                break;
            }
        }
    }
    (start.elapsed(), reply)
}

fn literal_len(line: &[u8]) -> Option<usize> {
    let body = line.strip_suffix(b"}\r\n")?;
    let open = body.iter().rposition(|b| *b == b'{')?;
    std::str::from_utf8(&body[open + 1..]).ok()?.parse().ok()
}
