//! One shared copy of each repeated string: a folder of 100 000 messages has a few thousand
//! distinct senders and recipients, so rows point at shared text instead of owning copies.

use std::sync::Arc;

/// Past this many distinct strings the table starts afresh: sharing is a saving, not a rule,
/// and a hostile server inventing a new sender per message must not grow it without bound.
const MAX_DISTINCT: usize = 1 << 16;

#[derive(Debug, Default)]
pub struct Interner(foldhash::HashSet<Arc<str>>);

impl Interner {
    /// The shared copy of `text`, made on first sight.
    pub fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(text) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(text);
        self.remember(shared.clone());
        shared
    }

    /// Replaces `text` by the shared copy, keeping it as that copy if it is the first.
    pub fn share(&mut self, text: &mut Arc<str>) {
        match self.0.get(&**text) {
            Some(shared) => *text = shared.clone(),
            None => self.remember(text.clone()),
        }
    }

    fn remember(&mut self, shared: Arc<str>) {
        if self.0.len() >= MAX_DISTINCT {
            self.0.clear();
        }
        self.0.insert(shared);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_share_one_allocation() {
        let mut i = Interner::default();
        let a = i.get("Ann <ann@example.com>");
        let mut b: Arc<str> = Arc::from("Ann <ann@example.com>");
        i.share(&mut b);
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &i.get("Bob")));
        // A copy made elsewhere with the same text is replaced; the shared one is kept.
        let mut c = a.clone();
        i.share(&mut c);
        assert!(Arc::ptr_eq(&a, &c));
        let mut d: Arc<str> = Arc::from("Bob");
        i.share(&mut d);
        assert!(Arc::ptr_eq(&d, &i.get("Bob")));
    }

    #[test]
    fn the_table_is_bounded() {
        let mut i = Interner::default();
        for n in 0..MAX_DISTINCT + 10 {
            i.get(&n.to_string());
        }
        assert!(i.0.len() <= MAX_DISTINCT);
    }
}
