//! Colours: the `[theme]` table maps a role (e.g. `selected`) to a style written as words,
//! e.g. `"bold yellow on blue"`, `"reverse"`, `"#ff8800 underline"`, `"244"`.
//!
//! The defaults use only the 16 basic colours, and the roles that must stay visible without
//! colour (selection, focus, unread) lean on bold and reverse, so `NO_COLOR` keeps them usable.

use std::collections::BTreeMap;

use ratatui::style::{Color, Modifier, Style};
use toml::Spanned;

/// The `[theme]` table: role → style words, with where each value sits in the file.
pub type ThemeTable = BTreeMap<String, Spanned<String>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Borders of panes without focus.
    pub border: Style,
    /// Border and title of the pane with focus.
    pub focus: Style,
    /// The row under the cursor.
    pub selected: Style,
    /// Messages without \Seen, folders with unread mail.
    pub unread: Style,
    pub flagged: Style,
    pub deleted: Style,
    /// Tagged messages (also marked `*`).
    pub tagged: Style,
    /// Secondary text: sizes, dates, loading rows, `\Noselect` folders.
    pub dim: Style,
    /// Quoted lines (`> …`) in the reader.
    pub quote: Style,
    pub link: Style,
    /// Header names in the reader (`From:`).
    pub header: Style,
    /// The status bar.
    pub status: Style,
    pub error: Style,
}

/// Role names in the order `config.example.toml` documents them.
const ROLES: &[&str] = &[
    "border", "focus", "selected", "unread", "flagged", "deleted", "tagged", "dim", "quote",
    "link", "header", "status", "error",
];

impl Default for Theme {
    fn default() -> Self {
        Theme {
            border: Style::new().fg(Color::DarkGray),
            focus: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            unread: Style::new().add_modifier(Modifier::BOLD),
            flagged: Style::new().fg(Color::Yellow),
            deleted: Style::new().add_modifier(Modifier::CROSSED_OUT),
            tagged: Style::new().fg(Color::Magenta),
            dim: Style::new().fg(Color::DarkGray),
            quote: Style::new().fg(Color::DarkGray),
            link: Style::new()
                .fg(Color::Blue)
                .add_modifier(Modifier::UNDERLINED),
            header: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            status: Style::new().add_modifier(Modifier::REVERSED),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }
}

impl Theme {
    /// The default theme with `[theme]` applied; with `no_color` every colour is dropped and
    /// only bold, reverse and the other attributes stay (<https://no-color.org>).
    pub fn from_table(table: &ThemeTable, no_color: bool) -> Result<Theme, String> {
        let mut theme = Theme::default();
        for (role, value) in table {
            let style = parse_style(value.get_ref())?;
            *theme.role_mut(role).ok_or_else(|| unknown_role(role))? = style;
        }
        if no_color {
            for role in ROLES {
                if let Some(s) = theme.role_mut(role) {
                    *s = Style::new()
                        .add_modifier(s.add_modifier)
                        .remove_modifier(s.sub_modifier);
                }
            }
        }
        Ok(theme)
    }

    fn role_mut(&mut self, role: &str) -> Option<&mut Style> {
        Some(match role {
            "border" => &mut self.border,
            "focus" => &mut self.focus,
            "selected" => &mut self.selected,
            "unread" => &mut self.unread,
            "flagged" => &mut self.flagged,
            "deleted" => &mut self.deleted,
            "tagged" => &mut self.tagged,
            "dim" => &mut self.dim,
            "quote" => &mut self.quote,
            "link" => &mut self.link,
            "header" => &mut self.header,
            "status" => &mut self.status,
            "error" => &mut self.error,
            _ => return None,
        })
    }
}

fn unknown_role(role: &str) -> String {
    format!(
        "[theme] has no role \"{role}\"; roles are: {}",
        ROLES.join(", ")
    )
}

/// Checks `[theme]`; errors read `line:col: …`.
pub fn validate(table: &ThemeTable, text: &str) -> Result<(), String> {
    for (role, value) in table {
        let at = || {
            let (line, col) = super::line_col(text, value.span().start);
            format!("{line}:{col}")
        };
        if !ROLES.contains(&role.as_str()) {
            return Err(format!("{}: {}", at(), unknown_role(role)));
        }
        parse_style(value.get_ref()).map_err(|e| format!("{}: [theme] {role}: {e}", at()))?;
    }
    Ok(())
}

/// `[modifiers] [fg] [on bg]` in any order, e.g. `"bold yellow on blue"`.
fn parse_style(words: &str) -> Result<Style, String> {
    let mut style = Style::new();
    let mut tokens = words.split_whitespace();
    while let Some(word) = tokens.next() {
        let lower = word.to_ascii_lowercase();
        if lower == "on" {
            let bg = tokens
                .next()
                .ok_or_else(|| format!("\"{words}\": \"on\" needs a colour after it"))?;
            style = style.bg(parse_color(bg)?);
            continue;
        }
        style = match lower.as_str() {
            "bold" => style.add_modifier(Modifier::BOLD),
            "dim" => style.add_modifier(Modifier::DIM),
            "italic" => style.add_modifier(Modifier::ITALIC),
            "underline" | "underlined" => style.add_modifier(Modifier::UNDERLINED),
            "reverse" => style.add_modifier(Modifier::REVERSED),
            "strike" | "crossed_out" => style.add_modifier(Modifier::CROSSED_OUT),
            "default" | "none" => style,
            _ => style.fg(parse_color(word)?),
        };
    }
    Ok(style)
}

fn parse_color(word: &str) -> Result<Color, String> {
    // ratatui reads the 16 names in several spellings (dark-gray, lightred, …), 0-255 and #rrggbb.
    word.parse::<Color>().map_err(|_| {
        format!("\"{word}\" is not a colour or attribute; use a name like yellow or lightblue, 0-255, #rrggbb, or bold/dim/italic/underline/reverse/strike")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn table(text: &str) -> ThemeTable {
        #[derive(Deserialize)]
        struct T {
            theme: ThemeTable,
        }
        toml::from_str::<T>(text).unwrap().theme
    }

    #[test]
    fn parses_style_words() {
        assert_eq!(
            parse_style("bold yellow on blue").unwrap(),
            Style::new()
                .fg(Color::Yellow)
                .bg(Color::Blue)
                .add_modifier(Modifier::BOLD)
        );
        assert_eq!(
            parse_style("#ff8800").unwrap(),
            Style::new().fg(Color::Rgb(255, 136, 0))
        );
        assert_eq!(
            parse_style("244").unwrap(),
            Style::new().fg(Color::Indexed(244))
        );
        assert!(parse_style("on").is_err());
        assert!(parse_style("#12").is_err());
        assert!(parse_style("sparkly").is_err());
    }

    #[test]
    fn no_color_keeps_attributes_only() {
        let t =
            Theme::from_table(&table("[theme]\nselected = \"red on white bold\"\n"), true).unwrap();
        assert_eq!(t.selected, Style::new().add_modifier(Modifier::BOLD));
        assert_eq!(t.flagged, Style::new());
        assert_eq!(t.status, Style::new().add_modifier(Modifier::REVERSED));
    }

    #[test]
    fn errors_name_the_line() {
        let text = "[theme]\nlink = \"blue\"\nshiny = \"red\"\n";
        let e = validate(&table(text), text).unwrap_err();
        assert!(e.starts_with("3:9:"), "{e}");
        let text = "[theme]\nlink = \"blu\"\n";
        let e = validate(&table(text), text).unwrap_err();
        assert!(e.starts_with("2:8:"), "{e}");
    }
}
