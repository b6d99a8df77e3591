//! How a folder is listed ([`View`]) and the words the header cache keeps it as, so that a
//! folder comes back sorted, threaded and folded as it was left.
//!
//! The words: the sort order, then `threads` when threaded, `folded` when every thread is
//! folded, then the threads folded (or, with `folded`, unfolded) one by one, each named by
//! the hash of an id ([`IdHash`], `date threads #0123456789abcdef`; before the model kept
//! hashes, the id itself in brackets, `<a@x>`, which is still read). A thread is named by its
//! root's id, which a restart keeps where UIDs of placeholder roots do not exist
//! ([`Mailbox::thread_name`](super::Mailbox::thread_name)).

use super::sort::SortOrder;
use crate::msg::id_hash::IdHash;
use crate::msg::id_text::is_id;

/// How a folder is listed: its sort order, whether as conversations, and which are folded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct View {
    pub order: SortOrder,
    pub threads: bool,
    pub folds: Folded,
}

/// Which threads of a folder are folded, as remembered across restarts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Folded {
    /// Every thread is folded, except those in `ids`; else only those in `ids`.
    pub all: bool,
    /// Names of the threads folded (or unfolded) against `all`, oldest first, at most
    /// [`MAX_FOLDED`].
    ids: Vec<IdHash>,
}

/// Threads remembered folded one by one per folder: the oldest go first, so a folder's words
/// stay under ~5 KB.
pub const MAX_FOLDED: usize = 256;

impl Folded {
    /// Every thread folded, or none.
    pub fn new(all: bool) -> Folded {
        Folded {
            all,
            ids: Vec::new(),
        }
    }

    /// The named threads, oldest first.
    pub fn ids(&self) -> &[IdHash] {
        &self.ids
    }

    pub fn is_empty(&self) -> bool {
        !self.all && self.ids.is_empty()
    }

    /// Remembers `id` (last); the oldest is forgotten past [`MAX_FOLDED`].
    pub fn insert(&mut self, id: IdHash) {
        self.ids.retain(|i| *i != id);
        if self.ids.len() >= MAX_FOLDED {
            self.ids.remove(0);
        }
        self.ids.push(id);
    }

    pub fn remove(&mut self, id: IdHash) {
        self.ids.retain(|i| *i != id);
    }

    pub fn contains(&self, id: IdHash) -> bool {
        self.ids.contains(&id)
    }
}

impl std::fmt::Display for View {
    /// The words [`View::from_str`] reads back, as the cache keeps them
    /// (`size reverse threads folded <a@x>`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.order)?;
        if self.threads {
            f.write_str(" threads")?;
        }
        if self.folds.all {
            f.write_str(" folded")?;
        }
        for id in &self.folds.ids {
            write!(f, " {id}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for View {
    type Err = String;

    /// Reads [`View`]'s words. The sort order must be right; a fold name that is neither a
    /// hash nor a valid id is skipped, and only the last [`MAX_FOLDED`] are kept: the cache
    /// file is tern's, but a damaged one must not cost more than its folds.
    fn from_str(s: &str) -> Result<View, String> {
        let mut view = View::default();
        let mut order = Vec::new();
        for w in s.split_whitespace() {
            match w {
                "threads" => view.threads = true,
                "folded" => view.folds.all = true,
                _ if w.starts_with('#') => {
                    if let Ok(id) = w.parse() {
                        view.folds.insert(id);
                    }
                }
                // Half a name split by a blank is skipped too, not taken for the order.
                _ if w.starts_with('<') || w.ends_with('>') => {
                    let id = w.strip_prefix('<').and_then(|w| w.strip_suffix('>'));
                    if let Some(id) = id.filter(|id| is_id(id)) {
                        view.folds.insert(IdHash::of(id));
                    }
                }
                _ => order.push(w),
            }
        }
        view.order = order.join(" ").parse()?;
        Ok(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::id_text::MAX_ID;

    fn h(id: &str) -> IdHash {
        IdHash::of(id)
    }

    #[test]
    fn words_round_trip() {
        let mut folds = Folded::new(true);
        folds.insert(h("a@x"));
        folds.insert(h("项目@例子.cn"));
        let view = View {
            order: "size reverse".parse().unwrap(),
            threads: true,
            folds,
        };
        let words = view.to_string();
        assert_eq!(
            words,
            format!(
                "size reverse threads folded {} {}",
                h("a@x"),
                h("项目@例子.cn")
            )
        );
        assert_eq!(words.parse::<View>(), Ok(view));
        for plain in ["date", "date threads", "size reverse threads"] {
            assert_eq!(plain.parse::<View>().unwrap().to_string(), plain);
        }
    }

    #[test]
    fn words_from_before_folds_were_remembered_or_hashed_still_read() {
        let view: View = "subject threads".parse().unwrap();
        assert!(view.threads && view.folds.is_empty());
        let view: View = "date threads <a@x> <b@x>".parse().unwrap();
        assert_eq!(view.folds.ids(), [h("a@x"), h("b@x")]);
    }

    #[test]
    fn hostile_fold_names_are_skipped_and_the_order_kept() {
        let long = format!("<{}>", "x".repeat(MAX_ID + 1));
        let fine = "y".repeat(MAX_ID);
        let words = format!(
            "date threads <> <a b> <<c@x>> <d@x {long} <\u{202e}e@x> <ok@x\u{7}> <{fine}> \
             # #12 #zzzzzzzzzzzzzzzz <f@x>"
        );
        let view: View = words.parse().unwrap();
        assert_eq!(view.folds.ids(), [h(&fine), h("f@x")]);
        assert_eq!(view.order, "date".parse().unwrap());
        assert!("bogus threads <a@x>".parse::<View>().is_err());
    }

    #[test]
    fn only_the_newest_folds_are_kept() {
        let words: String = std::iter::once("date threads".to_string())
            .chain((0..MAX_FOLDED + 50).map(|i| format!("<{i}@x>")))
            .collect::<Vec<_>>()
            .join(" ");
        let view: View = words.parse().unwrap();
        assert_eq!(view.folds.ids().len(), MAX_FOLDED);
        assert_eq!(view.folds.ids()[0], h("50@x"));
        assert!(view.folds.contains(h(&format!("{}@x", MAX_FOLDED + 49))));

        let mut folds = Folded::default();
        folds.insert(h("a@x"));
        folds.insert(h("b@x"));
        folds.insert(h("a@x"));
        assert_eq!(folds.ids(), [h("b@x"), h("a@x")], "folded again: newest");
        folds.remove(h("b@x"));
        assert_eq!(folds.ids(), [h("a@x")]);
    }
}
