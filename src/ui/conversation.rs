//! The conversation view's state: the messages of the open message's thread, with the user's
//! own replies found in Sent, in date order; each one's structure and text as fetched so far,
//! the scroll, and the layout at the pane's width (rebuilt only when something changed).
//! Fetching is `conversation_flow`'s; this only keeps what arrived.

use std::collections::{HashMap, HashSet};

use crate::mime::sanitize::{sanitize_line, sanitize_text, truncate_width};
use crate::mime::{Part, Section, decode_text, html_to_text};
use crate::msg::id_hash::IdHash;
use crate::msg::{Folder, Summary, SummaryRef, Uid};
use crate::ui::app::Zone;
use crate::ui::document::{Document, LineKind, ReaderMode, shown_parts};
use crate::ui::message_list::step;
use crate::ui::quotes::{self, Piece};
use crate::ui::wrap::wrap;

/// How a message's date shows in its header line.
const DATE: &str = "%a %-d %b %Y %H:%M";

/// One message of the conversation.
#[derive(Debug, Clone)]
pub struct Entry {
    pub folder: Folder,
    pub uid: Uid,
    from: String,
    /// Shown for the user's own replies, whose sender is the user.
    to: String,
    sent: i64,
    /// The Message-ID.
    id: Option<IdHash>,
    /// Found in Sent rather than in the open folder.
    pub mine: bool,
    pub root: Option<Part>,
    pub parts: HashMap<Section, Vec<u8>>,
    /// Why its text could not be fetched.
    failed: Option<String>,
}

impl Entry {
    pub fn new(folder: Folder, s: SummaryRef<'_>, mine: bool) -> Entry {
        Entry {
            folder,
            uid: s.uid,
            from: s.from.to_string(),
            to: s.to.to_string(),
            sent: s.sent().0,
            id: s.header.keys().message_id,
            mine,
            root: None,
            parts: HashMap::new(),
            failed: None,
        }
    }

    /// The text parts shown that are not fetched yet (all of them before the structure).
    pub fn missing_parts(&self) -> Vec<Section> {
        let Some(root) = &self.root else {
            return Vec::new();
        };
        shown_parts(root, ReaderMode::default())
            .into_iter()
            .map(|p| p.section.clone())
            .filter(|s| !self.parts.contains_key(s))
            .collect()
    }

    /// The message's text, parts one after the other; None until every one is here.
    fn text(&self, width: usize) -> Option<String> {
        let root = self.root.as_ref()?;
        let mut out = String::new();
        for part in shown_parts(root, ReaderMode::default()) {
            let raw = self.parts.get(&part.section)?;
            let text = decode_text(part, raw);
            if !out.is_empty() {
                out.push('\n');
            }
            if part.mime_type == "text/html" {
                out.push_str(&html_to_text(&text, width).lines.join("\n"));
            } else {
                out.push_str(&sanitize_text(text.trim_end()));
            }
        }
        Some(out)
    }
}

/// The open conversation.
#[derive(Debug)]
pub struct Conversation {
    subject: String,
    /// In date order, the oldest first.
    entries: Vec<Entry>,
    /// Where the user's replies were looked for; None when there is no Sent folder.
    sent: Option<Folder>,
    /// Sent was asked and has answered for good.
    sent_known: bool,
    quotes_open: bool,
    pub scroll: usize,
    pub doc: Document,
    /// Bumped when anything shown changes; with the width and the quote toggle, what `doc`
    /// was built for.
    generation: u64,
    built: Option<(usize, u64, bool)>,
}

#[derive(Debug, Default)]
pub struct ConversationPane {
    open: Option<Conversation>,
}

impl ConversationPane {
    pub fn open(&self) -> Option<&Conversation> {
        self.open.as_ref()
    }

    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// Shows `entries` (the open folder's messages of the thread) under `subject`; `sent` is
    /// where the user's replies are being looked for.
    pub(crate) fn show(&mut self, subject: &str, entries: Vec<Entry>, sent: Option<Folder>) {
        let mut c = Conversation {
            subject: sanitize_line(subject),
            entries,
            sent_known: sent.is_none(),
            sent,
            quotes_open: false,
            scroll: 0,
            doc: Document::default(),
            generation: 0,
            built: None,
        };
        c.sort();
        self.open = Some(c);
    }

    pub(crate) fn close(&mut self) {
        self.open = None;
    }

    pub(crate) fn entries(&self) -> &[Entry] {
        self.open.as_ref().map_or(&[], |c| &c.entries)
    }

    /// Sent's answer: its messages replace those of the answer before (keeping the text
    /// fetched for them).
    pub(crate) fn related(&mut self, folder: &Folder, found: &[Summary]) {
        let Some(c) = self
            .open
            .as_mut()
            .filter(|c| c.sent.as_ref() == Some(folder))
        else {
            return;
        };
        let before: HashMap<Uid, Entry> = c
            .entries
            .extract_if(.., |e| e.folder == *folder)
            .map(|e| (e.uid, e))
            .collect();
        // A reply that also reached the open folder (a copy to oneself) shows once.
        let here: HashSet<IdHash> = c.entries.iter().filter_map(|e| e.id).collect();
        let found: Vec<&Summary> = found
            .iter()
            .filter(|s| {
                s.message_id()
                    .is_none_or(|id| !here.contains(&IdHash::of(id)))
            })
            .collect();
        for s in found {
            match before.get(&s.uid) {
                Some(e) => c.entries.push(e.clone()),
                None => c.entries.push(Entry::new(folder.clone(), s.view(), true)),
            }
        }
        c.sort();
        c.generation += 1;
    }

    /// Sent has answered for good (or failed): no more "looking" line.
    pub(crate) fn sent_done(&mut self) {
        if let Some(c) = self.open.as_mut() {
            c.sent_known = true;
            c.generation += 1;
        }
    }

    /// The structure of one of the messages arrived; returns its text parts to fetch.
    pub(crate) fn structure(&mut self, folder: &Folder, uid: Uid, root: Part) -> Vec<Section> {
        let Some(e) = self.entry(folder, uid) else {
            return Vec::new();
        };
        e.root = Some(root);
        let missing = e.missing_parts();
        self.touch();
        missing
    }

    pub(crate) fn part(&mut self, folder: &Folder, uid: Uid, section: Section, bytes: Vec<u8>) {
        if let Some(e) = self.entry(folder, uid) {
            e.parts.insert(section, bytes);
            self.touch();
        }
    }

    /// A message's text could not be fetched: it says so in place of its text.
    pub(crate) fn failed(&mut self, folder: &Folder, uid: Uid, why: String) {
        if let Some(e) = self.entry(folder, uid) {
            e.failed = Some(why);
            self.touch();
        }
    }

    /// Folds every quote, or unfolds them; says whether they are open now.
    pub(crate) fn toggle_quotes(&mut self) -> Option<bool> {
        let c = self.open.as_mut()?;
        c.quotes_open = !c.quotes_open;
        Some(c.quotes_open)
    }

    pub(crate) fn scroll_by(&mut self, delta: isize) {
        if let Some(c) = self.open.as_mut() {
            c.scroll = step(c.scroll, c.doc.lines.len(), delta);
        }
    }

    /// The wheel: no further than a pane `rows` high allows.
    pub(crate) fn wheel(&mut self, delta: isize, rows: usize) {
        if let Some(c) = self.open.as_mut() {
            let end = c.doc.lines.len().saturating_sub(rows);
            c.scroll = c.scroll.saturating_add_signed(delta).min(end);
        }
    }

    /// Lays the conversation out for a text area `width` × `height` if anything changed, and
    /// keeps the scroll within it.
    pub(crate) fn layout(&mut self, width: usize, height: usize, zone: Zone) {
        let Some(c) = self.open.as_mut() else {
            return;
        };
        let key = (width, c.generation, c.quotes_open);
        if c.built != Some(key) && width > 0 {
            c.doc = c.build(width, zone);
            c.built = Some(key);
        }
        c.scroll = c.scroll.min(c.doc.lines.len().saturating_sub(height));
    }

    fn entry(&mut self, folder: &Folder, uid: Uid) -> Option<&mut Entry> {
        let c = self.open.as_mut()?;
        c.entries
            .iter_mut()
            .find(|e| e.uid == uid && e.folder == *folder)
    }

    fn touch(&mut self) {
        if let Some(c) = self.open.as_mut() {
            c.generation += 1;
        }
    }
}

impl Conversation {
    /// How many messages, and how many of them from Sent.
    pub fn counts(&self) -> (usize, usize) {
        let mine = self.entries.iter().filter(|e| e.mine).count();
        (self.entries.len(), mine)
    }

    fn sort(&mut self) {
        self.entries.sort_by_key(|e| (e.sent, e.mine, e.uid));
    }

    fn build(&self, width: usize, zone: Zone) -> Document {
        let mut doc = Document::default();
        let subject = format!("{} ", self.subject);
        for piece in wrap(&subject, width) {
            doc.push(
                LineKind::Header {
                    name: "Subject: ".into(),
                },
                piece,
            );
        }
        if !self.sent_known {
            doc.push(LineKind::Notice, "Looking for your replies in Sent…".into());
        }
        for e in &self.entries {
            doc.push(LineKind::Text, String::new());
            let who = match e.mine {
                true => format!("you → {}", sanitize_line(&e.to)),
                false => sanitize_line(&e.from),
            };
            let mut when = format!(" · {}", zone.format(e.sent, DATE));
            if e.mine {
                when.push_str(" · Sent");
            }
            let name = truncate_width(&format!("── {who}"), width.saturating_sub(10));
            let rest = truncate_width(
                &when,
                width.saturating_sub(crate::mime::sanitize::text_width(&name)),
            );
            doc.push(LineKind::Header { name }, rest);
            match (&e.failed, e.text(width)) {
                (Some(why), _) => doc.push(
                    LineKind::Notice,
                    format!("[could not fetch it: {}]", sanitize_line(why)),
                ),
                (None, None) => doc.push(LineKind::Notice, "Loading…".into()),
                (None, Some(text)) => self.body(&mut doc, &text, width),
            }
        }
        doc
    }

    /// A message's text with its quotes folded (or not).
    fn body(&self, doc: &mut Document, text: &str, width: usize) {
        for piece in quotes::split(text.trim_end()) {
            match piece {
                Piece::Line(line) => doc.body_line(line, width),
                Piece::Quoted(lines) if self.quotes_open => {
                    for line in lines {
                        doc.body_line(line, width);
                    }
                }
                Piece::Quoted(lines) => doc.push(LineKind::Notice, quotes::folded(lines.len())),
            }
        }
    }
}
