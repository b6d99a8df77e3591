//! RFC 1524 mailcap files: which program views a MIME type.
//!
//! Hand-written: the one crate for it (`mailcap` 0.1.0, 2022, GPL-3.0) cannot ship in an
//! MIT/Apache program, runs every `test=` command while loading, and does not tell
//! `needsterminal` and `copiousoutput` apart, which tern needs.

use std::path::{Path, PathBuf};

/// One view rule: `type; command; flags…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Lowercase `major/minor`, `major/*` for a bare `major` or a wildcard.
    pub mime_type: String,
    pub command: String,
    /// Takes the terminal (run with the TUI suspended).
    pub needs_terminal: bool,
    /// Prints text meant to be shown by the mail client.
    pub copious_output: bool,
    /// A command that must succeed for the rule to apply (e.g. `test -n "$DISPLAY"`).
    pub test: Option<String>,
}

/// The files read, most important first: `$MAILCAPS` (colon-separated) when set, else
/// `~/.mailcap`, `/etc/mailcap`, `/usr/etc/mailcap`, `/usr/local/etc/mailcap`.
pub fn search_path(mailcaps: Option<&str>, home: Option<&Path>) -> Vec<PathBuf> {
    if let Some(list) = mailcaps.filter(|l| !l.is_empty()) {
        return list
            .split(':')
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .collect();
    }
    let mut out: Vec<PathBuf> = home.map(|h| h.join(".mailcap")).into_iter().collect();
    out.extend(["/etc/mailcap", "/usr/etc/mailcap", "/usr/local/etc/mailcap"].map(PathBuf::from));
    out
}

/// Every rule of the files on `path` that exist, in order.
pub fn load(path: &[PathBuf]) -> Vec<Entry> {
    path.iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .flat_map(|text| parse(&text))
        .collect()
}

/// The rules of one file; malformed lines are skipped, as other mail clients do.
pub fn parse(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut line = String::new();
    for raw in text.lines() {
        // A backslash at the end joins the next line.
        if let Some(head) = raw.strip_suffix('\\') {
            line.push_str(head);
            continue;
        }
        line.push_str(raw);
        let whole = std::mem::take(&mut line);
        let trimmed = whole.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(entry) = entry(trimmed) {
            out.push(entry);
        }
    }
    out
}

fn entry(line: &str) -> Option<Entry> {
    let fields = split_fields(line);
    let mut fields = fields.into_iter();
    let mut mime_type = fields.next()?.trim().to_lowercase();
    let command = fields.next()?.trim().to_string();
    if mime_type.is_empty() || command.is_empty() {
        return None;
    }
    if !mime_type.contains('/') {
        mime_type.push_str("/*");
    }
    let mut e = Entry {
        mime_type,
        command,
        needs_terminal: false,
        copious_output: false,
        test: None,
    };
    for field in fields {
        let (name, value) = match field.split_once('=') {
            Some((n, v)) => (n.trim().to_lowercase(), Some(v.trim().to_string())),
            None => (field.trim().to_lowercase(), None),
        };
        match (name.as_str(), value) {
            ("needsterminal", _) => e.needs_terminal = true,
            ("copiousoutput", _) => e.copious_output = true,
            ("test", Some(t)) => e.test = Some(t),
            _ => {}
        }
    }
    Some(e)
}

/// Splits at `;`, where `\;` is a literal semicolon.
fn split_fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(';') => out.last_mut().unwrap().push(';'),
                Some(other) => {
                    let field = out.last_mut().unwrap();
                    field.push('\\');
                    field.push(other);
                }
                None => {}
            },
            ';' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out
}

/// The first rule for `mime_type` whose test passes (`passes` runs it).
pub fn find<'a>(
    entries: &'a [Entry],
    mime_type: &str,
    mut passes: impl FnMut(&str) -> bool,
) -> Option<&'a Entry> {
    let mime_type = mime_type.to_lowercase();
    let major = mime_type.split('/').next().unwrap_or("");
    entries
        .iter()
        .filter(|e| {
            e.mime_type == mime_type
                || e.mime_type.strip_suffix("/*").is_some_and(|m| m == major)
                || e.mime_type == "*/*"
        })
        .find(|e| e.test.as_deref().is_none_or(&mut passes))
}

/// `command` with `%s` (the file, shell-quoted), `%t` (the type) and `%%` filled in; true
/// when the file was named, else it is meant to be given on standard input.
pub fn expand(command: &str, file: &Path, mime_type: &str) -> (String, bool) {
    let mut out = String::new();
    let mut named = false;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => {
                out.push_str(&quote(&file.to_string_lossy()));
                named = true;
            }
            Some('t') => out.push_str(&quote(mime_type)),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    (out, named)
}

/// One shell word. Mailcap commands often put `%s` in quotes already; single quotes
/// inside those still hold, since the file names tern writes are sanitised.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# viewers\n\
        text/html; w3m -dump -T text/html %s; copiousoutput; nametemplate=%s.html\n\
        image/png; feh %s; test=test -n \"$DISPLAY\"\n\
        image/*; chafa %s; needsterminal\n\
        application/pdf; pdftotext %s -; \\\n   copiousoutput\n\
        text; less; needsterminal\n\
        broken line without a command\n\
        audio/x; play a\\;b %s\n";

    #[test]
    fn parses_rules_flags_and_continuations() {
        let e = parse(FILE);
        assert_eq!(e.len(), 6);
        assert_eq!(e[0].command, "w3m -dump -T text/html %s");
        assert!(e[0].copious_output && !e[0].needs_terminal);
        assert_eq!(e[1].test.as_deref(), Some("test -n \"$DISPLAY\""));
        assert!(e[2].needs_terminal);
        assert!(e[3].copious_output, "the flag after the continued line");
        assert_eq!(e[4].mime_type, "text/*");
        assert_eq!(e[5].command, "play a;b %s");
    }

    #[test]
    fn finds_the_first_rule_whose_test_passes() {
        let e = parse(FILE);
        let png = find(&e, "IMAGE/PNG", |_| true).unwrap();
        assert_eq!(png.command, "feh %s");
        let no_display = find(&e, "image/png", |_| false).unwrap();
        assert_eq!(no_display.command, "chafa %s");
        assert_eq!(find(&e, "text/plain", |_| true).unwrap().command, "less");
        assert!(find(&e, "video/mp4", |_| true).is_none());
    }

    #[test]
    fn expands_the_file_and_type() {
        let (cmd, named) = expand("feh %s # %t 100%%", Path::new("/tmp/it's.png"), "image/png");
        assert_eq!(cmd, r"feh '/tmp/it'\''s.png' # 'image/png' 100%");
        assert!(named);
        assert!(!expand("less", Path::new("/x"), "text/plain").1);
    }

    #[test]
    fn mailcaps_replaces_the_default_path() {
        assert_eq!(
            search_path(Some("/a:/b"), Some(Path::new("/home/u"))),
            [PathBuf::from("/a"), PathBuf::from("/b")]
        );
        let default = search_path(None, Some(Path::new("/home/u")));
        assert_eq!(default[0], PathBuf::from("/home/u/.mailcap"));
        assert_eq!(default[1], PathBuf::from("/etc/mailcap"));
    }
}
