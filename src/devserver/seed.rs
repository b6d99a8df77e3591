//! Puts the fixture messages (tests/fixtures/*.eml) into a user's mailbox in
//! a fixed layout, for tests and for tern's demo mode.
//!
//! INBOX gets [`INBOX_FIXTURES`] in order with increasing internal dates, so
//! UID order = date order. Folders, shown for the '/' delimiter (with '.'
//! they are `INBOX.`-prefixed and '.'-separated):
//! - `&UXZO1mWHTvZZOQ-` (其他文件夹): 2 messages
//! - `&UXZO1mWHTvZZOQ-/QQ&kK5O9ouilgU-` (QQ邮件订阅): 1 message
//! - `Work/Projects`: 1 message (so `Work` is a parent with no mail)

use std::path::Path;

use super::{DevServerError, Dovecot, imap_ops};

/// INBOX contents in UID order: (file, flags).
pub const INBOX_FIXTURES: [(&str, &[&str]); 10] = [
    ("plain.eml", &["\\Seen"]),
    ("iso8859.eml", &[]),
    ("koi8r.eml", &[]),
    ("gbk.eml", &[]),
    ("html_only_qp.eml", &[]),
    ("alt_qp_html.eml", &[]),
    ("mixed_attachments.eml", &["\\Flagged"]),
    ("rfc2231.eml", &[]),
    ("nested.eml", &[]),
    ("hostile.eml", &[]),
];

/// mUTF-7 of 其他文件夹 and of QQ邮件订阅.
pub const OTHER_FOLDER: &str = "&UXZO1mWHTvZZOQ-";
pub const QQ_FOLDER: &str = "QQ&kK5O9ouilgU-";

/// One message put in place by [`seed_fixtures`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeededMessage {
    /// Raw IMAP folder name as used on this server.
    pub folder: String,
    /// Fixture file name, e.g. "nested.eml".
    pub fixture: String,
    pub uid: u32,
}

/// What [`seed_fixtures`] created.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// In seeding order.
    pub messages: Vec<SeededMessage>,
}

impl SeedReport {
    /// UID of `fixture` in `folder`, if it was seeded there.
    pub fn uid(&self, folder: &str, fixture: &str) -> Option<u32> {
        self.messages
            .iter()
            .find(|m| m.folder == folder && m.fixture == fixture)
            .map(|m| m.uid)
    }

    /// Raw names of the folders that received mail, INBOX first.
    pub fn folders(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for m in &self.messages {
            if !out.contains(&m.folder.as_str()) {
                out.push(&m.folder);
            }
        }
        out
    }
}

/// The raw folder names for `delimiter`: (other, other/QQ, Work/Projects).
pub fn folder_names(delimiter: char) -> [String; 3] {
    let (p, d) = if delimiter == '.' {
        ("INBOX.", '.')
    } else {
        ("", '/')
    };
    [
        format!("{p}{OTHER_FOLDER}"),
        format!("{p}{OTHER_FOLDER}{d}{QQ_FOLDER}"),
        format!("{p}Work{d}Projects"),
    ]
}

/// Seeds `user`'s mailbox from `fixtures_dir` (see the module doc).
pub fn seed_fixtures(
    server: &Dovecot,
    user: &str,
    fixtures_dir: &Path,
) -> Result<SeedReport, DevServerError> {
    let [other, qq, projects] = folder_names(server.delimiter());
    let mut plan: Vec<(&str, &str, &[&str])> = INBOX_FIXTURES
        .iter()
        .map(|(file, flags)| ("INBOX", *file, *flags))
        .collect();
    plan.push((&other, "plain.eml", &[]));
    plan.push((&other, "gbk.eml", &["\\Seen"]));
    plan.push((&qq, "html_only_qp.eml", &[]));
    plan.push((&projects, "alt_qp_html.eml", &[]));

    let mut s = server.session(user)?;
    let mut report = SeedReport::default();
    for (i, (folder, file, flags)) in plan.into_iter().enumerate() {
        let path = fixtures_dir.join(file);
        let raw = std::fs::read(&path)
            .map_err(DevServerError::io(format!("reading {}", path.display())))?;
        imap_ops::ensure_folder(&mut s, folder)?;
        // One hour apart from a fixed day, so dates are stable across runs.
        let date = format!("{:02}-Jan-2024 {:02}:00:00 +0000", 1 + i / 24, i % 24);
        let uid = imap_ops::append_in(&mut s, folder, &raw, flags, Some(&date))?;
        report.messages.push(SeededMessage {
            folder: folder.to_string(),
            fixture: file.to_string(),
            uid,
        });
    }
    let _ = s.logout();
    Ok(report)
}
