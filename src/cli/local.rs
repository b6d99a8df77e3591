//! `tern search --local`: the header cache only, no server and no password.

use std::io::Write;

use super::output::{record, summary_fields};
use crate::cache::Cache;
use crate::config::Account;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::model::filter::Index;
use crate::msg::{Event, Folder};

/// Prints `FOLDER<TAB>UID<TAB>DATE<TAB>FLAGS<TAB>FROM<TAB>SUBJECT` for every cached message
/// whose sender, recipient or subject holds all the words.
pub fn search(
    account: &Account,
    only: Option<&str>,
    words: &str,
    out: &mut impl Write,
) -> Result<()> {
    if account.is_pop3() {
        let dir = account
            .pop3_store_dir()
            .ok_or_else(|| Error::Config("no data directory for the POP3 store".into()))?;
        if !dir.join("index").exists() {
            return Err(Error::NotFound(format!(
                "no POP3 store yet at {}; list the mailbox with tern first",
                dir.display()
            )));
        }
        let rows = crate::pop3::store::Store::snapshot(&dir)?
            .into_iter()
            .filter_map(|e| e.summary)
            .collect();
        return matches("INBOX", 1, rows, words, out);
    }
    let path = account.cache_path().ok_or_else(|| {
        Error::Config(format!(
            "the header cache is off for account \"{}\"",
            account.name
        ))
    })?;
    if !path.exists() {
        return Err(Error::NotFound(format!(
            "no header cache yet at {}; open a folder with tern first",
            path.display()
        )));
    }
    let cache = Cache::open(&path)?;
    let folders = match only {
        Some(f) => vec![f.to_string()],
        None => cache.folders()?,
    };
    for folder in folders {
        let Some(cached) = cache.load(&folder)? else {
            continue;
        };
        matches(&folder, cached.uid_validity, cached.summaries, words, out)?;
    }
    Ok(())
}

/// Prints the rows of `folder` that hold all the words.
fn matches(
    folder: &str,
    uid_validity: u32,
    rows: Vec<crate::msg::Summary>,
    words: &str,
    out: &mut impl Write,
) -> Result<()> {
    // The same model and index the TUI's filter uses.
    let mut model = Model::default();
    let id = Folder::named(folder);
    model.apply(Event::Selected {
        folder: id.clone(),
        uid_validity,
        read_only: true,
        complete: true,
        uids: rows.iter().map(|s| s.uid).collect(),
    });
    model.apply(Event::Summaries {
        folder: id,
        uid_validity,
        chunk: rows,
    });
    let Some(mailbox) = model.mailbox.as_ref() else {
        return Ok(());
    };
    for uid in Index::build(mailbox).matches(words) {
        if let Some(s) = mailbox.summaries.get(&uid) {
            let mut fields = vec![folder.to_string()];
            fields.extend(summary_fields(s));
            let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
            record(out, &refs)?;
        }
    }
    Ok(())
}
