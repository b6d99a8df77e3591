//! `UID FETCH uid (UID BODY.PEEK[section])` read straight off the socket, the part's literal
//! handed on piece by piece as it arrives: saving a 50 MB attachment holds a read buffer,
//! never the attachment (the crate would buffer the whole answer, then copy it).
//!
//! The caps of the guard hold here too: the literal may be at most what BODYSTRUCTURE said
//! the part holds, with slack (refused when announced), lines are capped, other untagged
//! responses are skipped with their literals, and the answer has a deadline scaled by the
//! part's size.

use std::io::Read;

use crate::error::{Error, Result};
use crate::imap::guard::{self, Expect};
use crate::imap::literal::literal_len;
use crate::imap::session::{Connection, map_err};
use crate::imap::stream::Wire;
use crate::mime::Section;
use crate::msg::Uid;

/// Bytes read from the socket at a time (and the most a piece handed on holds).
const READ: usize = 64 << 10;
/// Longest line outside the literal: a FETCH line is short.
const MAX_LINE: usize = 1 << 20;

/// Streams part `section` of message `uid`, expected to be about `size` bytes as sent
/// (transfer-encoded), to `sink`; the number of bytes it received. An error from `sink`
/// (a full disk, a cancel) ends the read at once: the connection is then mid-answer, and
/// the caller must drop it.
pub fn stream(
    conn: &Connection,
    uid: Uid,
    section: &Section,
    size: u64,
    sink: &mut dyn FnMut(&[u8]) -> Result<()>,
) -> Result<u64> {
    const VERB: &str = "UID FETCH";
    let io = |e| map_err(VERB, imap::Error::Io(e));
    let mut wire = conn.raw.lock();
    // BODYSTRUCTURE may give the decoded size (a disposition's `size`): base64 is 4/3 of it.
    let expect = Expect::literal(size.saturating_add(size / 2));
    wire.expect(expect);
    let spec = section.imap_spec();
    let tag = wire
        .send(&format!("{VERB} {uid} (UID BODY.PEEK[{spec}])"))
        .map_err(io)?;
    let (pending, bye) = wire.take_pending().map_err(io)?;
    let mut input = Input {
        buf: pending,
        at: 0,
        wire: &mut wire,
        bye,
    };
    let body = format!("BODY[{spec}]").into_bytes();
    let mut got = None;
    loop {
        let line = input.line()?;
        if let Some(status) = line
            .strip_prefix(tag.as_bytes())
            .and_then(|l| l.strip_prefix(b" "))
        {
            let rest = input.buf.split_off(input.at);
            input.wire.give_back(&rest).map_err(io)?;
            return tagged(status, got, uid, section);
        }
        if line.starts_with(b"* ") {
            guard::note_warning(&conn.warnings, &line);
            if let Some(text) = guard::bye(&line) {
                input.bye = Some(text);
            }
        }
        let Some(n) = literal_len(&line) else {
            if got.is_none() && mentions(&line, &body) {
                got = Some(0); // `BODY[2] NIL` or `BODY[2] ""`: an empty part
            }
            continue;
        };
        if n > expect.bytes {
            return Err(Error::Limit(format!(
                "{VERB}: the server announced {} MiB where at most {} MiB were expected",
                n >> 20,
                expect.bytes >> 20
            )));
        }
        let ours = got.is_none() && ends_with_ignore_case(&line, &body, n);
        if ours {
            got = Some(n);
            input.literal(n, sink)?;
        } else {
            input.literal(n, &mut |_| Ok(()))?;
        }
    }
}

fn tagged(status: &[u8], got: Option<u64>, uid: Uid, section: &Section) -> Result<u64> {
    let text = crate::mime::guess_to_utf8(status);
    let text = text.trim_end();
    let (word, words) = text.split_once(' ').unwrap_or((text, ""));
    if !word.eq_ignore_ascii_case("OK") {
        return Err(Error::Server {
            command: "UID FETCH".into(),
            text: words.to_string(),
        });
    }
    got.ok_or_else(|| Error::NotFound(format!("message {uid} has no part {section}")))
}

fn mentions(line: &[u8], body: &[u8]) -> bool {
    line.windows(body.len())
        .any(|w| w.eq_ignore_ascii_case(body))
}

/// Whether the literal of `n` bytes at the end of `line` is `BODY[spec]`'s.
fn ends_with_ignore_case(line: &[u8], body: &[u8], n: u64) -> bool {
    let announcement = format!(" {{{n}}}\r\n");
    let Some(before) = line.strip_suffix(announcement.as_bytes()) else {
        return false;
    };
    before.len() >= body.len() && before[before.len() - body.len()..].eq_ignore_ascii_case(body)
}

/// The answer as it arrives: what the guard had already received, then the socket.
struct Input<'a> {
    buf: Vec<u8>,
    at: usize,
    wire: &'a mut Wire,
    bye: Option<String>,
}

impl Input<'_> {
    fn read_more(&mut self) -> Result<()> {
        if self.at > 0 {
            self.buf.drain(..self.at);
            self.at = 0;
        }
        let start = self.buf.len();
        self.buf.resize(start + READ, 0);
        let got = self.wire.read(&mut self.buf[start..]);
        self.buf.truncate(start + *got.as_ref().unwrap_or(&0));
        match got {
            Ok(0) => Err(match self.bye.take() {
                Some(text) => Error::Network(format!("the server closed the connection: {text}")),
                None => Error::Network("the connection was lost".into()),
            }),
            Ok(_) => Ok(()),
            Err(e) => Err(map_err("UID FETCH", imap::Error::Io(e))),
        }
    }

    /// The next line, LF included.
    fn line(&mut self) -> Result<Vec<u8>> {
        loop {
            if let Some(end) = memchr::memchr(b'\n', &self.buf[self.at..]) {
                let line = self.buf[self.at..=self.at + end].to_vec();
                self.at += end + 1;
                return Ok(line);
            }
            if self.buf.len() - self.at > MAX_LINE {
                return Err(Error::Limit(format!(
                    "UID FETCH: the server sent a line longer than {} MiB",
                    MAX_LINE >> 20
                )));
            }
            self.read_more()?;
        }
    }

    /// The next `n` bytes, to `sink` as they come.
    fn literal(&mut self, mut n: u64, sink: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> {
        while n > 0 {
            if self.at == self.buf.len() {
                self.read_more()?;
            }
            let have = (self.buf.len() - self.at).min(usize::try_from(n).unwrap_or(usize::MAX));
            sink(&self.buf[self.at..self.at + have])?;
            self.at += have;
            n -= have as u64;
        }
        Ok(())
    }
}
