//! Crafted mail through a real Dovecot (issue 11, item 6 and the quoted-string escapes): what
//! Dovecot passes on unchanged must never make a message unreadable or a saved name unsafe.

mod support;

use support::Env;
use support::dovecot::Seeding;

/// A mail whose second part has the header lines `part_headers` (bytes as given).
fn mail_with_part(part_headers: &[u8]) -> Vec<u8> {
    [
        &b"From: Mallory <m@example.com>\r\nSubject: raw name\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
the text\r\n--b\r\n"[..],
        part_headers,
        b"\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b--\r\n",
    ]
    .concat()
}

fn append(env: &Env, raw: &[u8]) -> String {
    env.server
        .append("alice", "INBOX", raw, &[], None)
        .expect("append")
        .to_string()
}

/// `tern parts` on the appended mail: the name column of part 2.
fn part_name(env: &Env, uid: &str) -> String {
    let run = env.tern(&["parts", "INBOX", uid]).ok();
    let row = run
        .rows()
        .into_iter()
        .find(|r| r[0] == "2")
        .unwrap_or_else(|| panic!("no part 2 in\n{}", run.stdout));
    row[2].clone()
}

#[test]
fn raw_8bit_attachment_names_are_guessed_not_fatal() {
    let env = Env::start();
    // UTF-8, GB18030 (报告) and Latin-1 (café) bytes, unencoded, in a quoted parameter.
    let cases: [(&[u8], &str); 3] = [
        (
            "Content-Disposition: attachment; filename=\"報告.pdf\"".as_bytes(),
            "報告.pdf",
        ),
        (
            b"Content-Disposition: attachment; filename=\"\xb1\xa8\xb8\xe6.pdf\"",
            "报告.pdf",
        ),
        (
            b"Content-Disposition: attachment; filename=\"caf\xe9.txt\"",
            "café.txt",
        ),
    ];
    for (header, want) in cases {
        let headers = [b"Content-Type: application/octet-stream\r\n", header].concat();
        let uid = append(&env, &mail_with_part(&headers));
        assert_eq!(part_name(&env, &uid), want);
        let read = env.tern(&["read", "INBOX", &uid]).ok();
        assert!(read.stdout.contains("the text"), "{}", read.stdout);
        let saved = env.tern(&["save", "INBOX", &uid, "2"]).ok();
        assert!(saved.stdout.trim_end().ends_with(want), "{}", saved.stdout);
    }
}

#[test]
fn raw_8bit_name_in_content_type_is_guessed() {
    let env = Env::start();
    let uid = append(
        &env,
        &mail_with_part(b"Content-Type: text/plain; name=\"\xc4pfel.txt\""),
    );
    assert_eq!(part_name(&env, &uid), "Äpfel.txt");
}

#[test]
fn quoted_string_escapes_are_undone_and_backslashes_never_reach_the_path() {
    let env = Env::start();
    let headers = [
        &b"Content-Type: application/octet-stream\r\n"[..],
        br#"Content-Disposition: attachment; filename="..\\..\\evil.bat""#,
    ]
    .concat();
    let uid = append(&env, &mail_with_part(&headers));
    // The name the sender wrote is `..\..\evil.bat`: shown once unescaped, saved as its base.
    assert_eq!(part_name(&env, &uid), r"..\..\evil.bat");
    let saved = env.tern(&["save", "INBOX", &uid, "2"]).ok();
    let path = saved.stdout.trim_end();
    assert!(path.ends_with("/evil.bat"), "{path}");
    assert!(
        path.starts_with(env.downloads().to_str().unwrap()),
        "{path}"
    );
}
