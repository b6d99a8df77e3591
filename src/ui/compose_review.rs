//! The composer's keys: the To line and the review screen (send, edit, attach, detach,
//! postpone, abort), with Tab completion on its lines.

use crossterm::event::{KeyCode, KeyEvent};

use crate::compose::followup;
use crate::compose::people::People;
use crate::compose::postpone;
use crate::compose::prepare::{PrepareError, prepare};
use crate::msg::Cmd;
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::completion;
use crate::ui::composer::{Ask, Busy, LineEdit, LineFor, Review, Stage, parse_to};
use crate::ui::requests::ComposeReq;

/// What a key did to a composer line.
enum LineKey {
    Editing,
    Cancel,
    Submit(String),
}

/// Edits `line` by `key`; Tab asks `find` for completions of the text.
fn line_key(
    line: &mut LineEdit,
    key: &KeyEvent,
    find: impl FnOnce(&str) -> Vec<String>,
) -> LineKey {
    line.error = None;
    if key.code == KeyCode::Tab {
        match line.completion.next(&line.text, find) {
            Some(text) => line.text = text,
            None => line.error = Some("nothing matches".into()),
        }
        return LineKey::Editing;
    }
    line.completion.reset();
    match key.code {
        KeyCode::Esc => LineKey::Cancel,
        KeyCode::Enter => LineKey::Submit(line.text.trim().to_string()),
        KeyCode::Backspace => {
            line.text.pop();
            LineKey::Editing
        }
        KeyCode::Char('u')
            if key
                .modifiers
                .contains(crossterm::event::KeyModifiers::CONTROL) =>
        {
            line.text.clear();
            LineKey::Editing
        }
        KeyCode::Char(c) => {
            line.text.push(c);
            LineKey::Editing
        }
        _ => LineKey::Editing,
    }
}

impl App {
    /// A key while the composer has the screen.
    pub(crate) fn composer_key(&mut self, key: &KeyEvent) -> Vec<Cmd> {
        match std::mem::take(&mut self.composer.stage) {
            Stage::Addressing { start, mut line } => {
                let mailbox = self.model.mailbox.as_ref();
                let book = self.composer.settings.address_book.as_deref();
                // The people are gathered on the first Tab only: a big folder takes a moment.
                let find = |t: &str| {
                    let now = chrono::Utc::now().timestamp();
                    let rows = mailbox.into_iter().flat_map(|m| m.summaries.values());
                    completion::addresses(&People::from_summaries(rows, now), book, t)
                };
                match line_key(&mut line, key, find) {
                    LineKey::Editing => self.composer.stage = Stage::Addressing { start, line },
                    LineKey::Cancel => self.status.say("Cancelled"),
                    LineKey::Submit(text) => match parse_to(&text) {
                        Ok(to) => return self.fetch_original(start, to),
                        Err(e) => {
                            line.error = Some(e);
                            self.composer.stage = Stage::Addressing { start, line };
                        }
                    },
                }
                Vec::new()
            }
            Stage::Review(review) => self.review_key(review, key),
            // No keys reach tern while the editor runs; nothing to do for the other stages.
            other => {
                self.composer.stage = other;
                Vec::new()
            }
        }
    }

    fn review_key(&mut self, mut r: Review, key: &KeyEvent) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        if let Some(ask) = r.ask.take() {
            let yes = matches!(key.code, KeyCode::Char('y' | 'Y'));
            match ask {
                Ask::Abort if yes => {
                    match r.dir.remove() {
                        Ok(()) => self.status.say("Draft thrown away"),
                        Err(e) => self
                            .status
                            .complain(format!("Could not remove the draft: {e}")),
                    }
                    return Vec::new();
                }
                Ask::Resend { id, .. } if yes => {
                    self.composer.resend(id);
                    self.status.say("sending…");
                    // The answer names the message, not a request.
                    if let Some(Busy::Sending { req, .. }) = &mut r.busy {
                        *req = 0;
                    }
                }
                Ask::Abort => self.status.say("Kept"),
                Ask::Resend { .. } => {
                    r.busy = None;
                    self.status
                        .say("Not sent again; it stays in the outbox, and the draft here");
                }
            }
        } else if let Some((purpose, mut line)) = r.line.take() {
            let find = |t: &str| match purpose {
                LineFor::Attach => completion::paths(t),
                LineFor::Detach => Vec::new(),
            };
            match line_key(&mut line, key, find) {
                LineKey::Editing => r.line = Some((purpose, line)),
                LineKey::Cancel => {}
                LineKey::Submit(text) if text.is_empty() => {}
                LineKey::Submit(text) => match purpose {
                    LineFor::Attach => self.attach(&mut r, line, &text),
                    LineFor::Detach => self.detach(&mut r, line, &text),
                },
            }
        } else if let Some(busy) = &r.busy {
            self.status.say(match busy {
                Busy::Sending { .. } => "sending…",
                Busy::Postponing => "postponing…",
            });
        } else {
            match self.settings.keymap.review_action(key) {
                Some(Action::Send) => self.review_send(&mut r),
                Some(Action::Edit) => {
                    self.composer.edit(r.dir);
                    return Vec::new();
                }
                Some(Action::Attach) => r.line = Some((LineFor::Attach, LineEdit::default())),
                Some(Action::Detach) if r.attachments.is_empty() => {
                    self.status.say("There is nothing to detach")
                }
                Some(Action::Detach) => r.line = Some((LineFor::Detach, LineEdit::default())),
                Some(Action::Postpone) => cmds = self.review_postpone(&mut r),
                Some(Action::Abort) => r.ask = Some(Ask::Abort),
                Some(Action::Down) => r.scroll += 1,
                Some(Action::Up) => r.scroll = r.scroll.saturating_sub(1),
                Some(Action::PageDown) => r.scroll += self.review_page(),
                Some(Action::PageUp) => r.scroll = r.scroll.saturating_sub(self.review_page()),
                Some(Action::Top) => r.scroll = 0,
                Some(Action::Help) => self.overlays.show_help(),
                Some(Action::Quit) => self.quit = true,
                _ => {}
            }
        }
        self.composer.stage = Stage::Review(r);
        cmds
    }

    fn review_page(&self) -> usize {
        self.geometry.screen.height.saturating_sub(4).max(1) as usize
    }

    /// Attaches `text` (a path); the line comes back empty for another file.
    fn attach(&mut self, r: &mut Review, mut line: LineEdit, text: &str) {
        let path = crate::config::expand_home(text);
        if !path.exists() {
            line.error = Some(format!("{text}: no such file"));
            r.line = Some((LineFor::Attach, line));
            return;
        }
        match r.dir.attach(&path) {
            Ok(()) => {
                r.reload();
                let name = path
                    .file_name()
                    .map_or_else(|| text.to_string(), |n| n.to_string_lossy().into_owned());
                self.status
                    .say(format!("Attached {name}; another file, or Enter to stop"));
                r.line = Some((LineFor::Attach, LineEdit::default()));
            }
            Err(e) => {
                line.error = Some(e.to_string());
                r.line = Some((LineFor::Attach, line));
            }
        }
    }

    fn detach(&mut self, r: &mut Review, mut line: LineEdit, text: &str) {
        let n = text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=r.attachments.len()).contains(n));
        let Some(n) = n else {
            line.error = Some(format!("type a number from 1 to {}", r.attachments.len()));
            r.line = Some((LineFor::Detach, line));
            return;
        };
        let name = r.attachments[n - 1].name.clone();
        match r.dir.detach(n - 1) {
            Ok(()) => self.status.say(format!("Detached {name}")),
            Err(e) => self
                .status
                .complain(format!("Could not detach {name}: {e}")),
        }
        r.reload();
    }

    /// Builds the message and hands it to the send thread; a draft that does not parse stays
    /// here with the reason.
    fn review_send(&mut self, r: &mut Review) {
        match prepare(&r.dir) {
            Ok(p) => {
                let req = self.composer.submit(p.bytes);
                r.busy = Some(Busy::Sending {
                    req,
                    message_id: p.message_id,
                });
                r.problem = None;
                self.status.say("sending…");
            }
            Err(e) => {
                let why = match &e {
                    PrepareError::Draft(d) => d.to_string(),
                    PrepareError::Io(io) => io.to_string(),
                };
                self.status.complain(format!("Not sent: {why}"));
                r.problem = Some(why);
            }
        }
    }

    fn review_postpone(&mut self, r: &mut Review) -> Vec<Cmd> {
        let built = postpone::postponed_message(&r.dir).and_then(|b| Ok((b, r.dir.meta()?)));
        let (bytes, meta) = match built {
            Ok(x) => x,
            Err(e) => {
                self.status.complain(format!("Not postponed: {e}"));
                r.problem = Some(e.to_string());
                return Vec::new();
            }
        };
        let folder = self.drafts_folder();
        let req = self.requests.compose(ComposeReq::Postpone {
            dir: r.dir.clone(),
            meta,
        });
        r.busy = Some(Busy::Postponing);
        self.status.say(format!("Postponing to {}…", folder.name()));
        vec![followup::append_postponed(req, &folder, bytes)]
    }
}
