//! The `?` overlay's content, generated from the effective keymap and the command list, so it
//! can never disagree with what the keys do. The view styles it and cuts it to the window.

use crate::ui::action::Action;
use crate::ui::keymap::Keymap;
use crate::ui::prompt::COMMANDS;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    /// Keys (or a command) and what they do.
    Entry {
        keys: String,
        doc: &'static str,
    },
    Blank,
    Heading(&'static str),
    /// A dimmed closing note.
    Legend(&'static str),
}

/// One line each; the view truncates, so the count does not depend on the width.
pub fn lines(keymap: &Keymap) -> Vec<HelpLine> {
    let entry = |keys: &str, doc| HelpLine::Entry {
        keys: keys.to_string(),
        doc,
    };
    let mut out = Vec::new();
    for action in Action::ALL {
        let keys = keymap.keys_for(*action);
        let keys = if keys.is_empty() {
            "(unbound)".to_string()
        } else {
            keys.join(" ")
        };
        out.push(entry(&keys, action.doc()));
    }
    out.push(entry("C-c", "Always quits, whatever the keymap says"));
    out.push(entry(
        "N then a key",
        "A number before a movement repeats it; before Enter, opens link N",
    ));
    out.push(entry(
        "y at a question",
        "Answers yes (expunge, delete folder); any other key cancels",
    ));
    out.push(entry(
        "In the picker",
        "Type letters of the folder name; Up/Down choose, Enter picks, Esc cancels",
    ));
    out.push(HelpLine::Blank);
    out.push(HelpLine::Heading("Commands (type : first)"));
    for (cmd, doc) in COMMANDS {
        out.push(entry(cmd, doc));
    }
    out.push(HelpLine::Blank);
    out.push(HelpLine::Legend(
        "List flags: * tagged · N new · F flagged · A answered · D deleted · @ attachments",
    ));
    out
}
