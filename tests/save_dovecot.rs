//! Saving a large part against a real Dovecot (issue 11, item 8): the part goes to its file as
//! it arrives, so `tern save` of a 50 MB attachment peaks within a few MB of a tern that
//! only reads the message's structure.

mod support;

use base64::Engine;
use support::Env;
use support::dovecot::Seeding;
use support::watched::run_tern_as;

/// 50 MB of bytes that do not compress, the same on every run.
fn payload() -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..50_000_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn mail_with(attachment: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(attachment);
    let mut mail = b"From: a@example.com\r\nSubject: big\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
see attached\r\n--b\r\nContent-Type: application/octet-stream\r\n\
Content-Disposition: attachment; filename=\"big.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        .to_vec();
    for line in b64.as_bytes().chunks(76) {
        mail.extend_from_slice(line);
        mail.extend_from_slice(b"\r\n");
    }
    mail.extend_from_slice(b"--b--\r\n");
    mail
}

#[test]
fn saving_a_50_mb_part_keeps_memory_flat() {
    let env = Env::start();
    let data = payload();
    let uid = env
        .server
        .append("alice", "INBOX", &mail_with(&data), &[], None)
        .expect("append")
        .to_string();
    let config = env.config("");
    let home = tempfile::tempdir().unwrap();
    let idle = run_tern_as(
        &config,
        home.path(),
        "wonderland",
        &["parts", "INBOX", &uid],
    );
    assert_eq!(idle.code, 0, "{}", idle.stderr);
    let save = run_tern_as(
        &config,
        home.path(),
        "wonderland",
        &["save", "INBOX", &uid, "2"],
    );
    assert_eq!(save.code, 0, "{}", save.stderr);
    let path = save.stdout.trim_end();
    assert!(path.ends_with("/big.bin"), "{path}");
    assert!(
        std::fs::read(path).unwrap() == data,
        "the saved bytes differ"
    );
    let (idle_mib, save_mib) = (idle.max_rss_kib / 1024, save.max_rss_kib / 1024);
    eprintln!(
        "peak RSS: parts {idle_mib} MiB, save of 50 MB {save_mib} MiB, {:?}",
        save.took
    );
    assert!(
        save.max_rss_kib < idle.max_rss_kib + 8 * 1024,
        "save peaked at {save_mib} MiB, reading the structure at {idle_mib} MiB"
    );
}
