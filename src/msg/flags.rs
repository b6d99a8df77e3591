//! Message flags, kept as bits, and changes to them.

use super::{Folder, Uid};

/// An IMAP system flag (RFC 3501 2.3.2). Keywords are not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flag {
    Seen,
    Answered,
    Flagged,
    Deleted,
    Draft,
    Recent,
}

impl Flag {
    /// Every system flag, in the order tern prints them.
    pub const ALL: [Flag; 6] = [
        Flag::Seen,
        Flag::Answered,
        Flag::Flagged,
        Flag::Deleted,
        Flag::Draft,
        Flag::Recent,
    ];

    /// The one table of IMAP spellings.
    pub const fn imap_name(self) -> &'static str {
        match self {
            Flag::Seen => "\\Seen",
            Flag::Answered => "\\Answered",
            Flag::Flagged => "\\Flagged",
            Flag::Deleted => "\\Deleted",
            Flag::Draft => "\\Draft",
            Flag::Recent => "\\Recent",
        }
    }

    /// The flag an IMAP name stands for (names are case-insensitive); None for keywords.
    pub fn from_imap(name: &[u8]) -> Option<Flag> {
        Flag::ALL
            .into_iter()
            .find(|f| f.imap_name().as_bytes().eq_ignore_ascii_case(name))
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A set of system flags in one byte, so a summary stays small.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Flags(u8);

/// Six flags use six bits: every bit set is no set of them, so it can mark an empty slot.
impl super::uid_map::Slot for Flags {
    const EMPTY: Flags = Flags(u8::MAX);
}

impl Flags {
    pub const NONE: Flags = Flags(0);

    pub const fn has(self, flag: Flag) -> bool {
        self.0 & flag.bit() != 0
    }

    pub const fn with(self, flag: Flag) -> Flags {
        Flags(self.0 | flag.bit())
    }

    pub const fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    pub const fn minus(self, other: Flags) -> Flags {
        Flags(self.0 & !other.0)
    }

    /// The flags held, in [`Flag::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Flag> {
        Flag::ALL.into_iter().filter(move |f| self.has(*f))
    }

    /// IMAP spelling, in a fixed order: `\Seen \Answered \Flagged \Deleted \Draft \Recent`.
    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(Flag::imap_name).collect()
    }

    /// The byte the cache stores; [`Flags::from_byte`] reads it back.
    pub const fn to_byte(self) -> u8 {
        self.0
    }

    /// Bits no flag stands for are dropped.
    pub const fn from_byte(byte: u8) -> Flags {
        Flags(byte & ((1 << Flag::ALL.len()) - 1))
    }
}

impl From<Flag> for Flags {
    fn from(flag: Flag) -> Flags {
        Flags::NONE.with(flag)
    }
}

impl FromIterator<Flag> for Flags {
    fn from_iter<I: IntoIterator<Item = Flag>>(flags: I) -> Flags {
        flags.into_iter().fold(Flags::NONE, Flags::with)
    }
}

impl std::ops::BitOr<Flag> for Flag {
    type Output = Flags;
    fn bitor(self, other: Flag) -> Flags {
        Flags::from(self).with(other)
    }
}

impl std::ops::BitOr<Flag> for Flags {
    type Output = Flags;
    fn bitor(self, other: Flag) -> Flags {
        self.with(other)
    }
}

/// Add or remove `flags` on exactly `uids` of `folder`: what the UI asks for
/// ([`Cmd::Store`]), the worker stores and the model applies once confirmed ([`Event::Stored`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagChange {
    pub folder: Folder,
    pub uids: Vec<Uid>,
    pub add: bool,
    pub flags: Flags,
}

impl FlagChange {
    /// What a message's flags `f` become.
    pub fn apply(&self, f: Flags) -> Flags {
        if self.add {
            f.union(self.flags)
        } else {
            f.minus(self.flags)
        }
    }

    /// The change that undoes this one (for the messages it really changed).
    pub fn inverse(&self) -> FlagChange {
        FlagChange {
            add: !self.add,
            ..self.clone()
        }
    }
}
