//! Tab completion of file paths for the `attach` prompt: what the typed text can become,
//! and the longest extension all candidates share.

use std::path::{Path, PathBuf};

/// Paths that start with `typed` (`~/` is the home directory), sorted, directories ending
/// in `/`, at most `limit`. Hidden entries only when the typed name starts with a dot.
pub fn complete(typed: &str, limit: usize) -> Vec<String> {
    let (dir_part, name_part) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let dir = match dir_part {
        "" => PathBuf::from("."),
        d => expand_home(d),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let wanted = name.starts_with(name_part)
                && (name_part.starts_with('.') || !name.starts_with('.'));
            if !wanted {
                return None;
            }
            let is_dir = e.path().is_dir();
            Some(format!("{dir_part}{name}{}", if is_dir { "/" } else { "" }))
        })
        .collect();
    out.sort();
    out.truncate(limit);
    out
}

/// What Tab inserts: the longest text every candidate starts with (at least `typed`).
pub fn common_prefix(typed: &str, candidates: &[String]) -> String {
    let Some(first) = candidates.first() else {
        return typed.to_string();
    };
    let mut end = first.len();
    for c in &candidates[1..] {
        let shared = first
            .char_indices()
            .zip(c.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8());
        end = end.min(shared);
    }
    let shared = &first[..end];
    if shared.len() >= typed.len() {
        shared.to_string()
    } else {
        typed.to_string()
    }
}

/// `~/x` → `$HOME/x`; anything else as it is.
pub fn expand_home(text: &str) -> PathBuf {
    match (text.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_names_and_marks_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().display().to_string();
        std::fs::write(tmp.path().join("report-2024.pdf"), "x").unwrap();
        std::fs::write(tmp.path().join("report-2025.pdf"), "x").unwrap();
        std::fs::write(tmp.path().join(".hidden"), "x").unwrap();
        std::fs::create_dir(tmp.path().join("reports")).unwrap();
        let got = complete(&format!("{d}/rep"), 10);
        assert_eq!(
            got,
            [
                format!("{d}/report-2024.pdf"),
                format!("{d}/report-2025.pdf"),
                format!("{d}/reports/"),
            ]
        );
        assert_eq!(
            common_prefix(&format!("{d}/rep"), &got),
            format!("{d}/report")
        );
        assert_eq!(complete(&format!("{d}/"), 10).len(), 3);
        assert_eq!(complete(&format!("{d}/."), 10), [format!("{d}/.hidden")]);
        assert!(complete(&format!("{d}/missing/x"), 10).is_empty());
        assert_eq!(complete(&format!("{d}/rep"), 1).len(), 1);
        assert_eq!(common_prefix("ab", &[]), "ab");
        assert_eq!(common_prefix("a", &["abc".into(), "abd".into()]), "ab");
        assert_eq!(common_prefix("é", &["éa".into(), "éb".into()]), "é");
    }
}
