//! Drafts on disk: one private directory per draft under tern's state directory
//! (`~/.local/state/tern/drafts/<id>/`, 0700), holding `draft.txt` (what the editor opens),
//! `meta.toml` (the sidecar) and `parts/` (attachments carried from an original), all 0600.
//! A draft stays until it is sent or explicitly aborted, so nothing typed is lost to a crash.

use std::fs::{self, DirBuilder, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::build::{Outgoing, guess_type};
use super::draft::Draft;
use super::meta::{AttachmentRef, Meta};
use super::original::Attachment;
use crate::error::{Error, Result};
use crate::mime::Section;
use crate::mime::safe_filename;

const TEXT: &str = "draft.txt";
const META: &str = "meta.toml";
const PARTS: &str = "parts";

/// The drafts directory.
#[derive(Debug, Clone)]
pub struct DraftStore {
    dir: PathBuf,
}

/// One draft's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftDir {
    pub path: PathBuf,
}

fn io(what: &Path, e: std::io::Error) -> Error {
    Error::Io(format!("draft {}: {e}", what.display()))
}

fn make_private_dir(path: &Path) -> Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|e| io(path, e))?;
    // An existing directory keeps its mode; tighten it.
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700)).map_err(|e| io(path, e))
}

/// Writes `bytes` to `path` through a synced temporary file and a rename, so a crash leaves
/// the old content or the new, never half of it.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| io(&tmp, e))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| io(path, e))
}

impl DraftStore {
    /// `$XDG_STATE_HOME/tern/drafts`.
    pub fn default_dir() -> Option<PathBuf> {
        crate::logging::log_dir().map(|d| d.join("drafts"))
    }

    pub fn open(dir: &Path) -> Result<DraftStore> {
        make_private_dir(dir)?;
        Ok(DraftStore {
            dir: dir.to_path_buf(),
        })
    }

    /// Writes a new draft with its sidecar and the carried attachments; returns its directory.
    pub fn create(&self, draft: &Draft, meta: &Meta, carried: &[Attachment]) -> Result<DraftDir> {
        let name = meta.id_local.replace(['/', '.'], "-");
        let dir = DraftDir {
            path: self.dir.join(name),
        };
        make_private_dir(&dir.path)?;
        let mut meta = meta.clone();
        if !carried.is_empty() {
            let parts = dir.path.join(PARTS);
            make_private_dir(&parts)?;
            for (i, a) in carried.iter().enumerate() {
                // The index keeps equal names apart; the name is for a human looking in.
                let section = Section {
                    path: vec![(i + 1) as u32],
                    text: false,
                };
                let file = format!(
                    "{}-{}",
                    i + 1,
                    safe_filename(Some(&a.name), &section, &a.mime_type)
                );
                write_private(&parts.join(&file), &a.bytes)?;
                meta.attachments.push(AttachmentRef {
                    path: Path::new(PARTS).join(file),
                    name: Some(a.name.clone()),
                    mime_type: Some(a.mime_type.clone()),
                });
            }
        }
        dir.save_meta(&meta)?;
        dir.save_text(&draft.to_text())?;
        Ok(dir)
    }

    /// Drafts left from earlier runs, oldest first.
    pub fn list(&self) -> Result<Vec<DraftDir>> {
        let mut found = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(|e| io(&self.dir, e))? {
            let path = entry.map_err(|e| io(&self.dir, e))?.path();
            if path.join(TEXT).is_file() {
                let modified = fs::metadata(path.join(TEXT))
                    .and_then(|m| m.modified())
                    .ok();
                found.push((modified, DraftDir { path }));
            }
        }
        found.sort_by_key(|(modified, _)| *modified);
        Ok(found.into_iter().map(|(_, d)| d).collect())
    }
}

impl DraftDir {
    /// The file the editor opens.
    pub fn text_path(&self) -> PathBuf {
        self.path.join(TEXT)
    }

    pub fn text(&self) -> Result<String> {
        let p = self.text_path();
        let bytes = fs::read(&p).map_err(|e| io(&p, e))?;
        // Whatever an editor saved is kept; invalid UTF-8 is shown, not refused.
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    pub fn save_text(&self, text: &str) -> Result<()> {
        write_private(&self.text_path(), text.as_bytes())
    }

    pub fn meta(&self) -> Result<Meta> {
        let p = self.path.join(META);
        let text = fs::read_to_string(&p).map_err(|e| io(&p, e))?;
        toml::from_str(&text).map_err(|e| Error::Io(format!("draft {}: {e}", p.display())))
    }

    pub fn save_meta(&self, meta: &Meta) -> Result<()> {
        let text = toml::to_string(meta).map_err(|e| Error::Io(format!("draft sidecar: {e}")))?;
        write_private(&self.path.join(META), text.as_bytes())
    }

    /// An attachment's file: relative paths are inside the draft.
    pub fn attachment_path(&self, a: &AttachmentRef) -> PathBuf {
        if a.path.is_absolute() {
            a.path.clone()
        } else {
            self.path.join(&a.path)
        }
    }

    /// Every attachment's content, read now.
    pub fn load_attachments(&self, meta: &Meta) -> Result<Vec<Outgoing>> {
        meta.attachments
            .iter()
            .map(|a| {
                let path = self.attachment_path(a);
                let bytes = fs::read(&path)
                    .map_err(|e| Error::Io(format!("attachment {}: {e}", path.display())))?;
                let name = a.shown_name();
                let mime_type = a
                    .mime_type
                    .clone()
                    .unwrap_or_else(|| guess_type(&name, &bytes));
                Ok(Outgoing {
                    name,
                    mime_type,
                    bytes,
                })
            })
            .collect()
    }

    /// Adds a file to attach (read when sending); refused if it cannot be read now.
    pub fn attach(&self, file: &Path) -> Result<()> {
        let file = fs::canonicalize(file).map_err(|e| io(file, e))?;
        if !file.is_file() {
            return Err(Error::Io(format!("{} is not a file", file.display())));
        }
        let mut meta = self.meta()?;
        meta.attachments.push(AttachmentRef {
            path: file,
            name: None,
            mime_type: None,
        });
        self.save_meta(&meta)
    }

    /// Removes attachment `index` (0-based) from the draft; a carried copy is deleted.
    pub fn detach(&self, index: usize) -> Result<()> {
        let mut meta = self.meta()?;
        if index >= meta.attachments.len() {
            return Err(Error::NotFound(format!("no attachment {}", index + 1)));
        }
        let removed = meta.attachments.remove(index);
        self.save_meta(&meta)?;
        if removed.path.is_relative() {
            let _ = fs::remove_file(self.attachment_path(&removed));
        }
        Ok(())
    }

    /// The draft is gone for good: sent, or aborted by the user.
    pub fn remove(self) -> Result<()> {
        fs::remove_dir_all(&self.path).map_err(|e| io(&self.path, e))
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::compose::address::Mailbox;
    use crate::compose::meta::new_id_local;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn drafts_are_private_and_complete() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DraftStore::open(&tmp.path().join("drafts")).unwrap();
        let mut draft = Draft::new(Mailbox::new(None, "a@x.org"));
        draft.to.push(Mailbox::new(None, "b@x.org"));
        draft.body = "hello\n".into();
        let meta = Meta {
            id_local: new_id_local(),
            ..Meta::default()
        };
        let carried = [Attachment {
            name: "../../etc/passwd".into(),
            mime_type: "text/plain".into(),
            bytes: b"x".to_vec(),
        }];
        let dir = store.create(&draft, &meta, &carried).unwrap();
        assert_eq!(mode(&tmp.path().join("drafts")), 0o700);
        assert_eq!(mode(&dir.path), 0o700);
        assert_eq!(mode(&dir.text_path()), 0o600);
        assert_eq!(mode(&dir.path.join(META)), 0o600);
        assert_eq!(Draft::parse(&dir.text().unwrap()).unwrap(), draft);
        let m = dir.meta().unwrap();
        assert_eq!(m.attachments.len(), 1);
        let part = dir.attachment_path(&m.attachments[0]);
        assert!(part.starts_with(&dir.path), "{}", part.display());
        assert_eq!(fs::read(&part).unwrap(), b"x");
        assert_eq!(mode(&part), 0o600);
        assert_eq!(store.list().unwrap(), std::slice::from_ref(&dir));

        let extra = tmp.path().join("notes.txt");
        fs::write(&extra, "n").unwrap();
        dir.attach(&extra).unwrap();
        assert!(dir.attach(&tmp.path().join("missing")).is_err());
        assert_eq!(dir.meta().unwrap().attachments.len(), 2);
        dir.detach(0).unwrap();
        assert!(!part.exists());
        assert!(dir.detach(5).is_err());
        dir.clone().remove().unwrap();
        assert!(store.list().unwrap().is_empty());
    }
}
