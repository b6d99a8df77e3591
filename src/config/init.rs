//! `tern config init`: the documented example written where tern looks for its config, for a
//! user who has the binary but not the source tree; with `--email`, a short config for that
//! address ([`super::starter`]).

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use crate::error::{Error, Result};

/// The example shipped in the repository, every key documented.
pub const EXAMPLE: &str = include_str!("../../config.example.toml");

/// Writes `text` to `path`, never over an existing file. The directory is made 0700 and the
/// file 0600: a config may end up holding a password.
pub fn write_new(path: &Path, text: &str) -> Result<()> {
    let io = |e: std::io::Error| Error::Io(format!("cannot write {}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::Io(format!(
                "{} already exists; not overwriting it",
                path.display()
            )),
            _ => io(e),
        })?;
    file.write_all(text.as_bytes())
        .and_then(|_| file.sync_all())
        .map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_loads_and_so_do_its_commented_tables() {
        super::super::parse(EXAMPLE).unwrap();
        // Uncomment the [keys] and [theme] examples: what the file shows must be valid.
        let mut text = String::new();
        let mut inside = false;
        for line in EXAMPLE.lines() {
            if line == "# [keys]" || line == "# [theme]" {
                inside = true;
            } else if line.is_empty() || line.starts_with("[[") {
                inside = false;
            }
            let line = if inside {
                line.strip_prefix("# ").unwrap()
            } else {
                line
            };
            text.push_str(line);
            text.push('\n');
        }
        let config = super::super::parse(&text).unwrap();
        assert!(config.keys.contains_key("archive"), "{text}");
        assert!(config.theme.contains_key("quote"), "{text}");
    }

    #[test]
    fn never_overwrites_and_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tern/config.toml");
        write_new(&path, EXAMPLE).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), EXAMPLE);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        std::fs::write(&path, "mine").unwrap();
        let err = write_new(&path, EXAMPLE).unwrap_err();
        assert!(err.to_string().contains("not overwriting"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
    }
}
