//! The tokenizer: one response at the start of a buffer, as borrowed items, without a tree
//! and without recursion.

use crate::imap::guard::MAX_DEPTH;
use crate::imap::literal::literal_len;
use crate::msg::{Flag, Flags};

use super::MAX_RESPONSE;

/// Why a response could not be parsed from the bytes at hand.
#[derive(Debug, PartialEq)]
pub(super) enum Stop {
    /// It goes on past them: at least this many bytes (from its start) are needed.
    Incomplete(usize),
    Malformed,
    TooDeep,
    TooBig,
}

pub(super) type Step<T> = std::result::Result<T, Stop>;

/// Only one lives at a time, on the stack: boxing the large variant would cost an allocation
/// per message for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(super) enum Response<'a> {
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
pub(super) struct Str<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) escaped: bool,
}

/// The items of one FETCH response we use. As in the crate: the last UID and size, the
/// first INTERNALDATE and header fields, the flags of every FLAGS item.
#[derive(Debug, Default)]
pub(super) struct Fetch<'a> {
    pub(super) uid: Option<u32>,
    pub(super) flags: Option<Flags>,
    pub(super) date: Option<Str<'a>>,
    pub(super) size: Option<u32>,
    /// The header fields block ([`crate::mime::list_fields::NAMES`]).
    pub(super) header: Option<Str<'a>>,
}

/// `BODY[HEADER.FIELDS (…)]`, in any case and whichever fields the server lists.
fn is_header_fields(name: &[u8]) -> bool {
    const PREFIX: &[u8] = b"BODY[HEADER.FIELDS ";
    name.get(..PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
}

/// Parses the response at the start of `b`: how many bytes it took, and what it said.
pub(super) fn response<'a>(b: &'a [u8], tag: &[u8]) -> Step<(usize, Response<'a>)> {
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
