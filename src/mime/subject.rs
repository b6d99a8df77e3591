//! Reply and forward prefixes of subjects (`Re:`, `AW:`, `Fwd:`, `回复：`, `Антв:`…): the one
//! table that replying (no `Re: Re:`) and threading or sorting by subject share.

/// Prefixes mail clients put before a subject when replying or forwarding, lowercase. Matched
/// case-insensitively, followed by an optional counter (`Re[2]`, `Re(2)`, `Re^2`), optional
/// blanks, and a colon (ASCII or full-width).
const PREFIXES: &[&str] = &[
    // English, and what most clients write whatever the language
    "re",
    "fwd",
    "fw",
    // German (Antwort, Weitergeleitet), Dutch, Scandinavian, Finnish, Polish, Italian
    "aw",
    "wg",
    "antw",
    "antwort",
    "sv",
    "vs",
    "vl",
    "odp",
    "pd",
    "rif",
    "inoltro",
    // French, Spanish, Portuguese, Turkish
    "réf",
    "ref",
    "tr",
    "rv",
    "enc",
    "res",
    "ynt",
    "ilt",
    // Russian, Ukrainian, Greek, Hebrew, Arabic
    "антв",
    "ответ",
    "отв",
    "пересл",
    "відп",
    "пере",
    "απ",
    "σχετ",
    "πρθ",
    "השב",
    "הועבר",
    "رد",
    "توجيه",
    // Chinese (simplified and traditional), Japanese, Korean
    "回复",
    "答复",
    "转发",
    "回覆",
    "答覆",
    "轉寄",
    "转寄",
    "轉發",
    "返信",
    "転送",
    "회신",
    "전달",
];

/// `subject` without its leading reply and forward prefixes (`Re: AW: Fwd: x` → `x`). A
/// leading list tag is kept and the prefixes after it removed by [`reply_subject`].
pub fn base_subject(subject: &str) -> &str {
    let mut rest = subject.trim_start();
    while let Some(after) = strip_one(rest) {
        rest = after.trim_start();
    }
    rest
}

/// `Re: ` (or `Fwd: `) and the subject's base, never stacking prefixes; a list tag such as
/// `[tern]` stays in front of the base: `[tern] Re: x` → `Re: [tern] x`.
pub fn prefixed(prefix: &str, subject: &str) -> String {
    let base = base_subject(subject);
    let (tag, rest) = split_tag(base);
    let rest = base_subject(rest);
    match tag {
        Some(tag) if rest.is_empty() => format!("{prefix} {tag}"),
        Some(tag) => format!("{prefix} {tag} {rest}"),
        None => format!("{prefix} {rest}").trim_end().to_string(),
    }
}

/// The subject of a reply: `Re: ` and the base.
pub fn reply_subject(subject: &str) -> String {
    prefixed("Re:", subject)
}

/// The subject of a forward: `Fwd: ` and the base.
pub fn forward_subject(subject: &str) -> String {
    prefixed("Fwd:", subject)
}

fn split_tag(s: &str) -> (Option<&str>, &str) {
    if s.starts_with('[')
        && let Some(end) = s.find(']')
    {
        return (Some(&s[..=end]), s[end + 1..].trim_start());
    }
    (None, s)
}

/// Characters in the longest of [`PREFIXES`].
const LONGEST: usize = 7;

/// The text after one prefix and its colon, if `s` starts with one. Sorting and threading
/// run this for every subject of a folder: it neither allocates nor reads past a word longer
/// than any prefix.
fn strip_one(s: &str) -> Option<&str> {
    let mut word_end = s.len();
    for (n, (i, c)) in s.char_indices().enumerate() {
        if !c.is_alphabetic() {
            word_end = i;
            break;
        }
        if n == LONGEST {
            return None;
        }
    }
    // Lowercased once, on the stack: a character lowercases to at most three, each at most
    // four bytes.
    let mut buf = [0u8; 3 * 4 * LONGEST];
    let mut len = 0;
    for c in s[..word_end].chars().flat_map(char::to_lowercase) {
        len += c.encode_utf8(&mut buf[len..]).len();
    }
    if !PREFIXES.iter().any(|p| p.as_bytes() == &buf[..len]) {
        return None;
    }
    let mut rest = &s[word_end..];
    rest = strip_counter(rest);
    rest = rest.trim_start_matches([' ', '\t']);
    rest.strip_prefix(':').or_else(|| rest.strip_prefix('：'))
}

/// `[2]`, `(2)` or `^2` after a prefix, as some clients count replies.
fn strip_counter(s: &str) -> &str {
    let digits = |t: &str| t.bytes().take_while(u8::is_ascii_digit).count();
    for (open, close) in [('[', Some(']')), ('(', Some(')')), ('^', None)] {
        if let Some(t) = s.strip_prefix(open) {
            let n = digits(t);
            if n == 0 {
                continue;
            }
            let t = &t[n..];
            match close {
                Some(c) => {
                    if let Some(t) = t.strip_prefix(c) {
                        return t;
                    }
                }
                None => return t,
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_prefix_is_longer_than_the_longest() {
        let longest = PREFIXES.iter().map(|p| p.chars().count()).max();
        assert_eq!(longest, Some(LONGEST));
        assert_eq!(base_subject("Antwort: x"), "x");
        assert_eq!(base_subject("Antworten: x"), "Antworten: x");
    }

    #[test]
    fn strips_every_known_prefix_and_stack() {
        for (subject, base) in [
            ("Re: hello", "hello"),
            ("RE: hello", "hello"),
            ("re:hello", "hello"),
            ("Re: Re: RE: hello", "hello"),
            ("Aw: Fwd: hello", "hello"),
            ("AW: WG: hello", "hello"),
            ("Fw: hello", "hello"),
            ("SV: VS: hello", "hello"),
            ("Re[2]: hello", "hello"),
            ("Re(3): hello", "hello"),
            ("Re^2: hello", "hello"),
            ("Ré : hello", "Ré : hello"),
            ("Réf : hello", "hello"),
            ("回复: 你好", "你好"),
            ("回复：你好", "你好"),
            ("答复：回复: 你好", "你好"),
            ("转发: 你好", "你好"),
            ("Антв: Привет", "Привет"),
            ("ОТВЕТ: Привет", "Привет"),
            ("Odp: Cześć", "Cześć"),
            ("  Re:   spaced  ", "spaced  "),
            ("Re: ", ""),
        ] {
            assert_eq!(base_subject(subject), base, "{subject:?}");
        }
    }

    #[test]
    fn words_that_only_look_like_prefixes_stay() {
        for subject in [
            "Review: the plan",
            "Regarding lunch",
            "Re-planning the Q1 roadmap",
            "Fwding rules",
            "Answer: 42",
            "Tr ip report",
            "Re",
        ] {
            assert_eq!(base_subject(subject), subject);
        }
    }

    #[test]
    fn reply_and_forward_subjects_never_stack() {
        assert_eq!(reply_subject("hello"), "Re: hello");
        assert_eq!(reply_subject("Re: hello"), "Re: hello");
        assert_eq!(reply_subject("RE: Aw: hello"), "Re: hello");
        assert_eq!(reply_subject("Fwd: hello"), "Re: hello");
        assert_eq!(reply_subject("回复: 你好"), "Re: 你好");
        assert_eq!(reply_subject("Антв: Привет"), "Re: Привет");
        assert_eq!(reply_subject(""), "Re:");
        assert_eq!(forward_subject("Re: hello"), "Fwd: hello");
        assert_eq!(forward_subject("Fwd: Fwd: hello"), "Fwd: hello");
    }

    #[test]
    fn a_list_tag_stays_in_front() {
        assert_eq!(reply_subject("[tern] Re: Build"), "Re: [tern] Build");
        assert_eq!(reply_subject("Re: [tern] Re: Build"), "Re: [tern] Build");
        assert_eq!(reply_subject("[tern] Build"), "Re: [tern] Build");
        assert_eq!(reply_subject("[tern]"), "Re: [tern]");
    }
}
