//! A TCP relay between tern and a real server that holds client commands back until the test
//! lets them through, and logs every command line. "The worker is in the middle of a chunk"
//! then lasts exactly as long as the test needs, without timing.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

type Hold = Box<dyn Fn(&str) -> bool + Send>;

struct State {
    /// Commands held back, in the order they came (each connection stops at its first).
    held: Vec<String>,
    released: bool,
    log: Vec<String>,
    hold: Hold,
}

pub struct Gate {
    pub port: u16,
    state: Arc<(Mutex<State>, Condvar)>,
}

impl Gate {
    /// Relays every connection to `target` on 127.0.0.1; a command line for which `hold` is
    /// true waits for [`Gate::release`].
    pub fn start(target: u16, hold: impl Fn(&str) -> bool + Send + 'static) -> Gate {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new((
            Mutex::new(State {
                held: Vec::new(),
                released: false,
                log: Vec::new(),
                hold: Box::new(hold),
            }),
            Condvar::new(),
        ));
        let shared = state.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                relay(client, server, shared.clone());
            }
        });
        Gate { port, state }
    }

    /// Waits until `n` commands are held back; returns them.
    pub fn held(&self, n: usize) -> Vec<String> {
        let (lock, cvar) = &*self.state;
        let state = lock.lock().unwrap();
        let (state, timeout) = cvar
            .wait_timeout_while(state, Duration::from_secs(60), |s| s.held.len() < n)
            .unwrap();
        assert!(!timeout.timed_out(), "{n} commands were not held");
        state.held.clone()
    }

    /// Lets the held command (and every later one) through.
    pub fn release(&self) {
        let (lock, cvar) = &*self.state;
        lock.lock().unwrap().released = true;
        cvar.notify_all();
    }

    /// Every command line the client sent, in order, without the line ending.
    pub fn log(&self) -> Vec<String> {
        self.state.0.lock().unwrap().log.clone()
    }
}

fn relay(client: TcpStream, server: TcpStream, state: Arc<(Mutex<State>, Condvar)>) {
    let (mut to_client, from_server) = (
        client.try_clone().expect("clone"),
        server.try_clone().expect("clone"),
    );
    std::thread::spawn(move || {
        let mut from_server = from_server;
        let _ = std::io::copy(&mut from_server, &mut to_client);
        let _ = to_client.shutdown(Shutdown::Both);
    });
    std::thread::spawn(move || {
        let mut to_server = server;
        let mut from_client = BufReader::new(client);
        let mut line = Vec::new();
        loop {
            line.clear();
            match from_client.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&line).trim_end().to_string();
            {
                let (lock, cvar) = &*state;
                let mut s = lock.lock().unwrap();
                s.log.push(text.clone());
                if !s.released && (s.hold)(&text) {
                    s.held.push(text);
                    cvar.notify_all();
                    let _s = cvar.wait_while(s, |s| !s.released).unwrap();
                }
            }
            if to_server.write_all(&line).is_err() {
                break;
            }
        }
        let _ = to_server.shutdown(Shutdown::Both);
    });
}
