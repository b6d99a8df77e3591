//! A single-pass reader for summary fetches, `[UID] FETCH set` [`ITEMS`]: the command goes out
//! on the connection's socket past the `imap` crate, and the reply is parsed straight into [`Summary`] rows as it arrives, with no
//! response tree and no second pass (the crate parsed every line twice and the guard scanned
//! it once more: most of our CPU in a cold sync).
//!
//! The guard's protections hold here too: one response is at most [`MAX_RESPONSE`] bytes,
//! lists are skipped without recursion and refused past [`MAX_DEPTH`], and untagged
//! responses other than FETCH are dropped, keeping `* NO`/`* BAD` texts as warnings and a
//! `* BYE` text for the end of stream. A reply that does not parse is [`Error::Protocol`].

//!
//! Three files, one job each: [`parser`] tokenizes a response into borrowed items, [`row`]
//! builds the [`Summary`] rows from them, [`date`] reads INTERNALDATE.

mod date;
mod parser;
mod row;

use std::io::{ErrorKind, Read};

use crate::error::{Error, Result};
use crate::imap::guard::{self, MAX_DEPTH, Warnings};
use crate::imap::session::{Connection, map_err};
use crate::msg::Summary;

use parser::{Response, Stop, response};

/// What a summary fetch asks for: the header fields a row is made of
/// ([`crate::mime::list_fields::NAMES`]: for the list's columns, threads and the attachment marker), not
/// ENVELOPE, which costs Dovecot about twice as much to build from the same header; and not
/// BODYSTRUCTURE, which would make it read every message whole.
pub const ITEMS: &str = concat!(
    "(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (",
    "DATE FROM TO SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE",
    ")])"
);
/// [`ITEMS`] without RFC822.SIZE, for a big folder's first screen: Dovecot on a Maildir learns
/// a message's size from its file name, and the first size a session asks for makes it read
/// the folder's whole `dovecot-uidlist` (54 MB, 1.3–1.5 s at a million messages), where the
/// rest of a screenful takes it 15 ms.
pub const ITEMS_WITHOUT_SIZE: &str = concat!(
    "(UID FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (",
    "DATE FROM TO SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE",
    ")])"
);
/// Largest single response accepted: one message's summary is a few kilobytes.
pub const MAX_RESPONSE: usize = 16 << 20;
/// Rows beyond those asked for that a reply may carry (unsolicited flag updates).
const EXTRA_ROWS: usize = 1000;
/// Read buffer to start with; it grows only for a larger response.
const BUFFER: usize = 64 << 10;

/// Sends `verb set ITEMS` (`verb` is `FETCH` or `UID FETCH`) and reads the summaries,
/// newest (highest UID) first. The crate's tag counter is untouched (our tags differ from
/// its own), and bytes read past our tagged line go back to it.
/// More rows than the `count` messages asked for (plus a few a server may add unasked) end
/// the fetch with an error instead of growing without end.
pub fn fetch(
    conn: &Connection,
    verb: &'static str,
    set: &str,
    count: usize,
) -> Result<Vec<Summary>> {
    fetch_items(conn, verb, set, count, ITEMS)
}

/// [`fetch`] asking for `items` ([`ITEMS`] or [`ITEMS_WITHOUT_SIZE`]).
pub fn fetch_items(
    conn: &Connection,
    verb: &'static str,
    set: &str,
    count: usize,
    items: &str,
) -> Result<Vec<Summary>> {
    let io = |e| map_err(verb, imap::Error::Io(e));
    let mut wire = conn.raw.lock();
    wire.expect(crate::imap::guard::Expect {
        size: count as u64 * 1024,
        ..Default::default()
    });
    let tag = wire.send(&format!("{verb} {set} {items}")).map_err(io)?;
    let (pending, bye) = wire.take_pending().map_err(io)?;
    let mut reader = Reader::new(&tag, verb, pending, conn.warnings.clone());
    reader.bye = bye;
    reader.max_rows = count.saturating_add(EXTRA_ROWS);
    reader.expected = count;
    let rows = reader.rows(&mut *wire);
    let back = wire.give_back(reader.leftover()).map_err(io);
    let rows = rows?;
    back?;
    Ok(rows)
}

/// Reads one reply to a summary fetch from a byte source.
pub struct Reader {
    /// Bytes received; `start..end` are not parsed yet.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    tag: Vec<u8>,
    command: &'static str,
    warnings: Warnings,
    bye: Option<String>,
    /// The most rows accepted.
    max_rows: usize,
    /// The rows asked for: room for them is made at once rather than by growing.
    expected: usize,
}

impl Reader {
    /// A reader for the reply tagged `tag`, which may already have begun in `pending`.
    pub fn new(tag: &str, command: &'static str, pending: Vec<u8>, warnings: Warnings) -> Reader {
        let end = pending.len();
        let mut buf = pending;
        buf.resize(end.max(BUFFER), 0);
        Reader {
            buf,
            start: 0,
            end,
            tag: tag.as_bytes().to_vec(),
            command,
            warnings,
            bye: None,
            max_rows: usize::MAX,
            expected: 0,
        }
    }

    /// Reads `src` up to the tagged completion: the rows on OK, the server's words on NO/BAD.
    pub fn rows(&mut self, src: &mut impl Read) -> Result<Vec<Summary>> {
        let mut rows = Vec::with_capacity(self.expected);
        let mut scratch = String::new();
        loop {
            let parsed = response(&self.buf[self.start..self.end], &self.tag);
            match parsed {
                Ok((used, Response::Fetch(f))) => {
                    rows.extend(f.row(&mut scratch));
                    self.start += used;
                    if rows.len() > self.max_rows {
                        return Err(Error::Limit(format!(
                            "the server sent more than {} rows for a {} of fewer",
                            self.max_rows, self.command
                        )));
                    }
                }
                Ok((used, Response::Other(line))) => {
                    guard::note_warning(&self.warnings, line);
                    if let Some(text) = guard::bye(line) {
                        self.bye = Some(text);
                    }
                    self.start += used;
                }
                Ok((used, Response::Done { ok, text })) => {
                    let outcome = if ok {
                        Ok(row::list(rows))
                    } else {
                        Err(Error::Server {
                            command: self.command.into(),
                            text: resp_text(text),
                        })
                    };
                    self.start += used;
                    return outcome;
                }
                Err(Stop::Incomplete(need)) => self.fill(src, need)?,
                Err(Stop::Malformed) => {
                    return Err(Error::Protocol(format!(
                        "the server's reply to {} could not be understood",
                        self.command
                    )));
                }
                Err(Stop::TooDeep) => {
                    return Err(Error::Network(format!(
                        "{}: the server sent a reply nested more than {MAX_DEPTH} levels deep",
                        self.command
                    )));
                }
                Err(Stop::TooBig) => return Err(self.too_big()),
            }
        }
    }

    /// What was read past the tagged line (or past the point where reading stopped).
    pub fn leftover(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Reads until `need` bytes of the current response are at hand (at least one more).
    /// When the parser cannot say how many it needs, until a line ends: a response can only
    /// end there, and re-parsing after every few bytes of a server that dribbles them would
    /// cost time quadratic in the response's size.
    fn fill(&mut self, src: &mut impl Read, need: usize) -> Result<()> {
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        let mut line_ended = need > self.end + 1;
        let need = need.max(self.end + 1);
        if need > MAX_RESPONSE {
            return Err(self.too_big());
        }
        while self.end < need || !line_ended {
            if self.end >= MAX_RESPONSE {
                return Err(self.too_big());
            }
            if self.end == self.buf.len() {
                let grown = (self.buf.len() * 2).clamp(need, MAX_RESPONSE);
                self.buf.resize(grown, 0);
            }
            match src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    return Err(match self.bye.take() {
                        Some(text) => Error::Network(format!(
                            "{}: the server closed the connection: {text}",
                            self.command
                        )),
                        None => map_err(self.command, imap::Error::ConnectionLost),
                    });
                }
                Ok(n) => {
                    let read = &self.buf[self.end..self.end + n];
                    line_ended = line_ended || memchr::memchr(b'\n', read).is_some();
                    self.end += n;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(map_err(self.command, imap::Error::Io(e))),
            }
        }
        Ok(())
    }

    fn too_big(&self) -> Error {
        Error::Network(format!(
            "{}: the server sent a response larger than {} MiB",
            self.command,
            MAX_RESPONSE >> 20
        ))
    }
}

/// `[CODE] text` of a tagged NO/BAD, as the crate reports it: the text without the code.
fn resp_text(text: &[u8]) -> String {
    let text = match text.strip_prefix(b"[") {
        Some(coded) => match memchr::memchr(b']', coded) {
            Some(close) => &coded[close + 1..],
            None => text,
        },
        None => text,
    };
    let text = text.strip_prefix(b" ").unwrap_or(text);
    if text.is_empty() {
        "no explanation given".into()
    } else {
        String::from_utf8_lossy(text).into_owned()
    }
}

#[cfg(test)]
mod tests;
