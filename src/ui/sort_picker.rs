//! The picker `sort` opens: the keys one a line, the cursor on the open folder's, and whether
//! the order is reversed. Up and Down (or j and k) choose, `r` reverses, Enter sorts, Esc
//! leaves the order as it was. The "first" modifiers stay as they are; `:sort` types them.

use crossterm::event::{KeyCode, KeyEvent};

use crate::model::sort::{SortKey, SortOrder};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortPicker {
    /// The order Enter picks: the key under the cursor, reversed or not.
    pub order: SortOrder,
}

/// What a key did to the picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortPick {
    Choosing,
    Cancel,
    Chosen(SortOrder),
}

impl SortPicker {
    pub fn new(order: SortOrder) -> SortPicker {
        SortPicker { order }
    }

    pub fn key(&mut self, key: &KeyEvent) -> SortPick {
        match key.code {
            KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => self.step(1),
            KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => self.step(-1),
            KeyCode::Char('r' | 'R' | ' ') => self.order.reverse = !self.order.reverse,
            KeyCode::Enter => return SortPick::Chosen(self.order),
            KeyCode::Esc | KeyCode::Char('q') => return SortPick::Cancel,
            _ => {}
        }
        SortPick::Choosing
    }

    /// The next (or previous) key, wrapping.
    fn step(&mut self, by: isize) {
        let keys: Vec<SortKey> = SortKey::all().collect();
        let at = keys.iter().position(|k| *k == self.order.key).unwrap_or(0);
        let next = (at as isize + by).rem_euclid(keys.len() as isize) as usize;
        self.order.key = keys[next];
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyModifiers;

    use super::*;

    fn press(p: &mut SortPicker, code: KeyCode) -> SortPick {
        p.key(&KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn keys_choose_reverse_and_wrap() {
        let start: SortOrder = "unread size".parse().unwrap();
        let mut p = SortPicker::new(start);
        press(&mut p, KeyCode::Char('j'));
        assert_eq!(p.order.key, SortKey::Date, "from the last key to the first");
        press(&mut p, KeyCode::Up);
        press(&mut p, KeyCode::Up);
        assert_eq!(p.order.key, SortKey::Subject);
        press(&mut p, KeyCode::Char('r'));
        let chosen = press(&mut p, KeyCode::Enter);
        assert_eq!(
            chosen,
            SortPick::Chosen("unread subject reverse".parse().unwrap())
        );
        assert_eq!(press(&mut p, KeyCode::Esc), SortPick::Cancel);
    }
}
