//! Quoted text in a conversation: each message of a thread quotes the ones before, so the
//! conversation view folds every run of quoted lines to one line saying how many it hides.

/// A piece of a message's text: a line of its own, or a run of quoted lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Line(&'a str),
    Quoted(Vec<&'a str>),
}

/// A line quoting another message: `>` after any indentation.
pub fn is_quoted(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// `text` cut into its own lines and runs of quoted ones. Blank lines between two quoted
/// lines belong to the run (a quote of several paragraphs is one run); blank lines around it
/// do not.
pub fn split(text: &str) -> Vec<Piece<'_>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !is_quoted(lines[i]) {
            out.push(Piece::Line(lines[i]));
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i + 1;
        loop {
            while end < lines.len() && is_quoted(lines[end]) {
                end += 1;
            }
            let mut next = end;
            while next < lines.len() && lines[next].trim().is_empty() {
                next += 1;
            }
            if next > end && next < lines.len() && is_quoted(lines[next]) {
                end = next;
            } else {
                break;
            }
        }
        out.push(Piece::Quoted(lines[start..end].to_vec()));
        i = end;
    }
    out
}

/// What a folded run shows instead of its `n` lines.
pub fn folded(n: usize) -> String {
    match n {
        1 => "[… 1 quoted line]".to_string(),
        n => format!("[… {n} quoted lines]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_quoted_lines_fold_with_the_blanks_inside_them() {
        let text = "Sounds good.\n\nOn Monday Ann wrote:\n> first\n>\n> second\n\n  > > third\n\nThanks\n> tail";
        assert_eq!(
            split(text),
            [
                Piece::Line("Sounds good."),
                Piece::Line(""),
                Piece::Line("On Monday Ann wrote:"),
                Piece::Quoted(vec!["> first", ">", "> second", "", "  > > third"]),
                Piece::Line(""),
                Piece::Line("Thanks"),
                Piece::Quoted(vec!["> tail"]),
            ]
        );
        assert_eq!(folded(5), "[… 5 quoted lines]");
        assert_eq!(folded(1), "[… 1 quoted line]");
    }

    #[test]
    fn text_without_quotes_is_left_alone() {
        assert_eq!(
            split("a\n\nb"),
            [Piece::Line("a"), Piece::Line(""), Piece::Line("b")]
        );
        assert!(split("").is_empty());
        assert_eq!(
            split("a > b"),
            [Piece::Line("a > b")],
            "only a leading mark quotes"
        );
    }
}
