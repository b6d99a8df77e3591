//! The private Dovecot the tests, benchmarks and demo use: these tests start real instances
//! on loopback (about 0.1–0.3 s each) and run in parallel, which also exercises port
//! allocation.

mod support;

use std::time::Instant;

use support::dovecot::{INBOX_FIXTURES, Seeding, folder_names, seed_fixtures};
use tern::devserver::{Dovecot, DovecotOptions};

fn msg(subject: &str) -> Vec<u8> {
    format!(
        "From: Test <test@example.com>\r\nTo: alice@example.com\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@tern.test>\r\n\r\nBody of {subject}.\r\n"
    )
    .into_bytes()
}

fn fetch_body(d: &Dovecot, folder: &str, uid: u32) -> Vec<u8> {
    let mut s = d.session("alice").unwrap();
    s.examine(folder).unwrap();
    let f = s.uid_fetch(uid.to_string(), "BODY.PEEK[]").unwrap();
    f.iter().next().unwrap().body().unwrap().to_vec()
}

fn list_names(d: &Dovecot) -> Vec<(String, String)> {
    let mut s = d.session("alice").unwrap();
    let names = s.list(Some(""), Some("*")).unwrap();
    names
        .iter()
        .map(|n| (n.name().to_string(), format!("{:?}", n.attributes())))
        .collect()
}

#[test]
fn two_instances_run_concurrently_and_append_reads_back() {
    let t0 = Instant::now();
    let handles: Vec<_> = (0..2)
        .map(|_| std::thread::spawn(|| Dovecot::start(DovecotOptions::default()).unwrap()))
        .collect();
    let servers: Vec<Dovecot> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    eprintln!("two concurrent starts took {:?}", t0.elapsed());
    let (a, b) = (&servers[0], &servers[1]);
    let ports_a = [a.imap_port, a.imaps_port, a.pop3_port];
    let ports_b = [b.imap_port, b.imaps_port, b.pop3_port];
    assert!(ports_a.iter().all(|p| !ports_b.contains(p)));
    assert_ne!(a.pid(), b.pid());

    let raw = msg("hello");
    let uid = a
        .append(
            "alice",
            "INBOX",
            &raw,
            &["\\Seen"],
            Some("17-Jul-1996 02:44:25 -0700"),
        )
        .unwrap();
    assert_eq!(fetch_body(a, "INBOX", uid), raw);
    // A folder that does not exist yet is created by append.
    let uid2 = b
        .append("alice", "&UXZO1mWHTvZZOQ-", &raw, &[], None)
        .unwrap();
    assert_eq!(fetch_body(b, "&UXZO1mWHTvZZOQ-", uid2), raw);
    // The instances do not share mail.
    let mut s = b.session("alice").unwrap();
    assert_eq!(s.examine("INBOX").unwrap().exists, 0);
}

#[test]
fn special_use_folders_exist_with_slash_delimiter() {
    let d = Dovecot::start(DovecotOptions::default()).unwrap();
    let names = list_names(&d);
    for want in ["INBOX", "Drafts", "Sent", "Trash", "Junk", "Archive"] {
        assert!(
            names.iter().any(|(n, _)| n == want),
            "{want} missing: {names:?}"
        );
    }
    let drafts = names.iter().find(|(n, _)| n == "Drafts").unwrap();
    assert!(drafts.1.contains("Drafts"), "{drafts:?}");
}

#[test]
fn dot_delimiter_lists_cyrus_style_names() {
    let opts = DovecotOptions {
        delimiter: '.',
        ..Default::default()
    };
    let d = Dovecot::start(opts).unwrap();
    let names = list_names(&d);
    assert!(names.iter().any(|(n, _)| n == "INBOX.Drafts"), "{names:?}");
    let uid = d
        .append("alice", "INBOX.Drafts", &msg("draft"), &["\\Draft"], None)
        .unwrap();
    assert_eq!(fetch_body(&d, "INBOX.Drafts", uid), msg("draft"));
    d.create_folder("alice", "INBOX.Work.Projects").unwrap();
    let names = list_names(&d);
    assert!(
        names.iter().any(|(n, _)| n == "INBOX.Work.Projects"),
        "{names:?}"
    );
}

#[test]
fn capabilities_override_removes_move() {
    let full = Dovecot::start(DovecotOptions::default()).unwrap();
    let caps = full.session("alice").unwrap().capabilities().unwrap();
    assert!(caps.has_str("MOVE"));

    let opts = DovecotOptions {
        capabilities: Some("IMAP4rev1 UIDPLUS IDLE".into()),
        ..Default::default()
    };
    let d = Dovecot::start(opts).unwrap();
    let caps = d.session("alice").unwrap().capabilities().unwrap();
    assert!(caps.has_str("UIDPLUS"));
    assert!(!caps.has_str("MOVE"));
}

#[test]
fn restart_keeps_ports_and_mail() {
    let mut d = Dovecot::start(DovecotOptions::default()).unwrap();
    let raw = msg("survivor");
    let uid = d.append("alice", "INBOX", &raw, &[], None).unwrap();
    let (ports, old_pid) = ([d.imap_port, d.imaps_port, d.pop3_port], d.pid());
    let t0 = Instant::now();
    d.restart().unwrap();
    eprintln!("restart took {:?}", t0.elapsed());
    assert_eq!(ports, [d.imap_port, d.imaps_port, d.pop3_port]);
    assert_ne!(old_pid, d.pid());
    assert_eq!(fetch_body(&d, "INBOX", uid), raw);
}

#[test]
fn kill_imap_sessions_drops_connections() {
    let d = Dovecot::start(DovecotOptions::default()).unwrap();
    let mut s = d.session("alice").unwrap();
    s.noop().unwrap();
    d.kill_imap_sessions();
    assert!(s.noop().is_err());
    // The server itself is fine.
    d.session("alice").unwrap().noop().unwrap();
}

#[test]
fn bulk_seed_keeps_order() {
    let d = Dovecot::start(DovecotOptions::default()).unwrap();
    // Touch the folder first so Dovecot has indexed it before the files land.
    d.session("alice").unwrap().select("INBOX").unwrap();
    let n = 500;
    let t0 = Instant::now();
    let written = d
        .seed_maildir_bulk("alice", "INBOX", (0..n).map(|i| msg(&format!("m{i:05}"))))
        .unwrap();
    eprintln!("bulk seeding {n} took {:?}", t0.elapsed());
    assert_eq!(written, n);
    let mut s = d.session("alice").unwrap();
    assert_eq!(s.select("INBOX").unwrap().exists as usize, n);
    let fetched = s
        .uid_fetch("1:*", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]")
        .unwrap();
    let mut rows: Vec<(u32, String)> = fetched
        .iter()
        .map(|f| {
            let h = String::from_utf8_lossy(f.header().unwrap())
                .trim()
                .to_string();
            (f.uid.unwrap(), h)
        })
        .collect();
    rows.sort();
    for (i, (_, subject)) in rows.iter().enumerate() {
        assert_eq!(subject, &format!("Subject: m{i:05}"));
    }
    // Seen flag from the file name.
    let flags = s.uid_fetch("1", "FLAGS").unwrap();
    assert!(
        flags
            .iter()
            .next()
            .unwrap()
            .flags()
            .contains(&imap::types::Flag::Seen)
    );
    // Bulk into a new sub-folder works too.
    let sub = "Work/Projects";
    assert_eq!(
        d.seed_maildir_bulk("alice", sub, (0..3).map(|i| msg(&i.to_string())))
            .unwrap(),
        3
    );
    assert_eq!(s.examine(sub).unwrap().exists, 3);
}

#[test]
fn persistent_root_survives_a_new_instance() {
    let root = std::env::temp_dir().join(format!("tern-dc-root-{}", std::process::id()));
    let opts = DovecotOptions {
        root: Some(root.clone()),
        ..Default::default()
    };
    let uid = {
        let d = Dovecot::start(opts.clone()).unwrap();
        d.append("alice", "INBOX", &msg("kept"), &[], None).unwrap()
    };
    let cert = std::fs::read(root.join("cert.pem")).unwrap();
    {
        let d = Dovecot::start(opts).unwrap();
        assert_eq!(fetch_body(&d, "INBOX", uid), msg("kept"));
        // Generated once per root.
        assert_eq!(std::fs::read(&d.cert_pem).unwrap(), cert);
    }
    assert!(root.exists(), "a caller-provided root is kept");
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn unknown_user_is_a_clear_error() {
    let d = Dovecot::start(DovecotOptions::default()).unwrap();
    let err = d.session("mallory").err().unwrap();
    assert!(err.to_string().contains("mallory"), "{err}");
}

#[test]
fn imaps_verifies_with_the_self_signed_cert_and_starttls_is_offered() {
    let d = Dovecot::start(DovecotOptions::default()).unwrap();
    let pem = std::fs::read(&d.cert_pem).unwrap();
    // The self-signed certificate, trusted as a root, verifies for localhost.
    let mut tls = openssl::ssl::SslConnector::builder(openssl::ssl::SslMethod::tls()).unwrap();
    tls.cert_store_mut()
        .add_cert(openssl::x509::X509::from_pem(&pem).unwrap())
        .unwrap();
    let tcp = std::net::TcpStream::connect(("127.0.0.1", d.imaps_port)).unwrap();
    let stream = tls.build().connect("localhost", tcp).unwrap();
    let mut client = imap::Client::new(stream);
    client.read_greeting().unwrap();
    client
        .login("alice", "wonderland")
        .map_err(|(e, _)| e)
        .unwrap()
        .noop()
        .unwrap();

    let tcp = std::net::TcpStream::connect(("127.0.0.1", d.imap_port)).unwrap();
    let mut client = imap::Client::new(tcp);
    client.read_greeting().unwrap();
    assert!(client.capabilities().unwrap().has_str("STARTTLS"));
}

fn fixtures_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn seed_fixtures_builds_the_demo_mailbox() {
    let d = Dovecot::start(DovecotOptions::default()).unwrap();
    let report = seed_fixtures(&d, "alice", &fixtures_dir()).unwrap();
    assert_eq!(report.messages.len(), INBOX_FIXTURES.len() + 4);
    let [other, qq, projects] = folder_names('/');
    assert_eq!(report.folders(), vec!["INBOX", &other, &qq, &projects]);

    let mut s = d.session("alice").unwrap();
    let names: Vec<String> = s
        .list(Some(""), Some("*"))
        .unwrap()
        .iter()
        .map(|n| n.name().to_string())
        .collect();
    for want in ["Work", "Work/Projects", "&UXZO1mWHTvZZOQ-/QQ&kK5O9ouilgU-"] {
        assert!(names.iter().any(|n| n == want), "{want}: {names:?}");
    }
    assert_eq!(s.examine(&qq).unwrap().exists, 1);
    assert_eq!(s.examine(&other).unwrap().exists, 2);

    let mbox = s.examine("INBOX").unwrap();
    assert_eq!(mbox.exists as usize, INBOX_FIXTURES.len());
    // UID order = fixture order = internal date order.
    let fetched = s.uid_fetch("1:*", "(UID FLAGS INTERNALDATE)").unwrap();
    let mut rows: Vec<_> = fetched
        .iter()
        .map(|f| (f.uid.unwrap(), f.internal_date().unwrap()))
        .collect();
    rows.sort();
    assert!(rows.windows(2).all(|w| w[0].1 < w[1].1), "{rows:?}");
    let plain = report.uid("INBOX", "plain.eml").unwrap();
    let f = s.uid_fetch(plain.to_string(), "FLAGS").unwrap();
    assert!(
        f.iter()
            .next()
            .unwrap()
            .flags()
            .contains(&imap::types::Flag::Seen)
    );

    // The nested fixture has the seed's section numbers.
    let nested = report.uid("INBOX", "nested.eml").unwrap();
    let mut part = |sec: &str| {
        let f = s
            .uid_fetch(nested.to_string(), format!("BODY.PEEK[{sec}]"))
            .unwrap();
        f.iter()
            .next()
            .unwrap()
            .section(&imap_proto::SectionPath::Part(
                sec.split('.').map(|n| n.parse().unwrap()).collect(),
                None,
            ))
            .unwrap()
            .to_vec()
    };
    assert!(String::from_utf8_lossy(&part("4.2.2.2")).contains("Part 4.2.2.2"));
    assert!(String::from_utf8_lossy(&part("3.1")).contains("Part 3.1"));
    for (sec, file) in [
        ("2", "part-2.bin"),
        ("3.2", "part-3.2.bin"),
        ("4.1", "part-4.1.gif"),
    ] {
        use base64::Engine as _;
        let encoded: Vec<u8> = part(sec)
            .into_iter()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap();
        let expected = std::fs::read(fixtures_dir().join("nested.expected").join(file)).unwrap();
        assert_eq!(decoded, expected, "section {sec}");
    }
    let qp = part("4.2.2.1");
    let decoded = std::fs::read(fixtures_dir().join("nested.expected/part-4.2.2.1.txt")).unwrap();
    assert!(
        qp.starts_with(b"Part 4.2.2.1: Gr=C3=BC=C3=9Fe"),
        "{}",
        String::from_utf8_lossy(&qp)
    );
    assert_ne!(qp, decoded);
}

#[test]
fn seed_fixtures_with_dot_delimiter() {
    let opts = DovecotOptions {
        delimiter: '.',
        ..Default::default()
    };
    let d = Dovecot::start(opts).unwrap();
    let report = seed_fixtures(&d, "alice", &fixtures_dir()).unwrap();
    let names: Vec<String> = list_names(&d).into_iter().map(|(n, _)| n).collect();
    for want in [
        "INBOX.Work",
        "INBOX.Work.Projects",
        "INBOX.&UXZO1mWHTvZZOQ-",
        "INBOX.&UXZO1mWHTvZZOQ-.QQ&kK5O9ouilgU-",
    ] {
        assert!(names.iter().any(|n| n == want), "{want}: {names:?}");
    }
    assert!(
        report
            .uid("INBOX.Work.Projects", "alt_qp_html.eml")
            .is_some()
    );
}
