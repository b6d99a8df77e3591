//! Key bindings as data: the default table (`assets/keymap.toml`), the `[keys]` table of the
//! config file on top of it, and the key names both are written in.
//!
//! Action names are checked against the default table, so a typo in `[keys]` is a config error
//! with its line, found when the file is loaded rather than when the key is pressed.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use toml::Spanned;

/// Every action with its default keys; the UI's help is generated from this plus the docs.
pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// One key or a list of keys, as `[keys]` accepts them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Binding {
    One(String),
    Many(Vec<String>),
}

impl Binding {
    fn names(&self) -> &[String] {
        match self {
            Binding::One(k) => std::slice::from_ref(k),
            Binding::Many(ks) => ks,
        }
    }
}

/// The `[keys]` table: action name → key(s), with where each value sits in the file.
pub type KeysTable = BTreeMap<String, Spanned<Binding>>;

/// A key with its modifiers, normalised so that the same press always compares equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyChord {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeyChord {
    /// Terminals report Shift with upper-case letters and BackTab but not consistently, so
    /// Shift is dropped there: "G" is the chord, not "S-G".
    pub fn from_event(ev: &KeyEvent) -> KeyChord {
        let mut mods = ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match ev.code {
            // Ctrl-letter arrives lower- or upper-case depending on the terminal.
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => other,
        };
        if !matches!(code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods |= ev.modifiers & KeyModifiers::SHIFT;
        }
        KeyChord { code, mods }
    }
}

const NAMED: &[(&str, KeyCode)] = &[
    ("Enter", KeyCode::Enter),
    ("Esc", KeyCode::Esc),
    ("Tab", KeyCode::Tab),
    ("BackTab", KeyCode::BackTab),
    ("Space", KeyCode::Char(' ')),
    ("Backspace", KeyCode::Backspace),
    ("Delete", KeyCode::Delete),
    ("Insert", KeyCode::Insert),
    ("Up", KeyCode::Up),
    ("Down", KeyCode::Down),
    ("Left", KeyCode::Left),
    ("Right", KeyCode::Right),
    ("Home", KeyCode::Home),
    ("End", KeyCode::End),
    ("PageUp", KeyCode::PageUp),
    ("PageDown", KeyCode::PageDown),
];

impl FromStr for KeyChord {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        // "C--" is Ctrl and '-', so a prefix only counts when something follows it.
        while rest.len() > 2 {
            let m = match &rest[..2] {
                "C-" => KeyModifiers::CONTROL,
                "A-" => KeyModifiers::ALT,
                "S-" => KeyModifiers::SHIFT,
                _ => break,
            };
            mods |= m;
            rest = &rest[2..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() => KeyCode::Char(c),
            _ => NAMED
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(rest))
                .map(|(_, c)| *c)
                .or_else(|| function_key(rest))
                .ok_or_else(|| {
                    format!("\"{s}\" is not a key; write a character, a name like Enter or PageDown, or C-x")
                })?,
        };
        if mods.contains(KeyModifiers::SHIFT) && matches!(code, KeyCode::Char(_)) {
            return Err(format!(
                "\"{s}\": write a shifted character as itself (\"G\", not \"S-g\")"
            ));
        }
        let press = KeyEvent::new(code, mods);
        Ok(KeyChord::from_event(&press))
    }
}

fn function_key(name: &str) -> Option<KeyCode> {
    let n: u8 = name.strip_prefix(['F', 'f'])?.parse().ok()?;
    (1..=12).contains(&n).then_some(KeyCode::F(n))
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (bit, prefix) in [
            (KeyModifiers::CONTROL, "C-"),
            (KeyModifiers::ALT, "A-"),
            (KeyModifiers::SHIFT, "S-"),
        ] {
            if self.mods.contains(bit) {
                f.write_str(prefix)?;
            }
        }
        if let Some((name, _)) = NAMED.iter().find(|(_, c)| *c == self.code) {
            return f.write_str(name);
        }
        match self.code {
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The built-in table: action name → keys. Parsed from a file in the binary, so failing here is
/// a build mistake that the unit tests catch, not something a user can cause.
fn defaults() -> BTreeMap<String, Binding> {
    toml::from_str(DEFAULT_KEYMAP).expect("assets/keymap.toml is valid (checked by a unit test)")
}

/// Checks `[keys]`: known action names and valid key names; errors read `line:col: …`.
pub fn validate(table: &KeysTable, text: &str) -> Result<(), String> {
    let known = defaults();
    for (action, binding) in table {
        let at = || {
            let (line, col) = super::line_col(text, binding.span().start);
            format!("{line}:{col}")
        };
        if !known.contains_key(action) {
            let names: Vec<&str> = known.keys().map(String::as_str).collect();
            return Err(format!(
                "{}: [keys] has no action \"{action}\"; actions are: {}",
                at(),
                names.join(", ")
            ));
        }
        for key in binding.get_ref().names() {
            key.parse::<KeyChord>()
                .map_err(|e| format!("{}: [keys] {action}: {e}", at()))?;
        }
    }
    Ok(())
}

/// The review screen's actions (shown after the editor): their keys are looked up there
/// only, so they may also mean something in the panes.
pub const REVIEW_ACTIONS: &[&str] = &["send", "edit", "attach", "detach", "postpone", "abort"];

/// Whether two actions' keys are looked up on the same screen.
fn same_screen(a: &str, b: &str) -> bool {
    REVIEW_ACTIONS.contains(&a) == REVIEW_ACTIONS.contains(&b)
}

/// Action name → keys: the defaults with `[keys]` applied. A key bound in `[keys]` is taken
/// away from every other action of the same screen, so one press never means two things.
pub fn bindings(table: &KeysTable) -> BTreeMap<String, Vec<KeyChord>> {
    let parse = |b: &Binding| -> Vec<KeyChord> {
        // validate() already refused bad names; skipping here keeps this infallible.
        b.names().iter().filter_map(|k| k.parse().ok()).collect()
    };
    let mut out: BTreeMap<String, Vec<KeyChord>> = defaults()
        .iter()
        .map(|(a, b)| (a.clone(), parse(b)))
        .collect();
    for (action, binding) in table {
        let keys = parse(binding.get_ref());
        for (other, bound) in out.iter_mut() {
            if other != action && same_screen(other, action) {
                bound.retain(|k| !keys.contains(k));
            }
        }
        out.insert(action.clone(), keys);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chord(s: &str) -> KeyChord {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_prints_key_names() {
        for name in [
            "j", "G", "?", ":", "Enter", "C-c", "A-x", "PageDown", "F5", "Space", "BackTab",
            "S-Up", "C--",
        ] {
            assert_eq!(chord(name).to_string(), name);
        }
        assert_eq!(chord("enter"), chord("Enter"));
        assert_eq!(chord("C-C"), chord("C-c"));
        assert!("S-g".parse::<KeyChord>().is_err());
        assert!("Ctrl".parse::<KeyChord>().is_err());
        assert!("F13".parse::<KeyChord>().is_err());
        assert!("".parse::<KeyChord>().is_err());
    }

    #[test]
    fn presses_match_parsed_chords() {
        let shifted = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(KeyChord::from_event(&shifted), chord("G"));
        let backtab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(KeyChord::from_event(&backtab), chord("BackTab"));
        let ctrl = KeyEvent::new(
            KeyCode::Char('C'),
            KeyModifiers::CONTROL | KeyModifiers::SHIFT,
        );
        assert_eq!(KeyChord::from_event(&ctrl), chord("C-c"));
    }

    #[test]
    fn default_table_is_valid() {
        for (action, binding) in defaults() {
            for k in binding.names() {
                assert!(k.parse::<KeyChord>().is_ok(), "{action}: {k}");
            }
        }
    }

    #[test]
    fn no_default_key_means_two_things() {
        let mut seen: std::collections::HashMap<(bool, KeyChord), String> = Default::default();
        for (action, keys) in bindings(&KeysTable::new()) {
            let review = REVIEW_ACTIONS.contains(&action.as_str());
            for k in keys {
                if let Some(other) = seen.insert((review, k), action.clone()) {
                    panic!("{k} is bound to both {other} and {action}");
                }
            }
        }
    }

    fn table(text: &str) -> KeysTable {
        #[derive(Deserialize)]
        struct T {
            keys: KeysTable,
        }
        toml::from_str::<T>(text).unwrap().keys
    }

    #[test]
    fn overrides_replace_and_steal_keys() {
        let b = bindings(&table("[keys]\ndown = [\"n\", \"k\"]\nhelp = []\n"));
        assert_eq!(b["down"], vec![chord("n"), chord("k")]);
        assert_eq!(b["up"], vec![chord("Up")]);
        assert!(b["help"].is_empty());
    }

    #[test]
    fn errors_name_the_line() {
        let text = "[keys]\ndown = \"j\"\nfly = \"x\"\n";
        let e = validate(&table(text), text).unwrap_err();
        assert!(e.starts_with("3:7:"), "{e}");
        assert!(e.contains("fly"), "{e}");
        let text = "[keys]\n\nup = [\"k\", \"Hyper-k\"]\n";
        let e = validate(&table(text), text).unwrap_err();
        assert!(e.starts_with("3:6:"), "{e}");
        assert!(e.contains("Hyper-k"), "{e}");
    }
}
