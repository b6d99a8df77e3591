//! The HTTP client under the `oauth2` crate: a blocking `ureq` agent on native-tls (OpenSSL,
//! the same TLS as IMAP and SMTP), following no redirects so a token request cannot be
//! bounced elsewhere. oauth2's own ureq adapter is not used: ureq 2 turns a 400 answer into
//! an error, which would hide `invalid_grant` (a revoked sign-in) and the device flow's
//! `authorization_pending` from oauth2; here every status is handed over as a response.

use std::io::Read as _;
use std::sync::Arc;
use std::time::Duration;

use oauth2::http::{self, header::CONTENT_TYPE};
use oauth2::{HttpRequest, HttpResponse, SyncHttpClient};

use crate::error::{Error, Result};

/// How long one exchange with the authorization server may take.
const TIMEOUT: Duration = Duration::from_secs(30);
/// More than any token answer: the rest is not read.
const MAX_BODY: u64 = 1 << 20;

pub struct Http(ureq::Agent);

/// Why no answer came; the text never holds a token (requests carry them in the body).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

impl Http {
    pub fn new() -> Result<Http> {
        let tls = native_tls::TlsConnector::new()
            .map_err(|e| Error::Tls(format!("setting up TLS for OAuth2: {e}")))?;
        Ok(Http(
            ureq::AgentBuilder::new()
                .tls_connector(Arc::new(tls))
                .redirects(0)
                .timeout(TIMEOUT)
                .build(),
        ))
    }
}

impl SyncHttpClient for Http {
    type Error = HttpError;

    fn call(&self, request: HttpRequest) -> std::result::Result<HttpResponse, HttpError> {
        let url = request.uri().to_string();
        let mut req = self.0.request(request.method().as_str(), &url);
        for (name, value) in request.headers() {
            let value = value
                .to_str()
                .map_err(|_| HttpError(format!("header {name} is not text")))?;
            req = req.set(name.as_str(), value);
        }
        let answer = if request.method() == http::Method::POST {
            req.send_bytes(request.body())
        } else {
            req.call()
        };
        let response = match answer {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(ureq::Error::Transport(t)) => return Err(HttpError(t.to_string())),
        };
        let mut builder = http::Response::builder().status(response.status());
        if let Some(kind) = response.header(CONTENT_TYPE.as_str()) {
            builder = builder.header(CONTENT_TYPE, kind);
        }
        let mut body = Vec::new();
        response
            .into_reader()
            .take(MAX_BODY)
            .read_to_end(&mut body)
            .map_err(|e| HttpError(format!("reading the answer: {e}")))?;
        builder
            .body(body)
            .map_err(|e| HttpError(format!("the answer: {e}")))
    }
}
