//! The reader's view state: which message is open, in which mode, scrolled how far, and its
//! layout at the pane's width (rebuilt only when the message's data, the width or the mode
//! changes).

use crate::mime::Section;
use crate::model::Message;
use crate::msg::{Folder, Uid};
use crate::ui::document::{self, Document, ReaderMode};
use crate::ui::message_list::step;

/// The open message.
#[derive(Debug, Clone)]
pub struct Reader {
    pub uid: Uid,
    pub folder: Folder,
    pub mode: ReaderMode,
    pub scroll: usize,
    pub doc: Document,
    /// Width, mode and message generation `doc` was built for.
    built: Option<(usize, ReaderMode, u64)>,
}

#[derive(Debug, Default)]
pub struct ReaderPane {
    open: Option<Reader>,
    /// Bumped whenever the open message's data changes, to rebuild its layout.
    generation: u64,
}

impl ReaderPane {
    pub fn open(&self) -> Option<&Reader> {
        self.open.as_ref()
    }

    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    pub(crate) fn shows(&self, uid: Uid) -> bool {
        self.open.as_ref().is_some_and(|r| r.uid == uid)
    }

    /// Opens `uid` of `folder` at the top, in the default mode.
    pub(crate) fn show(&mut self, uid: Uid, folder: Folder) {
        self.open = Some(Reader {
            uid,
            folder,
            mode: ReaderMode::default(),
            scroll: 0,
            doc: Document::default(),
            built: None,
        });
    }

    pub(crate) fn close(&mut self) {
        self.open = None;
    }

    /// `uid`'s data changed: if it is open, its layout must be rebuilt.
    pub(crate) fn touched(&mut self, uid: Uid) {
        if self.shows(uid) {
            self.generation += 1;
        }
    }

    /// Flips a mode toggle and goes back to the top; returns the new mode.
    pub(crate) fn toggle_mode(&mut self, f: impl FnOnce(&mut ReaderMode)) -> Option<ReaderMode> {
        let r = self.open.as_mut()?;
        f(&mut r.mode);
        r.scroll = 0;
        Some(r.mode)
    }

    /// Scrolls by `delta` lines within the document (the layout clamps to the pane).
    pub(crate) fn scroll_by(&mut self, delta: isize) {
        if let Some(r) = self.open.as_mut() {
            r.scroll = step(r.scroll, r.doc.lines.len(), delta);
        }
    }

    /// The wheel: scrolls by `delta` lines, no further than a pane `rows` high allows.
    pub(crate) fn wheel(&mut self, delta: isize, rows: usize) {
        if let Some(r) = self.open.as_mut() {
            let end = r.doc.lines.len().saturating_sub(rows);
            r.scroll = r.scroll.saturating_add_signed(delta).min(end);
        }
    }

    /// Link `n` (1-based) of the open message.
    pub(crate) fn link(&self, n: usize) -> Option<String> {
        self.open
            .as_ref()?
            .doc
            .links
            .get(n.wrapping_sub(1))
            .cloned()
    }

    /// Lays `message` out for a text area `width` × `height` if anything changed since the
    /// last time, and keeps the scroll within it.
    pub(crate) fn layout(&mut self, message: Option<&Message>, width: usize, height: usize) {
        let generation = self.generation;
        let Some(r) = self.open.as_mut() else {
            return;
        };
        let key = (width, r.mode, generation);
        if r.built != Some(key) && width > 0 {
            r.doc = document::build(message, r.mode, width);
            r.built = Some(key);
        }
        r.scroll = r.scroll.min(r.doc.lines.len().saturating_sub(height));
    }
}

/// The text parts `message` shows in `mode` that are not fetched yet.
pub(crate) fn missing_parts(message: &Message, mode: ReaderMode) -> Vec<Section> {
    let Some(root) = message.root.as_ref() else {
        return Vec::new();
    };
    document::shown_parts(root, mode)
        .into_iter()
        .map(|p| p.section.clone())
        .filter(|s| !message.parts.contains_key(s))
        .collect()
}
