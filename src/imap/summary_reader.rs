//! A single-pass reader for summary fetches, `[UID] FETCH set` [`ITEMS`]: the command goes out
//! on the connection's socket past the `imap` crate, and the reply is parsed straight into [`Summary`] rows as it arrives, with no
//! response tree and no second pass (the crate parsed every line twice and the guard scanned
//! it once more: most of our CPU in a cold sync).
//!
//! The guard's protections hold here too: one response is at most [`MAX_RESPONSE`] bytes,
//! lists are skipped without recursion and refused past [`MAX_DEPTH`], and untagged
//! responses other than FETCH are dropped, keeping `* NO`/`* BAD` texts as warnings and a
//! `* BYE` text for the end of stream. An ENVELOPE imap-proto refuses is refused here too,
//! as [`Error::Protocol`], so callers fall back to header fields as before.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::io::{ErrorKind, Read};

use crate::error::{Error, Result};
use crate::imap::guard::{self, MAX_DEPTH, Warnings};
use crate::imap::literal::literal_len;
use crate::imap::session::{Connection, map_err};
use crate::mime::headers::decode_text;
use crate::msg::{Flag, Flags, HeaderFacts, Summary};

/// What a summary fetch asks for. ENVELOPE carries the Date, Message-ID and In-Reply-To;
/// References (for threads) and the top-level Content-Type (for the attachment marker) come as
/// header fields, which a server reads from the header it parses for ENVELOPE anyway, where
/// BODYSTRUCTURE would make it read every message whole.
pub const ITEMS: &str = "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY.PEEK[HEADER.FIELDS (REFERENCES CONTENT-TYPE)])";
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
    let io = |e| map_err(verb, imap::Error::Io(e));
    let mut wire = conn.raw.lock();
    wire.expect(crate::imap::guard::Expect {
        size: count as u64 * 1024,
        ..Default::default()
    });
    let tag = wire.send(&format!("{verb} {set} {ITEMS}")).map_err(io)?;
    let (pending, bye) = wire.take_pending().map_err(io)?;
    let mut reader = Reader::new(&tag, verb, pending, conn.warnings.clone());
    reader.bye = bye;
    reader.max_rows = count.saturating_add(EXTRA_ROWS);
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
        }
    }

    /// Reads `src` up to the tagged completion: the rows on OK, the server's words on NO/BAD.
    pub fn rows(&mut self, src: &mut impl Read) -> Result<Vec<Summary>> {
        let mut rows = Vec::new();
        loop {
            let parsed = response(&self.buf[self.start..self.end], &self.tag);
            match parsed {
                Ok((used, Response::Fetch(f))) => {
                    rows.extend(f.row());
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
                        Ok(list(rows))
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

/// One row and what its FETCH response carried, for merging answers about one message.
struct Row {
    summary: Summary,
    /// It had an ENVELOPE: a full row, not a flag update.
    full: bool,
    has_flags: bool,
}

/// Newest first, one row per UID. A server may answer twice for one message (a flag change
/// arriving during the fetch): the full row stays, with the flags the server sent last.
fn list(mut rows: Vec<Row>) -> Vec<Summary> {
    // Stable, so answers about one message stay in arrival order.
    rows.sort_by_key(|r| Reverse(r.summary.uid));
    rows.dedup_by(|later, kept| {
        if later.summary.uid != kept.summary.uid {
            return false;
        }
        let flags = if later.has_flags {
            later.summary.flags
        } else {
            kept.summary.flags
        };
        if later.full && !kept.full {
            std::mem::swap(&mut kept.summary, &mut later.summary);
            kept.full = true;
        }
        kept.summary.flags = flags;
        kept.has_flags |= later.has_flags;
        true
    });
    rows.into_iter().map(|r| r.summary).collect()
}

// ---- parsing ---------------------------------------------------------------------------------

/// Why a response could not be parsed from the bytes at hand.
#[derive(Debug, PartialEq)]
enum Stop {
    /// It goes on past them: at least this many bytes (from its start) are needed.
    Incomplete(usize),
    Malformed,
    TooDeep,
    TooBig,
}

type Step<T> = std::result::Result<T, Stop>;

/// Only one lives at a time, on the stack: boxing the large variant would cost an allocation
/// per message for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Response<'a> {
    Fetch(Fetch<'a>),
    /// Any other untagged response (or a continuation request): its first line.
    Other(&'a [u8]),
    /// Our tagged completion; `text` follows the status word.
    Done {
        ok: bool,
        text: &'a [u8],
    },
}

/// A string as sent: quoted strings keep their escapes until they are used.
#[derive(Debug, Clone, Copy)]
struct Str<'a> {
    bytes: &'a [u8],
    escaped: bool,
}

#[derive(Debug, Default)]
struct Address<'a> {
    name: Option<Str<'a>>,
    mailbox: Option<Str<'a>>,
    host: Option<Str<'a>>,
}

#[derive(Debug, Default)]
struct Envelope<'a> {
    date: Option<Str<'a>>,
    subject: Option<Str<'a>>,
    /// The first address of each list.
    from: Option<Address<'a>>,
    to: Option<Address<'a>>,
    in_reply_to: Option<Str<'a>>,
    message_id: Option<Str<'a>>,
}

/// The items of one FETCH response we use. As in the crate: the last UID and size, the
/// first INTERNALDATE, ENVELOPE and header fields, the flags of every FLAGS item.
#[derive(Debug, Default)]
struct Fetch<'a> {
    uid: Option<u32>,
    flags: Option<Flags>,
    date: Option<Str<'a>>,
    size: Option<u32>,
    envelope: Option<Envelope<'a>>,
    /// The header fields block (References, Content-Type).
    header: Option<Str<'a>>,
}

/// `BODY[HEADER.FIELDS (…)]`, in any case and whichever fields the server lists.
fn is_header_fields(name: &[u8]) -> bool {
    const PREFIX: &[u8] = b"BODY[HEADER.FIELDS ";
    name.get(..PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
}

/// Parses the response at the start of `b`: how many bytes it took, and what it said.
fn response<'a>(b: &'a [u8], tag: &[u8]) -> Step<(usize, Response<'a>)> {
    let mut p = Parser { b, i: 0 };
    let r = match p.peek()? {
        b'*' => {
            p.i = 1;
            p.expect(b' ')?;
            p.untagged()?
        }
        b'+' => Response::Other(p.skip_response()?),
        _ => {
            let end = tag.len() + 1;
            let head = b.get(..end).ok_or(if tag.starts_with(b) {
                Stop::Incomplete(end)
            } else {
                Stop::Malformed
            })?;
            if &head[..tag.len()] != tag || head[tag.len()] != b' ' {
                return Err(Stop::Malformed);
            }
            p.i = end;
            p.tagged()?
        }
    };
    Ok((p.i, r))
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

/// Bytes that end an atom, a number or an item name.
fn is_delimiter(c: u8) -> bool {
    matches!(c, b' ' | b'(' | b')' | b'"' | b'{' | b'\r' | b'\n')
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Step<u8> {
        self.b
            .get(self.i)
            .copied()
            .ok_or(Stop::Incomplete(self.i + 1))
    }

    fn expect(&mut self, c: u8) -> Step<()> {
        if self.peek()? != c {
            return Err(Stop::Malformed);
        }
        self.i += 1;
        Ok(())
    }

    fn spaces(&mut self) -> Step<usize> {
        let from = self.i;
        while self.peek()? == b' ' {
            self.i += 1;
        }
        Ok(self.i - from)
    }

    /// One or more spaces.
    fn sp(&mut self) -> Step<()> {
        if self.spaces()? == 0 {
            return Err(Stop::Malformed);
        }
        Ok(())
    }

    fn crlf(&mut self) -> Step<()> {
        if self.peek()? == b'\r' {
            self.i += 1;
        }
        self.expect(b'\n')
    }

    /// A non-empty run of bytes up to a delimiter.
    fn atom(&mut self) -> Step<&'a [u8]> {
        let from = self.i;
        while !is_delimiter(self.peek()?) {
            self.i += 1;
        }
        if self.i == from {
            return Err(Stop::Malformed);
        }
        Ok(&self.b[from..self.i])
    }

    fn number(&mut self) -> Step<u32> {
        let digits = self.atom()?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(Stop::Malformed);
        }
        digits.iter().try_fold(0u32, |n, d| {
            n.checked_mul(10)
                .and_then(|n| n.checked_add(u32::from(d - b'0')))
                .ok_or(Stop::Malformed)
        })
    }

    /// After `* `: a FETCH, or anything else skipped whole.
    fn untagged(&mut self) -> Step<Response<'a>> {
        if self.fetch_head()? {
            let fetch = self.fetch()?;
            self.spaces()?;
            self.crlf()?;
            return Ok(Response::Fetch(fetch));
        }
        self.i = 0;
        Ok(Response::Other(self.skip_response()?))
    }

    /// Whether `n FETCH ` follows (and if so, moves past it).
    fn fetch_head(&mut self) -> Step<bool> {
        let from = self.i;
        while self.peek()?.is_ascii_digit() {
            self.i += 1;
        }
        if self.i == from || self.peek()? != b' ' {
            return Ok(false);
        }
        let end = self.i + 7;
        let word = self.b.get(self.i..end).ok_or(Stop::Incomplete(end))?;
        if !word.eq_ignore_ascii_case(b" FETCH ") {
            return Ok(false);
        }
        self.i = end;
        Ok(true)
    }

    /// Skips a response line by line, with the literals announced at line ends (as the
    /// guard does), and returns its first line.
    fn skip_response(&mut self) -> Step<&'a [u8]> {
        let mut first = None;
        loop {
            let rest = &self.b[self.i..];
            let lf = memchr::memchr(b'\n', rest).ok_or(Stop::Incomplete(self.b.len() + 1))?;
            let line = &rest[..=lf];
            self.i += lf + 1;
            first.get_or_insert(line);
            match literal_len(line) {
                Some(n) => {
                    self.skip_bytes(n)?;
                }
                None => return Ok(first.unwrap_or(line)),
            }
        }
    }

    fn skip_bytes(&mut self, n: u64) -> Step<&'a [u8]> {
        let n = usize::try_from(n)
            .ok()
            .filter(|n| *n <= MAX_RESPONSE)
            .ok_or(Stop::TooBig)?;
        let end = self.i + n;
        let bytes = self.b.get(self.i..end).ok_or(Stop::Incomplete(end))?;
        self.i = end;
        Ok(bytes)
    }

    /// After our tag: the status and the rest of the line.
    fn tagged(&mut self) -> Step<Response<'a>> {
        let rest = &self.b[self.i..];
        let lf = memchr::memchr(b'\n', rest).ok_or(Stop::Incomplete(self.b.len() + 1))?;
        self.i += lf + 1;
        let line = &rest[..lf];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let (status, text) = match memchr::memchr(b' ', line) {
            Some(sp) => (&line[..sp], &line[sp + 1..]),
            None => (line, &b""[..]),
        };
        let ok = if status.eq_ignore_ascii_case(b"OK") {
            true
        } else if status.eq_ignore_ascii_case(b"NO") || status.eq_ignore_ascii_case(b"BAD") {
            false
        } else {
            return Err(Stop::Malformed);
        };
        Ok(Response::Done { ok, text })
    }

    /// `(item value item value ...)`: the items we use, any other skipped.
    fn fetch(&mut self) -> Step<Fetch<'a>> {
        self.expect(b'(')?;
        let mut f = Fetch::default();
        let mut first = true;
        loop {
            let spaced = self.spaces()? > 0;
            if self.peek()? == b')' {
                self.i += 1;
                return Ok(f);
            }
            if !first && !spaced {
                return Err(Stop::Malformed);
            }
            first = false;
            let name = self.item_name()?;
            self.sp()?;
            let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
            if is("UID") {
                f.uid = Some(self.number()?);
            } else if is("FLAGS") {
                f.flags = Some(f.flags.unwrap_or_default().union(self.flags()?));
            } else if is("INTERNALDATE") {
                let date = self.nstring()?;
                f.date = f.date.or(date);
            } else if is("RFC822.SIZE") {
                f.size = Some(self.number()?);
            } else if is("ENVELOPE") {
                let env = self.envelope()?;
                f.envelope.get_or_insert(env);
            } else if is_header_fields(name) {
                let header = self.nstring()?;
                f.header = f.header.or(header);
            } else {
                self.skip_value()?;
            }
        }
    }

    /// `NAME`, `NAME[section]` or `NAME[section]<origin>`.
    fn item_name(&mut self) -> Step<&'a [u8]> {
        let from = self.i;
        loop {
            match self.peek()? {
                b'[' => self.past(b']')?,
                b'<' => self.past(b'>')?,
                c if is_delimiter(c) => break,
                _ => self.i += 1,
            }
        }
        if self.i == from {
            return Err(Stop::Malformed);
        }
        Ok(&self.b[from..self.i])
    }

    /// Moves past the next `close` on this line.
    fn past(&mut self, close: u8) -> Step<()> {
        let rest = &self.b[self.i..];
        match memchr::memchr2(close, b'\n', rest) {
            Some(at) if rest[at] == close => {
                self.i += at + 1;
                Ok(())
            }
            Some(_) => Err(Stop::Malformed),
            None => Err(Stop::Incomplete(self.b.len() + 1)),
        }
    }

    fn flags(&mut self) -> Step<Flags> {
        self.expect(b'(')?;
        let mut flags = Flags::NONE;
        loop {
            self.spaces()?;
            if self.peek()? == b')' {
                self.i += 1;
                return Ok(flags);
            }
            // Keywords are skipped.
            flags = flags.union(Flag::from_imap(self.atom()?).into_iter().collect());
        }
    }

    fn nil(&mut self) -> Step<()> {
        let end = self.i + 3;
        let word = self.b.get(self.i..end).ok_or(Stop::Incomplete(end))?;
        if !word.eq_ignore_ascii_case(b"NIL") {
            return Err(Stop::Malformed);
        }
        self.i = end;
        Ok(())
    }

    fn nstring(&mut self) -> Step<Option<Str<'a>>> {
        match self.peek()? {
            b'"' => self.quoted().map(Some),
            b'{' => self.literal().map(|bytes| {
                Some(Str {
                    bytes,
                    escaped: false,
                })
            }),
            _ => self.nil().map(|()| None),
        }
    }

    /// A quoted string; like imap-proto, only `\\` and `\"` are escapes, and it ends on its line.
    fn quoted(&mut self) -> Step<Str<'a>> {
        self.expect(b'"')?;
        let from = self.i;
        let mut escaped = false;
        loop {
            let rest = &self.b[self.i..];
            let at = memchr::memchr3(b'"', b'\\', b'\n', rest)
                .ok_or(Stop::Incomplete(self.b.len() + 1))?;
            self.i += at;
            match rest[at] {
                b'"' => {
                    let bytes = &self.b[from..self.i];
                    self.i += 1;
                    return Ok(Str { bytes, escaped });
                }
                b'\\' => {
                    self.i += 1;
                    if !matches!(self.peek()?, b'\\' | b'"') {
                        return Err(Stop::Malformed);
                    }
                    self.i += 1;
                    escaped = true;
                }
                _ => return Err(Stop::Malformed),
            }
        }
    }

    /// `{n}` CRLF and n bytes. The announced size is checked before anything is read.
    fn literal(&mut self) -> Step<&'a [u8]> {
        self.expect(b'{')?;
        let mut n: u64 = 0;
        let mut digits = 0;
        while let c @ b'0'..=b'9' = self.peek()? {
            n = n * 10 + u64::from(c - b'0');
            if n > MAX_RESPONSE as u64 {
                return Err(Stop::TooBig);
            }
            digits += 1;
            self.i += 1;
        }
        if digits == 0 {
            return Err(Stop::Malformed);
        }
        self.expect(b'}')?;
        self.expect(b'\r')?;
        self.expect(b'\n')?;
        self.skip_bytes(n)
    }

    /// `(date subject from sender reply-to to cc bcc in-reply-to message-id)`.
    fn envelope(&mut self) -> Step<Envelope<'a>> {
        self.expect(b'(')?;
        let date = self.nstring()?;
        self.sp()?;
        let subject = self.nstring()?;
        self.sp()?;
        let from = self.addresses()?;
        for _ in 0..2 {
            self.sp()?;
            self.addresses()?;
        }
        self.sp()?;
        let to = self.addresses()?;
        for _ in 0..2 {
            self.sp()?;
            self.addresses()?;
        }
        self.sp()?;
        let in_reply_to = self.nstring()?;
        self.sp()?;
        let message_id = self.nstring()?;
        self.spaces()?;
        self.expect(b')')?;
        Ok(Envelope {
            date,
            subject,
            from,
            to,
            in_reply_to,
            message_id,
        })
    }

    /// NIL or a non-empty list of addresses: the first one.
    fn addresses(&mut self) -> Step<Option<Address<'a>>> {
        if self.peek()? != b'(' {
            self.nil()?;
            return Ok(None);
        }
        self.i += 1;
        let mut first = None;
        loop {
            self.spaces()?;
            match self.peek()? {
                b')' if first.is_some() => {
                    self.i += 1;
                    return Ok(first);
                }
                b'(' => {
                    let a = self.address()?;
                    first.get_or_insert(a);
                }
                _ => return Err(Stop::Malformed),
            }
        }
    }

    /// `(name adl mailbox host)`.
    fn address(&mut self) -> Step<Address<'a>> {
        self.expect(b'(')?;
        let name = self.nstring()?;
        self.sp()?;
        self.nstring()?;
        self.sp()?;
        let mailbox = self.nstring()?;
        self.sp()?;
        let host = self.nstring()?;
        self.expect(b')')?;
        Ok(Address {
            name,
            mailbox,
            host,
        })
    }

    /// Any value of an item we do not use: an atom, a string or a list.
    fn skip_value(&mut self) -> Step<()> {
        match self.peek()? {
            b'(' => self.skip_list(),
            b'"' => self.quoted().map(drop),
            b'{' => self.literal().map(drop),
            _ => self.atom().map(drop),
        }
    }

    /// A list, nested or not, without recursion; the FETCH's own list counts as one level.
    fn skip_list(&mut self) -> Step<()> {
        let mut depth = 1usize;
        loop {
            match self.peek()? {
                b'(' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(Stop::TooDeep);
                    }
                    self.i += 1;
                }
                b')' => {
                    depth -= 1;
                    self.i += 1;
                    if depth == 1 {
                        return Ok(());
                    }
                }
                b'"' => self.quoted().map(drop)?,
                b'{' => self.literal().map(drop)?,
                b'\r' | b'\n' => return Err(Stop::Malformed),
                _ => self.i += 1,
            }
        }
    }
}

// ---- rows ------------------------------------------------------------------------------------

impl Fetch<'_> {
    /// The row, as `messages::summaries_from` makes it from the crate's parse; none without UID.
    fn row(&self) -> Option<Row> {
        let uid = self.uid?;
        let (date, date_offset) = self.date.as_ref().map_or((0, 0), internal_date);
        let env = self.envelope.as_ref();
        let address = |a: Option<&Address>| a.map_or(Cow::Borrowed(""), display).into();
        Some(Row {
            summary: Summary {
                uid,
                flags: self.flags.unwrap_or_default(),
                date,
                date_offset,
                size: self.size.unwrap_or(0),
                from: address(env.and_then(|e| e.from.as_ref())),
                to: address(env.and_then(|e| e.to.as_ref())),
                subject: env
                    .and_then(|e| e.subject.as_ref())
                    .map_or(Cow::Borrowed(""), decoded)
                    .into(),
                header: facts(env, self.header.as_ref()),
            },
            full: env.is_some(),
            has_flags: self.flags.is_some(),
        })
    }
}

/// The Date, ids and attachment bit from the envelope and the header fields.
fn facts(env: Option<&Envelope>, header: Option<&Str>) -> HeaderFacts {
    let date = env.and_then(|e| e.date.as_ref()).map(unescape);
    let message_id = env.and_then(|e| e.message_id.as_ref()).map(unescape);
    let in_reply_to = env.and_then(|e| e.in_reply_to.as_ref()).map(unescape);
    let header = header.map(unescape);
    HeaderFacts::from_envelope(
        date.as_deref(),
        message_id.as_deref(),
        in_reply_to.as_deref(),
        header.as_deref().unwrap_or_default(),
    )
}

fn unescape<'a>(s: &Str<'a>) -> Cow<'a, [u8]> {
    if !s.escaped {
        return Cow::Borrowed(s.bytes);
    }
    let mut out = Vec::with_capacity(s.bytes.len());
    let mut bytes = s.bytes.iter();
    while let Some(&c) = bytes.next() {
        match c {
            b'\\' => out.extend(bytes.next()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Seconds since the epoch and the UTC offset of an INTERNALDATE, (0, 0) when it does not
/// parse. Dates parse as in the crate (chrono with its format); the form servers send takes a
/// short cut, as chrono's general parser was a tenth of the reader's time.
fn internal_date(s: &Str) -> (i64, i32) {
    let bytes = unescape(s);
    canonical_date(&bytes).unwrap_or_else(|| {
        std::str::from_utf8(&bytes)
            .ok()
            .and_then(|d| chrono::DateTime::parse_from_str(d, "%d-%b-%Y %H:%M:%S %z").ok())
            .map_or((0, 0), |d| (d.timestamp(), d.offset().local_minus_utc()))
    })
}

/// `dd-Mon-yyyy hh:mm:ss +hhmm` (the day zero- or space-padded) with every field in range;
/// anything else is left to chrono.
fn canonical_date(b: &[u8]) -> Option<(i64, i32)> {
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let b: &[u8; 26] = b.try_into().ok()?;
    let num = |from: usize, to: usize| {
        b[from..to].iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let punctuation = [
        (2, b'-'),
        (6, b'-'),
        (11, b' '),
        (14, b':'),
        (17, b':'),
        (20, b' '),
    ];
    if punctuation.iter().any(|&(at, c)| b[at] != c) {
        return None;
    }
    let day = if b[0] == b' ' { num(1, 2)? } else { num(0, 2)? };
    let month = MONTHS.iter().position(|m| *m == &b[3..6])? as u32 + 1;
    let year = num(7, 11)?;
    let (hour, minute, second) = (num(12, 14)?, num(15, 17)?, num(18, 20)?);
    let east = match b[21] {
        b'+' => true,
        b'-' => false,
        _ => return None,
    };
    let (zone_hours, zone_minutes) = (num(22, 24)?, num(24, 26)?);
    let in_range = (1..=days_in_month(year, month)).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60
        && zone_hours < 24
        && zone_minutes < 60;
    if !in_range {
        return None;
    }
    let offset = (zone_hours * 3600 + zone_minutes * 60) as i32;
    let offset = if east { offset } else { -offset };
    let local =
        days_from_civil(year, month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Some((local - i64::from(offset), offset))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's method).
fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Header text: RFC 2047 words decoded.
fn decoded<'a>(s: &Str<'a>) -> Cow<'a, str> {
    match unescape(s) {
        Cow::Borrowed(b) => decode_text(b),
        Cow::Owned(v) => Cow::Owned(decode_text(&v).into_owned()),
    }
}

fn lossy<'a>(s: &Str<'a>) -> Cow<'a, str> {
    match unescape(s) {
        Cow::Borrowed(b) => String::from_utf8_lossy(b),
        Cow::Owned(v) => Cow::Owned(String::from_utf8_lossy(&v).into_owned()),
    }
}

/// `Name <mailbox@host>`, or whichever part there is.
fn display<'a>(a: &Address<'a>) -> Cow<'a, str> {
    let text = |s: Option<&Str<'a>>| s.map_or(Cow::Borrowed(""), lossy);
    let (mailbox, host) = (text(a.mailbox.as_ref()), text(a.host.as_ref()));
    let name = a.name.as_ref().map_or(Cow::Borrowed(""), decoded);
    let shown = name.trim();
    if mailbox.is_empty() {
        return if shown.is_empty() {
            Cow::Borrowed("")
        } else {
            name
        };
    }
    if shown.is_empty() && host.is_empty() {
        return mailbox;
    }
    let mut out = String::with_capacity(shown.len() + mailbox.len() + host.len() + 4);
    if !shown.is_empty() {
        out.push_str(shown);
        out.push_str(" <");
    }
    out.push_str(&mailbox);
    if !host.is_empty() {
        out.push('@');
        out.push_str(&host);
    }
    if !shown.is_empty() {
        out.push('>');
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests;
