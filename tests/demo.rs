//! `tern demo`: the generated mailbox on a real Dovecot, read back through the real binary, and
//! reused (not reseeded) by a second start on the same directory.

use std::io::{BufRead as _, BufReader};
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod support;

use tern::demo::{self, Demo};

fn tern(config: &Path, args: &[&str]) -> String {
    let state = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_tern"))
        .arg("--config")
        .arg(config)
        .args(args)
        // Keep logs out of the real home directory.
        .env("XDG_STATE_HOME", state.path())
        .env("XDG_CACHE_HOME", state.path())
        .output()
        .expect("run tern");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "tern {args:?} failed: {stderr}");
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn rows(text: &str) -> Vec<Vec<&str>> {
    text.lines().map(|l| l.split('\t').collect()).collect()
}

/// UID of the first message in `folder` whose subject contains `needle`.
fn uid_of(config: &Path, folder: &str, needle: &str) -> String {
    let list = tern(config, &["list", folder]);
    rows(&list)
        .into_iter()
        .find(|r| r.get(4).is_some_and(|s| s.contains(needle)))
        .map(|r| r[0].to_string())
        .unwrap_or_else(|| panic!("no {needle:?} in {folder}:\n{list}"))
}

/// (UIDVALIDITY, sorted UIDs) of INBOX as the server sees it.
fn inbox_state(demo: &Demo) -> (u32, Vec<u32>) {
    let mut s = demo.server.session("alice").expect("session");
    let validity = s.examine("INBOX").expect("examine").uid_validity;
    let mut uids: Vec<u32> = s.uid_search("ALL").expect("search").into_iter().collect();
    uids.sort_unstable();
    let _ = s.logout();
    (validity.expect("UIDVALIDITY"), uids)
}

#[test]
fn demo_mailbox_reads_back_and_is_reused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // Run as root, Dovecot reads the mail as the `dovecot` user, who must get through here.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let dir = tmp.path().join("demo");

    let first = demo::start(&dir, None).expect("start the demo");
    let took = first.seeded_in.expect("a fresh directory is seeded");
    eprintln!("seeded in {took:?}");
    let config = first.config_path.clone();

    let folders = tern(&config, &["folders"]);
    let names: Vec<&str> = rows(&folders).iter().map(|r| r[0]).collect();
    for want in [
        "INBOX",
        "Sent",
        "Drafts",
        "Archive",
        "Trash",
        "Junk",
        "其他文件夹",
    ] {
        assert!(names.contains(&want), "{want} missing:\n{folders}");
    }
    assert!(names.contains(&"其他文件夹/QQ邮件订阅"), "{folders}");
    assert!(names.contains(&"Work/Projects"), "{folders}");

    let inbox = tern(&config, &["list", "INBOX"]);
    assert!(
        inbox.lines().count() >= 150,
        "{} in INBOX",
        inbox.lines().count()
    );

    for (folder, newsletter) in [("INBOX", "Kernel Digest #"), ("其他文件夹", "SegmentFault")]
    {
        let uid = uid_of(&config, folder, newsletter);
        let text = tern(&config, &["read", folder, &uid]);
        assert!(!text.contains("<div") && !text.contains("=3D"), "{text}");
        assert!(text.contains("Links:"), "{text}");
    }

    let uid = uid_of(&config, "INBOX", "Nested MIME structure");
    let parts = tern(&config, &["parts", "INBOX", &uid]);
    assert!(
        parts.lines().any(|l| l.starts_with("4.2.2.1\ttext/plain")),
        "{parts}"
    );

    let before = inbox_state(&first);
    drop(first);

    // `--port N`: the port asked for, in the config it writes; taken, a clear error.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let second = demo::start(&dir, Some(port)).expect("restart the demo");
    assert!(
        second.seeded_in.is_none(),
        "the second start must reuse the mail"
    );
    assert_eq!(second.server.imap_port, port);
    let written = std::fs::read_to_string(&second.config_path).expect("demo config");
    assert!(written.contains(&format!("port = {port}")), "{written}");
    let taken = demo::start(&tmp.path().join("other"), Some(port)).expect_err("port taken");
    assert!(taken.to_string().contains("in use"), "{taken}");
    assert_eq!(inbox_state(&second), before);
    drop(second);

    serve_runs_until_sigterm(&dir, before.1.len());
}

/// `tern demo --serve` prints a usable config and stops cleanly on SIGTERM.
fn serve_runs_until_sigterm(dir: &Path, inbox_len: usize) {
    let state = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tern"))
        .args(["demo", "--serve", "--dir"])
        .arg(dir)
        .env("XDG_STATE_HOME", state.path())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn tern demo --serve");
    // Read up to the last line it prints, so the pipe stays open while it serves.
    let mut config = None;
    for line in BufReader::new(child.stdout.take().expect("stdout")).lines() {
        let line = line.expect("read stdout");
        if let Some(path) = line.strip_prefix("config: ") {
            config = Some(path.to_string());
        }
        if line.starts_with("Ctrl-C") {
            break;
        }
    }
    let config = config.expect("a config line");
    let listed = tern(Path::new(&config), &["list", "INBOX"]);
    assert_eq!(listed.lines().count(), inbox_len);

    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: signals only the child this test spawned.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "tern demo --serve ignored SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
}

/// Mail sent from the demo lands in the demo's own mailbox, whoever it is addressed to, and
/// a copy is filed in Sent: through the demo's private Postfix here (root, Postfix
/// installed), or over LMTP where it cannot run.
#[test]
fn the_demo_sends_into_its_own_mailbox() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let demo = demo::start(&tmp.path().join("demo"), None).expect("start the demo");
    let subject = format!("demo send {}", std::process::id());
    let raw =
        format!("To: Dave Okafor <dave.okafor@acme.example>\nSubject: {subject}\n\nHi Dave.\n");
    let state = tempfile::tempdir().expect("tempdir");
    let run = support::mta::tern(&demo.config_path, state.path(), &["send"], raw.as_bytes());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let inbox = tern(&demo.config_path, &["list", "INBOX", "--limit", "5"]);
        if inbox.contains(&subject) {
            let sent = tern(&demo.config_path, &["list", "Sent", "--limit", "5"]);
            assert!(sent.contains(&subject), "no Sent copy:\n{sent}");
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the message never reached the demo's INBOX");
}
