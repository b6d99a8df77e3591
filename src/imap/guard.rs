//! A filter between the socket and the `imap` crate, for what the crate cannot survive:
//!
//! - untagged responses it cannot parse (`* XYZZY`, `* 3 XYZZY`) or does not expect
//!   (`* NO`, `* BAD` warnings) abort the command they arrive in; RFC 3501 says a client
//!   ignores them, so they are dropped here, literals included;
//! - a line without end would be buffered whole: lines (outside literals) are capped;
//! - deep nesting overflows the parser's stack (a BODYSTRUCTURE 200 multiparts deep kills
//!   the process): parentheses are counted and a reply nested too deep is refused;
//! - 8-bit bytes in quoted strings and status texts fail the crate's parser, and escapes
//!   stay in its strings: [`raw8`] rewrites those lines;
//! - after `* BYE text` the server hangs up, and the crate reports only "connection lost":
//!   end of stream after a BYE becomes an error carrying the server's words;
//! - the crate buffers a whole response: each command's answer is capped in bytes (a literal
//!   announced larger than that is refused at once, before any of it arrives) and in untagged
//!   responses ([`Expect`]).
//!
//! A read never goes past the end of a tagged line, so once the crate has its answer nothing
//! is left in its buffer: the bytes after it stay here, for [`Guard::take_pending`] when we
//! read a reply ourselves (`summary_reader`).

use std::collections::VecDeque;
use std::io;

use crate::imap::literal::literal_len;
use crate::imap::raw8;
use crate::mime::guess_to_utf8;

/// Longest line outside literals (a SEARCH of two million UIDs is about 16 MiB).
pub const MAX_LINE: usize = 64 << 20;
/// Deepest parenthesis nesting accepted in one response.
pub const MAX_DEPTH: usize = 100;

/// Untagged responses the crate parses; anything else is dropped.
const KNOWN: &[&str] = &[
    "OK",
    "BYE",
    "PREAUTH",
    "CAPABILITY",
    "LIST",
    "LSUB",
    "STATUS",
    "SEARCH",
    "FLAGS",
    "ID",
    "ENABLED",
    "VANISHED",
    "QUOTA",
    "QUOTAROOT",
    "METADATA",
    "ACL",
    "LISTRIGHTS",
    "MYRIGHTS",
];
const KNOWN_NUMBERED: &[&str] = &["EXISTS", "RECENT", "EXPUNGE", "FETCH"];

/// What the answer to one command may hold; the caps reset to [`Expect::DEFAULT`] once its
/// tagged line has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expect {
    /// Bytes in all (literals included).
    pub bytes: u64,
    /// Untagged responses (dropped ones included).
    pub responses: u64,
    /// Bytes the answer is expected to hold, which earn it time beyond the base deadline.
    pub size: u64,
}

impl Expect {
    /// Enough for any answer but a large message or part, whose callers say its size: a
    /// SEARCH of two million UIDs is 16 MiB, flags of 500 000 messages 25 MiB.
    pub const DEFAULT: Expect = Expect {
        bytes: 96 << 20,
        responses: 500_000,
        size: 0,
    };

    /// For a reply carrying one literal of `size` bytes (a message or a part), with slack for
    /// the lines around it.
    pub fn literal(size: u64) -> Expect {
        Expect {
            bytes: Expect::DEFAULT
                .bytes
                .max(size.saturating_add(size / 8 + (1 << 20))),
            size,
            ..Expect::DEFAULT
        }
    }
}

impl Default for Expect {
    fn default() -> Expect {
        Expect::DEFAULT
    }
}

#[derive(Default)]
pub struct Guard {
    /// Accepted bytes not yet handed to the reader, and how many of them were.
    out: Vec<u8>,
    taken: usize,
    /// Where tagged lines end in `out`: [`Guard::drain`] stops at each.
    fences: VecDeque<usize>,
    /// The line being assembled (up to LF).
    line: Vec<u8>,
    /// Literal bytes still to pass through (or drop).
    literal: u64,
    /// The current response continues after a literal.
    continued: bool,
    /// A string literal of a FETCH or LIST held back to be mended once complete (its
    /// announcement included), see [`raw8::mend_literal`].
    held: Option<Vec<u8>>,
    dropping: bool,
    /// In the current response, strings from this offset of its first line on (and in the
    /// lines after literals) are mended by [`raw8::mend_strings`].
    mend: Option<usize>,
    depth: usize,
    in_quote: bool,
    escaped: bool,
    bye: Option<String>,
    /// The caps of the answer being read, and what of it has arrived.
    expect: Expect,
    got_bytes: u64,
    got_responses: u64,
    /// Untagged NO/BAD texts, shared with the [`Connection`](crate::imap::session::Connection).
    pub warnings: Warnings,
}

/// Untagged warnings seen on a connection, newest last.
pub type Warnings = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// An answer past one of the guard's caps.
#[derive(Debug)]
pub struct CapExceeded(pub String);

impl std::fmt::Display for CapExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CapExceeded {}

fn too_much(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, CapExceeded(what))
}

impl Guard {
    /// Copies accepted bytes into `buf`, up to the end of the next tagged line; 0 when none
    /// are waiting.
    pub fn drain(&mut self, buf: &mut [u8]) -> usize {
        let end = self.fences.front().copied().unwrap_or(self.out.len());
        let n = (end - self.taken).min(buf.len());
        buf[..n].copy_from_slice(&self.out[self.taken..self.taken + n]);
        self.taken += n;
        if self.fences.front() == Some(&self.taken) {
            self.fences.pop_front();
        }
        if self.taken == self.out.len() {
            self.out.clear();
            self.taken = 0;
            self.fences.clear();
        }
        n
    }

    /// Hands over every byte received and not yet read, from the start of a response on, to
    /// a reader of our own, and forgets them. `None` while a response being dropped is still
    /// arriving: [`Guard::feed`] more first.
    pub fn take_pending(&mut self) -> Option<Vec<u8>> {
        if (self.dropping && self.continued) || self.held.is_some() {
            return None;
        }
        let mut pending = self.out.split_off(self.taken);
        pending.append(&mut self.line);
        self.out.clear();
        self.taken = 0;
        self.fences.clear();
        self.literal = 0;
        self.continued = false;
        self.dropping = false;
        Some(pending)
    }

    /// The text of a `* BYE` seen so far, which then no longer explains an end of stream.
    pub fn take_bye(&mut self) -> Option<String> {
        self.bye.take()
    }

    /// At end of stream: a last line without LF is passed on as it is.
    pub fn finish(&mut self) {
        let line = std::mem::take(&mut self.line);
        if !self.dropping || !self.continued {
            self.out.extend_from_slice(&line);
        }
    }

    /// What end of stream means: after a BYE, an error with the server's words.
    pub fn eof(&mut self) -> io::Result<usize> {
        match self.bye.take() {
            Some(text) => Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                format!("the server closed the connection: {text}"),
            )),
            None => Ok(0),
        }
    }

    /// Sets the caps for the answer to the next command.
    pub fn expect(&mut self, expect: Expect) {
        self.expect = expect;
        self.got_bytes = 0;
        self.got_responses = 0;
    }

    pub fn feed(&mut self, mut data: &[u8]) -> io::Result<()> {
        self.got_bytes += data.len() as u64;
        if self.got_bytes > self.expect.bytes {
            return Err(too_much(format!(
                "the server's answer ran past {} MiB",
                self.expect.bytes >> 20
            )));
        }
        while !data.is_empty() {
            if self.literal > 0 {
                let n = data
                    .len()
                    .min(usize::try_from(self.literal).unwrap_or(usize::MAX));
                match &mut self.held {
                    Some(held) => held.extend_from_slice(&data[..n]),
                    None if !self.dropping => self.out.extend_from_slice(&data[..n]),
                    None => {}
                }
                self.literal -= n as u64;
                data = &data[n..];
                if self.literal == 0
                    && let Some(held) = self.held.take()
                {
                    self.out.extend_from_slice(&raw8::mend_literal(held));
                }
                continue;
            }
            match data.iter().position(|b| *b == b'\n') {
                Some(end) => {
                    self.line.extend_from_slice(&data[..=end]);
                    data = &data[end + 1..];
                    self.end_of_line()?;
                }
                None => {
                    self.line.extend_from_slice(data);
                    data = &[];
                }
            }
            if self.line.len() > MAX_LINE {
                return Err(too_much(format!(
                    "the server sent a line longer than {} MiB",
                    MAX_LINE >> 20
                )));
            }
        }
        Ok(())
    }

    fn end_of_line(&mut self) -> io::Result<()> {
        let line = std::mem::take(&mut self.line);
        let starts_response = !self.continued;
        if starts_response {
            self.depth = 0;
            self.in_quote = false;
            self.escaped = false;
            self.dropping = !wanted(&line);
            self.mend = raw8::mended_from(&line);
            if let Some(text) = bye(&line) {
                self.bye = Some(text);
            }
            note_warning(&self.warnings, &line);
        }
        if starts_response && line.starts_with(b"* ") {
            self.got_responses += 1;
            if self.got_responses > self.expect.responses {
                return Err(too_much(format!(
                    "the server sent more than {} untagged responses to one command",
                    self.expect.responses
                )));
            }
        }
        self.count_nesting(&line)?;
        let announced = literal_len(&line);
        self.literal = announced.unwrap_or(0);
        if self.literal > self.expect.bytes {
            return Err(too_much(format!(
                "the server announced {} MiB where at most {} MiB were expected",
                self.literal >> 20,
                self.expect.bytes >> 20
            )));
        }
        // Even after `{0}`: the response goes on on the next line.
        self.continued = announced.is_some();
        let tagged = starts_response && !matches!(line.first(), Some(b'*' | b'+'));
        if !self.dropping {
            let mut line = if let Some(from) = self.mend {
                raw8::mend_strings(line, if starts_response { from } else { 0 })
            } else if starts_response {
                raw8::status_line(line)
            } else {
                line
            };
            if self.mend.is_some()
                && (1..=raw8::MAX_MENDED).contains(&self.literal)
                && let Some(at) = raw8::string_literal_at(&line)
            {
                // The announcement waits with the bytes: the mended length may differ.
                self.held = Some(line.split_off(at));
            }
            self.out.extend_from_slice(&line);
            if tagged {
                self.fences.push_back(self.out.len());
            }
        }
        if tagged {
            // A tagged line ends the command: the next one starts with fresh caps.
            self.expect(Expect::DEFAULT);
        }
        Ok(())
    }

    fn count_nesting(&mut self, line: &[u8]) -> io::Result<()> {
        for &b in line {
            if self.in_quote {
                match (self.escaped, b) {
                    (false, b'\\') => self.escaped = true,
                    (false, b'"') => self.in_quote = false,
                    _ => self.escaped = false,
                }
                continue;
            }
            match b {
                b'"' => self.in_quote = true,
                b'(' => {
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        return Err(too_much(format!(
                            "the server sent a reply nested more than {MAX_DEPTH} levels deep"
                        )));
                    }
                }
                b')' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
        Ok(())
    }
}

/// Whether the first line of a response is one the crate can take.
fn wanted(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"* ") else {
        return true; // tagged, continuation, or not IMAP at all: the crate decides
    };
    let mut words = rest
        .split(|b| matches!(b, b' ' | b'\r' | b'\n' | b'['))
        .filter(|w| !w.is_empty());
    let Some(first) = words.next() else {
        return false;
    };
    let is = |w: &[u8], list: &[&str]| list.iter().any(|k| w.eq_ignore_ascii_case(k.as_bytes()));
    if first.iter().all(u8::is_ascii_digit) {
        words.next().is_some_and(|w| is(w, KNOWN_NUMBERED))
    } else {
        is(first, KNOWN)
    }
}

/// The text of a `* BYE` line, shortened for showing.
pub fn bye(line: &[u8]) -> Option<String> {
    let text = line.strip_prefix(b"* BYE")?;
    Some(guess_to_utf8(text).trim().chars().take(200).collect())
}

/// Keeps the text of a `* NO` or `* BAD` line, and of any `OK [ALERT]` (tagged or not):
/// dropped for the crate, but kept for the worker, because RFC 3501 says to show alert text.
pub fn note_warning(warnings: &Warnings, line: &[u8]) {
    let alert = || {
        let at = line
            .windows(10)
            .position(|w| w.eq_ignore_ascii_case(b" OK [ALERT"))?;
        (at < 40).then(|| &line[at + 4..])
    };
    if let Some(text) = line
        .strip_prefix(b"* NO ")
        .or_else(|| line.strip_prefix(b"* BAD "))
        .or_else(alert)
        && let Ok(mut w) = warnings.lock()
        && w.len() < 16
    {
        w.push(guess_to_utf8(text).trim().chars().take(200).collect());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> io::Result<Vec<u8>> {
        let mut g = Guard::default();
        // Byte by byte, so every split point is exercised.
        for b in input {
            g.feed(std::slice::from_ref(b))?;
        }
        let mut out = vec![0; 2 * input.len() + 64];
        let n = g.drain(&mut out);
        out.truncate(n);
        Ok(out)
    }

    #[test]
    fn drops_unknown_untagged_responses_with_their_literals() {
        let input = b"* XYZZY {5}\r\n(((((\r\n* 1 FETCH (UID 1 BODY[] {3}\r\nabc)\r\n* NO warn\r\n* 2 XYZZY\r\na1 OK done\r\n";
        assert_eq!(
            run(input).unwrap(),
            b"* 1 FETCH (UID 1 BODY[] {3}\r\nabc)\r\na1 OK done\r\n"
        );
    }

    #[test]
    fn strings_the_crate_would_refuse_are_mended_bodies_are_not() {
        let input = b"* 1 FETCH (BODYSTRUCTURE (\"name\" {5}\r\nf\xfcr! \"a\\\\b\") BODY[] {2}\r\n\xfc!)\r\na1 NO f\xfcr\r\n";
        assert_eq!(
            run(input).unwrap(),
            "* 1 FETCH (BODYSTRUCTURE (\"name\" {6}\r\nfür! {3}\r\na\\b) BODY[] {2}\r\n"
                .bytes()
                .chain(*b"\xfc!)\r\na1 NO f?r\r\n")
                .collect::<Vec<u8>>()
        );
    }

    #[test]
    fn an_empty_string_literal_is_not_held() {
        let input = b"* 1 FETCH (ENVELOPE (NIL {0}\r\n NIL))\r\na1 OK done\r\n";
        assert_eq!(run(input).unwrap(), input);
        let mut g = Guard::default();
        g.feed(b"* 1 FETCH (X {0}\r\n)\r\n").unwrap();
        assert!(g.take_pending().is_some());
    }

    #[test]
    fn literals_pass_untouched() {
        let input = b"* 1 FETCH (BODY[] {12}\r\n* XYZZY\r\n(((\r\n)\r\n";
        assert_eq!(run(input).unwrap(), input);
    }

    #[test]
    fn refuses_deep_nesting_but_not_parentheses_in_strings() {
        let deep = format!("* 1 FETCH {}\r\n", "(".repeat(MAX_DEPTH + 1));
        assert!(run(deep.as_bytes()).is_err());
        let quoted = format!("* 1 FETCH (X \"{}\")\r\n", "(".repeat(MAX_DEPTH + 1));
        assert!(run(quoted.as_bytes()).is_ok());
    }

    #[test]
    fn reads_stop_at_tagged_lines_and_the_rest_can_be_taken() {
        let mut g = Guard::default();
        g.feed(b"* 1 EXISTS\r\na1 OK done\r\n* XYZZY x\r\n* 2 EXISTS\r\nt1 OK\r\n* 3 EXI")
            .unwrap();
        let mut buf = [0u8; 256];
        let n = g.drain(&mut buf);
        assert_eq!(&buf[..n], b"* 1 EXISTS\r\na1 OK done\r\n");
        assert_eq!(g.take_pending().unwrap(), b"* 2 EXISTS\r\nt1 OK\r\n* 3 EXI");
        assert_eq!(g.drain(&mut buf), 0);
        g.feed(b"STS\r\n").unwrap();
        let n = g.drain(&mut buf);
        assert_eq!(&buf[..n], b"STS\r\n");
    }

    #[test]
    fn nothing_is_taken_in_the_middle_of_a_dropped_response() {
        let mut g = Guard::default();
        g.feed(b"* XYZZY {10}\r\nabc").unwrap();
        assert_eq!(g.take_pending(), None);
        g.feed(b"defghij\r\n* 1 EX").unwrap();
        assert_eq!(g.take_pending().unwrap(), b"* 1 EX");
    }

    #[test]
    fn eof_after_bye_carries_the_text() {
        let mut g = Guard::default();
        g.feed(b"* BYE going down\r\n").unwrap();
        let e = g.eof().unwrap_err();
        assert!(e.to_string().contains("going down"));
        assert_eq!(Guard::default().eof().unwrap(), 0);
    }

    #[test]
    fn caps_an_answer_in_bytes_literals_and_responses() {
        let mut g = Guard::default();
        g.expect(Expect {
            bytes: 1000,
            responses: 3,
            size: 0,
        });
        let e = g.feed(b"* 1 FETCH (BODY[] {4294967295}\r\n").unwrap_err();
        assert!(e.to_string().contains("announced 4095 MiB"), "{e}");

        let mut g = Guard::default();
        g.expect(Expect {
            bytes: 1000,
            responses: 3,
            size: 0,
        });
        let e = g
            .feed(b"* OK a\r\n* OK b\r\n* OK c\r\n* OK d\r\n")
            .unwrap_err();
        assert!(e.to_string().contains("more than 3 untagged"), "{e}");

        let mut g = Guard::default();
        g.expect(Expect {
            bytes: 10,
            responses: 3,
            size: 0,
        });
        assert!(g.feed(b"a1 OK done\r\n").is_err());

        // The caps last one command: after its tagged line, the defaults again.
        let mut g = Guard::default();
        g.expect(Expect {
            bytes: 100,
            responses: 1,
            size: 0,
        });
        g.feed(b"* OK a\r\na1 OK done\r\n").unwrap();
        g.feed(b"* OK a\r\n* OK b\r\n").unwrap();
    }
}
