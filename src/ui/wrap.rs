//! Word wrapping by display width, so the reader knows exactly how many screen lines a message
//! has (scrolling and `G` need that) and CJK text, two columns a character, wraps correctly.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Splits one sanitised line into pieces of at most `width` columns, breaking after the last
/// space that fits, or inside a word that is longer than the line.
pub fn wrap(line: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    if line.width() <= width {
        return vec![line.to_string()];
    }
    let mut out = Vec::new();
    let mut current = String::new();
    let mut used = 0;
    // Byte offset in `current` just after its last space, to break there.
    let mut last_space: Option<usize> = None;
    for c in line.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width && c == ' ' {
            // A space that does not fit is the break itself.
            out.push(std::mem::take(&mut current).trim_end().to_string());
            used = 0;
            last_space = None;
            continue;
        }
        if used + w > width && !current.is_empty() {
            let rest = match last_space {
                Some(at) if at < current.len() => current.split_off(at),
                _ => String::new(),
            };
            out.push(current.trim_end().to_string());
            used = rest.width();
            current = rest;
            last_space = None;
        }
        current.push(c);
        used += w;
        if c == ' ' {
            last_space = Some(current.len());
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_inside_long_words() {
        assert_eq!(
            wrap("hello brave new world", 11),
            ["hello brave", "new world"]
        );
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 5), [""]);
    }

    #[test]
    fn counts_wide_characters_as_two_columns() {
        assert_eq!(wrap("你好世界再见", 5), ["你好", "世界", "再见"]);
        for piece in wrap("混合 text 和中文 mixed together", 7) {
            assert!(piece.width() <= 7, "{piece}");
        }
    }
}
