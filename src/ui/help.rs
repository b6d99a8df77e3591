//! The `?` overlay's content, generated from the effective keymap and the command list, so it
//! can never disagree with what the keys do, and laid out for the window's width: a long
//! description wraps under itself. The view styles it.

use crate::mime::sanitize::{text_width, truncate_width};
use crate::ui::action::Action;
use crate::ui::keymap::Keymap;
use crate::ui::prompt::COMMANDS;
use crate::ui::wrap::wrap;

/// Widest the keys column gets; narrow windows give it a third.
const KEYS_W: usize = 22;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    /// Keys (or a command) and what they do; a wrapped description goes on with empty keys.
    Entry {
        keys: String,
        doc: String,
    },
    Blank,
    Heading(&'static str),
    /// A dimmed closing note.
    Legend(&'static str),
}

/// The keys column's width in a help body `width` columns wide.
pub fn keys_width(width: usize) -> usize {
    KEYS_W.min(width / 3)
}

/// The help as shown in a body `width` columns wide: descriptions wrapped to the room the
/// keys leave, so scrolling knows every line.
pub fn layout(keymap: &Keymap, width: usize) -> Vec<HelpLine> {
    let room = width.saturating_sub(keys_width(width) + 1).max(1);
    let mut out = Vec::new();
    for line in lines(keymap) {
        match line {
            HelpLine::Entry { keys, doc } if text_width(&doc) > room => {
                for (i, piece) in wrap(&doc, room).into_iter().enumerate() {
                    let keys = if i == 0 { keys.clone() } else { String::new() };
                    out.push(HelpLine::Entry {
                        keys,
                        doc: truncate_width(&piece, room),
                    });
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// One line each, before wrapping.
fn lines(keymap: &Keymap) -> Vec<HelpLine> {
    let entry = |keys: &str, doc: &str| HelpLine::Entry {
        keys: keys.to_string(),
        doc: doc.to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_descriptions_wrap_under_themselves() {
        let keymap = Keymap::default();
        let narrow = layout(&keymap, 40);
        assert!(narrow.len() > lines(&keymap).len());
        let words = |l: &[HelpLine]| -> String {
            l.iter()
                .filter_map(|l| match l {
                    HelpLine::Entry { doc, .. } => Some(doc.as_str()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let whole = words(&lines(&keymap));
        assert_eq!(
            words(&narrow).split_whitespace().collect::<Vec<_>>(),
            whole.split_whitespace().collect::<Vec<_>>()
        );
        for l in &narrow {
            if let HelpLine::Entry { doc, .. } = l {
                assert!(text_width(doc) < 40 - keys_width(40), "{doc}");
            }
        }
    }
}
