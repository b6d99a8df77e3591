//! Message ids as 64-bit hashes, for what only compares them: threading, a conversation's
//! copies, folded threads' names. A folder's model keeps these instead of the ids' text
//! (8 bytes an id against ~30–60), which at 100 000 messages was ~4 MB of the TUI's memory.
//!
//! Two ids share a hash by chance about once in 10^19 pairs. One made on purpose to share
//! another's gains nothing: a sender can already put any thread's id in References.

use siphasher::sip::SipHasher13;

/// The hash of one bare id (no angle brackets). Never 0, which the compact store uses for
/// "no id".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdHash(u64);

/// Fixed keys: folded threads are remembered by these hashes across restarts, so they must
/// not change between runs or releases (SipHash's output is fixed by its specification).
const KEYS: (u64, u64) = (0x7465_726e_2d69_6473, 0x6d65_7373_6167_6573);

impl IdHash {
    pub fn of(id: &str) -> IdHash {
        let h = SipHasher13::new_with_keys(KEYS.0, KEYS.1).hash(id.as_bytes());
        IdHash(h.max(1))
    }

    /// The hash as stored; [`IdHash::from_raw`] reads it back.
    pub fn raw(self) -> u64 {
        self.0
    }

    /// A stored hash; 0 is none.
    pub fn from_raw(raw: u64) -> Option<IdHash> {
        (raw != 0).then_some(IdHash(raw))
    }
}

/// Written as 16 hex digits after `#`, as a folder's remembered folds keep it.
impl std::fmt::Display for IdHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{:016x}", self.0)
    }
}

impl std::str::FromStr for IdHash {
    type Err = ();

    fn from_str(s: &str) -> Result<IdHash, ()> {
        let hex = s.strip_prefix('#').filter(|h| h.len() == 16).ok_or(())?;
        let raw = u64::from_str_radix(hex, 16).map_err(|_| ())?;
        IdHash::from_raw(raw).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_fixed_and_read_back() {
        // A change here would unfold every thread a user folded: the value is part of the
        // cache's format.
        let h = IdHash::of("a@x");
        assert_eq!(h.raw(), 0x2b22_35ac_b9da_b533);
        assert_eq!(h.to_string(), format!("#{:016x}", h.raw()));
        assert_eq!(h, IdHash::of("a@x"));
        assert_ne!(h, IdHash::of("b@x"));
        assert_eq!(h.to_string().parse::<IdHash>(), Ok(h));
        for bad in [
            "",
            "#",
            "#0000000000000000",
            "#123",
            "1234567890abcdef",
            "#zzzzzzzzzzzzzzzz",
        ] {
            assert_eq!(bad.parse::<IdHash>(), Err(()), "{bad}");
        }
        assert_eq!(IdHash::from_raw(0), None);
    }
}
