//! The byte stream under an IMAP session: our own TCP socket (so we control connect, read and
//! write timeouts, which the `imap` crate's builder lacks), optionally wrapped in TLS.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::config::TlsMode;
use crate::error::{Error, Result};
use crate::imap::guard::Guard;
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
}

/// Bytes received from servers by this process, for `--timings` and benchmarks.
static RECEIVED: AtomicU64 = AtomicU64::new(0);

pub fn bytes_received() -> u64 {
    RECEIVED.load(Ordering::Relaxed)
}

impl Stream {
    fn new(io: Transport) -> Stream {
        Stream {
            wire: Arc::new(Mutex::new(Wire {
                io,
                guard: Guard::default(),
                tags: 0,
            })),
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
    /// Sends `command` under a tag of our own and returns the tag.
    pub fn send(&mut self, command: &str) -> io::Result<String> {
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
}

/// The socket itself, unfiltered: for [`Raw`] readers.
impl Read for Wire {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let got = self.io.read(buf)?;
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
        self.wire().write(buf)
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
            stream: Stream::new(Transport::Plain(tcp)),
            control,
            greeting: None,
        }),
        TlsMode::Implicit => Ok(Opened {
            stream: Stream::new(Transport::Tls(Box::new(handshake(ep, tcp)?))),
            control,
            greeting: None,
        }),
        TlsMode::Starttls => {
            let (tcp, greeting) = starttls(ep, tcp)?;
            Ok(Opened {
                stream: Stream::new(Transport::Tls(Box::new(handshake(ep, tcp)?))),
                control,
                greeting: Some(greeting),
            })
        }
    }
}

/// Reads the greeting and upgrades with STARTTLS on the raw socket (the `imap` crate's own
/// upgrade is private). Reads byte by byte so nothing past the OK is swallowed into a buffer.
fn starttls(ep: &Endpoint, tcp: TcpStream) -> Result<(TcpStream, String)> {
    let net = |e: io::Error| Error::Network(format!("{}:{}: {e}", ep.host, ep.port));
    let mut reader = BufReader::with_capacity(1, tcp);
    let mut greeting = String::new();
    reader.read_line(&mut greeting).map_err(net)?;
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
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_err(net)? == 0 {
            return Err(Error::Network("connection closed during STARTTLS".into()));
        }
        if let Some(rest) = line.strip_prefix("s0 ") {
            if rest.starts_with("OK") {
                break;
            }
            return Err(Error::Tls(format!(
                "the server refused STARTTLS: {}",
                rest.trim_end()
            )));
        }
    }
    Ok((reader.into_inner(), greeting.trim_end().to_string()))
}

impl imap::extensions::idle::SetReadTimeout for Stream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> imap::error::Result<()> {
        self.wire()
            .io
            .tcp()
            .set_read_timeout(timeout)
            .map_err(imap::Error::Io)
    }
}
