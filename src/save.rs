//! Writing a part to disk with the rules every front end shares (`tern save`, `s` in the
//! attachment pane): the decoded content (raw for a multipart or an attached message), a
//! sanitised name, and never overwriting a file.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::mime::{Decoder, Part, create_unique, decode_bytes, safe_filename};
use crate::msg::SaveTo;

/// The bytes `tern save` writes for `part`, given its raw (transfer-encoded) fetch.
pub fn content(part: &Part, raw: &[u8]) -> Vec<u8> {
    if is_raw(part) {
        raw.to_vec()
    } else {
        decode_bytes(part, raw)
    }
}

/// A multipart or an attached message is saved as the server sends it.
fn is_raw(part: &Part) -> bool {
    part.is_multipart() || part.mime_type == "message/rfc822"
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
    let (path, mut file) = create_new(output, download_dir, name)?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(|e| write_err(&path, e))?;
    Ok(path)
}

fn write_err(p: &Path, e: std::io::Error) -> Error {
    Error::Io(format!("cannot write {}: {e}", p.display()))
}

/// The file [`write_new`] writes, opened and empty.
fn create_new(output: Option<&Path>, download_dir: &Path, name: &str) -> Result<(PathBuf, File)> {
    Ok(match output {
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
    })
}

/// Decoded bytes gathered before a write: few system calls, little memory.
const WRITE_CHUNK: usize = 256 << 10;

/// A part written as it arrives (`tern save`, `s` for a part not in memory): decoded on the
/// way, with the rules of [`write_new`]. A file not [`finish`](PartWriter::finish)ed (a
/// cancelled or failed save) is removed, so no partial file is ever left behind.
pub struct PartWriter {
    out: Box<dyn Write + Send>,
    /// None for standard output.
    path: Option<PathBuf>,
    decoder: Decoder,
    decoded: Vec<u8>,
    finished: bool,
}

impl PartWriter {
    pub fn create(part: &Part, to: &SaveTo) -> Result<PartWriter> {
        let decoder = Decoder::for_encoding(if is_raw(part) { "" } else { &part.encoding });
        let (out, path): (Box<dyn Write + Send>, _) = match to.output.as_deref() {
            Some(p) if p == Path::new("-") => {
                // Its own descriptor for fd 1: the front end may hold the lock of `Stdout`
                // while it waits for this save, on another thread.
                let fd = std::os::fd::AsFd::as_fd(&std::io::stdout())
                    .try_clone_to_owned()
                    .map_err(|e| Error::Io(format!("cannot write to standard output: {e}")))?;
                (Box::new(File::from(fd)), None)
            }
            output => {
                let (path, file) = create_new(output, &to.download_dir, &file_name(part))?;
                (Box::new(file), Some(path))
            }
        };
        Ok(PartWriter {
            out,
            path,
            decoder,
            decoded: Vec::with_capacity(WRITE_CHUNK + (64 << 10)),
            finished: false,
        })
    }

    /// Where it is being written (None: standard output).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Decodes and writes the next bytes as the server sent them.
    pub fn write(&mut self, raw: &[u8]) -> Result<()> {
        self.decoder.push(raw, &mut self.decoded);
        if self.decoded.len() >= WRITE_CHUNK {
            self.flush_decoded()?;
        }
        Ok(())
    }

    /// Writes what is left and makes it durable; the path written.
    pub fn finish(mut self) -> Result<Option<PathBuf>> {
        let decoder = std::mem::replace(&mut self.decoder, Decoder::for_encoding(""));
        decoder.finish(&mut self.decoded);
        self.flush_decoded()?;
        self.out.flush().map_err(|e| self.err(e))?;
        if let Some(p) = &self.path {
            File::open(p)
                .and_then(|f| f.sync_all())
                .map_err(|e| write_err(p, e))?;
        }
        self.finished = true;
        Ok(self.path.take())
    }

    fn flush_decoded(&mut self) -> Result<()> {
        let result = self.out.write_all(&self.decoded);
        self.decoded.clear();
        result.map_err(|e| self.err(e))
    }

    fn err(&self, e: std::io::Error) -> Error {
        match &self.path {
            Some(p) => write_err(p, e),
            None if e.kind() == std::io::ErrorKind::BrokenPipe => Error::OutputClosed,
            None => Error::Io(format!("cannot write to standard output: {e}")),
        }
    }
}

impl Drop for PartWriter {
    fn drop(&mut self) {
        if !self.finished
            && let Some(p) = &self.path
        {
            let _ = std::fs::remove_file(p);
        }
    }
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
    fn a_part_written_in_pieces_is_decoded_and_an_unfinished_one_removed() {
        let dir = tempfile::tempdir().unwrap();
        let part = Part {
            encoding: "base64".into(),
            filename: Some("a.bin".into()),
            ..crate::mime::test_support::parse_part(
                r#"("application" "octet-stream" NIL NIL NIL "base64" 8 NIL NIL NIL NIL)"#,
            )
        };
        let to = SaveTo {
            output: None,
            download_dir: dir.path().to_path_buf(),
        };
        let mut w = PartWriter::create(&part, &to).unwrap();
        for piece in [&b"aGVs"[..], b"bG8", b"gd29y\r\nbGQ="] {
            w.write(piece).unwrap();
        }
        let path = w.finish().unwrap().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"hello world");

        let mut w = PartWriter::create(&part, &to).unwrap();
        w.write(b"aGVs").unwrap();
        let partial = w.path().unwrap().to_path_buf();
        assert!(partial.exists());
        drop(w);
        assert!(!partial.exists(), "a cancelled save leaves nothing behind");
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
