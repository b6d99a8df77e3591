//! Every CLI command against a real Dovecot on loopback.

mod support;

use support::{Env, tern_with};
use tern::devserver::DovecotOptions;

#[test]
fn folders_decode_names_and_report_counts() {
    let env = Env::start();
    let run = env.tern(&["folders"]).ok();
    let rows = run.rows();
    let find = |name: &str| {
        rows.iter()
            .find(|r| r[0] == name)
            .unwrap_or_else(|| panic!("no folder {name} in\n{}", run.stdout))
    };
    let other = find("其他文件夹");
    assert_eq!(other[1], "/");
    assert_eq!(other[3], "2", "two messages in 其他文件夹");
    assert_eq!(other[4], "1", "one of them unseen");
    find("其他文件夹/QQ邮件订阅");
    let inbox = find("INBOX");
    assert!(inbox[3].parse::<u32>().unwrap() >= 10);
    assert!(find("Sent")[2].contains("\\Sent"));
    assert!(find("Trash")[2].contains("\\Trash"));
    // `Work` exists only as the parent of Work/Projects.
    let work = find("Work");
    assert!(
        work[2].contains("\\Noselect") || work[2].contains("\\NonExistent"),
        "{work:?}"
    );
    assert_eq!(
        work[3], "",
        "no counts for a folder that cannot be selected"
    );
    // Whether each folder is subscribed (issue 12, item 10): the special-use folders are
    // (`auto = subscribe`); the parent that exists only by name is not.
    assert_eq!(find("Sent")[5], "subscribed", "{}", run.stdout);
    assert_eq!(work[5], "", "{work:?}");
}

#[test]
fn dot_delimiter_server() {
    let env = Env::with(DovecotOptions {
        delimiter: '.',
        ..DovecotOptions::default()
    });
    let run = env.tern(&["folders"]).ok();
    let names: Vec<String> = run.rows().into_iter().map(|r| r[0].clone()).collect();
    assert!(names.contains(&"INBOX.Drafts".to_string()), "{names:?}");
    assert!(names.contains(&"INBOX.其他文件夹".to_string()), "{names:?}");
    let list = env.tern(&["list", "INBOX.其他文件夹"]).ok();
    assert_eq!(list.rows().len(), 2);
}

#[test]
fn list_is_newest_first_with_decoded_sanitised_fields() {
    let env = Env::start();
    let run = env.tern(&["list", "INBOX"]).ok();
    let rows = run.rows();
    assert_eq!(
        rows.len(),
        env.seed
            .messages
            .iter()
            .filter(|m| m.folder == "INBOX")
            .count()
    );
    // Newest first by when each was sent, as printed.
    let sent: Vec<i64> = rows
        .iter()
        .map(|r| {
            chrono::DateTime::parse_from_rfc3339(&r[1])
                .expect("RFC 3339 date")
                .timestamp()
        })
        .collect();
    assert!(sent.windows(2).all(|w| w[0] >= w[1]), "{sent:?}");
    for r in &rows {
        assert_eq!(r.len(), 5, "five tab-separated fields: {r:?}");
        chrono::DateTime::parse_from_rfc3339(&r[1]).expect("RFC 3339 date");
    }
    let by_uid = |fixture: &str| {
        let uid = env.uid("INBOX", fixture).to_string();
        rows.iter().find(|r| r[0] == uid).unwrap().clone()
    };
    assert!(by_uid("plain.eml")[2].contains("\\Seen"));
    assert!(by_uid("mixed_attachments.eml")[2].contains("\\Flagged"));
    // Attachments are marked from the summary: multipart/mixed yes, alternative or text no.
    let marked = |fixture: &str| by_uid(fixture)[2].split(' ').any(|f| f == "@");
    assert!(marked("mixed_attachments.eml") && marked("nested.eml"));
    assert!(!marked("plain.eml") && !marked("alt_qp_html.eml"));
    assert!(
        by_uid("mixed_attachments.eml")[2].ends_with(" @"),
        "after the flags"
    );
    assert!(
        by_uid("gbk.eml")[3].contains("张三"),
        "{:?}",
        by_uid("gbk.eml")
    );
    assert!(by_uid("html_only_qp.eml")[4].contains("欢迎加入 SegmentFault 问答社区"));
    assert!(
        !run.stdout.contains('\x1b'),
        "escape sequences must not reach the terminal"
    );
    assert!(!run.stdout.contains('\u{202e}'));

    let limited = env.tern(&["list", "INBOX", "--limit", "3"]).ok();
    assert_eq!(limited.rows().len(), 3);
    // `--limit` takes the newest by arrival, straight from the server.
    let newest = rows.iter().map(|r| r[0].parse::<u32>().unwrap()).max();
    assert_eq!(limited.rows()[0][0].parse().ok(), newest);
}

#[test]
fn list_sorts_by_key_and_reverses() {
    let env = Env::start();
    let uids = |args: &[&str]| -> Vec<u32> {
        let mut all = vec!["list", "INBOX"];
        all.extend_from_slice(args);
        let run = env.tern(&all).ok();
        run.rows().iter().map(|r| r[0].parse().unwrap()).collect()
    };
    assert_eq!(uids(&[]), uids(&["--sort", "date"]), "date by default");
    let newest_first = uids(&["--sort", "arrival"]);
    let mut sorted = newest_first.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(newest_first, sorted);
    let mut oldest_first = newest_first.clone();
    oldest_first.reverse();
    assert_eq!(uids(&["--sort", "arrival", "--reverse"]), oldest_first);
    // INBOX is seeded with internal dates rising with the UIDs, but `date` is when each was
    // sent (its Date header): the 2016 newsletter comes last, and the dates printed (also
    // when sent) fall down the list.
    let run = env.tern(&["list", "INBOX", "--sort", "date"]).ok();
    let sent: Vec<i64> = run
        .rows()
        .iter()
        .map(|r| {
            chrono::DateTime::parse_from_rfc3339(&r[1])
                .unwrap()
                .timestamp()
        })
        .collect();
    assert!(sent.is_sorted_by(|a, b| a >= b), "{}", run.stdout);
    let by_date = uids(&["--sort", "date"]);
    assert_ne!(by_date, newest_first);
    assert_eq!(by_date.last(), Some(&env.uid("INBOX", "html_only_qp.eml")));
    let mut reversed = uids(&["--sort", "date", "--reverse"]);
    reversed.reverse();
    assert_eq!(reversed, by_date);

    let by_size = uids(&["--sort", "size"]);
    let (largest, second) = (
        env.uid("INBOX", "html_only_qp.eml"),
        env.uid("INBOX", "nested.eml"),
    );
    assert_eq!(by_size[..2], [largest, second], "the two largest fixtures");
    let mut smallest_first = uids(&["--sort", "size", "--reverse"]);
    smallest_first.reverse();
    assert_eq!(smallest_first, by_size, "reverse flips the whole list");

    let flagged = env.uid("INBOX", "mixed_attachments.eml");
    assert_eq!(uids(&["--sort", "flagged,size"])[0], flagged);
    let read = env.uid("INBOX", "plain.eml");
    assert_eq!(*uids(&["--sort", "unread arrival"]).last().unwrap(), read);

    let run = env.tern(&["list", "INBOX", "--sort", "subject"]).ok();
    let subjects: Vec<String> = run
        .rows()
        .iter()
        .map(|r| tern::model::filter::fold(tern::mime::subject::base_subject(&r[4])))
        .collect();
    assert!(subjects.is_sorted(), "{subjects:#?}");

    let bad = env.tern(&["list", "INBOX", "--sort", "weight"]);
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("unknown sort key"), "{}", bad.stderr);
}

#[test]
fn list_threads_prints_depth_in_thread_order() {
    let env = Env::start();
    // (file, Message-ID, References, hour sent, subject); imported with a reply before its
    // parent, so the order of arrival is not the thread order.
    let messages = [
        ("b.eml", "b@t", "<a@t>", 11, "Re: 计划"),
        ("a.eml", "a@t", "", 10, "计划"),
        ("c.eml", "c@t", "", 12, "Other"),
        ("d.eml", "d@t", "<a@t> <b@t>", 13, "Re: 计划"),
    ];
    let mut files = Vec::new();
    for (file, id, references, hour, subject) in messages {
        let refs = if references.is_empty() {
            String::new()
        } else {
            format!("References: {references}\r\n")
        };
        let text = format!(
            "From: Ann <ann@example.org>\r\nTo: bob@example.org\r\nSubject: =?UTF-8?B?{}?=\r\nDate: Mon, 3 Mar 2025 {hour}:00:00 +0000\r\nMessage-ID: <{id}>\r\n{refs}\r\nbody\r\n",
            base64(subject)
        );
        let path = env.home.path().join(file);
        std::fs::write(&path, text).unwrap();
        files.push(path.display().to_string());
    }
    env.tern(&["mkdir", "Threads"]).ok();
    let mut args = vec!["import", "Threads"];
    args.extend(files.iter().map(String::as_str));
    env.tern(&args).ok();

    let run = env.tern(&["list", "Threads", "--threads"]).ok();
    let rows: Vec<(String, String)> = run
        .rows()
        .iter()
        .map(|r| (r[0].clone(), r[5].clone()))
        .collect();
    let want = [
        ("0", "计划"),
        ("1", "Re: 计划"),
        ("2", "Re: 计划"),
        ("0", "Other"),
    ];
    let want: Vec<(String, String)> = want.map(|(d, s)| (d.into(), s.into())).to_vec();
    assert_eq!(rows, want, "the plan's thread has the newest message");
    assert_eq!(
        run.rows()[1][1..],
        // Newest sent first: d, c, then b.
        env.tern(&["list", "Threads"]).ok().rows()[2][..],
        "then the usual columns"
    );

    let both = env.tern(&["list", "Threads", "--threads", "--sort", "size"]);
    assert_eq!(
        both.code, 2,
        "threads have their own order: {}",
        both.stderr
    );
}

fn base64(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn parts_follow_rfc3501_numbering() {
    let env = Env::start();
    let uid = env.uid("INBOX", "nested.eml").to_string();
    let run = env.tern(&["parts", "INBOX", &uid]).ok();
    let sections: Vec<String> = run.rows().into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(
        sections,
        [
            "TEXT", "1", "2", "3", "3.TEXT", "3.1", "3.2", "4", "4.1", "4.2", "4.2.TEXT", "4.2.1",
            "4.2.2", "4.2.2.1", "4.2.2.2"
        ]
    );
    let row = |s: &str| run.rows().into_iter().find(|r| r[0] == s).unwrap();
    assert_eq!(row("2")[1], "application/octet-stream");
    assert_eq!(row("2")[2], "data.bin");
    assert_eq!(row("4.1")[1], "image/gif");
    assert_eq!(row("4.2.2")[1], "multipart/alternative");
    assert_eq!(row("4.2")[1], "message/rfc822");
}

/// Every leaf section tern names is one the server itself resolves to the same bytes.
#[test]
fn sections_agree_with_the_server() {
    let env = Env::start();
    let uid = env.uid("INBOX", "nested.eml");
    let mut session = env.server.session("alice").expect("session");
    session.examine("INBOX").expect("examine");
    for (section, file) in [
        ("2", "part-2.bin"),
        ("3.2", "part-3.2.bin"),
        ("4.1", "part-4.1.gif"),
        ("4.2.2.1", "part-4.2.2.1.txt"),
    ] {
        let out = env.downloads().join(format!("out-{section}"));
        env.tern(&[
            "save",
            "INBOX",
            &uid.to_string(),
            section,
            "-o",
            out.to_str().unwrap(),
        ])
        .ok();
        let saved = std::fs::read(&out).unwrap();
        let expected =
            std::fs::read(support::fixtures().join("nested.expected").join(file)).unwrap();
        assert_eq!(saved, expected, "section {section}");
        let fetched = session
            .uid_fetch(uid.to_string(), format!("BODY.PEEK[{section}]"))
            .expect("fetch");
        assert!(!fetched.is_empty(), "server resolves {section}");
    }
}

#[test]
fn save_never_overwrites_and_sanitises_names() {
    let env = Env::start();
    let uid = env.uid("INBOX", "mixed_attachments.eml").to_string();
    let first = env.tern(&["save", "INBOX", &uid, "2"]).ok();
    let second = env.tern(&["save", "INBOX", &uid, "2"]).ok();
    let p1 = first.stdout.trim().to_string();
    let p2 = second.stdout.trim().to_string();
    assert!(p1.ends_with("/report.pdf"), "{p1}");
    assert!(p2.ends_with("/report (1).pdf"), "{p2}");
    assert_eq!(std::fs::read(&p1).unwrap(), std::fs::read(&p2).unwrap());

    // -o to an existing file is refused and the file is left alone.
    let refused = env.tern(&["save", "INBOX", &uid, "2", "-o", &p1]);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("not overwriting"),
        "{}",
        refused.stderr
    );

    let hostile = env.uid("INBOX", "hostile.eml").to_string();
    for section in ["2", "3"] {
        let run = env.tern(&["save", "INBOX", &hostile, section]).ok();
        let path = std::path::PathBuf::from(run.stdout.trim());
        assert_eq!(
            path.parent().unwrap(),
            env.downloads(),
            "stays in the download folder"
        );
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(!name.contains('\x1b') && !name.starts_with('.'), "{name:?}");
    }
    assert!(env.downloads().join("passwd").exists());

    let rfc2231 = env.uid("INBOX", "rfc2231.eml").to_string();
    let run = env.tern(&["save", "INBOX", &rfc2231, "2"]).ok();
    assert!(run.stdout.trim().ends_with("/报告.pdf"), "{}", run.stdout);

    let missing = env.tern(&["save", "INBOX", &uid, "9.9"]);
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("no part 9.9"), "{}", missing.stderr);
    let bad = env.tern(&["save", "INBOX", &uid, "1..2"]);
    assert_eq!(bad.code, 2);

    let stdout = env.tern(&["save", "INBOX", &uid, "3", "-o", "-"]).ok();
    assert!(!stdout.raw_stdout.is_empty());
}

#[test]
fn read_renders_html_only_qp_mail_as_clean_text() {
    let env = Env::start();
    let uid = env.uid("INBOX", "html_only_qp.eml").to_string();
    let run = env.tern(&["read", "INBOX", &uid]).ok();
    let text = &run.stdout;
    assert!(
        text.contains("From: SegmentFault技术社区 <notification@mail1.segmentfault.com>"),
        "{text}"
    );
    assert!(
        text.contains("Subject: 欢迎加入 SegmentFault 问答社区"),
        "{text}"
    );
    assert!(text.contains("最专业的中文开发者社区"), "{text}");
    assert!(text.contains("http://segmentfault.com/user/confirm?type=register&code=c22c48691bf3dd39eaf67089d0ba0f13"), "{text}");
    for junk in ["=3D", "<div", "<img", "sctrack", "\x1b"] {
        assert!(!text.contains(junk), "{junk:?} leaked into:\n{text}");
    }
}

#[test]
fn read_decodes_legacy_charsets_and_strips_escapes() {
    let env = Env::start();
    let gbk = env
        .tern(&["read", "INBOX", &env.uid("INBOX", "gbk.eml").to_string()])
        .ok();
    assert!(gbk.stdout.contains("张三"), "{}", gbk.stdout);
    let koi = env
        .tern(&["read", "INBOX", &env.uid("INBOX", "koi8r.eml").to_string()])
        .ok();
    assert!(
        koi.stdout.chars().any(|c| ('а'..='я').contains(&c)),
        "{}",
        koi.stdout
    );
    let hostile = env
        .tern(&[
            "read",
            "INBOX",
            &env.uid("INBOX", "hostile.eml").to_string(),
        ])
        .ok();
    assert!(!hostile.stdout.contains('\x1b'));
    assert!(!hostile.stdout.contains('\u{202e}'));
    assert!(!hostile.stdout.contains('\x07'));
    let alt = env
        .tern(&[
            "read",
            "INBOX",
            &env.uid("INBOX", "alt_qp_html.eml").to_string(),
        ])
        .ok();
    assert!(
        !alt.stdout.contains("<html"),
        "text/plain is preferred: {}",
        alt.stdout
    );
}

#[test]
fn check_reports_the_session() {
    let env = Env::start();
    let run = env.tern(&["check"]).ok();
    let rows = run.rows();
    let get = |k: &str| {
        rows.iter()
            .find(|r| r[0] == k)
            .map(|r| r[1].clone())
            .unwrap()
    };
    assert!(get("greeting").starts_with("* OK"));
    assert_eq!(get("tls"), "none");
    assert!(get("capabilities").contains("IMAP4rev1"));
    assert!(get("auth").contains("PLAIN") || get("auth") == "LOGIN");
}

#[test]
fn wrong_password_gives_the_servers_words() {
    let env = Env::start();
    let run = tern_with(&env.config(""), "not-the-password", &["folders"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("login failed"), "{}", run.stderr);
    assert!(
        run.stderr.contains("Authentication failed"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("not-the-password"));
    assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.stderr);
}

#[test]
fn unreachable_port_fails_cleanly() {
    let env = Env::start();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = env.home.path().join("down.toml");
    std::fs::write(
        &config,
        format!("[[account]]\nname = \"x\"\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nusername = \"alice\"\npassword = \"p\"\n"),
    )
    .unwrap();
    let run = tern_with(&config, "", &["folders"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("cannot connect to 127.0.0.1"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_config_names_file_line_and_column() {
    let env = Env::start();
    let config = env.home.path().join("bad.toml");
    std::fs::write(&config, "[[account]]\nname = \"x\"\nhots = \"h\"\n").unwrap();
    let run = tern_with(&config, "", &["folders"]);
    assert_eq!(run.code, 2);
    let expected = format!("{}:3:1", config.display());
    assert!(run.stderr.contains(&expected), "{}", run.stderr);
    assert!(run.stderr.contains("hots"), "{}", run.stderr);

    let missing = tern_with(&env.home.path().join("nope.toml"), "", &["folders"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("config.example.toml"),
        "{}",
        missing.stderr
    );
}

#[test]
fn self_signed_tls_is_refused_unless_opted_in() {
    let env = Env::start();
    let implicit = |extra: &str| {
        let path = env.home.path().join("tls.toml");
        std::fs::write(
            &path,
            format!("[[account]]\nname = \"t\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"implicit\"\nusername = \"alice\"\npassword_env = \"TERN_TEST_PASSWORD\"\n{extra}\n", env.server.imaps_port),
        )
        .unwrap();
        tern_with(&path, "wonderland", &["check"])
    };
    let refused = implicit("");
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("certificate"), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("accept_invalid_certs"),
        "{}",
        refused.stderr
    );
    let accepted = implicit("accept_invalid_certs = true").ok();
    assert!(
        accepted.stdout.contains("tls\tTLSv1."),
        "{}",
        accepted.stdout
    );

    let starttls = env.config("");
    let text = std::fs::read_to_string(&starttls).unwrap().replace(
        "tls = \"none\"",
        "tls = \"starttls\"\naccept_invalid_certs = true",
    );
    std::fs::write(&starttls, text).unwrap();
    let run = tern_with(&starttls, "wonderland", &["check"]).ok();
    assert!(run.stdout.contains("tls\tTLSv1."), "{}", run.stdout);
}

#[test]
fn unknown_folder_and_uid_are_clear_errors() {
    let env = Env::start();
    let run = env.tern(&["list", "Nope"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("server said"), "{}", run.stderr);
    let run = env.tern(&["parts", "INBOX", "99999"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("99999"), "{}", run.stderr);
}
