//! The byte stream under an IMAP session: our own TCP socket (so we control connect, read and
//! write timeouts, which the `imap` crate's builder lacks), optionally wrapped in TLS.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::config::TlsMode;
use crate::error::{Error, Result};
use crate::imap::guard::{Expect, Guard};
pub use crate::net::Endpoint;
use crate::net::{Transport, connect_tcp, handshake};

/// The socket, plain or TLS, with a [`Guard`] on what the server sends: what the `imap`
/// crate reads and writes.
pub struct Stream {
    wire: Arc<Mutex<Wire>>,
}

/// Our own way to the same socket, past the crate, for replies we parse ourselves
/// (`summary_reader`). Only used between the crate's commands, never during one.
#[derive(Clone)]
pub struct Raw(Arc<Mutex<Wire>>);

/// What [`Stream`] and [`Raw`] share.
pub struct Wire {
    io: Transport,
    guard: Guard,
    /// Our commands are tagged `t1`, `t2` ...; the crate's `a1`, `a2` ... never collide.
    tags: u32,
    /// The socket's own read timeout, and when the answer being read must be complete.
    read_timeout: Duration,
    deadline: Option<Instant>,
    /// The socket's timeout was cut to what was left before the deadline.
    shortened: bool,
    /// Caps set for the next command with [`Wire::expect`].
    next: Option<Expect>,
}

/// The error of a read past an answer's deadline.
#[derive(Debug)]
pub struct DeadlinePassed;

impl std::fmt::Display for DeadlinePassed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the server did not finish its answer in time")
    }
}

impl std::error::Error for DeadlinePassed {}

/// Every answer may take this long (or the read timeout, if longer) whatever its size ...
const BASE_DEADLINE: Duration = Duration::from_secs(30);
/// ... plus a second per this many bytes it is expected to hold.
const MIN_RATE: u64 = 64 << 10;

/// Bytes received from servers by this process, for `--timings` and benchmarks.
static RECEIVED: AtomicU64 = AtomicU64::new(0);

pub fn bytes_received() -> u64 {
    RECEIVED.load(Ordering::Relaxed)
}

impl Stream {
    fn new(io: Transport, read_timeout: Duration) -> Stream {
        let mut wire = Wire {
            io,
            guard: Guard::default(),
            tags: 0,
            read_timeout,
            deadline: None,
            shortened: false,
            next: None,
        };
        // The greeting is an answer too.
        wire.begin(b"");
        Stream {
            wire: Arc::new(Mutex::new(wire)),
        }
    }

    fn wire(&self) -> MutexGuard<'_, Wire> {
        lock(&self.wire)
    }

    pub fn raw(&self) -> Raw {
        Raw(self.wire.clone())
    }
}

impl Raw {
    pub fn lock(&self) -> MutexGuard<'_, Wire> {
        lock(&self.0)
    }
}

/// Only one thread uses a connection at a time; a panic while holding the lock leaves the
/// bytes as they were, and the connection is dropped with its thread anyway.
fn lock(wire: &Mutex<Wire>) -> MutexGuard<'_, Wire> {
    wire.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Wire {
    /// Caps for the answer to the next command (its size in bytes and responses); it must
    /// also be complete within a deadline scaled by that size.
    pub fn expect(&mut self, expect: Expect) {
        self.next = Some(expect);
    }

    /// A command goes out: its caps and deadline start now. IDLE waits for news for as long
    /// as it likes; its DONE starts a deadline again.
    fn begin(&mut self, command: &[u8]) {
        if self.shortened {
            self.shortened = false;
            let _ = self.io.tcp().set_read_timeout(Some(self.read_timeout));
        }
        if command.ends_with(b" IDLE\r\n") {
            self.deadline = None;
            return;
        }
        let expect = self.next.take().unwrap_or_default();
        self.guard.expect(expect);
        let base = BASE_DEADLINE.max(self.read_timeout);
        self.deadline = Some(Instant::now() + base + Duration::from_secs(expect.size / MIN_RATE));
    }

    /// Sends `command` under a tag of our own and returns the tag.
    pub fn send(&mut self, command: &str) -> io::Result<String> {
        self.begin(format!("x {command}\r\n").as_bytes());
        self.tags += 1;
        let tag = format!("t{}", self.tags);
        self.write_all(format!("{tag} {command}\r\n").as_bytes())?;
        self.flush()?;
        Ok(tag)
    }

    /// What arrived but the crate has not read: where the reply to [`Wire::send`] starts.
    /// The guard's state is handed over too: a `* BYE` already seen, and an unknown
    /// response still arriving, which is read and dropped first.
    pub fn take_pending(&mut self) -> io::Result<(Vec<u8>, Option<String>)> {
        loop {
            if let Some(pending) = self.guard.take_pending() {
                return Ok((pending, self.guard.take_bye()));
            }
            let mut raw = [0u8; 16 * 1024];
            let got = self.read(&mut raw)?;
            if got == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            self.guard.feed(&raw[..got])?;
        }
    }

    /// Gives back what was read past the end of our reply, for the crate's next command.
    pub fn give_back(&mut self, rest: &[u8]) -> io::Result<()> {
        self.guard.feed(rest)
    }

    /// Sends `command` under our own tag and reads its whole reply (at most `max` bytes),
    /// through the tagged line; what arrives after that line goes back to the guard, so the
    /// crate's next read starts exactly where our reply ended. For replies neither crate
    /// parses (NAMESPACE); the tag is the reply's.
    pub fn exchange(&mut self, command: &str, max: usize) -> io::Result<(String, Vec<u8>)> {
        let tag = self.send(command)?;
        let (mut buf, _) = self.take_pending()?;
        let end = loop {
            if let Some(end) = tagged_end(&buf, &tag) {
                break end;
            }
            if buf.len() > max {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the reply is longer than any answer to this command",
                ));
            }
            let mut chunk = [0u8; 4096];
            let got = self.read(&mut chunk)?;
            if got == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            buf.extend_from_slice(&chunk[..got]);
        };
        self.give_back(&buf[end..])?;
        buf.truncate(end);
        Ok((tag, buf))
    }

    /// [`Wire::exchange`] for commands whose untagged answer does not matter to us (ID): only
    /// the tagged line is kept.
    pub fn command(&mut self, command: &str, max: usize) -> io::Result<Tagged> {
        let (tag, buf) = self.exchange(command, max)?;
        let end = buf.len();
        let start = buf[..end - 2]
            .windows(2)
            .rposition(|w| w == b"\r\n")
            .map_or(0, |at| at + 2);
        let status = String::from_utf8_lossy(&buf[start + tag.len() + 1..end - 2]).into_owned();
        Ok(Tagged { status })
    }
}

/// The tagged line that ended a reply read with [`Wire::command`].
#[derive(Debug)]
pub struct Tagged {
    /// What follows the tag: `OK ...`, `NO ...` or `BAD ...`.
    pub status: String,
}

impl Tagged {
    pub fn ok(&self) -> bool {
        self.status
            .get(..3)
            .is_some_and(|s| s.eq_ignore_ascii_case("OK "))
            || self.status.eq_ignore_ascii_case("OK")
    }
}

/// Where the line tagged `tag` ends (after its CRLF), if it has arrived whole.
fn tagged_end(buf: &[u8], tag: &str) -> Option<usize> {
    let mut line_start = 0;
    while let Some(len) = buf[line_start..].windows(2).position(|w| w == b"\r\n") {
        let line = &buf[line_start..line_start + len];
        let next = line_start + len + 2;
        if line
            .strip_prefix(tag.as_bytes())
            .is_some_and(|r| r.starts_with(b" "))
        {
            return Some(next);
        }
        line_start = next;
    }
    None
}

/// The socket itself, unfiltered: for [`Raw`] readers. A read past the answer's deadline
/// fails, however steadily the server dribbles bytes.
impl Read for Wire {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(deadline) = self.deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                self.deadline = None;
                return Err(io::Error::new(io::ErrorKind::TimedOut, DeadlinePassed));
            }
            if left < self.read_timeout {
                self.shortened = true;
                self.io
                    .tcp()
                    .set_read_timeout(Some(left.max(Duration::from_millis(1))))?;
            }
        }
        let got = self.io.read(buf);
        let got = match got {
            // The timeout was cut to the deadline: it is the deadline that passed.
            Err(e)
                if self.shortened
                    && matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
            {
                self.deadline = None;
                return Err(io::Error::new(io::ErrorKind::TimedOut, DeadlinePassed));
            }
            other => other?,
        };
        RECEIVED.fetch_add(got as u64, Ordering::Relaxed);
        Ok(got)
    }
}

impl Write for Wire {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.io.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.io.flush()
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut wire = self.wire();
        let mut raw = [0u8; 16 * 1024];
        loop {
            let n = wire.guard.drain(buf);
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            let got = wire.read(&mut raw)?;
            if got == 0 {
                wire.guard.finish();
                return match wire.guard.drain(buf) {
                    0 => wire.guard.eof(),
                    n => Ok(n),
                };
            }
            wire.guard.feed(&raw[..got])?;
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut wire = self.wire();
        // The crate writes a command line in one piece; a literal's bytes and IDLE's DONE
        // follow separately, and only DONE ends in a line of its own that starts a wait.
        if buf.ends_with(b"\r\n") && !buf.starts_with(b"DONE") {
            wire.begin(buf);
        } else if buf.starts_with(b"DONE\r\n") {
            wire.begin(b"DONE\r\n");
        }
        wire.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.wire().flush()
    }
}

impl Stream {
    /// The untagged warnings this stream's guard collects.
    pub fn warnings(&self) -> crate::imap::guard::Warnings {
        self.wire().guard.warnings.clone()
    }

    /// Negotiated protocol and cipher, for `tern check`.
    pub fn tls_description(&self) -> Option<String> {
        self.wire().io.tls_description()
    }
}

/// A connected stream plus, for STARTTLS, the greeting we had to read before the upgrade.
pub struct Opened {
    pub stream: Stream,
    /// A clone of the socket, kept to shut the connection down from outside a blocking read.
    pub control: TcpStream,
    pub greeting: Option<String>,
}

pub fn open(ep: &Endpoint) -> Result<Opened> {
    let tcp = connect_tcp(ep)?;
    let control = tcp
        .try_clone()
        .map_err(|e| Error::Network(format!("{}:{}: {e}", ep.host, ep.port)))?;
    match ep.tls {
        TlsMode::None => Ok(Opened {
            stream: Stream::new(Transport::Plain(tcp), ep.read_timeout),
            control,
            greeting: None,
        }),
        TlsMode::Implicit => Ok(Opened {
            stream: Stream::new(
                Transport::Tls(Box::new(handshake(ep, tcp)?)),
                ep.read_timeout,
            ),
            control,
            greeting: None,
        }),
        TlsMode::Starttls => {
            let (tcp, greeting) = starttls(ep, tcp)?;
            Ok(Opened {
                stream: Stream::new(
                    Transport::Tls(Box::new(handshake(ep, tcp)?)),
                    ep.read_timeout,
                ),
                control,
                greeting: Some(greeting),
            })
        }
    }
}

/// Longest line before STARTTLS (a greeting with its capabilities is well under 1 KiB).
const MAX_PRE_TLS_LINE: u64 = 8 << 10;
/// Untagged lines accepted before the answer to STARTTLS.
const MAX_PRE_TLS_LINES: usize = 32;

/// Reads the greeting and upgrades with STARTTLS on the raw socket (the `imap` crate's own
/// upgrade is private). Reads byte by byte so nothing past the OK is swallowed into a buffer.
/// Everything before the upgrade is capped: line length, line count, and the time it takes.
fn starttls(ep: &Endpoint, tcp: TcpStream) -> Result<(TcpStream, String)> {
    let net = |e: io::Error| match e.get_ref().is_some_and(|e| e.is::<DeadlinePassed>()) {
        true => Error::Limit(format!("{}:{}: {e}", ep.host, ep.port)),
        false => Error::Network(format!("{}:{}: {e}", ep.host, ep.port)),
    };
    let until = Instant::now() + BASE_DEADLINE.max(ep.read_timeout);
    let mut reader = BufReader::with_capacity(1, tcp);
    let line = |reader: &mut BufReader<TcpStream>| -> Result<String> {
        let mut buf = Vec::new();
        let mut limited = Timed {
            inner: reader.by_ref().take(MAX_PRE_TLS_LINE),
            until,
        };
        limited.read_until(b'\n', &mut buf).map_err(net)?;
        if !buf.ends_with(b"\n") && buf.len() as u64 >= MAX_PRE_TLS_LINE {
            return Err(Error::Limit(format!(
                "{}: the server sent a line longer than {} KiB before STARTTLS",
                ep.host,
                MAX_PRE_TLS_LINE >> 10
            )));
        }
        Ok(String::from_utf8_lossy(&buf).into_owned())
    };
    let greeting = line(&mut reader)?;
    if !greeting.starts_with("* OK") {
        return Err(Error::Protocol(format!(
            "unexpected greeting: {}",
            greeting.trim_end()
        )));
    }
    reader
        .get_mut()
        .write_all(b"s0 STARTTLS\r\n")
        .map_err(net)?;
    let mut lines = 0;
    loop {
        let answer = line(&mut reader)?;
        if answer.is_empty() {
            return Err(Error::Network("connection closed during STARTTLS".into()));
        }
        if let Some(rest) = answer.strip_prefix("s0 ") {
            if rest.starts_with("OK") {
                break;
            }
            return Err(Error::Tls(format!(
                "the server refused STARTTLS: {}",
                rest.trim_end()
            )));
        }
        lines += 1;
        if lines > MAX_PRE_TLS_LINES {
            return Err(Error::Limit(format!(
                "{}: the server sent more than {MAX_PRE_TLS_LINES} lines without answering STARTTLS",
                ep.host
            )));
        }
    }
    Ok((reader.into_inner(), greeting.trim_end().to_string()))
}

/// A reader that fails once `until` has passed, for a server that dribbles bytes.
struct Timed<R> {
    inner: R,
    until: Instant,
}

impl<R: Read> Read for Timed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if Instant::now() >= self.until {
            return Err(io::Error::new(io::ErrorKind::TimedOut, DeadlinePassed));
        }
        self.inner.read(buf)
    }
}

impl<R: BufRead> BufRead for Timed<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if Instant::now() >= self.until {
            return Err(io::Error::new(io::ErrorKind::TimedOut, DeadlinePassed));
        }
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.inner.consume(n);
    }
}

impl imap::extensions::idle::SetReadTimeout for Stream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> imap::error::Result<()> {
        let mut wire = self.wire();
        if let Some(t) = timeout {
            wire.read_timeout = t;
        }
        wire.io
            .tcp()
            .set_read_timeout(timeout)
            .map_err(imap::Error::Io)
    }
}

#[cfg(test)]
mod tests {
    use super::tagged_end;

    #[test]
    fn the_tagged_line_ends_the_reply() {
        let reply = b"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nt3 OK done\r\n* 4 EXISTS\r\n";
        assert_eq!(tagged_end(reply, "t3"), Some(reply.len() - 12));
        assert_eq!(tagged_end(b"t30 OK\r\n", "t3"), None);
        assert_eq!(tagged_end(b"* NAMESPACE NIL NIL NIL\r\nt3 OK", "t3"), None);
    }
}
