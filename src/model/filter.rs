//! The instant local filter: matches typed text against the summaries already in memory
//! (sender, recipient, subject), ignoring case and accents, CJK included. No server round
//! trip, so it can run on every keystroke.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::Mailbox;
use crate::msg::{Summary, Uid};

/// Lower-cased, accents removed: "Grüße" and "GRUSSE" both contain "gru".
pub fn fold(s: &str) -> String {
    // Most headers are ASCII: no decomposition needed, and this is what makes building the
    // index for 100 000 messages fast.
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Folded text of every summary in list order, built once and reused while the user types.
#[derive(Debug, Default)]
pub struct Index {
    entries: Vec<(Uid, String)>,
}

impl Index {
    pub fn build(mailbox: &Mailbox) -> Index {
        Index {
            entries: mailbox.rows().map(|s| (s.uid, haystack(s))).collect(),
        }
    }

    /// UIDs (in list order) whose sender, recipient or subject contains every word of
    /// `query`.
    pub fn matches(&self, query: &str) -> Vec<Uid> {
        let folded = fold(query);
        let words: Vec<&str> = folded.split_whitespace().collect();
        self.entries
            .iter()
            .filter(|(_, text)| words.iter().all(|w| text.contains(w)))
            .map(|(uid, _)| *uid)
            .collect()
    }
}

fn haystack(s: &Summary) -> String {
    let mut text = fold(&s.from);
    for part in [&s.to, &s.subject] {
        text.push('\u{1}');
        text.push_str(&fold(part));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::{Event, Flags};

    fn row(uid: Uid, from: &str, subject: &str) -> Summary {
        Summary {
            uid,
            flags: Flags::default(),
            date: 0,
            date_offset: 0,
            size: 0,
            from: from.into(),
            to: "team@example.org".into(),
            subject: subject.into(),
        }
    }

    #[test]
    fn case_accent_and_cjk_insensitive_words() {
        let mut m = crate::model::Model::default();
        m.apply(Event::Selected {
            folder: "INBOX".into(),
            uid_validity: 1,
            read_only: false,
            uids: vec![4, 3, 2, 1],
        });
        m.apply(Event::Summaries {
            folder: "INBOX".into(),
            uid_validity: 1,
            chunk: vec![
                row(1, "Jörg Müller <joerg@example.de>", "Grüße aus Köln"),
                row(2, "王小明 <wang@example.cn>", "测试邮件编码"),
                row(3, "Alice <alice@example.com>", "Quarterly REPORT"),
                row(4, "Bob <bob@example.com>", "lunch?"),
            ],
        });
        let index = Index::build(m.mailbox.as_ref().unwrap());
        assert_eq!(index.matches("MULLER"), vec![1]);
        assert_eq!(index.matches("grusse"), Vec::<Uid>::new(), "ß is not ss");
        assert_eq!(index.matches("gruße koln"), vec![1]);
        assert_eq!(index.matches("邮件"), vec![2]);
        assert_eq!(index.matches("report alice"), vec![3]);
        assert_eq!(index.matches("team@"), vec![4, 3, 2, 1], "recipients count");
        assert_eq!(index.matches(""), vec![4, 3, 2, 1]);
    }
}
