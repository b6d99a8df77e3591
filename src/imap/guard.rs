//! A filter between the socket and the `imap` crate, for what the crate cannot survive:
//!
//! - untagged responses it cannot parse (`* XYZZY`, `* 3 XYZZY`) or does not expect
//!   (`* NO`, `* BAD` warnings) abort the command they arrive in; RFC 3501 says a client
//!   ignores them, so they are dropped here, literals included;
//! - a line without end would be buffered whole: lines (outside literals) are capped;
//! - deep nesting overflows the parser's stack (a BODYSTRUCTURE 200 multiparts deep kills
//!   the process): parentheses are counted and a reply nested too deep is refused;
//! - after `* BYE text` the server hangs up, and the crate reports only "connection lost":
//!   end of stream after a BYE becomes an error carrying the server's words.
//!
//! A read never goes past the end of a tagged line, so once the crate has its answer nothing
//! is left in its buffer: the bytes after it stay here, for [`Guard::take_pending`] when we
//! read a reply ourselves (`summary_reader`).

use std::collections::VecDeque;
use std::io;

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
    dropping: bool,
    depth: usize,
    in_quote: bool,
    escaped: bool,
    bye: Option<String>,
    /// Untagged NO/BAD texts, shared with the [`Connection`](crate::imap::session::Connection).
    pub warnings: Warnings,
}

/// Untagged warnings seen on a connection, newest last.
pub type Warnings = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

fn too_much(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
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
        if self.dropping && self.continued {
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

    pub fn feed(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            if self.literal > 0 {
                let n = data
                    .len()
                    .min(usize::try_from(self.literal).unwrap_or(usize::MAX));
                if !self.dropping {
                    self.out.extend_from_slice(&data[..n]);
                }
                self.literal -= n as u64;
                data = &data[n..];
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
            if let Some(text) = bye(&line) {
                self.bye = Some(text);
            }
            note_warning(&self.warnings, &line);
        }
        self.count_nesting(&line)?;
        self.literal = literal_len(&line).unwrap_or(0);
        self.continued = self.literal > 0;
        if !self.dropping {
            self.out.extend_from_slice(&line);
            if starts_response && !matches!(line.first(), Some(b'*' | b'+')) {
                self.fences.push_back(self.out.len());
            }
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
    Some(
        String::from_utf8_lossy(text)
            .trim()
            .chars()
            .take(200)
            .collect(),
    )
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
        w.push(
            String::from_utf8_lossy(text)
                .trim()
                .chars()
                .take(200)
                .collect(),
        );
    }
}

/// `{n}` or `{n+}` at the end of a line announces n literal bytes.
pub fn literal_len(line: &[u8]) -> Option<u64> {
    let line = line.strip_suffix(b"\n")?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let inner = line.strip_suffix(b"}")?;
    let open = inner.iter().rposition(|b| *b == b'{')?;
    let digits = inner[open + 1..]
        .strip_suffix(b"+")
        .unwrap_or(&inner[open + 1..]);
    std::str::from_utf8(digits).ok()?.parse().ok()
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
        let mut out = vec![0; input.len() + 1];
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
}
