//! The directory parts are copied to for the system viewer (`o`): one per run, made fresh
//! with an unpredictable name and mode 0700 (`tempfile`), so no other local user can have
//! made it first, read the copies or swap them; removed with everything in it when tern
//! exits. The files in it are created with `O_EXCL`/`O_NOFOLLOW` ([`save::write_new`]).

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::save;

#[derive(Default)]
pub struct ViewerDir(Option<tempfile::TempDir>);

impl ViewerDir {
    /// Writes a copy of a part named `name` (sanitised) and returns its path.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        let dir = match &mut self.0 {
            Some(dir) => dir,
            empty => empty.insert(
                tempfile::Builder::new()
                    .prefix("tern-")
                    .permissions(std::fs::Permissions::from_mode(0o700))
                    .tempdir()
                    .map_err(|e| Error::Io(format!("cannot create a private folder: {e}")))?,
            ),
        };
        save::write_new(None, dir.path(), name, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_go_to_a_fresh_private_folder_removed_at_the_end() {
        let (mut a, mut b) = (ViewerDir::default(), ViewerDir::default());
        let pa = a.write("report.pdf", b"one").unwrap();
        let pb = b.write("report.pdf", b"two").unwrap();
        let (da, db) = (pa.parent().unwrap(), pb.parent().unwrap());
        assert_ne!(da, db, "a folder of its own per run");
        assert_ne!(
            da.file_name().unwrap().to_string_lossy(),
            format!("tern-{}", std::process::id()),
            "not a name another user can guess"
        );
        let mode = std::fs::metadata(da).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        assert_eq!(std::fs::read(&pa).unwrap(), b"one");
        let again = a.write("report.pdf", b"three").unwrap();
        assert_ne!(again, pa, "an existing copy is never overwritten");
        let dir = da.to_path_buf();
        drop(a);
        assert!(!dir.exists(), "removed when tern is done");
    }
}
