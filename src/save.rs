//! Writing a part to disk with the rules every front end shares (`tern save`, `s` in the
//! attachment pane): the decoded content (raw for a multipart or an attached message), a
//! sanitised name, and never overwriting a file.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::mime::{Part, create_unique, decode_bytes, safe_filename};

/// The bytes `tern save` writes for `part`, given its raw (transfer-encoded) fetch.
pub fn content(part: &Part, raw: &[u8]) -> Vec<u8> {
    if part.is_multipart() || part.mime_type == "message/rfc822" {
        raw.to_vec()
    } else {
        decode_bytes(part, raw)
    }
}

/// The file name a part is saved under when no path is given.
pub fn file_name(part: &Part) -> String {
    safe_filename(part.filename.as_deref(), &part.section, &part.mime_type)
}

/// Writes `bytes` to a file that did not exist before: `output` exactly (refused if it
/// exists), or a fresh name inside `output` when it is a directory, else inside `download_dir`.
pub fn write_new(
    output: Option<&Path>,
    download_dir: &Path,
    name: &str,
    bytes: &[u8],
) -> Result<PathBuf> {
    let write_err =
        |p: &Path, e: std::io::Error| Error::Io(format!("cannot write {}: {e}", p.display()));
    let (path, mut file) = match output {
        Some(p) if !p.is_dir() => {
            missing_dir(p)?;
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .custom_flags(libc::O_NOFOLLOW)
                .open(p)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => Error::Io(format!(
                        "{} already exists; not overwriting it",
                        p.display()
                    )),
                    _ => write_err(p, e),
                })?;
            (p.to_path_buf(), file)
        }
        other => {
            let dir = other.unwrap_or(download_dir);
            std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
            create_unique(dir, name).map_err(|e| write_err(dir, e))?
        }
    };
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(|e| write_err(&path, e))?;
    Ok(path)
}

/// Names the directory that is missing, rather than the OS's "No such file or directory".
fn missing_dir(p: &Path) -> Result<()> {
    let missing = if p.as_os_str().as_encoded_bytes().ends_with(b"/") {
        Some(p)
    } else {
        p.parent()
            .filter(|d| !d.as_os_str().is_empty() && !d.is_dir())
    };
    match missing {
        Some(d) => Err(Error::NotFound(format!(
            "no such directory: {}",
            d.display()
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let a = write_new(None, dir.path(), "a.txt", b"one").unwrap();
        let b = write_new(None, dir.path(), "a.txt", b"two").unwrap();
        assert_eq!(a, dir.path().join("a.txt"));
        assert_eq!(b, dir.path().join("a (1).txt"));
        assert_eq!(std::fs::read(&a).unwrap(), b"one");

        let refused = write_new(Some(&a), dir.path(), "x", b"three").unwrap_err();
        assert!(refused.to_string().contains("not overwriting"), "{refused}");
        assert_eq!(std::fs::read(&a).unwrap(), b"one");

        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let c = write_new(Some(&sub), dir.path(), "a.txt", b"four").unwrap();
        assert_eq!(c, sub.join("a.txt"));
    }

    #[test]
    fn a_missing_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("missing/dir/");
        let err = write_new(Some(&gone), dir.path(), "a.txt", b"x").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("no such directory: {}", gone.display())
        );
        let file = dir.path().join("missing/a.txt");
        let err = write_new(Some(&file), dir.path(), "a.txt", b"x").unwrap_err();
        let parent = dir.path().join("missing");
        assert_eq!(
            err.to_string(),
            format!("no such directory: {}", parent.display())
        );
        assert!(!parent.exists());
    }
}
