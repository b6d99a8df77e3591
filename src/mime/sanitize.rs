//! Terminal safety for text that came from the network, and width-aware
//! truncation and padding for columns.
//!
//! Mail can carry escape sequences that retitle the window, rewrite the
//! screen or hide text, and bidi controls that make a name read differently
//! from what it is. Everything shown in the terminal goes through here.

use std::iter::Peekable;
use std::str::Chars;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

const ESC: char = '\u{1b}';
const BEL: char = '\u{7}';
const TAB_STOP: usize = 8;

/// One display line: escape sequences and control characters removed; tabs,
/// CR and LF become a single space each (CR LF together give one).
pub fn sanitize_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ESC => skip_escape(&mut chars),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push(' ');
            }
            '\n' | '\t' => out.push(' '),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Multi-line text: like [`sanitize_line`] but keeps line breaks (CR LF and
/// lone CR become `\n`) and expands tabs to the next multiple of 8 columns.
pub fn sanitize_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut column = 0;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ESC => skip_escape(&mut chars),
            '\r' | '\n' => {
                if c == '\r' {
                    chars.next_if_eq(&'\n');
                }
                out.push('\n');
                column = 0;
            }
            '\t' => {
                let spaces = TAB_STOP - column % TAB_STOP;
                out.extend(std::iter::repeat_n(' ', spaces));
                column += spaces;
            }
            c if is_unsafe(c) => {}
            c => {
                out.push(c);
                column += c.width().unwrap_or(0);
            }
        }
    }
    out
}

/// Consumes what follows an ESC: a CSI sequence up to its final byte, an
/// OSC/DCS/SOS/PM/APC string up to BEL or `ESC \`, an nF sequence, or a
/// single character.
fn skip_escape(chars: &mut Peekable<Chars<'_>>) {
    match chars.next() {
        Some('[') => {
            // Parameter and intermediate bytes are 0x20-0x3F; the final byte
            // is 0x40-0x7E. Anything else is malformed and also ends it.
            for c in chars.by_ref() {
                if !('\u{20}'..='\u{3f}').contains(&c) {
                    break;
                }
            }
        }
        Some(']' | 'P' | 'X' | '^' | '_') => {
            while let Some(c) = chars.next() {
                if c == BEL || (c == ESC && chars.next_if_eq(&'\\').is_some()) {
                    break;
                }
            }
        }
        // nF sequences such as ESC ( B: intermediate bytes, then one final byte.
        Some(c) if (' '..='/').contains(&c) => {
            while chars.next_if(|c| (' '..='/').contains(c)).is_some() {}
            chars.next();
        }
        _ => {}
    }
}

/// Characters never written to the terminal: C0 and C1 controls, DEL, and
/// invisible format characters that can reorder or hide text. ZWNJ and ZWJ
/// stay: scripts such as Persian and emoji sequences need them.
pub(crate) fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{ad}'                  // soft hyphen
        | '\u{61c}'                 // Arabic letter mark
        | '\u{180e}'                // Mongolian vowel separator
        | '\u{200b}'                // zero width space
        | '\u{200e}' | '\u{200f}'   // LRM, RLM
        | '\u{2028}' | '\u{2029}'   // line and paragraph separators
        | '\u{202a}'..='\u{202e}'   // bidi embeddings and overrides
        | '\u{2060}'..='\u{206f}'   // word joiner, invisible operators, bidi isolates
        | '\u{feff}'                // BOM / zero width no-break space
        | '\u{fff9}'..='\u{fffb}'   // interlinear annotations
        | '\u{e0000}'..='\u{e007f}' // tag characters, used to smuggle hidden text
    )
}

/// Columns `s` takes on a terminal: each grapheme cluster measured on its own, as terminals
/// (and ratatui's buffer) lay them out. unicode-width's string width joins some pairs, e.g.
/// an Arabic lam-alef counts as one column, while terminals draw it in two.
pub fn text_width(s: &str) -> usize {
    s.graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// Cuts `s` to at most `max` columns (by [`text_width`]), ending in `…` when something was
/// cut. Never splits a grapheme cluster. Expects sanitised input.
pub fn truncate_width(s: &str, max: usize) -> String {
    if text_width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let budget = max - 1; // room for the ellipsis
    let mut used = 0;
    let mut end = 0;
    for (i, g) in s.grapheme_indices(true) {
        let w = g.width();
        if used + w > budget {
            break;
        }
        used += w;
        end = i + g.len();
    }
    format!("{}…", &s[..end])
}

/// Fits `s` into exactly `w` columns: truncated with `…` if wider, padded
/// with spaces if narrower.
pub fn pad_width(s: &str, w: usize) -> String {
    let mut out = truncate_width(s, w);
    let used = text_width(&out);
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(used)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &[&str] = &[
        "\x1b]0;pwned\x07Subj\x1b[31mred\x1b[0m",
        "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
        "a\x1bPq#0;2;0;0;0\x1b\\b",
        "\x1b[?1049h\x1b[2J\x1b[H\x1b[31;1mX",
        "unterminated \x1b]0;title",
        "trailing esc \x1b",
        "c1 \u{9b}31m csi \u{9d} osc \u{85} nel",
        "del\x7f nul\0 bs\x08 bell\x07 vt\x0b ff\x0c",
        "bidi \u{202e}gnp.exe\u{202c} \u{2066}iso\u{2069} \u{200f}",
        "crlf\r\nlone cr\rlf\ntab\tend",
        "zero\u{200b}width \u{feff}bom \u{e0041}tag",
    ];

    fn assert_clean(out: &str, allow_newline: bool) {
        for c in out.chars() {
            let ok =
                (c == '\n' && allow_newline) || !(c < ' ' || ('\u{7f}'..='\u{9f}').contains(&c));
            assert!(ok, "control {c:?} left in {out:?}");
            assert!(
                !('\u{202a}'..='\u{202e}').contains(&c) && !('\u{2066}'..='\u{2069}').contains(&c)
            );
        }
    }

    #[test]
    fn strips_escape_sequences() {
        assert_eq!(
            sanitize_line("\x1b]0;pwned\x07Subj\x1b[31mred\x1b[0m"),
            "Subjred"
        );
        assert_eq!(
            sanitize_line("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\"),
            "link"
        );
        assert_eq!(sanitize_line("a\x1bPq#0;2\x1b\\b"), "ab");
        assert_eq!(sanitize_line("x\x1b(By\x1b7z"), "xyz");
        assert_eq!(sanitize_line("unterminated \x1b]0;title"), "unterminated ");
    }

    #[test]
    fn never_leaves_controls() {
        for s in HOSTILE {
            assert_clean(&sanitize_line(s), false);
            assert_clean(&sanitize_text(s), true);
            assert!(!sanitize_line(s).contains('\n'));
        }
        let every: String = (0u32..0x300).filter_map(char::from_u32).collect();
        assert_clean(&sanitize_line(&every), false);
        assert_clean(&sanitize_text(&every), true);
    }

    #[test]
    fn line_breaks_and_tabs() {
        assert_eq!(sanitize_line("a\r\nb\rc\nd\te"), "a b c d e");
        assert_eq!(sanitize_text("a\r\nb\rc\nd"), "a\nb\nc\nd");
        assert_eq!(
            sanitize_text("a\tb\n\tc\nabcdefgh\ti"),
            "a       b\n        c\nabcdefgh        i"
        );
        // CJK characters are two columns wide, so the tab after two of them
        // moves four columns.
        assert_eq!(sanitize_text("你好\tx"), "你好    x");
    }

    #[test]
    fn keeps_joiners_for_scripts_and_emoji() {
        let family = "👨\u{200d}👩\u{200d}👧";
        assert_eq!(sanitize_line(family), family);
        assert_eq!(sanitize_line("می\u{200c}خواهم"), "می\u{200c}خواهم");
    }

    #[test]
    fn truncates_by_display_width() {
        assert_eq!(truncate_width("hello", 5), "hello");
        assert_eq!(truncate_width("hello world", 8), "hello w…");
        assert_eq!(truncate_width("你好世界", 5), "你好…");
        assert_eq!(truncate_width("你好世界", 6), "你好…");
        assert_eq!(truncate_width("你好世界", 7), "你好世…");
        assert_eq!(truncate_width("abc", 0), "");
        assert_eq!(truncate_width("abc", 1), "…");
        // VS16 makes the heart two columns wide, which per-char widths miss; the heart is
        // never parted from its selector.
        assert_eq!(
            truncate_width("❤\u{fe0f}❤\u{fe0f}❤\u{fe0f}", 4),
            "❤\u{fe0f}…"
        );
        for max in 0..12 {
            for s in [
                "你好世界 mixed 文字",
                "e\u{301}e\u{301}e\u{301}e\u{301}",
                "👨\u{200d}👩\u{200d}👧 ok",
            ] {
                assert!(text_width(&truncate_width(s, max)) <= max, "{s:?} at {max}");
            }
        }
    }

    #[test]
    fn pads_to_exact_width() {
        assert_eq!(pad_width("ab", 4), "ab  ");
        assert_eq!(pad_width("你好", 5), "你好 ");
        assert_eq!(pad_width("你好世界", 6), "你好… ");
        assert_eq!(pad_width("abcdef", 4), "abc…");
        assert_eq!(pad_width("", 0), "");
    }

    #[test]
    fn measures_lam_alef_as_terminals_draw_it() {
        let lam_alef = "\u{644}\u{627}";
        assert_eq!(lam_alef.width(), 1, "unicode-width joins the pair");
        assert_eq!(text_width(lam_alef), 2);
        assert_eq!(pad_width(lam_alef, 4), format!("{lam_alef}  "));
        assert_eq!(
            truncate_width("\u{644}\u{627}\u{644}\u{627}", 3),
            "\u{644}\u{627}…"
        );
    }
}
