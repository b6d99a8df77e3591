//! Changes to the cache ([`Op`]), applied in one write transaction per batch, and the block
//! editing they share: rows live in blocks of consecutive UIDs, one redb value each.

use std::collections::BTreeMap;

use redb::ReadableTable;

use super::{BLOCKS, META, VIEWS, bodies, codec, db_err, drop_rows};
use crate::error::Result;
use crate::mime::Section;
use crate::msg::{Flags, Summary, Uid};

/// One change to the cache; [`Cache::apply`] runs a batch of them in one transaction.
#[derive(Debug)]
pub enum Op {
    /// Starts (or restarts) a folder's record: rows of another UIDVALIDITY are dropped.
    Begin {
        folder: String,
        uid_validity: u32,
    },
    /// Stores or replaces rows, already encoded.
    Put {
        folder: String,
        rows: Vec<(Uid, Vec<u8>)>,
    },
    Flags {
        folder: String,
        changes: Vec<(Uid, Flags)>,
    },
    Remove {
        folder: String,
        uids: Vec<Uid>,
    },
    /// The rows are current as of `highest_modseq`.
    Synced {
        folder: String,
        uid_validity: u32,
        highest_modseq: u64,
    },
    /// Keeps a message's structure and header block ([`Op::structure`] encodes them); past
    /// `bound` bytes of bodies, the least recently used go.
    Structure {
        folder: String,
        uid_validity: u32,
        uid: Uid,
        payload: Vec<u8>,
        bound: u64,
    },
    /// Keeps a part if the cached structure says it is body text and it fits.
    Part {
        folder: String,
        uid_validity: u32,
        uid: Uid,
        section: Section,
        bytes: Vec<u8>,
        bound: u64,
    },
    /// How the user lists a folder now, for the next time it is opened.
    View {
        folder: String,
        view: String,
    },
    /// A cached structure or part was read: it becomes the most recently used.
    Touch {
        folder: String,
        uid: Uid,
        item: String,
    },
}

impl Op {
    pub fn put(folder: &str, rows: &[Summary]) -> Op {
        Op::Put {
            folder: folder.into(),
            rows: rows.iter().map(|s| (s.uid, codec::encode_row(s))).collect(),
        }
    }

    pub(super) fn apply(&self, w: &redb::WriteTransaction) -> Result<()> {
        match self {
            Op::Begin {
                folder,
                uid_validity,
            } => {
                let mut meta = w.open_table(META).map_err(db_err)?;
                let known = meta
                    .get(folder.as_str())
                    .map_err(db_err)?
                    .map(|g| g.value());
                if known.map(|(v, _)| v) != Some(*uid_validity) {
                    drop_rows(w, folder)?;
                    bodies::drop_stale(w, folder, *uid_validity)?;
                    meta.insert(folder.as_str(), (*uid_validity, 0))
                        .map_err(db_err)?;
                }
                Ok(())
            }
            Op::Synced {
                folder,
                uid_validity,
                highest_modseq,
            } => {
                let mut meta = w.open_table(META).map_err(db_err)?;
                meta.insert(folder.as_str(), (*uid_validity, *highest_modseq))
                    .map_err(db_err)?;
                Ok(())
            }
            Op::Put { folder, rows } => edit_blocks(w, folder, rows.iter().map(|(u, _)| *u), |b| {
                for (uid, row) in rows {
                    if codec::block_of(*uid) == b.key {
                        b.rows.insert(*uid, row.clone());
                    }
                }
            }),
            Op::Flags { folder, changes } => {
                edit_blocks(w, folder, changes.iter().map(|(u, _)| *u), |b| {
                    for (uid, flags) in changes {
                        if let Some(row) = b.rows.get_mut(uid) {
                            codec::set_flags(row, *flags);
                        }
                    }
                })
            }
            Op::Remove { folder, uids } => {
                edit_blocks(w, folder, uids.iter().copied(), |b| {
                    for uid in uids {
                        b.rows.remove(uid);
                    }
                })?;
                bodies::drop_messages(w, folder, uids)
            }
            Op::Structure {
                folder,
                uid_validity,
                uid,
                payload,
                bound,
            } => bodies::store_structure(w, folder, *uid_validity, *uid, payload, *bound),
            Op::Part {
                folder,
                uid_validity,
                uid,
                section,
                bytes,
                bound,
            } => {
                bodies::store_part(w, folder, *uid_validity, *uid, section, bytes, *bound).map(drop)
            }
            Op::Touch { folder, uid, item } => bodies::touch(w, (folder, *uid, item)),
            Op::View { folder, view } => {
                let mut views = w.open_table(VIEWS).map_err(db_err)?;
                views
                    .insert(folder.as_str(), view.as_str())
                    .map_err(db_err)?;
                Ok(())
            }
        }
    }
}

/// One block's rows while it is being edited.
struct Block {
    key: u32,
    rows: BTreeMap<Uid, Vec<u8>>,
}

/// Reads each block holding one of `uids`, lets `edit` change its rows, writes it back (or
/// drops it when empty). A block that does not decode is dropped: its rows are fetched again
/// on the next sync.
fn edit_blocks(
    w: &redb::WriteTransaction,
    folder: &str,
    uids: impl Iterator<Item = Uid>,
    mut edit: impl FnMut(&mut Block),
) -> Result<()> {
    let mut keys: Vec<u32> = uids.map(codec::block_of).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut t = w.open_table(BLOCKS).map_err(db_err)?;
    for key in keys {
        let rows = {
            let stored = t.get((folder, key)).map_err(db_err)?;
            let split = stored
                .as_ref()
                .map(|v| codec::split(key, v.value()))
                .unwrap_or(Some(Vec::new()));
            split
                .unwrap_or_default()
                .into_iter()
                .map(|(u, r)| (u, r.to_vec()))
                .collect()
        };
        let mut block = Block { key, rows };
        edit(&mut block);
        if block.rows.is_empty() {
            t.remove((folder, key)).map_err(db_err)?;
        } else {
            let bytes = codec::join(block.rows.iter().map(|(u, r)| (*u, r.as_slice())));
            t.insert((folder, key), bytes.as_slice()).map_err(db_err)?;
        }
    }
    Ok(())
}
