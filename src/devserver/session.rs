//! A logged-in IMAP session on the server through the same `imap` crate tern uses: the demo
//! seeds its mailbox with it, tests and benchmarks seed and check theirs.

use std::net::TcpStream;
use std::time::Duration;

use super::{DevServerError, Dovecot};

impl Dovecot {
    /// An independent logged-in plain session.
    pub fn session(&self, user: &str) -> Result<imap::Session<TcpStream>, DevServerError> {
        let password = self.password(user)?;
        let stream = TcpStream::connect(("127.0.0.1", self.imap_port)).map_err(
            DevServerError::io(format!("connecting to 127.0.0.1:{}", self.imap_port)),
        )?;
        // A wedged server must fail the test, not hang it.
        let timeout = Some(Duration::from_secs(30));
        stream
            .set_read_timeout(timeout)
            .and_then(|()| stream.set_write_timeout(timeout))
            .map_err(DevServerError::io("setting socket timeouts"))?;
        let mut client = imap::Client::new(stream);
        client
            .read_greeting()
            .map_err(DevServerError::imap("greeting"))?;
        client
            .login(user, password)
            .map_err(|(e, _)| DevServerError::imap(format!("LOGIN {user}"))(e))
    }
}
