//! A minimal LMTP client (RFC 2033) over a UNIX socket: how tern's demo delivers into its
//! own Dovecot when no Postfix is installed. lettre speaks SMTP only (its connection always
//! opens with EHLO, which LMTP servers refuse), and LMTP's one reply per recipient after
//! DATA is a few lines here.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use super::deliver::{Delivery, FinalDot, Message};

/// Longest reply line read; anything longer is a broken server.
const MAX_LINE: usize = 4096;

pub fn send(socket: &Path, msg: &Message, timeout: Duration, final_dot: FinalDot) -> Delivery {
    let place = socket.display().to_string();
    let stream = match UnixStream::connect(socket) {
        Ok(s) => s,
        Err(e) => return Delivery::Transient(format!("cannot reach LMTP at {place}: {e}")),
    };
    let _ = stream.set_read_timeout(Some(timeout));
    let _ = stream.set_write_timeout(Some(timeout));
    let mut conn = Lmtp {
        reader: BufReader::new(match stream.try_clone() {
            Ok(s) => s,
            Err(e) => return Delivery::Transient(format!("LMTP at {place}: {e}")),
        }),
        writer: stream,
        place,
    };
    conn.run(msg, final_dot).unwrap_or_else(|delivery| delivery)
}

struct Lmtp {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    place: String,
}

/// (code, text of every line).
type Reply = (u16, String);

impl Lmtp {
    fn run(&mut self, msg: &Message, final_dot: FinalDot) -> Result<Delivery, Delivery> {
        self.expect(None, "greeting")?;
        self.expect(Some("LHLO localhost"), "LHLO")?;
        let body = if msg.bytes.is_ascii() {
            ""
        } else {
            " BODY=8BITMIME"
        };
        self.expect(
            Some(&format!("MAIL FROM:<{}>{body}", msg.sender)),
            "MAIL FROM",
        )?;
        for rcpt in &msg.recipients {
            self.expect(
                Some(&format!("RCPT TO:<{rcpt}>")),
                &format!("recipient {rcpt}"),
            )?;
        }
        self.expect(Some("DATA"), "DATA")?;
        self.write(&dot_stuffed(msg.bytes))?;
        final_dot();
        self.write(b".\r\n")?;
        // LMTP answers once per recipient.
        for rcpt in &msg.recipients {
            let (code, text) = self.reply().map_err(|e| {
                Delivery::MaybeSent(format!(
                    "LMTP at {}: no answer after the message: {e}",
                    self.place
                ))
            })?;
            if code >= 300 {
                return Err(Delivery::Permanent(format!(
                    "LMTP at {} refused delivery to {rcpt}: {code} {text}",
                    self.place
                )));
            }
        }
        let _ = self.write(b"QUIT\r\n");
        Ok(Delivery::Accepted)
    }

    /// Sends `command` (if any) and requires a 2xx/3xx answer.
    fn expect(&mut self, command: Option<&str>, step: &str) -> Result<(), Delivery> {
        if let Some(c) = command {
            self.write(format!("{c}\r\n").as_bytes())?;
        }
        let (code, text) = self
            .reply()
            .map_err(|e| Delivery::Transient(format!("LMTP at {}: {step}: {e}", self.place)))?;
        match code {
            200..=399 => Ok(()),
            400..=499 => Err(Delivery::Transient(format!(
                "LMTP at {} deferred {step}: {code} {text}",
                self.place
            ))),
            _ => Err(Delivery::Permanent(format!(
                "LMTP at {} refused {step}: {code} {text}",
                self.place
            ))),
        }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Delivery> {
        self.writer
            .write_all(bytes)
            .map_err(|e| Delivery::Transient(format!("LMTP at {}: {e}", self.place)))
    }

    /// One reply, multi-line (`250-…`) joined.
    fn reply(&mut self) -> Result<Reply, String> {
        let mut text = Vec::new();
        loop {
            let mut line = Vec::new();
            let n = (&mut self.reader)
                .take(MAX_LINE as u64)
                .read_until(b'\n', &mut line)
                .map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("connection closed".into());
            }
            let line = String::from_utf8_lossy(&line).trim_end().to_string();
            let code = line
                .get(..3)
                .and_then(|c| c.parse::<u16>().ok())
                .ok_or_else(|| format!("not an LMTP reply: {line:?}"))?;
            text.push(line.get(4..).unwrap_or("").to_string());
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok((code, text.join(" ")));
            }
        }
    }
}

/// CRLF-ended lines with a leading "." doubled (RFC 5321 4.5.2), ending in CRLF.
fn dot_stuffed(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 64);
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        if line.first() == Some(&b'.') {
            out.push(b'.');
        }
        out.extend_from_slice(line);
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn leading_dots_are_doubled_and_the_end_is_a_line() {
        assert_eq!(
            super::dot_stuffed(b"a\r\n.b\r\n..\r\nc"),
            b"a\r\n..b\r\n...\r\nc\r\n"
        );
    }
}
