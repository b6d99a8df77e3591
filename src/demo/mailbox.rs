//! Builds the demo messages from `assets/demo/` (compiled into the binary, so `tern demo` works
//! from anywhere). The output is the same on every run: dates count back from the fixed
//! [`NOW`], and the small "randomness" in send times comes from a hash of a counter.

use chrono::{DateTime, FixedOffset};

use super::spec::{Newsletter, NewsletterStyle, Person, Series, Single, Spec, Thread};
use super::text::{escape, quote, with_date};
use super::writer::{self, Attachment, Body};
use crate::error::{Error, Result};

/// The demo's "now": 20 Nov 2025 17:00 UTC. Fixed so tests and screenshots are stable.
pub const NOW: i64 = 1_763_658_000;

const SPEC: &str = include_str!("../../assets/demo/mailbox.toml");
const NEWSLETTER_HTML: &str = include_str!("../../assets/demo/templates/newsletter.html");
const NEWSLETTER_ITEM: &str = include_str!("../../assets/demo/templates/newsletter-item.html");
const LETTER_HTML: &str = include_str!("../../assets/demo/templates/letter.html");

/// Attachments and hand-made messages that `mailbox.toml` may name.
const FILES: [(&str, &[u8]); 4] = [
    (
        "q3-report.pdf",
        include_bytes!("../../assets/demo/files/q3-report.pdf"),
    ),
    (
        "q3-chart.png",
        include_bytes!("../../assets/demo/files/q3-chart.png"),
    ),
    (
        "budget-2025.csv",
        include_bytes!("../../assets/demo/files/budget-2025.csv"),
    ),
    (
        "meeting-notes.txt",
        include_bytes!("../../assets/demo/files/meeting-notes.txt"),
    ),
];
const EMLS: [(&str, &[u8]); 5] = [
    (
        "nested.eml",
        include_bytes!("../../assets/demo/eml/nested.eml"),
    ),
    (
        "segmentfault-163.eml",
        include_bytes!("../../assets/demo/eml/segmentfault-163.eml"),
    ),
    ("gbk.eml", include_bytes!("../../assets/demo/eml/gbk.eml")),
    (
        "koi8r.eml",
        include_bytes!("../../assets/demo/eml/koi8r.eml"),
    ),
    (
        "rfc2231.eml",
        include_bytes!("../../assets/demo/eml/rfc2231.eml"),
    ),
];

/// One message to put on the server.
#[derive(Debug, Clone)]
pub struct DemoMessage {
    /// Unicode folder name, '/' between levels.
    pub folder: String,
    pub date: DateTime<FixedOffset>,
    pub flags: Vec<&'static str>,
    pub raw: Vec<u8>,
}

/// The folders to create (parents before children) and every message, oldest first.
pub fn build() -> Result<(Vec<String>, Vec<DemoMessage>)> {
    let spec: Spec = toml::from_str(SPEC).map_err(|e| bad(e.message().to_string()))?;
    let mut b = Builder {
        spec: &spec,
        out: Vec::new(),
        seq: 0,
    };
    for t in &spec.threads {
        b.thread(t)?;
    }
    for s in &spec.series {
        b.series(s)?;
    }
    for n in &spec.newsletters {
        b.newsletter(n)?;
    }
    for s in &spec.singles {
        b.single(s)?;
    }
    for e in &spec.emls {
        let raw = lookup(&EMLS, &e.file)?;
        let date = b.date(e.days, "+00:00")?;
        let mut flags = seen_if_old(&spec, e.days, false);
        if e.flagged {
            flags.push("\\Flagged");
        }
        b.out.push(DemoMessage {
            folder: e.folder.clone(),
            date,
            flags,
            raw: with_date(raw, &date),
        });
    }
    let mut messages = b.out;
    // Stable: equal dates keep the order above, so the result never varies.
    messages.sort_by_key(|m| m.date);
    let mut folders = spec.folders.clone();
    for m in &messages {
        if !folders.contains(&m.folder) {
            folders.push(m.folder.clone());
        }
    }
    Ok((folders, messages))
}

struct Builder<'a> {
    spec: &'a Spec,
    out: Vec<DemoMessage>,
    /// Numbers Message-IDs, boundaries and time jitter.
    seq: u32,
}

impl Builder<'_> {
    fn person(&self, key: &str) -> Result<&Person> {
        self.spec
            .people
            .get(key)
            .ok_or_else(|| bad(format!("unknown person {key:?}")))
    }

    /// `days` before [`NOW`] plus up to 50 minutes of jitter, in the sender's zone.
    fn date(&mut self, days: f64, tz: &str) -> Result<DateTime<FixedOffset>> {
        self.seq += 1;
        let jitter = (mix(self.seq) % 3000) as i64;
        let secs = NOW - (days * 86_400.0) as i64 - jitter;
        let offset: FixedOffset = tz.parse().map_err(|_| bad(format!("bad tz {tz:?}")))?;
        DateTime::from_timestamp(secs, 0)
            .map(|d| d.with_timezone(&offset))
            .ok_or_else(|| bad(format!("{days} days is out of range")))
    }

    #[allow(clippy::too_many_arguments)] // one call site per message kind; a struct adds nothing
    fn push(
        &mut self,
        folder: &str,
        from: &str,
        to: &[&str],
        subject: &str,
        date: DateTime<FixedOffset>,
        extra: Vec<(&str, String)>,
        body: &Body,
        flags: Vec<&'static str>,
    ) -> Result<String> {
        let sender = self.person(from)?;
        let domain = sender.email.rsplit('@').next().unwrap_or("example.com");
        let id = format!("<demo.{}@{domain}>", self.seq);
        let mut headers = vec![("From", writer::mailbox(&sender.name, &sender.email))];
        let to: Vec<String> = to
            .iter()
            .map(|k| self.person(k).map(|p| writer::mailbox(&p.name, &p.email)))
            .collect::<Result<_>>()?;
        headers.push(("To", to.join(",\r\n ")));
        headers.push(("Subject", writer::words(subject)));
        headers.push(("Date", date.to_rfc2822()));
        headers.push(("Message-ID", id.clone()));
        headers.extend(extra);
        self.out.push(DemoMessage {
            folder: folder.to_string(),
            date,
            flags,
            raw: writer::message(&headers, body, self.seq),
        });
        Ok(id)
    }

    fn thread(&mut self, t: &Thread) -> Result<()> {
        if t.from.len() != t.text.len() || t.from.is_empty() {
            return Err(bad(format!("thread {:?}: from and text differ", t.subject)));
        }
        let mut ids: Vec<String> = Vec::new();
        let mut previous: Option<(String, String, DateTime<FixedOffset>)> = None;
        let mut elapsed = 0.0;
        for (i, (from, text)) in t.from.iter().zip(&t.text).enumerate() {
            // Replies come 2-6 hours apart.
            elapsed += if i == 0 {
                0.0
            } else {
                (2.0 + (mix(self.seq) % 4) as f64) / 24.0
            };
            let days = (t.start - elapsed).max(0.01);
            let date = self.date(days, &self.person(from)?.tz.clone())?;
            let mut body = text.replace('\n', "\r\n");
            let mut extra = Vec::new();
            if let Some((who, said, when)) = &previous {
                body.push_str(&format!(
                    "\r\n\r\nOn {}, {who} wrote:\r\n{}",
                    when.format("%a, %d %b %Y at %H:%M"),
                    quote(said)
                ));
                extra.push(("In-Reply-To", ids.last().cloned().unwrap_or_default()));
                extra.push(("References", ids.join("\r\n ")));
            }
            let subject = if i == 0 {
                t.subject.clone()
            } else {
                format!("Re: {}", t.subject)
            };
            let mut to: Vec<&str> = t.from.iter().map(String::as_str).collect();
            to.push("me");
            to.sort_unstable();
            to.dedup();
            to.retain(|k| k != from);
            let (folder, flags) = if from == "me" {
                ("Sent", vec!["\\Seen"])
            } else {
                let mut flags = seen_if_old(self.spec, days, t.unread);
                if t.from.get(i + 1).is_some_and(|n| n == "me") {
                    flags.push("\\Answered");
                }
                if t.flagged && i == 0 {
                    flags.push("\\Flagged");
                }
                (t.folder.as_str(), flags)
            };
            let text_body = Body::Text {
                subtype: "plain",
                text: body.clone(),
            };
            let id = self.push(folder, from, &to, &subject, date, extra, &text_body, flags)?;
            ids.push(id);
            previous = Some((self.person(from)?.name.clone(), body, date));
        }
        Ok(())
    }

    fn series(&mut self, s: &Series) -> Result<()> {
        for k in 0..s.count {
            let n = (s.first + k).to_string();
            let pick = s
                .picks
                .get(k as usize % s.picks.len().max(1))
                .map_or("", String::as_str);
            let fill = |t: &str| t.replace("{n}", &n).replace("{pick}", pick);
            let days = s.start - f64::from(k) * s.every;
            let date = self.date(days, &self.person(&s.from)?.tz.clone())?;
            let body = Body::Text {
                subtype: "plain",
                text: fill(&s.text),
            };
            let flags = seen_if_old(self.spec, days, false);
            self.push(
                &s.folder,
                &s.from,
                &["me"],
                &fill(&s.subject),
                date,
                vec![],
                &body,
                flags,
            )?;
        }
        Ok(())
    }

    fn newsletter(&mut self, n: &Newsletter) -> Result<()> {
        let email = self.person(&n.from)?.email.clone();
        let site = format!(
            "https://{}",
            email.rsplit('@').next().unwrap_or("example.com")
        );
        for k in 0..n.count {
            let issue = (n.first + k).to_string();
            let days = n.start - f64::from(k) * n.every;
            let date = self.date(days, &self.person(&n.from)?.tz.clone())?;
            let items: Vec<&[String; 3]> = (0..3)
                .filter_map(|j| n.items.get((k as usize * 3 + j) % n.items.len().max(1)))
                .collect();
            let html = NEWSLETTER_HTML
                .replace(
                    "{items}",
                    &items.iter().map(|i| item_html(i)).collect::<String>(),
                )
                .replace("{title}", &escape(&n.title))
                .replace("{issue}", &issue)
                .replace("{date}", &date.format("%A, %d %B %Y").to_string())
                .replace("{site}", &site);
            let body = match n.style {
                NewsletterStyle::Html => Body::Text {
                    subtype: "html",
                    text: html,
                },
                NewsletterStyle::Alternative => {
                    let mut plain = format!("{} - issue #{issue}\n", n.title);
                    for [headline, url, blurb] in items {
                        plain.push_str(&format!("\n* {headline}\n  {blurb}\n  {url}\n"));
                    }
                    plain.push_str(&format!("\nUnsubscribe: {site}/unsubscribe\n"));
                    Body::Alternative { plain, html }
                }
            };
            let subject = format!("{} #{issue}", n.title);
            let extra = vec![("List-Unsubscribe", format!("<{site}/unsubscribe>"))];
            let flags = seen_if_old(self.spec, days, false);
            self.push(
                &n.folder,
                &n.from,
                &["me"],
                &subject,
                date,
                extra,
                &body,
                flags,
            )?;
        }
        Ok(())
    }

    fn single(&mut self, s: &Single) -> Result<()> {
        let date = self.date(s.days, &self.person(&s.from)?.tz.clone())?;
        let text = s.text.replace('\n', "\r\n");
        let mut body = if s.html {
            let paragraphs: String = s
                .text
                .split("\n\n")
                .map(|p| format!("<p>{}</p>\n", escape(p)))
                .collect();
            Body::Text {
                subtype: "html",
                text: LETTER_HTML.replace("{paragraphs}", &paragraphs),
            }
        } else {
            Body::Text {
                subtype: "plain",
                text,
            }
        };
        if !s.attach.is_empty() {
            let attachments = s
                .attach
                .iter()
                .map(|name| {
                    lookup(&FILES, name).map(|bytes| Attachment {
                        name: name.clone(),
                        bytes,
                    })
                })
                .collect::<Result<_>>()?;
            body = Body::Mixed(Box::new(body), attachments);
        }
        let mut flags = if s.from == "me" {
            vec!["\\Seen"]
        } else {
            seen_if_old(self.spec, s.days, s.unread)
        };
        if s.flagged {
            flags.push("\\Flagged");
        }
        if s.draft {
            flags.push("\\Draft");
        }
        let to: Vec<&str> = if s.to.is_empty() {
            vec!["me"]
        } else {
            s.to.iter().map(String::as_str).collect()
        };
        self.push(
            &s.folder,
            &s.from,
            &to,
            &s.subject,
            date,
            vec![],
            &body,
            flags,
        )?;
        Ok(())
    }
}

fn item_html([headline, url, blurb]: &[String; 3]) -> String {
    NEWSLETTER_ITEM
        .replace("{url}", &escape(url))
        .replace("{headline}", &escape(headline))
        .replace("{blurb}", &escape(blurb))
}

fn seen_if_old(spec: &Spec, days: f64, unread: bool) -> Vec<&'static str> {
    if !unread && days > spec.fresh_days {
        vec!["\\Seen"]
    } else {
        vec![]
    }
}

fn lookup(table: &[(&str, &'static [u8])], name: &str) -> Result<&'static [u8]> {
    table
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, bytes)| *bytes)
        .ok_or_else(|| {
            bad(format!(
                "{name} is not in assets/demo (add it to the table)"
            ))
        })
}

/// splitmix64: cheap, well-spread and the same everywhere.
fn mix(n: u32) -> u64 {
    let mut z = u64::from(n).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn bad(what: String) -> Error {
    Error::Config(format!("assets/demo/mailbox.toml: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_few_hundred_messages_in_the_past() {
        let (folders, messages) = build().unwrap();
        assert!(folders.iter().any(|f| f == "其他文件夹/QQ邮件订阅"));
        let inbox = messages.iter().filter(|m| m.folder == "INBOX").count();
        assert!((150..=260).contains(&inbox), "{inbox} in INBOX");
        assert!(messages.len() < 400);
        assert!(messages.iter().all(|m| m.date.timestamp() < NOW));
        assert!(
            messages
                .iter()
                .all(|m| m.date.timestamp() > NOW - 61 * 86_400)
        );
        assert!(messages.windows(2).all(|w| w[0].date <= w[1].date));
        let total: usize = messages.iter().map(|m| m.raw.len()).sum();
        assert!(total < 1_500_000, "{total} bytes");
    }

    #[test]
    fn is_deterministic() {
        let a = build().unwrap().1;
        let b = build().unwrap().1;
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.raw == y.raw && x.date == y.date)
        );
    }

    #[test]
    fn replies_quote_and_reference_the_previous_message() {
        let (_, messages) = build().unwrap();
        let reply = messages
            .iter()
            .map(|m| String::from_utf8_lossy(&m.raw).into_owned())
            .find(|r| r.contains("Subject: Re: Lunch on Friday?"))
            .unwrap();
        assert!(reply.contains("In-Reply-To: <demo."));
        assert!(reply.contains("\r\n> Fancy lunch on Friday?"));
    }
}
