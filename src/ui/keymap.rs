//! The effective key table: key press → action, and action → keys for the help overlay.

use std::collections::HashMap;

use crossterm::event::KeyEvent;

use crate::config::keys::{self, KeyChord, KeysTable};
use crate::ui::action::Action;

#[derive(Debug, Clone)]
pub struct Keymap {
    lookup: HashMap<KeyChord, Action>,
}

impl Keymap {
    /// The defaults with `[keys]` on top (the config loader has already validated it).
    pub fn new(overrides: &KeysTable) -> Keymap {
        let mut lookup = HashMap::new();
        for (name, chords) in keys::bindings(overrides) {
            if let Some(action) = Action::from_name(&name) {
                lookup.extend(chords.into_iter().map(|c| (c, action)));
            }
        }
        Keymap { lookup }
    }

    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        self.lookup.get(&KeyChord::from_event(key)).copied()
    }

    /// Keys bound to `action`, sorted for a stable help screen.
    pub fn keys_for(&self, action: Action) -> Vec<String> {
        let mut names: Vec<String> = self
            .lookup
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
