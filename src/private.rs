//! tern's own files hold mail text and logs of IMAP sessions: its directories are 0700 and
//! its files 0600, and ones left wider by an older version are tightened when tern starts.

use std::fs::{self, DirBuilder, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Creates `path` (and missing parents) 0700; an existing one is left as it is, because it may
/// be a directory the user chose for other things too.
pub fn create_dir(path: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(path)
}

/// Creates the file `path` 0600 if it does not exist, and tightens it if it does.
pub fn create_file(path: &Path) -> io::Result<()> {
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)?;
    tighten(path, 0o600)
}

/// tern's cache, state and data directories (`~/.cache/tern`, `~/.local/state/tern`,
/// `~/.local/share/tern`).
pub fn own_dirs() -> Vec<PathBuf> {
    let Some(dirs) = directories::ProjectDirs::from("", "", "tern") else {
        return Vec::new();
    };
    let mut out = vec![
        dirs.cache_dir().to_path_buf(),
        dirs.data_dir().to_path_buf(),
    ];
    out.extend(dirs.state_dir().map(Path::to_path_buf));
    out
}

/// Makes tern's own directories 0700 and every file directly in them 0600 (the demo's
/// mailbox below them is Dovecot's business). Missing ones are skipped.
pub fn tighten_own() {
    for dir in own_dirs() {
        if tighten(&dir, 0o700).is_err() {
            continue;
        }
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_file()) {
                let _ = tighten(&entry.path(), 0o600);
            }
        }
    }
}

/// Takes group and other permissions away from `path` (never following a symlink).
fn tighten(path: &Path, mode: u32) -> io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    if meta.permissions().mode() & 0o777 != mode {
        fs::set_permissions(path, Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_files_and_dirs_are_private_and_old_files_tightened() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        create_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&tmp.path().join("a")), 0o700);
        let file = dir.join("f");
        create_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        fs::set_permissions(&file, Permissions::from_mode(0o644)).unwrap();
        fs::write(&file, b"kept").unwrap();
        create_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(fs::read(&file).unwrap(), b"kept");
    }
}
