//! A scripted fake IMAP server on loopback, only for faults a real Dovecot will not produce on
//! request: replies cut off inside a literal, replies that never finish, malformed or unknown
//! responses, BYE in the middle of a command, absurd literal announcements.
//!
//! Every connection gets its own thread and the same script. A command is answered by the
//! test's handler, which may return [`Reply::Default`] for the built-in answer (a mailbox of
//! `messages` plain messages with UIDs 1..=n). Dropping the [`Server`] ends stalls, closes every
//! connection and joins the threads; a server also stops by itself after [`LIFETIME`].

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError, bounded};

/// The longest a server lives, whatever the test does.
pub const LIFETIME: Duration = Duration::from_secs(120);
/// How often blocked reads and accepts look at the stop signal.
const TICK: Duration = Duration::from_millis(20);
/// The fake refuses command literals larger than this.
const MAX_LITERAL: usize = 1 << 20;

/// What to do after sending a reply.
pub enum Reply {
    /// The built-in answer for this command.
    Default,
    /// Send these bytes and go on reading commands.
    Send(Vec<u8>),
    /// Send these bytes, then close the connection.
    Close(Vec<u8>),
    /// Send these bytes, then reset the connection (RST, not FIN).
    Reset(Vec<u8>),
    /// Send these bytes, then send nothing more until the server is dropped.
    Stall(Vec<u8>),
    /// Send `head`, then `len` copies of `byte` (streamed, never held in memory), then close.
    Flood { head: Vec<u8>, byte: u8, len: usize },
    /// Send `head`, then `unit` `times` times (streamed), then close.
    Repeat {
        head: Vec<u8>,
        unit: Vec<u8>,
        times: usize,
    },
    /// Send `bytes` one at a time, `every` apart, then go on reading commands.
    Dribble { bytes: Vec<u8>, every: Duration },
}

/// One command as the client sent it.
#[derive(Debug, Clone)]
pub struct Command {
    /// 0 for the first connection, 1 for the next ...
    pub conn: usize,
    pub tag: String,
    /// Upper-cased; two words for UID commands: `UID FETCH`.
    pub verb: String,
    /// The rest of the line, literals inlined.
    pub args: String,
    messages: u32,
    caps: String,
}

pub type Handler = Box<dyn FnMut(&Command) -> Reply + Send>;

pub struct Script {
    messages: u32,
    capabilities: String,
    greeting: Box<dyn FnMut(usize) -> Reply + Send>,
    handler: Handler,
}

impl Default for Script {
    fn default() -> Self {
        Script {
            messages: 3,
            capabilities: "IMAP4rev1 ID".into(),
            greeting: Box::new(|_| Reply::Default),
            handler: Box::new(|_| Reply::Default),
        }
    }
}

impl Script {
    pub fn new() -> Script {
        Script::default()
    }

    /// Messages in every folder of the built-in mailbox (UIDs 1..=n).
    pub fn messages(mut self, n: u32) -> Script {
        self.messages = n;
        self
    }

    /// The CAPABILITY answer (default `IMAP4rev1 ID`: no AUTH=PLAIN, so clients use LOGIN).
    pub fn capabilities(mut self, caps: &str) -> Script {
        self.capabilities = caps.into();
        self
    }

    /// What each connection sees first; the argument is the connection number.
    pub fn greeting(mut self, g: impl FnMut(usize) -> Reply + Send + 'static) -> Script {
        self.greeting = Box::new(g);
        self
    }

    pub fn on(mut self, handler: impl FnMut(&Command) -> Reply + Send + 'static) -> Script {
        self.handler = Box::new(handler);
        self
    }
}

struct Shared {
    script: Mutex<Script>,
    log: Mutex<Vec<Command>>,
    /// A clone of each connection's socket, to shut them all down on drop.
    conns: Mutex<Vec<Option<TcpStream>>>,
}

pub struct Server {
    pub port: u16,
    shared: Arc<Shared>,
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(script: Script) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let port = listener.local_addr().expect("local address").port();
        let shared = Arc::new(Shared {
            script: Mutex::new(script),
            log: Mutex::new(Vec::new()),
            conns: Mutex::new(Vec::new()),
        });
        let (stop_tx, stop_rx) = bounded::<()>(0);
        let thread = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("scripted-imap".into())
                .spawn(move || accept_loop(&listener, &shared, &stop_rx))
                .expect("spawn the fake server")
        };
        Server {
            port,
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// Every command received so far, in order.
    pub fn log(&self) -> Vec<Command> {
        self.shared.log.lock().unwrap().clone()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.conns.lock().unwrap().len()
    }

    /// A config text for one account on this server: plain TCP, no IDLE, no polling, no header
    /// cache (tests must not share state through the user's cache directory), and a
    /// read timeout of 5 s. A key set in `extra` replaces the default (stall tests set
    /// `read_timeout_secs = 1`, STARTTLS tests `tls = "starttls"`).
    pub fn config(&self, extra: &str) -> String {
        let defaults = [
            "tls = \"none\"",
            "read_timeout_secs = 5",
            "idle = false",
            "cache = false",
            "poll_interval_secs = 600",
            "status_interval_secs = 600",
        ];
        let overridden = |line: &&str| {
            let key = line.split(' ').next().unwrap_or_default();
            extra
                .lines()
                .any(|l| l.split('=').next().is_some_and(|k| k.trim() == key))
        };
        let defaults: Vec<&str> = defaults.into_iter().filter(|l| !overridden(l)).collect();
        format!(
            "[[account]]\nname = \"fake\"\nhost = \"127.0.0.1\"\nport = {}\nusername = \"alice\"\npassword_env = \"TERN_TEST_PASSWORD\"\nconnect_timeout_secs = 2\n{}\n{extra}\n",
            self.port,
            defaults.join("\n")
        )
    }

    pub fn account(&self, extra: &str) -> tern::config::Account {
        tern::config::parse(&self.config(extra))
            .expect("config")
            .accounts
            .remove(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Disconnecting the channel wakes every stalled connection and the accept loop.
        drop(self.stop.take());
        shutdown_all(&self.shared);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn shutdown_all(shared: &Shared) {
    for c in shared.conns.lock().unwrap().iter().flatten() {
        let _ = c.shutdown(Shutdown::Both);
    }
}

fn stopped(stop: &Receiver<()>) -> bool {
    matches!(stop.try_recv(), Err(TryRecvError::Disconnected))
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>, stop: &Receiver<()>) {
    let deadline = Instant::now() + LIFETIME;
    let mut threads = Vec::new();
    let mut n = 0;
    while Instant::now() < deadline {
        match listener.accept() {
            Ok((tcp, _)) => {
                shared.conns.lock().unwrap().push(tcp.try_clone().ok());
                let (shared, stop) = (shared.clone(), stop.clone());
                let conn = n;
                n += 1;
                threads.push(std::thread::spawn(move || {
                    let _ = serve(tcp, conn, &shared, &stop, deadline);
                }));
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => match stop.recv_timeout(TICK) {
                Err(RecvTimeoutError::Timeout) => {}
                _ => break,
            },
            Err(_) => break,
        }
    }
    shutdown_all(shared);
    for t in threads {
        let _ = t.join();
    }
}

enum Next {
    Go,
    Close,
    Reset,
}

/// Writes `reply`; a stall returns only once the server is stopping.
fn send(
    tcp: &mut TcpStream,
    reply: Reply,
    default: impl FnOnce() -> Vec<u8>,
    stop: &Receiver<()>,
    deadline: Instant,
) -> std::io::Result<Next> {
    let (bytes, next) = match reply {
        Reply::Default => (default(), None),
        Reply::Send(b) => (b, None),
        Reply::Close(b) => (b, Some(Next::Close)),
        Reply::Reset(b) => (b, Some(Next::Reset)),
        Reply::Flood { head, byte, len } => {
            tcp.write_all(&head)?;
            let chunk = vec![byte; 64 * 1024];
            let mut left = len;
            while left > 0 && !stopped(stop) && Instant::now() < deadline {
                let n = left.min(chunk.len());
                tcp.write_all(&chunk[..n])?;
                left -= n;
            }
            return Ok(Next::Close);
        }
        Reply::Repeat { head, unit, times } => {
            tcp.write_all(&head)?;
            let per_chunk = (64 * 1024 / unit.len().max(1)).max(1);
            let chunk = unit.repeat(per_chunk);
            let mut left = times;
            while left > 0 && !stopped(stop) && Instant::now() < deadline {
                let n = left.min(per_chunk);
                tcp.write_all(&chunk[..n * unit.len()])?;
                left -= n;
            }
            return Ok(Next::Close);
        }
        Reply::Dribble { bytes, every } => {
            for b in bytes {
                if stopped(stop) || Instant::now() >= deadline {
                    return Ok(Next::Close);
                }
                tcp.write_all(&[b])?;
                tcp.flush()?;
                let _ = stop.recv_timeout(every);
            }
            return Ok(Next::Go);
        }
        Reply::Stall(b) => {
            tcp.write_all(&b)?;
            tcp.flush()?;
            let _ = stop.recv_timeout(deadline.saturating_duration_since(Instant::now()));
            return Ok(Next::Close);
        }
    };
    tcp.write_all(&bytes)?;
    tcp.flush()?;
    Ok(next.unwrap_or(Next::Go))
}

fn serve(
    tcp: TcpStream,
    conn: usize,
    shared: &Shared,
    stop: &Receiver<()>,
    deadline: Instant,
) -> std::io::Result<()> {
    tcp.set_read_timeout(Some(TICK))?;
    tcp.set_nodelay(true)?;
    let mut out = tcp.try_clone()?;
    let mut reader = BufReader::new(tcp);
    let greeting = (shared.script.lock().unwrap().greeting)(conn);
    let next = send(
        &mut out,
        greeting,
        || b"* OK scripted IMAP4rev1 server ready\r\n".to_vec(),
        stop,
        deadline,
    )?;
    if !matches!(next, Next::Go) {
        return hang_up(out, next, conn, shared);
    }
    loop {
        let Some(line) = read_command(&mut reader, &mut out, stop, deadline)? else {
            return Ok(());
        };
        let (messages, caps) = {
            let s = shared.script.lock().unwrap();
            (s.messages, s.capabilities.clone())
        };
        let cmd = parse_command(&line, conn, messages, &caps);
        shared.log.lock().unwrap().push(cmd.clone());
        let reply = (shared.script.lock().unwrap().handler)(&cmd);
        let logout = cmd.verb == "LOGOUT";
        let next = send(&mut out, reply, || cmd.default_reply(), stop, deadline)?;
        if logout || !matches!(next, Next::Go) {
            return hang_up(out, next, conn, shared);
        }
    }
}

/// Closes with FIN, or with RST for [`Next::Reset`]: linger 0, then close every descriptor.
fn hang_up(out: TcpStream, next: Next, conn: usize, shared: &Shared) -> std::io::Result<()> {
    if !matches!(next, Next::Reset) {
        return out.shutdown(Shutdown::Both);
    }
    let off = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket descriptor and a correctly sized `linger` value.
    let rc = unsafe {
        libc::setsockopt(
            out.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&raw const off).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // The reader half is dropped by the caller; the server's clone goes now.
    shared.conns.lock().unwrap()[conn] = None;
    drop(out);
    Ok(())
}

/// One command line with its literals inlined; None when the client left or we are stopping.
fn read_command(
    reader: &mut BufReader<TcpStream>,
    out: &mut TcpStream,
    stop: &Receiver<()>,
    deadline: Instant,
) -> std::io::Result<Option<String>> {
    let mut line = Vec::new();
    loop {
        let start = line.len();
        loop {
            if stopped(stop) || Instant::now() >= deadline {
                return Ok(None);
            }
            match reader.read_until(b'\n', &mut line) {
                Ok(0) => return Ok(None),
                Ok(_) if line.ends_with(b"\n") => break,
                Ok(_) => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => return Err(e),
            }
        }
        // `{n}` or `{n+}` at the end of the line: a literal follows.
        let text = String::from_utf8_lossy(&line[start..]).into_owned();
        let trimmed = text.trim_end();
        let Some(open) = trimmed.rfind('{').filter(|_| trimmed.ends_with('}')) else {
            break;
        };
        let spec = &trimmed[open + 1..trimmed.len() - 1];
        let sync = !spec.ends_with('+');
        let Ok(len) = spec.trim_end_matches('+').parse::<usize>() else {
            break;
        };
        if len > MAX_LITERAL {
            return Ok(None);
        }
        if sync {
            out.write_all(b"+ go ahead\r\n")?;
        }
        let mut literal = vec![0; len];
        let mut got = 0;
        while got < len {
            if stopped(stop) || Instant::now() >= deadline {
                return Ok(None);
            }
            match reader.read(&mut literal[got..]) {
                Ok(0) => return Ok(None),
                Ok(n) => got += n,
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => return Err(e),
            }
        }
        line.extend_from_slice(&literal);
    }
    Ok(Some(String::from_utf8_lossy(&line).trim_end().to_string()))
}

fn parse_command(line: &str, conn: usize, messages: u32, caps: &str) -> Command {
    let mut words = line.splitn(3, ' ');
    let tag = words.next().unwrap_or_default().to_string();
    let mut verb = words.next().unwrap_or_default().to_ascii_uppercase();
    let mut args = words.next().unwrap_or_default().to_string();
    if verb == "UID" {
        let (sub, rest) = args.split_once(' ').unwrap_or((args.as_str(), ""));
        verb = format!("UID {}", sub.to_ascii_uppercase());
        args = rest.to_string();
    }
    Command {
        conn,
        tag,
        verb,
        args,
        messages,
        caps: caps.to_string(),
    }
}

impl Command {
    /// The built-in answer, for handlers that wrap it (e.g. unknown responses around it).
    pub fn default_reply(&self) -> Vec<u8> {
        default_reply(self, &self.caps)
    }

    /// `{tag} {text}\r\n`.
    pub fn tagged(&self, text: &str) -> Vec<u8> {
        format!("{} {text}\r\n", self.tag).into_bytes()
    }

    /// The UIDs a `UID FETCH` or `UID STORE` names (or the sequence numbers of a `FETCH`,
    /// which are the same in the built-in mailbox), limited to the mailbox.
    pub fn uids(&self) -> Vec<u32> {
        let set = self.args.split(' ').next().unwrap_or_default();
        uid_set(set, self.messages)
    }
}

fn uid_set(set: &str, max: u32) -> Vec<u32> {
    let num = |s: &str| if s == "*" { Some(max) } else { s.parse().ok() };
    let mut out = Vec::new();
    for piece in set.split(',') {
        let (a, b) = match piece.split_once(':') {
            Some((a, b)) => (num(a), num(b)),
            None => (num(piece), num(piece)),
        };
        if let (Some(a), Some(b)) = (a, b) {
            out.extend((a.min(b)..=a.max(b).min(max)).filter(|u| *u >= 1));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

pub const DATE: &str = "01-Jan-2024 10:00:00 +0000";

/// The summary line the built-in mailbox gives for `uid`: its header fields as tern asks for
/// them.
pub fn summary_fetch(uid: u32) -> String {
    let msg = message_text(uid);
    let header = msg.split("\r\n\r\n").next().unwrap_or_default();
    format!(
        "* {uid} FETCH (UID {uid} FLAGS (\\Seen) INTERNALDATE \"{DATE}\" RFC822.SIZE 100 BODY[HEADER.FIELDS (DATE FROM TO SUBJECT MESSAGE-ID)] {})\r\n",
        literal(&format!("{header}\r\n\r\n"))
    )
}

pub fn message_text(uid: u32) -> String {
    format!(
        "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nFrom: Bob <bob@example.com>\r\nTo: Al <al@example.com>\r\nSubject: message {uid}\r\nMessage-ID: <{uid}@example.com>\r\n\r\nhello {uid}\r\n"
    )
}

fn literal(s: &str) -> String {
    format!("{{{}}}\r\n{s}", s.len())
}

fn default_reply(cmd: &Command, caps: &str) -> Vec<u8> {
    let n = cmd.messages;
    let tag = &cmd.tag;
    let verb = cmd.verb.as_str();
    let text = match verb {
        "CAPABILITY" => format!("* CAPABILITY {caps}\r\n{tag} OK CAPABILITY completed\r\n"),
        "LOGIN" => format!("{tag} OK LOGIN completed\r\n"),
        "ID" => format!("* ID (\"name\" \"scripted\")\r\n{tag} OK ID completed\r\n"),
        "SELECT" | "EXAMINE" => {
            let mode = if verb == "SELECT" {
                "READ-WRITE"
            } else {
                "READ-ONLY"
            };
            format!(
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* {n} EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 7] UIDs valid\r\n* OK [UIDNEXT {}] Predicted next UID\r\n{tag} OK [{mode}] {verb} completed\r\n",
                n + 1
            )
        }
        "UID SEARCH" => {
            let uids: Vec<String> = (1..=n).map(|u| u.to_string()).collect();
            format!(
                "* SEARCH {}\r\n{tag} OK SEARCH completed\r\n",
                uids.join(" ")
            )
            .replace("SEARCH \r\n", "SEARCH\r\n")
        }
        // Sequence numbers equal UIDs in the built-in mailbox.
        "UID FETCH" | "FETCH" => {
            let items = cmd.args.to_ascii_uppercase();
            let mut out = String::new();
            for uid in cmd.uids() {
                let msg = message_text(uid);
                let line = if items.contains("HEADER.FIELDS") {
                    summary_fetch(uid)
                } else if items.contains("BODYSTRUCTURE") {
                    let header = msg.split("\r\n\r\n").next().unwrap_or_default();
                    format!(
                        "* {uid} FETCH (UID {uid} BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"7BIT\" 9 1 NIL NIL NIL NIL) BODY[HEADER] {})\r\n",
                        literal(&format!("{header}\r\n\r\n"))
                    )
                } else if items.contains("BODY.PEEK[]") {
                    format!("* {uid} FETCH (UID {uid} BODY[] {})\r\n", literal(&msg))
                } else if let Some(start) = items.find("BODY.PEEK[") {
                    let rest = &cmd.args[start + "BODY.PEEK[".len()..];
                    let section = rest.split(']').next().unwrap_or_default();
                    let body = format!("hello {uid}\r\n");
                    format!(
                        "* {uid} FETCH (UID {uid} BODY[{section}] {})\r\n",
                        literal(&body)
                    )
                } else {
                    format!("* {uid} FETCH (UID {uid} FLAGS (\\Seen))\r\n")
                };
                out.push_str(&line);
            }
            format!("{out}{tag} OK FETCH completed\r\n")
        }
        "UID STORE" => format!("{tag} OK STORE completed\r\n"),
        "ENABLE" => format!("* ENABLED {}\r\n{tag} OK ENABLE completed\r\n", cmd.args),
        "NOOP" | "CHECK" => format!("{tag} OK {verb} completed\r\n"),
        "LOGOUT" => format!("* BYE logging out\r\n{tag} OK LOGOUT completed\r\n"),
        "LIST" | "LSUB" => {
            format!("* {verb} (\\HasNoChildren) \"/\" INBOX\r\n{tag} OK {verb} completed\r\n")
        }
        "STATUS" => format!(
            "* STATUS INBOX (MESSAGES {n} UNSEEN 0 UIDNEXT {} UIDVALIDITY 7)\r\n{tag} OK STATUS completed\r\n",
            n + 1
        ),
        _ => format!("{tag} BAD unknown command\r\n"),
    };
    text.into_bytes()
}
