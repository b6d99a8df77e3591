//! The protocol-neutral half of a mail connection: a TCP socket with connect, read and write
//! timeouts, and the OpenSSL handshake that explains a refused certificate. IMAP and POP3
//! build their streams on it.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use openssl::ssl::{HandshakeError, SslConnector, SslMethod, SslStream, SslVerifyMode};

use crate::config::TlsMode;
use crate::error::{Error, Result};

pub struct Endpoint<'a> {
    pub host: &'a str,
    pub port: u16,
    pub tls: TlsMode,
    pub accept_invalid_certs: bool,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
}

/// The socket, plain or wrapped in TLS.
pub enum Transport {
    Plain(TcpStream),
    Tls(Box<SslStream<TcpStream>>),
}

impl Transport {
    /// Negotiated protocol and cipher, e.g. `TLSv1.3 TLS_AES_256_GCM_SHA384`; None when plain.
    pub fn tls_description(&self) -> Option<String> {
        match self {
            Transport::Plain(_) => None,
            Transport::Tls(s) => {
                let ssl = s.ssl();
                let cipher = ssl.current_cipher().map(|c| c.name()).unwrap_or("?");
                Some(format!("{} {cipher}", ssl.version_str()))
            }
        }
    }

    pub fn tcp(&self) -> &TcpStream {
        match self {
            Transport::Plain(s) => s,
            Transport::Tls(s) => s.get_ref(),
        }
    }
}

impl Read for Transport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(s) => s.read(buf),
            Transport::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Transport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(s) => s.write(buf),
            Transport::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Transport::Plain(s) => s.flush(),
            Transport::Tls(s) => s.flush(),
        }
    }
}

/// TCP to the first address that answers within the connect timeout; read and write
/// timeouts set on the socket.
pub fn connect_tcp(ep: &Endpoint) -> Result<TcpStream> {
    let place = format!("{}:{}", ep.host, ep.port);
    let addrs = (ep.host, ep.port)
        .to_socket_addrs()
        .map_err(|e| Error::Network(format!("cannot resolve {}: {e}", ep.host)))?;
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, ep.connect_timeout) {
            Ok(tcp) => {
                let timeouts = tcp
                    .set_read_timeout(Some(ep.read_timeout))
                    .and_then(|_| tcp.set_write_timeout(Some(ep.read_timeout)))
                    .and_then(|_| tcp.set_nodelay(true));
                timeouts.map_err(|e| Error::Network(format!("{place}: {e}")))?;
                return Ok(tcp);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(Error::Network(match last {
        Some(e) if e.kind() == io::ErrorKind::TimedOut => format!(
            "cannot connect to {place}: no answer within {} s",
            ep.connect_timeout.as_secs()
        ),
        Some(e) => format!("cannot connect to {place}: {e}"),
        None => format!("cannot connect to {place}: the name has no addresses"),
    }))
}

/// The TLS handshake; a refused certificate is explained, with the way to accept it.
pub fn handshake(ep: &Endpoint, tcp: TcpStream) -> Result<SslStream<TcpStream>> {
    let mut builder = SslConnector::builder(SslMethod::tls_client())
        .map_err(|e| Error::Tls(format!("cannot set up TLS: {e}")))?;
    if ep.accept_invalid_certs {
        builder.set_verify(SslVerifyMode::NONE);
    }
    let connector = builder.build();
    let mut config = connector
        .configure()
        .map_err(|e| Error::Tls(format!("cannot set up TLS: {e}")))?;
    if ep.accept_invalid_certs {
        config.set_verify_hostname(false);
    }
    config.connect(ep.host, tcp).map_err(|e| match e {
        HandshakeError::Failure(mid) => {
            let verify = mid.ssl().verify_result();
            if verify.as_raw() != 0 {
                Error::Tls(format!(
                    "the certificate of {} was refused: {}. If you trust this server, set accept_invalid_certs = true for this account",
                    ep.host,
                    verify.error_string()
                ))
            } else {
                Error::Tls(format!("handshake with {} failed: {}", ep.host, mid.error()))
            }
        }
        HandshakeError::SetupFailure(e) => Error::Tls(format!("cannot set up TLS: {e}")),
        HandshakeError::WouldBlock(_) => Error::Network(format!(
            "{}: no TLS handshake within {} s",
            ep.host,
            ep.read_timeout.as_secs()
        )),
    })
}
