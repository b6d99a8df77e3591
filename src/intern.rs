//! One shared copy of each repeated string: a folder of 100 000 messages has a few thousand
//! distinct senders and recipients, so rows point at shared text instead of owning copies.

use std::sync::Arc;

/// Past this many distinct strings the table starts afresh: sharing is a saving, not a rule,
/// and a hostile server inventing a new sender per message must not grow it without bound.
const MAX_DISTINCT: usize = 1 << 16;

#[derive(Debug, Default)]
pub struct Interner {
    texts: foldhash::HashSet<Arc<str>>,
    /// Where the texts held live: a row whose name already is the shared copy (rows from the
    /// cache come shared) is recognised by address, without hashing the text.
    held: foldhash::HashSet<usize>,
}

impl Interner {
    /// The shared copy of `text`, made on first sight.
    pub fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.texts.get(text) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(text);
        self.remember(shared.clone());
        shared
    }

    /// Replaces `text` by the shared copy, keeping it as that copy if it is the first.
    pub fn share(&mut self, text: &mut Arc<str>) {
        if self.held.contains(&address(text)) {
            return;
        }
        match self.texts.get(&**text) {
            Some(shared) => *text = shared.clone(),
            None => self.remember(text.clone()),
        }
    }

    fn remember(&mut self, shared: Arc<str>) {
        if self.texts.len() >= MAX_DISTINCT {
            self.texts.clear();
            self.held.clear();
        }
        // Held in `texts`, so the address cannot be freed and reused while it is listed.
        self.held.insert(address(&shared));
        self.texts.insert(shared);
    }
}

fn address(text: &Arc<str>) -> usize {
    Arc::as_ptr(text).cast::<u8>() as usize
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
        assert!(i.texts.len() <= MAX_DISTINCT && i.held.len() <= MAX_DISTINCT);
    }
}
