//! A small OAuth2 authorization server for the tests, on 127.0.0.1 at a free port: authorize
//! (PKCE S256 checked at the token endpoint), token (authorization_code, refresh_token with
//! rotation, device_code), device authorization (RFC 8628), introspection for Dovecot's
//! oauth2 passdb (RFC 7662) and revocation. It signs everyone in as one user. The tests steer
//! it directly: token lifetime, approving a device code, revoking, forgetting access tokens.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use sha2::Digest as _;
use tern::devserver::OAuth2Passdb;

/// The client Dovecot introspects as.
const DOVECOT_CLIENT: (&str, &str) = ("dovecot", "dovecot-secret");

#[derive(Default)]
struct State {
    user: String,
    lifetime_secs: u64,
    /// code → (PKCE challenge, redirect_uri)
    codes: HashMap<String, (String, String)>,
    /// access token → expiry (Unix seconds)
    access: HashMap<String, u64>,
    refresh: Vec<String>,
    /// device code → (user code, approved)
    devices: HashMap<String, (String, bool)>,
    serial: u64,
    refresh_grants: u32,
    refused_refreshes: u32,
    introspections: u32,
}

pub struct AuthServer {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

impl AuthServer {
    /// Serves until the test binary exits; tokens live `lifetime_secs`.
    pub fn start(user: &str, lifetime_secs: u64) -> AuthServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the authorization server");
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            user: user.into(),
            lifetime_secs,
            ..State::default()
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        AuthServer { port, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// What Dovecot needs to check tokens here.
    pub fn passdb(&self, mechanisms: &str) -> OAuth2Passdb {
        OAuth2Passdb {
            introspection_url: self.url("/introspect"),
            openid_configuration_url: self.url("/.well-known/openid-configuration"),
            client_id: DOVECOT_CLIENT.0.into(),
            client_secret: DOVECOT_CLIENT.1.into(),
            mechanisms: mechanisms.into(),
        }
    }

    /// The `[account.oauth2]` table for tern.
    pub fn account_table(&self) -> String {
        format!(
            "[account.oauth2]\nclient_id = \"tern-test\"\nauth_url = \"{}\"\ntoken_url = \"{}\"\ndevice_url = \"{}\"\nscopes = [\"mail\"]\n",
            self.url("/authorize"),
            self.url("/token"),
            self.url("/device")
        )
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    /// The user approves the device code `user_code` on their other device.
    pub fn approve(&self, user_code: &str) {
        self.with(|s| {
            for (code, approved) in s.devices.values_mut() {
                if code == user_code {
                    *approved = true;
                }
            }
        })
    }

    /// Every refresh and access token stops working (the user revoked tern's access).
    pub fn revoke_all(&self) {
        self.with(|s| {
            s.refresh.clear();
            s.access.clear();
        })
    }

    /// Access tokens stop working before their time; refresh tokens still do.
    pub fn forget_access_tokens(&self) {
        self.with(|s| s.access.clear())
    }

    pub fn refresh_grants(&self) -> u32 {
        self.with(|s| s.refresh_grants)
    }

    pub fn refused_refreshes(&self) -> u32 {
        self.with(|s| s.refused_refreshes)
    }

    pub fn introspections(&self) -> u32 {
        self.with(|s| s.introspections)
    }

    pub fn is_valid_refresh_token(&self, token: &str) -> bool {
        self.with(|s| s.refresh.iter().any(|r| r == token))
    }
}

struct Request {
    method: String,
    path: String,
    query: HashMap<String, String>,
    form: HashMap<String, String>,
    basic_auth: Option<String>,
}

fn pairs(text: &str) -> HashMap<String, String> {
    oauth2::url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut words = line.split_whitespace();
    let method = words.next()?.to_string();
    let target = words.next()?.to_string();
    let mut length = 0;
    let mut basic_auth = None;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "authorization" => basic_auth = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    Some(Request {
        method,
        path: path.to_string(),
        query: pairs(query),
        form: pairs(&String::from_utf8_lossy(&body)),
        basic_auth,
    })
}

fn respond(mut stream: &TcpStream, status: &str, headers: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn json(stream: &TcpStream, status: &str, body: &str) {
    respond(
        stream,
        status,
        "Content-Type: application/json\r\nCache-Control: no-store\r\n",
        body,
    );
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let Some(req) = read_request(&stream) else {
        return;
    };
    let mut s = state.lock().unwrap();
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/authorize") => authorize(&stream, &mut s, &req),
        ("POST", "/token") => token(&stream, &mut s, &req),
        ("POST", "/device") => {
            s.serial += 1;
            let device = format!("dev-{}", s.serial);
            let user_code = format!("WDJB-{:04}", s.serial);
            s.devices.insert(device.clone(), (user_code.clone(), false));
            json(
                &stream,
                "200 OK",
                &format!(
                    r#"{{"device_code":"{device}","user_code":"{user_code}","verification_uri":"http://127.0.0.1/device","expires_in":60,"interval":1}}"#
                ),
            );
        }
        ("POST", "/introspect") => {
            // Dovecot 2.3 sends its client credentials in the form; Basic is RFC 7662's way.
            let expected = base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{}", DOVECOT_CLIENT.0, DOVECOT_CLIENT.1));
            let basic = req.basic_auth.as_deref() == Some(&format!("Basic {expected}"));
            let in_form = req.form.get("client_id").map(String::as_str) == Some(DOVECOT_CLIENT.0)
                && req.form.get("client_secret").map(String::as_str) == Some(DOVECOT_CLIENT.1);
            if !basic && !in_form {
                return json(&stream, "401 Unauthorized", r#"{"error":"invalid_client"}"#);
            }
            s.introspections += 1;
            let token = req.form.get("token").cloned().unwrap_or_default();
            match s.access.get(&token) {
                Some(&exp) if exp > now() => json(
                    &stream,
                    "200 OK",
                    &format!(r#"{{"active":true,"username":"{}","exp":{exp}}}"#, s.user),
                ),
                _ => json(&stream, "200 OK", r#"{"active":false}"#),
            }
        }
        ("POST", "/revoke") => {
            let token = req.form.get("token").cloned().unwrap_or_default();
            s.refresh.retain(|r| *r != token);
            s.access.remove(&token);
            respond(&stream, "200 OK", "", "");
        }
        ("GET", "/.well-known/openid-configuration") => json(&stream, "200 OK", "{}"),
        _ => respond(&stream, "404 Not Found", "", ""),
    }
}

fn authorize(stream: &TcpStream, s: &mut State, req: &Request) {
    let q = |k: &str| req.query.get(k).cloned().unwrap_or_default();
    if q("response_type") != "code"
        || q("code_challenge_method") != "S256"
        || q("code_challenge").is_empty()
        || !q("redirect_uri").starts_with("http://127.0.0.1:")
    {
        return respond(stream, "400 Bad Request", "", "bad authorization request");
    }
    s.serial += 1;
    let code = format!("code-{}", s.serial);
    s.codes
        .insert(code.clone(), (q("code_challenge"), q("redirect_uri")));
    let location = format!(
        "{}?code={code}&state={}",
        q("redirect_uri"),
        oauth2::url::form_urlencoded::byte_serialize(q("state").as_bytes()).collect::<String>()
    );
    respond(
        stream,
        "302 Found",
        &format!("Location: {location}\r\n"),
        "",
    );
}

fn token(stream: &TcpStream, s: &mut State, req: &Request) {
    let f = |k: &str| req.form.get(k).cloned().unwrap_or_default();
    let refused = |why: &str| {
        json(
            stream,
            "400 Bad Request",
            &format!(r#"{{"error":"{why}"}}"#),
        )
    };
    match f("grant_type").as_str() {
        "authorization_code" => {
            let Some((challenge, redirect)) = s.codes.remove(&f("code")) else {
                return refused("invalid_grant");
            };
            let digest = sha2::Sha256::digest(f("code_verifier").as_bytes());
            let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
            if computed != challenge || redirect != f("redirect_uri") {
                return refused("invalid_grant");
            }
        }
        "refresh_token" => {
            let old = f("refresh_token");
            let Some(at) = s.refresh.iter().position(|r| *r == old) else {
                s.refused_refreshes += 1;
                return refused("invalid_grant");
            };
            // Rotation: the old refresh token is spent.
            s.refresh.remove(at);
            s.refresh_grants += 1;
        }
        "urn:ietf:params:oauth:grant-type:device_code" => match s.devices.get(&f("device_code")) {
            Some((_, true)) => {
                s.devices.remove(&f("device_code"));
            }
            Some((_, false)) => return refused("authorization_pending"),
            None => return refused("expired_token"),
        },
        _ => return refused("unsupported_grant_type"),
    }
    s.serial += 1;
    let access = format!("at-{}-{}", s.serial, now());
    let refresh = format!("rt-{}-{}", s.serial, now());
    let lifetime = s.lifetime_secs;
    s.access.insert(access.clone(), now() + lifetime);
    s.refresh.push(refresh.clone());
    json(
        stream,
        "200 OK",
        &format!(
            r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":{lifetime},"refresh_token":"{refresh}"}}"#
        ),
    );
}

/// One HTTP GET, as a browser would send it; returns the status line and the Location header.
pub fn get(url: &str) -> (String, Option<String>) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream = TcpStream::connect(host).expect("connect for GET");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    let status = text.lines().next().unwrap_or_default().to_string();
    let location = text
        .lines()
        .find_map(|l| l.strip_prefix("Location: "))
        .map(String::from);
    (status, location)
}
