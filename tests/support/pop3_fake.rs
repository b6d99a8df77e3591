//! A scripted POP3 server on loopback for what Dovecot will not do: malformed replies, a
//! locked maildrop, a connection dropped in the middle of a message.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// What the server does with one command line.
pub enum Answer {
    Reply(Vec<u8>),
    /// Sends these bytes, then closes the connection.
    Drop(Vec<u8>),
}

pub struct FakePop3 {
    pub port: u16,
    /// Every command line received, in order, over all connections.
    pub heard: Arc<Mutex<Vec<String>>>,
}

impl FakePop3 {
    /// Serves every connection with a plain `+OK` greeting and `answer` for each command;
    /// QUIT is answered and ends the connection.
    pub fn start(answer: fn(&str) -> Answer) -> FakePop3 {
        FakePop3::with_greeting("+OK fake POP3 ready", answer)
    }

    /// The same with this greeting line (e.g. one with an APOP timestamp).
    pub fn with_greeting(greeting: &'static str, answer: fn(&str) -> Answer) -> FakePop3 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let heard = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&heard);
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let log = Arc::clone(&log);
                std::thread::spawn(move || {
                    let mut writer = conn.try_clone().expect("clone");
                    let _ = writer.write_all(format!("{greeting}\r\n").as_bytes());
                    for line in BufReader::new(conn).lines() {
                        let Ok(line) = line else { return };
                        log.lock().expect("log").push(line.clone());
                        if line == "QUIT" {
                            let _ = writer.write_all(b"+OK bye\r\n");
                            return;
                        }
                        match answer(&line) {
                            Answer::Reply(bytes) => {
                                let _ = writer.write_all(&bytes);
                            }
                            Answer::Drop(bytes) => {
                                let _ = writer.write_all(&bytes);
                                let _ = writer.shutdown(std::net::Shutdown::Both);
                                return;
                            }
                        }
                    }
                });
            }
        });
        FakePop3 { port, heard }
    }
}
