//! A message laid out for the reader at one width: header lines, the text parts (plain text
//! wrapped, HTML rendered), and the numbered links. Built only when the message, its fetched
//! parts, the width or a reader toggle changes; drawing a frame just slices it.

use unicode_width::UnicodeWidthStr;

use crate::mime::headers::parse_headers;
use crate::mime::sanitize::{pad_width, sanitize_line, sanitize_text, text_width, truncate_width};
use crate::mime::{Part, alternatives, decode_text, display_parts, html_to_text};
use crate::model::Message;
use crate::ui::wrap::wrap;

/// The attachment list's type column is cut here.
const MAX_TYPE_W: usize = 28;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// A header; `name` is drawn in the header style before the value.
    Header {
        name: String,
    },
    Text,
    /// A quoted line (`> …`), drawn dimmed.
    Quote,
    /// Something tern says rather than the sender: loading, part boundaries, the link list.
    Notice,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocLine {
    pub kind: LineKind,
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub lines: Vec<DocLine>,
    /// `links[N - 1]` is link N.
    pub links: Vec<String>,
}

/// The reader's toggles that change the layout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ReaderMode {
    pub all_headers: bool,
    /// Show the other alternative (HTML instead of plain text, or back).
    pub flipped: bool,
    pub raw: bool,
}

/// The text parts shown for `root` in `mode`: `display_parts`, each swapped for its other
/// alternative when flipped.
pub fn shown_parts(root: &Part, mode: ReaderMode) -> Vec<&Part> {
    display_parts(root)
        .into_iter()
        .map(|p| {
            if mode.flipped {
                alternatives(root, p).unwrap_or(p)
            } else {
                p
            }
        })
        .collect()
}

/// Lays out `message` at `width` columns.
pub fn build(message: Option<&Message>, mode: ReaderMode, width: usize) -> Document {
    let mut doc = Document::default();
    let Some(message) = message else {
        doc.notice("Loading the message…");
        return doc;
    };
    if mode.raw {
        match &message.raw {
            Some(raw) => doc.plain(&String::from_utf8_lossy(raw), width, false),
            None => doc.notice("Loading the raw source…"),
        }
        return doc;
    }
    doc.headers(&message.header, &message.labels, mode.all_headers, width);
    let Some(root) = &message.root else {
        doc.notice("Loading the message…");
        return doc;
    };
    let parts = shown_parts(root, mode);
    if parts.is_empty() {
        doc.notice("This message has no text to show; press a for its parts.");
    }
    for (i, part) in parts.iter().enumerate() {
        if parts.len() > 1 {
            if i > 0 {
                doc.text("");
            }
            doc.notice(&format!("── part {} · {} ──", part.section, part.mime_type));
        }
        match message.parts.get(&part.section) {
            None => doc.notice(&format!("Loading part {}…", part.section)),
            Some(raw) => {
                let text = decode_text(part, raw);
                if part.mime_type == "text/html" {
                    let rendered = html_to_text(&text, width);
                    for line in rendered.lines {
                        doc.body_line(&line, width);
                    }
                    doc.links.extend(rendered.links);
                } else {
                    doc.plain(&text, width, true);
                }
            }
        }
    }
    doc.list_links(width);
    doc.list_attachments(root, width);
    doc
}

/// A part's size as the parts pane and the reader's attachment list show it.
pub(crate) fn part_size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b}B"),
        b if b < 1024 * 1024 => format!("{}K", b.div_ceil(1024)),
        b => format!("{:.1}M", b as f64 / (1024.0 * 1024.0)),
    }
}

/// A viewer's output under its `title`, wrapped at `width`.
pub fn output(title: &str, text: &str, width: usize) -> Document {
    let mut doc = Document::default();
    for piece in wrap(&format!("── {} ──", sanitize_line(title)), width) {
        doc.push(LineKind::Notice, piece);
    }
    doc.plain(text, width, false);
    doc
}

impl Document {
    pub(crate) fn push(&mut self, kind: LineKind, text: String) {
        self.lines.push(DocLine { kind, text });
    }

    fn notice(&mut self, text: &str) {
        self.push(LineKind::Notice, text.to_string());
    }

    fn text(&mut self, text: &str) {
        self.push(LineKind::Text, text.to_string());
    }

    fn headers(&mut self, raw: &[u8], labels: &[String], all: bool, width: usize) {
        let view = parse_headers(raw);
        let mut fields: Vec<(String, String)> = if all {
            view.all
        } else {
            [
                ("From", view.from),
                ("To", view.to),
                ("Cc", view.cc),
                ("Date", view.date),
                ("Subject", view.subject),
            ]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(n, v)| (n.to_string(), v))
            .collect()
        };
        if !labels.is_empty() {
            fields.push(("Labels".into(), labels.join(", ")));
        }
        for (name, value) in fields {
            let name = format!("{}: ", sanitize_line(&name));
            let room = width.saturating_sub(name.width()).max(10);
            for (i, piece) in wrap(&sanitize_line(&value), room).into_iter().enumerate() {
                let shown = if i == 0 {
                    name.clone()
                } else {
                    " ".repeat(name.width())
                };
                self.push(LineKind::Header { name: shown }, piece);
            }
        }
        self.text("");
    }

    /// Plain text: sanitised, wrapped, quotes marked, URLs collected as links when `links`.
    fn plain(&mut self, text: &str, width: usize, links: bool) {
        let clean = sanitize_text(text.trim_end());
        for line in clean.split('\n') {
            if links {
                self.links.extend(urls(line));
            }
            self.body_line(line, width);
        }
    }

    pub(crate) fn body_line(&mut self, line: &str, width: usize) {
        if !line.trim_start().starts_with('>') {
            for piece in wrap(line, width) {
                self.push(LineKind::Text, piece);
            }
            return;
        }
        // Every piece of a wrapped quote keeps its "> > " marks, so it still reads as quoted.
        let text = line.trim_start_matches(|c: char| c == '>' || c.is_whitespace());
        let marks = &line[..line.len() - text.len()];
        let room = width.saturating_sub(marks.width());
        if text.is_empty() || room < width / 2 {
            for piece in wrap(line, width) {
                self.push(LineKind::Quote, piece);
            }
            return;
        }
        for piece in wrap(text, room) {
            self.push(LineKind::Quote, format!("{marks}{piece}"));
        }
    }

    /// The numbered links found in the text parts.
    fn list_links(&mut self, width: usize) {
        if self.links.is_empty() {
            return;
        }
        self.text("");
        self.notice("Links (number, then Enter, opens one):");
        let listed: Vec<String> = self
            .links
            .iter()
            .enumerate()
            .map(|(i, url)| format!("[{}] {}", i + 1, sanitize_line(url)))
            .collect();
        for line in listed {
            for piece in wrap(&line, width) {
                self.push(LineKind::Notice, piece);
            }
        }
    }

    /// Every attachment (as `S` saves them): section number, name, type and size, one a line
    /// in aligned columns, so a part can be saved by the number shown (`:save 2`).
    fn list_attachments(&mut self, root: &Part, width: usize) {
        let parts: Vec<&Part> = root.walk().filter(|p| p.is_attachment()).collect();
        if parts.is_empty() {
            return;
        }
        self.text("");
        self.notice("Attachments (:save NUMBER saves one):");
        let rows: Vec<[String; 4]> = parts
            .iter()
            .map(|p| {
                [
                    p.section.to_string(),
                    sanitize_line(p.filename.as_deref().unwrap_or("(no name)")),
                    sanitize_line(&p.mime_type),
                    part_size(p.size),
                ]
            })
            .collect();
        let widest = |i: usize| rows.iter().map(|r| text_width(&r[i])).max().unwrap_or(0);
        // The number and size always show; the name and type share the rest, the name
        // getting at least half of it when both do not fit.
        let (section, size) = (widest(0), widest(3));
        let rest = width.saturating_sub(section + size + 3);
        let kind = widest(2).min(MAX_TYPE_W);
        let name = widest(1).min(rest.saturating_sub(kind).max(rest / 2));
        let kind = kind.min(rest - name);
        for [s, n, k, z] in rows {
            let line = format!(
                "{} {} {} {}",
                pad_width(&s, section),
                pad_width(&truncate_width(&n, name), name),
                pad_width(&truncate_width(&k, kind), kind),
                " ".repeat(size - text_width(&z)) + &z,
            );
            self.push(LineKind::Text, truncate_width(&line, width));
        }
    }
}

/// http(s) URLs in a line of plain text, without trailing punctuation or closing brackets.
fn urls(line: &str) -> Vec<String> {
    line.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '(' | ')'))
        .filter(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(|w| {
            w.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', ']'])
                .to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_quotes_keep_their_marks() {
        let mut doc = Document::default();
        doc.body_line("> > the quick brown fox jumps over the lazy dog", 20);
        let lines: Vec<(&str, &LineKind)> = doc
            .lines
            .iter()
            .map(|l| (l.text.as_str(), &l.kind))
            .collect();
        assert_eq!(
            lines,
            [
                ("> > the quick brown", &LineKind::Quote),
                ("> > fox jumps over", &LineKind::Quote),
                ("> > the lazy dog", &LineKind::Quote),
            ]
        );
        doc.lines.clear();
        doc.body_line(">引用的中文内容很长很长很长", 12);
        for l in &doc.lines {
            assert!(l.text.starts_with('>') && l.text.width() <= 12, "{l:?}");
        }
    }

    #[test]
    fn finds_urls_in_plain_text() {
        assert_eq!(
            urls("see <https://a.example/x>, or (http://b.example/y). done"),
            ["https://a.example/x", "http://b.example/y"]
        );
        assert!(urls("no links here: ftp://x").is_empty());
    }
}
