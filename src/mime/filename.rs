//! Safe local file names for saving attachments. The name in a message is
//! chosen by the sender, so it must not pick the directory, overwrite a file,
//! hide its real extension or smuggle escape sequences into the terminal.

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io::{self, ErrorKind};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::mime::sanitize::sanitize_line;
use crate::mime::section::Section;

/// Leaves room for a ` (9999)` suffix within the usual 255-byte limit.
const MAX_NAME_BYTES: usize = 200;
/// A longer "extension" is just a dotted name; do not preserve it on cuts.
const MAX_EXT_BYTES: usize = 16;
const MAX_TRIES: u32 = 10_000;

/// Device names Windows reserves whatever the extension (`con.txt` too);
/// harmless elsewhere, but a saved mailbox may be copied to Windows later.
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// A plain file name (no directories) for saving a part. Falls back to
/// `part-<section>.<ext>` when the message gives no usable name.
pub fn safe_filename(name: Option<&str>, section: &Section, mime_type: &str) -> String {
    match name.map(clean) {
        Some(n) if !n.is_empty() => n,
        _ => fallback(section, mime_type),
    }
}

fn clean(name: &str) -> String {
    // Sanitise before taking the basename: an escape sequence may contain `/`.
    let line = sanitize_line(name);
    let base = line.rsplit(['/', '\\']).next().unwrap_or_default();
    let replaced: String = base
        .chars()
        .map(|c| match c {
            ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c => c,
        })
        .collect();
    let trimmed = replaced.trim();
    if trimmed.is_empty() {
        return String::new();
    }
    // A leading dot hides the file (or is `..`).
    let visible = trimmed.trim_start_matches('.');
    let mut out = if visible.len() == trimmed.len() {
        trimmed.to_string()
    } else {
        format!("_{visible}")
    };
    let stem = out.split('.').next().unwrap_or_default().trim_end();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) {
        out.insert(0, '_');
    }
    limit_len(out)
}

/// Cuts the stem, not the extension, so `.pdf` stays what the file is.
fn limit_len(name: String) -> String {
    if name.len() <= MAX_NAME_BYTES {
        return name;
    }
    let (stem, ext) = match split_ext(&name) {
        (stem, ext) if ext.len() <= MAX_EXT_BYTES => (stem, ext),
        _ => (name.as_str(), ""),
    };
    let mut cut = MAX_NAME_BYTES - ext.len();
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{ext}", &stem[..cut])
}

/// `report.pdf` → (`report`, `.pdf`); a leading dot is not an extension.
fn split_ext(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 => name.split_at(i),
        _ => (name, ""),
    }
}

fn fallback(section: &Section, mime_type: &str) -> String {
    let ext = match mime_type.to_ascii_lowercase().as_str() {
        "text/plain" => "txt",
        "text/html" => "html",
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpg",
        "image/gif" => "gif",
        "application/zip" | "application/x-zip-compressed" => "zip",
        "message/rfc822" => "eml",
        _ => "bin",
    };
    let section = section.to_string();
    if section.is_empty() {
        format!("part.{ext}")
    } else {
        format!("part-{section}.{ext}")
    }
}

/// Creates `name` in `dir` without ever replacing an existing file: if the
/// name is taken, tries `name (1).ext`, `name (2).ext`, ... `name (10000).ext`.
/// `name` must be a plain file name, such as one from [`safe_filename`].
pub fn create_unique(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    if Path::new(name).file_name() != Some(OsStr::new(name)) {
        return Err(io::Error::new(
            ErrorKind::InvalidInput,
            format!("{name:?} is not a plain file name"),
        ));
    }
    let (stem, ext) = split_ext(name);
    for n in 0..=MAX_TRIES {
        let candidate = if n == 0 {
            name.to_string()
        } else {
            format!("{stem} ({n}){ext}")
        };
        let path = dir.join(candidate);
        // create_new is atomic, so a file appearing between tries is never clobbered.
        // create_new is O_EXCL: a symlink planted under the name is not followed either.
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
        {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        ErrorKind::AlreadyExists,
        format!("{name:?} and {MAX_TRIES} numbered variants already exist"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn safe(name: &str) -> String {
        safe_filename(Some(name), &"4.2.1".parse().unwrap(), "application/pdf")
    }

    #[test]
    fn keeps_only_the_basename() {
        assert_eq!(safe("../../etc/passwd"), "passwd");
        assert_eq!(safe("C:\\Windows\\system32\\evil.dll"), "evil.dll");
        assert_eq!(safe("dir/"), "part-4.2.1.pdf");
    }

    #[test]
    fn removes_controls_and_reserved_characters() {
        assert_eq!(safe("\x1b[2Jevil.txt"), "evil.txt");
        assert_eq!(safe("a\x07b\u{202e}fdp.exe"), "abfdp.exe");
        assert_eq!(safe("what?: \"x\" <y> |z*.txt"), "what__ _x_ _y_ _z_.txt");
        assert_eq!(safe("  spaced.txt  "), "spaced.txt");
    }

    #[test]
    fn no_hidden_or_dot_names() {
        assert_eq!(safe(".bashrc"), "_bashrc");
        assert_eq!(safe(".."), "_");
        assert_eq!(safe("..."), "_");
        assert_eq!(safe("a/.."), "_");
    }

    #[test]
    fn prefixes_windows_device_names() {
        assert_eq!(safe("CON"), "_CON");
        assert_eq!(safe("nul.txt"), "_nul.txt");
        assert_eq!(safe("com1"), "_com1");
        assert_eq!(safe("console.txt"), "console.txt");
    }

    #[test]
    fn caps_length_keeping_the_extension() {
        let long = format!("{}.pdf", "a".repeat(500));
        let out = safe(&long);
        assert_eq!(out.len(), 200);
        assert!(out.ends_with("aaa.pdf"));
        let cjk = format!("{}.pdf", "文".repeat(200));
        let out = safe(&cjk);
        assert!(out.len() <= 200 && out.ends_with("文.pdf"), "{out}");
        let dotted = format!("x.{}", "b".repeat(300));
        assert_eq!(safe(&dotted).len(), 200);
    }

    #[test]
    fn falls_back_to_the_section() {
        let s: Section = "4.2.1".parse().unwrap();
        assert_eq!(safe_filename(None, &s, "application/pdf"), "part-4.2.1.pdf");
        assert_eq!(
            safe_filename(Some("  "), &s, "message/rfc822"),
            "part-4.2.1.eml"
        );
        assert_eq!(
            safe_filename(Some("\x1b[0m"), &s, "image/JPEG"),
            "part-4.2.1.jpg"
        );
        assert_eq!(
            safe_filename(None, &s, "application/x-thing"),
            "part-4.2.1.bin"
        );
        let text: Section = "TEXT".parse().unwrap();
        assert_eq!(safe_filename(None, &text, "text/plain"), "part-TEXT.txt");
    }

    fn scratch_dir(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tern-mime-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn never_overwrites() {
        use std::io::Write;
        let dir = scratch_dir("unique");
        let (p1, mut f1) = create_unique(&dir, "a.txt").unwrap();
        f1.write_all(b"first").unwrap();
        let (p2, _) = create_unique(&dir, "a.txt").unwrap();
        let (p3, _) = create_unique(&dir, "a.txt").unwrap();
        let (p4, _) = create_unique(&dir, "noext").unwrap();
        let (p5, _) = create_unique(&dir, "noext").unwrap();
        let names: Vec<_> = [&p1, &p2, &p3, &p4, &p5]
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            ["a.txt", "a (1).txt", "a (2).txt", "noext", "noext (1)"]
        );
        assert_eq!(std::fs::read(&p1).unwrap(), b"first");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn rejects_paths() {
        let dir = scratch_dir("paths");
        for bad in ["../x", "a/b", "..", ".", ""] {
            let err = create_unique(&dir, bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
