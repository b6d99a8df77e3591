//! POP3 on the wire (RFC 1939): status lines and multi-line replies, over any byte stream.
//!
//! Memory and time stay bounded whatever the server sends: a status line is capped, a
//! multi-line reply is dot-unstuffed and handed on in pieces as it arrives (never held
//! whole), and a reply must keep arriving at a useful rate, not one byte a minute.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// RFC 2449 allows 512 bytes for a status line; generous for servers that exceed it.
pub const STATUS_CAP: usize = 4096;
/// A multi-line reply must bring this many bytes (or its end) within every read timeout.
const PROGRESS_BYTES: u64 = 64 * 1024;

pub struct Wire<S: Read + Write> {
    io: BufReader<S>,
    timeout: Duration,
}

/// `+OK text` or `-ERR text`, with the marker taken off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Ok(String),
    Err(String),
}

fn net(e: io::Error, timeout: Duration) -> Error {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Error::Network(format!(
            "the POP3 server did not answer within {} s",
            timeout.as_secs()
        )),
        _ => Error::Network(format!("POP3 connection: {e}")),
    }
}

fn closed() -> Error {
    Error::Network("the POP3 server closed the connection in the middle of a reply".into())
}

impl<S: Read + Write> Wire<S> {
    pub fn new(io: S, timeout: Duration) -> Wire<S> {
        Wire {
            io: BufReader::with_capacity(64 * 1024, io),
            timeout,
        }
    }

    /// The stream back, for a TLS upgrade; None when the server already sent more than
    /// its answer (bytes that would be lost, or injected before the handshake).
    pub fn into_inner(self) -> Option<S> {
        self.io.buffer().is_empty().then(|| self.io.into_inner())
    }

    pub fn get_ref(&self) -> &S {
        self.io.get_ref()
    }

    pub fn send(&mut self, line: &str) -> Result<()> {
        let w = self.io.get_mut();
        w.write_all(line.as_bytes())
            .and_then(|()| w.write_all(b"\r\n"))
            .and_then(|()| w.flush())
            .map_err(|e| net(e, self.timeout))
    }

    /// One status line.
    pub fn status(&mut self) -> Result<Status> {
        let line = self.line(STATUS_CAP)?;
        let text = String::from_utf8_lossy(&line);
        parse_status(text.trim_end_matches(['\r', '\n']))
    }

    /// A line up to `cap` bytes, CRLF included, within twice the read timeout.
    pub fn line(&mut self, cap: usize) -> Result<Vec<u8>> {
        let start = Instant::now();
        let mut line = Vec::new();
        loop {
            let buf = self.io.fill_buf().map_err(|e| net(e, self.timeout))?;
            if buf.is_empty() {
                return Err(closed());
            }
            let (take, done) = match memchr::memchr(b'\n', buf) {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            line.extend_from_slice(&buf[..take]);
            self.io.consume(take);
            if line.len() > cap {
                return Err(Error::Protocol(format!(
                    "the POP3 server sent a line longer than {cap} bytes"
                )));
            }
            if done {
                return Ok(line);
            }
            if start.elapsed() > self.timeout * 2 {
                return Err(net(io::ErrorKind::TimedOut.into(), self.timeout));
            }
        }
    }

    /// The body of a multi-line reply, dot-unstuffed, handed to `sink` piece by piece up to
    /// the terminating `.` line (which is not passed on). Returns the bytes passed on.
    pub fn multi(&mut self, mut sink: impl FnMut(&[u8]) -> io::Result<()>) -> Result<u64> {
        #[derive(Clone, Copy, PartialEq)]
        enum At {
            LineStart,
            Dot,
            DotCr,
            Mid,
        }
        let mut at = At::LineStart;
        let mut total = 0u64;
        let mut mark = (Instant::now(), 0u64);
        let sink_err = |e: io::Error| Error::Io(format!("cannot store the message: {e}"));
        loop {
            let buf = self.io.fill_buf().map_err(|e| net(e, self.timeout))?;
            if buf.is_empty() {
                return Err(closed());
            }
            let mut i = 0;
            let mut end = false;
            while i < buf.len() && !end {
                match at {
                    At::LineStart if buf[i] == b'.' => {
                        at = At::Dot;
                        i += 1;
                    }
                    At::LineStart => at = At::Mid,
                    At::Dot => match buf[i] {
                        b'\r' => {
                            at = At::DotCr;
                            i += 1;
                        }
                        b'\n' => {
                            end = true;
                            i += 1;
                        }
                        // A stuffed dot: dropped, the rest of the line is data.
                        _ => at = At::Mid,
                    },
                    At::DotCr if buf[i] == b'\n' => {
                        end = true;
                        i += 1;
                    }
                    At::DotCr => {
                        sink(b"\r").map_err(sink_err)?;
                        total += 1;
                        at = At::Mid;
                    }
                    At::Mid => {
                        let (take, eol) = match memchr::memchr(b'\n', &buf[i..]) {
                            Some(j) => (j + 1, true),
                            None => (buf.len() - i, false),
                        };
                        sink(&buf[i..i + take]).map_err(sink_err)?;
                        total += take as u64;
                        i += take;
                        if eol {
                            at = At::LineStart;
                        }
                    }
                }
            }
            self.io.consume(i);
            if end {
                return Ok(total);
            }
            if total - mark.1 >= PROGRESS_BYTES {
                mark = (Instant::now(), total);
            } else if mark.0.elapsed() > self.timeout * 2 {
                return Err(Error::Network(format!(
                    "the POP3 server sent less than {} KiB in {} s; giving up on this reply",
                    PROGRESS_BYTES / 1024,
                    (self.timeout * 2).as_secs()
                )));
            }
        }
    }

    /// The lines of a multi-line reply (CAPA, LIST, UIDL), at most `max_lines` of at most
    /// `line_cap` bytes each; CRLF removed.
    pub fn lines(&mut self, max_lines: usize, line_cap: usize) -> Result<Vec<String>> {
        let mut lines = Vec::new();
        let mut current = Vec::new();
        let mut too_much = None;
        self.multi(|piece| {
            if too_much.is_some() {
                return Ok(());
            }
            current.extend_from_slice(piece);
            if current.len() > line_cap {
                too_much = Some(format!("a reply line longer than {line_cap} bytes"));
            } else if current.ends_with(b"\n") {
                let text = String::from_utf8_lossy(&current);
                lines.push(text.trim_end_matches(['\r', '\n']).to_string());
                current.clear();
                if lines.len() > max_lines {
                    too_much = Some(format!("more than {max_lines} lines"));
                }
            }
            Ok(())
        })?;
        match too_much {
            Some(what) => Err(Error::Protocol(format!("the POP3 server sent {what}"))),
            None => Ok(lines),
        }
    }
}

/// A status line without its CRLF: +OK or -ERR and the words after it.
pub fn parse_status(text: &str) -> Result<Status> {
    let rest = |marker: &str| {
        text.get(..marker.len())
            .filter(|m| m.eq_ignore_ascii_case(marker))
            .map(|_| text[marker.len()..].trim_start().to_string())
    };
    if let Some(ok) = rest("+OK") {
        Ok(Status::Ok(ok))
    } else if let Some(err) = rest("-ERR") {
        Ok(Status::Err(err))
    } else {
        Err(Error::Protocol(format!(
            "the POP3 server sent {:?} where +OK or -ERR belongs",
            crate::mime::sanitize_line(text)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads scripted bytes, in pieces of `step` to cross every boundary; writes nowhere.
    struct Script {
        data: Vec<u8>,
        pos: usize,
        step: usize,
    }

    impl Read for Script {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len() - self.pos);
            buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    impl Write for Script {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn wire(data: &[u8], step: usize) -> Wire<Script> {
        let script = Script {
            data: data.to_vec(),
            pos: 0,
            step,
        };
        Wire::new(script, Duration::from_secs(5))
    }

    fn body(data: &[u8], step: usize) -> Result<Vec<u8>> {
        let mut w = wire(data, step);
        let mut out = Vec::new();
        w.multi(|p| {
            out.extend_from_slice(p);
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn unstuffs_dots_in_every_split() {
        let data = b"Subject: x\r\n\r\n..hidden\r\n\r\n...\r\nend.\r\n.\r\nNEXT";
        for step in 1..8 {
            let got = body(data, step).unwrap();
            assert_eq!(
                got, b"Subject: x\r\n\r\n.hidden\r\n\r\n..\r\nend.\r\n",
                "{step}"
            );
        }
    }

    #[test]
    fn a_bare_lf_terminator_and_an_empty_body_are_accepted() {
        assert_eq!(body(b".\r\n", 1).unwrap(), b"");
        assert_eq!(body(b"a\n.\n", 1).unwrap(), b"a\n");
    }

    #[test]
    fn a_drop_before_the_terminator_is_an_error() {
        let e = body(b"Subject: x\r\n\r\nhalf a mess", 3).unwrap_err();
        assert!(matches!(e, Error::Network(_)), "{e}");
    }

    #[test]
    fn status_lines_keep_the_servers_words_and_refuse_garbage() {
        let mut w = wire(
            b"+OK ready <1.2@h>\r\n-ERR [IN-USE] locked\r\n* OK imap\r\n",
            4,
        );
        assert_eq!(w.status().unwrap(), Status::Ok("ready <1.2@h>".into()));
        assert_eq!(w.status().unwrap(), Status::Err("[IN-USE] locked".into()));
        assert!(matches!(w.status(), Err(Error::Protocol(_))));
        let long = [b"+OK ".as_slice(), &[b'x'; 5000], b"\r\n"].concat();
        assert!(matches!(wire(&long, 100).status(), Err(Error::Protocol(_))));
    }

    #[test]
    fn lines_are_capped_in_length_and_number() {
        let mut w = wire(b"1 a\r\n2 b\r\n.\r\n", 2);
        assert_eq!(w.lines(10, 80).unwrap(), ["1 a", "2 b"]);
        assert!(wire(b"1 a\r\n2 b\r\n3 c\r\n.\r\n", 2).lines(2, 80).is_err());
        let long = [&[b'x'; 100][..], b"\r\n.\r\n"].concat();
        assert!(wire(&long, 7).lines(10, 80).is_err());
    }
}
