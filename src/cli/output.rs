//! How CLI records are written: tab-separated, sanitised, one per line.

use std::io::Write;

use crate::error::{Error, Result};
use crate::mime::sanitize::sanitize_line;
use crate::msg::SummaryRef;

pub fn io_err(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return Error::OutputClosed;
    }
    Error::Io(format!("cannot write output: {e}"))
}

/// A record: each field sanitised (so a tab or newline inside a field cannot break the format).
pub fn record(out: &mut impl Write, fields: &[&str]) -> Result<()> {
    let line: Vec<String> = fields.iter().map(|f| sanitize_line(f)).collect();
    writeln!(out, "{}", line.join("\t")).map_err(io_err)
}

/// The `list`/`search` row: UID, date sent (RFC 3339), flags (and `@` for attachments, as the
/// TUI's list marks them), from, subject.
pub fn summary(out: &mut impl Write, s: SummaryRef<'_>) -> Result<()> {
    let fields = summary_fields(s);
    let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
    record(out, &refs)
}

pub fn summary_fields(s: SummaryRef<'_>) -> Vec<String> {
    let (sent, offset) = s.sent();
    let date = chrono::DateTime::from_timestamp(sent, 0)
        .zip(chrono::FixedOffset::east_opt(offset))
        .map(|(d, off)| d.with_timezone(&off).to_rfc3339())
        .unwrap_or_default();
    let mut flags = s.flags.names();
    if s.has_attachment() {
        flags.push("@");
    }
    vec![
        s.uid.to_string(),
        date,
        flags.join(" "),
        s.from.to_string(),
        s.subject.to_string(),
    ]
}
