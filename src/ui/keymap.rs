//! The effective key table: key press → action, and action → keys for the help overlay.
//! The review screen's actions have a table of their own, so their keys (`y` sends) may mean
//! something else in the panes.

use std::collections::HashMap;

use crossterm::event::KeyEvent;

use crate::config::keys::{self, KeyChord, KeysTable};
use crate::ui::action::Action;

#[derive(Debug, Clone)]
pub struct Keymap {
    lookup: HashMap<KeyChord, Action>,
    review: HashMap<KeyChord, Action>,
}

impl Keymap {
    /// The defaults with `[keys]` on top (the config loader has already validated it).
    pub fn new(overrides: &KeysTable) -> Keymap {
        let (mut lookup, mut review) = (HashMap::new(), HashMap::new());
        for (name, chords) in keys::bindings(overrides) {
            if let Some(action) = Action::from_name(&name) {
                let table = if action.is_review() {
                    &mut review
                } else {
                    &mut lookup
                };
                table.extend(chords.into_iter().map(|c| (c, action)));
            }
        }
        Keymap { lookup, review }
    }

    /// The action of a key in the panes.
    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        self.lookup.get(&KeyChord::from_event(key)).copied()
    }

    /// The action of a key on the review screen: its own table first, then the panes' (for
    /// scrolling, help and quitting).
    pub fn review_action(&self, key: &KeyEvent) -> Option<Action> {
        let chord = KeyChord::from_event(key);
        self.review
            .get(&chord)
            .or_else(|| self.lookup.get(&chord))
            .copied()
    }

    /// Keys bound to `action`, sorted for a stable help screen.
    pub fn keys_for(&self, action: Action) -> Vec<String> {
        let table = if action.is_review() {
            &self.review
        } else {
            &self.lookup
        };
        let mut names: Vec<String> = table
            .iter()
            .filter(|(_, a)| **a == action)
            .map(|(k, _)| k.to_string())
            .collect();
        // Single characters first ("j" before "Down"), then alphabetical.
        names.sort_by_key(|n| (n.chars().count() > 1, n.clone()));
        names
    }
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::new(&KeysTable::new())
    }
}
