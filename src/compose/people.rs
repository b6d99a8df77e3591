//! Address completion: the people in the header cache (senders and recipients), ranked by
//! how often and how recently they were seen, plus the user's `address_book_command`
//! (`khard email --parsable %s`, `notmuch address %s`: one `address<TAB>name` per line).

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::address::{self, Mailbox};
use crate::cache::Cache;
use crate::error::{Error, Result};
use crate::msg::{Summary, SummaryRef};

/// A mail seen this many days ago counts half as much as one seen today.
const HALF_LIFE_DAYS: f64 = 30.0;
/// An address book command gets this long, and this much output, before it is ignored.
const BOOK_TIMEOUT: Duration = Duration::from_secs(5);
const BOOK_MAX_BYTES: u64 = 1 << 20;

#[derive(Debug, Clone, Default)]
pub struct People {
    /// Best first.
    ranked: Vec<Mailbox>,
}

impl People {
    /// From message summaries (each sender and first recipient), `now` in Unix seconds.
    pub fn from_summaries<'a>(rows: impl IntoIterator<Item = SummaryRef<'a>>, now: i64) -> People {
        let mut seen: foldhash::HashMap<String, (Mailbox, f64)> = Default::default();
        for s in rows {
            let age_days = (now - s.date).max(0) as f64 / 86_400.0;
            let weight = 0.5f64.powf(age_days / HALF_LIFE_DAYS);
            for shown in [s.from, s.to] {
                let Ok(m) = address::parse_one(shown) else {
                    continue;
                };
                let entry = seen
                    .entry(m.addr.to_ascii_lowercase())
                    .or_insert_with(|| (m.clone(), 0.0));
                entry.1 += weight;
                if entry.0.name.is_none() {
                    entry.0.name = m.name;
                }
            }
        }
        let mut ranked: Vec<(Mailbox, f64)> = seen.into_values().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.addr.cmp(&b.0.addr)));
        People {
            ranked: ranked.into_iter().map(|(m, _)| m).collect(),
        }
    }

    /// Every folder in the header cache.
    pub fn from_cache(cache: &Cache, now: i64) -> Result<People> {
        let mut rows = Vec::new();
        for folder in cache.folders()? {
            if let Some(cached) = cache.load(&folder)? {
                rows.extend(cached.summaries);
            }
        }
        Ok(People::from_summaries(rows.iter().map(Summary::view), now))
    }

    /// Up to `limit` people whose address, or a word of whose name, starts with `query`
    /// (ignoring case), best first.
    pub fn complete(&self, query: &str, limit: usize) -> Vec<Mailbox> {
        let q = query.trim().to_lowercase();
        self.ranked
            .iter()
            .filter(|m| matches(m, &q))
            .take(limit)
            .cloned()
            .collect()
    }
}

fn matches(m: &Mailbox, q: &str) -> bool {
    m.addr.to_lowercase().starts_with(q)
        || m.name.as_deref().is_some_and(|n| {
            let n = n.to_lowercase();
            n.starts_with(q) || n.split_whitespace().any(|w| w.starts_with(q))
        })
}

/// Completions for `query`: the address book's answers first (the user curated them), then
/// the cache's people, without repeats.
pub fn complete(
    people: &People,
    book_command: Option<&str>,
    query: &str,
    limit: usize,
) -> Vec<Mailbox> {
    let mut out: Vec<Mailbox> = match book_command {
        // A failing address book must not stop completion from the cache.
        Some(cmd) => address_book(cmd, query).unwrap_or_else(|e| {
            tracing::warn!("address book: {e}");
            Vec::new()
        }),
        None => Vec::new(),
    };
    for m in people.complete(query, limit) {
        if !out.iter().any(|o| o.same_addr(&m.addr)) {
            out.push(m);
        }
    }
    out.truncate(limit);
    out
}

/// Runs the address book command (split on blanks, never through a shell; `%s` is the
/// query, else it is added at the end) and reads `address<TAB>name` lines; lines without an
/// address (headers, blank lines) are skipped.
pub fn address_book(command: &str, query: &str) -> Result<Vec<Mailbox>> {
    let mut words: Vec<String> = command.split_whitespace().map(str::to_string).collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    if !words.iter().any(|w| w.contains("%s")) {
        words.push(query.to_string());
    }
    let words: Vec<String> = words.iter().map(|w| w.replace("%s", query)).collect();
    let mut child = Command::new(&words[0])
        .args(&words[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Error::Io(format!("cannot run {}: {e}", words[0])))?;
    let stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(s) = stdout {
            let _ = s.take(BOOK_MAX_BYTES).read_to_end(&mut out);
        }
        out
    });
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() < BOOK_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(10));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::Io(format!(
                    "{} took longer than {}s",
                    words[0],
                    BOOK_TIMEOUT.as_secs()
                )));
            }
        }
    }
    let out = reader.join().unwrap_or_default();
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let addr = fields.next()?.trim();
            let name = fields.next().map(str::trim);
            addr.contains('@')
                .then(|| Mailbox::new(name, addr))
                .filter(|m| address::parse_one(&m.addr).is_ok())
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::test_fixtures;

    const DAY: i64 = 86_400;
    const NOW: i64 = 1_000 * DAY;

    fn row(from: &str, to: &str, days_ago: i64) -> Summary {
        Summary {
            date: NOW - days_ago * DAY,
            size: 1,
            to: Arc::from(to),
            ..test_fixtures::summary(1, from, "s")
        }
    }

    #[test]
    fn ranks_by_frequency_and_recency() {
        let rows = [
            row("Dave Okafor <dave@acme.example>", "alice@example.org", 1),
            row("Dave Okafor <dave@acme.example>", "alice@example.org", 2),
            // Often, but long ago.
            row("Dan Old <dan@old.example>", "alice@example.org", 400),
            row("Dan Old <dan@old.example>", "alice@example.org", 401),
            row("Dan Old <dan@old.example>", "alice@example.org", 402),
            row("alice@example.org", "Daisy <daisy@x.org>", 0),
            row("not an address", "", 0),
        ];
        let people = People::from_summaries(rows.iter().map(Summary::view), NOW);
        let got: Vec<String> = people
            .complete("d", 10)
            .iter()
            .map(|m| m.addr.clone())
            .collect();
        assert_eq!(got, ["dave@acme.example", "daisy@x.org", "dan@old.example"]);
        // A word of the name matches too, and case does not matter.
        assert_eq!(
            people.complete("OKAF", 10)[0].name.as_deref(),
            Some("Dave Okafor")
        );
        assert_eq!(people.complete("d", 1).len(), 1);
        assert!(people.complete("zz", 10).is_empty());
    }

    #[test]
    fn reads_an_address_book_command() {
        let tmp = tempfile::tempdir().unwrap();
        let script = tmp.path().join("book");
        std::fs::write(
            &script,
            "#!/bin/sh\necho \"searching for $1\"\nprintf 'frank@x.org\\tFrank Müller\\thome\\n'\nprintf 'bad@\\tBad\\n'\nprintf 'q-%s@x.org\\t\\n' \"$1\"\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let book = address_book(&format!("{} %s", script.display()), "fr").unwrap();
        assert_eq!(
            book,
            [
                Mailbox::new(Some("Frank Müller"), "frank@x.org"),
                Mailbox::new(None, "q-fr@x.org")
            ]
        );
        let people =
            People::from_summaries([row("Frank <frank@x.org>", "fred@x.org", 0).view()], NOW);
        let merged = complete(&people, Some(&script.display().to_string()), "fr", 10);
        let addrs: Vec<&str> = merged.iter().map(|m| m.addr.as_str()).collect();
        assert_eq!(addrs, ["frank@x.org", "q-fr@x.org", "fred@x.org"]);
        assert!(address_book("/nonexistent/book", "x").is_err());
        assert_eq!(
            complete(&people, Some("/nonexistent/book"), "fre", 10).len(),
            1
        );
    }
}
