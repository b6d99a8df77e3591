//! Provider quirks, against the scripted fake server (`support::scripted`) playing a Coremail
//! server (NetEase 163/126: LOGIN or SELECT is refused with "Unsafe Login" on a connection that
//! has not sent ID, whatever its CAPABILITY says) and Gmail (labels, which no test Dovecot keeps).

mod support;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use support::scripted::{Command, Reply, Script, Server};
use support::watched::run_with_config;
use tern::error::Error;
use tern::imap::{messages, session};

const COREMAIL: &str =
    "* OK Coremail System IMap Server Ready(163com[726cd87d72d896a1ac393507346040fa])\r\n";
const UNSAFE: &str = "NO SELECT Unsafe Login. Please contact kefu@188.com for help";

/// What a NetEase-like server insists on.
#[derive(Clone, Copy)]
enum Strict {
    /// SELECT is refused until the connection has sent ID (in any state).
    Select,
    /// LOGIN and AUTHENTICATE too.
    Login,
    /// SELECT needs ID, but ID before login is answered BAD (and does not count).
    IdOnlyAfterLogin,
}

/// A server that, like 163.com, does not list ID and refuses what `strict` says until it has
/// had one.
fn netease(greeting: &'static str, strict: Strict) -> Server {
    let identified = Arc::new(Mutex::new(HashSet::new()));
    let logged_in = Arc::new(Mutex::new(HashSet::new()));
    Server::start(
        Script::new()
            .capabilities("IMAP4rev1 UIDPLUS")
            .greeting(move |_| Reply::Send(greeting.as_bytes().to_vec()))
            .on(move |c: &Command| {
                let mut identified = identified.lock().unwrap();
                let mut logged_in = logged_in.lock().unwrap();
                match c.verb.as_str() {
                    "ID" if matches!(strict, Strict::IdOnlyAfterLogin)
                        && !logged_in.contains(&c.conn) =>
                    {
                        Reply::Send(c.tagged("BAD command not support"))
                    }
                    "ID" => {
                        identified.insert(c.conn);
                        Reply::Default
                    }
                    "LOGIN" | "AUTHENTICATE"
                        if matches!(strict, Strict::Login) && !identified.contains(&c.conn) =>
                    {
                        Reply::Send(
                            c.tagged("NO LOGIN Unsafe Login. Please contact kefu@188.com for help"),
                        )
                    }
                    "LOGIN" => {
                        logged_in.insert(c.conn);
                        Reply::Default
                    }
                    "SELECT" | "EXAMINE" if !identified.contains(&c.conn) => {
                        Reply::Send(c.tagged(UNSAFE))
                    }
                    _ => Reply::Default,
                }
            }),
    )
}

fn connect(server: &Server) -> session::Connection {
    session::connect(&server.account(""), "secret").expect("login")
}

fn verbs(server: &Server) -> Vec<String> {
    server.log().into_iter().map(|c| c.verb).collect()
}

#[test]
fn coremail_is_identified_before_login() {
    for strict in [Strict::Select, Strict::Login] {
        let server = netease(COREMAIL, strict);
        let mut conn = connect(&server);
        messages::open(&mut conn, "INBOX", false).expect("SELECT after ID");
        let verbs = verbs(&server);
        let at = |verb: &str| verbs.iter().position(|v| v == verb);
        assert!(
            at("ID").is_some() && at("ID") < at("LOGIN") && at("LOGIN") < at("SELECT"),
            "{verbs:?}"
        );
        assert_eq!(
            verbs.iter().filter(|v| *v == "ID").count(),
            1,
            "ID sent again after it was taken: {verbs:?}"
        );
    }
}

#[test]
fn id_refused_before_login_is_sent_again_after_it() {
    let server = netease(COREMAIL, Strict::IdOnlyAfterLogin);
    let mut conn = connect(&server);
    messages::open(&mut conn, "INBOX", false).expect("SELECT after the second ID");
    let verbs = verbs(&server);
    let ids: Vec<usize> = (0..verbs.len()).filter(|&i| verbs[i] == "ID").collect();
    let login = verbs.iter().position(|v| v == "LOGIN").expect("LOGIN");
    assert!(
        ids.len() == 2 && ids[0] < login && login < ids[1],
        "{verbs:?}"
    );
}

#[test]
fn a_server_listing_id_before_login_is_identified_once_there() {
    let server = Server::start(Script::new().capabilities("IMAP4rev1 ID"));
    connect(&server);
    let verbs = verbs(&server);
    let ids: Vec<usize> = (0..verbs.len()).filter(|&i| verbs[i] == "ID").collect();
    let login = verbs.iter().position(|v| v == "LOGIN").expect("LOGIN");
    assert!(ids.len() == 1 && ids[0] < login, "{verbs:?}");
}

#[test]
fn unsafe_login_says_how_to_get_an_authorization_code() {
    // Not recognisable as Coremail and no ID in CAPABILITY: tern does not identify, and the
    // refusal it gets must say what to do.
    let server = netease("* OK IMAP4rev1 ready\r\n", Strict::Select);
    let mut conn = connect(&server);
    let error = messages::open(&mut conn, "INBOX", false).expect_err("refused");
    assert!(
        !server.log().iter().any(|c| c.verb == "ID"),
        "ID sent to an unknown server that does not list it"
    );
    let Error::Server { text, .. } = &error else {
        panic!("{error:?}");
    };
    assert!(text.starts_with("SELECT Unsafe Login"), "{text}");
    assert!(
        text.contains("授权码") && text.contains("POP3/SMTP/IMAP"),
        "{text}"
    );
}

#[test]
fn authenticate_plain_waits_for_the_challenge_even_where_sasl_ir_is_offered() {
    // Coremail advertises SASL-IR but mishandles an initial response.
    let continuing = Arc::new(Mutex::new(None::<String>));
    let server = Server::start(
        Script::new()
            .capabilities("IMAP4rev1 ID SASL-IR AUTH=PLAIN")
            .greeting(|_| Reply::Send(COREMAIL.as_bytes().to_vec()))
            .on(move |c| {
                let mut continuing = continuing.lock().unwrap();
                if c.verb == "AUTHENTICATE" {
                    *continuing = Some(c.tag.clone());
                    return Reply::Send(b"+ \r\n".to_vec());
                }
                match continuing.take() {
                    Some(tag) => {
                        Reply::Send(format!("{tag} OK AUTHENTICATE completed\r\n").into_bytes())
                    }
                    None => Reply::Default,
                }
            }),
    );
    connect(&server);
    let log = server.log();
    let auth = log
        .iter()
        .find(|c| c.verb == "AUTHENTICATE")
        .expect("AUTHENTICATE sent");
    assert_eq!(auth.args, "PLAIN", "an initial response was sent");
    let verbs = verbs(&server);
    let at = |verb: &str| verbs.iter().position(|v| v == verb);
    assert!(
        at("ID").is_some() && at("ID") < at("AUTHENTICATE"),
        "{verbs:?}"
    );
}

/// A one-message server with `caps` that knows the message's Gmail labels.
fn labelled(caps: &'static str) -> Server {
    Server::start(Script::new().messages(1).capabilities(caps).on(|c| {
        if c.verb == "UID FETCH" && c.args.contains("X-GM-LABELS") {
            let labels =
                "* 1 FETCH (X-GM-LABELS (\\Inbox \\Important \"&XeVPXA-\" Work/Q3) UID 1)\r\n";
            Reply::Send([labels.as_bytes(), &c.tagged("OK FETCH completed")].concat())
        } else {
            Reply::Default
        }
    }))
}

#[test]
fn gmail_labels_are_shown_with_the_message_and_only_asked_of_gmail() {
    let gmail = labelled("IMAP4rev1 UIDPLUS X-GM-EXT-1");
    let run = run_with_config(&gmail.config(""), &["read", "INBOX", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("\nLabels: Inbox, Important, 工作, Work/Q3\n"),
        "{}",
        run.stdout
    );

    let other = labelled("IMAP4rev1 UIDPLUS");
    let run = run_with_config(&other.config(""), &["read", "INBOX", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("Labels:"), "{}", run.stdout);
    assert!(
        !other.log().iter().any(|c| c.args.contains("X-GM-LABELS")),
        "a server without X-GM-EXT-1 was asked for labels"
    );
}
