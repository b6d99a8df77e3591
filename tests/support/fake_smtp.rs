//! A scripted SMTP server for the one case a real MTA cannot be made to show on demand: the
//! whole message received, and then no answer at all. Plain text, AUTH PLAIN accepted.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;

/// What the server does after the final ".".
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AfterDot {
    /// Never answers (until the client goes away).
    Stall,
    /// "250 2.0.0 queued".
    Accept,
}

pub struct FakeSmtp {
    pub port: u16,
    /// One message per DATA that reached its final "."; the bytes received.
    pub messages: Receiver<Vec<u8>>,
}

/// Serves connections one after another; the n-th connection behaves as `plan[n]` (the last
/// entry repeats).
pub fn start(plan: Vec<AfterDot>) -> FakeSmtp {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = channel();
    thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { return };
            let behaviour = plan[n.min(plan.len() - 1)];
            let tx = tx.clone();
            thread::spawn(move || {
                let _ = serve(stream, behaviour, &tx);
            });
        }
    });
    FakeSmtp { port, messages: rx }
}

fn serve(stream: TcpStream, after_dot: AfterDot, tx: &Sender<Vec<u8>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    out.write_all(b"220 fake ESMTP\r\n")?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-fake\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("AUTH") {
            b"235 2.7.0 ok\r\n"
        } else if upper.starts_with("DATA") {
            out.write_all(b"354 go ahead\r\n")?;
            let mut data = Vec::new();
            loop {
                let mut l = Vec::new();
                if reader.read_until(b'\n', &mut l)? == 0 {
                    return Ok(());
                }
                if l == b".\r\n" {
                    break;
                }
                data.extend_from_slice(&l);
            }
            let _ = tx.send(data);
            match after_dot {
                AfterDot::Stall => {
                    // Wait for the client to give up (or be killed).
                    let mut rest = Vec::new();
                    let _ = std::io::Read::read_to_end(&mut reader, &mut rest);
                    return Ok(());
                }
                AfterDot::Accept => b"250 2.0.0 queued\r\n",
            }
        } else if upper.starts_with("QUIT") {
            out.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            b"250 ok\r\n"
        };
        out.write_all(reply)?;
    }
}
